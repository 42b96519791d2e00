"""Small helpers shared by the examples: command-line flags, a progress bar, a loss plot."""
from __future__ import annotations

import argparse
import sys
import time


def parse_args(description: str, argv: list[str] | None = None, plot: bool = False
               ) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true",
                    help="a short run, as the tests use (fewer epochs for the MLP and the "
                         "tables; the regression listings already take milliseconds and run "
                         "in full)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    if plot:
        ap.add_argument("--plot", default="mlp_loss.png", metavar="PATH",
                        help="where to save the loss curve (needs matplotlib; default %(default)s)")
    return ap.parse_args(argv)


class Progress:
    """A one-line progress bar on stderr: `[#####.....] 5000/10000 loss 0.0123`."""

    def __init__(self, total: int, width: int = 30, stream=sys.stderr) -> None:
        self.total, self.width, self.stream = total, width, stream
        self.tty = stream.isatty()
        self.every = max(1, total // (100 if self.tty else 10))   # a log file gets 10 lines
        self.start = time.perf_counter()

    def update(self, done: int, loss: float) -> None:
        if done % self.every and done != self.total:
            return
        filled = self.width * done // self.total
        elapsed = time.perf_counter() - self.start
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} "
                          f"loss {loss:.4f} {elapsed:.1f}s")
        if done == self.total or not self.tty:
            self.stream.write("\n")
        self.stream.flush()


def save_loss_plot(losses: list[float], path: str, title: str) -> str | None:
    """Save the loss curve as a PNG; without matplotlib, say how to get it and go on."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
    except ImportError:
        print("note: matplotlib is not installed, so no loss plot was written "
              "(pip install -e \".[plot]\")")
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(losses)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"loss curve written to {path}")
    return path
