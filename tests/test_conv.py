"""Convolutions against PyTorch (float64: values and every gradient to rtol 1e-10), by
central differences, and their layers (state_dict, initialisation, repr, errors, float32)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd.checking.gradcheck import GradcheckError
from autograd.dtypes import ShapeError
from nn import functional as F
from nn.conv import Conv1d, Conv2d, ConvTranspose2d

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL, ATOL = 1e-10, 1e-12
# PyTorch's note that it pads a copy for padding="same" with an even kernel (so do we)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def close(ours: Any, theirs: Any) -> None:
    a = ours._data if isinstance(ours, autograd.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def pair(ours_fn: Any, torch_fn: Any, arrays: list, seed: int = 0) -> tuple:
    """Run both on the same arrays (None stays None), backward with the same random
    upstream; compare the outputs and every input gradient. Returns the outputs."""
    ours: list[Any] = [None if a is None else autograd.tensor(a, requires_grad=True)
                       for a in arrays]
    theirs: list[Any] = [None if a is None else torch.tensor(a, requires_grad=True)
                         for a in arrays]
    y, ty = ours_fn(*ours), torch_fn(*theirs)
    close(y, ty)
    assert y.grad_fn.name() == ty.grad_fn.name()
    u = np.random.default_rng(seed).standard_normal(tuple(ty.shape))
    y.backward(autograd.tensor(u))
    ty.backward(torch.tensor(u))
    for o, t in zip(ours, theirs):
        if o is not None:
            close(o.grad, t.grad)
    return y, ty


# ------------------------------------------------------------------ hypothesis cases
@st.composite
def conv_case(draw: Any, n: int) -> dict:
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    padding: Any = draw(st.sampled_from(["int", "int", "valid", "same"]))
    if padding == "same" and any(s != 1 for s in stride):
        padding = "valid"
    pads = tuple(draw(st.integers(0, 2)) for _ in range(n)) if padding == "int" else (0,) * n
    if padding == "int":
        padding = pads
    size = tuple(max(1, d * (k - 1) + 1 - 2 * p + draw(st.integers(0, 3)))
                 for k, d, p in zip(kernel, dilation, pads))
    batch = draw(st.sampled_from([1, 2, 0, None]))     # None: an unbatched input
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    shape = ((cin,) if batch is None else (batch, cin)) + size
    return dict(x=rng.standard_normal(shape),
                w=rng.standard_normal((cout, cin // groups) + kernel),
                b=rng.standard_normal(cout) if draw(st.booleans()) else None,
                kw=dict(stride=stride, padding=padding, dilation=dilation, groups=groups))


@settings(max_examples=40)
@given(conv_case(2))
def test_conv2d_matches_torch(case: dict) -> None:
    kw = case["kw"]
    pair(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw),
         [case["x"], case["w"], case["b"]])


@settings(max_examples=25)
@given(conv_case(1))
def test_conv1d_matches_torch(case: dict) -> None:
    kw = case["kw"]
    pair(lambda x, w, b: F.conv1d(x, w, b, **kw), lambda x, w, b: TF.conv1d(x, w, b, **kw),
         [case["x"], case["w"], case["b"]])


@st.composite
def transpose_case(draw: Any) -> dict:
    groups = draw(st.sampled_from([1, 1, 2]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    opad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    size = tuple(draw(st.integers(1, 4)) for _ in range(2))
    # padding small enough for a positive output size
    pad = tuple(draw(st.integers(0, max(0, ((n - 1) * s + d * (k - 1) + o) // 2)))
                for n, k, s, d, o in zip(size, kernel, stride, dilation, opad))
    batch = draw(st.sampled_from([1, 2, None]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    shape = ((cin,) if batch is None else (batch, cin)) + size
    return dict(x=rng.standard_normal(shape),
                w=rng.standard_normal((cin, cout // groups) + kernel),
                b=rng.standard_normal(cout) if draw(st.booleans()) else None,
                kw=dict(stride=stride, padding=pad, output_padding=opad, groups=groups,
                        dilation=dilation))


@settings(max_examples=40)
@given(transpose_case())
def test_conv_transpose2d_matches_torch(case: dict) -> None:
    kw = case["kw"]
    pair(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
         lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw), [case["x"], case["w"], case["b"]])


# ------------------------------------------------------------------ second derivatives
def _second_order(ours_fn: Any, torch_fn: Any, x: np.ndarray, w: np.ndarray) -> None:
    """d/d(x, w) of |grad_x L|^2 + sum(grad_w L)^3 with L = sum(f(x, w)^2), against PyTorch."""
    X, W = autograd.tensor(x, requires_grad=True), autograd.tensor(w, requires_grad=True)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y, ty = ours_fn(X, W), torch_fn(tx, tw)
    gx, gw = autograd.grad((y * y).sum(), [X, W], create_graph=True)
    tgx, tgw = torch.autograd.grad((ty * ty).sum(), [tx, tw], create_graph=True)
    close(gx, tgx)
    close(gw, tgw)
    ((gx * gx).sum() + (gw ** 3).sum()).backward()
    ((tgx * tgx).sum() + (tgw ** 3).sum()).backward()
    close(X.grad, tx.grad)
    close(W.grad, tw.grad)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(dilation=2, groups=2),
                                dict(stride=(1, 2), padding="same")])
def test_conv2d_double_backward_matches_torch(kw: dict) -> None:
    rng = np.random.default_rng(1)
    if kw.get("stride") == (1, 2):
        kw = dict(padding=(1, 0), stride=(1, 2))
    x, w = rng.standard_normal((2, 4, 6, 5)), rng.standard_normal((4, 4 // kw.get("groups", 1),
                                                                     3, 2))
    _second_order(lambda a, b: F.conv2d(a, b, **kw), lambda a, b: TF.conv2d(a, b, **kw), x, w)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1, output_padding=1),
                                dict(dilation=2, groups=2, stride=(2, 1))])
def test_conv_transpose2d_double_backward_matches_torch(kw: dict) -> None:
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 4, 4, 3)), rng.standard_normal((4, 2, 3, 2))
    _second_order(lambda a, b: F.conv_transpose2d(a, b, **kw),
                  lambda a, b: TF.conv_transpose2d(a, b, **kw), x, w)


def test_conv1d_double_backward_matches_torch() -> None:
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 2, 7)), rng.standard_normal((3, 2, 3))
    _second_order(lambda a, b: F.conv1d(a, b, stride=2, padding=1),
                  lambda a, b: TF.conv1d(a, b, stride=2, padding=1), x, w)


# ------------------------------------------------------------------ central differences
def _leaves(*arrays: np.ndarray) -> list:
    return [autograd.tensor(a, requires_grad=True) for a in arrays]


def test_gradcheck_and_gradgradcheck() -> None:
    rng = np.random.default_rng(4)
    x, w, b = _leaves(rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 1, 2, 3)),
                      rng.standard_normal(2))
    assert autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1,
                                                       groups=2), [x, w, b])
    assert autograd.gradgradcheck(lambda x, w: F.conv2d(x, w, padding=1, groups=2), [x, w])
    xt, wt = _leaves(rng.standard_normal((1, 2, 3, 2)), rng.standard_normal((2, 2, 2, 2)))
    assert autograd.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2,
                                                                 output_padding=1), [xt, wt, b])
    assert autograd.gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2), [xt, wt])
    x1, w1 = _leaves(rng.standard_normal((2, 2, 6)), rng.standard_normal((3, 2, 2)))
    assert autograd.gradcheck(lambda x, w: F.conv1d(x, w, dilation=2, padding=1), [x1, w1])


def test_gradcheck_can_fail() -> None:
    """A wrong gradient is caught: the checks above are able to fail."""
    rng = np.random.default_rng(5)
    x, w = _leaves(rng.standard_normal((1, 1, 4, 4)), rng.standard_normal((1, 1, 2, 2)))
    from autograd import conv_rules as C
    saved = C.ConvKeep.grads
    C.ConvKeep.grads = (saved[0], lambda g, out, x, w, b, *s: 2 * saved[1](g, out, x, w, b, *s),
                        saved[2])
    try:
        with pytest.raises(GradcheckError):
            autograd.gradcheck(lambda x, w: F.conv2d(x, w), [x, w])
    finally:
        C.ConvKeep.grads = saved


def test_backward_twice_with_retain_graph() -> None:
    """The weight gradient reuses the forward's patches once; a second backward through the
    same graph computes them again (the same numbers, accumulated as PyTorch)."""
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    X, W = _leaves(x, w)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y, ty = F.conv2d(X, W, padding=1), TF.conv2d(tx, tw, padding=1)
    for _ in range(2):
        y.sum().backward(retain_graph=True)
        ty.sum().backward(retain_graph=True)
    close(W.grad, tw.grad)
    close(X.grad, tx.grad)


# ------------------------------------------------------------------ layers
def _torch_twin(ours: nn.Module, theirs: Any) -> Any:
    with torch.no_grad():
        for name, p in ours.named_parameters():
            dict(theirs.named_parameters())[name].copy_(torch.tensor(p._data))
    return theirs


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same", "valid"])
def test_conv2d_layer_padding_modes(mode: str, padding: Any) -> None:
    autograd.manual_seed(0)
    layer = Conv2d(4, 6, (3, 2), padding=padding, padding_mode=mode, groups=2,
                   dilation=(1, 2) if padding == "same" else 1)
    twin = _torch_twin(layer, torch.nn.Conv2d(4, 6, (3, 2), padding=padding,
                                              padding_mode=mode, groups=2,
                                              dilation=(1, 2) if padding == "same" else 1
                                              ).double())
    x = np.random.default_rng(6).standard_normal((2, 4, 5, 6))
    X, tx = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = layer(X), twin(tx)
    close(y, ty)
    u = np.random.default_rng(7).standard_normal(tuple(ty.shape))
    y.backward(autograd.tensor(u))
    ty.backward(torch.tensor(u))
    close(X.grad, tx.grad)
    close(layer.weight.grad, twin.weight.grad)
    close(layer.bias.grad, twin.bias.grad)
    assert repr(layer) == repr(twin)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv1d_layer_padding_modes(mode: str) -> None:
    layer = Conv1d(2, 3, 3, padding=2, padding_mode=mode, bias=False)
    twin = _torch_twin(layer, torch.nn.Conv1d(2, 3, 3, padding=2, padding_mode=mode,
                                              bias=False).double())
    x = np.random.default_rng(8).standard_normal((2, 2, 5))
    X, tx = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = layer(X), twin(tx)
    close(y, ty)
    y.sum().backward()
    ty.sum().backward()
    close(X.grad, tx.grad)
    close(layer.weight.grad, twin.weight.grad)
    assert repr(layer) == repr(twin)


def test_conv_transpose2d_layer_and_output_size() -> None:
    layer = ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2, dilation=(1, 2))
    twin = _torch_twin(layer, torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2,
                                                       dilation=(1, 2)).double())
    x = np.random.default_rng(9).standard_normal((1, 4, 3, 4))
    for size in (None, (6, 10), (1, 4, 5, 9)):
        X, tx = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = layer(X, output_size=size), twin(tx, output_size=size)
        close(y, ty)
        y.sum().backward()
        ty.sum().backward()
        close(X.grad, tx.grad)
    assert repr(layer) == repr(twin)
    with pytest.raises(ValueError, match="output size"):
        layer(autograd.tensor(x), output_size=(9, 9))


@pytest.mark.parametrize("make", [
    lambda m: m.Conv1d(4, 6, 3, groups=2), lambda m: m.Conv2d(3, 8, (3, 5), bias=False),
    lambda m: m.Conv2d(4, 4, 2, groups=4), lambda m: m.ConvTranspose2d(4, 6, 3, groups=2)])
def test_state_dict_and_initialisation(make: Any) -> None:
    import nn.conv as ours_mod
    ours, theirs = make(ours_mod), make(torch.nn)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for k in sd:
        assert tuple(sd[k].shape) == tuple(tsd[k].shape)
    # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight (kaiming_uniform_, a=sqrt(5)) and bias
    w = ours.weight._data
    fan_in = w.shape[1] * math.prod(w.shape[2:])
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.5 * bound
    if ours.bias is not None:
        assert np.abs(ours.bias._data).max() <= bound
    assert ours.weight.dtype == np.float64


def test_load_state_dict_from_torch() -> None:
    """A PyTorch layer's weights loaded by name give PyTorch's outputs."""
    twin = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1).double()
    layer = Conv2d(3, 4, 3, stride=2, padding=1)
    layer.load_state_dict({k: autograd.tensor(v.numpy()) for k, v in twin.state_dict().items()})
    x = np.random.default_rng(10).standard_normal((2, 3, 7, 7))
    close(layer(autograd.tensor(x)), twin(torch.tensor(x)))


def test_initialisation_statistics() -> None:
    autograd.manual_seed(1)
    w = Conv2d(16, 64, 3).weight._data
    bound = 1 / math.sqrt(16 * 9)
    assert abs(w.mean()) < 0.02 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.03 * bound
    autograd.manual_seed(1)
    assert np.array_equal(Conv2d(16, 64, 3).weight._data, w)     # the seeded generator


def test_float32_stays_float32() -> None:
    layer = Conv2d(3, 4, 3, padding=1, dtype=autograd.float32)
    x = autograd.tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 5)),
                        dtype=autograd.float32, requires_grad=True)
    y = layer(x)
    assert y.dtype == np.float32
    y.sum().backward()
    grads: list[Any] = [x.grad, layer.weight.grad, layer.bias.grad]
    assert all(g.dtype == np.float32 for g in grads)
    t = ConvTranspose2d(3, 2, 2, stride=2, dtype=autograd.float32)
    y = t(x)
    y.sum().backward()
    wgrad: Any = t.weight.grad
    assert y.dtype == np.float32 and wgrad.dtype == np.float32


def test_small_cnn_matches_torch() -> None:
    """conv -> relu -> max pool -> conv (groups, reflect) -> avg pool -> flatten -> linear,
    forward and every parameter's gradient, against the same network in PyTorch."""
    from nn.flatten import Flatten
    from nn.pooling import AdaptiveAvgPool2d, MaxPool2d

    def build(m: Any, conv: Any, pool: Any, adapt: Any, flat: Any) -> Any:
        return m.Sequential(conv(3, 4, 3, padding=1), m.ReLU(), pool(2),
                            conv(4, 6, 3, groups=2, padding=1, padding_mode="reflect"),
                            m.ReLU(), adapt((2, 2)), flat(), m.Linear(24, 5))
    autograd.manual_seed(3)
    ours = build(nn, Conv2d, MaxPool2d, AdaptiveAvgPool2d, Flatten)
    theirs = build(torch.nn, torch.nn.Conv2d, torch.nn.MaxPool2d, torch.nn.AdaptiveAvgPool2d,
                   torch.nn.Flatten).double()
    _torch_twin(ours, theirs)
    x = np.random.default_rng(11).standard_normal((2, 3, 8, 9))
    y, ty = ours(autograd.tensor(x)), theirs(torch.tensor(x))
    close(y, ty)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, tp[name].grad)


# ------------------------------------------------------------------ errors
def test_errors() -> None:
    x = autograd.tensor(np.zeros((1, 3, 5, 5)))
    w = autograd.tensor(np.zeros((4, 3, 3, 3)))
    with pytest.raises(ShapeError, match="Expected 3D .unbatched. or 4D"):
        F.conv2d(autograd.tensor(np.zeros((5, 5))), w)
    with pytest.raises(ShapeError, match="to have 3 channels, but got 2 channels"):
        F.conv2d(autograd.tensor(np.zeros((1, 2, 5, 5))), w)
    with pytest.raises(ShapeError, match="divisible by 3 at dimension 0"):
        F.conv2d(autograd.tensor(np.zeros((1, 3, 5, 5))), autograd.tensor(np.zeros((4, 1, 3, 3))),
                 groups=3)
    with pytest.raises(ShapeError, match="Kernel size can't be greater than actual input"):
        F.conv2d(autograd.tensor(np.zeros((1, 3, 2, 2))), w)
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv2d(x, w, padding="same", stride=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        Conv2d(3, 4, 3, padding="same", stride=2)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        Conv2d(4, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="Invalid padding string"):
        Conv2d(4, 4, 3, padding="full")
    with pytest.raises(RuntimeError, match="bias type"):
        F.conv2d(x, w, autograd.tensor(np.zeros(4, dtype=np.float32)))
    with pytest.raises(ShapeError, match="output padding must be smaller"):
        F.conv_transpose2d(x, autograd.tensor(np.zeros((3, 2, 3, 3))), output_padding=1)
    with pytest.raises(ShapeError, match="expected a 3-d weight"):
        F.conv1d(autograd.tensor(np.zeros((1, 3, 5))), w)
