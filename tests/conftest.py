"""Root of the test tree.

The Django fixtures (``tests/django_fixtures.py``: the owner, reviewer and outsider of
every permission test) load only when pytest-django runs, so that the pure packages'
tests (``tests/matching``, ``tests/mxnames``) also run without Django:
``pytest tests/matching tests/mxnames -p no:django``.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.has_plugin("django"):
        config.pluginmanager.import_plugin("tests.django_fixtures")
        config.pluginmanager.import_plugin("tests.browser.harness")
