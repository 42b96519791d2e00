"""(a) Linear regression in NumPy with the hand-derived gradient (the lecture's converging
listing: gamma = 0.01, 500 iterations, summed squared error).

    E(w, b) = 1/2 sum_i (y_i - (x_i . w + b))^2
    dE/dw = -X^T (y - Xw - b),   dE/db = -sum_i (y_i - x_i . w - b)

so w += gamma * X^T errors and b += gamma * sum(errors) walk downhill.
"""
import numpy as np
from _common import parse_args

args = parse_args(__doc__.splitlines()[0])
np.random.seed(args.seed)           # the lecture does not seed; we do, to reproduce the run

w_true = np.array([1, 2, 3])
b_true = 5

w = np.random.rand(3, 1).squeeze(1)
b = np.random.rand(1)

X = np.random.rand(100, 3)
y = np.dot(X, w_true) + b_true

gamma = 0.01
losses = []

for i in range(500):
    errors = y - (np.dot(X, w) + b)
    dEdw = np.dot(X.T, errors)
    dEdb = errors.sum()
    loss = (errors**2).sum() / 2.0

    w += gamma * dEdw
    b += gamma * dEdb

    losses.append(loss)

print('obtained w: ', w, 'true w:', w_true)
print('obtained b: ', b, 'true b:', b_true)
print(f'final loss: {losses[-1]:.3e}')
