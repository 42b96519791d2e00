"""micrograd's demo, reproduced: a 2 -> 16 -> 16 -> 1 MLP of `Value`s learns the two moons.

100 points on two interleaved half circles (noise 0.1), labels y = -1 / +1; loss
    L = mean_i max(0, 1 - y_i s_i) + alpha * sum_p p^2        (hinge loss + L2, alpha = 1e-4)
where s_i is the network's score; 100 steps of SGD with the rate 1.0 - 0.9 k / 100 at step k.
Next to it the same network on Tensors (nn.Linear layers holding the Value model's initial
weights, nn.optim.SGD with a LambdaLR schedule): both print their loss every 10 steps and the
largest difference between the two (rounding only: ~1e-15). Then the decision boundary
(out/moons_boundary.png, or --out DIR). The full run takes ~15 s, nearly all of it the Values;
--quick runs the Value model for the first 50 steps only (by then it classifies every point)
and the Tensor model for all 100.
"""
from __future__ import annotations

import math
import time

import numpy as np
from _common import Progress, course_args, out_file, pyplot

import autograd
import nn
from autograd import Value, lincomb

ALPHA = 1e-4


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 0
               ) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles, as sklearn.datasets.make_moons draws them.

    The upper moon: (cos t, sin t) for n//2 angles t evenly spaced in [0, pi]; the lower one:
    (1 - cos t, 1/2 - sin t) for the other points; Gaussian noise of standard deviation
    `noise` on both coordinates, then the points shuffled. Labels 0 (upper) and 1 (lower).
    """
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_up = np.linspace(0.0, math.pi, n_upper)
    t_low = np.linspace(0.0, math.pi, n_lower)
    X = np.concatenate([np.stack([np.cos(t_up), np.sin(t_up)], axis=1),
                        np.stack([1.0 - np.cos(t_low), 0.5 - np.sin(t_low)], axis=1)])
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    X = X + rng.normal(0.0, noise, X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


# ---------------------------------------------------------------- the Value model (micrograd)
class Neuron:
    """relu(w . x + b) (or w . x + b in the last layer); w uniform in [-1, 1], b = 0."""

    def __init__(self, n_in: int, rng: np.random.Generator, nonlin: bool = True) -> None:
        self.w = [Value(float(v)) for v in rng.uniform(-1.0, 1.0, n_in)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: list[Value]) -> Value:
        act = lincomb(self.w, x, self.b)     # sum(w_i x_i) + b as one node (exact sum)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Layer:
    """n_out neurons reading the same inputs."""

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator, nonlin: bool = True
                 ) -> None:
        self.neurons = [Neuron(n_in, rng, nonlin) for _ in range(n_out)]

    def __call__(self, x: list[Value]) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """Layers of ReLU neurons, the last one linear (and of one neuron here: the score)."""

    def __init__(self, n_in: int, n_outs: list[int], rng: np.random.Generator) -> None:
        sizes = [n_in, *n_outs]
        self.layers = [Layer(sizes[i], sizes[i + 1], rng, nonlin=i != len(n_outs) - 1)
                       for i in range(len(n_outs))]

    def __call__(self, x: list[Value]) -> Value:
        """The score: the one output of the last layer."""
        for layer in self.layers:
            x = layer(x)
        return x[0]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


def value_loss(model: MLP, X: np.ndarray, y: np.ndarray) -> tuple[Value, float]:
    """Hinge loss + L2 on the whole data set, and the accuracy (sign of the score)."""
    scores = [model([Value(float(a)), Value(float(b))]) for a, b in X]
    losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses, Value(0.0)) * (1.0 / len(losses))
    reg_loss = ALPHA * sum((p * p for p in model.parameters()), Value(0.0))
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


# ---------------------------------------------------------------- the same model on Tensors
def tensor_model(model: MLP) -> nn.Sequential:
    """nn.Linear layers whose weight rows are the Value neurons' w, bias their b."""
    layers: list[nn.Module] = []
    for i, layer in enumerate(model.layers):
        lin = nn.Linear(len(layer.neurons[0].w), len(layer.neurons))
        assert lin.bias is not None
        with autograd.no_grad():
            lin.weight.copy_(autograd.tensor([[w.data for w in n.w] for n in layer.neurons]))
            lin.bias.copy_(autograd.tensor([n.b.data for n in layer.neurons]))
        layers.append(lin)
        if i != len(model.layers) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def tensor_loss(net: nn.Module, X: autograd.Tensor, y: autograd.Tensor
                ) -> tuple[autograd.Tensor, float]:
    scores = net(X).squeeze(1)
    data_loss = (1 - y * scores).relu().mean()
    reg_loss = ALPHA * sum((p * p).sum() for p in net.parameters())
    accuracy = ((y > 0) == (scores > 0)).double().mean().item()
    return data_loss + reg_loss, accuracy


def main() -> None:
    args = course_args(__doc__.splitlines()[0])
    steps = 100                        # the demo's 100 steps, in both modes
    X, labels = make_moons(100, noise=0.1, seed=args.seed)
    y = labels * 2 - 1                 # -1 / +1 for the hinge loss
    rng = np.random.default_rng(args.seed)
    model = MLP(2, [16, 16, 1], rng)
    net = tensor_model(model)
    print(f"{len(model.parameters())} parameters; {len(X)} points")

    optimizer = nn.optim.SGD(net.parameters(), lr=1.0)
    schedule = nn.optim.lr_scheduler.LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / steps)
    Xt, yt = autograd.tensor(X), autograd.tensor(y.astype(np.float64))

    # --quick: the Value model takes the first 50 steps only (its 100 take ~15 s); the Tensor
    # model, equal to it up to rounding while both run, takes all 100.
    value_steps = 50 if args.quick else steps
    progress = Progress(steps)
    gap = 0.0
    t_value = t_tensor = 0.0
    snapshot: list[float] = []
    print(" step  Value loss          Tensor loss         accuracy")
    for k in range(steps):
        start = time.perf_counter()
        value_line = " " * 18
        if k < value_steps:
            total_loss, acc = value_loss(model, X, y)
            model.zero_grad()
            total_loss.backward()
            learning_rate = 1.0 - 0.9 * k / steps
            for p in model.parameters():
                p.data -= learning_rate * p.grad
            value_line = f"{total_loss.data:.16f}"
        t_value += time.perf_counter() - start

        start = time.perf_counter()
        loss_t, acc_t = tensor_loss(net, Xt, yt)
        optimizer.zero_grad()
        loss_t.backward()
        optimizer.step()
        schedule.step()
        t_tensor += time.perf_counter() - start

        if k < value_steps:
            gap = max(gap, abs(total_loss.data - loss_t.item()))
            if k == value_steps - 1:
                snapshot = tensor_params(net)       # both models after the same steps
            if acc != acc_t:
                print(f"note: at step {k} the accuracies differ: Value {acc}, Tensor {acc_t}")
        if k % 10 == 0 or k == steps - 1:
            print(f"{k:5d}  {value_line}  {loss_t.item():.16f}  {acc_t * 100:5.1f}%")
        progress.update(k + 1, loss_t.item())

    final_loss, final_acc = tensor_loss(net, Xt, yt)
    value_final, value_acc = value_loss(model, X, y)
    print(f"Value model after {value_steps} steps: loss {value_final.data:.6f}, training "
          f"accuracy {value_acc * 100:.1f}%")
    print(f"Tensor model after {steps} steps: loss {final_loss.item():.6f}, training accuracy "
          f"{final_acc * 100:.1f}%")
    params_gap = max(abs(p.data - q) for p, q in zip(model.parameters(), snapshot))
    print(f"Value vs Tensor over {value_steps} steps: largest loss difference {gap:.3g}, "
          f"largest parameter difference {params_gap:.3g}")
    print(f"time: Values {t_value:.2f} s ({value_steps} steps), Tensors {t_tensor:.2f} s "
          f"({steps} steps)")
    plot_boundary(args, net, X, y)


def tensor_params(net: nn.Sequential) -> list[float]:
    """The Tensor model's numbers in the Value model's order (per neuron: w..., b)."""
    out: list[float] = []
    for lin in net:
        if isinstance(lin, nn.Linear):
            assert lin.bias is not None
            W, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
            for row, bias in zip(W, b):
                out += [*map(float, row), float(bias)]
    return out


def plot_boundary(args, net: nn.Module, X: np.ndarray, y: np.ndarray) -> None:
    """The sign of the score on a grid (the Tensor model: the same numbers, faster)."""
    plt = pyplot("the decision boundary")
    if plt is None:
        return
    h = 0.05
    xx, yy = np.meshgrid(np.arange(X[:, 0].min() - 1, X[:, 0].max() + 1, h),
                         np.arange(X[:, 1].min() - 1, X[:, 1].max() + 1, h))
    with autograd.no_grad():
        scores = net(autograd.tensor(np.c_[xx.ravel(), yy.ravel()])).numpy()
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(xx, yy, (scores > 0).reshape(xx.shape), cmap="Spectral", alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap="Spectral", edgecolors="k")
    ax.set_title("two moons: 2-16-16-1 MLP, hinge loss, 100 SGD steps")
    fig.tight_layout()
    path = out_file(args, "moons_boundary.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"decision boundary written to {path}")


if __name__ == "__main__":
    main()
