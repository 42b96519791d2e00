"""(g) The lecture's small tables fitted by gradient descent and checked against the
least-squares solution (numpy.linalg.lstsq):

    x = y = 1, 2, 3                                  y = w x + b
    attendance -> mid-term                           y = w x + b
    attendance, quiz, assignment 1 -> mid-term       y = w1 x1 + w2 x2 + w3 x3 + b

The inputs are standardised (zero mean, unit spread) before descending, so that one step
size suits every column; the weights are mapped back to the raw units at the end.
"""
import numpy as np
from _common import parse_args

import autograd
import nn

TABLES = {
    "x = y = 1, 2, 3": ([[1], [2], [3]], [1, 2, 3]),
    "attendance -> mid-term": ([[10], [9], [1], [4], [8]], [90, 70, 20, 50, 60]),
    "attendance, quiz, assignment 1 -> mid-term": (
        [[10, 8, 5], [9, 7, 7], [1, 4, 3], [4, 6, 6], [8, 3, 7]], [90, 70, 20, 50, 60]),
}


def fit(x_raw: np.ndarray, y_raw: np.ndarray, steps: int) -> tuple[np.ndarray, float, float]:
    mean, spread = x_raw.mean(0), x_raw.std(0)
    X = autograd.tensor((x_raw - mean) / spread)
    y = autograd.tensor(y_raw)
    net = nn.Linear(X.shape[1], 1)
    optimizer = nn.optim.SGD(net.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(net(X).squeeze(1), y)
        loss.backward()
        optimizer.step()
    w = net.weight.data[0] / spread                  # back to the raw units
    b = net.bias.data[0] - w @ mean
    return w, float(b), loss.item()


args = parse_args(__doc__.splitlines()[0])
autograd.manual_seed(args.seed)
steps = 300 if args.quick else 2000
for name, (x, y) in TABLES.items():
    x, y = np.array(x, dtype=float), np.array(y, dtype=float)
    w, b, loss = fit(x, y, steps)
    A = np.hstack([x, np.ones((len(x), 1))])
    exact = np.linalg.lstsq(A, y, rcond=None)[0]
    gap = np.abs(np.append(w, b) - exact).max()
    shown = lambda v: np.round(v, 4) + 0.0           # + 0.0: no "-0.0000"
    print(f"{name}:")
    print(f"  gradient descent ({steps} steps): w = {shown(w)}, b = {shown(b):.4f}, "
          f"mean squared error {loss:.4f}")
    print(f"  numpy.linalg.lstsq:             w = {shown(exact[:-1])}, "
          f"b = {shown(exact[-1]):.4f}")
    print(f"  largest difference: {gap:.2e}")
