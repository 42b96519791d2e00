"""The diagrams' defaults, in one place: `draw_graph`, a Value's or Tensor's inline display
in Jupyter, the step frames and the command line all read them.

    >>> import autograd.diagrams as D
    >>> D.options(rankdir="TB", digits=2)        # from now on
    >>> with D.options(legend=False):            # only inside the block
    ...     g = D.draw_graph(y)

rankdir  "auto" (the default) picks top-to-bottom when the graph is deeper than it is
         wide and left-to-right otherwise (whichever needs less shrinking to fit `size`);
         or "LR", "TB", "RL", "BT".
legend   "auto" (a one-line colour key, drawn when the graph has two or more kinds of
         box to tell apart), True or False.
digits   significant digits of the numbers in the boxes (4).
decimals decimals instead of significant digits (None: use digits); the slides write
         0.73, -0.53, which is decimals=2.
size     (width, height) in inches that Graphviz shrinks a bigger drawing into, keeping
         its proportions (Graphviz's `size` attribute; 1 inch = 96 CSS px); height None:
         any height. The default (12.5, None), at most 1200 px wide, fits a notebook page
         of 1400 px at full size (node text 14.7 px); SLIDE = (13.3, 7.5) fits a 16:9
         slide of 1280 x 720 px: `options(size=SLIDE)`. None: natural size.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Callable

from .numbers import fixed, format_number

__all__ = ["Options", "options", "current", "SLIDE", "NOTEBOOK"]

RANKDIRS = ("auto", "LR", "RL", "TB", "BT")
SLIDE = (13.3, 7.5)             # 16:9, 1280 x 720 px
NOTEBOOK = (12.5, None)         # 1200 px wide, any height


@dataclass(frozen=True)
class Options:
    """One set of diagram defaults (see the module docstring for each field)."""
    rankdir: str = "auto"
    legend: bool | str = "auto"
    digits: int = 4
    decimals: int | None = None
    size: tuple[float, float | None] | None = NOTEBOOK

    def __post_init__(self) -> None:
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"diagram options: rankdir must be one of {', '.join(RANKDIRS)}, "
                             f"got {self.rankdir!r}")
        if self.legend not in (True, False, "auto"):
            raise ValueError(f"diagram options: legend must be True, False or 'auto', got "
                             f"{self.legend!r}")
        if isinstance(self.digits, bool) or not isinstance(self.digits, int) or \
                not 1 <= self.digits <= 17:
            raise ValueError(f"diagram options: digits must be an int from 1 to 17, got "
                             f"{self.digits!r}")
        if self.decimals is not None and (isinstance(self.decimals, bool) or not isinstance(
                self.decimals, int) or not 0 <= self.decimals <= 15):
            raise ValueError(f"diagram options: decimals must be None or an int from 0 to 15, "
                             f"got {self.decimals!r}")
        if self.size is not None:
            ok = (isinstance(self.size, tuple) and len(self.size) == 2 and
                  all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
                      for v in (self.size[0], 1 if self.size[1] is None else self.size[1])))
            if not ok:
                raise ValueError(f"diagram options: size must be None or (width, height) in "
                                 f"inches, both > 0, got {self.size!r}")

    def formatter(self) -> Callable[[float], str]:
        """float -> text: `decimals` decimals when set, else `digits` significant digits."""
        decimals, digits = self.decimals, self.digits
        if decimals is not None:
            return lambda x: fixed(x, decimals)
        return lambda x: format_number(x, digits)

    def size_attr(self) -> str | None:
        """The Graphviz `size` attribute ("13.3,7.5"; no height limit: 1000 in), or None."""
        if self.size is None:
            return None
        width, height = self.size
        return f"{width:g},{1000 if height is None else height:g}"


_current = Options()


def current() -> Options:
    """The defaults in force now."""
    return _current


class _Restore:
    """What `options(...)` returns: the previous defaults, restored by `with ... :`."""

    def __init__(self, previous: Options) -> None:
        self.previous = previous

    def __enter__(self) -> Options:
        return _current

    def __exit__(self, *exc: Any) -> None:
        global _current
        _current = self.previous

    def __repr__(self) -> str:
        return f"diagram options: {asdict(_current)}"


def options(**changes: Any) -> _Restore:
    """Change the diagram defaults (rankdir, legend, digits, decimals, size); returns an
    object that restores the previous ones when used as `with options(...):`. With no
    arguments it changes nothing (its repr shows the defaults). Unknown names are a
    TypeError, bad values a ValueError."""
    global _current
    known = {f.name for f in fields(Options)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise TypeError(f"options: unknown option(s) {', '.join(unknown)}; the options are "
                        f"{', '.join(sorted(known))}")
    if "size" in changes and isinstance(changes["size"], list):
        changes["size"] = tuple(changes["size"])
    previous = _current
    _current = replace(_current, **changes)
    return _Restore(previous)
