"""What every test shares: hypothesis judges the code, not how busy the machine is.

Property tests never fail for being slow (CI machines are shared and noisy). Under CI
(``HAILONG_HYPOTHESIS=ci``, set by ``.ci/run``) each property test runs its examples from a
fixed seed, so a run can be repeated exactly; elsewhere every run explores new examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("hailong", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("hailong"), derandomize=True)
settings.load_profile(os.environ.get("HAILONG_HYPOTHESIS", "hailong"))
