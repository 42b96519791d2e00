"""All of a model's parameters as one flat vector and back, as `torch.nn.utils`:
`parameters_to_vector` and `vector_to_parameters` (for second-order methods, evolution
strategies, line searches: anything that wants the model as a point in R^n)."""
from __future__ import annotations

from typing import Iterable

import numpy as np

import autograd
from autograd import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened (row-major) and concatenated, in order, into one 1-D Tensor.
    It is computed in the graph (d vector / d parameter is the identity), so it requires
    grad when the parameters do."""
    params = list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters_to_vector: expected Tensors, got a "
                            f"{type(p).__name__}")
    if not params:
        raise RuntimeError("parameters_to_vector: expected at least one parameter, got none")
    return autograd.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D Tensor `vec` into the parameters (in place, each
    keeping its shape and dtype): the inverse of `parameters_to_vector`. RuntimeError when
    `vec` does not have exactly as many entries as the parameters together."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got "
                        f"{type(vec).__name__}")
    if vec.ndim != 1:
        raise RuntimeError(f"vector_to_parameters: expected a 1-D vector, got shape "
                           f"{tuple(vec.shape)}")
    params = list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"vector_to_parameters: expected Tensors, got a "
                            f"{type(p).__name__}")
    need = sum(p._data.size for p in params)
    if vec.shape[0] != need:
        raise RuntimeError(f"vector_to_parameters: the vector has {vec.shape[0]} entries, "
                           f"the parameters have {need} together")
    data: np.ndarray = vec._data
    start = 0
    for p in params:
        n = p._data.size
        p._data[...] = data[start:start + n].reshape(p._data.shape)
        p._bump_version()
        start += n
