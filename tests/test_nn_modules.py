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
    assert sd["0.weight"]._data is a[0].weight._data      # detached, sharing memory (PyTorch's)
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


# ==================================================================== containers
from nn.containers import ModuleDict, ModuleList, ParameterDict, ParameterList  # noqa: E402


def test_module_list_is_a_registered_list():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3)
    ml = ModuleList([a, b])
    assert len(ml) == 2 and list(ml) == [a, b] and ml[-1] is b and ml[-2] is a
    assert ml.append(c) is ml and ml[2] is c
    assert isinstance(ml[1:], ModuleList) and list(ml[::2]) == [a, c]
    assert [k for k, _ in ml.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    ml[1] = nn.Tanh()
    assert isinstance(ml[1], nn.Tanh)
    ml.insert(0, b)
    assert list(ml) == [b, a, ml[2], c] and list(ml._modules) == ["0", "1", "2", "3"]
    ml.insert(-1, nn.Sigmoid())                 # list.insert's rules (PyTorch: KeyError)
    assert isinstance(ml[3], nn.Sigmoid) and ml[4] is c
    del ml[0]                                   # the rest is renumbered, as in PyTorch
    assert list(ml._modules) == ["0", "1", "2", "3"] and ml[0] is a
    del ml[1:3]
    assert list(ml) == [a, c] and [k for k, _ in ml.named_children()] == ["0", "1"]
    assert ml.pop(0) is a and list(ml) == [c]
    ml.extend([a, b])
    ml += [nn.Identity()]
    assert len(ml) == 4
    both = ml + ModuleList([b])
    assert isinstance(both, ModuleList) and len(both) == 5 and both[4] is b and len(ml) == 4
    assert "0" not in dir(ml) and "append" in dir(ml)


def test_module_list_errors():
    ml = ModuleList([nn.ReLU()])
    with pytest.raises(IndexError, match="index 1 is out of range"):
        ml[1]
    with pytest.raises(IndexError, match="-2"):
        ml[-2] = nn.ReLU()
    with pytest.raises(TypeError, match="indices must be integers"):
        ml["0"]
    with pytest.raises(TypeError, match="extend should be called with an iterable.*int"):
        ml.extend(3)
    with pytest.raises(TypeError, match="not a Module"):
        ml.append(3)
    with pytest.raises(TypeError, match="not a Module"):
        ModuleList([nn.ReLU(), "relu"])
    with pytest.raises(NotImplementedError, match="ModuleList"):
        ml(1.0)


def test_module_dict_is_a_registered_ordered_dict():
    d = ModuleDict({"b": nn.Linear(1, 1), "a": nn.ReLU()})
    assert list(d) == ["b", "a"] and list(d.keys()) == ["b", "a"]    # order kept
    assert "a" in d and "z" not in d and len(d) == 2
    d["c"] = nn.Linear(1, 2)
    d.update([("e", nn.Tanh())])
    d.update(OrderedDict(f=nn.Identity()))
    assert [k for k, _ in d.items()] == ["b", "a", "c", "e", "f"]
    assert [type(m).__name__ for m in d.values()] == ["Linear", "ReLU", "Linear", "Tanh",
                                                     "Identity"]
    assert [k for k, _ in d.named_parameters()] == ["b.weight", "b.bias", "c.weight", "c.bias"]
    assert isinstance(d.pop("a"), nn.ReLU) and "a" not in d
    del d["e"]
    with pytest.raises(KeyError):
        d["e"]
    d.clear()
    assert len(d) == 0 and list(d.parameters()) == []
    with pytest.raises(TypeError, match="update should be called with an iterable"):
        d.update(3)
    with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
        d.update([("a", nn.ReLU(), 1)])
    with pytest.raises(KeyError, match="cannot contain '.', got 'a.b'"):
        d["a.b"] = nn.ReLU()
    with pytest.raises(KeyError, match="'keys' already exists"):
        d["keys"] = nn.ReLU()                   # a method's name cannot be a key


def test_parameter_list_and_dict_register_and_convert_tensors():
    pl = ParameterList([nn.Parameter(autograd.zeros(2, 3)), autograd.ones(3)])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    assert [k for k, _ in pl.named_parameters()] == ["0", "1"]
    pl.append(autograd.zeros(1))
    pl[0] = autograd.ones(4)
    assert pl[0].shape == (4,) and isinstance(pl[-1], nn.Parameter)
    assert isinstance(pl[1:], ParameterList) and len(pl[1:]) == 2
    with pytest.raises(TypeError, match="extend should be called with an iterable.*Tensor"):
        pl.extend(autograd.zeros(3))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl()
    t = autograd.zeros(2)
    pd = ParameterDict({"w": t, "b": nn.Parameter(autograd.zeros(1))})
    assert list(pd) == ["b", "w"]               # a plain dict: sorted keys, as in PyTorch
    assert pd["w"]._data is t._data and isinstance(pd["w"], nn.Parameter)
    pd.update(OrderedDict([("z", autograd.zeros(1)), ("a", autograd.zeros(1))]))
    assert list(pd.keys()) == ["b", "w", "z", "a"] and [k for k, _ in pd.items()] == list(pd)
    assert [k for k, _ in pd.named_parameters()] == ["b", "w", "z", "a"]
    assert pd.get("nope") is None and "z" in pd and len(pd) == 4
    assert pd.setdefault("q", autograd.zeros(5)).shape == (5,)
    key, value = pd.popitem()
    assert key == "q" and value.shape == (5,)
    assert pd.pop("z").shape == (1,) and "z" not in pd
    with pytest.raises(KeyError):
        pd["z"]
    with pytest.raises(TypeError, match="key must be a string"):
        pd[1] = autograd.zeros(1)
    merged = pd | ParameterDict(OrderedDict(c=autograd.zeros(1)))
    assert list(merged) == ["b", "w", "a", "c"] and list(pd) == ["b", "w", "a"]
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []


def test_sequential_list_methods_like_pytorch():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1)
    s = nn.Sequential(a, b)
    assert s.insert(1, c) is s and list(s) == [a, c, b]
    with pytest.raises(IndexError, match="out of range"):
        s.insert(5, b)
    del s[0]
    assert list(s._modules) == ["0", "1"] and list(s) == [c, b]
    s[0] = a
    assert s.pop(1) is b and list(s) == [a]
    s.extend([b, c])
    assert [type(m).__name__ for m in s + nn.Sequential(b)] == ["Linear", "ReLU", "Linear",
                                                               "ReLU"]
    assert len(s * 2) == 6 and (s * 2)[3] is a and len(2 * s) == 6
    with pytest.raises(ValueError, match="only a Sequential"):
        s + [b]
    with pytest.raises(ValueError, match="positive"):
        s * 0
    named = nn.Sequential(OrderedDict([("fc", a), ("act", b)]))
    assert named.fc is a and [k for k, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    assert isinstance(named[1:], nn.Sequential) and list(named[1:]._modules) == ["act"]
    x = autograd.randn(3, 1)
    np.testing.assert_array_equal(named(x)._data, b(a(x))._data)


# ==================================================================== Module
class BN(nn.Module):
    """A batch-norm-like module: a parameter, a persistent and a non-persistent buffer."""

    def __init__(self, n=3):
        super().__init__()
        self.weight = nn.Parameter(autograd.ones(n))
        self.register_buffer("running_mean", autograd.zeros(n))
        self.register_buffer("scratch", autograd.zeros(n), persistent=False)
        self.register_buffer("num_batches", autograd.tensor(0))

    def forward(self, x):
        return (x - self.running_mean) * self.weight


def test_buffers_state_dict_order_and_persistence():
    net = nn.Sequential(BN(), nn.Linear(3, 2))
    assert [k for k, _ in net.named_buffers()] == ["0.running_mean", "0.scratch", "0.num_batches"]
    assert list(net.state_dict()) == ["0.weight", "0.running_mean", "0.num_batches",
                                      "1.weight", "1.bias"]
    assert [k for k, _ in net.named_parameters()] == ["0.weight", "1.weight", "1.bias"]
    bn = net[0]
    bn.running_mean = autograd.ones(3)          # stays a buffer (and persistent)
    bn.scratch = autograd.ones(3)               # stays non-persistent
    assert "running_mean" in dict(bn.named_buffers()) and "scratch" not in bn.state_dict()
    np.testing.assert_array_equal(net.state_dict()["0.running_mean"]._data, 1)
    with pytest.raises(TypeError, match="buffer 'running_mean'"):
        bn.running_mean = [1, 2, 3]
    kept = net.state_dict(prefix="model.", keep_vars=True)
    assert list(kept)[:2] == ["model.0.weight", "model.0.running_mean"]
    assert kept["model.0.weight"] is bn.weight and kept["model.0.running_mean"] is bn.running_mean
    into = OrderedDict(extra=autograd.zeros(1))
    assert net.state_dict(destination=into) is into and list(into)[:2] == ["extra", "0.weight"]
    del bn.scratch
    assert [k for k, _ in bn.named_buffers()] == ["running_mean", "num_batches"]
    bn.register_buffer("gone", None)            # a None buffer is in no list
    assert "gone" not in bn.state_dict() and bn.gone is None


def test_register_buffer_and_parameter_errors_as_pytorch():
    m = BN()
    with pytest.raises(KeyError, match="cannot contain '.', got 'a.b'"):
        m.register_buffer("a.b", autograd.zeros(1))
    with pytest.raises(KeyError, match="empty"):
        m.register_buffer("", autograd.zeros(1))
    with pytest.raises(KeyError, match="'weight' already exists"):
        m.register_buffer("weight", autograd.zeros(1))
    with pytest.raises(TypeError, match="must be a string"):
        m.register_buffer(1, autograd.zeros(1))
    with pytest.raises(TypeError, match="cannot assign a ndarray to buffer 'x'"):
        m.register_buffer("x", np.zeros(1))
    with pytest.raises(TypeError, match="cannot assign a Tensor to parameter 'p'"):
        m.register_parameter("p", autograd.zeros(1))
    w = nn.Parameter(autograd.ones(2))
    with pytest.raises(ValueError, match="not a leaf"):
        m.register_parameter("q", _non_leaf_parameter(w))
    with pytest.raises(TypeError, match="Tensor to parameter 'weight'.*silently"):
        m.weight = m.weight * 2                 # the classic: no longer a parameter
    holder = nn.Module()
    holder.lin = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="submodule 'lin'"):
        holder.lin = "not a module"
    m.register_parameter("none", None)
    assert m.none is None and "none" not in dict(m.named_parameters())

    class Early(nn.Module):
        def __init__(self):
            self.register_buffer("b", autograd.zeros(1))
    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Early()


def _non_leaf_parameter(w):
    p = nn.Parameter(autograd.ones(2))
    p._rule = (w * 2)._rule                     # looks computed by the graph
    return p


def test_load_state_dict_fills_buffers_strictly_and_atomically():
    a, b = nn.Sequential(BN(), nn.Linear(3, 2)), nn.Sequential(BN(), nn.Linear(3, 2))
    a[0].running_mean._data[...] = [1, 2, 3]
    a[0].num_batches._data[...] = 7
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(b[0].running_mean._data, [1, 2, 3])
    assert b[0].num_batches._data.dtype.kind == "i" and b[0].num_batches.item() == 7
    sd = dict(a.state_dict())
    del sd["0.running_mean"]
    sd["0.scratch"] = np.zeros(3)               # non-persistent: unexpected in a checkpoint
    with pytest.raises(RuntimeError, match=r"missing key\(s\): '0.running_mean'.*"
                                           r"unexpected key\(s\): '0.scratch'"):
        b.load_state_dict(sd)
    bad = dict(a.state_dict())
    bad["1.bias"] = np.full(2, 5.0)
    bad["0.num_batches"] = np.zeros(2)          # wrong shape: nothing at all is loaded
    before = b[1].bias._data.copy()
    with pytest.raises(RuntimeError, match=r"'0.num_batches'.*\(2,\).*buffer has shape \(\)"):
        b.load_state_dict(bad)
    np.testing.assert_array_equal(b[1].bias._data, before)
    result = b.load_state_dict(sd, strict=False)
    assert result == (["0.running_mean"], ["0.scratch"])
    assert repr(b.load_state_dict(a.state_dict())) == "<All keys matched successfully>"
    with pytest.raises(TypeError, match="dict-like"):
        b.load_state_dict([1, 2])
    fresh = nn.Linear(3, 2)
    fresh.load_state_dict({k: v.numpy().astype(np.float32) for k, v in a[1].state_dict().items()},
                          assign=True)
    assert fresh.weight.dtype == np.float32 and isinstance(fresh.weight, nn.Parameter)


def test_apply_train_eval_and_requires_grad():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    order = []
    assert net.apply(lambda m: order.append(type(m).__name__)) is net
    assert order == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]  # children first
    assert net.eval() is net and not any(m.training for m in net.modules())
    assert net.train() is net and all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="mode must be a bool"):
        net.train("no")

    class Frozen(nn.Linear):                    # train() recurses through children's train()
        def train(self, mode=True):
            return super().train(False)
    f = nn.Sequential(Frozen(1, 1))
    f.train()
    assert f.training and not f[0].training
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters())


def test_named_modules_and_parameters_options():
    shared = nn.Linear(1, 1)
    net = nn.Sequential(shared, nn.Sequential(shared, nn.ReLU()))
    assert [n for n, _ in net.named_modules()] == ["", "0", "1", "1.1"]
    assert [n for n, _ in net.named_modules(remove_duplicate=False)] == ["", "0", "1", "1.0",
                                                                         "1.1"]
    assert [n for n, _ in net.named_modules(prefix="model")] == ["model", "model.0", "model.1",
                                                                  "model.1.1"]
    assert [n for n, _ in net.named_parameters(prefix="m")] == ["m.0.weight", "m.0.bias"]
    assert [n for n, _ in net.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "1.0.weight", "1.0.bias"]
    assert list(net.named_parameters(recurse=False)) == []
    assert list(net[1].parameters(recurse=False)) == []
    # a state dict lists a shared submodule under each of its names, as PyTorch's does
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.0.weight", "1.0.bias"]
    assert [n for n, _ in net.named_children()] == ["0", "1"]
    memo = set()
    list(net[1].named_modules(memo))
    assert shared in memo


def test_get_submodule_parameter_buffer():
    net = nn.Sequential(BN(), nn.Sequential(nn.Linear(3, 2)))
    assert net.get_submodule("") is net and net.get_submodule("1.0") is net[1][0]
    assert net.get_parameter("1.0.weight") is net[1][0].weight
    assert net.get_buffer("0.running_mean") is net[0].running_mean
    with pytest.raises(AttributeError, match="Sequential has no attribute `5`"):
        net.get_submodule("1.5")
    with pytest.raises(AttributeError, match="`weight` is a Parameter, not an nn.Module"):
        net.get_submodule("0.weight.x")
    with pytest.raises(AttributeError, match="`training` is not a parameter of BN"):
        net.get_parameter("0.training")
    with pytest.raises(AttributeError, match="`weight` is not a buffer"):
        net.get_buffer("0.weight")


def test_attribute_errors_delattr_dir_and_register_module():
    lin = nn.Linear(2, 3)
    with pytest.raises(AttributeError, match="^'Linear' object has no attribute 'foo'$"):
        _ = lin.foo
    assert not hasattr(lin, "foo")
    assert {"weight", "bias", "in_features", "forward"} <= set(dir(lin))
    holder = nn.Module()
    holder.register_module("lin", lin)
    holder.add_module("act", nn.ReLU())
    assert holder.lin is lin and [n for n, _ in holder.named_children()] == ["lin", "act"]
    del holder.lin
    assert [n for n, _ in holder.named_children()] == ["act"]
    with pytest.raises(AttributeError):
        _ = holder.lin
    holder.lin = lin                            # back, at the end
    assert [n for n, _ in holder.named_children()] == ["act", "lin"]
    holder.lin = None                           # a None submodule is kept, as in PyTorch
    assert holder.lin is None and [n for n, _ in holder.named_children()] == ["act"]
    assert repr(holder) == "Module(\n  (act): ReLU()\n  (lin): None\n)"
    with pytest.raises(KeyError, match="already exists"):
        holder.add_module("training", nn.ReLU())


def test_a_parameter_replacing_a_buffer_or_module_and_back():
    m = BN()
    m.running_mean = nn.Parameter(autograd.zeros(3))
    assert "running_mean" in dict(m.named_parameters())
    assert "running_mean" not in dict(m.named_buffers())
    m.sub = nn.Linear(1, 1)
    m.sub = nn.Parameter(autograd.zeros(1))
    assert "sub" not in dict(m.named_children()) and "sub" in dict(m.named_parameters())
    with pytest.raises(TypeError, match="cannot assign a ReLU to parameter 'sub'"):
        m.sub = nn.ReLU()
    del m.sub
    m.sub = nn.ReLU()
    assert "sub" in dict(m.named_children()) and "sub" not in dict(m.named_parameters())


def test_extra_repr_and_repr_nesting():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(1, 1)

        def extra_repr(self):
            return "factor=2"
    assert repr(Scale()) == ("Scale(\n  factor=2\n  (inner): Linear(in_features=1, "
                             "out_features=1, bias=True)\n)")
    ml = ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
    assert repr(ml) == ("ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, "
                        "bias=True)\n  (3): ReLU()\n)")
    assert repr(ModuleList()) == "ModuleList()"
    pl = ParameterList([nn.Parameter(autograd.zeros(2, 3)), autograd.zeros(())])
    assert repr(pl) == ("ParameterList(\n    (0): Parameter containing: [float64 of size 2x3]\n"
                        "    (1): Parameter containing: [float64 of size ]\n)")


def test_half_float_double_convert_parameters_buffers_and_grads():
    net = nn.Sequential(BN(), nn.Linear(3, 2))
    net(autograd.randn(4, 3)).sum().backward()
    w = net[1].weight
    assert net.float() is net
    assert w.dtype == np.float32 and w.grad.dtype == np.float32
    assert net[0].running_mean.dtype == np.float32
    assert net[0].num_batches.dtype.kind == "i"     # integer buffers are left alone
    assert net[1].weight is w                       # the same Parameter: optimizers keep it
    net.half()
    assert w.dtype == np.float16
    net.double()
    assert w.dtype == np.float64 and net[0].scratch.dtype == np.float64


def test_plain_lists_and_dicts_of_modules_warn_and_stay_unregistered():
    class Net(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = layers

    with pytest.warns(UserWarning, match=r"Net.layers is a plain list of Modules.*"
                                         r"nn.ModuleList"):
        net = Net([nn.Linear(2, 2), nn.ReLU()])
    assert list(net.parameters()) == []             # PyTorch's behaviour: not registered
    with pytest.warns(UserWarning, match=r"plain dict of Modules.*nn.ModuleDict"):
        Net({"a": nn.Linear(2, 2)})
    with pytest.warns(UserWarning, match=r"plain tuple of Parameters.*nn.ParameterList"):
        Net((nn.Parameter(autograd.zeros(1)),))
    with pytest.warns(UserWarning, match=r"plain dict of Parameters.*nn.ParameterDict"):
        Net({"w": nn.Parameter(autograd.zeros(1))})
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Net([1, 2, autograd.zeros(1)])              # no Modules or Parameters: no warning
        Net(ModuleList([nn.Linear(1, 1)]))


def test_deepcopy_keeps_the_structure_and_is_independent():
    import copy
    shared = nn.Linear(2, 2)
    net = nn.Sequential(shared, BN(2), shared)
    twin = copy.deepcopy(net)
    assert twin[0] is twin[2] and twin[0] is not shared
    assert list(twin.state_dict()) == list(net.state_dict())
    twin[0].weight._data[...] = 0
    assert not np.all(shared.weight._data == 0)
    twin[1] = nn.ReLU()
    assert isinstance(net[1], BN) and [n for n, _ in twin.named_children()] == ["0", "1"]


# ==================================================================== PyTorch parity
@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def _nested(N, T, ML, MD, PL, PD):
    """The same model written against `nn` (ours or torch's): every container, buffers
    (one non-persistent), a submodule shared by two paths."""
    class Block(N.Module):
        def __init__(self):
            super().__init__()
            self.scale = N.Parameter(T.ones(3))
            self.register_buffer("running", T.zeros(3))
            self.register_buffer("tmp", T.zeros(2), persistent=False)
            self.lin = N.Linear(3, 3)

    class Net(N.Module):
        def __init__(self):
            super().__init__()
            shared = N.Linear(2, 2)
            self.layers = ML([N.Sequential(N.Linear(4, 3), N.ReLU()),
                              N.Sequential(N.Linear(3, 3), N.Tanh()), shared, shared])
            self.heads = MD(OrderedDict([("b", N.Linear(3, 1, bias=False)), ("a", Block())]))
            self.ps = PL([N.Parameter(T.zeros(2, 2)), N.Parameter(T.zeros(3))])
            self.pd = PD({"z": N.Parameter(T.zeros(1)), "y": N.Parameter(T.zeros(2, 1))})
            self.register_buffer("count", T.zeros(()))
            self.again = self.heads["a"]
            self.out = N.Sequential(N.Identity(), N.Sigmoid())
    return Net()


def _both(torch):
    tnn = torch.nn
    ours = _nested(nn, autograd, ModuleList, ModuleDict, ParameterList, ParameterDict)
    theirs = _nested(tnn, torch, tnn.ModuleList, tnn.ModuleDict, tnn.ParameterList,
                     tnn.ParameterDict)
    return ours, theirs


def test_names_order_and_shapes_match_pytorch(torch):
    ours, theirs = _both(torch)

    def shapes(pairs):
        return [(k, tuple(v.shape)) for k, v in pairs]
    assert shapes(ours.named_parameters()) == shapes(theirs.named_parameters())
    assert shapes(ours.state_dict().items()) == shapes(theirs.state_dict().items())
    assert shapes(ours.named_buffers()) == shapes(theirs.named_buffers())
    for kw in ({}, {"remove_duplicate": False}):
        assert shapes(ours.named_parameters(**kw)) == shapes(theirs.named_parameters(**kw))
        assert ([n for n, _ in ours.named_modules(**kw)]
                == [n for n, _ in theirs.named_modules(**kw)])
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert ([k for k, _ in ours.named_parameters(recurse=False)]
            == [k for k, _ in theirs.named_parameters(recurse=False)])
    # and a state dict moves between the two
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})


def test_load_state_dict_reports_the_same_keys_as_pytorch(torch):
    ours, theirs = _both(torch)
    sd = {k: v.numpy() for k, v in ours.state_dict().items()}
    del sd["count"], sd["layers.1.0.bias"]
    sd.update({"layers.0.0.foo": np.zeros(1), "heads.zz.weight": np.zeros(1),
               "ps.5": np.zeros(1), "heads.a.tmp": np.zeros(2)})
    mine = ours.load_state_dict(sd, strict=False)
    torchs = theirs.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=False)
    assert mine.missing_keys == torchs.missing_keys
    assert mine.unexpected_keys == torchs.unexpected_keys


def _torch_repr(text):
    # PyTorch prints its dtypes as torch.float32 / torch.FloatTensor; we print numpy's names
    return (text.replace("torch.float32", "float64").replace("torch.FloatTensor", "float64"))


def test_reprs_match_pytorch(torch):
    ours, theirs = _both(torch)
    assert repr(ours) == _torch_repr(repr(theirs))

    def models(N, ML, MD, PL, P, T):
        lin = N.Linear(2, 2)
        return [
            ML([N.Linear(3, 3) for _ in range(4)] + [N.ReLU(), N.ReLU(), lin, lin,
                                                     N.Sequential(N.Tanh(), N.ReLU())]),
            ML([N.Sequential(N.Linear(1, 2), N.Sigmoid()) for _ in range(2)]),
            ML([ML([N.Identity(), N.Identity()]), N.Linear(1, 1, bias=False)]),
            ML(), MD(), PL(), MD({"x": ML([N.Tanh()] * 3)}),
            PL([P(T.zeros(4))]),
            N.Sequential(N.Sequential(N.Linear(5, 4), N.ReLU()), ML([N.Tanh()])),
        ]
    tnn = torch.nn
    for a, b in zip(models(nn, ModuleList, ModuleDict, ParameterList, nn.Parameter, autograd),
                    models(tnn, tnn.ModuleList, tnn.ModuleDict, tnn.ParameterList,
                           tnn.Parameter, torch), strict=True):
        assert repr(a) == _torch_repr(repr(b))
