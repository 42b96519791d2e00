"""Keep freed array memory in the process between training steps (glibc only).

glibc hands memory back to the operating system as soon as 128 KiB lie free at the top
of the heap (M_TRIM_THRESHOLD), and serves every block above 128 KiB by mmap. A training
step frees its arrays at the end and allocates the same arrays again in the next step, so
with these defaults each step page-faults its memory back in from the kernel. On the
lecture's MLP (1,000 samples) that made a step 1.8x slower (692 us against 384 us, see
benchmarks/RESULTS.md). Raising both thresholds once, at import, lets the next step reuse
the blocks. The cost: up to 64 MiB of freed heap may stay with the process.

Set the environment variable CHALKGRAD_MALLOC=0 to leave malloc's settings alone.
"""
from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3      # glibc's mallopt parameter numbers


def tune_malloc() -> bool:
    """Raise glibc's trim and mmap thresholds; True if it was done."""
    if os.environ.get("CHALKGRAD_MALLOC", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):              # not glibc (musl, ...): nothing to do
        return False
    return bool(mallopt(_M_TRIM_THRESHOLD, 64 << 20) and mallopt(_M_MMAP_THRESHOLD, 4 << 20))


TUNED = tune_malloc()
