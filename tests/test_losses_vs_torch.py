"""Every loss against PyTorch in float64: values and the gradients of every input (random
upstream for reduction="none"), over hypothesis-drawn shapes, options and reductions;
central differences (gradcheck, gradgradcheck); backward node names; errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F
import nn.losses as losses
from autograd.dtypes import ShapeError

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RTOL, ATOL = 1e-10, 1e-13
seeds = st.integers(0, 2**32 - 1)
reductions = st.sampled_from(["mean", "sum", "none"])


def close(a, b, what=""):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=what)


def run_both(ours, theirs, arrays, grads, rng, name=True):
    """ours(*tensors) and theirs(*torch tensors): values, backward node and the gradients of
    the inputs flagged in `grads`."""
    a = [autograd.tensor(x, requires_grad=g) for x, g in zip(arrays, grads)]
    b = [torch.tensor(x, requires_grad=g) for x, g in zip(arrays, grads)]
    la, lb = ours(*a), theirs(*b)
    close(la, lb, "value")
    if name:
        assert la.grad_fn.name() == type(lb.grad_fn).__name__
    u = rng.standard_normal(lb.shape)
    la.backward(autograd.tensor(u))
    lb.backward(torch.tensor(u))
    for i, g in enumerate(grads):
        if g:
            close(a[i].grad, b[i].grad, f"gradient of input {i}")


@st.composite
def class_cases(draw):
    c = draw(st.integers(1, 5))
    lead = draw(st.sampled_from([None, (0,), (1,), (3,), (2, 2), (2, 3, 2)]))
    shape = (c,) if lead is None else (lead[0], c) + lead[1:]
    return shape, c


@settings(max_examples=60)
@given(class_cases(), reductions, st.booleans(), st.sampled_from([-100, 0, 1]),
       st.sampled_from([0.0, 0.0, 0.25, 1.0]), seeds)
def test_cross_entropy_with_class_indices(case, reduction, weighted, ignore_index, smoothing,
                                          seed):
    shape, c = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 3
    t = rng.integers(0, c, shape[:1] + shape[2:] if len(shape) > 1 else ())
    w = rng.random(c) + 0.1 if weighted else None
    kw = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(lambda x: F.cross_entropy(x, t, weight=w, **kw),
                 lambda x: TF.cross_entropy(x, torch.tensor(t), weight=None if w is None
                                            else torch.tensor(w), **kw), [x], [True], rng)
    module = nn.CrossEntropyLoss(weight=None if w is None else autograd.tensor(w), **kw)
    close(module(autograd.tensor(x), t), TF.cross_entropy(
        torch.tensor(x), torch.tensor(t), weight=None if w is None else torch.tensor(w), **kw))


@given(class_cases(), reductions, st.booleans(), st.sampled_from([0.0, 0.3]), seeds)
def test_cross_entropy_with_class_probabilities(case, reduction, weighted, smoothing, seed):
    shape, c = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 2
    p = rng.random(shape)
    w = rng.random(c) + 0.1 if weighted else None
    run_both(lambda x, p: F.cross_entropy(x, p, weight=w, reduction=reduction,
                                          label_smoothing=smoothing),
             lambda x, p: TF.cross_entropy(x, p, weight=None if w is None else torch.tensor(w),
                                           reduction=reduction, label_smoothing=smoothing),
             [x, p], [True, True], rng, name=np.prod(shape) > 0)


@given(class_cases(), reductions, st.booleans(), st.sampled_from([-100, 1]), seeds)
def test_nll_loss(case, reduction, weighted, ignore_index, seed):
    shape, c = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    t = rng.integers(0, c, shape[:1] + shape[2:] if len(shape) > 1 else ())
    w = rng.random(c) + 0.1 if weighted else None
    kw = dict(ignore_index=ignore_index, reduction=reduction)
    run_both(lambda x: losses.NLLLoss(None if w is None else autograd.tensor(w), **kw)(x, t),
             lambda x: torch.nn.NLLLoss(None if w is None else torch.tensor(w), **kw)(
                 x, torch.tensor(t)), [x], [True], rng)


shapes = st.sampled_from([(), (1,), (4,), (2, 3), (0, 2), (2, 1, 3)])


@given(shapes, reductions, st.booleans(), seeds)
def test_binary_cross_entropy(shape, reduction, weighted, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.02, 0.98, shape)
    x[rng.random(shape) < 0.1] = 0.0           # log clamped at -100, as PyTorch
    t = rng.random(shape)
    w = rng.random(shape) if weighted else None
    run_both(lambda x, t: F.binary_cross_entropy(x, t, weight=w, reduction=reduction),
             lambda x, t: TF.binary_cross_entropy(x, t, reduction=reduction,
                                                  weight=None if w is None else torch.tensor(w)),
             [x, t], [True, not (x == 0).any()], rng)


@given(shapes, reductions, st.booleans(), st.booleans(), seeds)
def test_binary_cross_entropy_with_logits(shape, reduction, weighted, pos, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 5
    t = rng.random(shape)
    w = rng.random(shape) if weighted else None
    pw = rng.random(shape[-1:]) * 3 if pos else None
    run_both(lambda x, t: losses.BCEWithLogitsLoss(
                 None if w is None else autograd.tensor(w), reduction=reduction,
                 pos_weight=None if pw is None else autograd.tensor(pw))(x, t),
             lambda x, t: torch.nn.BCEWithLogitsLoss(
                 None if w is None else torch.tensor(w), reduction=reduction,
                 pos_weight=None if pw is None else torch.tensor(pw))(x, t),
             [x, t], [True, True], rng)


def kinked(rng, shape, at):
    """Random differences, some of them exactly at the kinks +-at and 0."""
    d = np.asarray(rng.standard_normal(shape) * 2)
    pick = rng.random(shape)
    d[pick < 0.15] = at
    d[(pick >= 0.15) & (pick < 0.3)] = -at
    d[(pick >= 0.3) & (pick < 0.35)] = 0.0
    return d


@given(shapes, reductions, st.sampled_from([0.5, 1.0, 2.0]), seeds)
def test_huber_and_smooth_l1(shape, reduction, param, seed):
    rng = np.random.default_rng(seed)
    b = rng.standard_normal(shape)
    a = b + kinked(rng, shape, param)
    run_both(lambda a, b: losses.HuberLoss(reduction, delta=param)(a, b),
             lambda a, b: torch.nn.HuberLoss(reduction, delta=param)(a, b), [a, b],
             [True, True], rng)
    for beta in (param, 0.0):
        run_both(lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
                 lambda a, b: TF.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
                 [a, b], [True, True], rng, name=beta > 0)


@given(shapes, st.sampled_from(["mean", "sum", "none", "batchmean"]), st.booleans(), seeds)
def test_kl_div(shape, reduction, log_target, seed):
    rng = np.random.default_rng(seed)
    x = np.log(rng.random(shape) + 0.01)
    t = np.log(rng.random(shape) + 0.01) if log_target else rng.random(shape) + 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(lambda x, t: losses.KLDivLoss(reduction=reduction, log_target=log_target)(x, t),
                 lambda x, t: torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)(
                     x, t), [x, t], [True, True], rng,
                 name=reduction != "batchmean" and len(shape) > 0)


@given(st.sampled_from([(1,), (5,), (0,)]), reductions, st.sampled_from([0.0, 0.5]), seeds)
def test_margin_ranking_and_hinge_embedding(shape, reduction, margin, seed):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape)
    y = rng.choice([-1.0, 1.0], shape)
    run_both(lambda a, b: losses.MarginRankingLoss(margin, reduction=reduction)(a, b,
                                                                          autograd.tensor(y)),
             lambda a, b: torch.nn.MarginRankingLoss(margin, reduction=reduction)(
                 a, b, torch.tensor(y)), [x1, x2], [True, True], rng, name=False)
    run_both(lambda a: losses.HingeEmbeddingLoss(margin + 0.5, reduction=reduction)(a, y),
             lambda a: torch.nn.HingeEmbeddingLoss(margin + 0.5, reduction=reduction)(
                 a, torch.tensor(y)), [x1], [True], rng, name=False)


# ------------------------------------------------------------ central differences
@pytest.mark.parametrize("loss", [
    lambda x, t: F.cross_entropy(x, np.array([0, 2])),
    lambda x, t: F.cross_entropy(x, np.array([1, 2]), reduction="sum"),
    lambda x, t: F.cross_entropy(x, np.array([0, 2]), reduction="none", ignore_index=2),
    lambda x, t: F.cross_entropy(x, np.array([0, 2]), weight=np.array([1.0, 2.0, 0.5]),
                                 label_smoothing=0.2),
    lambda x, t: F.cross_entropy(x, t.softmax(dim=1), reduction="sum"),
    lambda x, t: F.nll_loss(x, np.array([1, 0]), reduction="none"),
    lambda x, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid()),
    lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid(), pos_weight=np.ones(3) * 2),
    lambda x, t: F.huber_loss(x, t, delta=0.5, reduction="none"),
    lambda x, t: F.smooth_l1_loss(x, t, beta=0.7),
    lambda x, t: F.kl_div(x, t.exp(), reduction="batchmean"),
])
def test_gradcheck_and_gradgradcheck(loss):
    rng = np.random.default_rng(0)
    x = autograd.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    t = autograd.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert autograd.gradcheck(loss, [x, t])
    assert autograd.gradgradcheck(loss, [x, t])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_gradient_is_torchs_to_the_last_bit(reduction, dtype):
    """The lecture's loss: (2/n)(a - b), then times the upstream gradient, in PyTorch's order
    (upstream first gave different last bits for about a third of the elements)."""
    rng = np.random.default_rng(5)
    a, b = (rng.standard_normal((50, 3)).astype(dtype) for _ in range(2))
    for g in ([np.array(0.7, dtype), np.array(1, dtype)] if reduction != "none"
              else [rng.uniform(0.5, 1.5, (50, 3)).astype(dtype)]):
        ours = [autograd.tensor(x, requires_grad=True) for x in (a, b)]
        theirs = [torch.tensor(x, requires_grad=True) for x in (a, b)]
        F.mse_loss(*ours, reduction=reduction).backward(autograd.tensor(g))
        TF.mse_loss(*theirs, reduction=reduction).backward(torch.tensor(g))
        for x, t in zip(ours, theirs):
            assert x.grad.dtype == x.dtype
            assert np.array_equal(x.grad.numpy(), t.grad.numpy()), (reduction, g)



@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_pointwise_loss_gradients_are_torchs_to_the_last_bit(reduction):
    """Huber, smooth L1, BCE and BCE with logits put their gradients together in PyTorch's
    order (for the mean: Huber and smooth L1 take 1/n into the local derivative before the
    upstream; the BCEs divide by n last), so the bits are PyTorch's. Where a derivative
    calls a libm function (log, sigmoid), only the elements where numpy's and PyTorch's
    values of it agree are compared."""
    rng = np.random.default_rng(11)
    shape = (40, 5)
    g = np.array(0.7) if reduction != "none" else rng.uniform(0.5, 1.5, shape)
    a, b = rng.standard_normal(shape) * 2, rng.standard_normal(shape) * 2
    p, t, w = rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape), rng.uniform(0.5, 2, shape)
    everywhere = np.ones(shape, bool)
    logit_agrees = np.log(p / (1 - p)) == torch.logit(torch.tensor(p)).numpy()
    sigmoid_agrees = (autograd.tensor(a).sigmoid().numpy()
                      == torch.sigmoid(torch.tensor(a)).numpy())
    cases = [(F.huber_loss, TF.huber_loss, (a, b), dict(delta=1.0), [everywhere] * 2),
             (F.huber_loss, TF.huber_loss, (a, b), dict(delta=0.5), [everywhere] * 2),
             (F.smooth_l1_loss, TF.smooth_l1_loss, (a, b), dict(beta=0.5), [everywhere] * 2),
             (F.smooth_l1_loss, TF.smooth_l1_loss, (a, b), dict(beta=0.0), [everywhere] * 2),
             (F.binary_cross_entropy, TF.binary_cross_entropy, (p, t), {},
              [everywhere, logit_agrees]),
             (F.binary_cross_entropy, TF.binary_cross_entropy, (p, t), dict(weight=w),
              [everywhere, logit_agrees]),
             (F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, (a, t),
              dict(weight=w), [sigmoid_agrees, everywhere])]
    for ours_f, theirs_f, inputs, kw, keeps in cases:
        ours = [autograd.tensor(x, requires_grad=True) for x in inputs]
        theirs = [torch.tensor(x, requires_grad=True) for x in inputs]
        ours_f(*ours, reduction=reduction,
               **{k: autograd.tensor(v) if isinstance(v, np.ndarray) else v
                  for k, v in kw.items()}).backward(autograd.tensor(g))
        theirs_f(*theirs, reduction=reduction,
                 **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                    for k, v in kw.items()}).backward(torch.tensor(g))
        for x, tt, keep in zip(ours, theirs, keeps):
            assert keep.mean() > 0.5
            assert np.array_equal(x.grad.numpy()[keep], tt.grad.numpy()[keep]), (ours_f, kw)


def test_cross_entropy_is_one_node_and_stable():
    x = autograd.tensor([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(x, [2, 1])
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert loss.grad_fn.next_functions == ((None, 0),)         # straight to the leaf
    assert np.isclose(loss.item(), (2000.0 + np.log(3)) / 2)
    loss.backward()
    assert np.all(np.isfinite(x.grad.numpy()))


def test_float32_losses_stay_float32():
    x = autograd.tensor(np.random.default_rng(1).standard_normal((4, 3)), dtype=autograd.float32,
                        requires_grad=True)
    for loss in (F.cross_entropy(x, [0, 1, 2, 0]), F.cross_entropy(x, [0, 1, 2, 0],
                                                                  label_smoothing=0.1),
                 F.binary_cross_entropy_with_logits(x, autograd.zeros(4, 3)),
                 F.huber_loss(x, autograd.zeros(4, 3, dtype=autograd.float32))):
        assert loss.dtype == np.float32
        x.grad = None
        loss.backward()
        assert x.grad.dtype == np.float32


def test_all_targets_ignored_gives_nan_as_torch():
    x = np.random.default_rng(2).standard_normal((2, 3))
    ours = F.cross_entropy(autograd.tensor(x), np.array([-100, -100]))
    theirs = TF.cross_entropy(torch.tensor(x), torch.tensor([-100, -100]))
    assert np.isnan(ours.item()) and np.isnan(theirs.item())


def test_errors_name_the_problem():
    x = autograd.randn(2, 3)
    with pytest.raises(IndexError, match=r"\[0, 3\)"):
        F.cross_entropy(x, np.array([0, 5]))
    with pytest.raises(ShapeError, match="target of shape"):
        F.cross_entropy(x, np.array([[0, 1]]))
    with pytest.raises(TypeError, match="integer class indices"):
        F.cross_entropy(x, np.array([0.5, 1.0]))
    with pytest.raises(ShapeError, match="weight"):
        F.cross_entropy(x, np.array([0, 1]), weight=np.ones(2))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, np.array([0, 1]), label_smoothing=1.5)
    with pytest.raises(TypeError, match="integer"):
        F.nll_loss(x, np.array([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(autograd.tensor([1.5]), autograd.tensor([1.0]))
    with pytest.raises(ShapeError, match="same as input size"):
        F.binary_cross_entropy_with_logits(x, autograd.zeros(3))
    with pytest.raises(ValueError, match="reduction"):
        losses.HuberLoss(reduction="avg")
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(x, autograd.ones(2, 3))
    with pytest.warns(UserWarning, match="target size"):
        F.huber_loss(autograd.randn(3, 1), autograd.randn(3))


def test_module_names_and_buffers():
    for name in ("NLLLoss", "BCELoss", "BCEWithLogitsLoss", "HuberLoss", "SmoothL1Loss",
                 "KLDivLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "CrossEntropyLoss"):
        assert hasattr(losses, name)
    ce = losses.CrossEntropyLoss(weight=autograd.ones(3))
    assert list(ce.state_dict()) == list(torch.nn.CrossEntropyLoss(torch.ones(3)).state_dict())
    assert losses.MSELoss(reduction="sum").reduction == "sum"
    assert losses.L1Loss(size_average=False).reduction == "sum"


@pytest.mark.parametrize("case", ["ce", "ce_smooth", "ce_prob", "bn", "ln", "gn", "bce_logits",
                                  "huber"])
def test_second_derivatives_match_torch(case):
    """d/dx of (d loss/dx . v) with create_graph, against PyTorch's double backward."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 3, 2))
    v = rng.standard_normal((4, 3, 2))
    t = rng.integers(0, 3, (4, 2))
    p = rng.random((4, 3, 2))
    w = rng.random(3) + 0.5
    ca, cb = autograd.tensor(v[::-1].copy()), torch.tensor(v[::-1].copy())
    fns = {
        "ce": (lambda x: F.cross_entropy(x, t), lambda x: TF.cross_entropy(x, torch.tensor(t))),
        "ce_smooth": (lambda x: F.cross_entropy(x, t, weight=w, label_smoothing=0.2),
                      lambda x: TF.cross_entropy(x, torch.tensor(t), weight=torch.tensor(w),
                                                 label_smoothing=0.2)),
        "ce_prob": (lambda x: F.cross_entropy(x, autograd.tensor(p)),
                    lambda x: TF.cross_entropy(x, torch.tensor(p))),
        "bn": (lambda x: (F.batch_norm(x, None, None, autograd.tensor(w), None, True).exp()
                          * ca).sum(),
               lambda x: (TF.batch_norm(x, None, None, torch.tensor(w), None, True).exp()
                          * cb).sum()),
        "ln": (lambda x: (F.layer_norm(x, (3, 2)).exp() * ca).sum(),
               lambda x: (TF.layer_norm(x, (3, 2)).exp() * cb).sum()),
        "gn": (lambda x: (F.group_norm(x, 3, autograd.tensor(w)).exp() * ca).sum(),
               lambda x: (TF.group_norm(x, 3, torch.tensor(w)).exp() * cb).sum()),
        "bce_logits": (lambda x: F.binary_cross_entropy_with_logits(x, autograd.tensor(p)),
                       lambda x: TF.binary_cross_entropy_with_logits(x, torch.tensor(p))),
        "huber": (lambda x: F.huber_loss(x * x, autograd.tensor(p)),
                  lambda x: TF.huber_loss(x * x, torch.tensor(p))),
    }
    ours, theirs = fns[case]
    xa, xb = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ga,) = autograd.grad(ours(xa), [xa], create_graph=True)
    (gb,) = torch.autograd.grad(theirs(xb), [xb], create_graph=True)
    close(ga, gb, "first derivative")
    (ha,) = autograd.grad((ga * autograd.tensor(v)).sum(), [xa])
    (hb,) = torch.autograd.grad((gb * torch.tensor(v)).sum(), [xb])
    np.testing.assert_allclose(ha.numpy(), hb.numpy(), rtol=1e-9, atol=1e-11)
