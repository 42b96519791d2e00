"""Linear regression twice, side by side: the lecture's NumPy listing with the gradient
derived by hand, and the same fit with autograd Tensors, where backward() derives it.

    loss = mean((y - (X w + b))^2)
    by hand:      dloss/dw = -2/N X^T (y - Xw - b),   dloss/db = -2/N sum(y - Xw - b)
    by autograd:  loss.backward() fills w.grad and b.grad with the same numbers
"""
import numpy as np
from _common import parse_args

import autograd

args = parse_args(__doc__.splitlines()[0])
rng = np.random.default_rng(args.seed)
X_np = rng.standard_normal((100, 3))
w_true, b_true = np.array([1.0, 2.0, 3.0]), 5.0
y_np = X_np @ w_true + b_true
w0, b0 = rng.standard_normal(3), rng.standard_normal(1)
gamma, steps = 0.01, 500

# ---- NumPy, gradient by hand
w, b = w0.copy(), b0.copy()
for i in range(steps):
    errors = y_np - (X_np @ w + b)
    dw = -2 / len(y_np) * X_np.T @ errors
    db = -2 / len(y_np) * errors.sum()
    w -= gamma * dw
    b -= gamma * db
print('numpy     obtained w:', np.round(w, 4), 'b:', np.round(b, 4))

# ---- autograd, gradient by backward()
X, y = autograd.tensor(X_np), autograd.tensor(y_np)
wt = autograd.tensor(w0, requires_grad=True)
bt = autograd.tensor(b0, requires_grad=True)
for i in range(steps):
    wt.grad = None
    bt.grad = None
    loss = autograd.mean((y - (autograd.mv(X, wt) + bt)) ** 2)
    loss.backward()
    wt.data -= gamma * wt.grad.data
    bt.data -= gamma * bt.grad.data
print('autograd  obtained w:', wt, 'b:', bt)
print('largest difference between the two:',
      f'{max(np.abs(wt.data - w).max(), np.abs(bt.data - b).max()):.1e}')
print('true w:', w_true, 'true b:', b_true)
