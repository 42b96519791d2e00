"""nn.Module, Parameter, Linear, activations, Sequential: registration, names, state dicts."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import autograd
import nn


def mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(1, 6), nn.ReLU(), nn.Linear(6, 10), nn.ReLU(),
                         nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 1))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(3, 2)
        self.scale = nn.Parameter(autograd.ones(2))
        self.head = nn.Sequential(nn.Tanh(), nn.Linear(2, 1, bias=False))
        self.note = "not a parameter"

    def forward(self, x):
        return self.head(self.layer(x) * self.scale)


def test_parameters_are_registered_in_order_with_dotted_names():
    net = Net()
    # as PyTorch: a module's own parameters first, then its submodules', depth first
    assert [k for k, _ in net.named_parameters()] == ["scale", "layer.weight", "layer.bias",
                                                      "head.1.weight"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [type(m).__name__ for m in net.children()] == ["Linear", "Sequential"]
    assert [n for n, _ in net.named_modules()] == ["", "layer", "head", "head.0", "head.1"]


def test_lecture_mlp_names_and_shapes_match_pytorch():
    sd = mlp().state_dict()
    assert {k: tuple(v.shape) for k, v in sd.items()} == {
        "0.weight": (6, 1), "0.bias": (6,), "2.weight": (10, 6), "2.bias": (10,),
        "4.weight": (6, 10), "4.bias": (6,), "6.weight": (1, 6), "6.bias": (1,)}


def test_a_shared_parameter_is_listed_once():
    lin = nn.Linear(2, 2)
    net = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(net.parameters())) == 2
    tied = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    tied[1].weight = tied[0].weight                 # tied weights in two modules: once
    assert [k for k, _ in tied.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_assigning_before_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(autograd.ones(1))
    with pytest.raises(AttributeError, match="super"):
        Bad()


def test_reassigning_replaces_and_deleting_unregisters():
    net = Net()
    net.scale = "plain"
    assert "scale" not in dict(net.named_parameters())
    del net.layer
    assert "layer.weight" not in dict(net.named_parameters())


def test_linear_initialisation_is_pytorch_default_and_reproducible():
    autograd.manual_seed(3)
    a = nn.Linear(50, 40)
    autograd.manual_seed(3)
    b = nn.Linear(50, 40)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    bound = 1 / np.sqrt(50)
    for p in (a.weight, a.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.9 * bound       # fills the interval
    assert abs(a.weight.data.mean()) < 0.02


def test_linear_forward_and_gradients():
    lin = nn.Linear(3, 2)
    x = autograd.randn(5, 3, requires_grad=True)
    y = lin(x)
    np.testing.assert_allclose(y.data, x.data @ lin.weight.data.T + lin.bias.data)
    y.sum().backward()
    np.testing.assert_allclose(lin.weight.grad.data, np.ones((5, 2)).T @ x.data)
    np.testing.assert_allclose(lin.bias.grad.data, [5.0, 5.0])
    np.testing.assert_allclose(x.grad.data, np.ones((5, 2)) @ lin.weight.data)


def test_linear_without_bias_and_shape_errors():
    lin = nn.Linear(3, 2, bias=False)
    assert lin.bias is None and len(list(lin.parameters())) == 1
    with pytest.raises(ValueError, match=r"linear.*\(5, 4\).*\(2, 3\)"):
        lin(autograd.randn(5, 4))


@pytest.mark.parametrize("layer, f", [(nn.ReLU(), lambda a: np.maximum(a, 0)),
                                      (nn.Sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
                                      (nn.Tanh(), np.tanh), (nn.Identity(), lambda a: a)])
def test_activations(layer, f):
    x = autograd.tensor([-2.0, -0.5, 0.5, 2.0])
    np.testing.assert_allclose(layer(x).data, f(x.data))


def test_sequential_indexing_len_iteration_append():
    net = mlp()
    assert len(net) == 7 and isinstance(net[0], nn.Linear) and isinstance(net[-1], nn.Linear)
    assert [type(m).__name__ for m in net[::2]] == ["Linear"] * 4
    assert len(list(iter(net))) == 7
    net.append(nn.Sigmoid())
    assert len(net) == 8 and "7" in dict(net.named_children())
    with pytest.raises(IndexError):
        net[20]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), 3)


def test_repr_is_pytorch_like():
    text = repr(nn.Sequential(nn.Linear(1, 6), nn.ReLU()))
    assert text == ("Sequential(\n  (0): Linear(in_features=1, out_features=6, bias=True)\n"
                    "  (1): ReLU()\n)")
    p = nn.Parameter(autograd.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert isinstance(p, nn.Parameter) and isinstance(p, autograd.Tensor)
    assert not isinstance(p * 2, nn.Parameter)          # results of ops are plain tensors


def test_zero_grad_train_eval():
    net = mlp()
    net(autograd.randn(4, 1)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.data == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_state_dict_round_trip_and_independence():
    a, b = mlp(), mlp()
    sd = a.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not any(v.requires_grad or isinstance(v, nn.Parameter) for v in sd.values())
    assert sd["0.weight"].data is a[0].weight.data      # detached, sharing memory (PyTorch's)
    b.load_state_dict(sd)
    x = autograd.randn(7, 1)
    np.testing.assert_array_equal(a(x).data, b(x).data)
    b[0].weight.data[...] = 0                       # b's arrays are its own
    assert not np.all(a[0].weight.data == 0)


def test_load_state_dict_errors_name_the_keys_and_shapes():
    net = mlp()
    sd = dict(net.state_dict())
    del sd["0.bias"]
    sd["extra.weight"] = np.zeros(3)
    with pytest.raises(RuntimeError, match=r"missing key\(s\): '0.bias'.*unexpected key\(s\): "
                                           r"'extra.weight'"):
        net.load_state_dict(sd)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["extra.weight"]
    bad = dict(net.state_dict())
    bad["2.weight"] = np.zeros((6, 10))
    with pytest.raises(RuntimeError, match=r"'2.weight'.*\(6, 10\).*\(10, 6\)"):
        net.load_state_dict(bad)


def test_loading_into_a_parameter_a_pending_graph_needs_is_caught():
    net = mlp()
    loss = net(autograd.randn(3, 1)).sum()
    net.load_state_dict(mlp().state_dict())
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()
