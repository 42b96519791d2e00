"""Running Graphviz's `dot` with bounded time, and never leaving it behind.

    >>> svg = run_dot(graph.source, "svg", timeout=30)      # bytes

Every picture this package renders (`draw_graph` through `save`/`render_svg`, a Value's
inline display in Jupyter, the step frames, the command line) goes through `run_dot`.
It starts `dot` itself, in a process group of its own, and feeds it the DOT source on
stdin. When the layout takes longer than `timeout` seconds, `dot` is killed (its whole
process group) and `GraphvizTimeout` says which limit was reached and how to raise it;
when the caller is interrupted (Ctrl-C, KeyboardInterrupt) or anything else goes wrong
while waiting, `dot` is killed the same way before the exception goes on. So no `dot`
process outlives the call that started it.

Why it is needed: dot's layout time grows much faster than the graph. A sum of 80 terms
of the same variable has only 80 operations, but each of the 80 edges from the variable
runs across up to 160 ranks, and dot (2.43) spends minutes placing them.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import signal
import subprocess
from typing import Any

__all__ = ["run_dot", "GraphvizTimeout", "GraphvizError", "GraphvizNotFound", "INSTALL_HINT",
           "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 30.0   # seconds one `dot` run may take
_FORMAT = re.compile(r"^[A-Za-z0-9_:]+$")

INSTALL_HINT = ("Graphviz's 'dot' program is needed to render diagrams and was not found on "
                "PATH. Install it: Debian and Ubuntu: apt-get install graphviz; macOS: brew "
                "install graphviz; conda: conda install -c conda-forge graphviz; Windows: "
                "https://graphviz.org/download/. Writing the DOT source (a .gv file) works "
                "without it.")


class GraphvizNotFound(RuntimeError):
    """Graphviz's `dot` executable is missing; the message says how to install it."""


class GraphvizTimeout(RuntimeError):
    """`dot` ran longer than the time it was given and was stopped; the message names the
    limit and how to raise it. `limit` is that limit in seconds."""

    def __init__(self, message: str, limit: float) -> None:
        super().__init__(message)
        self.limit = limit


class GraphvizError(RuntimeError):
    """`dot` ran and failed (bad DOT source, an unknown output format, ...); the message
    carries what dot wrote on stderr."""


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group `proc` leads (dot and anything it started), then reap."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows has no process groups of this kind
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass                        # already gone
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
    proc.wait()


def run_dot(source: str, fmt: str, *, timeout: float | None = DEFAULT_TIMEOUT,
            engine: str = "dot", what: str = "timeout") -> bytes:
    """Lay out the DOT `source` with Graphviz's `engine` (dot) and return the `fmt` output
    (svg, png, pdf, ...) as bytes.

    timeout: seconds the layout may take (None or inf: no limit). Beyond it dot is killed
             with its process group and `GraphvizTimeout` is raised; its message names
             the limit as `what` (the caller's name for it, e.g. "timeout" or "--timeout").
    engine:  the Graphviz program to run (dot; neato, fdp, ... lay out differently).
    Raises `GraphvizNotFound` (with install advice) when the program is missing and
    `GraphvizError` when it fails. On KeyboardInterrupt (or any exception while waiting)
    dot is killed before the exception propagates.
    """
    if not isinstance(fmt, str) or not _FORMAT.match(fmt):
        raise ValueError(f"run_dot: the output format must be a name like 'svg' or 'png', "
                         f"got {fmt!r}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"run_dot: {what} must be a positive number of seconds, got "
                         f"{timeout!r}")
    if timeout is not None and math.isinf(timeout):
        timeout = None                       # no limit
    exe = shutil.which(engine)
    if exe is None:
        raise GraphvizNotFound(INSTALL_HINT)
    kwargs: dict[str, Any] = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True     # its own process group: killpg reaches it all
    try:
        proc = subprocess.Popen([exe, f"-T{fmt}"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    except FileNotFoundError:
        raise GraphvizNotFound(INSTALL_HINT) from None
    try:
        out, err = proc.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise GraphvizTimeout(
            f"Graphviz's {engine} did not finish laying out the drawing within {what}="
            f"{timeout:g} seconds and was stopped; draw a smaller part of the graph, or give "
            f"it more time with a larger {what}", float(timeout or 0)) from None
    except BaseException:
        _kill_group(proc)        # KeyboardInterrupt, SystemExit, a broken pipe, ...
        raise
    if proc.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        detail = "; ".join(message[:3]) or f"exit status {proc.returncode}"
        raise GraphvizError(f"Graphviz's {engine} failed on -T{fmt}: {detail}")
    return out
