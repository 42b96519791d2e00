"""(c) The model as `nn.Linear(3, 1)`; the update is still written by hand."""
from _common import parse_args

import autograd
import nn

args = parse_args(__doc__.splitlines()[0])
autograd.manual_seed(args.seed)

w_true = autograd.Tensor([1, 2, 3])
b_true = 5
net = nn.Linear(in_features = 3, out_features = 1, bias = True)
X = autograd.randn(100, 3)
y = autograd.mv(X, w_true) + b_true
gamma = 0.1
losses = []
for i in range(100):
    net.weight.grad = None
    net.bias.grad = None
    y_pred = net(X)
    loss = autograd.mean((y- y_pred.squeeze(1))**2)
    loss.backward()
    net.weight.data = net.weight.data - gamma * net.weight.grad.data
    net.bias.data = net.bias.data - gamma * net.bias.grad.data
    losses.append(loss.item())

print('obtained w: ', net.weight, 'true w:', w_true)
print('obtained b: ', net.bias, 'true b:', b_true)
print(f'final loss: {losses[-1]:.3e}')
