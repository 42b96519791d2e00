"""autograd/_malloc.py: glibc's trim/mmap thresholds are raised at import, unless the user
says CHALKGRAD_MALLOC=0; elsewhere (no glibc) importing autograd still works."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = "import autograd._malloc as m; print(m.TUNED)"


def run(env_value: str | None) -> str:
    env = dict(os.environ)
    env.pop("CHALKGRAD_MALLOC", None)
    if env_value is not None:
        env["CHALKGRAD_MALLOC"] = env_value
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_thresholds_are_raised_on_glibc_and_the_user_can_opt_out():
    import ctypes
    try:
        getattr(ctypes.CDLL("libc.so.6"), "mallopt")  # noqa: B009
    except (OSError, AttributeError):
        pytest.skip("not glibc")
    assert run(None) == "True"
    assert run("0") == "False"


def test_tune_malloc_is_harmless_to_call_again():
    from autograd import _malloc
    assert _malloc.tune_malloc() in (True, False)
