"""The command line: `python -m autograd draw FORMULA --at NAME=VALUE ... -o FILE`.

Builds the `Value` graph of a formula, backpropagates, prints the chain-rule table and
writes the diagram (and, with --steps, a frame per backward step plus a page to click
through them). Exit status: 0 ok, 1 the work failed (Graphviz missing, graph too big,
cannot write), 2 a usage or formula error.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import sys
import textwrap
from typing import Any, Sequence

from .. import __version__
from ..diagrams import (
    GraphvizNotFound,
    backward_steps,
    chain_rule_table,
    draw_graph,
    format_chain_rule_table,
    save,
    write_steps,
)
from ..diagrams.drawing import MAX_SEGMENTS
from ..diagrams.options import NOTEBOOK, SLIDE
from ..diagrams.render import DEFAULT_TIMEOUT, GraphvizError, GraphvizTimeout
from ..diagrams.steps import MAX_FRAMES
from ..value import Value
from .formula import FUNCTIONS, FormulaError, build

_EXAMPLES = """\
examples:
  # the lecture's sigmoid circuit: diagram + chain-rule table
  python -m autograd draw "1/(1+exp(-(w0*x0+w1*x1+w2)))" \\
      --at w0=2 x0=-1 w1=-3 x1=-2 w2=-3 -o sigmoid.svg

  # the same, output named y, plus one frame per backward step and a page to step
  # through them; numbers with 2 decimals, as the slides write them
  python -m autograd draw "y = 1/(1+exp(-(w0*x0+w1*x1+w2)))" \\
      --at w0=2 x0=-1 w1=-3 x1=-2 w2=-3 -o out/sigmoid.svg --steps out/steps --decimals 2
  # then open out/steps/index.html in a browser (arrow keys, + and - to zoom, drag to pan)

  # a formula may start with '-'; a 16:9 slide, left to right, no legend
  python -m autograd draw "-log(p)" --at p=0.25 -o nll.svg --size slide --rankdir LR --no-legend

  # DOT source only (no Graphviz needed); rename a node of the table and the diagram
  python -m autograd draw "a*b + c" --at a=2 b=-3 c=10 -o graph.gv --name n1=e

formulas: numbers, names, + - * / **, unary minus, parentheses and the functions
{functions}.
Nothing else is accepted (the formula is parsed, never evaluated by Python). A formula
may start with '-', and "y = ..." names its output.

output: the file's extension picks the format: .svg .png .pdf (need Graphviz's dot)
or .gv/.dot (the DOT source).
exit status: 0 ok, 1 the work failed (e.g. Graphviz missing), 2 usage or formula error.
"""
EXAMPLES = _EXAMPLES.replace("{functions}", textwrap.fill(", ".join(FUNCTIONS), 88))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m autograd",
        description="chalkgrad tools: draw the computation graph of a formula and show "
                    "backpropagation on it.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"chalkgrad {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    d = sub.add_parser(
        "draw", help="draw a formula's graph, backpropagate, print the chain-rule table",
        description="Build the graph of FORMULA at the given values, backpropagate from "
                    "its output, print the chain-rule table and write the diagram.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("formula", help='e.g. "1/(1+exp(-(w0*x0+w1*x1+w2)))" (quote it)')
    d.add_argument("--at", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                   help="a value for each variable of the formula, e.g. --at w0=2 x0=-1")
    d.add_argument("-o", "--output", metavar="FILE",
                   help="diagram file: .svg, .png, .pdf (Graphviz) or .gv (DOT source)")
    d.add_argument("--steps", metavar="DIR",
                   help="also write one SVG frame per backward step and DIR/index.html")
    d.add_argument("--digits", type=int, default=None,
                   help="significant digits in the diagram (default 4)")
    d.add_argument("--decimals", type=int, default=None,
                   help="decimals in the diagram instead of significant digits (0.73, -0.53)")
    d.add_argument("--table-digits", type=int, default=2,
                   help="decimals in the chain-rule table and the step frames (default 2)")
    d.add_argument("--rankdir", choices=["auto", "LR", "TB", "RL", "BT"], default="auto",
                   help="layout direction (default auto: top-to-bottom when the graph is "
                        "deeper than wide)")
    d.add_argument("--size", default=None, metavar="notebook|slide|none|W,H",
                   help="shrink the diagram to fit: notebook (1200 px wide, the default), "
                        "slide (16:9, 1280 x 720 px), none, or W,H in inches; the step "
                        "frames keep their natural size (the page zooms) unless given")
    d.add_argument("--no-legend", action="store_true", help="leave out the colour legend")
    d.add_argument("--name", nargs="+", action="extend", default=[], metavar="OLD=NEW",
                   help="rename nodes of the table and the diagram, e.g. --name sum=x1 "
                        "(a formula 'y = ...' names its output y)")
    d.add_argument("--max-nodes", type=int, default=500,
                   help="refuse graphs with more nodes than this (default 500)")
    d.add_argument("--max-segments", type=int, default=MAX_SEGMENTS,
                   help="refuse drawings whose long edges need more segments than this "
                        f"(Graphviz would take minutes; default {MAX_SEGMENTS})")
    d.add_argument("--max-frames", type=int, default=MAX_FRAMES,
                   help=f"refuse --steps for more frames than this (default {MAX_FRAMES})")
    d.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="stop Graphviz after this many seconds for the diagram, and as many "
                        f"for all the step frames together (default {DEFAULT_TIMEOUT:g})")
    return p


def _values(items: Sequence[str], parser: argparse.ArgumentParser) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in items:
        name, eq, text = item.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier():
            parser.error(f"--at: expected NAME=VALUE (like w0=2), got {item!r}")
        try:
            value = float(text)
        except ValueError:
            parser.error(f"--at: {name}: {text!r} is not a number")
        if not math.isfinite(value):
            parser.error(f"--at: {name}: the value must be a finite number, got {text!r}")
        if name in values:
            parser.error(f"--at: {name} is given twice")
        values[name] = value
    return values


def _draw(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:

    for n, what in ((args.digits, "--digits"), (args.table_digits, "--table-digits")):
        if n is not None and not 1 <= n <= 15:
            parser.error(f"{what} must be between 1 and 15, got {n}")
    for n, what, least in ((args.max_nodes, "--max-nodes", 1),
                           (args.max_segments, "--max-segments", 0),
                           (args.max_frames, "--max-frames", 1)):
        if n < least:
            parser.error(f"{what} must be at least {least}, got {n}")
    if not args.timeout > 0:              # also refuses nan; inf means no limit
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout}")
    if args.decimals is not None and not 0 <= args.decimals <= 15:
        parser.error(f"--decimals must be between 0 and 15, got {args.decimals}")
    if args.digits is not None and args.decimals is not None:
        parser.error("--digits and --decimals exclude each other (significant digits or "
                     "decimals)")
    size = _size(args.size or "notebook", parser)
    frame_size = None if args.size is None else size
    renames = _renames(args.name, parser)
    formula, out_name = _split_name(args.formula)
    if args.output:
        ext = os.path.splitext(args.output)[1].lower()
        if ext not in (".svg", ".png", ".pdf", ".gv", ".dot"):
            parser.error(f"-o: cannot tell the format from {args.output!r}; use a name ending "
                         "in .svg, .png, .pdf, .gv or .dot")
    values = _values(args.at, parser)
    try:
        out, _ = build(formula, values)
    except FormulaError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not isinstance(out, Value):
        print(f"error: the formula has no variables (it is the constant {out!r}); there is "
              "nothing to differentiate", file=sys.stderr)
        return 2
    # The gradients, once: the reference loop's steps feed the table, the diagram and
    # the step frames.
    if not out.label:          # the output's name: "y = ..." gives it; else y (or out)
        out.label = out_name or ("y" if "y" not in values else "out")
    try:
        steps = backward_steps(out)
    except _BUGS:
        raise
    except _INPUT_ERRORS as e:      # a derivative that does not exist at these values
        at = ", ".join(f"{k}={v:g}" for k, v in values.items())
        print(f"error: {_one_line(e)} (backpropagating through {formula.strip()} at {at})",
              file=sys.stderr)
        return 2
    edges = [p for step in steps for p in step.products]
    grads: dict[Any, float] = {out: 1.0, **{p.input: p.total for p in edges}}
    digits = 4 if args.digits is None else args.digits
    print(f"{args.formula.strip()} = {out.data:.{digits}g}\n" if not out_name else
          f"{args.formula.strip()}\n{out_name} = {out.data:.{digits}g}\n")
    try:
        rows = chain_rule_table(out, edges, rename=renames)
    except ValueError as e:
        print(f"error: --name: {e}", file=sys.stderr)
        return 2
    partial = "\u2202" if _can_print("\u2202\u2248") else "d"
    table = format_chain_rule_table(rows, digits=args.table_digits, partial=partial)
    print(table if partial != "d" else table.replace("\u2248", "~"))
    names = {r.node: r.name for r in rows}        # the diagram's boxes say the table's names
    legend = False if args.no_legend else None
    try:
        if args.output:
            graph = draw_graph(out, rankdir=args.rankdir, digits=args.digits,
                               decimals=args.decimals, legend=legend,
                               max_nodes=args.max_nodes, grads=grads, names=names, size=size,
                               max_segments=args.max_segments)
            os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
            save(graph, args.output, timeout=args.timeout)
            print(f"\nwrote {args.output}")
        if args.steps:
            paths = write_steps(out, args.steps, decimals=args.table_digits,
                                title=f"Backpropagation through {args.formula.strip()}",
                                steps=steps, rankdir=args.rankdir, legend=legend, names=names,
                                size=frame_size, max_frames=args.max_frames,
                                max_nodes=args.max_nodes, max_segments=args.max_segments,
                                timeout=args.timeout)
            print(f"wrote {len(paths) - 1} frames and {paths[-1]}")
    except (GraphvizNotFound, GraphvizTimeout, GraphvizError) as e:
        print(f"error: {_one_line(e)}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as e:
        print(f"error: {_one_line(e)}", file=sys.stderr)
        return 1
    return 0


# What the library raises for a formula it cannot compute or differentiate at the given
# values (the exponent's gradient at a negative base, a division by zero, an overflow,
# ...): one `error:` line, exit status 2. Anything else (AttributeError, NameError,
# NotImplementedError, RecursionError, ...) is a bug, and goes on as a traceback.
_INPUT_ERRORS = (ValueError, TypeError, ArithmeticError, RuntimeError)
_BUGS = (NotImplementedError, RecursionError)


_FLAGS = {"max_nodes": "--max-nodes", "max_segments": "--max-segments",
          "max_frames": "--max-frames", "timeout": "--timeout"}


def _one_line(e: BaseException) -> str:
    """An exception's message on one line (its own lines joined by '; '); a limit named as
    the library's argument (max_segments=...) gets the command line's flag added."""
    text = "; ".join(line.strip() for line in str(e).splitlines() if line.strip())
    flags = [flag for name, flag in _FLAGS.items() if f"{name}=" in text]
    if flags:
        text += f" (here: {', '.join(flags)})"
    return text or type(e).__name__


def _size(text: str, parser: argparse.ArgumentParser) -> Any:
    """--size: notebook, slide, none, or W,H in inches -> draw_graph's size argument."""
    key = text.strip().lower()
    if key == "notebook":
        return NOTEBOOK
    if key == "slide":
        return SLIDE
    if key == "none":
        return None
    try:
        w, h = (float(v) for v in key.split(","))
    except ValueError:
        parser.error(f"--size: expected notebook, slide, none or W,H in inches (like 10,6), "
                     f"got {text!r}")
    if not (math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0):
        parser.error(f"--size: width and height must be positive, got {text!r}")
    return (w, h)


def _renames(items: Sequence[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        old, eq, new = item.partition("=")
        if not eq or not old.strip() or not new.strip():
            parser.error(f"--name: expected OLD=NEW (like sum=x1), got {item!r}")
        out[old.strip()] = new.strip()
    return out


_OUTPUT_NAME = re.compile(r"^\s*([A-Za-z][A-Za-z_0-9]*)\s*=(?!=)(.*)$", re.S)


def _split_name(formula: str) -> tuple[str, str]:
    """'y = 1/(1+exp(-x))' -> ('1/(1+exp(-x))', 'y'); a formula without a name -> (it, '')."""
    m = _OUTPUT_NAME.match(formula)
    if m is None:
        return formula, ""
    return m.group(2), m.group(1)


def _can_print(text: str) -> bool:
    """Whether stdout can encode `text` (the table's ∂ and ≈; ASCII terminals get d, ~)."""
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


_OPTION = re.compile(r"^--?[A-Za-z][A-Za-z0-9-]*(=.*)?$")


def _protect_formula(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """A formula may start with '-' ("-log(p)", "-x*y"): argparse would take it for an
    option, so a leading space is added to the first argument of `draw` that is not one
    of draw's options (the space is stripped again: formulas ignore spaces)."""
    if "draw" not in argv:
        return argv
    at = argv.index("draw")
    known: set[str] = set()
    for action in parser._subparsers._group_actions[0].choices["draw"]._actions:  # type: ignore
        known.update(action.option_strings)
    out = list(argv)
    for k in range(at + 1, len(out)):
        a = out[k]
        if re.fullmatch(r"-\d+(\.\d*)?([eE][-+]?\d+)?", a):
            continue                        # a negative number: an option's value
        if not a.startswith("-") or a == "--":
            if a == "--":
                break
            continue
        name = a.split("=", 1)[0]
        is_option = _OPTION.match(a) is not None and (
            name in known or any(o.startswith(name) and name.startswith("--") for o in known))
        if not is_option:
            out[k] = " " + a
            break
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(_protect_formula(list(sys.argv[1:] if argv is None else argv),
                                              parser))
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _draw(args, parser)
    except KeyboardInterrupt:            # Ctrl-C: Graphviz was already stopped (run_dot)
        print("error: interrupted", file=sys.stderr)
        return 130
    except _BUGS:
        raise
    except _INPUT_ERRORS as e:
        if isinstance(e, FormulaError):
            print(f"error: {e}", file=sys.stderr)      # with its caret under the problem
        else:
            print(f"error: {_one_line(e)}", file=sys.stderr)
        return 2
