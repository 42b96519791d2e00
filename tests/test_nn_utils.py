"""nn.utils: gradient clipping (PyTorch's numbers to 1e-12) and parameters <-> one vector."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import autograd
import nn
from nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def with_grads(*grads, dtype=np.float64):
    """Parameters (of the gradients' shapes) whose .grad are the given arrays (None: none)."""
    params = []
    for g in grads:
        shape = (2,) if g is None else np.shape(g)
        p = nn.Parameter(np.zeros(shape, dtype=dtype))
        p.grad = None if g is None else autograd.tensor(np.array(g, dtype=dtype))
        params.append(p)
    return params


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
gradient = st.one_of(st.none(), shapes.flatmap(lambda s: arrays(
    np.float64, s, elements=st.floats(-1e3, 1e3, allow_nan=False, width=64))))
gradient_sets = st.lists(gradient, min_size=1, max_size=4)


# ---------------------------------------------------------------- clip_grad_norm_
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf])
@given(grads=gradient_sets, max_norm=st.floats(1e-3, 1e4))
def test_clip_grad_norm_equals_pytorch(torch, norm_type, grads, max_norm):
    ours = with_grads(*grads)
    theirs = []
    for g in grads:
        t = torch.zeros((2,) if g is None else g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = None if g is None else torch.tensor(g)
        theirs.append(t)
    total = clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total.shape == () and total.dtype == np.float64
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12, atol=0)
    for p, t in zip(ours, theirs):
        assert (p.grad is None) == (t.grad is None)
        if p.grad is not None:
            np.testing.assert_allclose(p.grad._data, t.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_clip_grad_norm_rescales_only_when_needed():
    ps = with_grads([3.0, 4.0], [[0.0]], None)
    assert clip_grad_norm_(ps, 10.0).item() == 5.0
    np.testing.assert_array_equal(ps[0].grad._data, [3.0, 4.0])     # under max_norm: as is
    total = clip_grad_norm_(ps, 1.0)
    assert total.item() == 5.0                                     # the norm before clipping
    np.testing.assert_allclose(ps[0].grad._data, np.array([3.0, 4.0]) / (5 + 1e-6))
    assert get_total_norm([p.grad for p in ps if p.grad is not None]).item() < 1.0
    assert ps[2].grad is None
    single = with_grads([-2.0, 0.5])[0]
    assert clip_grad_norm_(single, 1.0, norm_type="inf").item() == 2.0   # one Tensor, "inf"
    np.testing.assert_allclose(single.grad._data, np.array([-2.0, 0.5]) / (2 + 1e-6))


def test_clip_grad_norm_with_a_model_and_edge_cases():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    net(autograd.randn(8, 3) * 100).sum().backward()
    before = np.sqrt(sum((p.grad._data ** 2).sum() for p in net.parameters()))
    total = clip_grad_norm_(net.parameters(), 0.5)       # a generator is fine
    assert total.item() == pytest.approx(before, rel=1e-12)
    after = np.sqrt(sum((p.grad._data ** 2).sum() for p in net.parameters()))
    assert after == pytest.approx(0.5, rel=1e-5) and after <= 0.5
    assert clip_grad_norm_([], 1.0).item() == 0.0
    assert clip_grad_norm_(with_grads(None), 1.0).item() == 0.0
    f32 = with_grads([3.0, 4.0], dtype=np.float32)
    assert clip_grad_norm_(f32, 1.0).dtype == np.float32 and f32[0].grad.dtype == np.float32


def test_clip_grad_norm_non_finite():
    ps = with_grads([1.0, math.inf])
    with pytest.raises(RuntimeError, match=r"total norm of order 2.0 .* non-finite \(inf\)"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(ps[0].grad._data, [1.0, math.inf])   # untouched on error
    assert math.isinf(clip_grad_norm_(ps, 1.0).item())
    assert np.isnan(ps[0].grad._data[1])                # inf * 0, as in PyTorch


def test_clip_grad_norm_bumps_the_gradients_version_and_checks_types():
    ps = with_grads([3.0, 4.0])
    v = ps[0].grad._version
    clip_grad_norm_(ps, 1.0)
    assert ps[0].grad._version > v
    with pytest.raises(TypeError, match="clip_grad_norm_: expected Tensors, got a ndarray"):
        clip_grad_norm_([np.zeros(2)], 1.0)


def test_total_norm_and_clip_with_norm_are_the_two_halves(torch):
    a, b = with_grads([1.0, -2.0], [[3.0], [0.5]]), with_grads([1.0, -2.0], [[3.0], [0.5]])
    total = get_total_norm([p.grad for p in a], 3.0)
    clip_grads_with_norm_(a, 0.7, total)
    clip_grad_norm_(b, 0.7, 3.0)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.grad._data, q.grad._data)
    grads = [torch.tensor([1.0, -2.0], dtype=torch.float64),
             torch.tensor([[3.0], [0.5]], dtype=torch.float64)]
    fresh = [p.grad for p in with_grads([1.0, -2.0], [[3.0], [0.5]])]
    for norm_type in (0.5, 1, 2, 3, math.inf, 0):
        np.testing.assert_allclose(get_total_norm(fresh, norm_type).item(),
                                   torch.nn.utils.get_total_norm(grads, norm_type).item(),
                                   rtol=1e-12)


# ---------------------------------------------------------------- clip_grad_value_
@given(grads=gradient_sets, clip=st.floats(0.0, 2e3))
def test_clip_grad_value_equals_pytorch(torch, grads, clip):
    ours = with_grads(*grads)
    theirs = [torch.tensor(g, requires_grad=False) if g is not None else None for g in grads]
    assert clip_grad_value_(ours, clip) is None
    for p, t in zip(ours, theirs):
        if t is not None:
            np.testing.assert_array_equal(p.grad._data, t.clamp(-clip, clip).numpy())


# ---------------------------------------------------------------- parameters <-> vector
@given(st.lists(shapes.flatmap(lambda s: arrays(np.float64, s, elements=st.floats(-10, 10))),
                min_size=1, max_size=4))
def test_parameters_to_vector_round_trips(values):
    params = [nn.Parameter(v.copy()) for v in values]
    vec = parameters_to_vector(params)
    np.testing.assert_array_equal(vec._data, np.concatenate([v.ravel() for v in values]))
    arrays_before = [p._data for p in params]
    vector_to_parameters(vec * 2 + 1, params)
    for p, v, arr in zip(params, values, arrays_before):
        assert p._data is arr and p.shape == v.shape          # in place, shapes kept
        np.testing.assert_array_equal(p._data, v * 2 + 1)
    np.testing.assert_array_equal(parameters_to_vector(params)._data, vec._data * 2 + 1)


def test_parameters_to_vector_is_differentiable_and_matches_pytorch(torch):
    net = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    vec = parameters_to_vector(net.parameters())
    assert vec.shape == (11,) and vec.requires_grad
    (vec * autograd.arange(11.0)).sum().backward()
    np.testing.assert_array_equal(parameters_to_vector(p.grad for p in net.parameters())._data,
                                  np.arange(11.0))
    twin = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(),
                               torch.nn.Linear(2, 1)).double()
    twin.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                          for k, v in net.state_dict().items()})
    theirs = torch.nn.utils.parameters_to_vector(twin.parameters()).detach().numpy()
    np.testing.assert_array_equal(vec._data, theirs)


def test_vector_to_parameters_semantics_and_errors():
    net = nn.Linear(2, 2)
    net.float()
    vector_to_parameters(autograd.arange(6.0), net.parameters())
    assert net.weight.dtype == np.float32                       # each keeps its dtype
    np.testing.assert_array_equal(net.weight._data, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(net.bias._data, [4, 5])
    loss = net(autograd.randn(1, 2, dtype=np.float32, requires_grad=True)).sum()
    vector_to_parameters(autograd.zeros(6), net.parameters())
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()
    with pytest.raises(TypeError, match="expected a Tensor, but got ndarray"):
        vector_to_parameters(np.zeros(6), net.parameters())
    with pytest.raises(RuntimeError, match="the vector has 5 entries, the parameters have 6"):
        vector_to_parameters(autograd.zeros(5), net.parameters())
    with pytest.raises(RuntimeError, match="1-D"):
        vector_to_parameters(autograd.zeros(2, 3), net.parameters())
    with pytest.raises(RuntimeError, match="at least one parameter"):
        parameters_to_vector([])
