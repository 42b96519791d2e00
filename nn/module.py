"""`Module` and `Parameter`: the containers of a model, with PyTorch's names and behaviour.

A `Parameter` is a Tensor that requires grad and that a `Module` picks up when it is
assigned as an attribute; a `Module` assigned as an attribute becomes a submodule. Names are
dotted paths (`0.weight`, `layer.bias`), so a state dict has the same keys as PyTorch's for
the same architecture and weights move between the two through numpy.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

import numpy as np

from autograd import Tensor

__all__ = ["Module", "Parameter", "IncompatibleKeys"]


def zero_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Forget the gradients (they accumulate otherwise): `.grad = None`, or zeros in place
    with set_to_none=False."""
    for p in params:
        if set_to_none or p.grad is None:
            p.grad = None
        else:
            p.grad._data[...] = 0


class Parameter(Tensor):
    """A Tensor that is a model's weight: requires grad, registered by `Module`."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty(0)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = np.asarray(data)
            if arr.dtype.kind not in "fc":
                arr = arr.astype(np.float64)
        self._init_leaf(arr, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` could not match."""

    missing_keys: list
    unexpected_keys: list


class Module:
    """Base class of layers and models: subclass it, assign layers and Parameters in
    `__init__` (after `super().__init__()`), and write `forward`."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ---------------------------------------------------------------- registration
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() in __init__ "
                                 f"before assigning {name!r}")
        modules = self.__dict__["_modules"]
        params.pop(name, None)
        modules.pop(name, None)
        if isinstance(value, Parameter):
            params[name] = value
        elif isinstance(value, Module):
            modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter under `name` (as assigning it does)."""
        setattr(self, name, param)

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a submodule under `name` (as assigning it does)."""
        setattr(self, name, module)

    # ---------------------------------------------------------------- calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: a Module must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---------------------------------------------------------------- walking the tree
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """This module and every submodule, depth first, each once, with dotted names."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            children = [(f"{name}.{k}" if name else k, c) for k, c in m._modules.items()
                        if c is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        return ((k, m) for k, m in self._modules.items() if m is not None)

    def children(self) -> Iterator["Module"]:
        return (m for _, m in self.named_children())

    def named_parameters(self, prefix: str = "", recurse: bool = True
                         ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs, each parameter once, in registration order."""
        seen: set[int] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mod_name, m in mods:
            for k, p in m._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{k}" if mod_name else k), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    # ---------------------------------------------------------------- training helpers
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: `.grad = None` (or zeros, with set_to_none=False)."""
        zero_grads(self.parameters(), set_to_none)

    def train(self, mode: bool = True) -> "Module":
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        return self.train(False)

    # ---------------------------------------------------------------- state
    def state_dict(self) -> "OrderedDict[str, Tensor]":
        """Every parameter by dotted name, detached (sharing memory, as in PyTorch)."""
        return OrderedDict((k, p.detach()) for k, p in self.named_parameters())

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy arrays (Tensors, numpy arrays or nested lists) into the parameters of the
        same names. strict: every key must match both ways. Shapes must always match."""
        own = dict(self.named_parameters())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict and (missing or unexpected):
            if missing:
                errors.append("missing key(s): " + ", ".join(map(repr, missing)))
            if unexpected:
                errors.append("unexpected key(s): " + ", ".join(map(repr, unexpected)))
        arrays = {}
        for k, p in own.items():
            if k not in state_dict:
                continue
            v = state_dict[k]
            arr = np.asarray(v._data if isinstance(v, Tensor) else v)
            if arr.shape != p.shape:
                errors.append(f"size mismatch for {k!r}: the checkpoint has shape {arr.shape}, "
                              f"the model's parameter has shape {p.shape}")
            elif arr.dtype.kind not in "fiu":
                errors.append(f"{k!r}: expected a real-valued array, got dtype {arr.dtype}")
            else:
                arrays[k] = arr
        if errors:
            raise RuntimeError(f"load_state_dict for {type(self).__name__}: "
                               + "; ".join(errors))
        for k, arr in arrays.items():
            p = own[k]
            p._data[...] = arr
            p._bump_version()               # an in-place change: pending graphs must notice
        return IncompatibleKeys(missing, unexpected)

    # ---------------------------------------------------------------- display
    def extra_repr(self) -> str:
        """The part between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"
