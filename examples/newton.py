"""Newton's method on the lecture's linear regression: one step lands on the least-squares
solution, where gradient descent takes hundreds.

The loss is quadratic in theta = (w, b):

    L(theta) = mean((y - (X w + b))^2) = (1/N) |y - A theta|^2,   A = [X, 1] (a column of ones)
    gradient  g = -(2/N) A^T (y - A theta)
    Hessian   H = (2/N) A^T A                    (constant: L is exactly quadratic)

so its second-order Taylor expansion is exact, and Newton's step theta - H^-1 g solves the
normal equations A^T A theta = A^T y in one go. Here g and H come from autograd:
the gradient by `autograd.grad(loss, theta, create_graph=True)` (a graph of its own), each
row of H by differentiating that gradient again, checked against
`autograd.functional.hessian` and the closed form above.
"""
import numpy as np
from _common import parse_args

import autograd
from autograd import functional

args = parse_args(__doc__.splitlines()[0])
autograd.manual_seed(args.seed)

# ---- the lecture's data and starting point (torch. renamed to autograd.)
w_true = autograd.Tensor([1, 2, 3])
b_true = 5
w = autograd.randn(3, requires_grad=True)
b = autograd.randn(1, requires_grad=True)
X = autograd.randn(100, 3)
y = autograd.mv(X, w_true) + b_true
N = X.shape[0]


def loss_of(theta):
    """The lecture's loss, mean((y - y_pred)^2), as a function of theta = (w0, w1, w2, b)."""
    y_pred = autograd.mv(X, theta[:3]) + theta[3]
    return autograd.mean((y - y_pred) ** 2)


theta0 = autograd.cat([w, b]).detach().requires_grad_()    # the same start as gradient descent

# ---- Newton: gradient and Hessian by autograd, one step
loss0 = loss_of(theta0)
(g,) = autograd.grad(loss0, [theta0], create_graph=True)   # g is a graph: differentiate again
H = autograd.stack([autograd.grad(g[i], [theta0], retain_graph=True)[0] for i in range(4)])
H_functional = functional.hessian(loss_of, theta0)
A = np.hstack([X.numpy(), np.ones((N, 1))])
H_closed = 2.0 / N * A.T @ A

theta1 = theta0.detach().numpy() - np.linalg.solve(H.numpy(), g.detach().numpy())  # - H^-1 g
theta_lstsq = np.linalg.lstsq(A, y.numpy(), rcond=None)[0]
newton_loss = loss_of(autograd.tensor(theta1)).item()

print("Hessian by double backward:")
H_array = H.numpy()
print(np.array2string(H_array, precision=4, suppress_small=True))
gap = np.abs(H_array - H_functional.numpy()).max()
print(f"largest difference to functional.hessian: {gap:.1e}")
print(f"largest difference to (2/N) A^T A:        {np.abs(H_array - H_closed).max():.1e}")
print()
print("Newton, one step:    theta =", np.array2string(theta1, precision=6))
print("numpy.linalg.lstsq:  theta =", np.array2string(theta_lstsq, precision=6))
print(f"difference to lstsq: {np.abs(theta1 - theta_lstsq).max():.1e}")
print()

# ---- gradient descent from the same start, the lecture's loop (gamma = 0.01)
gamma = 0.01
steps = 100 if args.quick else 500
report = [s for s in (1, 10, 100, 500) if s <= steps]
print(f"loss at the start: {loss0.item():.6e}")
print(f"{'steps':>6}  {'gradient descent loss':>22}  {'|theta - lstsq|':>16}")
for i in range(1, steps + 1):
    w.grad = None
    b.grad = None
    y_pred = autograd.mv(X, w) + b
    loss = autograd.mean((y - y_pred) ** 2)
    loss.backward()
    w.data -= gamma * w.grad.data
    b.data -= gamma * b.grad.data
    if i in report:
        now = loss_of(autograd.cat([w, b]).detach()).item()      # the loss after step i
        gap = np.abs(np.append(w.detach().numpy(), b.detach().numpy()) - theta_lstsq).max()
        print(f"{i:>6}  {now:>22.6e}  {gap:>16.1e}")
gap = np.abs(theta1 - theta_lstsq).max()
print(f"{'Newton':>6}  {newton_loss:>22.6e}  {gap:>16.1e}   (1 step)")
