"""Indexing ops against PyTorch (float64 values and gradients, rtol 1e-10) on generated
shapes and indices (repeats, 0-d, empty); second derivatives; integer-only index tensors and
out-of-range indices refused with IndexError naming the op, the index and the size."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reductions import compare, distinct

import autograd as ag

torch = pytest.importorskip("torch")

seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
quick = settings(deadline=None, max_examples=30)


def index_like(rng: np.random.Generator, shape: tuple, d: int, n: int, smaller: bool
               ) -> np.ndarray:
    """An int64 index for gather/scatter along d into size n (repeats allowed)."""
    ishape = tuple(rng.integers(1, s + 1) if smaller and k != d else s
                   for k, s in enumerate(shape))
    ishape = tuple(int(s) for s in ishape)
    return rng.integers(0, n, size=ishape).astype(np.int64)


@quick
@given(shapes, seeds, st.data())
def test_gather_and_scatter_family(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    idx = index_like(rng, shape, d % len(shape), shape[d], data.draw(st.booleans()))
    it = torch.tensor(idx)
    ia = ag.tensor(idx)
    compare(lambda lib, x: x.gather(d, ia if lib is ag else it), a, seed=seed)
    compare(lambda lib, x: lib.gather(x, d, ia if lib is ag else it), a, seed=seed)
    src = distinct(rng, idx.shape)
    compare(lambda lib, x, s: x.scatter_add(d, ia if lib is ag else it, s), a, src, seed=seed)
    # scatter writes: with repeated indices which write wins is unspecified, so unique ones
    uniq = np.argsort(rng.random(shape), axis=d % len(shape))
    uniq = uniq[tuple(slice(0, m) for m in idx.shape)] if idx.shape[d] <= shape[d] else uniq
    ua, ut = ag.tensor(uniq), torch.tensor(uniq)
    compare(lambda lib, x, s: x.scatter(d, ua if lib is ag else ut, s), a,
            distinct(rng, uniq.shape), seed=seed)
    compare(lambda lib, x: x.scatter(d, ua if lib is ag else ut, 2.5), a, seed=seed)
    compare(lambda lib, x: x.scatter(d, ia if lib is ag else it, value=-1.0), a, seed=seed)


@quick
@given(shapes, seeds, st.data())
def test_index_select_index_add_take(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    m = data.draw(st.integers(0, 5))
    idx = rng.integers(0, shape[d], size=m).astype(np.int64)
    ia, it = ag.tensor(idx), torch.tensor(idx)
    compare(lambda lib, x: x.index_select(d, ia if lib is ag else it), a, seed=seed)
    src_shape = list(shape)
    src_shape[d] = m
    src = distinct(rng, tuple(src_shape))
    compare(lambda lib, x, s: x.index_add(d, ia if lib is ag else it, s), a, src, seed=seed)
    compare(lambda lib, x, s: x.index_add(d, ia if lib is ag else it, s, alpha=-2.0), a, src,
            seed=seed)
    flat = rng.integers(-a.size, a.size, size=(2, 3)).astype(np.int64)
    compare(lambda lib, x: x.take(ag.tensor(flat) if lib is ag else torch.tensor(flat)), a,
            seed=seed)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")    # inf * u summed
@quick
@given(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), seeds, st.data())
def test_masks(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    mshape = data.draw(hnp.broadcastable_shapes(shape, min_side=0, max_side=3))
    mask = rng.random(mshape) < 0.5
    ma, mt = ag.tensor(mask), torch.tensor(mask)
    compare(lambda lib, x: x.masked_fill(ma if lib is ag else mt, -3.5), a, seed=seed)
    compare(lambda lib, x: lib.masked_fill(x, ma if lib is ag else mt, float("inf")), a,
            seed=seed)
    compare(lambda lib, x, v: x.masked_fill(ma if lib is ag else mt, v), a, np.array(0.25),
            seed=seed)
    compare(lambda lib, x: x.masked_select(ma if lib is ag else mt), a, seed=seed)
    compare(lambda lib, x: x.nonzero(), mask.astype(np.float64), grad=False)
    compare(lambda lib, x: x.nonzero(as_tuple=True), mask.astype(np.float64), grad=False)
    compare(lambda lib, x: lib.where(x > 0), a, grad=False)
    ints = (a * 4).astype(np.int64)
    compare(lambda lib, x: x.masked_fill(ma if lib is ag else mt, 2.7), ints, grad=False)


def test_masked_fill_in_place_and_in_a_graph():
    a = np.array([[1.0, -2.0], [3.0, -4.0]])
    x = ag.tensor(a.copy())
    x.masked_fill_(x < 0, 0.0)
    np.testing.assert_array_equal(x.numpy(), [[1.0, 0.0], [3.0, 0.0]])
    w = ag.tensor(a, requires_grad=True)
    tw = torch.tensor(a, requires_grad=True)
    y, ty = w * 2, tw * 2
    y.masked_fill_(y < 0, 1.0)
    ty.masked_fill_(ty < 0, 1.0)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy())
    assert y.grad_fn.name() == "MaskedFillBackward0"


def test_second_derivatives_of_index_ops():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    s = ag.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    idx = ag.tensor(np.array([[0, 2, 1, 0], [2, 2, 0, 1]]))
    assert ag.gradgradcheck(lambda t: t.gather(0, idx) ** 2, [x])
    assert ag.gradgradcheck(lambda t, u: t.scatter_add(0, idx, u) ** 2, [x, s])
    assert ag.gradgradcheck(lambda t: t.index_select(1, ag.tensor([3, 0, 3])) ** 2, [x])
    assert ag.gradgradcheck(lambda t: t.masked_fill(t > 0, 1.0) ** 3, [x])
    assert ag.gradgradcheck(lambda t: t.take(ag.tensor([0, -1, 5, 5])) ** 2, [x])


def test_grad_fn_names_as_torch():
    a = np.arange(6.0).reshape(2, 3)
    i2 = np.array([[0, 1]])
    for f in [lambda L, x: x.gather(1, L.tensor(i2)),
              lambda L, x: x.scatter(1, L.tensor(i2), x[:, :2]),
              lambda L, x: x.scatter(1, L.tensor(i2), 1.0),
              lambda L, x: x.scatter_add(1, L.tensor(i2), x[:1, :2]),
              lambda L, x: x.index_select(0, L.tensor([1])),
              lambda L, x: x.index_add(0, L.tensor([1]), x[:1]),
              lambda L, x: x.take(L.tensor([1])),
              lambda L, x: x.masked_fill(x > 2, 0.0),
              lambda L, x: x.masked_select(x > 2)]:
        ours = f(ag, ag.tensor(a, requires_grad=True)).grad_fn.name()
        theirs = type(f(torch, torch.tensor(a, requires_grad=True)).grad_fn).__name__
        assert ours == theirs


def test_index_tensors_must_be_integers_in_range():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(RuntimeError, match="gather: index must be an integer tensor.*float64"):
        x.gather(1, ag.tensor([[0.0]]))
    with pytest.raises(RuntimeError, match="index_select: index .*float"):
        x.index_select(0, ag.tensor([1.0]))
    with pytest.raises(RuntimeError, match="take: index .*bool"):
        x.take(ag.tensor([True]))
    with pytest.raises(IndexError, match="gather: index 3 is out of range for dimension 1 "
                                         "of size 3"):
        x.gather(1, ag.tensor([[3]]))
    with pytest.raises(IndexError, match="gather: index -1"):
        x.gather(0, ag.tensor([[-1]]))
    with pytest.raises(IndexError, match="index_select: index 2 .*size 2"):
        x.index_select(0, ag.tensor([2]))
    with pytest.raises(IndexError, match="take: index 6 .*size 6"):
        x.take(ag.tensor([6]))
    with pytest.raises(IndexError, match="scatter_add: index 5"):
        x.scatter_add(1, ag.tensor([[5]]), x)
    with pytest.raises(IndexError, match="index_add: index 7"):
        x.index_add(1, ag.tensor([7]), x[:, :1])
    with pytest.raises(TypeError, match="masked_fill: mask must be a bool"):
        x.masked_fill(ag.tensor([1.0, 0.0, 1.0]), 0.0)
    with pytest.raises(RuntimeError, match="masked_fill: mask of shape"):
        x.masked_fill(ag.tensor(np.ones((3, 2), dtype=bool)), 0.0)
    with pytest.raises(RuntimeError, match="masked_fill_"):
        x.masked_fill_(ag.tensor(np.ones((2, 2, 3), dtype=bool)), 0.0)
    with pytest.raises(RuntimeError, match="gather: index has 1 dimensions"):
        x.gather(1, ag.tensor([0]))
    with pytest.raises(IndexError, match="indices must be integer .* got float64"):
        x[ag.tensor([0.0])]
    with pytest.raises(IndexError, match="getitem: index 5 is out of bounds"):
        x[ag.tensor([5])]


@quick
@given(shapes, seeds, st.data())
def test_scatter_reduce_against_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    idx = index_like(rng, shape, d % len(shape), shape[d], data.draw(st.booleans()))
    src = distinct(rng, idx.shape)
    reduce = data.draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"]))
    include = data.draw(st.booleans())
    if reduce in ("amax", "amin") and data.draw(st.booleans()):
        src = np.round(src)                            # ties between src elements
        a = np.round(a)
    if reduce == "prod" and data.draw(st.booleans()):
        src.reshape(-1)[rng.integers(0, src.size)] = 0.0   # zeros: no division
    ia, it = ag.tensor(idx), torch.tensor(idx)
    compare(lambda lib, x, s: x.scatter_reduce(d, ia if lib is ag else it, s, reduce,
                                               include_self=include), a, src, seed=seed)
    ints = (a * 4).astype(np.int64)
    compare(lambda lib, x, s: lib.scatter_reduce(x, d, ia if lib is ag else it, s, reduce,
                                                 include_self=include),
            ints, (src * 4).astype(np.int64), grad=False)


def test_scatter_reduce_errors_and_name():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.scatter_reduce(0, ag.tensor([0, 0]), x, "amax")
    assert y.grad_fn.name() == "ScatterReduceBackward0"
    with pytest.raises(RuntimeError, match="scatter_reduce: reduce must be"):
        x.scatter_reduce(0, ag.tensor([0]), x, "max")
    assert ag.gradgradcheck(lambda t: t.scatter_reduce(0, ag.tensor([1, 1]), t * 2, "mean") ** 2,
                            [x])


def test_central_differences():
    rng = np.random.default_rng(7)
    x = ag.tensor(distinct(rng, (3, 4)), requires_grad=True)
    s = ag.tensor(distinct(rng, (2, 4)), requires_grad=True)
    idx = ag.tensor(np.array([[0, 2, 1, 0], [2, 2, 0, 1]]))
    for f, ins in [(lambda t: t.gather(0, idx), [x]),
                   (lambda t, u: t.scatter_add(0, idx, u), [x, s]),
                   (lambda t, u: t.scatter(1, ag.tensor([[3, 1], [0, 2]]), u), [x, s]),
                   (lambda t, u: t.index_add(0, ag.tensor([2, 2]), u), [x, s]),
                   (lambda t, u: t.scatter_reduce(0, idx, u, "prod"), [x, s]),
                   (lambda t, u: t.scatter_reduce(0, idx, u, "amin", include_self=False), [x, s]),
                   (lambda t: t.masked_select(t > 0), [x]), (lambda t: t.take(idx), [x])]:
        assert ag.gradcheck(f, ins)
