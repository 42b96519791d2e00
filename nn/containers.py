"""Containers that register what they hold: `Sequential`, `ModuleList`, `ModuleDict`,
`ParameterList`, `ParameterDict`, with PyTorch's names, methods and state-dict keys.

A plain Python list of layers assigned to a module is invisible to `parameters()`,
`state_dict()` and the optimizer; these containers are modules whose entries are registered
under their index ("0", "1", ...) or key, so a `ModuleList` of `Sequential`s stored as
`self.layers` has parameters named `layers.0.0.weight`, exactly as in PyTorch.
"""
from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable as IterableABC
from collections.abc import Mapping as MappingABC
from itertools import chain
from typing import Any, Iterable, Iterator, KeysView, Mapping, TypeVar, overload

from autograd import Tensor

from .module import Module, Parameter, _addindent

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]

S = TypeVar("S", bound="Sequential")
L = TypeVar("L", bound="ModuleList")
PL = TypeVar("PL", bound="ParameterList")
PD = TypeVar("PD", bound="ParameterDict")


def _abs_index(owner: Module, idx: Any, size: int) -> int:
    """`idx` (an int, possibly negative) as a position in 0..size-1; IndexError otherwise."""
    try:
        i = operator.index(idx)
    except TypeError:
        raise TypeError(f"{type(owner).__name__} indices must be integers or slices, not "
                        f"{type(idx).__name__}") from None
    if not -size <= i < size:
        raise IndexError(f"{type(owner).__name__}: index {i} is out of range for "
                         f"{size} entries")
    return i + size if i < 0 else i


def _renumber(owner: Module) -> None:
    """Keys "0", "1", ... again after a deletion (PyTorch does this too)."""
    mods = owner._modules._values()
    owner._modules.clear()
    owner._modules.update((str(i), m) for i, m in enumerate(mods))


def _tensor_line(key: Any, p: Any) -> str:
    """One entry of a ParameterList/ParameterDict repr."""
    if isinstance(p, Tensor):
        size = "x".join(str(n) for n in p.shape)
        kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
        return f"  ({key}): {kind} containing: [{p.dtype} of size {size}]"
    return f"  ({key}): Object of type: {type(p).__name__}"


class Sequential(Module):
    """Modules applied one after another: `Sequential(Linear(1, 6), ReLU(), Linear(6, 1))`
    (registered as "0", "1", "2"), or from an OrderedDict of names to modules.

    As a list: indexable (negative indices; a slice gives a Sequential), assignable by
    index, `del` (which renumbers, as PyTorch does), len(), iteration, `append`, `insert`,
    `extend`, `pop`; `+` joins two Sequentials, `* n` repeats the (same) modules n times."""

    def __init__(self, *args: "Module | OrderedDict[str, Module]") -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self._add(name, m)
        else:
            for i, arg in enumerate(args):
                self._add(str(i), arg)

    def _add(self, name: str, m: Any) -> None:
        if not isinstance(m, Module):
            raise TypeError(f"Sequential: {name!r} is a {type(m).__name__}, not a Module")
        self.add_module(name, m)

    def _key(self, idx: Any) -> str:
        keys = list(self._modules)
        return keys[_abs_index(self, idx, len(keys))]

    def forward(self, input: Any) -> Any:
        for m in self._modules._values():
            input = m(input)  # type: ignore[misc]
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules._values())  # type: ignore[arg-type]

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]

    @overload
    def __getitem__(self: S, idx: slice) -> S: ...

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    def __getitem__(self, idx: int | slice) -> Module:
        if isinstance(idx, slice):
            items = self._modules._items()[idx]
            return type(self)(OrderedDict(items))  # type: ignore[arg-type]
        return self._modules[self._key(idx)]  # type: ignore[return-value]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._key(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [self._key(idx)]
        for key in keys:
            delattr(self, key)
        _renumber(self)

    def pop(self, key: int | slice) -> Module:
        """Remove the module at `key` and return it."""
        m = self[key]
        del self[key]
        return m

    def append(self: S, module: Module) -> S:
        """Add `module` at the end; returns self."""
        self._add(str(len(self)), module)
        return self

    def insert(self: S, index: int, module: Module) -> S:
        """Put `module` before position `index` (-len..len); returns self."""
        if not isinstance(module, Module):
            raise AssertionError(f"Sequential.insert: expected a Module, got "
                                 f"{type(module).__name__}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Sequential.insert: index {index} is out of range for "
                             f"{n} modules")
        index = index + n if index < 0 else index
        mods: list[Module | None] = self._modules._values()
        mods.insert(index, module)
        self._modules.clear()
        self._modules.update((str(i), m) for i, m in enumerate(mods))
        return self

    def extend(self: S, sequential: Iterable[Module]) -> S:
        """Append every module of `sequential`; returns self."""
        for m in sequential:
            self.append(m)
        return self

    def __add__(self, other: "Sequential") -> "Sequential":
        if not isinstance(other, Sequential):
            raise ValueError(f"Sequential + {type(other).__name__}: only a Sequential can be "
                             f"added to a Sequential")
        return Sequential(*self, *other)

    def __iadd__(self: S, other: "Sequential") -> S:
        if not isinstance(other, Sequential):
            raise ValueError(f"Sequential += {type(other).__name__}: only a Sequential can "
                             f"be added to a Sequential")
        return self.extend(list(other))

    def _times(self, n: Any) -> int:
        if not isinstance(n, int):
            raise TypeError(f"unsupported operand type(s) for *: 'Sequential' and "
                            f"'{type(n).__name__}'")
        if n <= 0:
            raise ValueError(f"Sequential * {n}: the factor must be positive")
        return n

    def __mul__(self, other: int) -> "Sequential":
        return Sequential(*(list(self) * self._times(other)))

    def __rmul__(self, other: int) -> "Sequential":
        return self.__mul__(other)

    def __imul__(self: S, other: int) -> S:
        return self.extend(list(self) * (self._times(other) - 1))


class ModuleList(Module):
    """Holds submodules in a list, registered as "0", "1", ...: what `self.layers = [...]`
    should have been. Indexing (negative indices; a slice gives a ModuleList), assignment,
    `del` (renumbering the rest), len(), iteration, `append`, `extend`, `insert`, `pop`,
    `+=`, and `+` (a new ModuleList holding the same modules). It has no forward: iterate
    over it in yours."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @overload
    def __getitem__(self: L, idx: slice) -> L: ...

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    def __getitem__(self, idx: int | slice) -> Module:
        if isinstance(idx, slice):
            return type(self)(self._modules._values()[idx])  # type: ignore[arg-type]
        return self._modules[str(_abs_index(self, idx, len(self)))]  # type: ignore[return-value]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(_abs_index(self, idx, len(self))), module)

    def __delitem__(self, idx: int | slice) -> None:
        if isinstance(idx, slice):
            for i in range(len(self))[idx]:
                delattr(self, str(i))
        else:
            delattr(self, str(_abs_index(self, idx, len(self))))
        _renumber(self)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules._values())  # type: ignore[arg-type]

    def __iadd__(self: L, modules: Iterable[Module]) -> L:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> "ModuleList":
        return ModuleList(chain(self, other))

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]

    def insert(self, index: int, module: Module) -> None:
        """Put `module` before position `index`, with `list.insert`'s rules for negative
        and out-of-range indices."""
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList.insert: expected a Module, got "
                            f"{type(module).__name__}")
        mods: list[Module | None] = self._modules._values()
        mods.insert(operator.index(index), module)
        self._modules.clear()
        self._modules.update((str(i), m) for i, m in enumerate(mods))

    def append(self: L, module: Module) -> L:
        """Add `module` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key: int | slice) -> Module:
        """Remove the module at `key` and return it."""
        m = self[key]
        del self[key]
        return m

    def extend(self: L, modules: Iterable[Module]) -> L:
        """Append every module of the iterable `modules`; returns self."""
        if not isinstance(modules, IterableABC):
            raise TypeError(f"ModuleList.extend should be called with an iterable, but got "
                            f"{type(modules).__name__}")
        offset = len(self)
        for i, m in enumerate(modules):
            self.add_module(str(offset + i), m)
        return self

    def __repr__(self) -> str:
        # Runs of identical consecutive entries print once: "(0-2): 3 x Linear(...)".
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        lines = []
        start = 0
        for i in range(1, len(reprs) + 1):
            if i < len(reprs) and reprs[i] == reprs[start]:
                continue
            if i - 1 == start:
                line = f"({start}): {reprs[start]}"
            else:
                line = f"({start}-{i - 1}): {i - start} x {reprs[start]}"
            lines.append(_addindent(line, 2))
            start = i
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """Holds submodules in a dict, registered under their (string) keys, in insertion
    order: `d["encoder"]`, `d["encoder"] = m`, `del d[k]`, `k in d`, len(), iteration over
    the keys, `keys()`, `values()`, `items()`, `update()`, `pop()`, `clear()`."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None
                 = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]  # type: ignore[return-value]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every entry."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove the entry `key` and return its module (KeyError if there is none)."""
        m = self[key]
        del self[key]
        return m

    def keys(self) -> KeysView[str]:
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()  # type: ignore[return-value]

    def values(self) -> Iterable[Module]:
        return self._modules.values()  # type: ignore[return-value]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace entries from a mapping (its order kept) or an iterable of
        (key, module) pairs."""
        if not isinstance(modules, IterableABC):
            raise TypeError(f"ModuleDict.update should be called with an iterable of "
                            f"key/value pairs, but got {type(modules).__name__}")
        if isinstance(modules, (MappingABC, ModuleDict)):
            for key, m in modules.items():
                self[key] = m
            return
        for j, pair in enumerate(modules):
            if not isinstance(pair, IterableABC):
                raise TypeError(f"ModuleDict update sequence element #{j} should be an "
                                f"iterable (key, module) pair; it is a {type(pair).__name__}")
            kv: tuple[Any, ...] = tuple(pair)
            if len(kv) != 2:
                raise ValueError(f"ModuleDict update sequence element #{j} has length "
                                 f"{len(kv)}; 2 is required")
            self[kv[0]] = kv[1]


class ParameterList(Module):
    """Holds parameters in a list, registered as "0", "1", ...: what `self.ws = [...]`
    should have been. A Tensor put in becomes a `Parameter` (sharing its data); other
    objects are kept as they are (and not registered). Indexing (a slice gives a
    ParameterList), assignment, len(), iteration, `append`, `extend`, `+=`."""

    _size: int

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    @overload
    def __getitem__(self, idx: int) -> Any: ...

    @overload
    def __getitem__(self: PL, idx: slice) -> PL: ...

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            out = type(self)()
            for i in range(*idx.indices(len(self))):
                out.append(self[i])
            return out
        return getattr(self, str(_abs_index(self, idx, len(self))))

    def __setitem__(self, idx: int, param: Any) -> None:
        if isinstance(param, Tensor) and not isinstance(param, Parameter):
            param = Parameter(param)
        setattr(self, str(_abs_index(self, idx, len(self))), param)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def __iadd__(self: PL, parameters: Iterable[Any]) -> PL:
        return self.extend(parameters)

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]

    def append(self: PL, value: Any) -> PL:
        """Add `value` at the end (a Tensor becomes a Parameter); returns self."""
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self: PL, values: Iterable[Any]) -> PL:
        """Append every element of the iterable `values` (not a Tensor: it would be unpacked
        row by row); returns self."""
        if not isinstance(values, IterableABC) or isinstance(values, Tensor):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but got "
                            f"{type(values).__name__}")
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_tensor_line(i, p) for i, p in enumerate(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """Holds parameters in a dict, registered under their (string) keys: a Tensor put in
    becomes a `Parameter` (sharing its data), other objects are kept as they are. The
    methods of a dict: `[]`, `del`, `in`, len(), iteration over the keys, `keys()`,
    `values()`, `items()`, `get`, `setdefault`, `pop`, `popitem`, `update`, `clear`, `copy`,
    `fromkeys`, `|`, `|=`.

    Order: insertion order, except that, as in PyTorch, `update` (and the constructor) add
    the entries of a plain dict (not an OrderedDict or ParameterDict) in sorted key order."""

    _keys: dict[str, None]

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys = {}
        if parameters is not None:
            self.update(parameters)

    def _attr(self, key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict: a key must be a string, got "
                            f"{type(key).__name__} {key!r}")
        return key

    def __getitem__(self, key: str) -> Any:
        if self._attr(key) not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        attr = self._attr(key)
        self._keys[key] = None
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        setattr(self, attr, value)

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, self._attr(key))

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same parameters, in the same order."""
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default: Any = None) -> Any:
        """`self[key]`, after setting it to `default` if `key` is not there."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for k in list(self._keys):
            del self[k]

    def pop(self, key: str) -> Any:
        """Remove the entry `key` and return its value (KeyError if there is none)."""
        v = self[key]
        del self[key]
        return v

    def popitem(self) -> tuple[str, Any]:
        """Remove the last inserted entry and return it as (key, value)."""
        if not self._keys:
            raise KeyError("popitem(): ParameterDict is empty")
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> "ParameterDict":
        """A new ParameterDict with `keys`, each holding `default`."""
        return ParameterDict((k, default) for k in keys)

    def keys(self) -> KeysView[str]:
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        return ((k, self[k]) for k in self._keys)

    def values(self) -> Iterator[Any]:
        return (self[k] for k in self._keys)

    def update(self, parameters: Any) -> None:
        """Add or replace entries from a mapping or an iterable of (key, value) pairs (a
        plain dict's entries in sorted key order, as PyTorch does)."""
        if not isinstance(parameters, IterableABC):
            raise TypeError(f"ParameterDict.update should be called with an iterable of "
                            f"key/value pairs, but got {type(parameters).__name__}")
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            for key, value in parameters.items():
                self[key] = value
            return
        if isinstance(parameters, MappingABC):
            for key, value in sorted(parameters.items()):
                self[key] = value
            return
        for j, pair in enumerate(parameters):
            if not isinstance(pair, IterableABC):
                raise TypeError(f"ParameterDict update sequence element #{j} should be an "
                                f"iterable (key, value) pair; it is a {type(pair).__name__}")
            kv: tuple[Any, ...] = tuple(pair)
            if len(kv) != 2:
                raise ValueError(f"ParameterDict update sequence element #{j} has length "
                                 f"{len(kv)}; 2 is required")
            self[kv[0]] = kv[1]

    def extra_repr(self) -> str:
        return "\n".join(_tensor_line(k, p) for k, p in self.items())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")

    def __or__(self, other: "ParameterDict") -> "ParameterDict":
        out = self.copy()
        out.update(other)
        return out

    def __ror__(self, other: "ParameterDict") -> "ParameterDict":
        out = other.copy()
        out.update(self)
        return out

    def __ior__(self: PD, other: "ParameterDict") -> PD:
        self.update(other)
        return self
