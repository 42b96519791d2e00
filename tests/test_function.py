"""autograd.Function (users' own ops, as torch.autograd.Function) and Rule.apply: gradients
against central differences for Tensors and Values, second derivatives through a backward
written with differentiable ops, ctx's facts, several outputs, clear errors; and the
"Write your own op" page (docs/custom_ops.md), every listing run."""
from __future__ import annotations

import numpy as np
import pytest
from doc_listings import run_page
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Function, Tensor, Value, gradcheck, gradgradcheck
from autograd.rules import Rule
from autograd.testing import tensors


class Sin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos()


class NumpySquare(Function):
    """A forward and backward written with numpy alone: first derivatives only."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return autograd.tensor(x.detach().numpy() ** 2)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * autograd.tensor(2 * x.detach().numpy())


class ScaledProduct(Function):
    """out = k * a * b with a constant k: backward returns None for k."""

    @staticmethod
    def forward(ctx, a, k, b):
        ctx.save_for_backward(a, b)
        ctx.k = k
        return a * b * k

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b * ctx.k, None, g * a * ctx.k


class MaxWithIndex(Function):
    """Two outputs: the row maxima (differentiable) and their indices (not)."""

    @staticmethod
    def forward(ctx, x):
        raw = x.detach().numpy()
        idx = raw.argmax(axis=1)
        ctx.idx, ctx.shape = idx, raw.shape
        values = autograd.tensor(raw[np.arange(len(idx)), idx])
        indices = autograd.tensor(idx)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, g_values, g_indices):
        out = np.zeros(ctx.shape)
        out[np.arange(len(ctx.idx)), ctx.idx] = g_values.detach().numpy()
        return autograd.tensor(out)


class SplitTwo(Function):
    """Two differentiable outputs: 2x and x^2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x

    @staticmethod
    def backward(ctx, g_double, g_square):
        (x,) = ctx.saved_tensors
        return g_double * 2 + g_square * 2 * x


@given(tensors((2, 3), -3, 3))
def test_a_function_passes_gradcheck_and_gradgradcheck_on_tensors(x):
    assert gradcheck(Sin.apply, [x])
    assert gradgradcheck(Sin.apply, [x])
    assert gradcheck(NumpySquare.apply, [x])


@given(st.floats(-3, 3))
def test_a_function_on_values(v):
    assert gradcheck(Sin.apply, [Value(v)])
    assert gradgradcheck(Sin.apply, [Value(v)])
    out = Sin.apply(Value(v))
    assert isinstance(out, Value) and out.op == "Sin"


def test_the_node_is_named_and_the_forward_recorded_nothing():
    x = autograd.tensor([0.5, 1.0], requires_grad=True)
    y = Sin.apply(x)
    assert y.grad_fn.name() == "SinBackward" and y.requires_grad and not y.is_leaf
    assert y._parents == (x,)                       # one node, not forward's own ops
    np.testing.assert_allclose(y.detach().numpy(), np.sin([0.5, 1.0]))
    (y * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos([0.5, 1.0]))


def test_constant_arguments_and_needs_input_grad():
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([3.0, 4.0])
    seen = []

    class Probe(ScaledProduct):
        @staticmethod
        def forward(ctx, a, k, b):
            seen.append(ctx.needs_input_grad)
            return ScaledProduct.forward(ctx, a, k, b)

    Probe.apply(a, 3.0, b).sum().backward()
    assert seen == [(True, False, False)]
    np.testing.assert_allclose(a.grad.numpy(), [9.0, 12.0])
    assert gradcheck(lambda a, b: ScaledProduct.apply(a, 2.5, b),
                     [autograd.tensor([1.0, -2.0], requires_grad=True),
                      autograd.tensor([0.5, 3.0], requires_grad=True)])


def test_keyword_arguments_reach_forward_as_constants():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, *, factor=1.0):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, g):
            return g * ctx.factor

    x = autograd.tensor([1.0, -2.0], requires_grad=True)
    Scale.apply(x, factor=3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_non_differentiable_outputs():
    x = autograd.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    values, indices = MaxWithIndex.apply(x)
    assert values.requires_grad and not indices.requires_grad
    assert indices.tolist() == [1, 0]
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])


def test_several_differentiable_outputs_sum_their_gradients():
    x = autograd.tensor([1.0, -2.0, 0.5], requires_grad=True)
    d, s = SplitTwo.apply(x)
    (d.sum() * 3 + s.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 + 2 * np.array([1.0, -2.0, 0.5]))
    assert gradcheck(lambda t: sum((o * o).sum() for o in SplitTwo.apply(t)),
                     [autograd.tensor([0.3, -1.2], requires_grad=True)])


def test_no_node_without_grad_or_under_no_grad():
    x = autograd.tensor([1.0])
    assert not Sin.apply(x).requires_grad
    w = autograd.tensor([1.0], requires_grad=True)
    with autograd.no_grad():
        assert not Sin.apply(w).requires_grad


def test_errors_name_the_function():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)

    class WrongCount(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"WrongCount.backward returned 1 gradient.*took 2"):
        WrongCount.apply(x, x).sum().backward()

    class WrongShape(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, g):
            return autograd.ones(3)

    with pytest.raises(RuntimeError, match=r"WrongShape.backward returned a gradient of shape "
                                           r"\(3,\) for input 0, which has shape \(2,\)"):
        WrongShape.apply(x).sum().backward()

    class NotATensor(Function):
        @staticmethod
        def forward(ctx, a):
            return 1.0

    with pytest.raises(TypeError, match="NotATensor.forward must return Tensors"):
        NotATensor.apply(x)
    with pytest.raises(TypeError, match="at least one Tensor or Value"):
        Sin.apply(1.0)
    with pytest.raises(TypeError, match="mix Values and Tensors"):
        ScaledProduct.apply(x, 1.0, Value(2.0))
    with pytest.raises(TypeError, match="save_for_backward: expected Tensors"):
        class SavesNumber(Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(3)
                return a
        SavesNumber.apply(x)


def test_a_saved_tensor_changed_in_place_is_refused():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1                                    # a non-leaf we can change
    y = Sin.apply(h)
    with autograd.no_grad():
        h.mul_(2)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.sum().backward()


def test_a_function_without_backward_says_so():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

    x = autograd.tensor([1.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="backward"):
        NoBackward.apply(x).sum().backward()


def test_rule_apply_is_the_public_table_form():
    class Cube(Rule):
        name = "cube"
        forward = staticmethod(lambda a: a ** 3)
        grads = (lambda g, out, a: g * 3 * a ** 2,)

    v = Value(2.0)
    c = Cube.apply(v)
    assert isinstance(c, Value) and c.op == "cube" and c.data == 8.0
    t = Cube.apply(autograd.tensor([1.0, 2.0], requires_grad=True))
    assert isinstance(t, Tensor) and t._rule is Cube
    assert Cube.apply(3.0) == 27.0                 # no node among the inputs: just forward
    assert gradcheck(Cube.apply, [Value(0.7)]) and gradgradcheck(Cube.apply, [Value(0.7)])


def test_the_docs_page_runs_and_prints_what_it_shows():
    namespace = run_page("custom_ops.md", min_listings=5)
    assert "Sin" in namespace and "SigmoidGate" in namespace
