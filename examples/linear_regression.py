"""Linear regression twice, side by side: the lecture's NumPy listing, whose gradient is derived
by hand, and the same listing on autograd Tensors, where `loss.backward()` derives it.

    E(w, b) = 1/2 sum_i (y_i - (x_i . w + b))^2
    by hand:      dE/dw = -X^T errors,  dE/db = -sum(errors)    (errors = y - (X w + b))
    by autograd:  loss.backward() puts the same numbers in w.grad and b.grad

Both start from the same w, b and data, so they take the same 500 steps.
"""
import numpy as np
from _common import parse_args

import autograd

args = parse_args(__doc__.splitlines()[0])
np.random.seed(args.seed)           # the lecture does not seed; we do, to reproduce the run

# ---- NumPy: the lecture's listing (gamma = 0.01, 500 iterations), gradient by hand
w_true = np.array([1, 2, 3])
b_true = 5

w = np.random.rand(3, 1).squeeze(1)
b = np.random.rand(1)
w_start, b_start = w.copy(), b.copy()

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

print('numpy     obtained w: ', w, 'true w:', w_true)
print('numpy     obtained b: ', b, 'true b:', b_true)

# ---- autograd: the same error function and data, gradient by backward()
X_t, y_t = autograd.tensor(X), autograd.tensor(y)
w_t = autograd.tensor(w_start, requires_grad=True)
b_t = autograd.tensor(b_start, requires_grad=True)
losses_t = []

for i in range(500):
    w_t.grad = None
    b_t.grad = None

    errors = y_t - (autograd.mv(X_t, w_t) + b_t)
    loss = (errors**2).sum() / 2.0
    loss.backward()

    w_t.data -= gamma * w_t.grad.data
    b_t.data -= gamma * b_t.grad.data

    losses_t.append(loss.item())

print('autograd  obtained w: ', w_t, 'true w:', w_true)
print('autograd  obtained b: ', b_t, 'true b:', b_true)
gap = max(np.abs(w_t.detach().numpy() - w).max(), np.abs(b_t.detach().numpy() - b).max())
print(f'largest difference between the two: {gap:.1e}')
print(f'final loss: numpy {losses[-1]:.3e}, autograd {losses_t[-1]:.3e}')
