"""(b) The same regression with autograd Tensors: requires_grad, backward() and the manual
update (the lecture's PyTorch listing with `torch.` renamed to `autograd.`)."""
from _common import parse_args

import autograd

args = parse_args(__doc__.splitlines()[0])
autograd.manual_seed(args.seed)

w_true = autograd.Tensor([1, 2, 3])
b_true = 5

w = autograd.randn(3, requires_grad=True)
b = autograd.randn(1, requires_grad=True)

X = autograd.randn(100, 3)
y = autograd.mv(X, w_true) + b_true

gamma = 0.01
losses = []

for i in range(500):
    w.grad = None
    b.grad = None

    y_pred = autograd.mv(X, w) + b

    loss = autograd.mean((y-y_pred)**2)

    loss.backward()

    w.data -= gamma * w.grad.data
    b.data -= gamma * b.grad.data

    losses.append(loss.item())

print('obtained w: ', w, 'true w:', w_true)
print('obtained b: ', b, 'true b:', b_true)
print(f'final loss: {losses[-1]:.3e}')
