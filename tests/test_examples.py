"""Every example runs (quick mode) and prints what the lecture's slide shows."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(name: str, *args: str, env: dict | None = None) -> str:
    """Run an example as a user would; it imports this checkout's autograd and nn (not
    whatever an editable install elsewhere points at)."""
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                         text=True, timeout=300, cwd=EXAMPLES, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.\d*(?:e[-+]?\d+)?", text)]


@pytest.mark.parametrize("name", ["a_numpy_regression.py", "b_tensor_regression.py",
                                  "c_nn_linear.py", "d_sgd.py"])
def test_linear_regression_listings_recover_w_and_b(name):
    text = run(name, "--quick")
    w = numbers(re.search(r"obtained w:(.*?)true w", text, re.S).group(1))
    b = numbers(re.search(r"obtained b:(.*?)true b", text, re.S).group(1))[-1]
    np.testing.assert_allclose(w, [1, 2, 3], atol=1e-3)
    assert abs(b - 5) < 1e-3


def test_the_final_regression_listing_prints_the_parameters_like_the_slide():
    text = run("e_mse_loss.py", "--quick")
    assert text.count("Parameter containing:") == 2
    assert "tensor([[1.0000, 2.0000, 3.0000]], requires_grad=True)" in text
    assert "tensor([5.0000], requires_grad=True)" in text


def test_side_by_side_regression_agrees():
    text = run("linear_regression.py", "--quick")
    diff = float(re.search(r"difference between the two: ([\d.e+-]+)", text).group(1))
    assert diff < 1e-10                     # backward() gave the hand-derived gradient
    for lib in ("numpy", "autograd"):
        w = numbers(re.search(lib + r" +obtained w:(.*?)true w", text).group(1))
        b = numbers(re.search(lib + r" +obtained b:(.*?)true b", text).group(1))
        np.testing.assert_allclose(w, [1, 2, 3], atol=1e-4)
        assert abs(b[0] - 5) < 1e-4


def mlp_results(text: str) -> tuple[float, float, list]:
    last, first = map(float, re.search(r"epochs: ([\d.]+) \(first epoch: ([\d.]+)\)",
                                       text).groups())
    rows = [[float(v) for v in line.split()] for line in text.splitlines()
            if re.match(r"^\s*-?\d+\.\d+\s", line)]
    return first, last, rows


def test_mlp_quick_run_trains_and_prints_the_five_point_table(tmp_path):
    text = run("f_mlp.py", "--quick", "--plot", str(tmp_path / "loss.png"))
    first, last, rows = mlp_results(text)
    assert last < first / 10                          # 300 epochs already cut the loss
    assert len(rows) == 5
    for x, true, pred, err in rows:
        assert abs(true - (x ** 2 + 3)) < 1e-3
        assert abs(pred - true - err) < 2e-4
    plotted = (tmp_path / "loss.png").exists()
    assert plotted or "matplotlib is not installed" in text


def test_mlp_full_run_reaches_the_slides_accuracy(tmp_path):
    """The lecture's 10,000 epochs (a few seconds): loss as PyTorch's (0.002-0.005) and the
    five new points within 0.1 of the truth."""
    text = run("f_mlp.py", "--plot", str(tmp_path / "loss.png"))
    first, last, rows = mlp_results(text)
    assert "10000 epochs" in text and last < 0.005
    assert len(rows) == 5 and all(abs(err) < 0.1 for *_, err in rows)


def test_mlp_without_matplotlib_prints_a_note(tmp_path):
    fake = tmp_path / "matplotlib"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('matplotlib is hidden by the test')\n")
    text = run("f_mlp.py", "--quick", "--plot", str(tmp_path / "loss.png"),
               env={"PYTHONPATH": str(tmp_path)})
    assert "matplotlib is not installed" in text and not (tmp_path / "loss.png").exists()


def test_tables_match_least_squares():
    text = run("g_tables.py")
    gaps = [float(g) for g in re.findall(r"largest difference: ([\d.e+-]+)", text)]
    assert len(gaps) == 3 and max(gaps) < 1e-8


def test_chain_rule_demo_quick():
    text = run("chain_rule.py", "--quick")
    assert "0.73" in text and "-0.53" in text


def test_outputs_go_to_out_never_the_current_directory(monkeypatch, tmp_path):
    """The loss plot's default is out/mlp_loss.png at the top of the checkout, whatever the
    current directory is, and the folder is made when missing."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.chdir(tmp_path)
    import _common
    args = _common.parse_args("x", [], plot=True)
    assert Path(args.plot) == EXAMPLES.parent / "out" / "mlp_loss.png"
    target = tmp_path / "new" / "dir" / "loss.png"
    written = _common.save_loss_plot([1.0, 0.5], str(target), "t")
    assert written is None or target.exists()
    assert not (tmp_path / "mlp_loss.png").exists()
