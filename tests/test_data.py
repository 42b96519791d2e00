"""autograd.utils.data: datasets, samplers, collation and the DataLoader, as torch.utils.data.

The tests named `..._matches_torch` compare with PyTorch where it is installed (they skip
otherwise), on everything that does not depend on the random numbers: lengths, batch
boundaries, collated structure, shapes and dtypes, random_split's sizes.
"""
from __future__ import annotations

import collections
import warnings
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd.utils import data
from autograd.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def make_dataset(n: int) -> TensorDataset:
    """Sample i is (x_i of shape (2, 3) float32 with x_i[0, 0] == i, label i as int64)."""
    x = np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3) / 6
    return TensorDataset(autograd.from_numpy(x), autograd.arange(n))


def labels(loader: Any) -> list[int]:
    return [i for _, y in loader for i in y.tolist()]


def assert_same_batch(a: Any, b: Any) -> None:
    """Equal structure, types, shapes, dtypes and values (Tensors compared exactly)."""
    assert type(a) is type(b)
    if isinstance(a, autograd.Tensor):
        assert a.shape == b.shape and a.dtype == b.dtype and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same_batch(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same_batch(x, y)
    else:
        assert a == b


class Point(NamedTuple):
    x: Any
    y: Any


# ==================================================================== datasets
def test_tensor_dataset_items_len_and_getitems():
    ds = make_dataset(5)
    assert len(ds) == 5
    x, y = ds[3]
    assert x.shape == (2, 3) and float(x[0, 0].item()) == 3.0 and y.item() == 3
    assert isinstance(ds[3], tuple)
    xb, yb = ds.__getitems__([4, 0, -1])
    assert isinstance(ds.__getitems__([1]), tuple)
    assert xb.shape == (3, 2, 3) and yb.tolist() == [4, 0, 4]
    assert xb.dtype == np.float32 and yb.dtype == np.int64
    assert ds.__getitems__([])[1].shape == (0,)
    with pytest.raises(IndexError):
        ds[5]
    with pytest.raises(IndexError):
        ds.__getitems__([0, 5])


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"\[5, 4\]"):
        TensorDataset(autograd.zeros(5, 2), autograd.zeros(4))
    with pytest.raises(TypeError, match=r"tensors\[1\] is a ndarray.*from_numpy"):
        TensorDataset(autograd.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(autograd.tensor(1.0))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(TypeError, match="integer indices"):
        make_dataset(3).__getitems__([0.5])


def test_dataset_base_and_add():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    a, b = make_dataset(3), make_dataset(2)
    both = a + b
    assert isinstance(both, ConcatDataset) and len(both) == 5
    assert both[3][1].item() == 0


def test_subset_indexing():
    ds = make_dataset(10)
    sub = Subset(ds, [7, 2, 9])
    assert len(sub) == 3
    assert sub[0][1].item() == 7 and sub[-1][1].item() == 9 and sub[-3][1].item() == 7
    assert sub[[2, 0]][1].tolist() == [9, 7]
    for bad in (3, -4):
        with pytest.raises(IndexError):
            sub[bad]
    xb, yb = sub.__getitems__([1, 2, -1])          # through to TensorDataset: a collated batch
    assert yb.tolist() == [2, 9, 9] and xb.shape == (3, 2, 3)
    plain = Subset(list("abcdef"), [5, 0])
    assert plain.__getitems__([0, 1]) == ["f", "a"] and plain[-1] == "a"


def test_concat_dataset_indexing():
    a, b, c = list("abc"), list("de"), list("fghi")
    cat = ConcatDataset([a, b, c])
    assert len(cat) == 9 and cat.cumulative_sizes == [3, 5, 9]
    assert "".join(cat[i] for i in range(9)) == "abcdefghi"
    assert "".join(cat[i] for i in range(-9, 0)) == "abcdefghi"
    for bad in (9, 10, -10):
        with pytest.raises(IndexError, match="out of range"):
            cat[bad]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])

    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(3))

    with pytest.raises(TypeError, match="ChainDataset"):
        ConcatDataset([a, Stream()])


def test_concat_dataset_through_the_loader():
    cat = make_dataset(3) + make_dataset(4)
    assert labels(DataLoader(cat, batch_size=3)) == [0, 1, 2, 0, 1, 2, 3]


# ==================================================================== the loader
@given(n=st.integers(0, 60), batch_size=st.integers(1, 25), drop_last=st.booleans(),
       shuffle=st.booleans())
def test_loader_lengths_and_batches(n, batch_size, drop_last, shuffle):
    loader = DataLoader(make_dataset(n), batch_size=batch_size, drop_last=drop_last,
                        shuffle=shuffle if n else False)
    batches = list(loader)
    full, rest = divmod(n, batch_size)
    assert len(loader) == len(batches) == full + (rest > 0 and not drop_last)
    assert len(iter(loader)) == len(loader)
    sizes = [len(y) for _, y in batches]
    assert all(s == batch_size for s in sizes[:full])
    if rest and not drop_last:
        assert sizes[-1] == rest                    # the last, partial batch
    got = [i for _, y in batches for i in y.tolist()]
    if not shuffle:
        assert got == list(range(full * batch_size if drop_last else n))
    elif not drop_last:
        assert sorted(got) == list(range(n))
    for x, y in batches:
        assert x.shape == (len(y), 2, 3) and x.dtype == np.float32 and y.dtype == np.int64
        np.testing.assert_array_equal(x.numpy()[:, 0, 0], y.numpy())


def test_batch_size_none_yields_samples():
    ds = make_dataset(4)
    loader = DataLoader(ds, batch_size=None)
    samples = list(loader)
    assert len(loader) == 4 and len(samples) == 4
    x, y = samples[2]
    assert isinstance(samples[2], list)            # default_convert: tuples become lists
    assert x.shape == (2, 3) and y.shape == () and y.item() == 2
    assert sorted(s[1].item() for s in DataLoader(ds, batch_size=None, shuffle=True)) == \
        [0, 1, 2, 3]
    arrays = list(DataLoader([np.ones(2), np.zeros(2)], batch_size=None))
    assert all(isinstance(a, autograd.Tensor) and a.shape == (2,) for a in arrays)


@given(n=st.integers(1, 80), batch_size=st.integers(1, 30))
def test_shuffle_covers_every_index_once_per_epoch(n, batch_size):
    loader = DataLoader(make_dataset(n), batch_size=batch_size, shuffle=True)
    for _ in range(2):
        got = labels(loader)
        assert sorted(got) == list(range(n))


def test_each_epoch_is_a_fresh_permutation():
    loader = DataLoader(make_dataset(50), batch_size=8, shuffle=True)
    autograd.manual_seed(3)
    epochs = [labels(loader) for _ in range(3)]
    assert epochs[0] != epochs[1] != epochs[2]
    assert all(sorted(e) == list(range(50)) for e in epochs)


def test_shuffle_reproducible_under_manual_seed():
    loader = DataLoader(make_dataset(40), batch_size=6, shuffle=True)
    autograd.manual_seed(0)
    first = [labels(loader) for _ in range(2)]
    autograd.manual_seed(0)
    second = [labels(loader) for _ in range(2)]
    assert first == second
    autograd.manual_seed(1)
    assert labels(loader) != first[0]


def test_order_is_drawn_when_the_iterator_is_created():
    loader = DataLoader(make_dataset(30), batch_size=4, shuffle=True)
    autograd.manual_seed(5)
    expected = labels(loader)
    autograd.manual_seed(5)
    it = iter(loader)
    autograd.manual_seed(99)                       # too late to change this epoch
    assert labels(it) == expected


def test_generator_is_honoured():
    ds = make_dataset(30)
    a = labels(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(7)))
    b = labels(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(7)))
    c = labels(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(8)))
    assert a == b != c
    autograd.manual_seed(2)
    untouched = autograd.generator().random()
    autograd.manual_seed(2)
    labels(DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(7)))
    assert autograd.generator().random() == untouched     # the global generator was not used
    for sampler in (RandomSampler(ds, generator=np.random.default_rng(1)),
                    SubsetRandomSampler(range(30), generator=np.random.default_rng(1))):
        assert list(sampler) != list(range(30))
    with pytest.raises(TypeError, match="generator must be an autograd.Generator, a numpy"):
        DataLoader(ds, shuffle=True, generator=0)
    with pytest.raises(TypeError, match="got int"):
        RandomSampler(ds, generator=0)


DATASETS = {
    "tensor_dataset": lambda n: make_dataset(n),
    "subset": lambda n: Subset(make_dataset(n + 3), list(range(n + 2, 2, -1))),
    "subset_of_subset": lambda n: Subset(Subset(make_dataset(n), np.arange(n)[::-1]),
                                         list(range(n))),
    "requires_grad": lambda n: TensorDataset(autograd.randn(n, 2, requires_grad=True),
                                             autograd.arange(n)),
    "tensor": lambda n: autograd.randn(n, 3),
    "ndarray": lambda n: np.arange(n * 2, dtype=np.int32).reshape(n, 2),
}


@given(kind=st.sampled_from(sorted(DATASETS)), n=st.integers(1, 40),
       batch_size=st.integers(1, 12), drop_last=st.booleans(), shuffle=st.booleans(),
       seed=st.integers(0, 2 ** 32 - 1))
def test_fast_path_equals_per_sample_path(kind, n, batch_size, drop_last, shuffle, seed):
    ds = DATASETS[kind](n)
    batches = []
    for collate_fn in (None, lambda b: default_collate(b)):     # a lambda forces per-sample
        autograd.manual_seed(seed)
        batches.append(list(DataLoader(ds, batch_size=batch_size, shuffle=shuffle,
                                       drop_last=drop_last, collate_fn=collate_fn)))
    assert len(batches[0]) == len(batches[1])
    for fast, slow in zip(*batches):
        assert_same_batch(fast, slow)


def test_fast_path_makes_one_getitems_call_per_batch():
    calls = collections.Counter()

    class Counting(TensorDataset):
        def __getitem__(self, index):
            calls["getitem"] += 1
            return super().__getitem__(index)

        def __getitems__(self, indices):
            calls["getitems"] += 1
            assert isinstance(indices, np.ndarray) and indices.dtype == np.int64
            return super().__getitems__(indices)

    ds = Counting(*make_dataset(100).tensors)
    loader = DataLoader(ds, batch_size=16, shuffle=True)
    assert len(list(loader)) == 7
    assert calls == {"getitems": 7}
    calls.clear()
    list(DataLoader(Subset(ds, range(50)), batch_size=16))
    assert calls == {"getitems": 4}


def test_batches_are_copies_and_carry_the_graph():
    x = autograd.randn(6, 2, requires_grad=True)
    xb, yb = next(iter(DataLoader(TensorDataset(x, autograd.arange(6)), batch_size=3)))
    assert xb.requires_grad
    (xb * autograd.tensor([1.0, 2.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 2]] * 3 + [[0, 0]] * 3)
    ds = make_dataset(4)
    before = ds.tensors[0].numpy().copy()
    xb, yb = next(iter(DataLoader(ds, batch_size=4, shuffle=True)))
    xb.numpy()[...] = -1
    yb.numpy()[...] = -1
    np.testing.assert_array_equal(ds.tensors[0].numpy(), before)
    assert ds.tensors[1].tolist() == [0, 1, 2, 3]


def test_changed_getitem_is_respected():
    class Doubled(TensorDataset):                  # a transform in __getitem__ only
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            return x * 2, y

    ds = Doubled(*make_dataset(10).tensors)
    for loader in (DataLoader(ds, batch_size=4), DataLoader(Subset(ds, range(10)), batch_size=4)):
        x, y = next(iter(loader))
        np.testing.assert_array_equal(x.numpy()[:, 0, 0], 2 * y.numpy())


def test_user_getitems_keeps_pytorchs_contract():
    class Squares(Dataset):
        calls = 0

        def __len__(self):
            return 10

        def __getitem__(self, i):
            raise AssertionError("the loader should use __getitems__")

        def __getitems__(self, indices):
            Squares.calls += 1
            return [(i, float(i * i)) for i in indices]     # a list of samples

    i, sq = next(iter(DataLoader(Squares(), batch_size=4)))
    assert i.tolist() == [0, 1, 2, 3] and sq.tolist() == [0.0, 1.0, 4.0, 9.0]
    assert Squares.calls == 1
    assert len(list(DataLoader(Squares(), batch_size=4, shuffle=True))) == 3


def test_custom_collate_receives_a_list_of_samples():
    seen = []

    def collate(batch):
        seen.append(batch)
        return len(batch)

    ds = make_dataset(7)
    for dataset in (ds, Subset(ds, range(7))):
        seen.clear()
        assert list(DataLoader(dataset, batch_size=3, collate_fn=collate)) == [3, 3, 1]
        assert isinstance(seen[0], list) and len(seen[0]) == 3
        assert all(isinstance(s, tuple) and len(s) == 2 for s in seen[0])
    assert list(DataLoader(ds, batch_size=None, collate_fn=lambda s: s[1].item())) == \
        list(range(7))


def test_sampler_and_batch_sampler_arguments():
    ds = make_dataset(10)
    assert labels(DataLoader(ds, batch_size=3, sampler=[9, 0, 4, 4])) == [9, 0, 4, 4]
    assert len(DataLoader(ds, batch_size=3, sampler=[9, 0, 4, 4])) == 2
    assert labels(DataLoader(ds, batch_size=2, sampler=SequentialSampler(ds))) == list(range(10))
    sub = SubsetRandomSampler([1, 3, 5, 7])
    loader = DataLoader(ds, batch_size=3, sampler=sub)
    assert len(loader) == 2 and sorted(labels(loader)) == [1, 3, 5, 7]
    batches = [[0, 1], [5], [9, 8, 7]]
    loader = DataLoader(ds, batch_sampler=batches)
    assert len(loader) == 3 and [y.tolist() for _, y in loader] == batches
    loader = DataLoader(ds, batch_sampler=BatchSampler(RandomSampler(ds), 4, drop_last=True))
    assert len(loader) == 2 and [len(y) for _, y in loader] == [4, 4]

    class Keys(Dataset):                           # non-integral keys, as PyTorch allows
        def __getitem__(self, key):
            return {"key": key, "value": len(key)}

    got = list(DataLoader(Keys(), batch_size=2, sampler=["a", "bb", "ccc"]))
    assert got[0]["key"] == ["a", "bb"] and got[0]["value"].tolist() == [1, 2]
    assert got[1]["key"] == ["ccc"]
    got = list(DataLoader(Keys(), batch_size=2, sampler=SubsetRandomSampler(["a", "bb", "c"])))
    assert sorted(k for b in got for k in b["key"]) == ["a", "bb", "c"]
    assert sorted(v for b in got for v in b["value"].tolist()) == [1, 1, 2]
    keys = list(SubsetRandomSampler(["a", 7, ("t",)]))
    assert len(keys) == 3 and set(keys) == {"a", 7, ("t",)}


def test_plain_sequences_as_datasets():
    assert [b.tolist() for b in DataLoader(list(range(5)), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert [b.tolist() for b in DataLoader(range(5), batch_size=3)] == [[0, 1, 2], [3, 4]]


def test_workers_and_pinning_accepted():
    ds = make_dataset(20)
    called = []
    autograd.manual_seed(4)
    plain = labels(DataLoader(ds, batch_size=3, shuffle=True))
    autograd.manual_seed(4)
    loader = DataLoader(ds, batch_size=3, shuffle=True, num_workers=4, pin_memory=True,
                        worker_init_fn=called.append, persistent_workers=True,
                        prefetch_factor=4, timeout=5)
    assert labels(loader) == plain and called == []      # all in the main process
    assert loader.prefetch_factor == 4 and DataLoader(ds, num_workers=2).prefetch_factor == 2
    assert data.get_worker_info() is None


def test_attributes_like_pytorch():
    ds = make_dataset(5)
    loader = DataLoader(ds, batch_size=2, drop_last=True)
    assert loader.batch_size == 2 and loader.drop_last is True and loader.dataset is ds
    assert isinstance(loader.sampler, SequentialSampler)
    assert isinstance(loader.batch_sampler, BatchSampler) and loader.collate_fn is default_collate
    assert isinstance(DataLoader(ds, shuffle=True).sampler, RandomSampler)
    unbatched = DataLoader(ds, batch_size=None)
    assert unbatched.batch_sampler is None and unbatched.collate_fn is default_convert
    custom = DataLoader(ds, batch_sampler=[[0]])
    assert custom.batch_size is None and custom.drop_last is False
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 4
    loader.num_workers = 1                         # the others may change, as in PyTorch


BAD_LOADERS = [
    (dict(batch_size=0), "batch_size should be a positive integer value, but got batch_size=0"),
    (dict(batch_size=-2), "batch_size=-2"),
    (dict(batch_size=2.5), "batch_size=2.5"),
    (dict(drop_last=None, batch_size=2), "drop_last should be a boolean"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], batch_size=None), "batch_sampler option is mutually exclusive"),
    (dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_size=None, drop_last=True), "mutually exclusive with drop_last"),
    (dict(num_workers=-1), "num_workers option should be a non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified"),
    (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
]


@pytest.mark.parametrize("kwargs, message", BAD_LOADERS)
def test_loader_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("*", r"\*")):
        DataLoader(make_dataset(4), **kwargs)


@pytest.mark.parametrize("kwargs, message", BAD_LOADERS)
def test_loader_argument_errors_match_torch(torch, kwargs, message):
    tds = torch.utils.data.TensorDataset(torch.zeros(4))
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(tds, **kwargs)


# ==================================================================== samplers
def test_random_sampler_options():
    ds = list(range(10))
    autograd.manual_seed(0)
    draws = list(RandomSampler(ds, replacement=True, num_samples=25))
    assert len(draws) == 25 and all(0 <= d < 10 for d in draws)
    many = list(RandomSampler(ds, num_samples=23))
    assert len(many) == 23 and len(RandomSampler(ds, num_samples=23)) == 23
    counts = collections.Counter(many)
    assert set(counts) == set(range(10)) and set(counts.values()) <= {2, 3}
    assert sorted(many[:10]) == list(range(10)) and len(set(many[20:])) == 3
    few = list(RandomSampler(ds, num_samples=4))
    assert len(set(few)) == 4
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(ds, replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but "
                                         "got num_samples=0"):
        RandomSampler(ds, num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        DataLoader([], shuffle=True)               # as in PyTorch: nothing to shuffle


def test_weighted_random_sampler():
    autograd.manual_seed(0)
    w = [0.0, 1.0, 3.0, 0.0]
    draws = list(WeightedRandomSampler(w, 400))
    assert len(draws) == 400 and set(draws) == {1, 2}
    assert 0.6 < draws.count(2) / 400 < 0.9
    assert sorted(WeightedRandomSampler(w, 2, replacement=False)) == [1, 2]
    assert sorted(WeightedRandomSampler(autograd.tensor([1.0, 1.0]), 2, replacement=False)) \
        == [0, 1]
    with pytest.raises(ValueError, match="num_samples=0"):
        WeightedRandomSampler(w, 0)
    with pytest.raises(ValueError, match="replacement should be a boolean"):
        WeightedRandomSampler(w, 2, replacement=None)
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler(w, 3, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([1.0, -1.0], 2)
    with pytest.raises(ValueError, match="1-d"):
        WeightedRandomSampler([[1.0]], 2)


@given(n=st.integers(0, 50), batch_size=st.integers(1, 20), drop_last=st.booleans())
def test_batch_sampler(n, batch_size, drop_last):
    for sampler in (SequentialSampler(range(n)), range(n), list(range(n)), iter(range(n))):
        batches = list(BatchSampler(sampler, batch_size, drop_last))
        assert all(isinstance(b, list) for b in batches)
        assert [i for b in batches for i in b] == \
            list(range(n - n % batch_size if drop_last else n))
        if not isinstance(sampler, type(iter(range(0)))):
            assert len(BatchSampler(sampler, batch_size, drop_last)) == len(batches)


def test_batch_sampler_errors():
    for bad in (0, -1, 1.0, True, None):
        with pytest.raises(ValueError, match=f"batch_size={bad!r}"):
            BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last=1"):
        BatchSampler(range(3), 2, 1)


# ==================================================================== random_split
@given(n=st.integers(0, 60), cuts=st.lists(st.integers(0, 60), max_size=4))
def test_random_split_sizes_and_disjointness(n, cuts):
    points = sorted(min(c, n) for c in cuts)
    # (with n == 1 these lengths read as fractions, as in PyTorch: the sizes come out the same)
    lengths = [b - a for a, b in zip([0] + points, points + [n])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = random_split(list(range(n)), lengths)
    assert [len(p) for p in parts] == lengths
    assert all(isinstance(p, Subset) for p in parts)
    everything = [i for p in parts for i in p.indices]
    assert sorted(everything) == list(range(n))


def test_random_split_fractions():
    parts = random_split(range(10), [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    assert [len(p) for p in random_split(range(11), [0.25, 0.25, 0.5])] == [3, 3, 5]
    assert [len(p) for p in random_split(range(7), [1 / 3] * 3)] == [3, 2, 2]
    with pytest.warns(UserWarning) as record:
        assert [len(p) for p in random_split(range(2), [0.9, 0.05, 0.05])] == [2, 0, 0]
    assert [str(w.message) for w in record] == [
        f"random_split: the split at index {k} has length 0" for k in (1, 2)]


def test_random_split_reproducible():
    a = random_split(range(20), [10, 10], generator=np.random.default_rng(1))
    b = random_split(range(20), [10, 10], generator=np.random.default_rng(1))
    assert [p.indices for p in a] == [p.indices for p in b]
    autograd.manual_seed(3)
    c = random_split(range(20), [0.5, 0.5])
    autograd.manual_seed(3)
    assert [p.indices for p in random_split(range(20), [0.5, 0.5])] == [p.indices for p in c]


def test_random_split_errors():
    with pytest.raises(ValueError, match=r"the lengths \[3, 3\] sum to 6, but the dataset has 5"):
        random_split(range(5), [3, 3])
    with pytest.raises(ValueError, match="sum to 0.8"):
        random_split(range(5), [0.5, 0.3])
    with pytest.raises(ValueError, match=r"lengths\[0\] is -1"):
        random_split(range(5), [-1, 6])
    with pytest.raises(ValueError, match=r"lengths\[0\] is 2.5.*sum to 5.0"):
        random_split(range(5), [2.5, 2.5])
    with pytest.raises(ValueError, match="fraction at index 0 is 1.5"):
        random_split(range(5), [1.5, -0.5])


# ==================================================================== collation
def test_collate_numbers_and_arrays():
    ints, floats, bools = default_collate([1, 2, 3]), default_collate([1.5, 2.0]), \
        default_collate([True, False])
    assert ints.dtype == np.int64 and ints.tolist() == [1, 2, 3]
    assert floats.dtype == np.float64 and bools.dtype == np.bool_
    arr = default_collate([np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)])
    assert isinstance(arr, autograd.Tensor) and arr.shape == (2, 2, 3) and arr.dtype == np.float32
    scalars = default_collate([np.float32(1), np.float32(2)])
    assert scalars.shape == (2,) and scalars.dtype == np.float32
    assert default_collate([np.uint8(1), np.uint8(2)]).dtype == np.uint8
    stacked = default_collate([autograd.zeros(3), autograd.ones(3)])
    assert stacked.shape == (2, 3) and stacked.tolist()[1] == [1, 1, 1]
    assert default_collate(["a", "b"]) == ["a", "b"]


def test_collate_structures():
    batch = default_collate([(1, 2.0), (3, 4.0)])
    assert isinstance(batch, list) and batch[0].tolist() == [1, 3]
    nested = default_collate([[1, [2, 3]], [4, [5, 6]]])
    assert isinstance(nested, list) and nested[1][1].tolist() == [3, 6]
    d = default_collate([{"x": np.zeros(2), "y": 0, "name": "a"},
                         {"x": np.ones(2), "y": 1, "name": "b"}])
    assert set(d) == {"x", "y", "name"} and d["x"].shape == (2, 2) and d["name"] == ["a", "b"]
    od = default_collate([collections.OrderedDict(a=1), collections.OrderedDict(a=2)])
    assert isinstance(od, collections.OrderedDict) and od["a"].tolist() == [1, 2]
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 3] and p.y.dtype == np.float64
    mixed = default_collate([(autograd.zeros(2), "s"), (autograd.ones(2), "t")])
    assert mixed[0].shape == (2, 2) and mixed[1] == ("s", "t")


def test_collate_errors():
    with pytest.raises(RuntimeError, match=r"entry 0 has shape \(3,\) and entry 1 has shape "
                                           r"\(4,\)"):
        default_collate([autograd.zeros(3), autograd.zeros(4)])
    with pytest.raises(RuntimeError, match=r"shape \(2, 2\)"):
        default_collate([np.zeros((2, 1)), np.zeros((2, 2))])
    with pytest.raises(RuntimeError, match="equal size, but entry 0 has 2 and entry 1 has 3"):
        default_collate([[1, 2], [1, 2, 3]])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="array of <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(IndexError, match="empty"):
        default_collate([])
    with pytest.raises(RuntimeError, match="shape"):
        list(DataLoader([np.zeros(2), np.zeros(3)], batch_size=2))


def test_default_convert():
    out = default_convert((np.zeros(2), 1, "s", {"a": np.float32(1)}, Point(np.ones(1), 2)))
    assert isinstance(out, list)
    assert isinstance(out[0], autograd.Tensor) and out[1] == 1 and out[2] == "s"
    assert isinstance(out[3]["a"], autograd.Tensor) and out[3]["a"].dtype == np.float32
    assert isinstance(out[4], Point) and isinstance(out[4].x, autograd.Tensor)
    strings = np.array(["a", "b"])
    assert default_convert(strings) is strings


# ==================================================================== iterable datasets
class Count(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_dataset_loader():
    assert [b.tolist() for b in DataLoader(Count(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Count(7), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Count(7), batch_size=3)) == 3
    assert len(DataLoader(Count(7), batch_size=3, drop_last=True)) == 2
    assert list(DataLoader(Count(3), batch_size=None)) == [0, 1, 2]
    chained = Count(2) + Count(3)
    assert isinstance(chained, ChainDataset) and len(chained) == 5
    assert list(chained) == [0, 1, 0, 1, 2]
    for kwargs in (dict(shuffle=True), dict(sampler=np.arange(2)), dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError, match="IterableDataset: expected unspecified"):
            DataLoader(Count(3), **kwargs)


# ==================================================================== against PyTorch
def to_torch(batch: Any, torch: Any) -> Any:
    if isinstance(batch, autograd.Tensor):
        return torch.from_numpy(batch.numpy())
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(to_torch(b, torch) for b in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_torch(b, torch) for b in batch)
    if isinstance(batch, dict):
        return type(batch)((k, to_torch(v, torch)) for k, v in batch.items())
    return batch


def assert_like_torch(ours: Any, theirs: Any, torch: Any) -> None:
    """Same structure (types of containers), shapes, dtypes and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, autograd.Tensor), type(ours)
        assert ours.shape == tuple(theirs.shape)
        assert f"torch.{ours.dtype}" == str(theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, (list, tuple, dict)):
        assert type(ours) is type(theirs), (type(ours), type(theirs))
        assert len(ours) == len(theirs)
        if isinstance(theirs, dict):
            assert list(ours) == list(theirs)
            for k in theirs:
                assert_like_torch(ours[k], theirs[k], torch)
        else:
            for a, b in zip(ours, theirs):
                assert_like_torch(a, b, torch)
    else:
        assert type(ours) is type(theirs) and ours == theirs


@given(n=st.integers(0, 300), batch_size=st.one_of(st.none(), st.integers(1, 64)),
       drop_last=st.booleans(), shuffle=st.booleans())
def test_len_matches_torch(torch, n, batch_size, drop_last, shuffle):
    kwargs = dict(batch_size=batch_size, drop_last=drop_last and batch_size is not None,
                  shuffle=shuffle and n > 0)
    ours, theirs = DataLoader(range(n), **kwargs), torch.utils.data.DataLoader(range(n), **kwargs)
    assert len(ours) == len(theirs)
    if batch_size is not None:
        class TorchCount(torch.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(n))

            def __len__(self):
                return n

        assert len(DataLoader(Count(n), batch_size, drop_last=drop_last)) == \
            len(torch.utils.data.DataLoader(TorchCount(), batch_size, drop_last=drop_last))


@given(n=st.integers(0, 100), batch_size=st.integers(1, 30), drop_last=st.booleans())
def test_batch_sampler_matches_torch(torch, n, batch_size, drop_last):
    ours = list(BatchSampler(SequentialSampler(range(n)), batch_size, drop_last))
    tu = torch.utils.data
    theirs = list(tu.BatchSampler(tu.SequentialSampler(range(n)), batch_size, drop_last))
    assert ours == theirs
    assert len(BatchSampler(range(n), batch_size, drop_last)) == \
        len(tu.BatchSampler(range(n), batch_size, drop_last))


@given(n=st.integers(0, 200), weights=st.lists(st.integers(0, 20), min_size=1, max_size=6))
def test_random_split_lengths_match_torch(torch, n, weights):
    if sum(weights) == 0:
        return
    fractions = [w / sum(weights) for w in weights]
    outcomes = []
    for split, gen in ((random_split, None), (torch.utils.data.random_split, torch.Generator())):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parts = split(range(n), fractions, **({"generator": gen} if gen else {}))
            outcomes.append([len(p) for p in parts])
        except ValueError:
            outcomes.append("ValueError")
    assert outcomes[0] == outcomes[1]


def collate_cases(tensor: Any) -> list:
    """Batches of equivalent samples; `tensor` makes a tensor of the library under test."""
    rng = np.random.default_rng(0)
    return [
        [tensor(rng.standard_normal((2, 3)).astype(np.float32)) for _ in range(4)],
        [(tensor(np.arange(3)), 1, 2.5, True, "s") for _ in range(3)],
        [[np.ones(2), [1, 2]] for _ in range(2)],
        [{"image": np.zeros((1, 2, 2), np.float32), "label": np.int64(i), "id": f"#{i}"}
         for i in range(3)],
        [Point(np.float64(i), {"k": [i, i + 1]}) for i in range(2)],
        [(np.uint8(i), np.bool_(i % 2)) for i in range(3)],
        [collections.OrderedDict(b=1.0, a=(0, False)) for _ in range(2)],
        [3, 4, 5],
    ]


@pytest.mark.parametrize("case", range(8))
def test_default_collate_matches_torch(torch, case):
    ours = default_collate(collate_cases(autograd.from_numpy)[case])
    theirs = torch.utils.data.default_collate(collate_cases(torch.from_numpy)[case])
    assert_like_torch(ours, theirs, torch)


@pytest.mark.parametrize("case", range(8))
def test_default_convert_matches_torch(torch, case):
    ours = default_convert(collate_cases(autograd.from_numpy)[case][0])
    theirs = torch.utils.data.default_convert(collate_cases(torch.from_numpy)[case][0])
    assert_like_torch(ours, theirs, torch)


@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (4, False), (4, True), (None, False),
                                                   (16, False)])
def test_loader_batches_match_torch(torch, batch_size, drop_last):
    ds = make_dataset(10)
    tds = torch.utils.data.TensorDataset(*(torch.from_numpy(t.numpy()) for t in ds.tensors))
    ours = list(DataLoader(ds, batch_size=batch_size, drop_last=drop_last))
    theirs = list(torch.utils.data.DataLoader(tds, batch_size=batch_size, drop_last=drop_last))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_like_torch(a, b, torch)


def test_an_autograd_generator_seeds_the_split_and_the_shuffle():
    """As PyTorch scripts pass a torch.Generator: the same seed gives the same split and order."""
    import autograd
    from autograd.utils.data import DataLoader, TensorDataset, random_split
    ds = TensorDataset(autograd.arange(20))
    splits = [random_split(ds, [15, 5], generator=autograd.Generator().manual_seed(3))
              for _ in range(2)]
    assert splits[0][0].indices == splits[1][0].indices
    assert sorted(splits[0][0].indices + splits[0][1].indices) == list(range(20))
    orders = [[int(v) for (b,) in DataLoader(ds, batch_size=7, shuffle=True,
                                            generator=autograd.Generator().manual_seed(5))
               for v in b.tolist()] for _ in range(2)]
    assert orders[0] == orders[1] and orders[0] != list(range(20))
    with pytest.raises(TypeError, match="generator must be"):
        random_split(ds, [10, 10], generator=5)
