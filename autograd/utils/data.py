"""Datasets, samplers and the DataLoader: PyTorch's `torch.utils.data` for `autograd.Tensor`.

A PyTorch training script keeps working after `torch.utils.data` becomes `autograd.utils.data`:
the names, signatures, defaults, errors and results are PyTorch's. The pieces:

    Dataset                 map-style: `dataset[i]` is a sample (subclass it)
    IterableDataset         a stream of samples (subclass it, define `__iter__`)
    TensorDataset           sample i is `tuple(t[i] for t in tensors)`
    Subset                  the samples of a dataset at a list of indices
    ConcatDataset           map-style datasets end to end (`a + b`)
    ChainDataset            iterable datasets end to end
    random_split            a random partition of a dataset into Subsets
    Sampler                 base class of the orders of indices
    SequentialSampler       0, 1, ..., n-1
    RandomSampler           a fresh random order each epoch (or draws with replacement)
    SubsetRandomSampler     the given indices in a fresh random order each epoch
    WeightedRandomSampler   indices drawn with probabilities proportional to weights
    BatchSampler            lists of `batch_size` consecutive indices of a sampler
    default_collate         a list of samples -> one batch (the rules are in its docstring)
    default_convert         numpy -> Tensor inside one sample (the loader's `batch_size=None`)
    DataLoader              iterates over a dataset in batches
    get_worker_info         always None: there are no worker processes (see DataLoader)

Randomness. Samplers draw from the `generator` they are given (an `autograd.Generator` or a
`numpy.random.Generator`), or,
without one, from `autograd.generator()` as it is when the iteration starts, so
`autograd.manual_seed(0)` before a training loop makes every epoch's order reproducible. The
numbers differ from PyTorch's (another generator); the semantics are the same: each epoch a
fresh permutation, every index exactly once per epoch (without replacement).

Speed. For a TensorDataset (and Subsets of one, a Tensor, or a numpy array used as the dataset)
with the default collate, the loader makes each batch with one fancy-indexing call per tensor,
`t[indices]`, instead of one `__getitem__` per sample and a stack; the batch is equal to what
the per-sample path would give (same values, dtypes, shapes, order, and graph: a tensor that
requires grad gives a batch that does, its gradient flowing back to the dataset's tensor).

Differences from PyTorch, all deliberate:
  * `num_workers > 0` is accepted but the batches are made in the main process (there are no
    worker processes; `worker_init_fn` is not called and `get_worker_info()` is None);
    `pin_memory`, `timeout`, `prefetch_factor`, `persistent_workers`, `multiprocessing_context`,
    `pin_memory_device` and `in_order` are validated as PyTorch does and otherwise ignored.
  * `TensorDataset.__getitems__(indices)` returns the batch already collated (a tuple of
    tensors), not a list of samples. For any other dataset `__getitems__` keeps PyTorch's
    contract: it returns a list of samples and the loader passes that list to `collate_fn`.
  * Errors that PyTorch raises with `assert` (ConcatDataset of nothing, tensors of different
    lengths in a TensorDataset) are ValueErrors here; an index out of range is an IndexError
    on both sides of zero (PyTorch's ConcatDataset raises ValueError for a too-negative one).
"""
from __future__ import annotations

import bisect
import collections.abc
import copy
import itertools
import math
import warnings
from typing import Any, Callable, Generic, Iterable, Iterator, Sequence, Sized, TypeVar

import numpy as np

import autograd  # attributes are looked up at call time: safe to import from autograd/__init__

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "ChainDataset", "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "default_collate",
           "default_convert", "DataLoader", "get_worker_info"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
U = TypeVar("U")

_NOT_NUMERIC = "SUOVMm"     # numpy kinds that are no tensor: str, bytes, object, void, datetimes


def _check_generator(generator: Any, where: str) -> Any:
    """`generator` if it is one (an `autograd.Generator`, as PyTorch scripts pass a
    `torch.Generator`, or a `numpy.random.Generator`) or None; else a TypeError."""
    if generator is None or isinstance(generator, (np.random.Generator, autograd.Generator)):
        return generator
    raise TypeError(f"{where}: generator must be an autograd.Generator, a "
                    f"numpy.random.Generator or None, got {type(generator).__name__}")


def _rng(generator: Any) -> np.random.Generator:
    """The numpy generator to draw from now (an autograd.Generator's current one)."""
    if generator is None:
        return autograd.generator()
    return generator.numpy if isinstance(generator, autograd.Generator) else generator


# ==================================================================== datasets
class Dataset(Generic[T_co]):
    """A map-style dataset: `dataset[index]` is one sample.

    Subclasses define `__getitem__` and usually `__len__` (the default samplers need it).
    They may define `__getitems__(indices)`, which the DataLoader then calls once per batch
    with a list of indices; it returns the list of samples, which `collate_fn` collates.
    `a + b` is `ConcatDataset([a, b])`.
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Dataset must define "
                                  "__getitem__")

    def __add__(self, other: Dataset[U]) -> ConcatDataset[T_co | U]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A dataset that is a stream: subclasses define `__iter__` (and `__len__` if known).

    The DataLoader takes samples from `iter(dataset)` in order: no sampler, no shuffle.
    `a + b` is `ChainDataset([a, b])`.
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__}: subclasses of IterableDataset must "
                                  "define __iter__")

    def __add__(self, other: Dataset[U]) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple["autograd.Tensor", ...]]):
    """Samples are rows of tensors: item i is `(t[i] for t in tensors)`, as a tuple.

    Every tensor must have the same size in dimension 0 (the number of samples).
    `__getitems__(indices)` returns a whole batch, `tuple(t[indices] for t in tensors)`:
    one fancy-indexing call per tensor, which the DataLoader uses with the default collate.
    """

    tensors: tuple[autograd.Tensor, ...]

    def __init__(self, *tensors: autograd.Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor, got none")
        for k, t in enumerate(tensors):
            if not isinstance(t, autograd.Tensor):
                raise TypeError(f"TensorDataset: tensors[{k}] is a {type(t).__name__}, expected "
                                "an autograd.Tensor (autograd.from_numpy(array) wraps an array)")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensors[{k}] is 0-d; every tensor needs a "
                                 "first dimension indexing the samples")
        sizes = [t.shape[0] for t in tensors]
        if any(n != sizes[0] for n in sizes):
            raise ValueError(f"TensorDataset: size mismatch between tensors: their first "
                             f"dimensions are {sizes}, expected all equal")
        self.tensors = tuple(tensors)

    def __getitem__(self, index: Any) -> tuple[autograd.Tensor, ...]:
        tensors: tuple[Any, ...] = self.tensors
        return tuple(t[index] for t in tensors)

    def __getitems__(self, indices: Any) -> tuple[autograd.Tensor, ...]:
        """The batch of samples `indices` (a sequence or array of ints), already collated."""
        idx = indices
        if not (isinstance(idx, np.ndarray) and idx.dtype == np.int64):
            idx = np.asarray(indices)
            if idx.size == 0:
                idx = idx.astype(np.int64)
            elif idx.dtype.kind not in "iu" or idx.ndim != 1:
                raise TypeError(f"TensorDataset.__getitems__: expected a 1-d sequence of "
                                f"integer indices, got {idx.dtype} of shape {idx.shape}")
        return tuple(_take_rows(self.tensors, idx))

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def _take_rows(tensors: tuple[Any, ...], idx: np.ndarray) -> list[autograd.Tensor]:
    # `t[idx]` for each tensor. A tensor that needs no gradient is indexed as its array (one
    # numpy call, the same result: a new leaf, no graph), sparing the graph machinery's cost.
    from_numpy = autograd.from_numpy
    return [t[idx] if t.requires_grad else from_numpy(t.numpy()[idx]) for t in tensors]


class Subset(Dataset[T_co]):
    """The samples of `dataset` at `indices`, in that order: `subset[i]` is
    `dataset[indices[i]]` (negative `i` counts from the end; out of range is an IndexError)."""

    dataset: Dataset[T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: Sequence[int]) -> Any:
        """The inner dataset's `__getitems__` at the mapped indices where it has one (for a
        TensorDataset inside, that is a collated batch), else the list of samples."""
        if isinstance(self.indices, np.ndarray) and isinstance(indices, np.ndarray):
            mapped: Any = self.indices[indices]
        else:
            mapped = [self.indices[i] for i in indices]
        if _getitems_kind(self.dataset) != "none":
            return self.dataset.__getitems__(mapped)  # type: ignore[attr-defined]
        return [self.dataset[i] for i in mapped]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Map-style datasets end to end: indices 0..len(a)-1 are a's, the next len(b) are b's.

    `cumulative_sizes[k]` is the total length of the first k + 1 datasets.
    """

    datasets: list[Dataset[T_co]]
    cumulative_sizes: list[int]

    @staticmethod
    def cumsum(sequence: Iterable[Sized]) -> list[int]:
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets: Iterable[Dataset[T_co]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for k, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset: datasets[{k}] is an IterableDataset "
                                f"({type(d).__name__}); use ChainDataset for those")
        self.cumulative_sizes = self.cumsum(self.datasets)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        n = len(self)
        i = int(idx)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"ConcatDataset: index {idx} is out of range for a dataset of "
                             f"length {n}")
        k = bisect.bisect_right(self.cumulative_sizes, i)
        return self.datasets[k][i - (self.cumulative_sizes[k - 1] if k else 0)]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another (`len` is the sum of theirs)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset: expected IterableDatasets, got "
                                f"{type(d).__name__}")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            total += len(d)  # type: ignore[arg-type]
        return total


def random_split(dataset: Dataset[T], lengths: Sequence[int | float],
                 generator: "np.random.Generator | autograd.Generator | None" = None
                 ) -> list[Subset[T]]:
    """Split `dataset` into disjoint random Subsets of the given lengths.

    `lengths` are sizes summing to `len(dataset)`, or fractions summing to 1: each split then
    gets floor(len(dataset) * fraction) samples and the samples left over go one each to the
    splits in turn, from the first. The permutation is drawn from `generator`, else from
    `autograd.generator()`.
    """
    rng = _rng(_check_generator(generator, "random_split"))
    n = len(dataset)  # type: ignore[arg-type]
    lengths = list(lengths)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        sizes = []
        for k, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction at index {k} is {frac}, expected a "
                                 "value between 0 and 1")
            sizes.append(int(math.floor(n * frac)))
        for k in range(n - sum(sizes)):
            sizes[k % len(sizes)] += 1
        for k, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"random_split: the split at index {k} has length 0",
                              stacklevel=2)
    else:
        for k, length in enumerate(lengths):
            if isinstance(length, bool) or not isinstance(length, (int, np.integer)) \
                    or length < 0:
                raise ValueError(f"random_split: lengths[{k}] is {length!r}; lengths must be "
                                 f"non-negative integers summing to the dataset's length ({n}), "
                                 f"or fractions summing to 1 (these sum to {total})")
        sizes = [int(s) for s in lengths]
    if sum(sizes) != n:
        raise ValueError(f"random_split: the lengths {lengths} sum to {sum(sizes)}, but the "
                         f"dataset has {n} samples (give lengths summing to {n}, or fractions "
                         "summing to 1)")
    perm = rng.permutation(n).tolist()
    return [Subset(dataset, perm[end - size:end])
            for end, size in zip(itertools.accumulate(sizes), sizes)]


# ==================================================================== samplers
class Sampler(Generic[T_co]):
    """An order of indices: `iter(sampler)` gives the indices of one epoch.

    Subclasses define `__iter__` and, if the number is known, `__len__`. (`data_source` is
    accepted, as PyTorch accepts it, and unused.)
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Sampler must define "
                                  "__iter__")


class SequentialSampler(Sampler[int]):
    """0, 1, ..., len(data_source) - 1, every epoch."""

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _epoch_indices(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """Random indices into `data_source`, drawn afresh each time an iteration starts.

    Without replacement (the default) an epoch is a permutation of 0..n-1; with
    `num_samples` > n, whole permutations follow each other and the last is cut short.
    With `replacement=True`, `num_samples` independent uniform draws. The numbers come from
    `generator`, else from `autograd.generator()` at the start of the iteration.
    """

    data_source: Sized
    replacement: bool
    generator: "np.random.Generator | autograd.Generator | None"

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: "np.random.Generator | autograd.Generator | None" = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = _check_generator(generator, "RandomSampler")
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        n = self.num_samples
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"RandomSampler: num_samples should be a positive integer value, "
                             f"but got num_samples={n!r}")

    @property
    def num_samples(self) -> int:
        """How many indices an epoch has (the dataset's length unless given)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _epoch_indices(self) -> np.ndarray:
        n, m = len(self.data_source), self.num_samples
        rng = _rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=m, dtype=np.int64)
        perms = [rng.permutation(n) for _ in range(m // n)]
        if m % n:
            perms.append(rng.permutation(n)[:m % n])
        return np.concatenate(perms).astype(np.int64, copy=False)

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch_indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given `indices` in a fresh random order each epoch (without replacement).

    Integer indices come out as Python ints; other keys (for a dataset indexed by them) as
    they are.
    """

    indices: Sequence[int]
    generator: "np.random.Generator | autograd.Generator | None"

    def __init__(self, indices: Sequence[int],
                 generator: "np.random.Generator | autograd.Generator | None" = None) -> None:
        self.indices = indices
        self.generator = _check_generator(generator, "SubsetRandomSampler")

    def _epoch_indices(self) -> np.ndarray:
        perm = _rng(self.generator).permutation(len(self.indices))
        try:
            idx = np.asarray(self.indices)
        except (TypeError, ValueError):             # ragged keys: not an array
            idx = np.zeros((0, 0))
        if idx.ndim == 1 and (idx.dtype.kind in "iu" or idx.size == 0):
            return idx[perm].astype(np.int64, copy=False)
        return np.fromiter((self.indices[i] for i in perm.tolist()), dtype=object,
                           count=len(perm))               # keys that are not integers

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch_indices().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """`num_samples` indices in 0..len(weights)-1, index i drawn with probability proportional
    to weights[i] (with replacement by default; without, each index at most once)."""

    weights: autograd.Tensor
    num_samples: int
    replacement: bool
    generator: "np.random.Generator | autograd.Generator | None"

    def __init__(self, weights: Any, num_samples: int, replacement: bool = True,
                 generator: "np.random.Generator | autograd.Generator | None" = None) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples should be a positive integer "
                             f"value, but got num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement should be a boolean value, "
                             f"but got replacement={replacement!r}")
        w = weights.detach().numpy() if isinstance(weights, autograd.Tensor) else weights
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 1 or w.size == 0:
            raise ValueError(f"WeightedRandomSampler: weights should be a non-empty 1-d "
                             f"sequence, but the given weights have shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be finite and non-negative "
                             f"with a positive sum, got {w.tolist()[:10]}")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: cannot draw num_samples={num_samples} "
                             f"without replacement from {np.count_nonzero(w)} indices of "
                             "non-zero weight")
        self.weights = autograd.from_numpy(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = _check_generator(generator, "WeightedRandomSampler")

    def _epoch_indices(self) -> np.ndarray:
        w = self.weights.numpy()
        out = _rng(self.generator).choice(len(w), size=self.num_samples,
                                          replace=self.replacement, p=w / w.sum())
        return out.astype(np.int64, copy=False)

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch_indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


def _check_batch_size(batch_size: Any, where: str) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"{where}: batch_size should be a positive integer value, but got "
                         f"batch_size={batch_size!r}")


def _chunks(indices: np.ndarray, batch_size: int, drop_last: bool) -> Iterator[np.ndarray]:
    n = len(indices)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield indices[start:start + batch_size]


class BatchSampler(Sampler[list[int]]):
    """Lists of `batch_size` consecutive indices from `sampler` (any iterable of indices);
    the last list is shorter unless `drop_last`, which leaves it out."""

    sampler: Sampler[Any] | Iterable[Any]
    batch_size: int
    drop_last: bool

    def __init__(self, sampler: Sampler[Any] | Iterable[Any], batch_size: int,
                 drop_last: bool) -> None:
        _check_batch_size(batch_size, "BatchSampler")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[Any]]:
        # The sampler's indices are drawn here, when the iteration starts, not at the first next.
        indices = _index_array(self.sampler)
        if indices is not None:
            return (b.tolist() for b in _chunks(indices, self.batch_size, self.drop_last))
        return self._lists(iter(self.sampler))

    def _lists(self, it: Iterator[Any]) -> Iterator[list[Any]]:
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


class _InfiniteConstantSampler(Sampler[None]):
    """The placeholder sampler of an IterableDataset: None forever."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


_ARRAY_SAMPLERS = {SequentialSampler.__iter__, RandomSampler.__iter__,
                   SubsetRandomSampler.__iter__, WeightedRandomSampler.__iter__}


def _index_array(sampler: Any) -> np.ndarray | None:
    """One epoch of `sampler` as an array (int64; object for non-integer keys), if it is one
    of ours (its `__iter__` not overridden) or a range; else None (iterate it)."""
    if getattr(type(sampler), "__iter__", None) in _ARRAY_SAMPLERS:
        return sampler._epoch_indices()
    if isinstance(sampler, range):
        return np.arange(sampler.start, sampler.stop, sampler.step, dtype=np.int64)
    return None


# ==================================================================== collation
def _not_collatable(elem: Any) -> TypeError:
    return TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                     f"dicts or lists; found {type(elem).__name__}")


def _check_shapes(batch: Sequence[Any], what: str) -> None:
    first = batch[0].shape
    for k, x in enumerate(batch):
        shape = getattr(x, "shape", None)
        if shape != first:
            got = f"shape {tuple(shape)}" if shape is not None else f"a {type(x).__name__}"
            raise RuntimeError(f"default_collate: {what} in a batch must have equal shapes to "
                               f"be stacked, but entry 0 has shape {tuple(first)} and entry {k} "
                               f"has {got}")


def default_collate(batch: Sequence[Any]) -> Any:
    """Put a list of samples together into one batch; what each kind of sample becomes:

        Tensor                    -> a Tensor stacked on a new dim 0 (shapes must be equal)
        numpy array               -> the same, as a Tensor (its dtype kept)
        numpy scalar              -> a 1-d Tensor of its dtype
        int / float / bool        -> a 1-d int64 / float64 / bool Tensor
        str / bytes               -> left as they are (the batch itself)
        dict (any Mapping)        -> the same kind of mapping, each key's values collated
        namedtuple                -> the same namedtuple, field by field
        tuple                     -> a *list*, position by position (as PyTorch does)
        list (other Sequence)     -> the same type, position by position (a list if the type
                                     cannot be built from one); samples must have equal lengths

    So a batch of `(image, label)` tuples becomes `[images, labels]`. Shapes or lengths that
    differ are a RuntimeError naming them; other types a TypeError.
    """
    if len(batch) == 0:
        raise IndexError("default_collate: the batch is empty (no samples to collate)")
    elem = batch[0]
    if isinstance(elem, autograd.Tensor):
        _check_shapes(batch, "tensors")
        return autograd.stack(batch if isinstance(batch, (list, tuple)) else list(batch), 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in _NOT_NUMERIC:
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, "
                            f"numbers, dicts or lists; found an array of {elem.dtype}")
        _check_shapes(batch, "numpy arrays")
        return autograd.from_numpy(np.stack(batch))
    if isinstance(elem, np.generic) and not isinstance(elem, (str, bytes)):
        if elem.dtype.kind in _NOT_NUMERIC:
            raise _not_collatable(elem)
        return autograd.from_numpy(np.asarray(batch))
    if isinstance(elem, float):
        return autograd.tensor(batch, dtype=np.float64)
    if isinstance(elem, int):                       # bool too: a bool tensor
        return autograd.tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return type(elem)(collated)             # type: ignore[call-arg]
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):       # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        for k, sample in enumerate(batch):
            if len(sample) != size:
                raise RuntimeError(f"default_collate: each element in list of batch should be "
                                   f"of equal size, but entry 0 has {size} and entry {k} has "
                                   f"{len(sample)}")
        columns = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone_seq = copy.copy(elem)
                for k, column in enumerate(columns):
                    clone_seq[k] = column
                return clone_seq
            return type(elem)(columns)              # type: ignore[call-arg]
        except TypeError:
            return columns
    raise _not_collatable(elem)


def default_convert(data: Any) -> Any:
    """One sample with its numpy arrays and numpy scalars made Tensors, looking inside
    mappings, namedtuples and sequences (tuples become lists, as in PyTorch); everything
    else (Tensors, Python numbers, strings, arrays of strings or objects) is left as it is.
    The loader applies it to each sample when `batch_size=None`."""
    if isinstance(data, autograd.Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in _NOT_NUMERIC else autograd.from_numpy(data)
    if isinstance(data, np.generic) and not isinstance(data, (str, bytes)):
        return data if data.dtype.kind in _NOT_NUMERIC else autograd.from_numpy(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(converted)
                return clone
            return type(data)(converted)            # type: ignore[call-arg]
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        items = [default_convert(d) for d in data]
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone_seq = copy.copy(data)
                for k, item in enumerate(items):
                    clone_seq[k] = item
                return clone_seq
            return type(data)(items)                # type: ignore[call-arg]
        except TypeError:
            return items
    return data


def get_worker_info() -> None:
    """Information about the current worker process: None, since batches are always made
    in the main process here (an IterableDataset should then yield all of its samples)."""
    return None


# ==================================================================== the loader
def _getitems_kind(dataset: Any) -> str:
    """How `dataset.__getitems__` answers: 'batch' (a collated batch: a TensorDataset, or a
    Subset of one), 'samples' (PyTorch's contract: a list of samples), or 'none' (no
    `__getitems__`, or one that would skip a `__getitem__` a subclass changed)."""
    cls = type(dataset)
    if isinstance(dataset, TensorDataset):
        if cls.__getitems__ is not TensorDataset.__getitems__:
            return "batch"
        return "batch" if cls.__getitem__ is TensorDataset.__getitem__ else "none"
    if isinstance(dataset, Subset) and cls.__getitems__ is Subset.__getitems__:
        if cls.__getitem__ is not Subset.__getitem__:
            return "none"
        return "batch" if _getitems_kind(dataset.dataset) == "batch" else "samples"
    return "samples" if getattr(dataset, "__getitems__", None) else "none"


def _batch_fetcher(dataset: Any) -> Callable[[np.ndarray], Any] | None:
    """A function from an int64 index array to the collated batch, where one exists for
    `dataset` with the default collate; the Subsets' indices are read once, here."""
    if isinstance(dataset, autograd.Tensor) and dataset.ndim > 0:
        single = (dataset,)
        return lambda idx: _take_rows(single, idx)[0]
    if isinstance(dataset, np.ndarray) and dataset.ndim > 0 \
            and dataset.dtype.kind not in _NOT_NUMERIC:
        return lambda idx: autograd.from_numpy(dataset[idx])
    if _getitems_kind(dataset) != "batch":
        return None
    if isinstance(dataset, Subset):
        inner = _batch_fetcher(dataset.dataset)
        try:
            mapping = np.asarray(dataset.indices)
        except (TypeError, ValueError):
            return None
        if inner is None or mapping.ndim != 1 or (mapping.size and mapping.dtype.kind not in "iu"):
            return None
        mapping = mapping.astype(np.int64, copy=False)
        return lambda idx: inner(mapping[idx])
    if type(dataset).__getitems__ is TensorDataset.__getitems__:
        tensors = dataset.tensors                   # what __getitems__ does, for an int64 array
        return lambda idx: _take_rows(tensors, idx)
    getitems = dataset.__getitems__
    return lambda idx: list(getitems(idx))


class _LoaderIter:
    """One pass over a DataLoader (what `iter(loader)` returns)."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._it = loader._batches()

    def __iter__(self) -> _LoaderIter:
        return self

    def __next__(self) -> Any:
        return next(self._it)

    def __len__(self) -> int:
        return len(self._loader)


class DataLoader(Generic[T_co]):
    """Iterates over `dataset` in batches: `for x, y in DataLoader(ds, batch_size=64,
    shuffle=True)`.

    Which samples: `sampler` (an iterable of indices), else a RandomSampler when `shuffle`
    (None, the default, means False) drawing from `generator`, else from `autograd.generator()`
    when each epoch starts, else 0..len-1 in order. How many per batch: `batch_size`
    consecutive indices of the sampler (the last batch is shorter unless `drop_last`), or a
    `batch_sampler` yielding lists of indices (then leave batch_size, shuffle, sampler and
    drop_last at their defaults).
    `collate_fn` makes the batch from the list of samples (`default_collate`); with
    `batch_size=None` there is no batching: each sample is yielded, passed through
    `collate_fn` (default: `default_convert`).

    `len(loader)` is the number of batches: ceil(n / batch_size), or floor with drop_last.

    There are no worker processes: `num_workers > 0` is accepted but every batch is made in
    the main process, in order (`worker_init_fn` is not called). `pin_memory` and the other
    multiprocessing options are accepted, checked as PyTorch checks them, and ignored.
    An IterableDataset is read in order, `batch_size` samples at a time; shuffle, sampler and
    batch_sampler must be left unset for it.
    """

    dataset: Dataset[T_co]
    batch_size: int | None
    drop_last: bool
    sampler: Sampler | Iterable
    batch_sampler: Sampler[list[int]] | Iterable[list[int]] | None
    generator: "np.random.Generator | autograd.Generator | None"
    collate_fn: Callable[[Any], Any]
    __initialized = False

    def __init__(self, dataset: Dataset[T_co], batch_size: int | None = 1,
                 shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler[list[int]] | Iterable[list[int]] | None = None,
                 num_workers: int = 0, collate_fn: Callable[[Any], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None,
                 generator: "np.random.Generator | autograd.Generator | None" = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers option should be a non-negative integer, "
                             f"got num_workers={num_workers!r}; use num_workers=0 to disable "
                             "multiprocessing")
        if timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got "
                             f"timeout={timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                             "multiprocessing; let num_workers > 0 to enable multiprocessing, "
                             f"otherwise set prefetch_factor to None (got {prefetch_factor!r})")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError(f"DataLoader: prefetch_factor option should be non-negative, got "
                             f"prefetch_factor={prefetch_factor!r}")
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value is not None and value is not False:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value!r}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(f"DataLoader: batch_sampler option is mutually exclusive with "
                                 f"batch_size, shuffle, sampler, and drop_last (got "
                                 f"batch_size={batch_size!r}, shuffle={shuffle}, "
                                 f"sampler={sampler!r}, drop_last={drop_last!r})")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and is "
                             "mutually exclusive with drop_last")
        generator = _check_generator(generator, "DataLoader")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.persistent_workers = persistent_workers
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.__initialized = True

    def __setattr__(self, attr: str, value: Any) -> None:
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler",
                                           "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> Iterator[Any]:
        return _LoaderIter(self)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    # ------------------------------------------------------------ one epoch
    def _batches(self) -> Iterator[Any]:
        """The epoch's batches; the order of indices is drawn now, before the first batch."""
        if self._iterable:
            return self._iterable_batches(iter(self.dataset))
        if not self._auto_collation:
            return self._samples(iter(self.sampler))
        bs: Any = self.batch_sampler
        indices = _index_array(bs.sampler) if type(bs).__iter__ is BatchSampler.__iter__ else None
        if indices is not None:
            index_batches: Iterator[Any] = _chunks(indices, bs.batch_size, bs.drop_last)
        else:
            index_batches = iter(bs)
        fetch = _batch_fetcher(self.dataset) if self.collate_fn is default_collate else None
        if fetch is not None and indices is not None and indices.dtype.kind in "iu":
            return map(fetch, index_batches)            # the fast path: no per-batch checks
        return self._collated(index_batches, fetch)

    def _iterable_batches(self, it: Iterator[Any]) -> Iterator[Any]:
        collate = self.collate_fn
        if self.batch_size is None:
            for sample in it:
                yield collate(sample)
            return
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield collate(batch)

    def _samples(self, indices: Iterator[Any]) -> Iterator[Any]:
        dataset, collate = self.dataset, self.collate_fn
        for i in indices:
            yield collate(dataset[i])

    def _collated(self, index_batches: Iterator[Any],
                  fetch: Callable[[np.ndarray], Any] | None) -> Iterator[Any]:
        dataset, collate = self.dataset, self.collate_fn
        kind = _getitems_kind(dataset)
        for batch in index_batches:
            if fetch is not None:
                idx = batch
                if not isinstance(idx, np.ndarray):
                    idx = np.asarray(batch)
                if idx.ndim == 1 and idx.size and idx.dtype.kind in "iu":
                    yield fetch(idx.astype(np.int64, copy=False))
                    continue
            if isinstance(batch, np.ndarray):
                batch = batch.tolist()
            if kind == "samples":
                yield collate(dataset.__getitems__(batch))  # type: ignore[attr-defined]
            else:
                yield collate([dataset[i] for i in batch])

