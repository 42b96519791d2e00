"""Benchmarks, side by side with the alternatives: each module has `run(quick) -> dict` and
`rows(result) -> list[str]` (its lines of the table in RESULTS.md); run.py runs them all."""


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"
