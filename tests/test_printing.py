"""A Tensor prints as PyTorch prints it, compared character for character on generated
tensors (values across magnitudes, whole numbers, -0., inf and nan, every dtype, 0-d to 3-d,
wrapping past 80 columns, summarised beyond 1000 elements, requires_grad and grad_fn
suffixes); and set_printoptions works as PyTorch's."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module", autouse=True)
def float64_default():
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)      # this project's default float
    yield
    torch.set_default_dtype(before)


def same(a, t):
    """Our repr equals PyTorch's. A dtype prints as `dtype=float32` here and
    `dtype=torch.float32` there, and the suffixes break lines by their length, so where a
    dtype is shown the suffixes are compared without their line breaks."""
    ours, theirs = repr(a), repr(t)
    if "dtype=torch." in theirs:
        theirs = theirs.replace("dtype=torch.", "dtype=")
        ours, theirs = (re.sub(r",\s+(?=dtype=|requires_grad=|grad_fn=)", ", ", s)
                        for s in (ours, theirs))
    assert ours == theirs


def ours(arr, **kw):
    return autograd.tensor(arr, **kw)


def theirs(arr, **kw):
    return torch.tensor(arr, **kw)


magnitudes = st.sampled_from([1e-9, 1e-5, 1e-3, 0.1, 1.0, 10.0, 1e3, 1e6, 1e9])
floats = st.one_of(
    st.floats(-1e10, 1e10, allow_nan=False, width=64),
    st.integers(-1000, 1000).map(float),
    st.sampled_from([0.0, -0.0, float("inf"), float("-inf"), float("nan")]),
)


@st.composite
def float_arrays(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6))
    scale = draw(magnitudes)
    values = draw(hnp.arrays(np.float64, shape, elements=floats))
    return np.where(np.isfinite(values) & (np.abs(values) > 1000), values, values * scale)


@settings(deadline=None)
@given(float_arrays(), st.sampled_from(["float64", "float32"]), st.booleans())
def test_float_tensors_print_as_pytorch(arr, dtype, requires_grad):
    a = autograd.tensor(arr, dtype=getattr(autograd, dtype), requires_grad=requires_grad)
    t = torch.tensor(arr, dtype=getattr(torch, dtype), requires_grad=requires_grad)
    same(a, t)


@settings(deadline=None)
@given(hnp.arrays(st.sampled_from([np.int64, np.int32, np.uint8, np.bool_]),
                  hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7)))
def test_integer_and_bool_tensors_print_as_pytorch(arr):
    same(ours(arr), theirs(arr))


@settings(deadline=None, max_examples=10)
@given(st.integers(0, 2**16), st.sampled_from([(1001,), (40, 30), (5, 300), (11, 11, 11)]))
def test_large_tensors_are_summarised_as_pytorch(seed, shape):
    arr = np.random.default_rng(seed).standard_normal(shape)
    same(ours(arr), theirs(arr))


def test_grad_fn_and_long_rows_wrap_as_pytorch():
    arr = np.random.default_rng(1).standard_normal((3, 9)) * 1e-5
    a = autograd.tensor(arr, requires_grad=True) * 2
    t = torch.tensor(arr, requires_grad=True) * 2
    same(a, t)
    assert repr(autograd.tensor(1e-7, requires_grad=True)) == repr(torch.tensor(
        1e-7, requires_grad=True))


def test_the_examples_of_the_issue():
    assert repr(autograd.tensor([1e-8, 1.0])) == "tensor([1.0000e-08, 1.0000e+00])"
    assert repr(autograd.tensor([1e-7, -1e-7])) == "tensor([ 1.0000e-07, -1.0000e-07])"
    assert repr(autograd.tensor([-0.0, 2.0])) == "tensor([-0., 2.])"


def test_set_printoptions_as_pytorch():
    arr = np.linspace(0, 1, 7)
    try:
        for kw in ({"precision": 2}, {"sci_mode": True}, {"linewidth": 30},
                   {"threshold": 5, "edgeitems": 2}, {"profile": "short"}):
            autograd.set_printoptions(**kw)
            torch.set_printoptions(**kw)
            same(ours(arr), theirs(arr))
            autograd.set_printoptions(profile="default")
            torch.set_printoptions(profile="default")
    finally:
        autograd.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert autograd.get_printoptions()["precision"] == 4
