"""A float64 central-difference check of Tensor gradients (a vector-Jacobian product check).

For f(*xs) -> Tensor and a random upstream gradient u of f's shape, `check_vjp` runs
`f(*xs).backward(u)` and compares each input's `.grad` with the numerical

    sum_j u_j * d f_j / d x_i     (central differences, eps = 1e-6)

It also checks what every backward must guarantee: the inputs and u are not modified,
each .grad has its input's shape and dtype, and no two gradients (or a gradient and an
input, or a gradient and u) share memory.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

import autograd as ag

EPS = 1e-6
ATOL = 1e-5
RTOL = 1e-4


def numerical_vjp(f: Callable[..., Any], arrays: Sequence[np.ndarray], u: np.ndarray,
                  i: int, eps: float = EPS) -> np.ndarray:
    """sum_j u_j d f_j / d x_i by central differences (on tensors that do not require grad)."""
    base = [np.array(a, dtype=np.float64, copy=True) for a in arrays]
    grad = np.zeros_like(base[i])
    flat = base[i].reshape(-1)          # a view: changing it changes base[i]
    for k in range(flat.size):
        old = flat[k]

        def phi(v: float) -> float:
            flat[k] = v
            out = f(*[ag.tensor(b) for b in base])
            return float(np.sum(u * np.asarray(out.data, dtype=np.float64)))

        plus, minus = phi(old + eps), phi(old - eps)
        flat[k] = old
        grad.reshape(-1)[k] = (plus - minus) / (2 * eps)
    return grad


def check_vjp(f: Callable[..., Any], *arrays: Any, seed: int = 0, wrt: Sequence[int] | None = None,
              atol: float = ATOL, rtol: float = RTOL) -> list:
    """Compare backward's gradients of f at `arrays` (float64) with central differences.

    `wrt`: the indices of the inputs that require grad (all by default); the others are
    passed as tensors that do not. Returns the input tensors (with their .grad).
    """
    rng = np.random.default_rng(seed)
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    originals = [a.copy() for a in arrays]
    wrt = range(len(arrays)) if wrt is None else wrt
    xs = [ag.tensor(a.copy(), requires_grad=(i in wrt)) for i, a in enumerate(arrays)]
    out = f(*xs)
    assert isinstance(out, ag.Tensor), f"f returned {type(out).__name__}"
    assert out.requires_grad
    u = rng.standard_normal(out.shape)
    u_copy = u.copy()
    out.backward(u)
    assert np.array_equal(u, u_copy), "backward modified the upstream gradient"
    grads = []
    for i, (x, a) in enumerate(zip(xs, originals, strict=True)):
        assert np.array_equal(x.data, a), f"backward modified input {i}"
        if i not in wrt:
            assert x.grad is None
            continue
        assert x.grad is not None, f"input {i} got no gradient"
        assert isinstance(x.grad, ag.Tensor)
        assert x.grad.shape == x.shape, f"input {i}: grad shape {x.grad.shape} != {x.shape}"
        assert x.grad.dtype == x.dtype
        assert not x.grad.requires_grad
        num = numerical_vjp(f, originals, u, i)
        np.testing.assert_allclose(x.grad.data, num, atol=atol, rtol=rtol,
                                   err_msg=f"gradient of input {i} (shape {x.shape})")
        grads.append(x.grad.data)
    assert_no_aliasing(grads, [x.data for x in xs] + [u])
    return xs


def assert_no_aliasing(grads: Sequence[np.ndarray], others: Sequence[np.ndarray]) -> None:
    """No gradient shares memory with another gradient, an input or the upstream gradient."""
    for i, g in enumerate(grads):
        for j, h in enumerate(grads):
            if i < j:
                assert not np.shares_memory(g, h), f"gradients {i} and {j} share memory"
        for o in others:
            assert not np.shares_memory(g, o), "a gradient shares memory with an input or u"


# ------------------------------------------------------------ input generators
def values(rng: np.random.Generator, shape: tuple, low: float = -2.0, high: float = 2.0,
           away: Sequence[float] = (), gap: float = 0.1) -> np.ndarray:
    """Uniform values in [low, high], each at least `gap` from every point in `away`."""
    x = rng.uniform(low, high, size=shape)
    for p in away:
        d = x - p
        near = np.abs(d) < gap
        x = np.where(near, p + np.where(d >= 0, gap, -gap) * 1.5, x)
    return np.asarray(x, dtype=np.float64)


def distinct(rng: np.random.Generator, shape: tuple, spacing: float = 0.25) -> np.ndarray:
    """Values at least `spacing` apart (no ties: max/min have one clear winner)."""
    n = int(np.prod(shape, dtype=np.int64))
    v = (rng.permutation(n) - n / 2) * spacing + rng.uniform(0, spacing / 4)
    return v.reshape(shape)
