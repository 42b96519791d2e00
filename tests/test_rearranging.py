"""Rearranging ops against PyTorch (float64 values and gradients, rtol 1e-10) on generated
shapes (0-d, size-1 and empty axes): flips, rolls, repeats, splits, triangles, diagonals,
dimension moves, windows, grids, einsum, outer and cross products, nn.functional.pad and
one_hot; second derivatives; bad arguments raise as PyTorch."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reductions import compare, distinct

import autograd as ag
import nn

torch = pytest.importorskip("torch")
F = nn.functional
TF = torch.nn.functional

seeds = st.integers(0, 2**32 - 1)
shapes0 = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
shapes1 = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
quick = settings(deadline=None, max_examples=30)


def fn(lib):
    return F if lib is ag else TF


@quick
@given(shapes0, seeds, st.data())
def test_flip_roll_repeat_tile(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    nd = len(shape)
    dims = tuple(data.draw(st.sets(st.integers(0, nd - 1), max_size=nd))) if nd else ()
    compare(lambda lib, x: x.flip(dims), a, seed=seed)
    compare(lambda lib, x: lib.flip(x, dims), a, seed=seed)
    shift = data.draw(st.integers(-5, 5))
    compare(lambda lib, x: x.roll(shift), a, seed=seed)
    if nd:
        compare(lambda lib, x: x.roll((shift, 1), (0, -1)), a, seed=seed)
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=max(nd, 1), max_size=nd + 1)))
    compare(lambda lib, x: x.repeat(*reps), a, seed=seed)
    compare(lambda lib, x: x.tile(reps[:1]), a, seed=seed)
    compare(lambda lib, x: lib.tile(x, reps), a, seed=seed)
    r = data.draw(st.integers(0, 3))
    compare(lambda lib, x: x.repeat_interleave(r), a, seed=seed)
    if nd:
        d = data.draw(st.integers(-nd, nd - 1))
        compare(lambda lib, x: x.repeat_interleave(r, dim=d), a, seed=seed)
        counts = rng.integers(0, 3, size=shape[d]).astype(np.int64)
        compare(lambda lib, x: x.repeat_interleave(lib.tensor(counts), dim=d), a, seed=seed)


@quick
@given(shapes1, seeds, st.data())
def test_split_chunk_unbind_narrow(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[d]
    size = data.draw(st.integers(1, n + 1))
    compare(lambda lib, x: x.split(size, d), a, seed=seed)
    cuts = sorted(rng.integers(0, n + 1, size=2))
    sizes = [int(cuts[0]), int(cuts[1] - cuts[0]), int(n - cuts[1])]
    compare(lambda lib, x: lib.split(x, sizes, dim=d), a, seed=seed)
    k = data.draw(st.integers(1, 5))
    compare(lambda lib, x: x.chunk(k, d), a, seed=seed)
    compare(lambda lib, x: x.unbind(d), a, seed=seed)
    start = data.draw(st.integers(-n, n - 1))
    length = data.draw(st.integers(0, n - start % n))
    compare(lambda lib, x: x.narrow(d, start, length), a, seed=seed)


@quick
@given(hnp.array_shapes(min_dims=2, max_dims=4, min_side=0, max_side=4), seeds, st.data())
def test_triangles_and_diagonals(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    k = data.draw(st.integers(-4, 4))
    compare(lambda lib, x: x.tril(k), a, seed=seed)
    compare(lambda lib, x: lib.triu(x, k), a, seed=seed)
    d1, d2 = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=2,
                                max_size=2, unique_by=lambda v: v % len(shape)))
    compare(lambda lib, x: x.diagonal(k, d1, d2), a, seed=seed)
    compare(lambda lib, x: lib.diagonal(x, offset=k), a, seed=seed)
    m = a.reshape(a.shape[0], -1) if a.size else np.zeros((shape[0], 0))
    compare(lambda lib, x: x.trace(), m, seed=seed)
    compare(lambda lib, x: x.diag(k), m, seed=seed)
    compare(lambda lib, x: x.diag(k), m.reshape(-1), seed=seed)


@quick
@given(shapes0, seeds, st.data())
def test_flatten_unflatten_movedim_swap(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    nd = len(shape)
    if nd:
        s = data.draw(st.integers(-nd, nd - 1))
        e = data.draw(st.integers(s % nd, nd - 1))
        compare(lambda lib, x: x.flatten(s, e), a, seed=seed)
        compare(lambda lib, x: x.unflatten(s, (1, shape[s], 1)), a, seed=seed)
        compare(lambda lib, x: x.unflatten(s, (-1, 1)), a, seed=seed)
        src = data.draw(st.integers(-nd, nd - 1))
        dst = data.draw(st.integers(-nd, nd - 1))
        compare(lambda lib, x: x.movedim(src, dst), a, seed=seed)
        compare(lambda lib, x: lib.moveaxis(x, src, dst), a, seed=seed)
        compare(lambda lib, x: x.swapaxes(src, dst), a, seed=seed)
        compare(lambda lib, x: lib.swapdims(x, src, dst), a, seed=seed)
        if nd >= 2:
            compare(lambda lib, x: x.movedim((0, 1), (-1, 0)), a, seed=seed)
    compare(lambda lib, x: x.flatten(), a, seed=seed)
    compare(lambda lib, x: lib.flatten(x), a, seed=seed)
    compare(lambda lib, x: x.contiguous() * 2, a, seed=seed)
    compare(lambda lib, x: x.view_as(lib.zeros(a.size)), a, seed=seed)
    compare(lambda lib, x: x.reshape_as(lib.zeros(a.size, 1)), a, seed=seed)
    target = (2,) + shape
    compare(lambda lib, x: x.broadcast_to(target), a, seed=seed)
    compare(lambda lib, x: lib.broadcast_to(x, target), a, seed=seed)


@quick
@given(shapes1, seeds, st.data())
def test_unfold_windows(shape, seed, data):
    a = distinct(np.random.default_rng(seed), shape)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = data.draw(st.integers(0, shape[d]))
    step = data.draw(st.integers(1, 3))
    compare(lambda lib, x: x.unfold(d, size, step), a, seed=seed)


@quick
@given(seeds, st.data())
def test_outer_cross_meshgrid(seed, data):
    rng = np.random.default_rng(seed)
    n, m = data.draw(st.integers(0, 4)), data.draw(st.integers(0, 4))
    u, v = distinct(rng, (n,)), distinct(rng, (m,))
    compare(lambda lib, x, y: x.outer(y), u, v, seed=seed)
    compare(lambda lib, x, y: lib.outer(x, y), u, v, seed=seed)
    for ij in ("ij", "xy"):
        compare(lambda lib, x, y: lib.meshgrid(x, y, indexing=ij), u, v, seed=seed)
        compare(lambda lib, x, y, z: lib.meshgrid(x, y, z, indexing=ij), u, v, u[:2],
                seed=seed)
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    b = distinct(rng, shape + (3,))
    c = distinct(rng, (3,))
    compare(lambda lib, x, y: lib.linalg.cross(x, y) if lib is torch else x.cross(y, dim=-1),
            b, np.broadcast_to(c, b.shape).copy(), seed=seed)
    compare(lambda lib, x, y: lib.cross(x, y, dim=-1), b, c * np.ones_like(b), seed=seed)


EQUATIONS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii->", [(3, 3)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]), ("i,i->", [(4,), (4,)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]), ("...i,...i", [(2, 3), (3,)]),
    ("iij,jk->ik", [(3, 3, 2), (2, 4)]), ("ij,ij,ij->i", [(2, 3)] * 3),
    ("ijk,jl,kl->il", [(2, 3, 4), (3, 5), (4, 5)]), ("i,j,k->", [(2,), (3,), (1,)]),
    ("ab,cd->abcd", [(2, 1), (1, 3)]), ("i->", [(0,)]), ("ij,j->i", [(0, 3), (3,)]),
    ("ba,ab->", [(2, 3), (3, 2)]), ("iji->j", [(2, 3, 2)]),
]


@pytest.mark.parametrize("eq, shapes", EQUATIONS)
def test_einsum_against_torch(eq, shapes):
    rng = np.random.default_rng(len(eq))
    arrays = [distinct(rng, s) for s in shapes]
    compare(lambda lib, *xs: lib.einsum(eq, *xs), *arrays)
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    if all(a.size for a in arrays) and len(eq) < 14:
        assert ag.gradgradcheck(lambda *ts: ag.einsum(eq, *ts) ** 2, xs)


@quick
@given(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), seeds, st.data())
def test_pad_modes_against_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = distinct(rng, shape)
    k = data.draw(st.integers(1, min(len(shape), 3)))
    small = [min(s - 1, 2) for s in shape[::-1][:k]]
    pads = []
    for s in small:
        pads += [data.draw(st.integers(0, s)), data.draw(st.integers(0, s))]
    compare(lambda lib, x: fn(lib).pad(x, pads), a, seed=seed)
    compare(lambda lib, x: fn(lib).pad(x, pads, value=-1.5), a, seed=seed)
    neg = [-p for p in pads]
    if all(pads[2 * i] + pads[2 * i + 1] <= shape[-1 - i] for i in range(k)):
        compare(lambda lib, x: fn(lib).pad(x, neg), a, seed=seed)
    else:
        with pytest.raises(RuntimeError, match="pad: cropping"):
            F.pad(ag.tensor(a), neg)
    batch = a.reshape((1,) * (k + 1 - len(shape)) + shape) if len(shape) <= k else a
    if len(batch.shape) in (k + 1, k + 2):
        for mode in ("reflect", "replicate", "circular"):
            compare(lambda lib, x: fn(lib).pad(x, pads, mode=mode), batch, seed=seed)


def test_one_hot_as_torch():
    labels = np.array([[0, 3], [1, 1]], dtype=np.int64)
    compare(lambda lib, x: fn(lib).one_hot(x), labels, grad=False)
    compare(lambda lib, x: fn(lib).one_hot(x, 6), labels, grad=False)
    compare(lambda lib, x: fn(lib).one_hot(x, 3), np.zeros(0, dtype=np.int64), grad=False)
    with pytest.raises(RuntimeError, match="one_hot: expected an int64"):
        F.one_hot(ag.tensor([1.0]))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(ag.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(ag.tensor([-1]))


def test_second_derivatives():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    for f in [lambda t: t.flip(0) * t, lambda t: t.roll(1, 1) * t, lambda t: t.repeat(2, 1) ** 2,
              lambda t: t.tril(1) * t, lambda t: t.diagonal() ** 3, lambda t: t[:3, :3].trace()
              * t, lambda t: F.pad(t, (1, 2, 0, 1)) ** 2, lambda t: t.unfold(1, 2, 1) ** 2,
              lambda t: F.pad(t.unsqueeze(0), (2, 1), mode="reflect") ** 2,
              lambda t: t.split(2, 1)[1] ** 2]:
        assert ag.gradgradcheck(f, [x])
    v = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert ag.gradgradcheck(lambda t: t[0].cross(t[1], dim=0) ** 2, [v])


def test_grad_fn_names_as_torch():
    a = np.arange(12.0).reshape(3, 4)
    for f in [lambda L, x: x.flip(0), lambda L, x: x.roll(1), lambda L, x: x.repeat(2, 1),
              lambda L, x: x.tile((2,)), lambda L, x: x.tril(), lambda L, x: x.triu(1),
              lambda L, x: x.diagonal(), lambda L, x: x.trace(), lambda L, x: x[0].diag(),
              lambda L, x: x.narrow(1, 0, 2), lambda L, x: x.split(2, 1)[0],
              lambda L, x: x.chunk(2)[0], lambda L, x: x.unbind(1)[0],
              lambda L, x: x.unfold(1, 2, 1), lambda L, x: x.movedim(0, 1),
              lambda L, x: x.swapaxes(0, 1), lambda L, x: x.flatten(),
              lambda L, x: x.broadcast_to(2, 3, 4),
              lambda L, x: (TF if L is torch else F).pad(x, (1, 1)),
              lambda L, x: fn(L).pad(x[None], (1, 1), mode="reflect"),
              lambda L, x: fn(L).pad(x[None, None], (1, 1, 1, 1), mode="replicate"),
              lambda L, x: fn(L).pad(x[None], (1, 1), mode="circular")]:
        ours = f(ag, ag.tensor(a, requires_grad=True)).grad_fn.name()
        theirs = type(f(torch, torch.tensor(a, requires_grad=True)).grad_fn).__name__
        assert ours == theirs, (ours, theirs)


def test_errors():
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(IndexError, match="flip: dim 2"):
        x.flip(2)
    with pytest.raises(RuntimeError, match="repeat: 1 repeat counts"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match="split: sizes"):
        x.split([1, 1], 1)
    with pytest.raises(IndexError, match="narrow: start 2 and length 2"):
        x.narrow(1, 2, 2)
    with pytest.raises(RuntimeError, match="tril: expected a tensor with at least 2"):
        x[0].tril()
    with pytest.raises(RuntimeError, match="unflatten: sizes"):
        x.unflatten(1, (2, 2))
    with pytest.raises(RuntimeError, match="unfold: size 4"):
        x.unfold(1, 4, 1)
    with pytest.raises(RuntimeError, match="cross: dimension 0 has size 2, expected 3"):
        x.cross(x, dim=0)
    with pytest.raises(ValueError, match="einsum: the equation"):
        ag.einsum("ij,jk->ik", x)
    with pytest.raises(ValueError, match="pad: the padding"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(RuntimeError, match="reflect padding"):
        F.pad(x.unsqueeze(0), (3, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="einsum"):
        ag.einsum("ij,jk->ik", x, ag.zeros(4, 2))


def test_central_differences():
    rng = np.random.default_rng(7)
    x = ag.tensor(distinct(rng, (3, 4)), requires_grad=True)
    y = ag.tensor(distinct(rng, (4, 2)), requires_grad=True)
    for f, ins in [(lambda t: t.flip(0, 1), [x]), (lambda t: t.roll(2), [x]),
                   (lambda t: t.repeat_interleave(2, 0), [x]), (lambda t: t.triu(-1), [x]),
                   (lambda t: t.diagonal(1), [x]), (lambda t: t.unfold(0, 2, 1), [x]),
                   (lambda t: F.pad(t[None], (2, 2), mode="circular"), [x]),
                   (lambda t: F.pad(t[None, None], (1, 1, 2, 0), mode="replicate"), [x]),
                   (lambda t: F.pad(t, (-1, 2, 1, -1), value=3.0), [x]),
                   (lambda t, u: ag.einsum("ij,jk->ik", t, u), [x, y]),
                   (lambda t, u: ag.einsum("ij,jk,ik->k", t, u, t @ u), [x, y]),
                   (lambda t: t[:, :3].cross(t[:, 1:], dim=1), [x])]:
        assert ag.gradcheck(f, ins)
