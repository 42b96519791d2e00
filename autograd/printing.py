"""How a Tensor prints: PyTorch's layout, digit for digit.

    tensor([1.0000e-08, 1.0000e+00])         scientific when the magnitudes call for it
    tensor([ 1., -0.,  3.])                  whole numbers with a point (a float tensor)
    tensor([[0.1000, 0.2000], ...            wrapped at 80 columns, indented under the bracket

The rules, PyTorch's: one format for the whole tensor, chosen from its nonzero finite
values. If they are all whole numbers, they print as `3.` (scientific instead when the largest
is over 1e8 or more than 1000 times the smallest); otherwise with `precision` decimals
(scientific when the largest is over 1e8, more than 1000 times the smallest, or the smallest
is under 1e-4). Every element is right-aligned to the widest. A row wraps when it would pass
`linewidth`; a tensor of more than `threshold` elements shows `edgeitems` at each end of each
dimension around `...`. The suffixes (`dtype=`, `grad_fn=`, `requires_grad=True`) follow the
last line, on a new line when they would pass `linewidth`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr"]


@dataclass
class _Options:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES = {"default": _Options(), "short": _Options(precision=2, edgeitems=2),
             "full": _Options(threshold=math.inf)}
_options = _Options()


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """As `torch.set_printoptions`: `precision` (decimals, 4), `threshold` (elements beyond
    which a tensor is summarised, 1000), `edgeitems` (shown at each end when summarised, 3),
    `linewidth` (80), `profile` ("default", "short", "full") and `sci_mode` (True or False to
    force scientific notation on or off, None to choose)."""
    global _options
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, "
                             f"got {profile!r}")
        base = _PROFILES[profile]
        _options = _Options(base.precision, base.threshold, base.edgeitems, base.linewidth)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(_options, name, value)
    _options.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as a dict."""
    return dict(vars(_options))


class _Formatter:
    """One number format for a whole tensor (see the module docstring)."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind in "fc"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = values.reshape(-1)
        if not self.floating:
            self.width = max((len(self._plain(v)) for v in flat.tolist()), default=1)
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size:
            size = np.abs(finite)
            low, high = float(size.min()), float(size.max())
            self.int_mode = bool(np.all(finite == np.ceil(finite)))
            spread = high / low > 1000.0 or high > 1.0e8
            self.sci_mode = spread if self.int_mode else spread or low < 1.0e-4
            if _options.sci_mode is not None:
                self.sci_mode = _options.sci_mode
            p = _options.precision
            if self.sci_mode:
                texts = [f"{v:.{p}e}" for v in finite.tolist()]
            elif self.int_mode:
                texts = [f"{v:.0f}." for v in finite.tolist()]
            else:
                texts = [f"{v:.{p}f}" for v in finite.tolist()]
            self.width = max(len(t) for t in texts)
        if _options.sci_mode is not None:
            self.sci_mode = _options.sci_mode

    @staticmethod
    def _plain(v: Any) -> str:
        return str(v)

    def __call__(self, v: Any) -> str:
        if self.floating:
            p = _options.precision
            if self.sci_mode:
                text = f"{v:{self.width}.{p}e}"
            elif self.int_mode:
                text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
            else:
                text = f"{v:.{p}f}"
        else:
            text = self._plain(v)
        return text.rjust(self.width)


def _summarized(a: np.ndarray, edge: int) -> np.ndarray:
    """The elements a summarised tensor shows (the first and last `edge` of each dimension):
    the formatter is chosen from these alone, as PyTorch does."""
    for axis in range(a.ndim):
        if a.shape[axis] > 2 * edge:
            a = np.concatenate([a.take(range(edge), axis),
                                a.take(range(a.shape[axis] - edge, a.shape[axis]), axis)], axis)
    return a


def _body(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = _options.edgeitems
    if a.ndim == 0:
        return fmt(a.item())
    if a.ndim == 1:
        if summarize and a.shape[0] > 2 * edge:
            items = ([fmt(v) for v in a[:edge].tolist()] + [" ..."]
                     + [fmt(v) for v in a[-edge:].tolist()])
        else:
            items = [fmt(v) for v in a.tolist()]
        per_line = max(1, int((_options.linewidth - indent) // (fmt.width + 2)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and a.shape[0] > 2 * edge:
        parts = ([_body(a[i], indent + 1, summarize, fmt) for i in range(edge)] + ["..."]
                 + [_body(a[i], indent + 1, summarize, fmt)
                    for i in range(a.shape[0] - edge, a.shape[0])])
    else:
        parts = [_body(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_repr(a: np.ndarray, suffixes: list[str], prefix: str = "tensor(") -> str:
    """`prefix` + the values of `a` + the suffixes (`dtype=...`, `grad_fn=<...>`), laid out
    as PyTorch lays them out."""
    indent = len(prefix)
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            suffixes = [f"size={tuple(a.shape)}"] + suffixes
    else:
        summarize = a.size > _options.threshold
        shown = a.astype(np.float32) if a.dtype == np.float16 else a
        fmt = _Formatter(_summarized(shown, _options.edgeitems) if summarize else shown)
        body = _body(shown, indent, summarize, fmt)
    out = [prefix + body]
    last = len(out[0]) - out[0].rfind("\n") + 1          # (PyTorch counts one more)
    for suffix in suffixes:
        if last + len(suffix) + 2 > _options.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last += len(suffix) + 2
    return "".join(out) + ")"
