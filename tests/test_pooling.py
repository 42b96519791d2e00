"""Pooling, interpolation and Flatten/Unflatten against PyTorch (float64: values, indices
and gradients to rtol 1e-10), ties and nan as PyTorch, central differences, layers, errors."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd.dtypes import ShapeError
from nn import functional as F
from nn import pooling as P
from nn.flatten import Flatten, Unflatten

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL, ATOL = 1e-10, 1e-12


def close(ours: Any, theirs: Any) -> None:
    a = ours._data if isinstance(ours, autograd.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def pair(ours_fn: Any, torch_fn: Any, x: np.ndarray, seed: int = 0) -> tuple:
    """Both functions on x; outputs (and indices) equal, gradients for the same upstream."""
    X, tx = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours_fn(X), torch_fn(tx)
    if isinstance(ty, tuple):
        assert np.array_equal(y[1]._data, ty[1].numpy())
        assert y[1].dtype == np.int64
        y, ty = y[0], ty[0]
    close(y, ty)
    assert y.grad_fn.name() == ty.grad_fn.name()
    u = np.random.default_rng(seed).standard_normal(tuple(ty.shape))
    y.backward(autograd.tensor(u))
    ty.backward(torch.tensor(u))
    close(X.grad, tx.grad)
    return y, ty


def _input(draw: Any, spatial: tuple, ties: bool) -> np.ndarray:
    batch = draw(st.sampled_from([(1, 2), (2, 1), (3,)]))   # (3,): an unbatched input
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    x = rng.standard_normal(batch + spatial)
    return np.round(x * 2) / 2 if ties else x                 # ties: many equal maxima


@st.composite
def pool_case(draw: Any, max_pool: bool) -> dict:
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2)) if max_pool else (1, 1)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    # every window holds an element of the input (see test_window_in_padding_only)
    size = tuple(max(1, d, d * (k - 1) + 1 - p, d * (k - 1) + 1 - 2 * p + draw(st.integers(0, 4)))
                 for k, d, p in zip(kernel, dilation, padding))
    kw: dict = dict(kernel_size=kernel, stride=stride if draw(st.booleans()) else None,
                    padding=padding, ceil_mode=draw(st.booleans()))
    if max_pool:
        kw.update(dilation=dilation, return_indices=draw(st.booleans()))
    else:
        kw.update(count_include_pad=draw(st.booleans()),
                  divisor_override=draw(st.sampled_from([None, None, 3])))
    return dict(x=_input(draw, size, ties=max_pool and draw(st.booleans())), kw=kw)


@settings(max_examples=50)
@given(pool_case(max_pool=True))
def test_max_pool2d_matches_torch(case: dict) -> None:
    kw = case["kw"]
    pair(lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw), case["x"])


@settings(max_examples=50)
@given(pool_case(max_pool=False))
def test_avg_pool2d_matches_torch(case: dict) -> None:
    kw = case["kw"]
    pair(lambda x: F.avg_pool2d(x, **kw), lambda x: TF.avg_pool2d(x, **kw), case["x"])


@settings(max_examples=30)
@given(pool_case(max_pool=True))
def test_max_pool1d_matches_torch(case: dict) -> None:
    kw = {k: (v[1] if isinstance(v, tuple) else v) for k, v in case["kw"].items()}
    x = case["x"][..., 0, :]
    pair(lambda x: F.max_pool1d(x, **kw), lambda x: TF.max_pool1d(x, **kw), x)


@settings(max_examples=30)
@given(pool_case(max_pool=False))
def test_avg_pool1d_matches_torch(case: dict) -> None:
    kw = {k: (v[1] if isinstance(v, tuple) else v) for k, v in case["kw"].items()
          if k != "divisor_override"}
    x = case["x"][..., 0, :]
    pair(lambda x: F.avg_pool1d(x, **kw), lambda x: TF.avg_pool1d(x, **kw), x)


@st.composite
def adaptive_case(draw: Any) -> dict:
    size = tuple(draw(st.integers(1, 9)) for _ in range(2))
    out: Any = tuple(draw(st.one_of(st.integers(1, 10), st.none())) for _ in range(2))
    if draw(st.booleans()):
        out = out[0] if out[0] is not None else 3
    return dict(x=_input(draw, size, ties=draw(st.booleans())), out=out)


@settings(max_examples=40)
@given(adaptive_case())
def test_adaptive_avg_pool2d_matches_torch(case: dict) -> None:
    out = case["out"]
    pair(lambda x: F.adaptive_avg_pool2d(x, out), lambda x: TF.adaptive_avg_pool2d(x, out),
         case["x"])


@settings(max_examples=40)
@given(adaptive_case(), st.booleans())
def test_adaptive_max_pool2d_matches_torch(case: dict, indices: bool) -> None:
    out = case["out"]
    pair(lambda x: F.adaptive_max_pool2d(x, out, indices),
         lambda x: TF.adaptive_max_pool2d(x, out, indices), case["x"])


@st.composite
def interp_case(draw: Any) -> dict:
    mode = draw(st.sampled_from(["nearest", "bilinear"]))
    spatial = 2 if mode == "bilinear" else draw(st.sampled_from([1, 2]))
    size = tuple(draw(st.integers(1, 6)) for _ in range(spatial))
    kw: dict = dict(mode=mode)
    if draw(st.booleans()):
        kw["size"] = tuple(draw(st.integers(1, 13)) for _ in range(spatial))
    else:
        factors = tuple(draw(st.sampled_from([0.5, 0.7, 1.0, 1.5, 2.0, 2.3, 3.0]))
                        for _ in range(spatial))
        if any(int(n * f) < 1 for n, f in zip(size, factors)):
            factors = (2.0,) * spatial
        kw["scale_factor"] = factors if draw(st.booleans()) or spatial == 1 else factors[0]
        if isinstance(kw["scale_factor"], float) and spatial == 2:
            kw["scale_factor"] = factors[0] if all(int(n * factors[0]) >= 1 for n in size) \
                else 2.0
        kw["recompute_scale_factor"] = draw(st.sampled_from([None, True]))
    if mode == "bilinear":
        kw["align_corners"] = draw(st.sampled_from([None, False, True]))
    batch = draw(st.sampled_from([(1, 2), (2, 1)]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    return dict(x=rng.standard_normal(batch + size), kw=kw)


@settings(max_examples=60)
@given(interp_case())
def test_interpolate_matches_torch(case: dict) -> None:
    kw = case["kw"]
    pair(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), case["x"])


# ------------------------------------------------------------------ ties, nan, -inf
def test_max_pool_ties_nan_and_minus_inf_as_torch() -> None:
    nan, inf = np.nan, np.inf
    x = np.array([[[[1., nan, 3., nan, 2., -inf, -inf, -inf, 5., 5., 1., 5.]]]])
    cases: list[dict[str, Any]] = [dict(kernel_size=(1, 3), stride=1, padding=(0, 1)),
                                   dict(kernel_size=(1, 4), stride=2, ceil_mode=True),
                                   dict(kernel_size=(1, 2), stride=1, dilation=2)]
    for kw in cases:
        X, tx = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (y, i), (ty, ti) = F.max_pool2d(X, return_indices=True, **kw), \
            TF.max_pool2d(tx, return_indices=True, **kw)
        np.testing.assert_array_equal(y._data, ty.detach().numpy())    # nan where torch's
        np.testing.assert_array_equal(i._data, ti.numpy())
        y.sum().backward()
        ty.sum().backward()
        grad: Any = X.grad
        np.testing.assert_array_equal(grad._data, tx.grad.numpy())
    for out in ((1, 3), (1, 5), (1, 1)):
        (y, i), (ty, ti) = F.adaptive_max_pool2d(autograd.tensor(x), out, True), \
            TF.adaptive_max_pool2d(torch.tensor(x), out, True)
        np.testing.assert_array_equal(i._data, ti.numpy())
        np.testing.assert_array_equal(y._data, ty.numpy())


def test_nan_and_inf_stay_in_their_windows_as_torch() -> None:
    """Adaptive average pooling and bilinear interpolation use only their taps (a zero
    weight included, as PyTorch): nan and inf reach the outputs PyTorch's reach, in the
    forward and, from a non-finite upstream, in the backward."""
    x = np.random.default_rng(4).standard_normal((1, 1, 6, 7))
    x[0, 0, 2, 3], x[0, 0, 4, 1], x[0, 0, 5, 6] = np.nan, np.inf, -np.inf
    for name, kw in (("adaptive_avg_pool2d", dict(output_size=(3, 4))),
                     ("adaptive_avg_pool2d", dict(output_size=(4, 5))),
                     ("interpolate", dict(scale_factor=1.5, mode="bilinear")),
                     ("interpolate", dict(scale_factor=2, mode="bilinear", align_corners=True)),
                     ("interpolate", dict(size=(9, 4), mode="bilinear"))):
        y = getattr(F, name)(autograd.tensor(x), **kw)._data
        ty = getattr(TF, name)(torch.tensor(x), **kw).numpy()
        np.testing.assert_allclose(y, ty, rtol=RTOL, atol=ATOL)     # nan and inf where torch's
        u = np.ones(ty.shape)
        u[0, 0, 1, 2], u[0, 0, -1, 0] = np.nan, np.inf
        X, tx = autograd.tensor(np.zeros_like(x), requires_grad=True), \
            torch.tensor(np.zeros_like(x), requires_grad=True)
        getattr(F, name)(X, **kw).backward(autograd.tensor(u))
        getattr(TF, name)(tx, **kw).backward(torch.tensor(u))
        grad: Any = X.grad
        np.testing.assert_allclose(grad._data, tx.grad.numpy(), rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------ central differences
def test_gradcheck_and_gradgradcheck() -> None:
    rng = np.random.default_rng(0)
    x = autograd.tensor(rng.permutation(32).reshape(1, 2, 4, 4) / 7.0, requires_grad=True)
    for f in (lambda x: F.max_pool2d(x, 2, 1, padding=1),
              lambda x: F.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True,
                                     count_include_pad=False),
              lambda x: F.adaptive_avg_pool2d(x, (3, 2)),
              lambda x: F.adaptive_max_pool2d(x, (3, 3)),
              lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"),
              lambda x: F.interpolate(x, size=(5, 3))):
        assert autograd.gradcheck(f, [x])
        assert autograd.gradgradcheck(f, [x])


def test_double_backward_matches_torch() -> None:
    """d/dx of |d(sum f(x)^3)/dx|^2: the gradients' gradients, against PyTorch."""
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 6))
    for name, kw in (("max_pool2d", dict(kernel_size=2, stride=1)),
                     ("avg_pool2d", dict(kernel_size=3, padding=1, stride=2)),
                     ("adaptive_avg_pool2d", dict(output_size=(3, 4))),
                     ("adaptive_max_pool2d", dict(output_size=(2, 4))),
                     ("interpolate", dict(scale_factor=1.7, mode="bilinear")),
                     ("interpolate", dict(size=(7, 3)))):
        X, tx = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (g,) = autograd.grad((getattr(F, name)(X, **kw) ** 3).sum(), [X], create_graph=True)
        (tg,) = torch.autograd.grad((getattr(TF, name)(tx, **kw) ** 3).sum(), [tx],
                                    create_graph=True)
        (g * g).sum().backward()
        (tg * tg).sum().backward()
        close(X.grad, tx.grad)


# ------------------------------------------------------------------ layers
@pytest.mark.parametrize("make", [
    lambda m: m.MaxPool2d(3, 2, 1), lambda m: m.MaxPool2d((2, 3), dilation=2, ceil_mode=True),
    lambda m: m.MaxPool1d(3, 2, 1, return_indices=True), lambda m: m.AvgPool2d(3, 2, 1),
    lambda m: m.AvgPool2d((2, 3), ceil_mode=True, count_include_pad=False,
                          divisor_override=2),
    lambda m: m.AvgPool1d(3, 2, 1), lambda m: m.AdaptiveAvgPool2d((3, None)),
    lambda m: m.AdaptiveMaxPool2d(2), lambda m: m.Upsample(scale_factor=2),
    lambda m: m.Upsample(size=(7, 9), mode="bilinear", align_corners=True),
    lambda m: m.Flatten(), lambda m: m.Flatten(0, 2), lambda m: m.Unflatten(1, (2, 3))])
def test_layers_match_torch(make: Any) -> None:
    from nn import flatten
    ours_mod = type("M", (), {**vars(P), **vars(flatten)})
    ours, theirs = make(ours_mod), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == {} and len(theirs.state_dict()) == 0
    x = np.random.default_rng(2).standard_normal((2, 6, 8) if "1d" in repr(ours)
                                                 else (2, 6, 8, 7))
    pair(ours, theirs, x)


def test_flatten_unflatten_shapes_and_errors() -> None:
    x = autograd.tensor(np.zeros((2, 3, 4, 5)))
    assert Flatten()(x).shape == (2, 60)
    assert Flatten(-2)(x).shape == (2, 3, 20)
    assert Unflatten(-1, (5, -1))(x).shape == (2, 3, 4, 5, 1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        Flatten(4)(x)
    with pytest.raises(RuntimeError, match="don't multiply up"):
        Unflatten(1, (2, 2))(x)
    with pytest.raises(TypeError, match="tuple of ints"):
        Unflatten(1, 3)


# ------------------------------------------------------------------ float32 and errors
def test_float32_stays_float32() -> None:
    x = autograd.tensor(np.random.default_rng(3).standard_normal((1, 2, 6, 6)),
                        dtype=autograd.float32, requires_grad=True)
    for f in (lambda x: F.max_pool2d(x, 2), lambda x: F.avg_pool2d(x, 3, 2, 1),
              lambda x: F.adaptive_avg_pool2d(x, 4), lambda x: F.adaptive_max_pool2d(x, 4),
              lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"),
              lambda x: F.interpolate(x, scale_factor=3)):
        x.grad = None
        y = f(x)
        y.sum().backward()
        grad: Any = x.grad
        assert y.dtype == np.float32 and grad.dtype == np.float32


def test_window_in_padding_only() -> None:
    """A dilated window that misses the input: PyTorch gives -inf and an index outside the
    plane; refused here with a clear message."""
    with pytest.raises(ShapeError, match="entirely in the padding"):
        F.max_pool2d(autograd.tensor(np.zeros((1, 1, 1, 1))), (2, 1), padding=(1, 0),
                     dilation=(2, 1))


def test_errors() -> None:
    x = autograd.tensor(np.zeros((1, 2, 4, 4)))
    with pytest.raises(ShapeError, match="pad should be smaller than or equal to half"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ShapeError, match="pad should be smaller than or equal to half"):
        F.avg_pool2d(x, 2, padding=2)
    with pytest.raises(ShapeError, match="Output size is too small"):
        F.max_pool2d(x, 5)
    with pytest.raises(ShapeError, match="expected a 3-d .unbatched. or 4-d"):
        F.max_pool2d(autograd.tensor(np.zeros(4)), 2)
    with pytest.raises(ShapeError, match="divisor must be not zero"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="bicubic"):
        F.interpolate(x, scale_factor=2, mode="bicubic")
    with pytest.raises(ShapeError, match="non-zero sizes"):
        F.adaptive_avg_pool2d(autograd.tensor(np.zeros((1, 2, 0, 3))), 2)
