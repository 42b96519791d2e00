"""Losses and nn.functional: values against numpy, gradients against central differences."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F


def numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f(array) with respect to every element of x."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


def check_grad(loss_of_tensor, x: np.ndarray, upstream: float = 1.0) -> None:
    t = autograd.tensor(x, requires_grad=True)
    (loss_of_tensor(t) * upstream).backward()
    expected = numeric_grad(lambda a: loss_of_tensor(autograd.tensor(a)).item() * upstream, x)
    np.testing.assert_allclose(t.grad.data, expected, rtol=1e-5, atol=1e-7)


shapes = st.tuples(st.integers(1, 4), st.integers(1, 4))
seeds = st.integers(0, 2**32 - 1)


@given(shapes, seeds, st.sampled_from(["mean", "sum"]))
@settings(deadline=None)
def test_mse_and_l1_gradients(shape, seed, reduction):
    rng = np.random.default_rng(seed)
    x, target = rng.standard_normal(shape), rng.standard_normal(shape)
    for f in (F.mse_loss, F.l1_loss):
        check_grad(lambda t: f(t, autograd.tensor(target), reduction=reduction), x)


@given(shapes, seeds)
@settings(deadline=None)
def test_softmax_log_softmax_cross_entropy_gradients(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 3
    w = rng.standard_normal(shape)          # a random upstream gradient through a weighted sum
    check_grad(lambda t: (F.softmax(t, dim=1) * autograd.tensor(w)).sum(), x)
    check_grad(lambda t: (F.log_softmax(t, dim=0) * autograd.tensor(w)).sum(), x)
    target = rng.integers(0, shape[1], shape[0])
    check_grad(lambda t: F.cross_entropy(t, target), x)


def test_loss_values_against_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    A, B = autograd.tensor(a), autograd.tensor(b)
    assert np.isclose(nn.MSELoss()(A, B).item(), np.mean((a - b) ** 2))
    assert np.isclose(nn.MSELoss(reduction="sum")(A, B).item(), np.sum((a - b) ** 2))
    np.testing.assert_allclose(nn.MSELoss(reduction="none")(A, B).data, (a - b) ** 2)
    assert np.isclose(nn.L1Loss()(A, B).item(), np.mean(np.abs(a - b)))
    target = np.array([0, 2, 1, 1, 0])
    logp = a - np.log(np.exp(a).sum(1, keepdims=True))
    expected = -logp[np.arange(5), target].mean()
    assert np.isclose(nn.CrossEntropyLoss()(A, target).item(), expected)
    np.testing.assert_allclose(F.softmax(A, dim=1).data.sum(1), np.ones(5))


def test_softmax_and_cross_entropy_are_stable_for_huge_scores():
    x = autograd.tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    np.testing.assert_allclose(F.softmax(x, dim=1).data, [[1.0, 0.0, 0.0]])
    loss = F.cross_entropy(x, [2])
    assert np.isfinite(loss.item()) and np.isclose(loss.item(), 2000.0)
    loss.backward()
    assert np.all(np.isfinite(x.grad.data))


def test_broadcasting_shapes_warn_as_pytorch_does():
    pred, y = autograd.randn(10, 1), autograd.randn(10)
    with pytest.warns(UserWarning, match=r"\(10, 1\).*\(10,\).*squeeze") as record:
        nn.MSELoss()(pred, y)
    assert record[0].filename == __file__           # it points at the user's line
    with pytest.warns(UserWarning, match=r"l1_loss.*\(10, 1\).*\(10,\)"):
        F.l1_loss(pred, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.MSELoss()(pred.squeeze(1), y)               # equal shapes: silent


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        nn.MSELoss()(autograd.randn(3), autograd.randn(4))
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(TypeError, match="integer"):
        F.cross_entropy(autograd.randn(2, 3), [0.5, 1.0])
    with pytest.raises(IndexError, match=r"\[0, 3\)"):
        F.cross_entropy(autograd.randn(2, 3), [0, 3])
    with pytest.raises(ValueError, match="target"):
        F.cross_entropy(autograd.randn(2, 3), [0, 1, 2])


# ------------------------------------------------------------ the losses and layers of nn (D2)
# Central differences only (no PyTorch needed); tests/test_losses_vs_torch.py and
# tests/test_normalization.py compare with PyTorch.
@given(seeds, st.sampled_from(["mean", "sum", "none"]))
@settings(deadline=None, max_examples=20)
def test_new_losses_pass_gradcheck(seed, reduction):
    rng = np.random.default_rng(seed)
    x = autograd.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    t = autograd.tensor(rng.random((3, 4)), requires_grad=True)
    idx = rng.permutation(4)[:3]                 # distinct: ignoring idx[0] leaves two
    weight = rng.random(4) + 0.1
    for f in (lambda x, t: F.cross_entropy(x, idx, weight=weight, reduction=reduction,
                                           label_smoothing=0.1, ignore_index=int(idx[0])),
              lambda x, t: F.cross_entropy(x, t, reduction=reduction),
              lambda x, t: F.nll_loss(x, idx, reduction=reduction),
              lambda x, t: F.binary_cross_entropy(x.sigmoid(), t, reduction=reduction),
              lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction),
              lambda x, t: F.huber_loss(x, t, reduction=reduction, delta=0.3),
              lambda x, t: F.smooth_l1_loss(x, t, reduction=reduction, beta=0.3),
              lambda x, t: F.kl_div(x, t, reduction=reduction if reduction != "mean"
                                    else "batchmean")):
        assert autograd.gradcheck(f, [x, t])


def test_normalisation_layers_pass_gradcheck():
    rng = np.random.default_rng(4)
    x = autograd.tensor(rng.standard_normal((3, 4, 2)), requires_grad=True)
    w = autograd.tensor(rng.standard_normal(4), requires_grad=True)
    b = autograd.tensor(rng.standard_normal(4), requires_grad=True)
    for f in (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
              lambda x, w, b: F.group_norm(x, 2, w, b),
              lambda x, w, b: F.layer_norm(x.transpose(1, 2), (4,), w, b)):
        assert autograd.gradcheck(f, [x, w, b])
