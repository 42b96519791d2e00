"""Dropout (elementwise and whole channels) and Embedding: PyTorch's semantics (scaling,
eval identity, p = 0 and 1, masks reproducible under manual_seed, gradients through the
mask), and the embedding lookup against PyTorch in float64 (padding_idx, max_norm,
scale_grad_by_freq), gradcheck, errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn.functional as F
from autograd.dtypes import ShapeError
from nn.dropout import Dropout, Dropout1d, Dropout2d
from nn.sparse import Embedding

seeds = st.integers(0, 2**32 - 1)


@given(st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]), seeds,
       st.sampled_from([(), (0,), (5,), (3, 4), (2, 3, 4)]),
       st.sampled_from([autograd.float32, autograd.float64]))
def test_dropout_scales_survivors_and_passes_the_mask_back(p, seed, shape, dtype):
    rng = np.random.default_rng(seed)
    x = autograd.tensor(rng.standard_normal(shape) + 3, dtype=dtype, requires_grad=True)
    autograd.manual_seed(seed)
    y = F.dropout(x, p)
    assert y.shape == x.shape and y.dtype == dtype
    kept = y.detach().numpy() != 0
    scale = dtype(1) / dtype(1 - p) if p < 1 else 0
    np.testing.assert_array_equal(y.detach().numpy()[kept], x.detach().numpy()[kept] * scale)
    if p == 1.0:
        assert not kept.any()
    if x.numel() and p not in (0.0,):
        u = rng.standard_normal(shape).astype(dtype)
        y.backward(autograd.tensor(u, dtype=dtype))
        np.testing.assert_array_equal(x.grad.numpy(), np.where(kept, u * scale, 0))
        assert y.grad_fn.name() == "MulBackward0"
    autograd.manual_seed(seed)
    np.testing.assert_array_equal(F.dropout(x, p).detach().numpy(), y.detach().numpy())


def test_dropout_rate_and_eval_identity():
    torch = pytest.importorskip("torch")
    autograd.manual_seed(0)
    x = autograd.ones(200, 500)
    layer = Dropout(0.3)
    y = layer(x)
    frac = (y.numpy() == 0).mean()
    assert abs(frac - 0.3) < 0.01
    assert abs(y.numpy().mean() - 1.0) < 0.01
    layer.eval()
    assert layer(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x                 # p = 0: the input itself, as PyTorch
    assert repr(layer) == "Dropout(p=0.3, inplace=False)"
    t = torch.nn.Dropout(0.3)
    assert repr(t) == repr(layer)


def test_feature_dropout_drops_whole_channels():
    autograd.manual_seed(1)
    x = autograd.ones(8, 6, 5, 4)
    y = Dropout2d(0.5)(x).numpy()
    per_channel = y.reshape(8, 6, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0 < (per_channel == 0).all(-1).sum() < 48
    y1 = Dropout1d(0.5)(autograd.ones(8, 6, 5)).numpy()
    assert np.all((y1 == 0).all(-1) | (y1 == 2).all(-1))
    y1u = F.dropout1d(autograd.ones(6, 5), 0.5).numpy()           # unbatched (C, L)
    assert np.all((y1u == 0).all(-1) | (y1u == 2).all(-1))
    with pytest.warns(UserWarning, match="3D input"):
        F.dropout2d(autograd.ones(2, 3, 4))
    with pytest.raises(ShapeError, match="2-D or 3-D"):
        F.dropout1d(autograd.ones(2, 3, 4, 5))


def test_inplace_dropout_changes_the_input():
    autograd.manual_seed(2)
    x = autograd.ones(4, 5)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}


def test_dropout_errors():
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            Dropout(bad)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(autograd.ones(2), bad)


# ------------------------------------------------------------ embedding
@given(st.integers(1, 6), st.integers(1, 4), st.sampled_from([(), (0,), (5,), (2, 3)]),
       st.one_of(st.none(), st.integers(-1, 0)), st.booleans(), seeds)
def test_embedding_matches_torch(num, dim, idx_shape, padding_idx, by_freq, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((num, dim))
    idx = rng.integers(0, num, idx_shape)
    wa, wb = autograd.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ya = F.embedding(idx, wa, padding_idx=padding_idx, scale_grad_by_freq=by_freq)
    yb = torch.nn.functional.embedding(torch.tensor(idx), wb, padding_idx=padding_idx,
                                       scale_grad_by_freq=by_freq)
    np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
    assert ya.grad_fn.name() == type(yb.grad_fn).__name__
    u = rng.standard_normal(yb.shape)
    ya.backward(autograd.tensor(u))
    yb.backward(torch.tensor(u))
    np.testing.assert_allclose(wa.grad.numpy(), wb.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_embedding_module_padding_and_max_norm_as_torch():
    torch = pytest.importorskip("torch")
    autograd.manual_seed(0)
    emb = Embedding(5, 3, padding_idx=1)
    assert emb.weight.shape == (5, 3) and np.all(emb.weight.detach().numpy()[1] == 0)
    assert list(emb.state_dict()) == ["weight"]
    assert repr(emb) == "Embedding(5, 3, padding_idx=1)"
    w = np.random.default_rng(1).standard_normal((5, 3)) * 3
    ours = Embedding.from_pretrained(autograd.tensor(w.copy()), freeze=False, max_norm=1.5)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w.copy()), freeze=False,
                                                max_norm=1.5)
    idx = np.array([[0, 2], [2, 4]])
    ya, yb = ours(idx), theirs(torch.tensor(idx))
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(),
                               rtol=1e-12)
    assert not Embedding.from_pretrained(autograd.tensor(w)).weight.requires_grad


def test_embedding_gradcheck_and_gradgradcheck():
    w = autograd.tensor(np.random.default_rng(2).standard_normal((4, 2)), requires_grad=True)
    idx = np.array([0, 3, 3, 1])
    f = lambda w: F.embedding(idx, w) ** 2
    assert autograd.gradcheck(f, [w]) and autograd.gradgradcheck(f, [w])


def test_embedding_errors():
    w = autograd.randn(4, 2)
    with pytest.raises(IndexError, match="out of range"):
        F.embedding(np.array([0, 4]), w)
    with pytest.raises(TypeError, match="integer"):
        F.embedding(np.array([0.0, 1.0]), w)
    with pytest.raises(ValueError, match="padding_idx"):
        F.embedding(np.array([0]), w, padding_idx=7)
    with pytest.raises(ValueError, match="Padding_idx"):
        Embedding(3, 2, padding_idx=3)


def test_alpha_dropout_keeps_mean_and_variance_as_torch():
    from nn.dropout import AlphaDropout
    autograd.manual_seed(3)
    x = autograd.randn(1000, 400, requires_grad=True)
    layer = AlphaDropout(0.2)
    autograd.manual_seed(4)
    y = layer(x)
    ours = y.detach().numpy()
    assert abs(ours.mean()) < 0.01 and abs(ours.std() - 1) < 0.01
    alpha, p = 1.7580993408473766, 0.2
    a = 1 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    dropped = ours == (0.0 - 1) * (alpha * a) + alpha * a * p      # exactly that value
    kept = ~dropped
    np.testing.assert_allclose(ours[kept], x.detach().numpy()[kept] * a + alpha * a * p)
    assert abs(dropped.mean() - p) < 0.01
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, a, 0.0))
    layer.eval()
    assert layer(x) is x
    autograd.manual_seed(4)
    np.testing.assert_array_equal(AlphaDropout(0.2)(x).detach().numpy(), ours)


def test_module_reprs_as_torch():
    torch = pytest.importorskip("torch")
    from nn.dropout import AlphaDropout
    from nn.normalization import BatchNorm2d, GroupNorm, LayerNorm
    pairs = [(Dropout2d(0.1), torch.nn.Dropout2d(0.1)), (AlphaDropout(), torch.nn.AlphaDropout()),
             (Embedding(4, 2), torch.nn.Embedding(4, 2)),
             (Embedding(4, 2, padding_idx=-1), torch.nn.Embedding(4, 2, padding_idx=-1)),
             (BatchNorm2d(3, momentum=None), torch.nn.BatchNorm2d(3, momentum=None)),
             (LayerNorm([2, 3]), torch.nn.LayerNorm([2, 3])),
             (BatchNorm2d(3, affine=False), torch.nn.BatchNorm2d(3, affine=False)),
             (BatchNorm2d(3, bias=False), torch.nn.BatchNorm2d(3, bias=False)),
             (GroupNorm(2, 4), torch.nn.GroupNorm(2, 4)),
             (GroupNorm(2, 4, bias=False), torch.nn.GroupNorm(2, 4, bias=False))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
