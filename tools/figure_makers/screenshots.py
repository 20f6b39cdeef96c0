"""Screenshots of the course's widgets as a student sees them in JupyterLab (for the README).

Every notebook that builds a widget is opened in headless Chromium and run with "Run All Cells", in the same
kind of session the browser tests use (:mod:`tools.jupyterlab_driver`); each displayed widget is then
saved as ``widget_<notebook>.png`` (a notebook's second widget as ``widget_<notebook>_2.png``, and so on).
It shows the state after the notebook has run: the widget trained once with its default settings. The page
is that of a 2x screen (device scale factor 2), so a screenshot has twice the pixels of the widget's size on
the page and stays sharp where a page shows it at that size.
Without Chromium this prints why and writes nothing; with REQUIRE_BROWSER=1 that is an error.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tools import jupyterlab_driver


def screenshot_name(notebook: Path, index: int) -> str:
    """``widget_<stem>.png`` for a notebook's first widget (index 0), ``widget_<stem>_<index+1>.png`` after."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"index must be a whole number >= 0, got {index!r}")
    return f"widget_{Path(notebook).stem}{'' if index == 0 else f'_{index + 1}'}.png"


def make(out_dir: Path) -> list[Path]:
    reason = jupyterlab_driver.browser_unavailable_reason()
    if reason:
        if jupyterlab_driver.browser_required():
            raise RuntimeError(f"REQUIRE_BROWSER is set but no screenshots can be taken: {reason}")
        print(f"widget screenshots skipped: {reason}", flush=True)
        return []
    notebooks = jupyterlab_driver.widget_notebooks()
    written: list[Path] = []
    with (
        tempfile.TemporaryDirectory() as work_dir,
        jupyterlab_driver.lab_session(notebooks, Path(work_dir), device_scale_factor=2) as session,
    ):
        for notebook in notebooks:
            page = session.open(notebook.name)
            try:
                errors = page.run_all()
                if errors:
                    raise RuntimeError(f"{notebook.name} failed in JupyterLab: {errors}")
                for widget in page.widgets():
                    widget.locator.scroll_into_view_if_needed()
                    written.append(widget.screenshot(Path(out_dir) / screenshot_name(notebook, widget.index)))
            finally:
                session.close_notebook(page)
    return written
