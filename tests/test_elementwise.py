"""The elementwise math against PyTorch: values, every input's
gradient (float64, rtol 1e-10), dtypes (float32, integer inputs), special values (nan, inf,
-0.), gradients of gradients, and the errors of bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, Value, gradcheck, gradgradcheck
from autograd import rules as R

torch = pytest.importorskip("torch")

RTOL = 1e-10

# name: (low, high) of the test inputs (away from the edges of the domain)
UNARY = {
    "tan": (-1.4, 1.4), "asin": (-0.95, 0.95), "acos": (-0.95, 0.95), "atan": (-5, 5),
    "sinh": (-5, 5), "cosh": (-5, 5), "asinh": (-5, 5), "acosh": (1.05, 5),
    "atanh": (-0.95, 0.95), "exp2": (-5, 5), "expm1": (-5, 5), "log2": (0.05, 5),
    "log10": (0.05, 5), "rsqrt": (0.05, 5), "reciprocal": (0.1, 5), "square": (-5, 5),
    "erf": (-4, 4), "erfc": (-4, 6), "erfinv": (-0.999, 0.999), "sign": (-3, 3),
    "floor": (-3, 3), "ceil": (-3, 3), "trunc": (-3, 3), "round": (-3, 3), "frac": (-3, 3),
}
# name: (low, high) of both inputs, and whether the second must stay away from 0
BINARY = {"atan2": (-3, 3), "hypot": (-3, 3), "logaddexp": (-30, 30), "copysign": (-3, 3),
          "fmod": (-5, 5), "remainder": (-5, 5)}

shapes = st.sampled_from([(), (1,), (3,), (2, 3), (0,), (2, 0), (1, 4)])


def arrays(shape, lo, hi, away_from_zero=False):
    return st.lists(st.floats(lo, hi, allow_nan=False), min_size=int(np.prod(shape)),
                    max_size=int(np.prod(shape))).map(
        lambda xs: _away(np.array(xs, dtype=np.float64).reshape(shape), away_from_zero))


def _away(a, away):
    return np.where(np.abs(a) < 0.1, 0.5, a) if away else a


def compare(ours, theirs, *arrs, grads=True):
    """ours(*Tensors) against theirs(*torch tensors): values, and each input's gradient for
    one random upstream gradient."""
    xs = [autograd.tensor(a.copy(), requires_grad=grads) for a in arrs]
    ts = [torch.tensor(a.copy(), requires_grad=grads) for a in arrs]
    out, ref = ours(*xs), theirs(*ts)
    assert out.shape == tuple(ref.shape)
    assert str(out.dtype) == str(ref.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=RTOL, atol=0,
                               equal_nan=True)
    if grads and ref.requires_grad:
        if out.grad_fn is not None:
            assert out.grad_fn.name() == ref.grad_fn.name()
        u = np.random.default_rng(0).uniform(0.5, 1.5, out.shape)
        mine = autograd.grad(out, xs, autograd.tensor(u), allow_unused=True)
        theirs_ = torch.autograd.grad(ref, ts, torch.tensor(u), allow_unused=True)
        for m, t in zip(mine, theirs_):
            t = np.zeros(out.shape) if t is None else t.numpy()
            m = np.zeros_like(t) if m is None else m.numpy()
            np.testing.assert_allclose(m, t, rtol=RTOL, atol=1e-300, equal_nan=True)


@pytest.mark.parametrize("name", list(UNARY))
@settings(max_examples=12)
@given(data=st.data())
def test_unary_matches_torch(name, data):
    lo, hi = UNARY[name]
    a = data.draw(shapes.flatmap(lambda s: arrays(s, lo, hi)))
    compare(getattr(Tensor, name), getattr(torch, name), a)
    compare(getattr(autograd, name), getattr(torch, name), a)     # the function


@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=12)
@given(data=st.data())
def test_binary_matches_torch_with_broadcasting(name, data):
    lo, hi = BINARY[name]
    sa = data.draw(shapes)
    sb = data.draw(st.sampled_from([sa, sa[1:], (1,) + sa[1:], ()]))
    away = name in ("fmod", "remainder", "copysign")
    a = data.draw(arrays(sa, lo, hi, away))
    b = data.draw(arrays(sb, lo, hi, away))
    compare(getattr(Tensor, name), getattr(torch, name), a, b)
    compare(getattr(autograd, name), getattr(torch, name), a, b)


@pytest.mark.parametrize("decimals", [0, 1, 2, -1])
def test_round_with_decimals_rounds_half_to_even_as_torch(decimals):
    a = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 1.25, 0.125, 15.0, 25.0, 123.456, -0.0, 1e300])
    compare(lambda x: x.round(decimals=decimals),
            lambda x: torch.round(x, decimals=decimals), a)
    assert autograd.round(2.5) == 2.0 and autograd.round(1.25, decimals=1) == 1.2


@pytest.mark.filterwarnings("error")              # nan and inf without numpy's warnings
def test_special_values_as_torch():
    a = np.array([math.nan, math.inf, -math.inf, -0.0, 0.0, 1.0, -1.0, 2.0])
    for name in UNARY:
        compare(getattr(Tensor, name), getattr(torch, name), a)
    for name in BINARY:
        for b in (np.array(1.5), np.array(-0.0), np.array(math.inf), np.array(math.nan), a,
                  a[::-1].copy()):
            compare(getattr(Tensor, name), getattr(torch, name), a, b)
    for sign in (1.0, -1.0):     # the signed zeros of floor, ceil, round, trunc and sign
        z = autograd.tensor([sign * 0.0, sign * 0.3])
        for name in ("floor", "ceil", "round", "trunc", "sign", "frac"):
            mine = getattr(z, name)().numpy()
            ref = getattr(torch.tensor([sign * 0.0, sign * 0.3], dtype=torch.float64), name)()
            assert list(np.signbit(mine)) == list(np.signbit(ref.numpy())), name


def test_atan2_gradient_is_torchs_where_the_squares_underflow_and_to_the_last_bit():
    """d atan2(a, b) = (b, -a) g / (a^2 + b^2), taken as PyTorch takes it: the reciprocal
    first, 0 where the sum is 0. A sum that is tiny but not 0 (a subnormal) has an infinite
    reciprocal, so the gradients are inf and nan there, as in PyTorch (a hypothesis run
    found (0, 2.7e-157): finite here, inf there)."""
    a = np.array([0.0, 0.0, 1e-160, 3e-160, 0.0, 0.0, -0.0])
    b = np.array([2.66844305e-157, 1e-200, 1e-160, 0.0, 0.0, 1.0, -2.0])
    compare(Tensor.atan2, torch.atan2, a, b)
    x, y = Value(0.0), Value(2.66844305e-157)
    autograd.atan2(x, y).backward()
    assert x.grad == math.inf and math.isnan(y.grad)
    rng = np.random.default_rng(1)                  # ordinary inputs: the same bits
    a, b, u = rng.standard_normal(2000), rng.standard_normal(2000), rng.uniform(0.5, 1.5, 2000)
    xs = [autograd.tensor(v, requires_grad=True) for v in (a, b)]
    ts = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    autograd.atan2(*xs).backward(autograd.tensor(u))
    torch.atan2(*ts).backward(torch.tensor(u))
    for x, t in zip(xs, ts):
        assert np.array_equal(x.grad.numpy(), t.grad.numpy())


def _exp_of(arg):
    """What numpy's and PyTorch's exp give for arg(a, b, out)."""
    def inner(a, b, out):
        x = arg(a, b, out)
        return np.exp(x), torch.exp(torch.tensor(x)).numpy()
    return inner


# op: (the rule, the range of each input (a number is a constant exponent), and the libm calls
# inside the derivative, as (numpy's, PyTorch's) values: only where they agree are bits compared)
IN_TORCHS_ORDER = {
    "rsqrt": (R.Rsqrt, [(0.05, 5)], None),
    "log10": (R.Log10, [(0.05, 5)], None),
    "sigmoid": (R.Sigmoid, [(-5, 5)], None),
    "erf": (R.Erf, [(-4, 4)], _exp_of(lambda a, b, out: -(a * a))),
    "erfc": (R.Erfc, [(-4, 4)], _exp_of(lambda a, b, out: -(a * a))),
    "erfinv": (R.Erfinv, [(-0.999, 0.999)], _exp_of(lambda a, b, out: out * out)),
    "div": (R.Div, [(-3, 3), (0.5, 3)], None),
    "copysign": (R.Copysign, [(-3, 3), (-3, 3)], None),
    "atan2": (R.Atan2, [(-3, 3), (-3, 3)], None),
    "pow": (R.Pow, [(0.1, 3), (0.1, 3)], lambda a, b, out: (
        [np.power(a, b - 1), np.log(a)],
        [torch.pow(torch.tensor(a), torch.tensor(b - 1)).numpy(),
         torch.log(torch.tensor(a)).numpy()])),
    "pow, constant 3": (R.Pow, [(0.1, 3), 3.0], None),
    "pow, constant 2.5": (R.Pow, [(0.1, 3), 2.5], lambda a, b, out: (
        np.power(a, b - 1), torch.pow(torch.tensor(a), b - 1).numpy())),
}


@pytest.mark.parametrize("name", list(IN_TORCHS_ORDER))
def test_derivatives_multiply_in_torchs_order(name):
    """Given PyTorch's forward values, each derivative formula gives PyTorch's gradients bit
    for bit: the same products in the same order, the same constants (g b a^(b-1) and
    g (b a^(b-1)) differ in the last bit a third of the time)."""
    rule, ranges, libm = IN_TORCHS_ORDER[name]
    rng = np.random.default_rng(7)
    n = 5000
    args = [rng.uniform(*r, n) if isinstance(r, tuple) else r for r in ranges]
    u = rng.uniform(0.5, 1.5, n)
    ts = [torch.tensor(x, requires_grad=True) if isinstance(x, np.ndarray) else x for x in args]
    out = getattr(torch, name.split(",")[0])(*ts)
    wanted = [t for t in ts if isinstance(t, torch.Tensor)]
    theirs = torch.autograd.grad(out, wanted, torch.tensor(u))
    out = out.detach().numpy()
    keep = np.ones(n, bool)
    if libm is not None:
        ours_f, theirs_f = libm(*(args + [None])[:2], out)
        keep = np.all(np.atleast_2d(ours_f) == np.atleast_2d(theirs_f), axis=0)
        assert keep.mean() > 0.5, keep.mean()
    for k, t in enumerate(theirs):
        mine = rule.grads[k](u, out, *args)
        assert np.array_equal(mine[keep], t.numpy()[keep]), (name, k)


def test_logaddexp_does_not_overflow():
    a = np.array([1000.0, -1000.0, 800.0, -math.inf, math.inf])
    b = np.array([999.0, -1001.0, -800.0, -math.inf, math.inf])
    compare(Tensor.logaddexp, torch.logaddexp, a, b, grads=False)
    compare(Tensor.logaddexp, torch.logaddexp, a[:3], b[:3])


def test_erfinv_is_accurate_to_the_last_bits():
    y = np.concatenate([np.linspace(-1, 1, 20001), [1e-300, -1e-20, 1e-8, 0.5, 1 - 1e-16,
                                                   -1 + 1e-16, 1 - 2 ** -40, 1.5, -2.0]])
    mine = autograd.tensor(y).erfinv().numpy()
    ref = torch.erfinv(torch.tensor(y)).numpy()
    np.testing.assert_allclose(mine, ref, rtol=4e-15, atol=0, equal_nan=True)
    # erf(erfinv(y)) == y
    inner = np.abs(y) < 1
    back = autograd.tensor(mine[inner]).erf().numpy()
    np.testing.assert_allclose(back, y[inner], rtol=2e-15, atol=1e-300)
    assert autograd.erfinv(0.5) == pytest.approx(0.4769362762044699, rel=1e-15)


def test_float32_stays_float32_and_agrees():
    rng = np.random.default_rng(3)
    for name, (lo, hi) in UNARY.items():
        a = rng.uniform(lo, hi, 50).astype(np.float32)
        out = getattr(autograd.tensor(a), name)()
        ref = getattr(torch.tensor(a), name)()
        assert out.dtype == autograd.float32, name
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=2e-6, atol=1e-6)
    for name, (lo, hi) in BINARY.items():
        a, b = rng.uniform(lo, hi, (2, 50)).astype(np.float32)
        b = np.where(np.abs(b) < 0.1, np.float32(0.5), b)
        out = getattr(autograd.tensor(a), name)(autograd.tensor(b))
        ref = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        assert out.dtype == autograd.float32, name
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=2e-6, atol=2e-6)


INT_SAME = ["sign", "floor", "ceil", "trunc", "round", "square"]
INT_TO_FLOAT = ["tan", "atan", "sinh", "cosh", "asinh", "exp2", "expm1", "log2", "log10",
                "rsqrt", "reciprocal", "erf", "erfc"]


def test_integer_inputs_give_torch_dtypes():
    a = np.array([-3, -1, 0, 1, 2, 7], dtype=np.int64)
    for name in INT_SAME + INT_TO_FLOAT:
        out = getattr(autograd.tensor(a), name)()
        ref = getattr(torch.tensor(a), name)()
        expect = "float64" if ref.dtype == torch.float32 else str(ref.dtype)[6:]
        assert str(out.dtype) == expect, name          # (the default float is float64 here)
        np.testing.assert_allclose(out.numpy(), ref.double().numpy() if expect == "float64"
                                   else ref.numpy(), rtol=1e-6, equal_nan=True)
    for name in ("fmod", "remainder"):
        b = np.array([2, -2, 3, -3, 5, -4], dtype=np.int64)
        out = getattr(autograd.tensor(a), name)(autograd.tensor(b))
        ref = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        assert out.dtype == autograd.int64 and out.tolist() == ref.tolist(), name
        assert getattr(autograd.tensor(a), name)(3).tolist() == getattr(torch, name)(
            torch.tensor(a), 3).tolist()
    with pytest.raises(ZeroDivisionError, match="fmod"):
        autograd.tensor(a).fmod(0)


def test_remainder_and_fmod_signs_and_operators():
    a = np.array([-7.5, 7.5, -7.0, 7.0, 5.5, -0.0])
    b = np.array([2.0, -2.0, 2.0, -3.5, 5.5, 3.0])
    x, y = autograd.tensor(a), autograd.tensor(b)
    tx, ty = torch.tensor(a), torch.tensor(b)
    np.testing.assert_array_equal((x % y).numpy(), (tx % ty).numpy())
    np.testing.assert_array_equal((x // y).numpy(), (tx // ty).numpy())
    np.testing.assert_array_equal(x.fmod(y).numpy(), tx.fmod(ty).numpy())
    np.testing.assert_array_equal((7.5 % y).numpy(), (7.5 % ty).numpy())
    np.testing.assert_array_equal((7.5 // y).numpy(), (7.5 // ty).numpy())
    assert ((x % 2.0).numpy() >= 0).all() and (x.fmod(2.0).numpy()[0] < 0)
    i = autograd.tensor([-7, 7, 6])
    assert (i // 2).tolist() == [-4, 3, 3] and (i // 2).dtype == autograd.int64
    assert (i % -4).tolist() == (torch.tensor([-7, 7, 6]) % -4).tolist()
    v = Value(-7.5) % 2.0
    assert v.data == -7.5 % 2.0 and (Value(-7.5) // 2.0).data == -4.0


def test_floor_divide_has_no_derivative_as_in_torch():
    x = autograd.tensor([3.5, -2.5], requires_grad=True)
    out = x // 2.0
    assert out.requires_grad and out.grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match="floor_divide"):
        out.sum().backward()
    assert autograd.floor_divide(x, 2.0).tolist() == [1.0, -2.0]


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
def test_div_rounding_mode(mode):
    a = np.array([7.5, -7.5, 7.0, -7.0, 0.5, -0.5])
    b = np.array([2.0, 2.0, -2.0, 3.0, -0.25, 4.0])
    compare(lambda x, y: x.div(y, rounding_mode=mode),
            lambda x, y: torch.div(x, y, rounding_mode=mode), a, b)
    compare(lambda x, y: autograd.div(x, y, rounding_mode=mode),
            lambda x, y: torch.div(x, y, rounding_mode=mode), a, b)
    i, j = np.array([7, -7, 7, -7, 0]), np.array([2, 2, -2, 3, 5])
    mine = autograd.tensor(i).div(autograd.tensor(j), rounding_mode=mode)
    ref = torch.div(torch.tensor(i), torch.tensor(j), rounding_mode=mode)
    expect = "float64" if ref.dtype == torch.float32 else str(ref.dtype)[6:]  # default float
    assert str(mine.dtype) == expect
    if mode is None:        # torch divides in its float32 default, here in float64
        np.testing.assert_array_equal(mine.numpy(), i / j)
    else:
        assert mine.tolist() == ref.tolist()


def test_bad_rounding_mode_is_an_error():
    x = autograd.tensor([1.0])
    with pytest.raises(RuntimeError, match="rounding_mode"):
        x.div(2.0, rounding_mode="round")
    with pytest.raises(ValueError, match="rounding_mode"):
        autograd.div(x, 2.0, rounding_mode="ceil")


def test_add_and_sub_with_alpha():
    a, b = np.array([[1.0, -2.0, 3.0]]), np.array([[0.5], [2.0]])
    for alpha in (1, 2, -0.5):
        compare(lambda x, y: x.add(y, alpha=alpha), lambda x, y: x.add(y, alpha=alpha), a, b)
        compare(lambda x, y: autograd.sub(x, y, alpha=alpha),
                lambda x, y: torch.sub(x, y, alpha=alpha), a, b)
        compare(lambda x, y: autograd.subtract(x, y, alpha=alpha),
                lambda x, y: torch.subtract(x, y, alpha=alpha), a, b)
    compare(autograd.multiply, torch.multiply, a, b)
    compare(autograd.true_divide, torch.true_divide, a, b)
    assert autograd.tensor([1, 2]).add(3, alpha=2).tolist() == [7, 8]
    with pytest.raises(TypeError, match="alpha"):
        autograd.tensor([1.0]).add(1.0, alpha="2")


def test_lerp_with_number_and_tensor_weights():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3,))
    for w in (0.3, 0.7, -1.0, 2.0):
        compare(lambda x, y: x.lerp(y, w), lambda x, y: torch.lerp(x, y, w), a, b)
    w = rng.uniform(-1, 2, (2, 1))
    compare(lambda x, y, z: autograd.lerp(x, y, z), torch.lerp, a, b, w)
    assert autograd.lerp(1.0, 3.0, 0.25) == 1.5


# ------------------------------------------------------------ Values and second derivatives
def test_values_compute_and_differentiate_every_unary_op():
    for name, (lo, hi) in UNARY.items():
        x = 0.37 * lo + 0.63 * hi + 0.013           # an interior point, off the integers
        v = getattr(Value(x), name)()
        ref = getattr(torch.tensor(x, dtype=torch.float64, requires_grad=True), name)()
        assert v.data == pytest.approx(ref.item(), rel=1e-12), name
        assert gradcheck(lambda a: getattr(a, name)(), [Value(x)]), name


def test_values_outside_the_domain_raise_value_errors_naming_the_op():
    for name, x in [("asin", 1.5), ("acos", -2.0), ("acosh", 0.5), ("atanh", 1.0),
                    ("log2", 0.0), ("log10", -1.0), ("rsqrt", 0.0), ("erfinv", 1.0),
                    ("reciprocal", 0.0)]:
        with pytest.raises(ValueError, match=name):
            getattr(Value(x), name)()
    with pytest.raises(ValueError, match="fmod"):
        Value(1.0).fmod(0.0)


SMOOTH = ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "exp2",
          "expm1", "log2", "log10", "rsqrt", "reciprocal", "square", "erf", "erfc", "erfinv"]


@pytest.mark.parametrize("name", SMOOTH)
def test_second_derivatives_match_torch(name):
    lo, hi = UNARY[name]
    a = np.linspace(lo, hi, 7)[1:-1] * 0.97
    x = autograd.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    (g,) = autograd.grad(getattr(x, name)().sum(), [x], create_graph=True)
    (tg,) = torch.autograd.grad(getattr(t, name)().sum(), [t], create_graph=True)
    (gg,) = autograd.grad(g.sum(), [x])
    (tgg,) = torch.autograd.grad(tg.sum(), [t])
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-9)
    assert gradgradcheck(lambda z: getattr(z, name)(), [autograd.tensor(a, requires_grad=True)])


@pytest.mark.parametrize("name", list(BINARY) + ["lerp"])
def test_binary_second_derivatives(name):
    rng = np.random.default_rng(7)
    arrs = [rng.uniform(0.4, 1.9, (2, 3)) * s for s in (1, -1, 1)]
    n = 3 if name == "lerp" else 2
    xs = [autograd.tensor(a, requires_grad=True) for a in arrs[:n]]
    assert gradgradcheck(getattr(autograd, name), xs)


# ------------------------------------------------------------ bitwise, predicates, clamp
BITWISE = ["&", "|", "^", "<<", ">>"]


@pytest.mark.parametrize("op", BITWISE)
def test_bitwise_operators_on_integers_and_booleans_as_torch(op):
    i = np.array([5, 3, -8, 0, 12])
    j = np.array([1, 2, 3, 0, 2])
    b = np.array([True, False, True, False, True])
    cases = [(i, j), (b, j), (i, np.int64(2))]
    if op not in ("<<", ">>"):
        cases += [(b, b), (b, np.array(True))]
    else:
        with pytest.raises(NotImplementedError, match="booleans"):
            eval(f"autograd.tensor(b) {op} autograd.tensor(b)")
    for x, y in cases:
        mine = eval(f"autograd.tensor(x) {op} autograd.tensor(y)", {"autograd": autograd},
                    {"x": x, "y": y})
        ref = eval(f"torch.tensor(x) {op} torch.tensor(y)", {"torch": torch}, {"x": x, "y": y})
        assert str(mine.dtype) == str(ref.dtype)[6:] and mine.tolist() == ref.tolist()
    assert eval(f"autograd.tensor(i) {op} 1").tolist() == eval(f"torch.tensor(i) {op} 1").tolist()
    assert eval(f"3 {op} autograd.tensor(j)").tolist() == eval(f"3 {op} torch.tensor(j)").tolist()
    with pytest.raises(NotImplementedError, match="integer and boolean"):
        eval(f"autograd.tensor([1.5]) {op} autograd.tensor([1.0])")
    with pytest.raises(RuntimeError):
        eval(f"autograd.tensor([1]) {op} 1.5")


def test_bitwise_not_and_named_functions():
    i, b = np.array([5, -1, 0]), np.array([True, False, True])
    assert (~autograd.tensor(i)).tolist() == (~torch.tensor(i)).tolist()
    assert (~autograd.tensor(b)).tolist() == [False, True, False]
    with pytest.raises(TypeError, match="integer and boolean"):
        ~autograd.tensor([1.0])
    x, y = autograd.tensor(i), autograd.tensor([3, 3, 3])
    assert autograd.bitwise_and(x, y).tolist() == torch.bitwise_and(
        torch.tensor(i), torch.tensor([3, 3, 3])).tolist()
    assert autograd.bitwise_or(x, y).tolist() == [7, -1, 3]
    assert autograd.bitwise_xor(x, y).tolist() == [6, -4, 3]
    assert autograd.bitwise_not(x).tolist() == [-6, 0, -1]
    assert autograd.bitwise_left_shift(x, 1).tolist() == [10, -2, 0]
    assert autograd.bitwise_right_shift(x, 1).tolist() == [2, -1, 0]


def test_isnan_isinf_isfinite_as_torch():
    for a in (np.array([math.nan, math.inf, -math.inf, 0.0, -1.5]), np.array([1, 2]),
              np.array([True]), np.zeros((2, 0))):
        for name in ("isnan", "isinf", "isfinite"):
            mine = getattr(autograd, name)(autograd.tensor(a))
            ref = getattr(torch, name)(torch.tensor(a))
            assert mine.dtype == np.bool_ and mine.tolist() == ref.tolist(), name


def test_nan_to_num_values_and_gradient():
    a = np.array([math.nan, math.inf, -math.inf, 1.5])
    for kw in ({}, {"nan": 2.0, "posinf": 3.0}, {"neginf": -7.0}):
        compare(lambda x: x.nan_to_num(**kw), lambda x: torch.nan_to_num(x, **kw), a)
    x32 = autograd.tensor(a.astype(np.float32)).nan_to_num()
    assert x32.tolist() == torch.nan_to_num(torch.tensor(a.astype(np.float32))).tolist()
    assert autograd.nan_to_num(autograd.tensor([1, 2])).dtype == autograd.int64


def test_isclose_allclose_equal_as_torch():
    a = np.array([1.0, math.inf, math.nan, 1e-9, -math.inf, 100.0])
    b = np.array([1.0 + 1e-6, math.inf, math.nan, 0.0, math.inf, 100.001])
    for kw in ({}, {"equal_nan": True}, {"rtol": 1e-7, "atol": 0.0}):
        mine = autograd.isclose(autograd.tensor(a), autograd.tensor(b), **kw)
        assert mine.tolist() == torch.isclose(torch.tensor(a), torch.tensor(b), **kw).tolist()
    assert autograd.tensor([1.0, 2.0]).allclose(autograd.tensor([1.0, 2.0 + 1e-9]))
    assert not autograd.allclose(autograd.tensor([1.0]), autograd.tensor([1.1]))
    assert autograd.equal(autograd.tensor([1.0, 2.0]), autograd.tensor([1.0, 2.0]))
    assert not autograd.equal(autograd.tensor([1.0, 2.0]), autograd.tensor([1.0]))
    assert not autograd.equal(autograd.tensor([math.nan]), autograd.tensor([math.nan]))


@settings(max_examples=30)
@given(data=st.data())
def test_clamp_with_tensor_bounds_matches_torch(data):
    from autograd.functions import _clamp_with_tensors

    shape = data.draw(st.sampled_from([(3,), (2, 3), ()]))
    pick = st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0])
    a = data.draw(arrays(shape, -2, 2)) if data.draw(st.booleans()) else np.array(
        data.draw(st.lists(pick, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    ).reshape(shape)
    lo = np.array(data.draw(st.lists(pick, min_size=shape[-1] if shape else 1,
                                     max_size=shape[-1] if shape else 1)))
    hi = lo + data.draw(st.sampled_from([-0.5, 0.0, 0.7]))
    which = data.draw(st.sampled_from(["both", "min", "max"]))
    if not shape:
        lo, hi = lo.reshape(()), hi.reshape(())
    if which == "both":
        compare(lambda x, y, z: _clamp_with_tensors(x, y, z), torch.clamp, a, lo, hi)
    elif which == "min":
        compare(lambda x, y: _clamp_with_tensors(x, y, None), lambda x, y: torch.clamp(x, y),
                a, lo)
    else:
        compare(lambda x, z: _clamp_with_tensors(x, None, z),
                lambda x, z: torch.clamp(x, max=z), a, hi)
