"""Save and load state dicts as numpy `.npz` archives. Loading never unpickles.

A pickle can run any code when it is loaded, so a model file from the internet must never be
unpickled: `load` reads with `allow_pickle=False`, and a file that needs pickle (an object
array, or a whole pickled file such as `torch.save` writes) is refused with an error, before
anything in it runs.
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

_ZIP_MAGIC = b"PK\x03\x04"                  # every .npz is a zip archive
_NPY_MAGIC = b"\x93NUMPY"


def save(state_dict: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write the arrays of `state_dict` (Tensors or arrays, by name) to `path` (.npz).

    The file is written at exactly `path` (numpy's savez would append `.npz` to a name
    without it)."""
    arrays = {}
    for k, v in state_dict.items():
        arr = np.asarray(v._data if isinstance(v, Tensor) else v)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"nn.save: {k!r} is not a numeric array (dtype {arr.dtype})")
        arrays[str(k)] = arr
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _refuse(path: str, why: str) -> ValueError:
    return ValueError(f"nn.load: {path!r} {why}")


def load(path: str | os.PathLike) -> "OrderedDict[str, Tensor]":
    """Read a state dict written by `save` (or any .npz of numeric arrays) as Tensors, in
    the file's order. Raises FileNotFoundError for a missing file and ValueError, naming
    the path, for anything that is not such an archive (nothing in the file is run)."""
    name = os.fspath(path)
    with open(path, "rb") as f:
        head = f.read(len(_NPY_MAGIC))
    if head.startswith(_NPY_MAGIC):
        raise _refuse(name, "is a single .npy array, not an .npz archive of named arrays")
    if not head.startswith(_ZIP_MAGIC):
        what = ("a Python pickle; refusing, since unpickling can run code"
                if head[:1] == b"\x80" else "of another format")
        raise _refuse(name, f"is not an .npz archive: the file is {what}")
    out: OrderedDict[str, Tensor] = OrderedDict()
    key = None
    try:
        with np.load(path, allow_pickle=False) as archive:
            for key in archive.files:
                arr = archive[key]
                if not isinstance(arr, np.ndarray):     # a zip member that is not .npy
                    raise _refuse(name, f"is a zip archive but not an .npz: member {key!r} "
                                  "is not a numpy array (a torch.save file? load it with "
                                  "torch, save its state_dict's numpy arrays with nn.save)")
                out[key] = autograd.tensor(arr)
    except ValueError as e:
        if str(e).startswith("nn.load"):
            raise
        if "pickle" in str(e).lower():
            raise _refuse(name, f"holds Python objects under {key!r} that only pickle could "
                          "load; refusing, since unpickling can run code") from None
        raise _refuse(name, f"is not a readable .npz archive ({e})") from None
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise _refuse(name, f"is not a readable .npz archive (truncated or damaged: {e})"
                      ) from None
    return out
