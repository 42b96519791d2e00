"""Classification on 2-D toy data: logistic regression and softmax classifiers, with nn.

1. Logistic regression on two Gaussian blobs: one score s = w . x + b per point,
   p(class 1 | x) = sigmoid(s), loss nn.BCEWithLogitsLoss
       L = -mean_i [ y_i log sigmoid(s_i) + (1 - y_i) log(1 - sigmoid(s_i)) ]
   (computed from s directly, stable for large |s|), SGD.
2. A softmax classifier on a three-armed spiral: three scores per point, p = softmax(s), loss
   nn.CrossEntropyLoss  L = mean_i [ log sum_k e^{s_ik} - s_i,y_i ], Adam. A linear one draws
   three straight sectors and misses most of the spiral; with one hidden ReLU layer of 64 units
   it follows the arms.
Prints the accuracy of each and draws the three decision boundaries (out/classification.png,
or --out DIR). --quick trains fewer steps.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from _common import Progress, course_args, out_file, pyplot

import autograd
import nn


def make_blobs(n_per_class: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds (standard deviation 1) centred at (-1.5, -0.5) and (1.5, 0.5)."""
    centres = np.array([[-1.5, -0.5], [1.5, 0.5]])
    X = np.concatenate([c + rng.normal(size=(n_per_class, 2)) for c in centres])
    y = np.repeat(np.arange(2), n_per_class)
    return X, y


def make_spiral(n_per_class: int, n_classes: int, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray]:
    """Arm k: radius r from 0 to 1, angle 4 (k + r) + noise (standard deviation 0.2):
    (r sin t, r cos t); the arms wind about one and a half turns around the origin."""
    X, y = [], []
    for k in range(n_classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = 4.0 * (k + r) * (3 / n_classes) + rng.normal(0.0, 0.2, n_per_class)
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(n_per_class, k))
    return np.concatenate(X), np.concatenate(y)


def accuracy(predicted: autograd.Tensor, y: autograd.Tensor) -> float:
    return (predicted == y).double().mean().item()


def train(model: nn.Module, loss_fn: nn.Module, optimizer: Any, X: autograd.Tensor,
          target: autograd.Tensor, steps: int, progress: bool = False) -> list[float]:
    """Full-batch training; the loss of every step."""
    losses = []
    bar = Progress(steps) if progress else None
    for step in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if bar is not None:
            bar.update(step + 1, losses[-1])
    return losses


def main() -> None:
    args = course_args(__doc__.splitlines()[0])
    autograd.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    # 1. logistic regression --------------------------------------------------------------
    Xb, yb = make_blobs(100, rng)
    Xb_t = autograd.tensor(Xb)
    yb_t = autograd.tensor(yb.astype(np.float64)).unsqueeze(1)       # (N, 1) floats
    logistic = nn.Linear(2, 1)
    steps = 100 if args.quick else 300
    losses = train(logistic, nn.BCEWithLogitsLoss(), nn.optim.SGD(logistic.parameters(), lr=0.5),
                   Xb_t, yb_t, steps)
    with autograd.no_grad():
        acc_logistic = accuracy((logistic(Xb_t) > 0).long().squeeze(1), autograd.tensor(yb))
    w = logistic.weight.detach().numpy()[0]
    b = logistic.bias.item() if logistic.bias is not None else 0.0
    print(f"logistic regression ({steps} SGD steps): loss {losses[0]:.4f} -> {losses[-1]:.4f}, "
          f"accuracy {acc_logistic * 100:.1f}%; boundary {w[0]:.3f} x1 + {w[1]:.3f} x2 "
          f"+ {b:.3f} = 0")

    # 2. softmax classifiers on the spiral ----------------------------------------------
    Xs, ys = make_spiral(100, 3, rng)
    Xs_t, ys_t = autograd.tensor(Xs), autograd.tensor(ys)
    linear = nn.Linear(2, 3)
    steps = 100 if args.quick else 300
    losses = train(linear, nn.CrossEntropyLoss(), nn.optim.Adam(linear.parameters(), lr=0.05),
                   Xs_t, ys_t, steps)
    with autograd.no_grad():
        acc_linear = accuracy(linear(Xs_t).max(dim=1).indices, ys_t)
    print(f"linear softmax classifier ({steps} Adam steps): loss {losses[0]:.4f} -> "
          f"{losses[-1]:.4f}, accuracy {acc_linear * 100:.1f}%")

    mlp = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 3))
    steps = 300 if args.quick else 1000
    losses = train(mlp, nn.CrossEntropyLoss(), nn.optim.Adam(mlp.parameters(), lr=0.01),
                   Xs_t, ys_t, steps, progress=True)
    with autograd.no_grad():
        acc_mlp = accuracy(mlp(Xs_t).max(dim=1).indices, ys_t)
    print(f"2-64-3 ReLU network ({steps} Adam steps): loss {losses[0]:.4f} -> "
          f"{losses[-1]:.4f}, accuracy {acc_mlp * 100:.1f}%")

    plot(args, [("logistic regression", logistic, Xb, yb, acc_logistic),
                ("linear softmax", linear, Xs, ys, acc_linear),
                ("one hidden layer", mlp, Xs, ys, acc_mlp)])


COLOURS = ["#d7301f", "#2c7fb8", "#31a354"]


def plot(args: Any, panels: list[tuple[str, nn.Module, np.ndarray, np.ndarray, float]]) -> None:
    """Each model's predicted class on a grid, with the data on top."""
    plt = pyplot("the decision boundaries")
    if plt is None:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4.6))
    for ax, (title, model, X, y, acc) in zip(axes, panels):
        pad = 0.5 if X.std() > 1 else 0.2
        h = (X.max() - X.min() + 2 * pad) / 200
        xx, yy = np.meshgrid(np.arange(X[:, 0].min() - pad, X[:, 0].max() + pad, h),
                             np.arange(X[:, 1].min() - pad, X[:, 1].max() + pad, h))
        with autograd.no_grad():
            scores = model(autograd.tensor(np.c_[xx.ravel(), yy.ravel()])).numpy()
        pred = (scores[:, 0] > 0) if scores.shape[1] == 1 else scores.argmax(axis=1)
        n = int(y.max()) + 1
        ax.contourf(xx, yy, pred.reshape(xx.shape), levels=np.arange(-0.5, n),
                    colors=COLOURS[:n], alpha=0.35)
        ax.scatter(X[:, 0], X[:, 1], c=[COLOURS[k] for k in y], s=18, edgecolors="k",
                   linewidths=0.5)
        ax.set_title(f"{title}: {acc * 100:.1f}% correct")
        ax.set_aspect("equal")
    fig.tight_layout()
    path = out_file(args, "classification.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"decision boundaries written to {path}")


if __name__ == "__main__":
    main()
