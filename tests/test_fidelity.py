"""PyTorch's numbers and behaviour where they used to differ: one test per finding, each
against the mathematical value and, where torch is installed, against PyTorch itself."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn

try:
    import torch
except ImportError:                      # the comparisons skip; the math is still checked
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def grads(lib, f, *xs):
    kw = {"dtype": torch.float64} if lib is torch else {}
    ts = [lib.tensor(x, requires_grad=True, **kw) for x in xs]
    f(*ts).sum().backward()
    return [t.grad.tolist() for t in ts]


POW_CASES = [
    ("x ** 0 at 0", lambda x: x ** 0, ([0.0, 1.0],), [[0.0, 0.0]]),
    ("x ** y at x = 0", lambda x, y: x ** y, ([0.0, 0.0, 0.0], [0.3, 0.0, 2.0]),
     [[np.inf, 0.0, 0.0], [0.0, 0.0, 0.0]]),
    ("(-2) ** x", lambda x: (-2.0) ** x, ([1.0, 0.5],), [[np.nan, np.nan]]),
    ("0 ** x", lambda x: 0.0 ** x, ([1.0, 0.5, 0.0],), [[0.0, 0.0, 0.0]]),
]


@pytest.mark.parametrize("name, f, xs, expected", POW_CASES, ids=[c[0] for c in POW_CASES])
def test_pow_gradients_at_zero_and_negative_bases(name, f, xs, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # and no numpy warning on the way
        ours = grads(ag, f, *xs)
    for o, e in zip(ours, expected):
        np.testing.assert_array_equal(o, e)
    if torch is not None:
        for o, t in zip(ours, grads(torch, f, *xs)):
            np.testing.assert_array_equal(o, t)


def test_an_integer_and_an_index_list_keep_pytorchs_axis_order():
    a = ag.arange(24.0).reshape(2, 3, 4)
    assert a[0, :, [0, 1]].shape == (3, 2)
    np.testing.assert_array_equal(a[0, :, [0, 1]].numpy(), np.arange(24.0).reshape(
        2, 3, 4)[0][:, [0, 1]])
    if torch is not None:
        t = torch.arange(24.0).reshape(2, 3, 4)
        for index in [(0, slice(None), [0, 1]), (slice(None), 0, [1, 2]), (0, [0, 1], [1, 2]),
                      (Ellipsis, 0, [1, 2]), (0, None, slice(None), [0, 1])]:
            assert a[index].tolist() == t[index].tolist(), index


INPLACE = {
    "y[0] = y[1] * 3": ([0.0, 8.0, 2.0], lambda y: y.__setitem__(0, y[1] * 3)),
    "y[1:] = y[1:] * 2": ([2.0, 4.0, 4.0], lambda y: y.__setitem__(slice(1, None),
                                                                    y[1:] * 2)),
    "y[0] = y[0].exp()": ([2 * np.exp(2.0), 2.0, 2.0], lambda y: y.__setitem__(0, y[0].exp())),
    "y[0] = y[0] + 1": ([2.0, 2.0, 2.0], lambda y: y.__setitem__(0, y[0] + 1)),
}


@pytest.mark.parametrize("name", INPLACE)
def test_item_assignment_on_a_computed_tensor(name):
    expected, change = INPLACE[name]
    for lib in [ag] + ([torch] if torch is not None else []):
        kw = {"dtype": torch.float64} if lib is torch else {}
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True, **kw)
        y = x * 2
        change(y)
        y.sum().backward()
        np.testing.assert_allclose(x.grad.tolist(), expected, rtol=1e-12)


def test_augmented_item_assignment_on_a_computed_tensor():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[0] += 1
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_a_backward_that_reads_only_the_output_ignores_changes_of_the_input():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    s = w.exp().sum()                                   # exp's backward reads exp(w) only
    with ag.no_grad():
        w.mul_(2)
    s.backward()
    np.testing.assert_allclose(w.grad.tolist(), np.exp([1.0, 2.0]))


def test_zero_clears_inf_and_nan_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = ag.tensor([np.inf, np.nan, -3.0]).zero_()
    assert t.tolist() == [0.0, 0.0, 0.0] and not np.signbit(t.numpy()).any()


def test_course_idioms_for_devices():
    device = ag.device("cuda" if ag.cuda.is_available() else "cpu")
    x = ag.randn(3, 2).to(device)
    assert x.device == device == "cpu" and str(x.device) == "cpu"
    assert x.to("cpu") is x and x.cpu() is x
    net = nn.Sequential(nn.Linear(2, 1)).to(device)
    assert net(x).shape == (3, 1)
    assert ag.zeros(2, device="cpu").device == ag.device("cpu")
    with pytest.raises(RuntimeError, match="no GPU backend"):
        x.cuda()
    with pytest.raises(RuntimeError, match="no GPU backend"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="no GPU backend"):
        net.to("cuda")
    assert ag.cuda.is_available() is False


def test_course_idioms_for_data_and_dtypes():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.grad.data.zero_()
    assert w.grad.tolist() == [0.0, 0.0]
    assert repr(w.data) == "tensor([1., 2.])"           # as PyTorch prints it
    labels = ag.tensor([0.0, 2.0, 1.0]).long()
    assert labels.dtype == np.int64 and labels.tolist() == [0, 2, 1]
    assert ag.tensor([1.5]).int().dtype == np.int32 and ag.tensor([0.0, 2.0]).bool().tolist() \
        == [False, True]
    image = ag.tensor(np.array([[0, 128, 255]], dtype=np.uint8))
    assert image.dtype == np.uint8 and (image / 255).dtype == np.float64
    assert (image.float() / 255).dtype == np.float32
    assert (ag.tensor([1, 2]) * 0.5).dtype == np.float64      # int with float: default float
    f32 = ag.tensor([1.0], dtype=ag.float32)
    assert (f32 * np.float64(2)).dtype == np.float32
    assert (f32 + ag.tensor([1, 2])).dtype == np.float32
    if torch is not None:
        t32 = torch.tensor([1.0], dtype=torch.float32)
        assert (t32 + torch.tensor([1, 2])).dtype == torch.float32


@pytest.mark.parametrize("method", ["bool", "byte", "int", "long", "short", "half", "float"])
def test_a_cast_to_integers_carries_no_gradient(method):
    """As PyTorch: only floating results of a cast stay in the graph."""
    y = getattr(ag.tensor([0.5, 1.5], requires_grad=True), method)()
    floating = np.dtype(y.dtype).kind == "f"
    assert y.requires_grad is floating and (y.grad_fn is not None) is floating
    if torch is not None:
        t = getattr(torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True), method)()
        assert t.requires_grad is y.requires_grad


def test_blanket_rename_of_torch_nn_gets_a_hint():
    with pytest.raises(AttributeError, match="import nn"):
        ag.nn.Linear                                     # noqa: B018


@pytest.mark.parametrize("values, text", [
    ([1e-8, 1.0], "tensor([1.0000e-08, 1.0000e+00])"),
    ([1e-7, -1e-7], "tensor([ 1.0000e-07, -1.0000e-07])"),
])
def test_small_numbers_print_in_scientific_notation(values, text):
    assert repr(ag.tensor(values)) == text


def test_long_rows_wrap_at_80_columns():
    text = repr(ag.linspace(0, 1, 30))
    assert all(len(line) <= 80 for line in text.splitlines()) and text.count("\n") >= 2


def test_shape_errors_are_runtime_and_value_errors():
    a, b = ag.ones(2, 3), ag.ones(2, 3)
    for bad in (lambda: a @ b, lambda: ag.matmul(a, b), lambda: a.permute(0, 0),
                lambda: a.reshape(4), lambda: a + ag.ones(4)):
        with pytest.raises(RuntimeError) as e:
            bad()
        assert isinstance(e.value, ValueError)
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(2, 3\) do not line "
                                           "up") as e:
        a @ b
    assert "Input operand" not in str(e.value)            # not numpy's gufunc text


def test_dims_out_of_range_are_index_errors():
    with pytest.raises(IndexError, match="squeeze"):
        ag.ones(2, 1).squeeze(10)
    with pytest.raises(IndexError, match="sum"):
        ag.tensor(3.0).sum(1)
    assert ag.tensor(3.0).sum(0).item() == 3.0 and ag.tensor(3.0).sum(-1).item() == 3.0


def test_reading_the_grad_of_a_non_leaf_warns_with_the_hint():
    x = ag.tensor([1.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match=r"retain_grad\(\)"):
        assert y.grad is None


def test_out_of_domain_tensor_inputs_give_nan_without_numpy_warnings():
    x = ag.tensor([-1.0, 0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.log() + x.sqrt()
        y.sum().backward()
    assert np.isnan(y.tolist()[0]) and np.isneginf(y.tolist()[1])
    if torch is not None:
        t = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True, dtype=torch.float64)
        u = t.log() + t.sqrt()
        u.sum().backward()
        np.testing.assert_array_equal(y.tolist(), u.tolist())
        np.testing.assert_array_equal(x.grad.tolist(), t.grad.tolist())
    with pytest.raises(ValueError, match="log"):           # a Value says what is wrong
        ag.Value(-1.0).log()


def test_relu_gradient_is_plus_zero_where_the_input_was_cut():
    """PyTorch selects: a negative upstream through a cut input gives +0., not -0."""
    x = ag.tensor([[-1.0, 2.0, 0.0], [3.0, -4.0, 5.0]], requires_grad=True)
    (x.relu() * -1.5).sum().backward()
    g = x.grad.numpy()
    assert g.tolist() == [[0.0, -1.5, 0.0], [-1.5, 0.0, -1.5]]
    assert not np.signbit(g[x.detach().numpy() <= 0]).any()
    if torch is not None:
        t = torch.tensor(x.detach().numpy(), requires_grad=True)
        (t.relu() * -1.5).sum().backward()
        assert repr(x.grad) == repr(t.grad).replace(", dtype=torch.float64", "")


@pytest.mark.parametrize("row", [[0.0, -0.0, -1.0], [-0.0, 0.0, -1.0]])
def test_max_with_dim_returns_the_picked_element_with_its_sign(row):
    values = ag.tensor([row]).max(dim=1).values.numpy()
    assert np.signbit(values[0]) == np.signbit(row[0])         # the first of the tied zeros
    if torch is not None:
        assert bool(torch.signbit(torch.tensor([row]).max(dim=1).values[0])) == \
            bool(np.signbit(values[0]))
