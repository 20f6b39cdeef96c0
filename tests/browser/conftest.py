"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium for the whole run.

The notebooks under test are the course's widget notebooks (found by their code) and our own fixture
notebook; every test that takes a ``notebook`` argument runs once per notebook. Without /usr/bin/chromium
(or the playwright package) the browser tests are skipped, and the end of the pytest report says so in
capitals; with REQUIRE_BROWSER=1 (CI) they fail instead. The driver is ``tools/jupyterlab_driver.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import jupyterlab_driver

FIXTURE_NOTEBOOK = Path(__file__).resolve().parent / "widget_fixture.ipynb"

_skipped_because: list[str] = []


def notebooks_to_test() -> list[Path]:
    """The course's widget notebooks, found by their code, and our own fixture notebook."""
    return [*jupyterlab_driver.widget_notebooks(), FIXTURE_NOTEBOOK]


def pytest_generate_tests(metafunc):
    if "notebook" in metafunc.fixturenames:
        metafunc.parametrize("notebook", notebooks_to_test(), ids=lambda path: path.stem)


@pytest.fixture(scope="session")
def fixture_notebook() -> Path:
    """A notebook of our own with both training widgets: tested even before the lessons that use them exist."""
    return FIXTURE_NOTEBOOK


@pytest.fixture(scope="session")
def tested_notebooks() -> list[Path]:
    return notebooks_to_test()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A running JupyterLab serving copies of every notebook to test, with Chromium attached."""
    reason = jupyterlab_driver.browser_unavailable_reason()
    if reason:
        if jupyterlab_driver.browser_required():
            pytest.fail(f"REQUIRE_BROWSER is set but the browser tests cannot run: {reason}", pytrace=False)
        _skipped_because.append(reason)
        pytest.skip(f"browser widget tests skipped: {reason}; set REQUIRE_BROWSER=1 to make this a failure")
    with jupyterlab_driver.lab_session(notebooks_to_test(), tmp_path_factory.mktemp("jupyterlab")) as session:
        yield session


def pytest_terminal_summary(terminalreporter):
    if _skipped_because:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(
            f"The widgets were NOT tested in JupyterLab: {_skipped_because[0]}. "
            "Install Chromium to run them; REQUIRE_BROWSER=1 turns this skip into a failure."
        )
