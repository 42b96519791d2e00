"""Normalisation layers and functions (batch, layer, group, instance norm) against PyTorch in
float64 (outputs, every input gradient, running statistics over several steps, state_dict),
against central differences (gradcheck, gradgradcheck), float32, and bad input."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F
from autograd.dtypes import ShapeError
from nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-10, 1e-12
seeds = st.integers(0, 2**32 - 1)


def close(ours, theirs, what=""):
    a = ours.detach().numpy() if hasattr(ours, "detach") else np.asarray(ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=what)


def pair(arr, grad=True):
    return (autograd.tensor(arr, requires_grad=grad),
            torch.tensor(arr, requires_grad=grad))


def backward_both(out_a, out_b, rng):
    u = rng.standard_normal(out_b.shape)
    out_a.backward(autograd.tensor(u))
    out_b.backward(torch.tensor(u))


def copy_params(ours, theirs):
    with torch.no_grad():
        for (k, p), (k2, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert k == k2
            q.copy_(torch.tensor(p.detach().numpy()))


@st.composite
def bn_cases(draw):
    kind = draw(st.sampled_from(["1d2", "1d3", "2d"]))
    n = draw(st.integers(1, 4))
    c = draw(st.integers(1, 3))
    spatial = {"1d2": (), "1d3": (draw(st.integers(1, 3)),),
               "2d": (draw(st.integers(1, 3)), draw(st.integers(1, 3)))}[kind]
    if n * int(np.prod(spatial)) == 1:
        n = 2
    return kind, (n, c) + spatial


@settings(max_examples=20)
@given(bn_cases(), st.sampled_from([0.1, None, 0.7]), st.booleans(), st.booleans(), seeds)
def test_batch_norm_modules_match_torch_over_steps(case, momentum, affine, track, seed):
    kind, shape = case
    rng = np.random.default_rng(seed)
    c = shape[1]
    ours_cls, theirs_cls = ((BatchNorm2d, torch.nn.BatchNorm2d) if kind == "2d"
                            else (BatchNorm1d, torch.nn.BatchNorm1d))
    ours = ours_cls(c, eps=1e-3, momentum=momentum, affine=affine, track_running_stats=track)
    theirs = theirs_cls(c, eps=1e-3, momentum=momentum, affine=affine,
                        track_running_stats=track).double()
    if affine:
        with autograd.no_grad():
            ours.weight.copy_(autograd.tensor(rng.standard_normal(c)))
            ours.bias.copy_(autograd.tensor(rng.standard_normal(c)))
        copy_params(ours, theirs)
    for step in range(4):
        if step == 3:
            ours.eval()
            theirs.eval()
        x = rng.standard_normal(shape) * 2 + rng.standard_normal()
        xa, xb = pair(x)
        ya, yb = ours(xa), theirs(xb)
        close(ya, yb, f"output step {step}")
        assert ya.grad_fn.name() == type(yb.grad_fn).__name__
        backward_both(ya, yb, rng)
        close(xa.grad, xb.grad, f"x grad step {step}")
        if affine:
            close(ours.weight.grad, theirs.weight.grad, "weight grad")
            close(ours.bias.grad, theirs.bias.grad, "bias grad")
            ours.zero_grad()
            theirs.zero_grad()
        if track:
            close(ours.running_mean, theirs.running_mean, "running_mean")
            close(ours.running_var, theirs.running_var, "running_var")
            assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item()
    sa, sb = ours.state_dict(), theirs.state_dict()
    assert list(sa) == list(sb)
    for k in sb:
        assert sa[k].shape == tuple(sb[k].shape), k
        assert str(sa[k].dtype) == str(sb[k].dtype).replace("torch.", ""), k


@settings(max_examples=30)
@given(st.integers(2, 4), st.integers(1, 3), st.sampled_from([(), (2,), (2, 3)]), seeds,
       st.booleans())
def test_functional_batch_norm_matches_torch(n, c, spatial, seed, training):
    rng = np.random.default_rng(seed)
    shape = (n, c) + spatial
    x = rng.standard_normal(shape)
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.random(c) + 0.5
    (xa, xb), (wa, wb), (ba, bb) = pair(x), pair(w), pair(b)
    rma, rmb = autograd.tensor(rm), torch.tensor(rm)
    rva, rvb = autograd.tensor(rv), torch.tensor(rv)
    ya = F.batch_norm(xa, rma, rva, wa, ba, training=training, momentum=0.3, eps=1e-4)
    yb = torch.nn.functional.batch_norm(xb, rmb, rvb, wb, bb, training=training, momentum=0.3,
                                        eps=1e-4)
    close(ya, yb, "output")
    backward_both(ya, yb, rng)
    for ours, theirs, name in ((xa, xb, "x"), (wa, wb, "weight"), (ba, bb, "bias")):
        close(ours.grad, theirs.grad, name)
    close(rma, rmb, "running_mean")
    close(rva, rvb, "running_var")


@given(st.integers(0, 3), st.sampled_from([(3,), (2, 3), (1,), (4, 1)]), st.booleans(),
       st.booleans(), seeds)
def test_layer_norm_matches_torch(lead, norm_shape, affine, bias, seed):
    rng = np.random.default_rng(seed)
    shape = (2,) * lead + norm_shape
    ours = LayerNorm(norm_shape, eps=1e-4, elementwise_affine=affine, bias=bias)
    theirs = torch.nn.LayerNorm(norm_shape, eps=1e-4, elementwise_affine=affine,
                                bias=bias).double()
    with autograd.no_grad():
        for p in ours.parameters():
            p.copy_(autograd.tensor(rng.standard_normal(p.shape)))
    copy_params(ours, theirs)
    xa, xb = pair(rng.standard_normal(shape) * 3 + 1)
    ya, yb = ours(xa), theirs(xb)
    close(ya, yb, "output")
    assert ya.grad_fn.name() == type(yb.grad_fn).__name__
    backward_both(ya, yb, rng)
    close(xa.grad, xb.grad, "x grad")
    for (k, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        close(p.grad, q.grad, k)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@given(st.integers(1, 3), st.sampled_from([(1, 1), (2, 4), (3, 6), (4, 4)]),
       st.sampled_from([(), (3,), (2, 2)]), st.booleans(), seeds)
def test_group_norm_matches_torch(n, groups_channels, spatial, affine, seed):
    rng = np.random.default_rng(seed)
    g, c = groups_channels
    shape = (n, c) + spatial
    ours, theirs = GroupNorm(g, c, eps=1e-4, affine=affine), torch.nn.GroupNorm(
        g, c, eps=1e-4, affine=affine).double()
    with autograd.no_grad():
        for p in ours.parameters():
            p.copy_(autograd.tensor(rng.standard_normal(p.shape)))
    copy_params(ours, theirs)
    xa, xb = pair(rng.standard_normal(shape) * 2 - 1)
    if n * (c // g) * int(np.prod(spatial)) == 1:
        for layer, x in ((ours, xa), (theirs, xb)):
            with pytest.raises(ValueError, match="more than 1 value per channel"):
                layer(x)
        return
    ya, yb = ours(xa), theirs(xb)
    close(ya, yb, "output")
    assert ya.grad_fn.name() == type(yb.grad_fn).__name__
    backward_both(ya, yb, rng)
    close(xa.grad, xb.grad, "x grad")
    for (k, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        close(p.grad, q.grad, k)


def test_instance_norm_matches_torch():
    rng = np.random.default_rng(3)
    ours, theirs = InstanceNorm2d(3, affine=True), torch.nn.InstanceNorm2d(3, affine=True)
    theirs = theirs.double()
    xa, xb = pair(rng.standard_normal((2, 3, 4, 5)))
    ya, yb = ours(xa), theirs(xb)
    close(ya, yb)
    backward_both(ya, yb, rng)
    close(xa.grad, xb.grad)
    close(ours.weight.grad, theirs.weight.grad)


def test_initialisation_and_buffers_as_torch():
    bn = BatchNorm2d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    assert bn.num_batches_tracked.dtype == np.int64
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert [k for k, _ in bn.named_parameters()] == ["weight", "bias"]
    off = BatchNorm1d(2, affine=False, track_running_stats=False)
    assert list(off.state_dict()) == [] and off.weight is None
    assert list(LayerNorm(4, bias=False).state_dict()) == ["weight"]
    f32 = BatchNorm1d(2, dtype=autograd.float32)
    assert f32.weight.dtype == np.float32 and f32.running_var.dtype == np.float32


@pytest.mark.parametrize("make", [
    lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
    lambda x, w, b: F.layer_norm(x, (3,), w, b),
    lambda x, w, b: F.group_norm(x.reshape(2, 3, 1), 3, w, b).reshape(2, 3),
])
def test_gradcheck_and_gradgradcheck(make):
    rng = np.random.default_rng(0)
    x = autograd.tensor(rng.standard_normal((2, 3)) + 1, requires_grad=True)
    w = autograd.tensor(rng.standard_normal(3), requires_grad=True)
    b = autograd.tensor(rng.standard_normal(3), requires_grad=True)
    assert autograd.gradcheck(make, [x, w, b])
    assert autograd.gradgradcheck(make, [x, w, b])


def test_eval_batch_norm_gradgradcheck():
    rng = np.random.default_rng(1)
    x = autograd.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    w = autograd.tensor(rng.standard_normal(2), requires_grad=True)
    rm, rv = autograd.tensor(rng.standard_normal(2)), autograd.tensor(rng.random(2) + 1)
    f = lambda x, w: F.batch_norm(x, rm, rv, w, None, training=False)
    assert autograd.gradcheck(f, [x, w]) and autograd.gradgradcheck(f, [x, w])


def test_float32_close_to_torch():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 5)).astype(np.float32)
    for ours, theirs in ((BatchNorm1d(3, dtype=autograd.float32), torch.nn.BatchNorm1d(3)),
                         (LayerNorm(5, dtype=autograd.float32), torch.nn.LayerNorm(5)),
                         (GroupNorm(3, 3, dtype=autograd.float32), torch.nn.GroupNorm(3, 3))):
        xa, xb = pair(x)
        ya, yb = ours(xa), theirs(xb)
        assert ya.dtype == np.float32
        u = rng.standard_normal(yb.shape).astype(np.float32)
        ya.backward(autograd.tensor(u, dtype=autograd.float32))
        yb.backward(torch.tensor(u))
        assert xa.grad.dtype == np.float32
        np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-5,
                                   atol=1e-5)
        np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        BatchNorm1d(3)(autograd.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        BatchNorm1d(3)(autograd.randn(1, 3))
    with pytest.raises(ShapeError, match="running_mean"):
        F.batch_norm(autograd.randn(4, 3), autograd.zeros(2), autograd.ones(3))
    with pytest.raises(ShapeError, match=r"normalized_shape=\[4\]"):
        F.layer_norm(autograd.randn(2, 3), (4,))
    with pytest.raises(ShapeError, match="divisible"):
        F.group_norm(autograd.randn(2, 3, 4), 2)
    with pytest.raises(ValueError, match="divisible"):
        GroupNorm(2, 3)
    with pytest.raises(ShapeError, match="weight"):
        F.layer_norm(autograd.randn(2, 3), (3,), autograd.ones(2))


def test_the_module_exports():
    for name in ("BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm1d",
                 "InstanceNorm2d"):
        assert hasattr(nn.normalization, name)
