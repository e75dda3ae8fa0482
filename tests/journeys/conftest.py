"""The journeys in a real browser reuse the browser tests' harness (Debian's chromium)."""

from tests.browser.conftest import (  # noqa: F401 (fixtures)
    axe_check,
    chromium_browser,
    page,
    pytest_collection_modifyitems,
    screenshot,
)
