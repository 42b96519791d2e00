"""The fast paths of the small-image CNN layers against PyTorch (float64: values and every
gradient to rtol 1e-10) and against the general paths they stand in for.

    conv: the channels-last patch matrix (`conv_rules._last_columns`), chosen for small
          images with many channels; the stride-1 transposed convolution as a convolution
          with the flipped kernel; the weight gradient from the kept channels-last patches
    max pooling without padding: the windows gathered into rows, one pass per kernel
          position (`pooling._max_indices_inside`): first of equal maxima, last nan
    batch norm: the raw training forward and backward on the (N, C L) view

Each path is forced on ("last") and off ("first") through `conv_rules._last_ok`, so both
layouts meet PyTorch on every case, whatever the size rule would pick.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conv import _second_order as second_order

import autograd
import nn
from autograd import conv_rules as C
from nn import functional as F
from nn.functional import pooling as P

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL, ATOL = 1e-10, 1e-12


def close(ours: Any, theirs: Any) -> None:
    a = ours._data if isinstance(ours, autograd.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def pair(ours_fn: Any, torch_fn: Any, arrays: list, seed: int = 0) -> None:
    """Both libraries on the same arrays (None stays None), backward with the same random
    upstream: the outputs and every input gradient must agree."""
    ours: list[Any] = [None if a is None else autograd.tensor(a, requires_grad=True)
                       for a in arrays]
    theirs: list[Any] = [None if a is None else torch.tensor(a, requires_grad=True)
                         for a in arrays]
    y, ty = ours_fn(*ours), torch_fn(*theirs)
    close(y, ty)
    u = np.random.default_rng(seed).standard_normal(tuple(ty.shape))
    y.backward(autograd.tensor(u))
    ty.backward(torch.tensor(u))
    for o, t in zip(ours, theirs):
        if o is not None:
            close(o.grad, t.grad)


def _always_last(x: np.ndarray, w_shape: tuple, out: tuple, groups: int, stride: tuple,
                 dilation: tuple, channels: int, per_channel: int) -> bool:
    """The channels-last path wherever it applies (one group, nothing empty)."""
    return groups == 1 and x.size > 0 and min(w_shape) > 0 and min(out) > 0


LAYOUTS = pytest.mark.parametrize("layout", ["last", "first", "auto"])


@contextmanager
def forced(layout: str) -> Iterator[None]:
    """conv_rules' layout choice forced to channels last, to channels first, or left alone."""
    choice = {"last": _always_last, "first": lambda *args: False}.get(layout, C._last_ok)
    saved, C._last_ok = C._last_ok, choice
    try:
        yield
    finally:
        C._last_ok = saved


# ------------------------------------------------------------------ convolutions
@st.composite
def small_conv(draw: Any, n: int) -> dict:
    """Small images, several channels: the shapes the channels-last path is for."""
    cin, cout = draw(st.integers(1, 6)), draw(st.integers(1, 7))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(n))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    pads = tuple(draw(st.integers(0, 2)) for _ in range(n))
    size = tuple(max(1, d * (k - 1) + 1 - 2 * p + draw(st.integers(0, 3)))
                 for k, d, p in zip(kernel, dilation, pads))
    batch = draw(st.sampled_from([1, 3, 0]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    return dict(x=rng.standard_normal((batch, cin) + size),
                w=rng.standard_normal((cout, cin) + kernel),
                b=rng.standard_normal(cout) if draw(st.booleans()) else None,
                kw=dict(stride=stride, padding=pads, dilation=dilation))


@LAYOUTS
@settings(max_examples=20)
@given(case=small_conv(2))
def test_conv2d_both_layouts_match_torch(layout: str, case: dict) -> None:
    with forced(layout):
        kw = case["kw"]
        pair(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw),
             [case["x"], case["w"], case["b"]])


@LAYOUTS
@settings(max_examples=10)
@given(case=small_conv(1))
def test_conv1d_both_layouts_match_torch(layout: str, case: dict) -> None:
    with forced(layout):
        kw = case["kw"]
        pair(lambda x, w, b: F.conv1d(x, w, b, **kw), lambda x, w, b: TF.conv1d(x, w, b, **kw),
             [case["x"], case["w"], case["b"]])


@st.composite
def stride1_transpose(draw: Any) -> dict:
    """conv_transpose2d with stride 1 (the flipped-kernel path), output_padding where the
    dilation allows it, padding up to the kernel's reach and past it (the general path)."""
    cin, cout = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    opad = tuple(draw(st.integers(0, d - 1)) for d in dilation)
    size = tuple(draw(st.integers(1, 4)) for _ in range(2))
    pad = tuple(draw(st.integers(0, max(0, (n - 1 + d * (k - 1) + o) // 2)))
                for n, k, d, o in zip(size, kernel, dilation, opad))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    return dict(x=rng.standard_normal((draw(st.integers(1, 3)), cin) + size),
                w=rng.standard_normal((cin, cout) + kernel),
                b=rng.standard_normal(cout) if draw(st.booleans()) else None,
                kw=dict(padding=pad, output_padding=opad, dilation=dilation))


@LAYOUTS
@settings(max_examples=20)
@given(case=stride1_transpose())
def test_conv_transpose2d_stride1_both_layouts_match_torch(layout: str, case: dict) -> None:
    with forced(layout):
        kw = case["kw"]
        pair(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
             lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw), [case["x"], case["w"], case["b"]])


@pytest.mark.parametrize("transposed", [False, True])
def test_double_backward_through_channels_last(monkeypatch: Any, transposed: bool) -> None:
    """Gradients of gradients run the same raw forwards (Conv, ConvTranspose, ConvWeight)."""
    monkeypatch.setattr(C, "_last_ok", _always_last)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 4, 3))
    w = rng.standard_normal((4, 3, 3, 2) if transposed else (3, 4, 3, 2))
    f = F.conv_transpose2d if transposed else F.conv2d
    tf = TF.conv_transpose2d if transposed else TF.conv2d
    second_order(lambda a, b: f(a, b, padding=1), lambda a, b: tf(a, b, padding=1), x, w)
    Xs, Ws = autograd.tensor(x[:1, :, :3, :3], requires_grad=True), \
        autograd.tensor(w[:, :, :2, :2], requires_grad=True)
    assert autograd.gradgradcheck(lambda a, b: f(a, b, padding=1), [Xs, Ws])


def test_the_size_rule_picks_channels_last_for_small_images_only() -> None:
    x = np.zeros((64, 16, 4, 4))
    assert C._last_ok(x, (32, 16, 3, 3), (4, 4), 1, (1, 1), (1, 1), 32, 2)
    assert not C._last_ok(np.zeros((64, 16, 28, 28)), (32, 16, 3, 3), (28, 28), 1, (1, 1),
                          (1, 1), 32, 2)
    assert not C._last_ok(np.zeros((64, 1, 8, 8)), (16, 1, 3, 3), (8, 8), 1, (1, 1), (1, 1),
                          16, 2)                   # one channel: runs of 3 against rows of 8
    assert not C._last_ok(x, (32, 8, 3, 3), (4, 4), 2, (1, 1), (1, 1), 32, 2)   # groups


@LAYOUTS
def test_float32_stays_float32_on_both_layouts(layout: str) -> None:
    with forced(layout):
        _float32_conv()


def _float32_conv() -> None:
    rng = np.random.default_rng(2)
    x = autograd.tensor(rng.standard_normal((3, 8, 4, 4)), dtype=autograd.float32,
                        requires_grad=True)
    conv = nn.Conv2d(8, 12, 3, padding=1).float()
    y = conv(x)
    assert y.dtype == autograd.float32
    y.sum().backward()
    for t in (x, conv.weight, conv.bias):
        assert t.grad is not None and t.grad.dtype == autograd.float32
    tconv = torch.nn.Conv2d(8, 12, 3, padding=1)
    with torch.no_grad():
        tconv.weight.copy_(torch.from_numpy(conv.weight.detach().numpy()))
        tconv.bias.copy_(torch.from_numpy(conv.bias.detach().numpy()))
    theirs = tconv(torch.from_numpy(x.detach().numpy())).detach().numpy()
    np.testing.assert_allclose(y.detach().numpy(), theirs, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------ max pooling
@st.composite
def pool_inside(draw: Any) -> dict:
    """Max pooling without padding (every window inside the input), values from a few
    integers (ties), with -inf and nan sprinkled in."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    size = tuple(d * (k - 1) + 1 + draw(st.integers(0, 4)) for k, d in zip(kernel, dilation))
    shape = draw(st.sampled_from([(2, 3), (1, 1), (3,)])) + size
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    x = rng.integers(-2, 3, shape).astype(np.float64)
    special = draw(st.sampled_from(["none", "none", "-inf", "nan"]))
    if special != "none":
        x[rng.random(shape) < 0.2] = -np.inf if special == "-inf" else np.nan
    return dict(x=x, kw=dict(kernel_size=kernel, stride=stride, dilation=dilation))


@settings(max_examples=60)
@given(case=pool_inside())
def test_max_pool2d_inside_matches_torch(case: dict) -> None:
    x, kw = case["x"], case["kw"]
    X, tx = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (y, i), (ty, ti) = (F.max_pool2d(X, return_indices=True, **kw),
                        TF.max_pool2d(tx, return_indices=True, **kw))
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    assert y.grad_fn.name() == ty.grad_fn.name()
    u = np.random.default_rng(0).standard_normal(tuple(ty.shape))
    y.backward(autograd.tensor(u))
    ty.backward(torch.tensor(u))
    close(X.grad, tx.grad)


def test_max_pool_fast_path_agrees_with_the_general_one() -> None:
    """The same picks as the padded general path (here with windows that overlap, ties,
    -inf and nan), on random inputs; and the window tables are reused per shape."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        H, W = rng.integers(1, 8, 2)
        kernel = tuple(int(k) for k in rng.integers(1, 4, 2))
        stride = tuple(int(s) for s in rng.integers(1, 3, 2))
        dil = tuple(int(d) for d in rng.integers(1, 3, 2))
        out = tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip((H, W), kernel,
                                                                          stride, dil))
        if min(out) < 1:
            continue
        x = rng.integers(-2, 3, (2, 3, H, W)).astype(np.float32)
        m = rng.random(x.shape)
        x[m < 0.1], x[m > 0.9] = np.nan, -np.inf
        fast = P._max_indices_inside(x, kernel, stride, dil, out)
        # the general path: the same windows, with one column of -inf padding after the
        # input that no window reaches
        general = P._max_indices(np.concatenate([x, np.full(x.shape[:3] + (1,), -np.inf,
                                                            dtype=x.dtype)], axis=-1),
                                 kernel, stride, ((0, 0), (0, 1)), dil, out)
        rows, cols = np.divmod(general, W + 1)
        np.testing.assert_array_equal(fast, rows * W + cols)
        assert fast.dtype == np.int64
    first = P._window_index((35, 6, 6), (2, 2), (2, 2), (1, 1), (3, 3))
    assert P._window_index((35, 6, 6), (2, 2), (2, 2), (1, 1), (3, 3)) is first
    assert not first[0].flags.writeable
    assert len(P._WINDOW_CACHE) <= 8
    big = P._window_index((4096, 64, 64), (2, 2), (2, 2), (1, 1), (32, 32))   # not kept
    assert P._window_index((4096, 64, 64), (2, 2), (2, 2), (1, 1), (32, 32)) is not big


def test_max_pool_float32_stays_float32() -> None:
    x = autograd.tensor(np.random.default_rng(4).standard_normal((2, 3, 4, 4)),
                        dtype=autograd.float32, requires_grad=True)
    y = nn.MaxPool2d(2)(x)
    assert y.dtype == autograd.float32
    y.sum().backward()
    assert x.grad is not None and x.grad.dtype == autograd.float32
    assert float(x.grad.sum().item()) == 2 * 3 * 2 * 2


# ------------------------------------------------------------------ batch norm
@pytest.mark.parametrize("shape", [(6, 4, 3, 2), (5, 3), (4, 2, 5), (2, 3, 1, 1)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_raw_path_matches_torch(shape: tuple, training: bool) -> None:
    rng = np.random.default_rng(5)
    c = shape[1]
    x, w, b = rng.standard_normal(shape) * 3 + 1, rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2, c)
    ours_rm, ours_rv = autograd.tensor(rm.copy()), autograd.tensor(rv.copy())
    torch_rm, torch_rv = torch.tensor(rm.copy()), torch.tensor(rv.copy())
    pair(lambda x, w, b: F.batch_norm(x, ours_rm, ours_rv, w, b, training=training,
                                      momentum=0.2),
         lambda x, w, b: TF.batch_norm(x, torch_rm, torch_rv, w, b, training=training,
                                       momentum=0.2),
         [x, w, b])
    close(ours_rm, torch_rm)
    close(ours_rv, torch_rv)


def test_a_wrong_fast_path_is_caught(monkeypatch: Any) -> None:
    """The comparisons above can fail: a channels-last product with the kernel's channel
    axes mixed up is caught."""
    real = C._from_last

    def wrong(y: np.ndarray, N: int, O: int, out: tuple, b: Any) -> np.ndarray:
        return real(y[:, ::-1].copy(), N, O, out, b)
    monkeypatch.setattr(C, "_last_ok", _always_last)
    monkeypatch.setattr(C, "_from_last", wrong)
    rng = np.random.default_rng(6)
    with pytest.raises(AssertionError):
        pair(lambda x, w: F.conv2d(x, w), lambda x, w: TF.conv2d(x, w),
             [rng.standard_normal((1, 2, 3, 3)), rng.standard_normal((3, 2, 2, 2))])
