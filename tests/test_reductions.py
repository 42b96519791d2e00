"""Reductions and scans against PyTorch (float64: values and every input gradient to rtol
1e-10) on hypothesis-generated shapes (0-d, size-1 and empty axes) and values (distinct, so
no ties, unless a test is about ties or nan); central differences and second derivatives
for the differentiable ones; dtypes and errors as PyTorch."""
from __future__ import annotations

from typing import Any, Callable

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tensor_helpers import check_vjp

import autograd as ag
import nn
from autograd import linalg

torch = pytest.importorskip("torch")
F = nn.functional
TF = torch.nn.functional

seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
shapes_empty = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
quick = settings(deadline=None, max_examples=30)
NAN = float("nan")


def distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Values in (-2, 2), all different (no ties), none near 0."""
    n = int(np.prod(shape, dtype=np.int64))
    v = (rng.permutation(n) + 1.0) / (n + 1) * 3.0 - 1.5 + rng.uniform(0.01, 0.02, n)
    return v.reshape(shape)


def dims_of(draw: Any, ndim: int) -> Any:
    return draw(st.sampled_from([None] + list(range(-ndim, ndim)) if ndim else [None, 0, -1]))


def to_np(x: Any) -> np.ndarray:
    if isinstance(x, ag.Tensor):
        return x.detach().numpy()
    return x.detach().numpy()


def same(a: Any, t: Any, rtol: float = 1e-10, atol: float = 1e-12, what: str = "") -> None:
    """An autograd result equals a torch result: shape, dtype, values (nan where nan)."""
    if isinstance(t, (tuple, list)):
        assert len(a) == len(t), what
        for x, y in zip(a, t):
            same(x, y, rtol, atol, what)
        return
    an, tn = to_np(a), to_np(t)
    assert an.shape == tn.shape, f"{what}: shape {an.shape} != torch {tn.shape}"
    assert an.dtype == tn.dtype, f"{what}: dtype {an.dtype} != torch {tn.dtype}"
    np.testing.assert_allclose(an, tn, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def compare(fn: Callable[..., Any], *arrays: np.ndarray, grad: bool = True, seed: int = 0,
            rtol: float = 1e-10, atol: float = 1e-12, lib_f: bool = False) -> Any:
    """fn(lib, *tensors) with lib = autograd and with lib = torch: the same
    values, and with a random upstream gradient, the same gradient for every input."""
    xs = [ag.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    out, tout = fn(ag, *xs), fn(torch, *ts)
    same(out, tout, rtol, atol, "forward")
    if not grad:
        return out
    outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
            if isinstance(o, ag.Tensor) and o.requires_grad]
    touts = [o for o in (tout if isinstance(tout, (tuple, list)) else [tout])
             if o.requires_grad]
    if not outs:
        return out
    rng = np.random.default_rng(seed)
    us = [rng.standard_normal(o.shape) for o in outs]
    total: Any = sum((o * ag.tensor(u)).sum() for o, u in zip(outs, us))
    ttotal: Any = sum((o * torch.tensor(u)).sum() for o, u in zip(touts, us))
    total.backward()
    ttotal.backward()
    for i, (x, t) in enumerate(zip(xs, ts)):
        if t.requires_grad and t.grad is None:     # torch sends nothing (norm of order 0)
            assert x.grad is None or not np.any(x.grad.numpy()), f"input {i}"
        elif t.requires_grad:
            assert x.grad is not None, f"input {i} got no gradient"
            same(x.grad, t.grad, rtol, atol, f"gradient of input {i}")
    return out


def fn(lib: Any) -> Any:
    """nn.functional of either library."""
    return F if lib is ag else TF


# ------------------------------------------------------------ sum, mean with dtype
@quick
@given(shapes_empty, seeds, st.data())
def test_sum_mean_dims_and_dtypes(shape, seed, data):
    a = distinct(np.random.default_rng(seed), shape)
    d = dims_of(data.draw, len(shape))
    keep = data.draw(st.booleans())
    kw = {} if d is None else {"dim": d, "keepdim": keep}
    compare(lambda lib, x: x.sum(**kw), a, seed=seed)
    compare(lambda lib, x: x.mean(**kw), a, seed=seed)
    compare(lambda lib, x: x.sum(dtype=lib.float32, **kw), a, grad=False, rtol=1e-5, atol=1e-6)
    ints = (a * 10).astype(np.int32)
    compare(lambda lib, x: x.sum(**kw), ints, grad=False)
    compare(lambda lib, x: x.mean(dtype=lib.float64, **kw), ints, grad=False)
    compare(lambda lib, x: (x > 0).sum(**kw), a, grad=False)


def test_mean_of_integers_needs_a_dtype():
    with pytest.raises(RuntimeError, match="mean.*int64.*dtype"):
        ag.tensor([1, 2, 3]).mean()
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2, 3]).mean()


# ------------------------------------------------------------ var, std
@quick
@given(shapes_empty, seeds, st.data())
def test_var_std_against_torch(shape, seed, data):
    a = distinct(np.random.default_rng(seed), shape)
    d = dims_of(data.draw, len(shape))
    keep = data.draw(st.booleans())
    c = data.draw(st.sampled_from([0, 1, 2, 0.5]))
    kw = {"dim": d, "keepdim": keep, "correction": c}
    n = a.size if d is None else (shape[d] if shape else 1)
    # n <= correction: the values are inf or nan as torch's; torch's gradients there are
    # not self-consistent (a full reduction gives sign(g) inf everywhere), so not compared
    g = n > c
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # torch warns when n <= correction
        compare(lambda lib, x: x.var(**kw), a, seed=seed, rtol=1e-9, grad=g)
        compare(lambda lib, x: x.std(**kw), a, seed=seed, rtol=1e-9, grad=g)
        compare(lambda lib, x: lib.var_mean(x, **kw), a, seed=seed, rtol=1e-9, grad=g)
        compare(lambda lib, x: lib.std_mean(x, **kw), a, seed=seed, rtol=1e-9, grad=g)
        if d is not None:
            compare(lambda lib, x: x.var(d, False, keep), a, seed=seed, rtol=1e-9)
            compare(lambda lib, x: x.std(d, unbiased=True), a, seed=seed, rtol=1e-9)


def test_var_std_small_counts_and_constant_inputs():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for arr in ([5.0], [5.0, 5.0], [1.0, 2.0]):
            for c in (0, 1, 2, 3):
                compare(lambda lib, x: x.var(correction=c), np.array(arr), grad=len(arr) > c)
                compare(lambda lib, x: x.std(correction=c), np.array(arr), grad=len(arr) > c)
                compare(lambda lib, x: x.var(0, correction=c), np.array(arr))


def test_var_refuses_integers():
    with pytest.raises(RuntimeError, match="var.*floating"):
        ag.tensor([1, 2]).var()


# ------------------------------------------------------------ prod
@quick
@given(shapes_empty, seeds, st.data())
def test_prod_against_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    zeros = data.draw(st.integers(0, 2))
    flat = a.reshape(-1)
    for k in rng.permutation(flat.size)[:zeros]:
        flat[k] = 0.0                          # zeros: the gradient must not divide
    d = data.draw(st.sampled_from([None] + list(range(len(shape))) if shape else [None, 0]))
    keep = data.draw(st.booleans())
    kw = {} if d is None else {"dim": d, "keepdim": keep}
    compare(lambda lib, x: x.prod(**kw), a, seed=seed)
    compare(lambda lib, x: x.prod(**kw), (a * 3).astype(np.int32), grad=False)


def test_prod_second_derivative_with_zeros():
    for arr in ([2.0, 0.0, 3.0], [0.0, 0.0, 1.5], [1.2, -0.7, 0.4]):
        x = ag.tensor(arr, requires_grad=True)
        assert ag.gradgradcheck(lambda t: t.prod(), [x])
    y = ag.tensor(np.array([[0.0, 1.5, 2.0], [0.5, -1.0, 0.0]]), requires_grad=True)
    assert ag.gradgradcheck(lambda t: t.prod(1), [y])


# ------------------------------------------------------------ logsumexp, softmax family
@quick
@given(shapes, seeds, st.data())
def test_logsumexp_softmax_against_torch(shape, seed, data):
    a = distinct(np.random.default_rng(seed), shape) * 3
    d = data.draw(st.sampled_from(list(range(-len(shape), len(shape))) if shape else [0, -1]))
    keep = data.draw(st.booleans())
    compare(lambda lib, x: x.logsumexp(d, keepdim=keep), a, seed=seed)
    compare(lambda lib, x: lib.logsumexp(x, dim=d), a, seed=seed)
    compare(lambda lib, x: x.softmax(d), a, seed=seed)
    compare(lambda lib, x: x.log_softmax(d), a, seed=seed)
    compare(lambda lib, x: fn(lib).softmax(x, dim=d), a, seed=seed)
    compare(lambda lib, x: fn(lib).log_softmax(x, dim=d), a, seed=seed)
    compare(lambda lib, x: fn(lib).softmin(x, dim=d), a, seed=seed)
    compare(lambda lib, x: fn(lib).softmax(x, d, dtype=lib.float32), a, seed=seed, rtol=1e-4,
            atol=1e-5)


def test_softmax_is_stable_and_fused():
    big = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0], [np.inf, 0.0, 1.0]])
    compare(lambda lib, x: x.softmax(1), big, grad=False)
    compare(lambda lib, x: x.log_softmax(1), big, grad=False)
    compare(lambda lib, x: x.logsumexp(1), big, grad=False)
    compare(lambda lib, x: x[:1].softmax(1), big)
    compare(lambda lib, x: x[:1].log_softmax(1), big)
    x = ag.tensor(big, requires_grad=True)
    assert x.softmax(1).grad_fn.name() == "SoftmaxBackward0"
    assert F.log_softmax(x, 1).grad_fn.name() == "LogSoftmaxBackward0"
    assert x.logsumexp(1).grad_fn.name() == "LogsumexpBackward0"
    compare(lambda lib, x: x.logsumexp(0), np.full((2, 0), 1.0), grad=False)


def test_softmax_family_second_derivatives():
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert ag.gradgradcheck(lambda t: t.softmax(1), [x])
    assert ag.gradgradcheck(lambda t: t.log_softmax(0), [x])
    assert ag.gradgradcheck(lambda t: t.logsumexp(1), [x])
    assert ag.gradgradcheck(lambda t: F.softmin(t, 1), [x])


# ------------------------------------------------------------ amax, amin, argmax, argmin
@quick
@given(shapes, seeds, st.data())
def test_amax_amin_with_ties_against_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = rng.integers(-2, 3, size=shape).astype(np.float64)     # many ties
    d = data.draw(st.sampled_from([()] + list(range(-len(shape), len(shape))) if shape
                                  else [(), 0]))
    keep = data.draw(st.booleans())
    compare(lambda lib, x: x.amax(d, keep), a, seed=seed)
    compare(lambda lib, x: x.amin(dim=d, keepdim=keep), a, seed=seed)
    compare(lambda lib, x: lib.amax(x, d), a, seed=seed)
    dd = None if d == () else d
    compare(lambda lib, x: x.argmax(dd, keep), a, grad=False)
    compare(lambda lib, x: x.argmin(dim=dd), a, grad=False)
    compare(lambda lib, x: lib.argmax(x), a, grad=False)
    if dd is not None:
        compare(lambda lib, x: x.max(dd, keep), a, seed=seed)
        compare(lambda lib, x: x.min(dim=dd), a, seed=seed)


def test_extremes_with_nan_as_torch():
    a = np.array([[1.0, NAN, 3.0, NAN], [2.0, 0.0, 2.0, -1.0]])
    compare(lambda lib, x: x.amax(1), a)
    compare(lambda lib, x: x.amin(), a)
    compare(lambda lib, x: x.argmax(1), a, grad=False)
    compare(lambda lib, x: x.argmin(1), a, grad=False)
    compare(lambda lib, x: x.argmax(), a, grad=False)
    compare(lambda lib, x: x.max(1), a)
    compare(lambda lib, x: x.min(1), a)


def test_argmax_keepdim_and_empty():
    a = np.array([[1.0, 4.0], [4.0, 2.0]])
    compare(lambda lib, x: x.argmax(keepdim=True), a, grad=False)
    with pytest.raises(RuntimeError, match="argmax.*empty"):
        ag.zeros(0).argmax()
    with pytest.raises(IndexError, match="argmax: dim 2"):
        ag.tensor(a).argmax(2)


# ------------------------------------------------------------ any, all, count_nonzero
@quick
@given(shapes_empty, seeds, st.data())
def test_any_all_count_nonzero(shape, seed, data):
    a = np.random.default_rng(seed).integers(0, 2, size=shape).astype(np.float64)
    d = dims_of(data.draw, len(shape))
    keep = data.draw(st.booleans())
    kw = {} if d is None else {"dim": d, "keepdim": keep}
    compare(lambda lib, x: x.any(**kw), a, grad=False)
    compare(lambda lib, x: x.all(**kw), a, grad=False)
    compare(lambda lib, x: lib.count_nonzero(x, dim=d), a, grad=False)


# ------------------------------------------------------------ norms
@quick
@given(shapes, seeds, st.data())
def test_norms_against_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    p = data.draw(st.sampled_from([2, 1, 3, 0.5, np.inf, -np.inf, 0, -1, 2.5]))
    d = dims_of(data.draw, len(shape))
    keep = data.draw(st.booleans())
    rtol = 1e-9
    compare(lambda lib, x: lib.linalg.vector_norm(x, p, d, keep), a, seed=seed, rtol=rtol)
    if p in (2, 1, np.inf, -np.inf, 3):
        compare(lambda lib, x: x.norm(p, d, keep), a, seed=seed, rtol=rtol)
    compare(lambda lib, x: x.norm(), a, seed=seed, rtol=rtol)
    compare(lambda lib, x: lib.norm(x, dim=d), a, seed=seed, rtol=rtol)


def test_norm_at_zero_and_ties_as_torch():
    for p in (2, 1, 3, np.inf, -np.inf, 0.5, -1):
        compare(lambda lib, x: lib.linalg.vector_norm(x, p), np.zeros(3))
        compare(lambda lib, x: lib.linalg.vector_norm(x, p), np.array([1.0, 0.0, -2.0]))
        compare(lambda lib, x: lib.linalg.vector_norm(x, p), np.array([1.0, -2.0, 2.0]))
    compare(lambda lib, x: lib.linalg.vector_norm(x, 0), np.array([1.0, 0.0, -2.0]),
            grad=False)


def test_linalg_norm_and_matrix_norm():
    a = distinct(np.random.default_rng(3), (3, 4))
    for ord in ("fro", 1, -1, np.inf, -np.inf):
        compare(lambda lib, x: lib.linalg.matrix_norm(x, ord), a, rtol=1e-9)
        compare(lambda lib, x: lib.linalg.norm(x, ord), a, rtol=1e-9)
    compare(lambda lib, x: lib.linalg.norm(x), a, rtol=1e-9)
    compare(lambda lib, x: lib.linalg.norm(x, 3, dim=1), a, rtol=1e-9)
    x = ag.tensor(a, requires_grad=True)
    assert linalg.vector_norm(x).grad_fn.name() == "LinalgVectorNormBackward0"
    assert ag.gradgradcheck(lambda t: linalg.vector_norm(t, 3, dim=1), [x])
    assert ag.gradgradcheck(lambda t: t.norm(), [x])


# ------------------------------------------------------------ scans
@quick
@given(shapes_empty, seeds, st.data())
def test_cumulative_ops_against_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    d = data.draw(st.sampled_from(list(range(-len(shape), len(shape))) if shape else [0, -1]))
    compare(lambda lib, x: x.cumsum(d), a, seed=seed)
    # float32 partial sums may round one ulp apart (about 6e-8 near 1): where they cancel to
    # a small number that is a large relative difference, so an absolute bound too, as sum's
    compare(lambda lib, x: lib.cumsum(x, dim=d, dtype=lib.float32), a, grad=False, rtol=1e-5,
            atol=1e-6)
    compare(lambda lib, x: x.cumsum(d), (a * 5).astype(np.int32), grad=False)
    compare(lambda lib, x: x.logcumsumexp(d), a, seed=seed)
    compare(lambda lib, x: x.cummax(d), a, seed=seed)
    compare(lambda lib, x: x.cummin(d), a, seed=seed)
    flat = a.reshape(-1)
    for k in rng.permutation(flat.size)[:data.draw(st.integers(0, 2))]:
        flat[k] = 0.0
    compare(lambda lib, x: x.cumprod(d), a, seed=seed)


def test_cummax_cummin_ties_and_nan_as_torch():
    for arr in ([3.0, 1, 3, 1, 2, 3, 1], [1.0, NAN, 2, NAN, 3], [2.0, 2, 2]):
        compare(lambda lib, x: x.cummax(0), np.array(arr))
        compare(lambda lib, x: x.cummin(0), np.array(arr))


def test_scan_second_derivatives():
    x = ag.tensor(np.array([[0.5, 0.0, -1.2], [1.1, 0.3, 0.0]]), requires_grad=True)
    assert ag.gradgradcheck(lambda t: t.cumprod(1), [x])
    assert ag.gradgradcheck(lambda t: t.cumsum(0), [x])
    assert ag.gradgradcheck(lambda t: t.logcumsumexp(1), [x])
    check_vjp(lambda t: t.cumprod(1), x.detach().numpy())


# ------------------------------------------------------------ sort, topk, median
@quick
@given(shapes, seeds, st.data())
def test_sort_argsort_topk_median(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    d = data.draw(st.sampled_from(list(range(-len(shape), len(shape))) if shape else [0, -1]))
    desc = data.draw(st.booleans())
    compare(lambda lib, x: x.sort(d, desc), a, seed=seed)
    compare(lambda lib, x: lib.argsort(x, dim=d, descending=desc), a, grad=False)
    n = shape[d] if shape else 1
    k = data.draw(st.integers(0, n))
    compare(lambda lib, x: x.topk(k, d, largest=desc), a, seed=seed)
    compare(lambda lib, x: x.median(), a, seed=seed)
    compare(lambda lib, x: x.median(d, keepdim=desc), a, seed=seed)


def test_sort_and_median_ties_and_nan_as_torch():
    arrs = [[3.0, 1, 3, 1, 2, 3, 1], [2.0, NAN, 1, NAN], [1.0, 2, 2, 3], [2.0, 2, 1, 1]]
    for arr in arrs:
        a = np.array(arr)
        compare(lambda lib, x: x.sort(), a)
        compare(lambda lib, x: x.sort(descending=True), a)
        compare(lambda lib, x: x.sort(stable=True, descending=True), a)
        compare(lambda lib, x: x.median(0), a)
        compare(lambda lib, x: x.median(), a)
    b = np.array([[1.0, 1, 0], [0, 2, 2]])
    compare(lambda lib, x: x.sort(1, descending=True), b)
    compare(lambda lib, x: x.median(1), b)


@quick
@given(shapes, seeds, st.data())
def test_mode_against_torch(shape, seed, data):
    a = np.random.default_rng(seed).integers(-1, 2, size=shape).astype(np.float64)  # ties
    d = data.draw(st.sampled_from(list(range(-len(shape), len(shape))) if shape else [0, -1]))
    compare(lambda lib, x: x.mode(d), a, seed=seed)
    compare(lambda lib, x: lib.mode(x, d, True), a, seed=seed)


def test_topk_errors():
    with pytest.raises(IndexError, match="topk: k"):
        ag.tensor([1.0, 2.0]).topk(3)


# ------------------------------------------------------------ names and errors
def test_grad_fn_names_as_torch():
    a = np.array([[1.0, 2.0], [3.0, 4.5]])
    for f in [lambda x: x.var(1), lambda x: x.std(), lambda x: x.prod(1), lambda x: x.prod(),
              lambda x: x.amax(), lambda x: x.amin(0), lambda x: x.cumsum(1),
              lambda x: x.cumprod(0), lambda x: x.logcumsumexp(0), lambda x: x.norm(),
              lambda x: x.sort(1).values, lambda x: x.topk(1).values,
              lambda x: x.median(), lambda x: x.median(1).values, lambda x: x.cummax(1).values,
              lambda x: x.cummin(1).values, lambda x: x.mode(1).values]:
        ours = f(ag.tensor(a, requires_grad=True)).grad_fn.name()
        theirs = type(f(torch.tensor(a, requires_grad=True)).grad_fn).__name__
        assert ours == theirs


def test_bad_dims_raise_index_errors():
    x = ag.tensor([[1.0, 2.0]])
    for f in [lambda: x.var(2), lambda: x.prod(5), lambda: x.cumsum(2), lambda: x.softmax(3),
              lambda: x.sort(-3), lambda: x.logsumexp(2), lambda: x.amax(4)]:
        with pytest.raises(IndexError, match="out of range"):
            f()


# ------------------------------------------------------------ float32 all through
def test_float32_in_float32_out_and_gradients():
    a = distinct(np.random.default_rng(5), (3, 4)).astype(np.float32)
    idx = np.array([[0, 2, 1, 0]], dtype=np.int64)
    ops = [lambda L, x: x.var(1), lambda L, x: x.std(0), lambda L, x: x.prod(1),
           lambda L, x: x.logsumexp(1), lambda L, x: x.softmax(0), lambda L, x: x.log_softmax(1),
           lambda L, x: x.amax(1), lambda L, x: x.cumsum(1), lambda L, x: x.cumprod(0),
           lambda L, x: x.logcumsumexp(1), lambda L, x: x.norm(), lambda L, x: x.norm(3, 1),
           lambda L, x: x.sort(1).values, lambda L, x: x.median(0).values,
           lambda L, x: x.median(), lambda L, x: x.cummax(1).values,
           lambda L, x: x.gather(0, L.tensor(idx)), lambda L, x: x.flip(0),
           lambda L, x: x.tril(), lambda L, x: x.diagonal(), lambda L, x: x.trace(),
           lambda L, x: L.einsum("ij,kj->ik", x, x), lambda L, x: x.unfold(1, 2, 2),
           lambda L, x: fn(L).pad(x, (1, 1)), lambda L, x: fn(L).pad(x[None], (1, 1), "reflect"),
           lambda L, x: x.masked_fill(x > 0, 1.0), lambda L, x: x.scatter_add(0, L.tensor(idx),
                                                                                x[:1])]
    for f in ops:
        compare(f, a, rtol=1e-4, atol=1e-5)


def test_second_derivatives_of_the_rest():
    rng = np.random.default_rng(2)
    x = ag.tensor(distinct(rng, (3, 4)), requires_grad=True)
    for f in [lambda t: t.var(1), lambda t: t.std(0, correction=0), lambda t: t.var(),
              lambda t: t.amax(1) ** 2, lambda t: t.amin() * t, lambda t: t.median() * t,
              lambda t: t.median(1).values ** 2, lambda t: t.sort(0, True).values * t,
              lambda t: t.topk(2).values ** 2, lambda t: t.cummax(1).values * t,
              lambda t: t.cummin(0).values ** 2, lambda t: t.norm(np.inf, 1) ** 2,
              lambda t: t.norm(1) * t, lambda t: linalg.vector_norm(t, 0.5, 0),
              lambda t: t.cumsum(1) ** 2, lambda t: t.prod(0)]:
        assert ag.gradgradcheck(f, [x])


def test_central_differences():
    rng = np.random.default_rng(7)
    x = ag.tensor(distinct(rng, (3, 4)), requires_grad=True)
    for f in [lambda t: t.var(1), lambda t: t.std(), lambda t: t.prod(0), lambda t: t.logsumexp(1),
              lambda t: t.softmax(0), lambda t: t.log_softmax(1), lambda t: F.softmin(t, 1),
              lambda t: t.amax(1), lambda t: t.norm(3, 0), lambda t: t.cumprod(1),
              lambda t: t.logcumsumexp(0), lambda t: t.sort(1).values, lambda t: t.median(0).values,
              lambda t: t.topk(2, 0).values, lambda t: t.cummin(1).values]:
        assert ag.gradcheck(f, [x])
