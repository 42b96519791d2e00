"""nn.init: gains, fans, the documented distributions (checked on large samples), in-place
semantics, errors; and PyTorch's numbers where torch is importable."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
import nn.init as init
from nn.init import _calculate_fan_in_and_fan_out

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu"]


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- gains and fans
def test_calculate_gain_values():
    assert [init.calculate_gain(n) for n in NONLINEARITIES[:8]] == [1.0] * 8
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    assert init.calculate_gain("leaky_relu", 0) == math.sqrt(2)
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="unsupported nonlinearity 'gelu'"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative slope must be a number.*True"):
        init.calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="negative slope"):
        init.calculate_gain("leaky_relu", "0.1")


def test_calculate_gain_equals_pytorch(torch):
    for name in NONLINEARITIES:
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    for param in (0, 1, 3, 0.2, 0.01, 5.5, -0.3):
        assert (init.calculate_gain("leaky_relu", param)
                == torch.nn.init.calculate_gain("leaky_relu", param))
    for bad in (True, "x"):
        with pytest.raises(ValueError):
            torch.nn.init.calculate_gain("leaky_relu", bad)
        with pytest.raises(ValueError):
            init.calculate_gain("leaky_relu", bad)


def test_fans():
    assert _calculate_fan_in_and_fan_out(autograd.zeros(4, 3)) == (3, 4)       # Linear
    assert _calculate_fan_in_and_fan_out(autograd.zeros(16, 8, 3, 3)) == (72, 144)  # conv
    for shape in [(), (5,)]:
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            _calculate_fan_in_and_fan_out(autograd.zeros(shape))
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            init.xavier_uniform_(autograd.zeros(shape))


@given(st.lists(st.integers(0, 6), min_size=2, max_size=5))
def test_fans_equal_pytorch(torch, shape):
    ours = _calculate_fan_in_and_fan_out(autograd.zeros(shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


# ---------------------------------------------------------------- distributions
def test_kaiming_uniform_bound_and_std():
    w = autograd.zeros(400, 400)
    init.kaiming_uniform_(w, generator=rng())
    bound = math.sqrt(2) * math.sqrt(3 / 400)        # gain sqrt(2) (a = 0), fan_in 400
    a = w._data
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.999 * bound
    assert a.std() == pytest.approx(math.sqrt(2) / 20, rel=0.02)
    assert abs(a.mean()) < 0.01 * bound


def test_kaiming_normal_fan_out_relu_on_a_conv_weight():
    w = autograd.zeros(64, 32, 5, 5)
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=rng(1))
    std = math.sqrt(2) / math.sqrt(64 * 25)
    assert w._data.std() == pytest.approx(std, rel=0.02)
    assert abs(w._data.mean()) < 0.02 * std
    init.kaiming_normal_(w, a=0.2, mode="FAN_IN", generator=rng(2))  # mode case-insensitive
    assert w._data.std() == pytest.approx(math.sqrt(2 / 1.04) / math.sqrt(32 * 25), rel=0.02)


def test_linear_default_is_kaiming_uniform_with_a_sqrt5():
    # PyTorch's Linear: kaiming_uniform_(w, a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    w = autograd.zeros(300, 250)
    init.kaiming_uniform_(w, a=math.sqrt(5), generator=rng(3))
    bound = 1 / math.sqrt(250)
    assert np.abs(w._data).max() <= bound and np.abs(w._data).max() > 0.999 * bound
    assert w._data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def test_xavier_uniform_and_normal():
    w = autograd.zeros(300, 500)
    init.xavier_uniform_(w, gain=init.calculate_gain("tanh"), generator=rng(4))
    bound = 5 / 3 * math.sqrt(6 / 800)
    assert np.abs(w._data).max() <= bound and np.abs(w._data).max() > 0.999 * bound
    assert w._data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    v = autograd.zeros(400, 400)
    init.xavier_normal_(v, generator=rng(5))
    assert v._data.std() == pytest.approx(math.sqrt(2 / 800), rel=0.02)
    assert abs(v._data.mean()) < 0.02 * math.sqrt(2 / 800)


@pytest.mark.parametrize("fn, kwargs, shape", [
    ("kaiming_uniform_", {}, (200, 150)),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, (32, 16, 3, 3)),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, (100, 300)),
    ("kaiming_normal_", {"nonlinearity": "tanh"}, (16, 8, 5)),
    ("xavier_uniform_", {"gain": 2.0}, (120, 80)),
    ("xavier_normal_", {}, (64, 64, 2, 2)),
])
def test_same_spread_as_pytorch(torch, fn, kwargs, shape):
    ours = getattr(init, fn)(autograd.zeros(*shape), **kwargs, generator=rng(6))._data
    theirs = getattr(torch.nn.init, fn)(torch.empty(shape, dtype=torch.float64), **kwargs,
                                        generator=torch.Generator().manual_seed(6)).numpy()
    assert ours.std() == pytest.approx(theirs.std(), rel=0.04)
    if "uniform" in fn:                     # the same bound: both fill the same interval
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.01)


def test_uniform_normal_constant_fills():
    t = autograd.zeros(200, 200)
    init.uniform_(t, -3.0, 5.0, generator=rng(7))
    assert t._data.min() >= -3 and t._data.max() < 5
    assert t._data.mean() == pytest.approx(1.0, abs=0.05)
    init.uniform_(t, generator=rng(7))
    assert 0 <= t._data.min() and t._data.max() < 1
    init.normal_(t, 2.0, 0.5, generator=rng(8))
    assert t._data.mean() == pytest.approx(2.0, abs=0.01)
    assert t._data.std() == pytest.approx(0.5, rel=0.02)
    assert np.all(init.constant_(t, 0.25)._data == 0.25)
    assert np.all(init.ones_(t)._data == 1) and np.all(init.zeros_(t)._data == 0)
    ints = autograd.tensor([1, 2, 3])
    assert init.constant_(ints, 7).tolist() == [7, 7, 7]
    with pytest.raises(RuntimeError, match=r"uniform_: expects a <= b, got a=2 > b=1"):
        init.uniform_(t, 2, 1)
    with pytest.raises(RuntimeError, match="normal_: expects std >= 0, got std=-1"):
        init.normal_(t, 0, -1)


def _truncated_moments(alpha, beta):
    """Mean, variance and CDF of a standard normal conditioned on [alpha, beta] (tail-safe:
    probabilities from erfc on the side where they are small)."""
    pdf = lambda x: 0.0 if math.isinf(x) else math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    xpdf = lambda x: 0.0 if math.isinf(x) else x * pdf(x)
    if alpha >= 0:                              # P(alpha < Z < x) from the upper tail
        upper = lambda x: 0.5 * math.erfc(x / math.sqrt(2))
        mass = lambda x: upper(alpha) - upper(x)
    else:
        lower = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))
        mass = lambda x: lower(x) - lower(alpha)
    z = mass(beta)
    mean = (pdf(alpha) - pdf(beta)) / z
    var = 1 + (xpdf(alpha) - xpdf(beta)) / z - mean ** 2
    return mean, var, lambda x: mass(x) / z


@pytest.mark.parametrize("mean, std, a, b", [
    (0.0, 1.0, -2.0, 2.0),          # the defaults
    (1.0, 0.5, 0.0, 10.0),          # one side only really truncates
    (0.0, 1.0, 3.0, 4.0),           # a tail: plain rejection would waste ~700 draws per value
    (0.0, 1.0, -6.0, -5.0),         # the far left tail
    (0.0, 1.0, 8.0, 9.0),           # 8 stds out (PyTorch warns that it may be inaccurate)
    (0.0, 1.0, -0.1, 0.2),          # a narrow interval around the mean
    (0.0, 2.0, 1.0, math.inf),      # one-sided
    (0.0, 0.02, -2.0, 2.0),         # ViT style: effectively no truncation
])
def test_trunc_normal_matches_the_truncated_distribution(mean, std, a, b):
    t = autograd.zeros(20000)
    init.trunc_normal_(t, mean, std, a, b, generator=rng(9))
    x = t._data
    assert x.min() >= a and x.max() <= b
    m, var, cdf = _truncated_moments((a - mean) / std, (b - mean) / std)
    sd = math.sqrt(var) * std
    assert x.mean() == pytest.approx(mean + std * m, abs=5 * sd / math.sqrt(x.size))
    assert x.std() == pytest.approx(sd, rel=0.04)
    z = np.sort((x - mean) / std)               # Kolmogorov-Smirnov distance to the CDF
    theory = np.array([cdf(v) for v in z])
    steps = np.arange(1, z.size + 1) / z.size
    ks = max(np.abs(steps - theory).max(), np.abs(steps - 1 / z.size - theory).max())
    assert ks < 2.2 / math.sqrt(z.size)


def test_trunc_normal_edge_cases_and_errors():
    t = autograd.zeros(5)
    assert np.all(init.trunc_normal_(t, 0.5, 0.0)._data == 0.5)
    assert np.all(init.trunc_normal_(t, 0.0, 1.0, 1.5, 1.5)._data == 1.5)
    with pytest.raises(RuntimeError, match="a <= b"):
        init.trunc_normal_(t, a=1, b=0)
    with pytest.raises(RuntimeError, match="std >= 0"):
        init.trunc_normal_(t, std=-1)


def test_eye_dirac_orthogonal_sparse():
    e = init.eye_(autograd.zeros(3, 5))
    np.testing.assert_array_equal(e._data, np.eye(3, 5))
    with pytest.raises(ValueError, match="only tensors with 2 dimensions"):
        init.eye_(autograd.zeros(2, 2, 2))
    d = init.dirac_(autograd.zeros(4, 2, 3, 3), groups=2)
    assert d._data.sum() == 4 and d._data[0, 0, 1, 1] == d._data[3, 1, 1, 1] == 1
    with pytest.raises(ValueError, match="3, 4, or 5 dimensions"):
        init.dirac_(autograd.zeros(3, 3))
    with pytest.raises(ValueError, match="divisible by groups=4"):
        init.dirac_(autograd.zeros(6, 2, 3), groups=4)
    for shape in [(50, 30), (30, 50), (8, 4, 3, 3)]:
        w = init.orthogonal_(autograd.zeros(*shape), gain=2.0, generator=rng(10))
        flat = w._data.reshape(shape[0], -1) / 2
        small = min(flat.shape)
        gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
        np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(autograd.zeros(4))
    s = init.sparse_(autograd.zeros(200, 30), sparsity=0.1, std=0.5, generator=rng(11))
    assert ((s._data == 0).sum(axis=0) == 20).all()
    assert s._data[s._data != 0].std() == pytest.approx(0.5, rel=0.1)


def test_deterministic_fills_equal_pytorch(torch):
    for shape in [(3, 5), (4, 4), (5, 2)]:
        np.testing.assert_array_equal(init.eye_(autograd.zeros(*shape))._data,
                                      torch.nn.init.eye_(torch.empty(shape)).numpy())
    for shape, groups in [((4, 2, 3), 1), ((6, 6, 3, 3), 2), ((4, 3, 3, 3, 3), 1),
                          ((6, 2, 4, 5), 3), ((2, 5, 3), 1)]:
        np.testing.assert_array_equal(
            init.dirac_(autograd.zeros(*shape), groups)._data,
            torch.nn.init.dirac_(torch.empty(shape), groups).numpy())


# ---------------------------------------------------------------- in place, seeds, errors
def test_in_place_returns_the_tensor_and_bumps_its_version():
    lin = nn.Linear(3, 4)
    arr = lin.weight._data
    sd = lin.state_dict()
    assert init.xavier_normal_(lin.weight) is lin.weight and lin.weight._data is arr
    assert sd["weight"]._data is arr                    # a state dict taken before sees it
    assert lin.weight.requires_grad and lin.weight.grad is None
    loss = lin(autograd.randn(2, 3, requires_grad=True)).sum()   # d/dx needs the weight
    init.zeros_(lin.weight)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_seeds_and_generators_make_it_reproducible():
    a, b = autograd.zeros(10, 10), autograd.zeros(10, 10)
    autograd.manual_seed(1)
    init.kaiming_uniform_(a)
    autograd.manual_seed(1)
    init.kaiming_uniform_(b)
    np.testing.assert_array_equal(a._data, b._data)
    init.trunc_normal_(a, generator=rng(2))
    init.trunc_normal_(b, generator=rng(2))
    np.testing.assert_array_equal(a._data, b._data)
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        init.normal_(a, generator=np.random.RandomState(0))


def test_dtype_kept_and_type_errors():
    w = autograd.zeros(20, 10, dtype=np.float32)
    init.kaiming_normal_(w)
    assert w.dtype == np.float32 and w._data.std() > 0
    with pytest.raises(RuntimeError, match="floating point tensor, this one is int64"):
        init.uniform_(autograd.tensor([[1, 2], [3, 4]]))
    with pytest.raises(TypeError, match="expected a Tensor, got ndarray"):
        init.xavier_uniform_(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="mode 'fan_avg' not supported"):
        init.kaiming_uniform_(w, mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.kaiming_normal_(w, nonlinearity="swish")
    empty = autograd.zeros(0, 3)
    with pytest.warns(UserWarning, match="zero-element tensor is a no-op"):
        assert init.kaiming_uniform_(empty) is empty
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        init.xavier_uniform_(empty)


def test_apply_initialises_a_whole_model():
    net = nn.Sequential(nn.Linear(50, 40), nn.ReLU(), nn.Linear(40, 1))

    def reinit(m):
        if isinstance(m, nn.Linear):
            init.kaiming_normal_(m.weight, nonlinearity="relu")
            init.zeros_(m.bias)
    net.apply(reinit)
    assert all(np.all(m.bias._data == 0) for m in net if isinstance(m, nn.Linear))
    assert net[0].weight._data.std() == pytest.approx(math.sqrt(2 / 50), rel=0.1)
