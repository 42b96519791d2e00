"""Graphviz gets bounded work and time: budgets refuse drawings dot would need minutes for
(before it runs), `dot` runs with a timeout in its own process group, and it is killed
with that group on a timeout or an interrupt, from the library and from the command line.
Also: the backward steps of a long chain take memory and time in proportion to it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import tracemalloc

import numpy as np
import pytest

import autograd
import nn
from autograd import Value
from autograd.cli import main
from autograd.cli.formula import build
from autograd.diagrams import (
    GraphvizNotFound,
    backward_steps,
    draw_graph,
    module_clusters,
    render_svg,
    repr_svg,
    save,
    sigmoid_circuit,
)
from autograd.diagrams import render as render_module
from autograd.diagrams.drawing import MAX_SEGMENTS, long_edge_segments
from autograd.diagrams.render import GraphvizError, GraphvizTimeout, run_dot
from autograd.diagrams.steps import MAX_FRAMES, frame_graphs, render_frames, write_steps

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (apt-get install graphviz)")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def repeated_sum(n: int) -> Value:
    """x + x + ... + x (n terms): n - 1 additions all using x, the layout dot is slow on."""
    out, _ = build("+".join(["x"] * n), {"x": 1.0})
    assert isinstance(out, Value)
    return out


def slow_source() -> str:
    """DOT source dot needs far more than a second for (80 uses of x along a chain)."""
    return draw_graph(repeated_sum(80), max_segments=10**6).source


# ---------------------------------------------------------------- /proc helpers
def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgid) of a process, None when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    rest = text[text.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), int(rest[2])


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def alive_in_group(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group `pgid`."""
    out = []
    for pid in _pids():
        st = _stat(pid)
        if st is not None and st[2] == pgid and st[0] != "Z":
            out.append(pid)
    return out


def dot_children(ppid: int) -> list[int]:
    out = []
    for pid in _pids():
        st = _stat(pid)
        if st is not None and st[1] == ppid and _comm(pid) == "dot":
            out.append(pid)
    return out


def gone(pid: int) -> bool:
    st = _stat(pid)
    return st is None or st[0] == "Z"


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")


@pytest.fixture
def started(monkeypatch):
    """The dot processes run_dot starts during the test (their pids = their groups)."""
    pids: list[int] = []
    real = subprocess.Popen

    def recording(*args, **kwargs):
        proc = real(*args, **kwargs)
        pids.append(proc.pid)
        return proc

    monkeypatch.setattr(render_module.subprocess, "Popen", recording)
    return pids


# ---------------------------------------------------------------- run_dot
@needs_dot
def test_run_dot_renders_and_reaps(started):
    out, _ = sigmoid_circuit()
    svg = run_dot(draw_graph(out).source, "svg")
    assert svg.lstrip().startswith(b"<?xml") and b"</svg>" in svg
    assert render_svg(draw_graph(out)).count("<svg") == 1
    assert len(started) == 2 and all(gone(p) for p in started)


@needs_dot
@needs_proc
def test_a_timeout_kills_dot_and_its_group(started, tmp_path):
    t0 = time.monotonic()
    with pytest.raises(GraphvizTimeout, match=r"timeout=0.5 seconds.*larger timeout") as e:
        run_dot(slow_source(), "svg", timeout=0.5)
    assert time.monotonic() - t0 < 5
    assert e.value.limit == 0.5 and isinstance(e.value, RuntimeError)
    (pid,) = started
    assert gone(pid) and alive_in_group(pid) == []
    # the same through save() and render_svg(), which pass their timeout on
    graph = draw_graph(repeated_sum(80), max_segments=10**6)
    with pytest.raises(GraphvizTimeout):
        render_svg(graph, timeout=0.3)
    with pytest.raises(GraphvizTimeout):
        save(graph, tmp_path / "g.svg", timeout=0.3)
    assert not (tmp_path / "g.svg").exists()
    assert all(gone(p) and alive_in_group(p) == [] for p in started)


@needs_dot
@needs_proc
def test_an_interrupt_kills_dot(started):
    """Ctrl-C while dot works: KeyboardInterrupt reaches the caller, dot is gone."""
    source = slow_source()
    me = os.getpid()

    def interrupt_when_dot_runs() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if started and _stat(started[0]) is not None:
                time.sleep(0.2)                    # let it get going
                os.kill(me, signal.SIGINT)
                return
            time.sleep(0.02)

    thread = threading.Thread(target=interrupt_when_dot_runs, daemon=True)
    thread.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_dot(source, "svg", timeout=60)
    thread.join()
    assert time.monotonic() - t0 < 10
    (pid,) = started
    assert gone(pid) and alive_in_group(pid) == []


def test_without_dot_the_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        run_dot("digraph { a -> b }", "svg")


@needs_dot
def test_dot_failures_and_bad_arguments_are_clear():
    with pytest.raises(GraphvizError, match="dot failed on -Tsvg"):
        run_dot("digraph { a -> ", "svg")
    with pytest.raises(ValueError, match="output format"):
        run_dot("digraph {}", "svg; rm -rf /")
    with pytest.raises(ValueError, match="timeout must be a positive"):
        run_dot("digraph {}", "svg", timeout=0)


@needs_dot
def test_notebook_display_falls_back_to_text_on_a_timeout():
    # a graph inside the budgets that dot still cannot finish in the time given
    y = repeated_sum(30)
    assert repr_svg(y, timeout=1e-3) is None
    assert repr_svg(Value(2.0) * 3.0) is not None


@needs_dot
@needs_proc
def test_a_drawing_shown_in_a_notebook_is_bounded_too(started):
    """Jupyter displays draw_graph's result through run_dot, not graphviz's own pipe."""
    g = draw_graph(repeated_sum(80), max_segments=10**6)
    g.display_timeout = 0.3
    with pytest.raises(GraphvizTimeout, match="timeout=0.3"):
        g._repr_mimebundle_()
    assert len(started) == 1 and gone(started[0]) and alive_in_group(started[0]) == []
    out, _ = sigmoid_circuit()
    shown = draw_graph(out)._repr_mimebundle_()
    assert "<svg" in shown["image/svg+xml"] and len(started) == 2


# ---------------------------------------------------------------- budgets
def test_the_80_term_sum_is_refused_before_dot_runs(monkeypatch):
    def no_dot(*a, **k):
        raise AssertionError("dot must not run")
    monkeypatch.setattr(render_module.subprocess, "Popen", no_dot)
    y = repeated_sum(80)
    t0 = time.monotonic()
    with pytest.raises(ValueError, match=r"6162 extra segments.*max_segments=1000.*"
                                         r"max_segments=N \(N >= 6162\)"):
        draw_graph(y)
    assert time.monotonic() - t0 < 0.5
    assert "digraph" in draw_graph(y, max_segments=6162).source        # raised: drawn


def test_long_edge_segments():
    assert long_edge_segments([]) == 0
    assert long_edge_segments([("a", "b"), ("b", "c"), ("c", "d")]) == 0   # a chain
    # a -> b -> c -> d plus a -> d: a skips two ranks
    assert long_edge_segments([("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")]) == 2
    # a source goes next to its first consumer: k joins d directly, no extra segment
    assert long_edge_segments([("a", "b"), ("b", "c"), ("c", "d"), ("k", "d")]) == 0
    # 20, 40, 80 uses of x: grows with the square of the chain
    counts = [long_edge_segments(_edges(draw_graph(repeated_sum(n), max_segments=10**6)))
              for n in (20, 40, 80)]
    assert counts[0] < counts[1] < counts[2] and counts[2] > 3 * counts[1]


def _edges(graph) -> list[tuple[str, str]]:
    import re
    return re.findall(r"^\s*(\w+) -> (\w+)", graph.source, re.M)


def _micrograd_mlp() -> Value:
    """The lecture's MLP(3, [4, 4, 1]) on one sample, as Values."""
    rng = np.random.default_rng(0)

    def neuron(xs: list, n_in: int) -> Value:
        w = [Value(float(rng.uniform(-1, 1))) for _ in range(n_in)]
        act = sum((wi * xi for wi, xi in zip(w, xs)), Value(0.0))
        return act.tanh()

    xs = [Value(v) for v in (2.0, 3.0, -1.0)]
    h = [neuron(xs, 3) for _ in range(4)]
    h2 = [neuron(h, 4) for _ in range(4)]
    return neuron(h2, 4)


def test_the_lecture_graphs_stay_well_inside_the_budgets():
    out, _ = sigmoid_circuit()
    net = nn.Sequential(nn.Linear(1, 6), nn.Tanh(), nn.Linear(6, 10), nn.Tanh(),
                        nn.Linear(10, 6), nn.Tanh(), nn.Linear(6, 1))
    x, y = autograd.randn(16, 1), autograd.randn(16, 1)
    loss = ((net(x) - y) ** 2).mean()
    graphs = [draw_graph(out), draw_graph(_micrograd_mlp()),
              draw_graph(loss, params=net, clusters=module_clusters(net))]
    for g in graphs:
        assert long_edge_segments(_edges(g)) <= MAX_SEGMENTS // 10
        assert len(_edges(g)) < 250
    assert len(backward_steps(out)) + 1 <= MAX_FRAMES // 4


def test_step_frames_are_capped():
    y = repeated_sum(61)                     # 60 additions: 60 steps, 61 frames
    t0 = time.monotonic()
    with pytest.raises(ValueError, match=r"60 backward steps, so 61 frames, more than "
                                         r"max_frames=60.*max_frames=N \(N >= 61\)"):
        frame_graphs(y)
    with pytest.raises(ValueError, match="max_frames=60"):
        write_steps(y, os.devnull)
    assert time.monotonic() - t0 < 1
    small = repeated_sum(4)
    assert len(frame_graphs(small, max_frames=4)) == 4
    with pytest.raises(ValueError, match="max_frames=3"):
        frame_graphs(small, max_frames=3)
    # each frame has the drawing's budgets too
    with pytest.raises(ValueError, match="max_segments=10"):
        frame_graphs(repeated_sum(20), max_segments=10)


@needs_dot
@needs_proc
def test_all_frames_share_one_time_budget(started, tmp_path):
    frames = frame_graphs(repeated_sum(30), max_frames=100)     # 30 layouts of ~0.5 s each
    t0 = time.monotonic()
    with pytest.raises(GraphvizTimeout, match=r"30 frames within timeout=1 seconds \("
                                              r"\d+ done\).*larger timeout"):
        render_frames(frames, timeout=1.0)
    assert time.monotonic() - t0 < 4
    assert all(gone(p) and alive_in_group(p) == [] for p in started)
    with pytest.raises(GraphvizTimeout, match="timeout=0.5"):
        write_steps(repeated_sum(30), tmp_path / "steps", timeout=0.5)


# ---------------------------------------------------------------- the command line
def test_cli_limits_are_flags(capsys, tmp_path):
    f80 = "+".join(["x"] * 80)
    t0 = time.monotonic()
    code = main(["draw", f80, "--at", "x=1", "-o", str(tmp_path / "g.svg")])
    err = capsys.readouterr().err
    assert code == 1 and time.monotonic() - t0 < 5
    assert err.startswith("error: draw_graph:") and "(here: --max-segments)" in err
    assert err.count("\n") == 1
    code = main(["draw", "+".join(["x"] * 41), "--at", "x=1", "--steps", str(tmp_path / "s"),
                 "--max-segments", "100000", "--max-frames", "20"])
    err = capsys.readouterr().err
    assert code == 1 and "max_frames=20" in err and "--max-frames" in err
    for flag, value, words in [("--timeout", "0", "--timeout must be a positive"),
                               ("--timeout", "nan", "--timeout must be a positive"),
                               ("--max-frames", "0", "--max-frames must be at least 1"),
                               ("--max-segments", "-1", "--max-segments must be at least 0"),
                               ("--max-nodes", "0", "--max-nodes must be at least 1")]:
        with pytest.raises(SystemExit) as e:
            main(["draw", "x*2", "--at", "x=1", flag, value])
        assert e.value.code == 2 and words in capsys.readouterr().err


@needs_dot
def test_an_infinite_timeout_is_no_limit():
    assert b"</svg>" in run_dot("digraph { a -> b }", "svg", timeout=float("inf"))
    assert b"</svg>" in run_dot("digraph { a -> b }", "svg", timeout=None)


@needs_dot
def test_cli_timeout_flag(capsys, tmp_path):
    code = main(["draw", "+".join(["x"] * 80), "--at", "x=1", "-o", str(tmp_path / "g.svg"),
                 "--max-segments", "100000", "--timeout", "0.5"])
    err = capsys.readouterr().err
    assert code == 1 and "timeout=0.5 seconds" in err and "(here: --timeout)" in err
    assert not (tmp_path / "g.svg").exists()


@needs_dot
@needs_proc
def test_interrupting_the_command_line_leaves_no_dot(tmp_path):
    """The CLI in a subprocess on a drawing dot needs minutes for, budgets raised by its
    flags; once its dot runs, SIGINT: the CLI says so and exits, and dot is gone."""
    cmd = [sys.executable, "-m", "autograd", "draw", "+".join(["x"] * 80), "--at", "x=1",
           "-o", str(tmp_path / "g.svg"), "--max-segments", "100000", "--timeout", "300"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 30
        dots: list[int] = []
        while time.monotonic() < deadline and not dots and proc.poll() is None:
            dots = dot_children(proc.pid)
            time.sleep(0.05)
        assert dots, "the command line never started dot"
        (dot,) = dots
        dot_group = _stat(dot)[2]               # its own group, not the CLI's
        assert dot_group == dot != proc.pid
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == 130
        assert "error: interrupted" in err and "Traceback" not in err
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (gone(dot) and not alive_in_group(dot_group)):
            time.sleep(0.05)
        assert gone(dot) and alive_in_group(dot_group) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- backward steps
def test_steps_of_a_10000_node_chain_take_little_memory_and_time():
    x = Value(0.5, label="x")
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    tracemalloc.start()
    try:
        t0 = time.monotonic()
        steps = backward_steps(y)
        elapsed = time.monotonic() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(steps) == 10_000
    assert steps[-1].products[0].input is x
    assert steps[-1].products[0].total == pytest.approx(1.0001 ** 10_000)
    assert peak < 20 * 2**20, f"{peak / 2**20:.1f} MiB"        # well under 100 MB
    assert elapsed < 5
