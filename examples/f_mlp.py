"""(f) The lecture's multi-layer perceptron: 1 -> 6 -> 10 -> 6 -> 1 with ReLU, fitted to
y = x^2 + 3 on 1,000 samples for 10,000 epochs with SGD (lr 0.01); then five new points,
true against predicted, and the loss curve."""
from _common import Progress, parse_args, save_loss_plot

import autograd
import nn

args = parse_args(__doc__.splitlines()[0], plot=True)
autograd.manual_seed(args.seed)

num_data = 1000
num_epoch = 300 if args.quick else 10000

x = autograd.randn(num_data, 1)
y = (x**2) + 3

net = nn.Sequential(
    nn.Linear(1, 6),
    nn.ReLU(),
    nn.Linear(6, 10),
    nn.ReLU(),
    nn.Linear(10, 6),
    nn.ReLU(),
    nn.Linear(6, 1),
)

loss_func = nn.MSELoss()
optimizer = nn.optim.SGD(net.parameters(), lr=0.01)

losses = []
progress = Progress(num_epoch)
for i in range(num_epoch):
    optimizer.zero_grad()
    output = net(x)
    loss = loss_func(output, y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    progress.update(i + 1, losses[-1])

print(f"loss after {num_epoch} epochs: {losses[-1]:.4f} (first epoch: {losses[0]:.4f})")

x = autograd.randn(5, 1)
y = (x**2) + 3
with autograd.no_grad():
    y_pred = net(x)
print("     x      true  predicted   error")
for xi, yi, pi in zip(x.numpy()[:, 0], y.numpy()[:, 0], y_pred.numpy()[:, 0], strict=True):
    print(f"{xi:7.4f}  {yi:7.4f}  {pi:9.4f}  {pi - yi:+7.4f}")

save_loss_plot(losses, args.plot, "MLP on y = x^2 + 3 (SGD, lr 0.01)")
