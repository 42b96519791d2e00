"""A learner's script, as a type checker sees it (tests/test_typing.py runs mypy on it and
runs it): Tensor arithmetic and @, reductions with dim=, reshape, .T, no_grad, an nn model
with a loss and an optimizer, Value arithmetic and functions, a Function of one's own."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

import autograd
import nn
from autograd import Tensor, Value

autograd.manual_seed(0)
X = autograd.randn(100, 3)
w = autograd.randn(3, requires_grad=True)
b = autograd.zeros(1, requires_grad=True)
y = autograd.mv(X, autograd.Tensor([1.0, 2.0, 3.0])) + 5

pred = X @ w + b
loss = ((y - pred) ** 2).mean()
per_row = (X * 2 - 1).sum(dim=1, keepdim=True) / 3
flat = X.reshape(300).T + X.reshape(-1, 1).T.sum(dim=0)
act = (-pred).exp().log().abs().sqrt().tanh().sigmoid().relu() + autograd.exp(pred)
both = 2 * pred - pred / 2 + 1 - pred ** 2 + np.ones(100)
loss.backward()
with autograd.no_grad():
    w -= 0.1 * w.grad if w.grad is not None else 0.0
    w.grad = None

net = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
optimizer = nn.optim.SGD(net.parameters(), lr=0.05)
loss_fn = nn.MSELoss()
for _ in range(3):
    optimizer.zero_grad()
    out = net(X)
    mse = loss_fn(out, y.reshape(-1, 1))
    mse.backward()
    optimizer.step()
final: float = mse.item()

a, c = Value(2.0, label="a"), Value(-3.0)
v = a * c + 2 * a - a / 4 + c ** 2 - 1
u = v.tanh().exp() + autograd.tanh(v) + autograd.exp(a) - v.relu() + abs(c) - (-a)
u.backward()
grads: list[float] = [a.grad, c.grad]


class Cube(autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


cubed = Cube.apply(w).sum()

if TYPE_CHECKING:
    reveal_type(pred)
    reveal_type(loss)
    reveal_type(per_row)
    reveal_type(flat)
    reveal_type(act)
    reveal_type(both)
    reveal_type(out)
    reveal_type(v)
    reveal_type(u)
    reveal_type(autograd.exp(2.0))
