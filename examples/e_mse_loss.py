"""(e) The loss as a module too: `nn.MSELoss()`. This is the lecture's final linear-regression
listing with `torch.` renamed to `autograd.`, `torch.nn.` to `nn.`, `torch.optim.` to
`nn.optim.`."""
from _common import parse_args

import autograd
import nn

args = parse_args(__doc__.splitlines()[0])
autograd.manual_seed(args.seed)

w_true = autograd.Tensor([1, 2, 3])
b_true = 5
X = autograd.randn(100, 3)
y = autograd.mv(X, w_true) + b_true
gamma = 0.1
losses = []
net = nn.Linear(in_features = 3, out_features = 1, bias = True)
optimizer = nn.optim.SGD(net.parameters(), lr=gamma)
loss_fn = nn.MSELoss()
for i in range(100):
    optimizer.zero_grad()
    y_pred = net(X)
    loss = loss_fn(y_pred.squeeze(1), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(list(net.parameters()))
print(f'final loss: {losses[-1]:.3e}')
