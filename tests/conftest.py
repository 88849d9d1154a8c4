"""Hypothesis profiles, and the `libreoffice` marker's skip when LibreOffice is not installed.

The markers are registered in pyproject.toml (with ``--strict-markers``): ``libreoffice`` for a
test that opens a workbook in LibreOffice, ``slow`` for one that takes seconds (real processes,
fuzzing, many hypothesis examples); `make test-fast` leaves both out.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.support.office import SOFFICE

settings.register_profile(
    "default", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

NO_SOFFICE = pytest.mark.skip(
    reason="LibreOffice (soffice) is not installed; `make system-deps` installs it as root"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every `libreoffice` test, saying why, where soffice is missing (a test never fails for it)."""
    if SOFFICE is None:
        for item in items:
            if item.get_closest_marker("libreoffice"):
                item.add_marker(NO_SOFFICE)
