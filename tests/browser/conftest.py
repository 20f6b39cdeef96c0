"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium for the whole run.

Without /usr/bin/chromium (or the playwright package) the browser tests are skipped, and the end of the
pytest report says so in capitals; with REQUIRE_BROWSER=1 (CI) they fail instead.
"""

from __future__ import annotations

import labdriver
import pytest

FIXTURE_NOTEBOOK = labdriver.ROOT / "tests" / "browser" / "widget_fixture.ipynb"

_skipped_because: list[str] = []


def notebooks_to_test() -> list:
    """The course's widget notebooks, found by their code, and our own fixture notebook."""
    return [*labdriver.widget_notebooks(), FIXTURE_NOTEBOOK]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A running JupyterLab serving copies of every notebook to test, with Chromium attached."""
    reason = labdriver.browser_unavailable_reason()
    if reason:
        if labdriver.browser_required():
            pytest.fail(f"REQUIRE_BROWSER is set but the browser tests cannot run: {reason}", pytrace=False)
        _skipped_because.append(reason)
        pytest.skip(f"browser widget tests skipped: {reason}; set REQUIRE_BROWSER=1 to make this a failure")
    with labdriver.lab_session(notebooks_to_test(), tmp_path_factory.mktemp("jupyterlab")) as session:
        yield session


def pytest_terminal_summary(terminalreporter):
    if _skipped_because:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(
            f"The widgets were NOT tested in JupyterLab: {_skipped_because[0]}. "
            "Install Chromium to run them; REQUIRE_BROWSER=1 turns this skip into a failure."
        )
