"""Making tensors and random numbers (`autograd/creation.py`, `autograd/random.py`): shapes,
dtypes and values of every function and overload (checked against PyTorch where it is
installed, with float64 standing in for PyTorch's float32 as "the default float"), generators
and seeds (same seed, same numbers; separate generators independent; states replay), the
distributions on large samples (fixed seeds: the bounds are many standard errors wide and the
draws are the same on every run), in-place fills and the graph, and the errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import creation as C
from autograd.random import RandomFills

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


def gen(seed: int = 0) -> C.Generator:
    return C.Generator().manual_seed(seed)


def call(t, name, *args, **kwargs):
    """The Tensor method `name` of `t`: `t.name(...)` once Tensor has it, until then the
    mixin's method called on `t` (`RandomFills.name(t, ...)`)."""
    if hasattr(type(t), name):
        return getattr(t, name)(*args, **kwargs)
    return getattr(RandomFills, name)(t, *args, **kwargs)


# ================================================================ shapes and dtypes
@pytest.mark.parametrize("make", [C.zeros, C.ones, C.empty, C.rand, C.randn])
@given(shape=shapes)
def test_size_is_varargs_a_tuple_or_a_list(make, shape):
    for t in (make(*shape) if shape else make(()), make(shape), make(list(shape))):
        assert isinstance(t, ag.Tensor) and t.shape == shape and t.dtype == np.float64
        assert t.is_leaf and not t.requires_grad
    assert make(np.int64(2), np.int32(3)).shape == (2, 3)


@given(shape=shapes, value=st.one_of(st.booleans(), st.integers(-5, 5),
                                     st.floats(-1e3, 1e3, allow_nan=False)))
def test_full_takes_its_dtype_from_the_value(shape, value):
    t = C.full(shape, value)
    expected = np.bool_ if isinstance(value, bool) else (
        np.int64 if isinstance(value, int) else np.float64)
    assert t.shape == shape and t.dtype == expected
    assert np.all(t._data == value)
    assert C.full(list(shape), value, dtype=np.float32).dtype == np.float32


def test_values_of_the_deterministic_makers():
    assert C.zeros(2, 3)._data.tolist() == [[0.0] * 3] * 2
    assert C.ones(2)._data.tolist() == [1.0, 1.0]
    assert C.full((2,), 1 + 2j).dtype == np.complex128
    assert C.full((3,), 2.7, dtype=np.int64)._data.tolist() == [2, 2, 2]     # truncated
    assert C.full((2,), -2.7, dtype=np.int64)._data.tolist() == [-2, -2]
    assert C.full((2,), 5, dtype=np.bool_)._data.tolist() == [True, True]
    assert C.full((2,), ag.tensor(3))._data.tolist() == [3, 3]
    np.testing.assert_array_equal(C.eye(3)._data, np.eye(3))
    np.testing.assert_array_equal(C.eye(2, 3, dtype=np.int64)._data, np.eye(2, 3))
    assert C.eye(0).shape == (0, 0)
    np.testing.assert_allclose(C.linspace(0, 1, 5)._data, [0, 0.25, 0.5, 0.75, 1])
    assert C.linspace(0, 1, 0).shape == (0,) and C.linspace(2, 3, 1)._data.tolist() == [2.0]
    assert C.linspace(0, 10, 4, dtype=np.int64)._data.tolist() == [0, 3, 6, 10]
    np.testing.assert_allclose(C.logspace(0, 2, 3)._data, [1, 10, 100])
    np.testing.assert_allclose(C.logspace(0, 3, 4, base=2)._data, [1, 2, 4, 8])
    np.testing.assert_allclose(C.logspace(0, 1, 3, 2.0)._data, [1, 2 ** 0.5, 2])
    assert C.logspace(0, 2, 3, dtype=np.int64)._data.tolist() == [1, 10, 100]
    assert C.empty_like(C.zeros(2, 3, dtype=np.int32)).shape == (2, 3)


def test_arange_forms_and_dtypes():
    assert C.arange(4)._data.tolist() == [0, 1, 2, 3] and C.arange(4).dtype == np.int64
    assert C.arange(end=3)._data.tolist() == [0, 1, 2]
    assert C.arange(1, 7, 2)._data.tolist() == [1, 3, 5]
    assert C.arange(5, 0, -2)._data.tolist() == [5, 3, 1]
    assert C.arange(3, 3).shape == (0,)
    a = C.arange(0, 1, 0.25)
    assert a.dtype == np.float64 and a._data.tolist() == [0, 0.25, 0.5, 0.75]
    assert C.arange(4.0).dtype == np.float64 and C.arange(0, 2, 1.0).dtype == np.float64
    assert C.arange(0, 5, 2, dtype=np.float32)._data.tolist() == [0, 2, 4]
    assert C.arange(0.5, 3, dtype=np.int64)._data.tolist() == [0, 1, 2]
    assert C.arange(ag.tensor(3))._data.tolist() == [0, 1, 2]


@given(start=st.integers(-20, 20), n=st.integers(0, 30), step=st.integers(1, 4),
       sign=st.sampled_from([1, -1]))
def test_arange_matches_pythons_range_on_integers(start, n, step, sign):
    end = start + sign * n
    assert C.arange(start, end, sign * step)._data.tolist() == list(
        range(start, end, sign * step))


def test_like_and_new_keep_the_dtype_unless_told():
    x = C.zeros(2, 3, dtype=np.float32)
    i = C.tensor([[1, 2]])
    for f in (C.zeros_like, C.ones_like, C.empty_like, C.rand_like, C.randn_like):
        assert f(x).dtype == np.float32 and f(x).shape == (2, 3)
        assert f(x, dtype=np.float64).dtype == np.float64
    for f in (C.zeros_like, C.ones_like, C.empty_like):
        assert f(i).dtype == np.int64 and f(i).shape == (1, 2)
    assert C.full_like(i, 2.7)._data.tolist() == [[2, 2]]
    assert C.full_like(x, True).dtype == np.float32
    assert C.full_like(x, 3, dtype=np.int64)._data.tolist() == [[3] * 3] * 2
    r = C.randint_like(x, 5)
    assert r.dtype == np.float32 and set(r._data.ravel()) <= {0, 1, 2, 3, 4}
    assert C.randint_like(i, 3, 5).dtype == np.int64
    assert C.randint_like(x, low=3, high=5)._data.min() >= 3
    assert C.randint_like(x, 3, high=5)._data.min() >= 3

    assert call(x, "new_zeros", 2, 4).dtype == np.float32
    assert call(x, "new_zeros", (2, 4)).shape == (2, 4)
    assert call(i, "new_ones", [3])._data.tolist() == [1, 1, 1]
    assert call(x, "new_empty", 2, dtype=np.int64).dtype == np.int64
    assert call(x, "new_zeros", ()).shape == ()
    assert call(i, "new_full", (2,), 2.5)._data.tolist() == [2, 2]
    n = call(x, "new_tensor", [1, 2])
    assert n.dtype == np.float32 and n._data.tolist() == [1.0, 2.0]
    assert call(i, "new_tensor", [1.5])._data.tolist() == [1]
    src = C.ones(2)
    copy = call(x, "new_tensor", src, dtype=np.float64)
    copy._data[0] = 5
    assert src._data[0] == 1.0 and copy.is_leaf
    assert call(x, "new_ones", 2, requires_grad=True).requires_grad


def test_random_makers_dtypes_and_shapes():
    assert C.rand(2, 3, dtype=np.float32).dtype == np.float32
    assert C.randn(4, dtype=np.complex64).dtype == np.complex64
    assert C.randint(5, (3,)).dtype == np.int64 and C.randint(5, (3,)).shape == (3,)
    assert C.randint(3, (2,), dtype=np.float32).dtype == np.float32
    assert C.randint(0, 2, (8,), dtype=np.bool_).dtype == np.bool_
    assert C.randperm(4).dtype == np.int64 and C.randperm(4, dtype=np.float32).dtype == np.float32
    assert C.normal(0.0, 1.0, (2, 3)).shape == (2, 3)
    assert C.normal(0, 1, [2], dtype=np.float32).dtype == np.float32
    assert C.normal(C.zeros(2, 1), C.ones(3)).shape == (2, 3)
    assert C.normal(C.zeros(3, dtype=np.float32)).dtype == np.float32
    assert C.normal(2.0, C.ones(3, dtype=np.float32)).dtype == np.float32
    assert C.normal(C.zeros(2), C.ones(2, dtype=np.float32)).dtype == np.float64
    assert C.bernoulli(C.full((4,), 0.5, dtype=np.float32)).dtype == np.float32
    assert C.bernoulli(C.zeros(3, dtype=np.int64), 0.5).dtype == np.int64
    assert C.multinomial(C.ones(4), 2).dtype == np.int64
    assert C.multinomial(C.ones(3, 4), 2).shape == (3, 2)
    assert C.multinomial(C.ones(0, 3), 1).shape == (0, 1)
    assert C.randperm(0).shape == (0,)


@pytest.mark.parametrize("make", [
    lambda **k: C.zeros(2, **k), lambda **k: C.ones(2, **k), lambda **k: C.empty(2, **k),
    lambda **k: C.full((2,), 1.0, **k), lambda **k: C.rand(2, **k),
    lambda **k: C.randn(2, **k), lambda **k: C.arange(0.0, 2.0, **k),
    lambda **k: C.linspace(0, 1, 3, **k), lambda **k: C.logspace(0, 1, 3, **k),
    lambda **k: C.eye(2, **k), lambda **k: C.normal(0.0, 1.0, (2,), **k),
    lambda **k: C.zeros_like(C.ones(2), **k), lambda **k: C.rand_like(C.ones(2), **k),
    lambda **k: call(C.ones(2), "new_zeros", 3, **k), lambda **k: C.tensor([1.0], **k),
    lambda **k: C.randint(3, (2,), dtype=np.float64, **k),
    lambda **k: C.randperm(3, dtype=np.float64, **k),
])
def test_requires_grad_makes_a_grad_leaf(make):
    t = make(requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None
    assert not make().requires_grad


@pytest.mark.parametrize("make, name", [
    (lambda: C.randint(3, (2,), requires_grad=True), "randint"),
    (lambda: C.randperm(3, requires_grad=True), "randperm"),
    (lambda: C.arange(3, requires_grad=True), "arange"),
    (lambda: C.zeros(2, dtype=np.int64, requires_grad=True), "zeros"),
    (lambda: C.full((2,), True, requires_grad=True), "full"),
])
def test_only_floating_point_tensors_require_grad(make, name):
    with pytest.raises(RuntimeError, match=f"{name}: only floating point"):
        make()


DEVICE_TAKERS = [
    lambda d: C.zeros(2, device=d), lambda d: C.ones(2, device=d),
    lambda d: C.empty(2, device=d), lambda d: C.full((2,), 1, device=d),
    lambda d: C.arange(3, device=d), lambda d: C.linspace(0, 1, 2, device=d),
    lambda d: C.logspace(0, 1, 2, device=d), lambda d: C.eye(2, device=d),
    lambda d: C.rand(2, device=d), lambda d: C.randn(2, device=d),
    lambda d: C.randint(3, (2,), device=d), lambda d: C.randperm(3, device=d),
    lambda d: C.normal(0.0, 1.0, (2,), device=d), lambda d: C.zeros_like(C.ones(1), device=d),
    lambda d: C.full_like(C.ones(1), 2, device=d), lambda d: C.randn_like(C.ones(1), device=d),
    lambda d: call(C.ones(1), "new_zeros", 2, device=d),
    lambda d: call(C.ones(1), "new_tensor", [1], device=d),
    lambda d: C.tensor([1.0], device=d), lambda d: C.Generator(d),
]


class _CpuLike:
    def __str__(self) -> str:
        return "cpu"


@pytest.mark.parametrize("make", DEVICE_TAKERS)
def test_device_is_the_cpu_or_an_error(make):
    for ok in (None, "cpu", _CpuLike()):
        make(ok)
    for bad in ("cuda", "cuda:0", "mps"):
        with pytest.raises(RuntimeError, match="no GPU backend"):
            make(bad)


def test_dtype_argument_forms():
    assert C.zeros(2, dtype="float32").dtype == np.float32
    assert C.zeros(2, dtype=ag.int64).dtype == np.int64
    assert C.ones(2, dtype=bool).dtype == np.bool_
    with pytest.raises(TypeError, match="zeros: dtype"):
        C.zeros(2, dtype="nonsense")
    with pytest.raises(TypeError, match="ones: dtype"):
        C.ones(2, dtype=str)


# ---------------------------------------------------------------- against PyTorch
def _category(dtype: object, default_float: object, default_complex: object) -> str:
    """A dtype, with the library's default float and complex dtypes as named categories."""
    if dtype == default_float:
        return "default float"
    if dtype == default_complex:
        return "default complex"
    return str(dtype).rpartition(".")[2]


# (ours, torch's) with the same arguments: `M` is the module, `T` a tensor maker
DTYPE_CASES = [
    "M.zeros(2)", "M.ones(2, 3)", "M.empty(2)", "M.full((2,), True)", "M.full((2,), 3)",
    "M.full((2,), 1.5)", "M.full((2,), 1 + 2j)", "M.full((2,), 1.5, dtype=D.int64)",
    "M.arange(5)", "M.arange(5.0)", "M.arange(0, 1, 0.25)", "M.arange(0, 4, 2, dtype=D.float32)",
    "M.linspace(0, 1, 3)", "M.logspace(0, 1, 3)", "M.eye(2)", "M.eye(2, 3, dtype=D.int64)",
    "M.rand(2)", "M.randn(2)", "M.randn(2, dtype=D.complex64)", "M.randint(5, (3,))",
    "M.randint(0, 5, (3,), dtype=D.float32)", "M.randperm(4)", "M.normal(0.0, 1.0, (2,))",
    "M.normal(M.zeros(2), M.ones(2))", "M.normal(M.zeros(2, dtype=D.float64), 1.0)",
    "M.zeros_like(M.zeros(2, dtype=D.int64))", "M.full_like(M.zeros(2, dtype=D.int64), 2.5)",
    "M.rand_like(M.zeros(2, dtype=D.float32))", "M.randint_like(M.zeros(2), 5)",
    "M.bernoulli(M.zeros(2, dtype=D.float32))", "M.bernoulli(M.zeros(2, dtype=D.int64), 0.5)",
    "M.multinomial(M.ones(3), 2)",
]
NEW_CASES = [  # Tensor methods, `t.NAME(...)` for both (through `call` for us)
    ("new_zeros", (2,), {}), ("new_ones", ((2, 3),), {}), ("new_empty", (2,), {}),
    ("new_full", ((2,), 2.5), {}), ("new_tensor", ([1, 2],), {}),
    ("new_zeros", (2,), {"dtype": "int64"}),
]


@pytest.mark.parametrize("expr", DTYPE_CASES)
def test_result_dtypes_and_shapes_are_pytorchs(expr):
    torch = pytest.importorskip("torch")
    ours = eval(expr, {"M": C, "D": np})
    theirs = eval(expr, {"M": torch, "D": torch})
    assert ours.shape == tuple(theirs.shape)
    if "dtype=" in expr:               # an explicit dtype (of the result or of the input)
        assert str(ours.dtype) == str(theirs.dtype).rpartition(".")[2]
    else:
        assert _category(ours.dtype, np.float64, np.complex128) == _category(
            theirs.dtype, torch.get_default_dtype(), torch.complex64)


@pytest.mark.parametrize("name, args, kwargs", NEW_CASES)
@pytest.mark.parametrize("base", ["float32", "int64", "bool"])
def test_new_methods_dtypes_are_pytorchs(name, args, kwargs, base):
    torch = pytest.importorskip("torch")
    ours = call(C.zeros(1, dtype=base), name, *args,
                **{k: np.dtype(v) for k, v in kwargs.items()})
    theirs = getattr(torch.zeros(1, dtype=getattr(torch, base)), name)(
        *args, **{k: getattr(torch, v) for k, v in kwargs.items()})
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).rpartition(".")[2]
    assert ours._data.tolist() == theirs.tolist() or name == "new_empty"


def test_values_match_pytorch():
    torch = pytest.importorskip("torch")
    for expr in ["arange(5)", "arange(1, 7, 2)", "arange(5, 0, -2)", "arange(0, 1, 0.25)",
                 "arange(0.5, 3, dtype=D.int64)", "linspace(0, 10, 4, dtype=D.int64)",
                 "linspace(-1, 1, 5)", "logspace(0, 3, 4, base=2)", "eye(2, 3)",
                 "full((2,), 2.7, dtype=D.int64)", "full((2,), -2.7, dtype=D.int64)",
                 "full_like(zeros(2, dtype=D.int64), 2.7)"]:
        ours = eval("M." + expr.replace("zeros(", "M.zeros("), {"M": C, "D": np})
        theirs = eval("M." + expr.replace("zeros(", "M.zeros("), {"M": torch, "D": torch})
        np.testing.assert_allclose(ours._data, theirs.double().numpy(), rtol=1e-6,
                                   err_msg=expr)
    assert C.zeros(2, dtype=torch.float32, device=torch.device("cpu")).dtype == np.float32


# PyTorch's argument forms (S: a size), with the range [low, high) they mean
RANDINT_FORMS = [("randint(5, S)", 0, 5), ("randint(2, 5, S)", 2, 5),
                 ("randint(high=3, size=S)", 0, 3), ("randint(low=1, high=3, size=S)", 1, 3),
                 ("randint(2, size=S)", 0, 2), ("randint(2, high=5, size=S)", 2, 5),
                 ("randint(-3, 0, S)", -3, 0), ("randint(size=S, high=4, low=3)", 3, 4)]


@pytest.mark.parametrize("expr, low, high", RANDINT_FORMS)
def test_randint_takes_pytorchs_argument_forms(expr, low, high):
    ours = eval("M." + expr, {"M": C, "S": [2000]})
    assert ours.shape == (2000,) and set(ours._data.tolist()) == set(range(low, high))
    torch = pytest.importorskip("torch")
    theirs = eval("M." + expr, {"M": torch, "S": [2000]})
    assert set(theirs.tolist()) == set(range(low, high))


# Calls that both libraries refuse, with PyTorch's exception class (ours may be a subclass)
ERROR_CASES = [
    "M.zeros(-1, 2)", "M.zeros(2.0)", "M.ones()", "M.full(2, 1.0)", "M.full((2,), 'a')",
    "M.randint(5, 5, (3,))", "M.randint(0, 300, (3,), dtype=D.uint8)", "M.randint(3, 2)",
    "M.randint(0.0, 5.0, (3,))", "M.randint(3, [-1])", "M.randperm(-1)", "M.randperm(2.0)",
    "M.normal(0.0, 1.0)", "M.normal(0.0, -1.0, (2,))", "M.normal(M.zeros(2), -1.0)",
    "M.normal(M.zeros(2), M.tensor([1.0, -1.0]))", "M.normal(M.zeros(4), M.ones(2, 2))",
    "M.normal(M.zeros(2), 1.0, (2,))", "M.normal(M.zeros(2), float('nan'))",
    "M.bernoulli(M.tensor([0.5, 2.0]))", "M.bernoulli(M.tensor([float('nan')]))",
    "M.bernoulli(M.zeros(3), 1.5)", "M.bernoulli([0.5])",
    "M.multinomial(M.tensor([1.0, 0, 0]), 4)", "M.multinomial(M.tensor([1.0, -1]), 1)",
    "M.multinomial(M.tensor([1.0, float('inf')]), 1)",
    "M.multinomial(M.tensor([1.0, float('nan')]), 1)", "M.multinomial(M.zeros(2), 1)",
    "M.multinomial(M.tensor([[1.0, 1], [0, 0]]), 1)", "M.multinomial(M.ones(2, 2, 2), 1)",
    "M.multinomial(M.tensor(1.0), 1)", "M.multinomial(M.ones(2), 0)",
    "M.multinomial(M.ones(2), 1.5)", "M.multinomial(M.tensor([1, 2]), 1)",
    "M.linspace(0, 1, -1)", "M.logspace(0, 2, -1)", "M.linspace(0, 1, 2.5)",
    "M.arange(0, 5, 0)", "M.arange(0, 5, -1)", "M.arange(1, 0)", "M.arange()",
    "M.arange(0, float('inf'))", "M.eye(-1)", "M.eye(2, -1)", "M.eye(2.5)",
    "M.zeros_like([1, 2])", "M.rand(2, dtype=D.int64)", "M.randn(2, dtype=D.int64)",
    "M.rand_like(M.zeros(2, dtype=D.int64))", "M.randn_like(M.zeros(2, dtype=D.int64))",
    "M.randint_like(M.zeros(2, dtype=D.uint8), 300)", "M.randint_like(M.zeros(2), 0)",
    "M.rand(2, generator=1)", "M.manual_seed(2**64)", "M.Generator().manual_seed(1.5)",
    "M.Generator().manual_seed(2**64)", "M.Generator().manual_seed(-2**63 - 1)",
    "M.Generator().set_state([1])", "M.Generator().set_state(M.zeros(3))",
    "M.Generator().set_state(M.zeros(3, dtype=D.uint8))",
    "M.zeros(2, device='foo')",
]
INPLACE_ERROR_CASES = [  # t.NAME(...) on a fresh t, for both
    ("uniform_", "float32", (2, 1), {}), ("uniform_", "int64", (), {}),
    ("uniform_", "float32", (-math.inf, 0), {}), ("uniform_", "float32", (-1e308, 1e308), {}),
    ("normal_", "float32", (0, -1), {}), ("normal_", "int64", (), {}),
    ("normal_", "float32", (0, math.nan), {}),
    ("exponential_", "float32", (0,), {}), ("exponential_", "float32", (-1,), {}),
    ("exponential_", "float32", (math.nan,), {}), ("exponential_", "int64", (), {}),
    ("random_", "float32", (5, 3), {}), ("random_", "uint8", (0, 300), {}),
    ("random_", "uint8", (-1, 3), {}), ("random_", "bool", (0, 3), {}),
    ("random_", "complex64", (), {}),
    ("bernoulli_", "float32", (1.5,), {}), ("bernoulli_", "float32", (-0.5,), {}),
    ("fill_", "float32", ("a",), {}), ("fill_", "float32", (1 + 2j,), {}),
    ("fill_", "int64", (math.nan,), {}), ("fill_", "uint8", (300,), {}),
]


def _raised(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 (any exception class is compared)
        return e
    return None


@pytest.mark.parametrize("expr", ERROR_CASES)
def test_errors_are_pytorchs(expr):
    ours = _raised(lambda: eval(expr, {"M": C, "D": np}))
    assert ours is not None, f"{expr} did not raise"
    assert str(ours).split(":")[0].replace("Generator.", "") in expr   # names the function
    torch = pytest.importorskip("torch")
    theirs = _raised(lambda: eval(expr, {"M": torch, "D": torch}))
    assert theirs is not None, f"torch accepts {expr}"
    assert isinstance(ours, type(theirs)), (expr, ours, theirs)


@pytest.mark.parametrize("name, dtype, args, kwargs", INPLACE_ERROR_CASES)
def test_inplace_errors_are_pytorchs(name, dtype, args, kwargs):
    ours = _raised(lambda: call(C.zeros(3, dtype=dtype), name, *args, **kwargs))
    assert ours is not None and str(ours).startswith(name + ":"), ours
    torch = pytest.importorskip("torch")
    theirs = _raised(lambda: getattr(torch.zeros(3, dtype=getattr(torch, dtype)), name)(
        *args, **kwargs))
    assert theirs is not None
    assert isinstance(ours, type(theirs)), (ours, theirs)


def test_other_argument_errors():
    with pytest.raises(TypeError, match="randint: missing size"):
        C.randint(3)
    with pytest.raises(TypeError, match="randint: unexpected keyword argument 'sz'"):
        C.randint(3, sz=(2,))
    with pytest.raises(TypeError, match="randint: too many positional"):
        C.randint(1, 2, (3,), 4)
    with pytest.raises(TypeError, match="randint_like: missing high"):
        C.randint_like(C.zeros(2))
    with pytest.raises(TypeError, match="normal: size, dtype and requires_grad"):
        C.normal(C.zeros(2), dtype=np.float32)
    with pytest.raises(NotImplementedError, match="normal: not implemented for dtype int64"):
        C.normal(C.zeros(2, dtype=np.int64), 1.0)
    with pytest.raises(NotImplementedError, match="bernoulli: not implemented for dtype int64"):
        C.bernoulli(C.tensor([1, 0]))
    with pytest.raises(RuntimeError, match=r"bernoulli_: p of shape \(2,\)"):
        call(C.zeros(3), "bernoulli_", C.tensor([0.5, 0.5]))
    with pytest.raises(RuntimeError, match="fill_: a tensor fill value must be 0-d"):
        C.zeros(2).fill_(C.ones(2))
    with pytest.raises(RuntimeError, match="new_full: a tensor fill value must be 0-d"):
        call(C.zeros(2), "new_full", (2,), C.ones(2))
    with pytest.raises(TypeError, match="uniform_: unexpected keyword argument 'c'"):
        call(C.zeros(2), "uniform_", c=1)
    with pytest.raises(TypeError, match="new_tensor: cannot make a tensor"):
        call(C.zeros(1), "new_tensor", "abc")
    with pytest.raises(RuntimeError, match="randperm: n=300 is too large for uint8"):
        C.randperm(300, dtype=np.uint8)
    with pytest.raises(RuntimeError, match="uniform_: cannot write into this tensor's memory"):
        call(C.ones(4).expand(2, 4), "uniform_")
    with pytest.raises(RuntimeError, match="Generator: device 'cuda' is not available"):
        C.Generator("cuda")
    with pytest.raises(RuntimeError, match="set_state: new_state is not a state"):
        C.Generator().set_state(C.zeros(56, dtype=np.uint8))


@given(shape=st.lists(st.integers(-3, 3), min_size=1, max_size=3).filter(
    lambda s: min(s) < 0))
def test_negative_sizes_are_refused(shape):
    for make in (C.zeros, C.ones, C.empty, C.rand, C.randn):
        with pytest.raises(RuntimeError, match=f"{make.__name__}: sizes must be non-negative"):
            make(*shape)
    with pytest.raises(RuntimeError, match="full: sizes must be non-negative"):
        C.full(shape, 1.0)
    with pytest.raises(RuntimeError, match="randint: sizes must be non-negative"):
        C.randint(3, shape)
    with pytest.raises(RuntimeError, match="new_zeros: sizes must be non-negative"):
        call(C.ones(1), "new_zeros", shape)


# ================================================================ generators and seeds
def test_generator_seeds():
    g = C.Generator()
    assert g.initial_seed() == 67280421310721 and g.device == "cpu"
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    assert C.Generator().manual_seed(-1).initial_seed() == 2 ** 64 - 1
    assert C.Generator().manual_seed(-2 ** 63).initial_seed() == 2 ** 63
    assert C.Generator().manual_seed(np.int64(7)).initial_seed() == 7
    s = g.seed()
    assert isinstance(s, int) and 0 <= s < 2 ** 64 and g.initial_seed() == s
    assert "initial_seed" in repr(g)
    # a seed means the numbers numpy's default_rng gives for it
    np.testing.assert_array_equal(C.rand(5, generator=gen(3))._data,
                                  np.random.default_rng(3).random(5))


def test_the_default_generator_and_module_functions():
    assert C.manual_seed(123) is C.default_generator
    assert C.initial_seed() == 123
    assert C.manual_seed(7.9).initial_seed() == 7                 # truncated, as torch does
    assert ag.generator() is C.generator() is C.default_generator.numpy
    rng = C.generator()
    C.manual_seed(11)
    assert C.generator() is rng                                   # reseeded in place
    np.testing.assert_array_equal(C.randn(4)._data, np.random.default_rng(11).standard_normal(4))
    C.manual_seed(11)
    np.testing.assert_array_equal(rng.random(3), np.random.default_rng(11).random(3))
    s = C.seed()
    assert C.initial_seed() == s
    state = C.get_rng_state()
    assert isinstance(state, ag.Tensor) and state.dtype == np.uint8 and state.ndim == 1
    np.testing.assert_array_equal(state._data, C.default_generator.get_state())
    a = C.rand(6)._data.copy()
    assert C.set_rng_state(state) is None
    np.testing.assert_array_equal(C.rand(6)._data, a)
    assert C.initial_seed() == s
    C.set_rng_state(state._data)                                  # the numpy array works too
    np.testing.assert_array_equal(C.rand(6)._data, a)
    C.default_generator.set_state(state)                          # and a tensor in set_state
    np.testing.assert_array_equal(C.rand(6)._data, a)
    with pytest.raises(TypeError, match="set_rng_state: new_state must be the uint8 array"):
        C.set_rng_state(C.zeros(56))
    with pytest.raises(RuntimeError, match="set_rng_state: expected a state of 56 bytes"):
        C.set_rng_state(C.zeros(3, dtype=np.uint8))


def test_get_state_and_set_state_replay_a_stream():
    g = gen(42)
    C.randn(3, generator=g)
    state = g.get_state()
    assert isinstance(state, np.ndarray) and state.dtype == np.uint8 and state.shape == (56,)
    a = C.rand(7, generator=g)._data.copy()
    b = C.randint(10, (5,), generator=g)._data.copy()
    assert g.set_state(state) is g
    np.testing.assert_array_equal(C.rand(7, generator=g)._data, a)
    np.testing.assert_array_equal(C.randint(10, (5,), generator=g)._data, b)
    other = C.Generator().set_state(state)                        # into another generator
    assert other.initial_seed() == 42
    np.testing.assert_array_equal(C.rand(7, generator=other)._data, a)
    state[:] = 0                                                  # the state is a copy
    np.testing.assert_array_equal(C.rand(7, generator=g.set_state(other.get_state()))._data,
                                  C.rand(7, generator=other)._data)


# Every random function, drawing from generator `g`
RANDOM_CALLS = {
    "rand": lambda g: C.rand(50, generator=g),
    "randn": lambda g: C.randn(50, generator=g),
    "rand_like": lambda g: C.rand_like(C.zeros(50), generator=g),
    "randn_like": lambda g: C.randn_like(C.zeros(50), generator=g),
    "randint": lambda g: C.randint(0, 1000, (50,), generator=g),
    "randint_like": lambda g: C.randint_like(C.zeros(50), 1000, generator=g),
    "randperm": lambda g: C.randperm(50, generator=g),
    "normal": lambda g: C.normal(0.0, 1.0, (50,), generator=g),
    "normal_tensor": lambda g: C.normal(C.zeros(50), C.ones(50), generator=g),
    "bernoulli": lambda g: C.bernoulli(C.full((50,), 0.5), generator=g),
    "multinomial": lambda g: C.multinomial(C.ones(50), 50, generator=g),
    "uniform_": lambda g: call(C.zeros(50), "uniform_", generator=g),
    "normal_": lambda g: call(C.zeros(50), "normal_", generator=g),
    "bernoulli_": lambda g: call(C.zeros(50), "bernoulli_", generator=g),
    "random_": lambda g: call(C.zeros(50), "random_", generator=g),
    "exponential_": lambda g: call(C.zeros(50), "exponential_", generator=g),
}


@pytest.mark.parametrize("name", sorted(RANDOM_CALLS))
def test_every_random_function_is_reproducible_and_takes_a_generator(name):
    draw = RANDOM_CALLS[name]
    a = draw(gen(1))._data
    np.testing.assert_array_equal(draw(gen(1))._data, a)           # same seed, same numbers
    assert not np.array_equal(draw(gen(2))._data, a)               # another seed, others
    C.manual_seed(9)
    d = draw(None)._data
    C.manual_seed(9)
    np.testing.assert_array_equal(draw(None)._data, d)             # the default generator
    np.testing.assert_array_equal(draw(np.random.default_rng(1))._data, a)  # a numpy one
    C.manual_seed(9)
    draw(gen(5))                                                   # a separate generator...
    np.testing.assert_array_equal(draw(None)._data, d)             # ...leaves the default be
    with pytest.raises(TypeError, match="generator must be an autograd.Generator"):
        draw("seed")


def test_generators_are_independent():
    g1, g2 = gen(0), gen(0)
    a1 = C.rand(3, generator=g1)._data
    C.randn(100, generator=g2)                                     # g2 moves on...
    a2 = C.rand(3, generator=g1)._data
    b = C.rand(6, generator=gen(0))._data
    np.testing.assert_array_equal(np.concatenate([a1, a2]), b)     # ...g1 does not notice


FILL_METHODS = ["uniform_", "normal_", "exponential_", "bernoulli_", "random_"]
NEW_METHODS = ["new_zeros", "new_ones", "new_empty", "new_full", "new_tensor"]


@pytest.mark.parametrize("name", FILL_METHODS + NEW_METHODS)
def test_fills_and_new_are_methods_of_the_mixin_only(name):
    assert name in vars(RandomFills) and "return" in vars(RandomFills)[name].__doc__.lower()
    assert not hasattr(C, name) and not hasattr(ag, name)           # as torch: methods only
    assert not hasattr(C, "fill_")                                  # Tensor's own method
    assert RandomFills.__slots__ == ()


def test_random_imports_the_tensor_module_for_type_checkers_only():
    import ast
    import pathlib

    import autograd.random as R
    for path in (pathlib.Path(R.__file__), pathlib.Path(R.__file__).with_name("_sampling.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                     and getattr(node.test, "id", None) == "TYPE_CHECKING"
                     for n in ast.walk(node)}
        runtime = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                   and id(n) not in type_only]
        imported = {(getattr(n, "module", None) or "") for n in runtime}
        imported |= {a.name for n in runtime if isinstance(n, ast.Import) for a in n.names}
        assert not any(m.endswith("tensor") or m.endswith("creation") for m in imported), \
            (path.name, imported)


# ================================================================ distributions
N = 200_000


def test_uniform_samples():
    u = C.rand(N, generator=gen(1))._data
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.std() - math.sqrt(1 / 12)) < 0.005
    assert np.histogram(u, bins=10, range=(0, 1))[0].min() > 0.95 * N / 10
    f = C.rand(N, dtype=np.float32, generator=gen(2))._data
    assert f.dtype == np.float32 and f.min() >= 0 and f.max() < 1
    h = C.rand(N, dtype=np.float16, generator=gen(2))._data
    assert h.min() >= 0 and h.max() < 1                            # rounding never reaches 1
    t = call(C.zeros(N), "uniform_", -2.0, 3.0, generator=gen(3))._data
    assert t.min() >= -2 and t.max() < 3 and abs(t.mean() - 0.5) < 0.03
    t = call(C.zeros(10, dtype=np.float32), "uniform_", **{"from": 5, "to": 6})._data
    assert t.min() >= 5 and t.max() < 6
    assert np.all(call(C.zeros(5), "uniform_", 2.0, 2.0)._data == 2.0)
    # [a, b) even when b is one float32 step above a: every sample is a
    tiny = call(C.zeros(1000, dtype=np.float32), "uniform_", 1.0, float(np.nextafter(
        np.float32(1), np.float32(2))), generator=gen(4))._data
    assert np.all(tiny == 1.0)
    z = C.rand(N // 4, dtype=np.complex128, generator=gen(5))._data
    assert 0 <= z.real.min() and z.real.max() < 1 and 0 <= z.imag.min() and z.imag.max() < 1


def test_normal_samples():
    z = C.randn(N, generator=gen(1))._data
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.005
    c = C.randn(N, dtype=np.complex128, generator=gen(2))._data
    assert abs(np.mean(np.abs(c) ** 2) - 1) < 0.02 and abs(c.real.std() - 0.5 ** 0.5) < 0.01
    x = C.normal(3.0, 2.0, (N,), generator=gen(3))._data
    assert abs(x.mean() - 3) < 0.02 and abs(x.std() - 2) < 0.02
    x = call(C.zeros(N), "normal_", -1.0, 0.5, generator=gen(4))._data
    assert abs(x.mean() + 1) < 0.01 and abs(x.std() - 0.5) < 0.01
    assert np.all(C.normal(2.0, 0.0, (4,))._data == 2.0)
    # tensor mean and std broadcast: column j is N(mean[j], std[j]**2)
    mean, std = C.tensor([-5.0, 0.0, 5.0]), C.tensor([[0.5], [2.0]])
    x = C.normal(mean.reshape(1, 1, 3), std.reshape(1, 2, 1).expand(N // 10, 2, 1),
                 generator=gen(5))._data
    assert x.shape == (N // 10, 2, 3)
    np.testing.assert_allclose(x.mean(axis=0), [[-5, 0, 5]] * 2, atol=0.1)
    np.testing.assert_allclose(x.std(axis=0), [[0.5] * 3, [2.0] * 3], rtol=0.03)
    x = C.normal(C.full((N,), 1.0), 3.0, generator=gen(6))._data
    assert abs(x.mean() - 1) < 0.05 and abs(x.std() - 3) < 0.05
    x = C.normal(1.0, C.full((N,), 3.0), generator=gen(7))._data
    assert abs(x.mean() - 1) < 0.05 and abs(x.std() - 3) < 0.05


def test_randint_samples():
    r = C.randint(-3, 7, (N,), generator=gen(1))._data
    assert r.min() == -3 and r.max() == 6
    counts = np.bincount(r + 3)
    assert len(counts) == 10 and counts.min() > 0.95 * N / 10 and counts.max() < 1.05 * N / 10
    b = C.randint(0, 2, (N,), dtype=np.bool_, generator=gen(2))._data
    assert abs(b.mean() - 0.5) < 0.01
    big = C.randint(2 ** 62, 2 ** 63, (1000,), generator=gen(3))._data
    assert big.min() >= 2 ** 62
    u = C.randint(0, 256, (N,), dtype=np.uint8, generator=gen(4))._data
    assert u.dtype == np.uint8 and u.min() == 0 and u.max() == 255


@given(n=st.integers(0, 200), seed=st.integers(0, 2 ** 32))
def test_randperm_is_a_permutation(n, seed):
    p = C.randperm(n, generator=gen(seed))._data
    assert sorted(p.tolist()) == list(range(n))


def test_randperm_is_uniform_over_orders():
    g = gen(1)
    firsts = np.array([C.randperm(4, generator=g)._data[0] for _ in range(4000)])
    assert np.bincount(firsts, minlength=4).min() > 850


def test_bernoulli_samples():
    b = C.bernoulli(C.full((N,), 0.3), generator=gen(1))._data
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.005
    p = C.tensor([0.0, 1.0, 0.5, 0.9]).expand(N // 10, 4)
    m = C.bernoulli(p, generator=gen(2))._data.mean(axis=0)
    assert m[0] == 0 and m[1] == 1 and abs(m[2] - 0.5) < 0.02 and abs(m[3] - 0.9) < 0.02
    b = C.bernoulli(C.zeros(N, dtype=np.float32), 0.8, generator=gen(3))._data
    assert b.dtype == np.float32 and abs(b.mean() - 0.8) < 0.005
    t = call(C.zeros(N, dtype=np.int64), "bernoulli_", 0.25, generator=gen(4))._data
    assert t.dtype == np.int64 and abs(t.mean() - 0.25) < 0.005
    t = call(C.zeros(N // 10, 2), "bernoulli_", C.tensor([0.0, 1.0]))._data
    assert t[:, 0].max() == 0 and t[:, 1].min() == 1
    t = call(C.zeros(N, dtype=np.bool_), "bernoulli_", generator=gen(5))._data
    assert abs(t.mean() - 0.5) < 0.005


def test_exponential_samples():
    e = call(C.zeros(N), "exponential_", 4.0, generator=gen(1))._data
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.005 and abs(e.std() - 0.25) < 0.005
    assert abs(np.mean(e > 0.25) - math.exp(-1)) < 0.005
    assert np.all(call(C.zeros(3), "exponential_", math.inf)._data == 0)


def test_random__ranges():
    g = gen(1)
    assert set(call(C.zeros(N // 10), "random_", 5, generator=g)._data) == {0, 1, 2, 3, 4}
    assert set(call(C.zeros(N // 10), "random_", 2, 5, generator=g)._data) == {2, 3, 4}
    assert set(call(C.zeros(N // 10), "random_", to=3, generator=g)._data) == {0, 1, 2}
    assert set(call(C.zeros(N // 10), "random_", **{"from": -2, "to": 0})._data) == {-2, -1}
    f = call(C.zeros(N, dtype=np.float32), "random_", generator=g)._data
    assert f.min() >= 0 and f.max() <= 2 ** 24 and f.max() > 2 ** 23
    assert np.all(f == np.round(f))
    d = call(C.zeros(N), "random_", generator=g)._data
    assert d.min() >= 0 and d.max() <= 2 ** 53 and d.max() > 2 ** 52
    i8 = call(C.zeros(N, dtype=np.int8), "random_", generator=g)._data
    assert i8.min() == 0 and i8.max() == 127
    i8 = call(C.zeros(N, dtype=np.int8), "random_", -128, None, generator=g)._data
    assert i8.min() == -128 and i8.max() == 127
    u8 = call(C.zeros(N, dtype=np.uint8), "random_", 0, 256, generator=g)._data
    assert u8.min() == 0 and u8.max() == 255
    assert set(call(C.zeros(100, dtype=np.bool_), "random_", generator=g)._data) == {False, True}
    big = call(C.zeros(1000, dtype=np.int64), "random_", generator=g)._data
    assert big.min() >= 0 and big.max() > 2 ** 62
    u64 = call(C.zeros(1000, dtype=np.uint64), "random_", generator=g)._data
    assert u64.max() > 2 ** 63


def _check_multinomial_row(out, k):
    assert out.dtype == np.int64 and out.min() >= 0 and out.max() < k


@given(weights=st.lists(st.floats(0, 10), min_size=1, max_size=12).filter(
    lambda w: sum(w) > 0), data=st.data())
def test_multinomial_without_replacement_draws_distinct_categories(weights, data):
    k = len(weights)
    n = data.draw(st.integers(1, k))
    out = C.multinomial(C.tensor(weights), n, generator=gen(data.draw(st.integers(0, 99))))._data
    _check_multinomial_row(out, k)
    assert out.shape == (n,) and len(set(out.tolist())) == n
    positive = sum(w > 0 for w in weights)
    # categories of weight 0 only once every positive one is drawn
    assert all(weights[i] > 0 for i in out[:positive])
    with_repl = C.multinomial(C.tensor(weights), 3 * k, True, generator=gen(1))._data
    assert with_repl.shape == (3 * k,) and all(weights[i] > 0 for i in with_repl)


def test_multinomial_follows_the_weights():
    w = np.array([1.0, 2.0, 3.0, 4.0, 0.0])
    out = C.multinomial(C.tensor(w), N, replacement=True, generator=gen(1))._data
    np.testing.assert_allclose(np.bincount(out, minlength=5) / N, w / w.sum(), atol=0.005)
    # without replacement: first draw ~ w / W; second: P(j) = sum_i w_i/W * w_j/(W - w_i)
    rows = 40_000
    out = C.multinomial(C.tensor(np.tile(w[:4], (rows, 1))), 2, generator=gen(2))._data
    assert out.shape == (rows, 2) and np.all(out[:, 0] != out[:, 1])
    W = w[:4].sum()
    first = w[:4] / W
    second = [sum(first[i] * w[j] / (W - w[i]) for i in range(4) if i != j) for j in range(4)]
    np.testing.assert_allclose(np.bincount(out[:, 0], minlength=4) / rows, first, atol=0.01)
    np.testing.assert_allclose(np.bincount(out[:, 1], minlength=4) / rows, second, atol=0.01)
    # each row of a 2-d input is its own distribution, weights need not be normalised
    out = C.multinomial(C.tensor([[0.0, 5.0, 0.0], [1e-3, 0.0, 3e-3]]), 1000, True,
                        generator=gen(3))._data
    assert np.all(out[0] == 1) and set(out[1]) == {0, 2}
    assert abs(np.mean(out[1] == 2) - 0.75) < 0.05
    huge = C.multinomial(C.tensor([1e308, 1e308]), 1000, True, generator=gen(4))._data
    assert abs(huge.mean() - 0.5) < 0.08                                # no overflow
    firsts = C.multinomial(C.tensor([[1e308, 1e308]] * 2000), 1, generator=gen(5))._data
    assert abs(firsts.mean() - 0.5) < 0.05
    for seed in range(20):                 # a subnormal weight still beats a zero one
        out = C.multinomial(C.tensor([10.0, 5e-324, 0.0]), 3, generator=gen(seed))._data
        assert out.tolist() == [0, 1, 2]


# ================================================================ in-place fills
FILLS = {
    "uniform_": lambda t: call(t, "uniform_", -1, 1),
    "normal_": lambda t: call(t, "normal_"),
    "bernoulli_": lambda t: call(t, "bernoulli_", 0.5),
    "random_": lambda t: call(t, "random_", 0, 10),
    "exponential_": lambda t: call(t, "exponential_"),
    "fill_": lambda t: t.fill_(2.5),                               # Tensor's own fill_
    "fill_0d": lambda t: t.fill_(ag.tensor(3.0)),
}


@pytest.mark.parametrize("name", sorted(FILLS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fills_change_the_tensor_in_place(name, dtype):
    t = C.zeros(3, 4, dtype=dtype)
    data, version = t._data, t._version
    assert FILLS[name](t) is t
    assert t._data is data and t.shape == (3, 4) and t.dtype == dtype
    assert t._version > version
    base = C.zeros(4, 5, dtype=dtype)
    view = base[1:3]
    FILLS[name](view)                                              # writes through a view
    assert np.all(base._data[[0, 3]] == 0)
    if name != "bernoulli_":
        assert np.all(base._data[1:3] != 0) or name == "random_"


@pytest.mark.parametrize("name", sorted(FILLS))
def test_fills_refuse_a_leaf_that_requires_grad_unless_under_no_grad(name):
    w = C.zeros(2, 3, requires_grad=True)
    short = "fill_" if name == "fill_0d" else name
    with pytest.raises(RuntimeError, match=f"{short}: a leaf tensor that requires grad"):
        FILLS[name](w)
    with pytest.raises(RuntimeError, match=f"{short}: a leaf tensor that requires grad"):
        FILLS[name](w[0])                                          # nor a view of one
    assert np.all(w._data == 0)
    with ag.no_grad():
        assert FILLS[name](w) is w                                 # nn.init's way
    assert w.requires_grad and w.is_leaf and w.grad_fn is None


@pytest.mark.parametrize("name", sorted(FILLS))
def test_a_fill_makes_a_pending_backward_refuse(name):
    x = C.ones(3, requires_grad=True)
    c = C.ones(3)
    y = (x * c).sum()                                              # saves c
    FILLS[name](c)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


@pytest.mark.parametrize("name", sorted(FILLS))
def test_a_fill_of_a_non_leaf_sends_no_gradient_through_the_old_values(name):
    x = C.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    FILLS[name](y)
    new = y._data.copy()
    (y * x).sum().backward()                                       # d/dx (y_new . x) = y_new
    np.testing.assert_array_equal(x.grad._data, new)


def test_fill_with_a_tensor_that_requires_grad():
    v = C.tensor(2.0, requires_grad=True)
    t = C.zeros(3).fill_(v)
    assert t._data.tolist() == [2.0] * 3 and t.requires_grad
    (t * C.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert v.grad.item() == 6.0


def test_fill_converts_the_value_to_the_tensors_dtype():
    assert C.zeros(2, dtype=np.int64).fill_(2.7)._data.tolist() == [2, 2]
    assert C.zeros(2, dtype=np.int64).fill_(-2.7)._data.tolist() == [-2, -2]
    assert C.zeros(2, dtype=np.bool_).fill_(2)._data.tolist() == [True, True]
    assert C.zeros(2, dtype=np.complex128).fill_(1 + 2j)._data.tolist() == [1 + 2j] * 2
    assert C.zeros(2).fill_(np.float32(0.5))._data.tolist() == [0.5, 0.5]
    assert C.zeros(2).fill_(C.tensor(4))._data.tolist() == [4.0, 4.0]
