"""Save and load state dicts as numpy `.npz` archives. Loading never unpickles.

A pickle can run any code when it is loaded, so a model file from the internet must never be
unpickled: `load` reads with `allow_pickle=False`, and a file that needs pickle (an object
array) is refused with an error, before anything in it runs.
"""
from __future__ import annotations

import os
import zipfile
from collections import OrderedDict
from typing import Any, Mapping

import numpy as np

import autograd
from autograd import Tensor

__all__ = ["save", "load"]


def save(state_dict: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write the arrays of `state_dict` (Tensors or arrays, by name) to `path` (.npz)."""
    arrays = {}
    for k, v in state_dict.items():
        arr = np.asarray(v._data if isinstance(v, Tensor) else v)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"nn.save: {k!r} is not a numeric array (dtype {arr.dtype})")
        arrays[str(k)] = arr
    with open(path, "wb") as f:             # exactly this path (np.savez would add .npz)
        np.savez(f, **arrays)


def load(path: str | os.PathLike) -> "OrderedDict[str, Tensor]":
    """Read a state dict written by `save` (or any .npz of numeric arrays), as Tensors."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError(f"nn.load: {os.fspath(path)!r} is a single .npy array, not "
                                 "an .npz archive of named arrays")
            return OrderedDict((k, autograd.tensor(archive[k])) for k in archive.files)
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ValueError(f"nn.load: {os.fspath(path)!r} needs pickle to load (it holds "
                             "Python objects); refusing, since unpickling can run code") from None
        if str(e).startswith("nn.load"):
            raise
        raise ValueError(f"nn.load: {os.fspath(path)!r} is not a readable .npz archive "
                         f"({e})") from None
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"nn.load: {os.fspath(path)!r} is not a readable .npz archive "
                         f"(truncated or another format: {e})") from None
