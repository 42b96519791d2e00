"""Random tensor programs against PyTorch: values and every input's gradient, with zeros,
negative numbers, inf and nan among the inputs (hypothesis draws the programs and the
values). nan must come out where PyTorch's does, inf as PyTorch's, and the rest equal to
float64 rounding. Plus the nan/inf findings, one test each."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn

torch = pytest.importorskip("torch")

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, -3.0, 0.5, np.inf, -np.inf, np.nan]
UNARY = {
    "neg": lambda m, x: -x, "exp": lambda m, x: (x * 0.5).exp(), "log": lambda m, x: x.log(),
    "sqrt": lambda m, x: x.sqrt(), "sin": lambda m, x: x.sin(), "cos": lambda m, x: x.cos(),
    "tanh": lambda m, x: x.tanh(), "sigmoid": lambda m, x: x.sigmoid(),
    "relu": lambda m, x: x.relu(), "abs": lambda m, x: x.abs(),
    "square": lambda m, x: x ** 2, "cube": lambda m, x: x ** 3, "root": lambda m, x: x ** 0.5,
    "recip": lambda m, x: 1 / x, "clamp": lambda m, x: x.clamp(-1.0, 2.0),
    "clamp_max": lambda m, x: x.clamp(max=0.0), "log1p": lambda m, x: x.log1p(),
    "sum_last": lambda m, x: x.sum(-1, keepdim=True), "mean_last": lambda m, x: x.mean(-1),
    "max_all": lambda m, x: x.max(), "min_all": lambda m, x: x.min(),
    "max_dim": lambda m, x: x.max(-1).values, "transpose": lambda m, x: x.transpose(0, -1),
    "flip_sign_where": lambda m, x: m.where(x > 0, x, -x),
}
BINARY = {
    "add": lambda m, x, y: x + y, "sub": lambda m, x, y: x - y, "mul": lambda m, x, y: x * y,
    "div": lambda m, x, y: x / y, "pow": lambda m, x, y: x ** y,
    "maximum": lambda m, x, y: m.maximum(x, y), "minimum": lambda m, x, y: m.minimum(x, y),
    "where": lambda m, x, y: m.where(x < y, x, y),
}

ops = st.lists(st.one_of(
    st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), st.integers(0, 5)),
    st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), st.integers(0, 5),
              st.integers(0, 5))), min_size=1, max_size=6)


def run(lib, program, arrays):
    kw = {"dtype": torch.float64} if lib is torch else {}
    leaves = [lib.tensor(a, requires_grad=True, **kw) for a in arrays]
    pool = list(leaves)
    with warnings.catch_warnings():
        # No numpy warning from a function outside its domain (log, sqrt, sin of inf, ...);
        # arithmetic on infinities (inf - inf) keeps numpy's warnings.
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", r"(invalid value|overflow) encountered in "
                                r"(add|subtract|multiply|divide|matmul|reduce)", RuntimeWarning)
        for op in program:
            try:
                if op[0] == "u":
                    pool.append(UNARY[op[1]](lib, pool[op[2] % len(pool)]))
                else:
                    pool.append(BINARY[op[1]](lib, pool[op[2] % len(pool)],
                                              pool[op[3] % len(pool)]))
            except RuntimeError:                            # shapes that do not fit
                return None
        out = pool[-1]
        total = out.sum()
        total.backward()
    return (np.asarray(out.detach().numpy(), dtype=np.float64),
            [None if t.grad is None else t.grad.numpy() for t in leaves])


@settings(deadline=None)
@given(ops, st.lists(st.lists(st.sampled_from(SPECIAL), min_size=3, max_size=3), min_size=2,
                     max_size=2), st.booleans())
def test_random_programs_give_pytorchs_values_and_gradients(program, rows, two_dims):
    arrays = [np.array(rows[0]), np.array([rows[1]] if two_dims else rows[1])]
    theirs = run(torch, program, arrays)
    if theirs is None:
        return
    ours = run(autograd, program, arrays)
    assert ours is not None, program
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-12, equal_nan=True,
                               err_msg=f"values of {program}")
    for o, t in zip(ours[1], theirs[1]):
        assert (o is None) == (t is None), program
        if o is not None:
            np.testing.assert_allclose(o, t, rtol=1e-10, atol=1e-12, equal_nan=True,
                                       err_msg=f"gradients of {program}")


def grads(lib, f, xs, seed=None):
    kw = {"dtype": torch.float64} if lib is torch else {}
    x = lib.tensor(xs, requires_grad=True, **kw)
    y = f(lib, x)
    if seed is None:
        y.sum().backward()
    else:
        y.backward(lib.tensor(seed, **kw))
    return y.detach().numpy().tolist(), x.grad.numpy().tolist()


nan, inf = float("nan"), float("inf")
FINDINGS = {
    "1/relu(x) at x < 0": (lambda m, x: 1 / x.relu(), [-1.0, 2.0]),
    "sqrt(relu(x)) at x <= 0": (lambda m, x: x.relu().sqrt(), [-1.0, 0.0, 4.0]),
    "log(clamp(x, max=0)) at x > 0": (lambda m, x: x.clamp(max=0).log(), [1.0, -1.0]),
    "max() with a nan": (lambda m, x: x.max(), [nan, 1.0, 3.0]),
    "min() with a nan": (lambda m, x: x.min(), [nan, 1.0, 3.0]),
    "relu at nan": (lambda m, x: x.relu(), [nan, 1.0]),
    "abs at nan": (lambda m, x: x.abs(), [nan, 0.0, -2.0]),
    "maximum with nans": (lambda m, x: m.maximum(x, m.tensor([1.0, nan, 2.0])),
                          [nan, 1.0, 2.0]),
    "minimum with nans": (lambda m, x: m.minimum(x, m.tensor([1.0, nan, 2.0])),
                          [nan, 1.0, 2.0]),
    "ties keep splitting": (lambda m, x: m.maximum(x, m.tensor([1.0, 2.0])) + x.max(),
                            [1.0, 2.0]),
}


@pytest.mark.parametrize("name", FINDINGS)
def test_nan_and_inf_findings(name):
    f, xs = FINDINGS[name]
    ours, theirs = grads(autograd, f, xs), grads(torch, f, xs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_value_relu_of_nan_is_nan():
    assert np.isnan(autograd.Value(nan).relu().data)


def test_empty_reductions_and_losses_are_nan():
    e = autograd.zeros(0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(e.mean().item()) and e.sum().item() == 0.0
        loss = nn.functional.mse_loss(e, autograd.zeros(0))
        assert np.isnan(loss.item())
        loss.backward()
    assert e.grad.shape == (0,)
    assert np.isnan(autograd.zeros(0, 3).mean(dim=0).numpy()).all()


def test_transposing_a_0d_tensor():
    x = autograd.tensor(2.0)
    assert x.transpose(0, -1).shape == () and x.t().shape == () and x.T.shape == ()


def test_float32_keeps_float32_with_numpy_scalars_and_integer_tensors():
    f = autograd.tensor([1.0, 2.0], dtype=autograd.float32)
    assert (f * np.float64(2)).dtype == np.float32
    assert (np.float64(2) * f).dtype == np.float32
    assert (f + autograd.tensor([1, 2])).dtype == np.float32
    t = torch.tensor([1.0, 2.0], dtype=torch.float32)
    assert (t * np.float64(2)).dtype == torch.float32


def test_complex_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="complex"):
        autograd.tensor([1 + 2j], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        autograd.tensor([1 + 2j]).requires_grad_()
