"""The course examples (examples/moons.py, classification.py, digits_cnn.py) run in --quick mode
and reach what their docstrings promise; docs/cnn.md's two listings differ only by the renames."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(name: str, *args: str, env: dict | None = None, code: int = 0) -> str:
    """Run an example as a user would (this checkout's autograd and nn); stdout."""
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    out = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                         text=True, timeout=300, cwd=EXAMPLES, env=env)
    assert out.returncode == code, out.stdout + out.stderr
    return out.stdout + (out.stderr if code else "")


def load_example(name: str):
    """Import an example as a module (its main() does not run)."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXAMPLES))
    return module


# ---------------------------------------------------------------- moons
def test_make_moons_draws_sklearns_half_circles():
    moons = load_example("moons")
    X, y = moons.make_moons(100, noise=0.0, seed=3)
    assert X.shape == (100, 2) and sorted(y) == [0] * 50 + [1] * 50
    t = np.linspace(0, np.pi, 50)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    np.testing.assert_allclose(np.sort(X[y == 0], axis=0), np.sort(upper, axis=0), atol=1e-15)
    np.testing.assert_allclose(np.sort(X[y == 1], axis=0), np.sort(lower, axis=0), atol=1e-15)
    sklearn = pytest.importorskip("sklearn.datasets")
    Xs, ys = sklearn.make_moons(100, noise=0.0, shuffle=False)
    for label in (0, 1):
        np.testing.assert_allclose(np.sort(X[y == label], axis=0),
                                   np.sort(Xs[ys == label], axis=0), atol=1e-12)
    Xn, _ = moons.make_moons(100, noise=0.1, seed=3)
    assert abs(np.std(Xn - X) - 0.1) < 0.02          # the same seed: the same shuffle


def test_moons_reaches_100_percent_and_the_value_and_tensor_models_agree(tmp_path):
    text = run("moons.py", "--quick", "--out", str(tmp_path))
    for model, steps in (("Value", 50), ("Tensor", 100)):   # the Values: 100% in 50 steps
        found = re.search(model + r" model after (\d+) steps: loss ([\d.]+), training accuracy "
                          r"([\d.]+)%", text)
        assert found, text
        assert int(found.group(1)) == steps and float(found.group(3)) == 100.0
    gaps = re.search(r"Value vs Tensor over (\d+) steps: largest loss difference ([\d.e+-]+), "
                     r"largest parameter difference ([\d.e+-]+)", text)
    assert gaps, text
    assert int(gaps.group(1)) == 50
    assert float(gaps.group(2)) < 1e-12 and float(gaps.group(3)) < 1e-12
    rows = [line.split() for line in text.splitlines() if re.match(r"^\s+\d+\s+\d\.\d{16}", line)]
    assert [int(r[0]) for r in rows] == [*range(0, 100, 10), 99]
    both = [r for r in rows if len(r) == 4]           # steps where both models ran
    assert [int(r[0]) for r in both] == [0, 10, 20, 30, 40]
    for _, value_loss, tensor_loss, _ in both:
        assert abs(float(value_loss) - float(tensor_loss)) < 1e-12
    losses = [float(r[-2]) for r in rows]
    assert losses[-1] < losses[0] / 20
    assert (tmp_path / "moons_boundary.png").exists()


# ---------------------------------------------------------------- classification
def needs_bce() -> None:
    import nn
    if not hasattr(nn, "BCEWithLogitsLoss"):
        pytest.skip("nn.BCEWithLogitsLoss is not there yet (examples/classification.py uses it)")


def classification_results(text: str) -> dict[str, tuple[float, float, float]]:
    """{'logistic': (first loss, last loss, accuracy %), 'linear': ..., 'mlp': ...}"""
    found = {}
    for key, start in (("logistic", "logistic regression"), ("linear", "linear softmax classifier"),
                       ("mlp", "2-64-3 ReLU network")):
        m = re.search(re.escape(start) + r" \(\d+ \w+ steps\): loss ([\d.]+) -> ([\d.]+), "
                      r"accuracy ([\d.]+)%", text)
        assert m, text
        first, last, acc = map(float, m.groups())
        found[key] = (first, last, acc)
    return found


def test_classification_accuracies(tmp_path):
    needs_bce()
    text = run("classification.py", "--quick", "--out", str(tmp_path))
    res = classification_results(text)
    first, last, acc = res["logistic"]
    assert abs(first - np.log(2)) < 0.05 and last < 0.2      # starts near log 2, as chance
    assert acc >= 92.0                                        # Bayes rate of the blobs ~94%
    first, last, acc = res["linear"]
    assert 45.0 <= acc <= 65.0                                # straight sectors: about half
    first, last, acc = res["mlp"]
    assert acc >= 97.0 and last < first / 10
    assert (tmp_path / "classification.png").exists()


def test_without_matplotlib_the_examples_say_so_and_go_on(monkeypatch, capsys):
    """Every course example draws through _common.pyplot and skips its plot on None (the
    classification and digits scripts print their numbers first; moons too)."""
    common = load_example("_common")
    monkeypatch.setitem(sys.modules, "matplotlib", None)       # import matplotlib fails
    assert common.pyplot("the decision boundary") is None
    note = capsys.readouterr().out
    assert "matplotlib is not installed, so the decision boundary was not drawn" in note
    assert ".[examples]" in note
    for name in ("moons", "classification", "digits_cnn"):
        source = (EXAMPLES / f"{name}.py").read_text(encoding="utf-8")
        assert "plt = pyplot(" in source
        assert "plt is None" in source or "plt is not None" in source


# ---------------------------------------------------------------- the digits CNN
def needs_cnn_layers() -> None:
    import nn
    missing = [name for name in ("Conv2d", "BatchNorm2d", "MaxPool2d", "Dropout", "Flatten")
               if not hasattr(nn, name)]
    if missing:
        pytest.skip(f"nn lacks {', '.join(missing)} (examples/digits_cnn.py uses them)")


def digits_results(text: str) -> tuple[list[float], float, np.ndarray]:
    found = re.search(r"epoch losses: (.*)", text)
    assert found, text
    losses = [float(v) for v in found.group(1).split()]
    found = re.search(r"test accuracy: ([\d.]+)% \(360 images\)", text)
    assert found, text
    accuracy = float(found.group(1))
    block = text.split("confusion matrix (rows: true digit, columns: predicted):\n")[1]
    confusion = np.array([[int(v) for v in re.findall(r"\d+", line)]
                          for line in block.splitlines()[:10]])
    return losses, accuracy, confusion


def test_digits_cnn_quick_mode_trains(tmp_path):
    pytest.importorskip("sklearn")
    needs_cnn_layers()
    text = run("digits_cnn.py", "--quick", "--out", str(tmp_path))
    losses, accuracy, confusion = digits_results(text)
    assert len(losses) == 3 and losses[-1] < losses[0] / 2        # 3 epochs cut the loss
    assert accuracy > 75.0                                        # chance: 10%
    assert confusion.shape == (10, 10) and confusion.sum() == 360
    assert confusion.sum(axis=1).tolist() == [36, 36, 35, 37, 36, 37, 36, 36, 35, 36]
    assert abs(np.trace(confusion) / 360 * 100 - accuracy) < 0.01
    assert "training time:" in text and "epochs of 720 images" in text
    assert "dtype float32" in text
    assert (tmp_path / "digits_confusion.png").exists()
    assert (tmp_path / "digits_filters.png").exists()


def test_digits_cnn_without_sklearn_says_how_to_get_it(tmp_path):
    fake = tmp_path / "hidden" / "sklearn"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('scikit-learn is hidden by the test')\n")
    path = os.environ.get("PYTHONPATH")
    text = run("digits_cnn.py", "--quick", "--out", str(tmp_path / "out"), code=2,
               env={"PYTHONPATH": os.pathsep.join(p for p in (str(fake.parent), path) if p)})
    assert "pip install scikit-learn" in text and ".[examples]" in text
    assert "Traceback" not in text


# ---------------------------------------------------------------- docs/cnn.md
def cnn_page() -> tuple[list[tuple[str, str]], str, str]:
    """The page's rename table (PyTorch -> chalkgrad, in order) and its two listings."""
    page = (ROOT / "docs" / "cnn.md").read_text(encoding="utf-8")
    renames = re.findall(r"^\| `([^`]+)` +\| `([^`]+)` +\|", page, re.M)
    listings = re.findall(r"```python\n(.*?)```", page, re.S)
    assert len(listings) == 2, "docs/cnn.md: the chalkgrad listing, then the PyTorch one"
    return renames, listings[0], listings[1]


def rename(text: str, renames: list[tuple[str, str]]) -> str:
    for old, new in renames:
        text = text.replace(old, new)
    return text


def test_cnn_page_shows_the_example_and_a_pytorch_twin_that_differs_only_by_renames():
    renames, ours, theirs = cnn_page()
    assert ("torch.", "autograd.") in renames and ("torch.optim.", "nn.optim.") in renames
    assert ours == (EXAMPLES / "digits_cnn.py").read_text(encoding="utf-8")
    assert "torch" not in ours and "autograd" not in theirs
    assert theirs != ours
    assert rename(theirs, renames) == ours


def test_the_pytorch_twin_runs(tmp_path):
    """The PyTorch listing of docs/cnn.md runs (quick mode) and trains as ours does."""
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    _, _, theirs = cnn_page()
    script = tmp_path / "digits_cnn_torch.py"
    script.write_text(theirs, encoding="utf-8")
    path = os.environ.get("PYTHONPATH")
    env = {"PYTHONPATH": os.pathsep.join(p for p in (str(EXAMPLES), path) if p),
           "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, str(script), "--quick", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={**os.environ, **env})
    assert out.returncode == 0, out.stderr
    losses, accuracy, confusion = digits_results(out.stdout)
    assert len(losses) == 3 and losses[-1] < losses[0] / 2 and accuracy > 75.0
