"""Small helpers shared by the examples: command-line flags, a progress bar, a loss plot."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any


def parse_args(description: str, argv: list[str] | None = None, plot: bool = False
               ) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true",
                    help="a short run, as the tests use (fewer epochs for the MLP and the "
                         "tables; the regression listings already take milliseconds and run "
                         "in full)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    if plot:
        ap.add_argument("--plot", default=str(Path(__file__).resolve().parent.parent / "out"
                                              / "mlp_loss.png"), metavar="PATH",
                        help="where to save the loss curve (needs matplotlib; default "
                             "out/mlp_loss.png at the top of the checkout, never the current "
                             "directory)")
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
    Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)
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


# ---------------------------------------------------------------- the course examples
# (moons.py, classification.py, digits_cnn.py): an output folder and optional matplotlib.
OUT_DEFAULT = Path(__file__).resolve().parent.parent / "out"


def course_args(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    """--quick, --seed and --out DIR (where plots go; default out/ at the top of the checkout,
    never the current directory)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="a short run, as the tests use")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--out", type=Path, default=OUT_DEFAULT, metavar="DIR",
                    help="folder for the plots (created if missing; default %(default)s)")
    return ap.parse_args(argv)


def out_file(args: argparse.Namespace, name: str) -> Path:
    """args.out / name, creating the folder."""
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def pyplot(what: str) -> Any:
    """matplotlib.pyplot (headless), or None after a note saying `what` was not drawn."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
    except ImportError:
        print(f"note: matplotlib is not installed, so {what} was not drawn "
              "(pip install matplotlib, or pip install -e \".[examples]\")")
        return None
    return plt
