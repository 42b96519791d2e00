"""How diagrams and tables write numbers: significant digits (`format_number`, the
diagrams' default) or decimals as the slides write them (`fixed`: 0.73, -0.53)."""
from __future__ import annotations

__all__ = ["format_number", "fixed"]


def format_number(x: float, digits: int = 4) -> str:
    """`x` to `digits` significant digits, trailing zeros kept (-0.1966, 1.000, 2.500e-05)."""
    x = float(x) + 0.0          # -0.0 prints as 0.000
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    s = format(x, f"#.{max(1, int(digits))}g")
    return s[:-1] if s.endswith(".") else s


def fixed(x: float, decimals: int = 2) -> str:
    """`x` with `decimals` decimals, as the slides write numbers (0.73, -0.53); values too
    small or too large for that fall back to significant digits."""
    x = float(x)
    if x != 0 and (abs(x) < 0.5 * 10 ** -decimals or abs(x) >= 1e6) and x == x:
        return format_number(x, decimals + 1)
    if x != x or x in (float("inf"), float("-inf")):
        return format_number(x)
    s = f"{x:.{decimals}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s   # no "-0.00"
