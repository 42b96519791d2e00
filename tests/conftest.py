"""Hypothesis profiles for the whole suite, chosen by the HYPOTHESIS_PROFILE variable.

    default    60 examples per property, no deadline (the everyday run: fast)
    thorough   2000 examples per property (before a release, or nightly in CI):
               HYPOTHESIS_PROFILE=thorough python -m pytest
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
