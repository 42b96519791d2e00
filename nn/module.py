"""`Module` and `Parameter`: the containers of a model, with PyTorch's names and behaviour.

A `Parameter` is a Tensor that requires grad and that a `Module` picks up when it is
assigned as an attribute; a `Module` assigned as an attribute becomes a submodule; a Tensor
given to `register_buffer` becomes a buffer (state that is saved but not trained, such as
running statistics). Names are dotted paths (`0.weight`, `layers.1.bias`), so a state dict
has the same keys, in the same order, as PyTorch's for the same architecture, and weights
move between the two through numpy.

Where things live: as in PyTorch, `self._parameters`, `self._buffers` and `self._modules`
map names to the parameters, buffers and submodules in registration order (the names of
the non-persistent buffers are in `self._non_persistent_buffers_set`). Unlike PyTorch's
dicts, these mappings are views: the values themselves sit in the instance `__dict__`, so
`self.weight` in a forward pass is a plain attribute read (PyTorch goes through
`__getattr__`, which costs more than a small layer's arithmetic here) and the mapping and the
attribute can never disagree. `__setattr__` and `__delattr__` keep the names up to date.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any, Callable, Generic, Iterable, Iterator, Mapping, NamedTuple, TypeVar

import numpy as np

import autograd
from autograd import Tensor, from_numpy
from autograd.dtypes import as_dtype, check_device

__all__ = ["Module", "Parameter", "IncompatibleKeys"]

M = TypeVar("M", bound="Module")
V = TypeVar("V")


def zero_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Forget the gradients (they accumulate otherwise): `.grad = None`, or zeros in place
    with set_to_none=False."""
    for p in params:
        if set_to_none or p._grad is None:
            p._grad = None
        else:
            p._grad._data[...] = 0


class Parameter(Tensor):
    """A Tensor that is a model's weight: requires grad, registered by `Module`.

    `Parameter(array_or_tensor, requires_grad=True)` wraps the data without copying it
    (a Tensor's array is shared, as in PyTorch); integer data becomes float64."""

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
    """What `load_state_dict` could not match: keys the model has and the state dict lacks
    (`missing_keys`), and keys the state dict has and the model lacks (`unexpected_keys`)."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")


def _addindent(text: str, spaces: int) -> str:
    """`text` with every line but the first indented by `spaces` (nested reprs)."""
    first, sep, rest = text.partition("\n")
    if not sep:
        return text
    pad = " " * spaces
    return first + "\n" + "\n".join(pad + line for line in rest.split("\n"))


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _check_name(owner: "Module", what: str, name: Any) -> None:
    """PyTorch's rules for a parameter, buffer or submodule name."""
    cls = type(owner).__name__
    if not isinstance(name, str):
        raise TypeError(f"{cls}: a {what} name must be a string, got {type(name).__name__} "
                        f"{name!r}")
    if "." in name:
        raise KeyError(f"{cls}: a {what} name cannot contain '.', got {name!r}")
    if name == "":
        raise KeyError(f"{cls}: a {what} name cannot be the empty string ''")


class _Registry(MutableMapping[str, V], Generic[V]):
    """The parameters, the buffers or the submodules of one module: an ordered mapping of
    names whose values are stored in the module's instance `__dict__` (one storage: the
    attribute and the entry are the same thing)."""

    def __init__(self, owner: "Module") -> None:
        self._owner = owner
        self._names: dict[str, None] = {}

    def __getitem__(self, key: str) -> V:
        if key not in self._names:
            raise KeyError(key)
        return self._owner.__dict__[key]

    def __setitem__(self, key: str, value: V) -> None:
        self._names[key] = None
        self._owner.__dict__[key] = value

    def __delitem__(self, key: str) -> None:
        del self._names[key]
        self._owner.__dict__.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def clear(self) -> None:
        d = self._owner.__dict__
        for k in self._names:
            d.pop(k, None)
        self._names.clear()

    def _release(self, key: str) -> None:
        """Forget the name but keep the attribute (it becomes a plain one, or another
        registry's)."""
        self._names.pop(key, None)

    def _items(self) -> list[tuple[str, V]]:
        """(name, value) pairs as a list: the fast way for the hot paths."""
        d = self._owner.__dict__
        return [(k, d[k]) for k in self._names]

    def _values(self) -> list[V]:
        d = self._owner.__dict__
        return [d[k] for k in self._names]

    def __repr__(self) -> str:
        return repr(dict(self._items()))


# What a plain container of these should have been (see Module.__setattr__).
_SUGGESTIONS = {(list, "Module"): "nn.ModuleList", (list, "Parameter"): "nn.ParameterList",
                (dict, "Module"): "nn.ModuleDict", (dict, "Parameter"): "nn.ParameterDict"}


class Module:
    """Base class of layers and models: subclass it, assign layers and Parameters in
    `__init__` (after `super().__init__()`), and write `forward`.

    Attribute assignment registers what it is given, as in PyTorch: a `Parameter` becomes a
    parameter, a `Module` a submodule, a Tensor assigned to a registered buffer's name stays
    a buffer; anything else is a plain attribute. A registered name takes only its own kind
    or None: a plain Tensor or a Module assigned to a parameter's name is a TypeError (so is
    a non-Module to a submodule's name, a non-Tensor to a buffer's); unlike PyTorch, any
    other value (a string, a number) replaces a parameter as a plain attribute. `del`
    unregisters. A plain list or dict of Modules or
    Parameters is a plain attribute too (so the optimizer never sees those weights): it
    works as in PyTorch but warns, pointing to `nn.ModuleList` / `nn.ModuleDict` /
    `nn.ParameterList` / `nn.ParameterDict`.
    """

    training: bool
    _parameters: _Registry[Parameter | None]
    _buffers: _Registry[Tensor | None]
    _non_persistent_buffers_set: set[str]
    _modules: _Registry["Module | None"]

    def __init__(self) -> None:
        init = object.__setattr__
        init(self, "training", True)
        init(self, "_parameters", _Registry(self))
        init(self, "_buffers", _Registry(self))
        init(self, "_non_persistent_buffers_set", set())
        init(self, "_modules", _Registry(self))

    def _get_name(self) -> str:
        return type(self).__name__

    # ---------------------------------------------------------------- registration
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError(self._before_init("parameter", name))
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is None:
                params[name] = None
                return
            if isinstance(value, Tensor):
                raise TypeError(
                    f"{self._get_name()}: cannot assign a {type(value).__name__} to parameter "
                    f"{name!r} (a Parameter or None expected); it would silently stop being "
                    f"trained. Wrap it: Parameter(t), or copy into it: self.{name}._data[...] "
                    f"= t._data")
            if isinstance(value, Module):
                raise TypeError(f"{self._get_name()}: cannot assign a {type(value).__name__} "
                                f"to parameter {name!r} (a Parameter or None expected); "
                                f"`del` the parameter first")
            params._release(name)       # any other value replaces the parameter (PyTorch:
            object.__setattr__(self, name, value)   # TypeError)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError(self._before_init("submodule", name))
            self._forget(name, keep="_modules")
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"{self._get_name()}: cannot assign a {type(value).__name__} "
                                f"to submodule {name!r} (a Module or None expected)")
            modules[name] = None
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"{self._get_name()}: cannot assign a {type(value).__name__} "
                                f"to buffer {name!r} (a Tensor or None expected)")
            buffers[name] = value
            return
        if isinstance(value, (list, tuple, dict)) and params is not None:
            self._warn_unregistered(name, value)
        object.__setattr__(self, name, value)

    def _before_init(self, what: str, name: str) -> str:
        cls = self._get_name()
        return (f"{cls}: cannot assign {what} {name!r} before Module.__init__() call: call "
                f"super().__init__() first in {cls}.__init__")

    def _forget(self, name: str, keep: str) -> None:
        """Remove `name` from every registry but `keep`, and its value (about to be
        replaced)."""
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                self.__dict__[registry]._release(name)
        self.__dict__.pop(name, None)
        if keep != "_buffers":
            self._non_persistent_buffers_set.discard(name)

    def _warn_unregistered(self, name: str, value: list | tuple | dict) -> None:
        items = value.values() if isinstance(value, dict) else value
        kind = ("Module" if any(isinstance(v, Module) for v in items) else
                "Parameter" if any(isinstance(v, Parameter) for v in items) else None)
        if kind is None:
            return
        container = _SUGGESTIONS[(dict if isinstance(value, dict) else list, kind)]
        what, unseen = (("submodules", "parameters(), state_dict(), train()/eval()")
                        if kind == "Module" else ("parameters", "parameters(), state_dict()"))
        warnings.warn(
            f"{self._get_name()}.{name} is a plain {type(value).__name__} of {kind}s: they are "
            f"not registered as {what}, so {unseen} and optimizers do not see them. Use "
            f"{container}(...) instead.", UserWarning, stacklevel=3)

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails (registered values are in __dict__): the name
        # is not there. Declared so that type checkers accept registered names.
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = [*dir(type(self)), *self.__dict__]
        return sorted({k for k in keys if not k[:1].isdigit()})

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter under `name` (as assigning it does); None registers the name with
        no parameter (`bias=False` layers in PyTorch). Errors as PyTorch's: KeyError for a
        bad or taken name, TypeError for a value that is not a Parameter, ValueError for a
        parameter computed by the graph (not a leaf)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(self._before_init("parameter", name))
        _check_name(self, "parameter", name)
        if name not in self._parameters and hasattr(self, name):
            raise KeyError(f"{self._get_name()}.register_parameter: attribute {name!r} "
                           f"already exists")
        if param is not None:
            if not isinstance(param, Parameter):
                raise TypeError(f"{self._get_name()}.register_parameter: cannot assign a "
                                f"{type(param).__name__} to parameter {name!r} (a Parameter "
                                f"or None required)")
            if not param.is_leaf:
                raise ValueError(f"{self._get_name()}.register_parameter: {name!r} is not a "
                                 f"leaf tensor (it was computed by the graph); compute such "
                                 f"values in forward()")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True
                        ) -> None:
        """Add a buffer: a Tensor the module keeps and moves with it but does not train
        (not in `parameters()`). Persistent buffers are in `state_dict()` after the module's
        parameters; `persistent=False` keeps one out of it. Assigning a Tensor to the name
        later replaces the buffer, which stays a buffer."""
        if "_buffers" not in self.__dict__:
            raise AttributeError(self._before_init("buffer", name))
        _check_name(self, "buffer", name)
        if name not in self._buffers and hasattr(self, name):
            raise KeyError(f"{self._get_name()}.register_buffer: attribute {name!r} already "
                           f"exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"{self._get_name()}.register_buffer: cannot assign a "
                            f"{type(tensor).__name__} to buffer {name!r} (a Tensor or None "
                            f"required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a submodule under `name` (as assigning it does; the name may be any string
        without a dot, "0" for instance)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{self._get_name()}: {name!r} is a {type(module).__name__}, "
                            f"not a Module (a Module or None expected)")
        _check_name(self, "module", name)
        if name not in self._modules and hasattr(self, name):
            raise KeyError(f"{self._get_name()}.add_module: attribute {name!r} already exists")
        self._modules[name] = module

    def register_module(self, name: str, module: "Module | None") -> None:
        """Alias of `add_module`."""
        self.add_module(name, module)

    # ---------------------------------------------------------------- calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}: a Module must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---------------------------------------------------------------- walking the tree
    def named_modules(self, memo: set["Module"] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """This module and every submodule, depth first (a module before its children), with
        dotted names; a module reachable twice is listed once unless remove_duplicate=False.
        `memo` collects the modules already seen."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, m in self._modules._items():
            if m is not None:
                yield from m.named_modules(memo, _join(prefix, name), remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        """This module and every submodule, each once (see `named_modules`)."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """The direct submodules with their names, each once."""
        seen: set[int] = set()
        for name, m in self._modules._items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator["Module"]:
        """The direct submodules, each once."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        mods = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                if recurse else iter([(prefix, self)]))
        for mod_name, m in mods:
            for k, v in m.__dict__[registry]._items():
                if v is None or id(v) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(v))
                yield _join(mod_name, k), v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs: a module's own parameters (in registration order)
        before its submodules', depth first; a shared parameter once, under its first name
        (unless remove_duplicate=False). recurse=False: this module's own only."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters, in `named_parameters()` order (what an optimizer is given)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) pairs, persistent or not, ordered as `named_parameters`."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers, in `named_buffers()` order."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> "Module":
        """The submodule at dotted path `target` ("" is this module); AttributeError naming
        the step that fails."""
        mod: Module = self
        if target == "":
            return mod
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(f"get_submodule({target!r}): {mod._get_name()} has no "
                                     f"attribute `{item}`")
            found = getattr(mod, item)
            if not isinstance(found, Module):
                raise AttributeError(f"get_submodule({target!r}): `{item}` is a "
                                     f"{type(found).__name__}, not an nn.Module")
            mod = found
        return mod

    def _get_member(self, target: str, kind: str, ok: Callable[["Module", str], bool]) -> Any:
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if not hasattr(mod, name):
            raise AttributeError(f"get_{kind}({target!r}): {mod._get_name()} has no attribute "
                                 f"`{name}`")
        if not ok(mod, name):
            raise AttributeError(f"get_{kind}({target!r}): `{name}` is not a {kind} of "
                                 f"{mod._get_name()}")
        return getattr(mod, name)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path `target` (`"layers.0.weight"`)."""
        return self._get_member(target, "parameter",
                                lambda m, n: isinstance(getattr(m, n), Parameter))

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path `target`."""
        return self._get_member(target, "buffer", lambda m, n: n in m._buffers)

    def apply(self: M, fn: Callable[["Module"], Any]) -> M:
        """Call `fn` on every submodule (children first, recursively) and then on this
        module; returns this module. The usual way to initialise a model's weights."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---------------------------------------------------------------- training helpers
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: `.grad = None` (or zeros, with set_to_none=False)."""
        zero_grads(self.parameters(), set_to_none)

    def requires_grad_(self: M, requires_grad: bool = True) -> M:
        """Set `requires_grad` on every parameter (False freezes them); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def train(self: M, mode: bool = True) -> M:
        """Set training mode (`mode=True`) or evaluation mode on this module and, through
        their own `train`, on all its submodules; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"{self._get_name()}.train: mode must be a bool, got "
                             f"{type(mode).__name__} {mode!r}")
        self.training = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self: M) -> M:
        """Evaluation mode: `train(False)`."""
        return self.train(False)

    def _cast(self: M, dtype: type) -> M:
        for m in self.modules():
            for t in [*m._parameters._values(), *m._buffers._values()]:
                for x in (t, None if t is None else t.grad):
                    if x is not None and x._data.dtype.kind == "f" and x._data.dtype != dtype:
                        x._data = x._data.astype(dtype)
                        x._bump_version()
        return self

    def half(self: M) -> M:
        """Floating point parameters, their gradients and buffers to float16 (in place)."""
        return self._cast(np.float16)

    def float(self: M) -> M:
        """Floating point parameters, their gradients and buffers to float32 (in place)."""
        return self._cast(np.float32)

    def double(self: M) -> M:
        """Floating point parameters, their gradients and buffers to float64 (in place)."""
        return self._cast(np.float64)

    def to(self: M, *args: Any, device: Any = None, dtype: Any = None,
           non_blocking: bool = False) -> M:
        """The module on `device` and/or with floating point `dtype`, in place, as PyTorch's
        `model.to(device)`, `model.to(torch.float32)`, `model.to(device, dtype)`. The only
        device is the CPU (anything else is a clear error); returns the module."""
        for a in args:
            if isinstance(a, (str, autograd.device)):
                device = a if device is None else device
            elif isinstance(a, Tensor):
                dtype = a.dtype if dtype is None else dtype
            else:
                dtype = a if dtype is None else dtype
        check_device(device, f"{type(self).__name__}.to")
        if dtype is not None:
            dt = as_dtype(dtype, f"{type(self).__name__}.to")
            if dt.kind != "f":
                raise TypeError(f"{type(self).__name__}.to: only floating point dtypes are "
                                f"accepted, got {dt}")
            self._cast(dt.type)
        return self

    def cpu(self: M) -> M:
        """The module on the CPU: itself."""
        return self

    def cuda(self: M, device: Any = None) -> M:
        """Refused: chalkgrad has no GPU backend yet."""
        return self.to("cuda")

    # ---------------------------------------------------------------- state
    def state_dict(self, *, destination: "OrderedDict[str, Tensor] | None" = None,
                   prefix: str = "", keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Every parameter and persistent buffer by dotted name: per module its parameters,
        then its buffers, then each submodule's entries (a shared submodule under each of its
        names, as in PyTorch). Values are detached, sharing memory (keep_vars=True: the
        tensors themselves)."""
        out: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination
        for name, p in self._parameters._items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers._items():
            if b is not None and name not in self._non_persistent_buffers_set:
                out[prefix + name] = b if keep_vars else b.detach()
        for name, m in self._modules._items():
            if m is not None:
                m.state_dict(destination=out, prefix=prefix + name + ".", keep_vars=keep_vars)
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy arrays (Tensors, numpy arrays or nested lists) into the parameters and
        persistent buffers of the same names. strict: every key must match both ways
        (RuntimeError naming the keys); shapes must always match. Nothing is changed when
        anything is wrong. assign=True: use the given arrays instead of copying into the
        current ones (dtypes then follow the checkpoint)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{self._get_name()}.load_state_dict: expected a dict-like "
                            f"state_dict, got {type(state_dict).__name__}")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        todo: list[tuple[Module, str, str, np.ndarray]] = []
        self._collect_loads(dict(state_dict), "", missing, unexpected, errors, todo)
        if strict and (missing or unexpected):
            head = []
            if missing:
                head.append("missing key(s): " + ", ".join(map(repr, missing)))
            if unexpected:
                head.append("unexpected key(s): " + ", ".join(map(repr, unexpected)))
            errors = head + errors
        if errors:
            raise RuntimeError(f"load_state_dict for {self._get_name()}: " + "; ".join(errors))
        for m, registry, name, arr in todo:
            current = m.__dict__[registry][name]
            if assign:
                new: Tensor = (Parameter(arr, requires_grad=current.requires_grad)
                               if registry == "_parameters" else from_numpy(arr))
                m.__dict__[registry][name] = new
            else:
                current._data[...] = arr
                current._bump_version()     # an in-place change: pending graphs must notice
        return IncompatibleKeys(missing, unexpected)

    def _collect_loads(self, sd: dict[str, Any], prefix: str, missing: list[str],
                       unexpected: list[str], errors: list[str],
                       todo: list[tuple["Module", str, str, np.ndarray]]) -> None:
        """One module's part of load_state_dict (PyTorch's walk: no de-duplication, keys of
        each module in its state_dict order), recursing into the submodules."""
        local: dict[str, tuple[str, Tensor]] = {}
        for name, p in self._parameters._items():
            if p is not None:
                local[name] = ("_parameters", p)
        for name, b in self._buffers._items():
            if b is not None and name not in self._non_persistent_buffers_set:
                local[name] = ("_buffers", b)
        for name, (registry, current) in local.items():
            key = prefix + name
            if key not in sd:
                missing.append(key)
                continue
            value = sd[key]
            try:
                arr = np.asarray(value._data if isinstance(value, Tensor) else value)
            except (TypeError, ValueError) as e:
                errors.append(f"{key!r}: cannot make an array of the checkpoint's "
                              f"{type(value).__name__} ({e})")
                continue
            if current.ndim == 0 and arr.shape == (1,):
                arr = arr.reshape(())
            what = "parameter" if registry == "_parameters" else "buffer"
            if arr.shape != current.shape:
                errors.append(f"size mismatch for {key!r}: the checkpoint has shape {arr.shape}, "
                              f"the model's {what} has shape {current.shape}")
            elif arr.dtype.kind not in "biuf":
                errors.append(f"{key!r}: expected a real-valued array, got dtype {arr.dtype}")
            else:
                todo.append((self, registry, name, arr))
        for key in sd:
            if key.startswith(prefix):
                head, dot, _ = key[len(prefix):].partition(".")
                if (head not in self._modules) if dot else (head not in local):
                    unexpected.append(key)
        for name, m in self._modules._items():
            if m is not None:
                child = prefix + name + "."
                m._collect_loads({k: v for k, v in sd.items() if k.startswith(child)}, child,
                                 missing, unexpected, errors, todo)

    # ---------------------------------------------------------------- display
    def extra_repr(self) -> str:
        """The part between the parentheses of this module's repr (override it; one line
        goes inside the parentheses, several lines above the submodules)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(m), 2)
                       for name, m in self._modules._items()]
        lines = extra_lines + child_lines
        head = self._get_name() + "("
        if not lines:
            return head + ")"
        if len(extra_lines) == 1 and not child_lines:
            return head + extra_lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"
