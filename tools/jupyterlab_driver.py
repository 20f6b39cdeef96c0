"""Drive a real JupyterLab in Chromium the way a student would: open a notebook, run it, use its widgets.

Shared by the browser tests (``tests/browser/``) and the screenshot maker (``tools/figure_makers/screenshots.py``),
so the README's pictures come from the very session the tests check.

    with lab_session([notebook_a, notebook_b], work_dir) as session:
        page = session.open("notebook_a.ipynb")
        assert page.run_all() == []                 # no errors
        for widget in page.widgets():               # every displayed ipywidget, checked as rendered
            report = widget.exercise()              # move the sliders, press Train, read the page back

JupyterLab runs on a free localhost port with a random token, in a temporary copy of the notebooks (so an
autosave can never touch the committed files), with its settings, workspaces and runtime files in
temporary folders, and its kernels offline and on one thread (:mod:`tools.notebook_kernels`). Why the page is
read the way it is (kernel readiness, which element is a rendered widget, the news pop-up): DESIGN.md,
"Testing the widgets in a browser" (ipywidgets 8, JupyterLab 4).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.notebook_kernels import NOTEBOOKS, ROOT, copy_offline_profile, kernel_env

FIGURES = ROOT / "figures"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))

# Bounds, generous but finite: a hung page fails the test instead of hanging CI.
SERVER_START_SECONDS = 60
KERNEL_READY_MS = 60_000
RUN_ALL_MS = 180_000
RENDER_MS = 30_000
TRAIN_MS = 90_000
ACTION_MS = 15_000
QUIET_SECONDS = 1.5  # how long to watch for a second training run after the first has finished

# Code that builds an ipywidget: the course's own (``ml.widgets.MDNTrainer(...)``) or plain ipywidgets.
_WIDGET_CODE = re.compile(
    r"\bwidgets\.[A-Z]\w*\s*\(|^\s*(?:import ipywidgets\b|from (?:ipywidgets|mdn_lessons\.widgets)[\w.]* import)",
    re.MULTILINE,
)
# The course's widgets with a Train button (subclasses of mdn_lessons.widgets.TrainingWidget).
_TRAINING_WIDGET_CODE = re.compile(r"\b(?:MDNTrainer|MixtureExplorer)\s*\(")
# What a student sees instead of a widget when something is wrong (see DESIGN.md).
_NOT_RENDERED = re.compile(r"Loading widget|Error displaying widget|model not found")
_TEXT_REPR = re.compile(
    r"^\s*(?:VBox|HBox|Box|IntSlider|FloatLogSlider|FloatSlider|Button|Image|Label)\(|<mdn_lessons\."
)
_FINAL_STATUS = re.compile(r"step (\d+)/\1\b")
_TOP_LEVEL_OUTPUT = ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output"
# Text a widget shows besides its controls: Label widgets (a div; a slider's description is a label
# element), HTML widgets, and text in Output widgets.
_STATUS_TEXT = "div.widget-label, .widget-html-content, .widget-output .jp-RenderedText"


# --- what to test -----------------------------------------------------------------------------------------


def browser_unavailable_reason() -> str | None:
    """Why the browser tests cannot run here (None if they can)."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (install it with: apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make setup installs it with the dev extras)"
    return None


def browser_required() -> bool:
    """True when REQUIRE_BROWSER is set (CI): a missing browser is then a failure, not a skip."""
    return os.environ.get("REQUIRE_BROWSER", "").strip() not in ("", "0", "false", "no")


def _code(path: Path) -> str:
    """The notebook's code, comments removed (a widget named in a comment builds nothing)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    sources = ("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    return re.sub(r"#.*", "", "\n".join(sources))


def uses_widgets(path: Path) -> bool:
    """Does this notebook's code build an ipywidget?"""
    return bool(_WIDGET_CODE.search(_code(path)))


def uses_training_widget(path: Path) -> bool:
    """Does this notebook show one of the course's training widgets (components, learning rate, Train)?"""
    return bool(_TRAINING_WIDGET_CODE.search(_code(path)))


def widget_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every notebook under ``folder`` whose code builds a widget, sorted."""
    return sorted(
        path for path in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in path.parts and uses_widgets(path)
    )


# --- JupyterLab server ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_json(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content), encoding="utf-8")


@dataclass
class LabServer:
    """A JupyterLab server of our own: ``LabServer.start(root_dir, work_dir)``, then ``stop()``."""

    url: str
    token: str
    process: subprocess.Popen
    log_path: Path
    _background: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(cls, root_dir: Path, work_dir: Path) -> LabServer:
        settings = work_dir / "lab-settings"
        # No news pop-up over the page, no toasts, no update check (no network), no autosave, and every
        # cell kept in the page (no windowing) so the whole notebook can be read back.
        _write_json(
            settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
            {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
        )
        _write_json(settings / "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings", {"autosave": False})
        _write_json(settings / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings", {"windowingMode": "none"})
        # The server's environment is its kernels' environment: one thread, fixed hash seed, offline.
        env = kernel_env(threads=1, ipython_dir=copy_offline_profile(work_dir / "ipython"))
        env.update(
            JUPYTER_CONFIG_DIR=str(work_dir / "config"),
            JUPYTER_RUNTIME_DIR=str(work_dir / "runtime"),
            JUPYTER_DATA_DIR=str(work_dir / "data"),  # no extensions or kernels from the user's own folders
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(work_dir / "workspaces"),
        )
        port, token = _free_port(), secrets.token_hex(16)
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        log_path = work_dir / "jupyterlab.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root_dir)
        server = cls(f"http://127.0.0.1:{port}", token, process, log_path)
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {process.returncode}:\n{server.log_tail()}")
            with contextlib.suppress(OSError):
                server.api("GET", "/api/status")
                return server
            time.sleep(0.2)
        server.stop()
        raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_SECONDS} s:\n{server.log_tail()}")

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            self.url + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def delete_sessions(self, session_ids: Sequence[str]) -> None:
        """End these sessions and their kernels in a background thread (``stop`` waits for it)."""

        def delete() -> None:
            for session_id in session_ids:
                with contextlib.suppress(OSError):
                    self.api("DELETE", f"/api/sessions/{session_id}")

        thread = threading.Thread(target=delete, daemon=True)
        thread.start()
        self._background.append(thread)

    def stop(self) -> None:
        """Shut the server down (its kernels too); kill it if it does not stop within 15 s."""
        for thread in self._background:
            thread.join(timeout=30)
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.api("POST", "/api/shutdown")
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# --- the page ---------------------------------------------------------------------------------------------


@dataclass
class WidgetReport:
    """What a student's actions did to one widget, read back from the page."""

    kind: str  # "training" (components and learning-rate sliders, a Train button) or "sliders" (explorers)
    readouts_before: list[str]
    readouts_after: list[str]
    status_before: list[str]
    status_after: list[str]
    image_changes: int  # how often the plot's picture was replaced during the actions
    pictures_before: list[str]  # SHA-256 of each picture's bytes
    pictures_after: list[str]
    labels: list[str] = field(default_factory=list)  # sliders' descriptions (explorers: then buttons' texts)
    responded: list[bool] = field(default_factory=list)  # explorers, per control: did what is shown change?
    # Training widgets: what changed on the page after Train was double-clicked, in order: ("picture", "") for a
    # redrawn plot, ("status", text) for a new status line; consecutive records of one change merged.
    events: list[tuple[str, str]] = field(default_factory=list)
    late_events: int = 0  # changes seen in the second after the run had finished (a second run would make some)
    picture_sizes: list[dict] = field(default_factory=list)  # see Widget.picture_sizes


class Widget:
    """One displayed widget: the output area that shows a ``application/vnd.jupyter.widget-view+json`` output."""

    def __init__(self, page, locator, index: int):
        self.page = page
        self.locator = locator
        self.index = index

    # Reading the page.
    def text(self) -> str:
        return self.locator.inner_text()

    def slider_labels(self) -> list[str]:
        return [label.strip() for label in self.locator.locator(".widget-slider .widget-label").all_inner_texts()]

    def readouts(self) -> list[str]:
        return [text.strip() for text in self.locator.locator(".widget-slider .widget-readout").all_inner_texts()]

    def status_texts(self) -> list[str]:
        """Every text the widget shows besides its controls: Label widgets and Output widgets' text."""
        return [text.strip() for text in self.locator.locator(_STATUS_TEXT).all_inner_texts()]

    def image_sources(self) -> list[str]:
        return self.locator.locator("img").evaluate_all("images => images.map(image => image.src)")

    def image_digests(self) -> list[str]:
        """SHA-256 of the bytes of each picture the widget shows (its src may change while the bytes do not)."""
        return self.locator.evaluate(
            """async element => Promise.all([...element.querySelectorAll('img')].map(async image => {
                const bytes = await (await fetch(image.src)).arrayBuffer();
                const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
                return [...digest].map(b => b.toString(16).padStart(2, '0')).join('');
            }))"""
        )

    def picture_sizes(self) -> list[dict]:
        """Each picture's size: ``natural`` (its pixels) and ``shown`` (CSS pixels on the page), as [width, height]."""
        return self.locator.evaluate(
            """element => [...element.querySelectorAll('img')].map(image => ({
                natural: [image.naturalWidth, image.naturalHeight],
                shown: [image.getBoundingClientRect().width, image.getBoundingClientRect().height],
            }))"""
        )

    def _record_events(self) -> None:
        # Log, in the order the page shows them, every new picture (an img's src) and every new status line
        # (the text of a Label widget, div.widget-label).
        self.locator.evaluate(
            """element => {
                element.__events = [];
                const observer = new MutationObserver(records => {
                    for (const record of records) {
                        const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
                        if (node.tagName === 'IMG' && record.attributeName === 'src') {
                            element.__events.push(['picture', '']);
                        } else if (node.closest('div.widget-label')) {
                            element.__events.push(['status', node.closest('div.widget-label').innerText.trim()]);
                        }
                    }
                });
                observer.observe(element, {subtree: true, attributes: true, attributeFilter: ['src'],
                                           childList: true, characterData: true});
            }"""
        )

    def _events(self) -> list[tuple[str, str]]:
        merged: list[tuple[str, str]] = []
        for kind, text in self.locator.evaluate("element => element.__events"):
            if merged and merged[-1][0] == kind:
                merged[-1] = (kind, text or merged[-1][1])
            else:
                merged.append((kind, text))
        return merged

    def _wait_until_kernel_quiet(self) -> None:
        """Wait until the notebook's kernel has been idle for QUIET_SECONDS (polled every 50 ms)."""
        self.page.wait_for_function(
            """quietMs => {
                const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                const now = performance.now();
                if (kernel.status !== 'idle' || window.__busyAt === undefined) {
                    window.__busyAt = now;
                    return false;
                }
                return now - window.__busyAt > quietMs;
            }""",
            arg=QUIET_SECONDS * 1000,
            polling=50,
            timeout=TRAIN_MS,
        )
        self.page.evaluate("() => { delete window.__busyAt; }")

    def buttons(self):
        return self.locator.locator("button.widget-button")

    def train_button(self):
        return self.buttons().filter(has_text=re.compile(r"\bTrain\b"))

    def is_training_widget(self) -> bool:
        """A training widget (mdn_lessons.widgets.TrainingWidget) has sliders and a Train button."""
        return self.train_button().count() > 0 and self.locator.locator(".widget-slider").count() >= 2

    def assert_rendered(self) -> None:
        """A live view with concrete controls: not 'Loading widget...', an error, or a text repr."""
        sliders = self.locator.locator(".widget-slider .noUi-handle[role='slider']")
        sliders.first.wait_for(state="visible", timeout=RENDER_MS)
        text = self.text()
        assert not _NOT_RENDERED.search(text), f"widget {self.index} not rendered: {text[:200]!r}"
        assert not _TEXT_REPR.search(text), f"widget {self.index} shown as a text repr: {text[:200]!r}"
        # Every picture in the widget has really been decoded by the browser.
        self.page.wait_for_function(
            "element => [...element.querySelectorAll('img')].every(image => image.complete && image.naturalWidth > 0)",
            arg=self.locator.element_handle(),
            timeout=RENDER_MS,
        )

    # Acting.
    def _slider(self, label: str):
        return self.locator.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
        )

    def nudge(self, slider) -> None:
        """Move a slider one step with the keyboard: right, or left if right does not move it (at its maximum).

        Read back from the handle's aria-valuetext and the readout (aria-valuenow is rounded to one decimal).
        """
        handle, readout = slider.locator(".noUi-handle"), slider.locator(".widget-readout")

        def value() -> tuple:
            return handle.get_attribute("aria-valuetext"), readout.inner_text()

        before = value()
        for key in ("ArrowRight", "ArrowLeft"):
            handle.focus()
            self.page.keyboard.press(key)
            deadline = time.monotonic() + (1 if key == "ArrowRight" else ACTION_MS / 1000)
            while value() == before and time.monotonic() < deadline:
                time.sleep(0.05)
            if value() != before:
                return
        raise AssertionError(f"slider {slider.locator('.widget-label').inner_text()!r} did not move from {before}")

    def _view(self) -> tuple:
        return self.image_sources(), self.status_texts()

    def _shown(self) -> tuple:
        return self.readouts(), self.image_sources(), self.status_texts()

    def _click(self, button) -> None:
        button.click(timeout=ACTION_MS)

    def _count_image_changes(self) -> None:
        # Count every replacement of a picture (each redraw of the live plot sends new PNG bytes).
        self.locator.evaluate(
            """element => {
                element.__imageChanges = 0;
                const observer = new MutationObserver(records => { element.__imageChanges += records.length; });
                element.querySelectorAll('img').forEach(image =>
                    observer.observe(image, {attributes: true, attributeFilter: ['src']}));
            }"""
        )

    def _image_changes(self) -> int:
        return self.locator.evaluate("element => element.__imageChanges")

    def exercise(self) -> WidgetReport:
        """Act as a student and return what changed on the page.

        Training widget: move "components" and "learning rate" one step each, double-click Train, wait for
        the final "step S/S" status, and record what the page showed in between (``events``) and after.
        Other widgets (explorers): move each slider one step, then press each button, and wait each time for
        the widget's values, picture or text to change.
        """
        self.locator.scroll_into_view_if_needed()
        readouts, status, pictures = self.readouts(), self.status_texts(), self.image_digests()
        responded = []
        self._count_image_changes()
        if self.is_training_widget():
            kind = "training"
            self.nudge(self._slider("components"))
            self.nudge(self._slider("learning rate"))
            self._record_events()
            # A double-click, as students do: it must start one run, not two.
            self.train_button().dblclick(timeout=ACTION_MS)
            # Finished when the picture has been redrawn at least once since the click, the button is enabled
            # again (the kernel disables it while training, and its messages arrive in order) and the status
            # shows a final "step S/S" line.
            self.page.wait_for_function(
                """([element, pattern, selector]) => {
                    const texts = [...element.querySelectorAll(selector)].map(e => e.innerText.trim());
                    const button = [...element.querySelectorAll('button.widget-button')]
                        .find(b => /\\bTrain\\b/.test(b.innerText));
                    return element.__imageChanges > 0 && !button.disabled
                        && texts.some(t => new RegExp(pattern).test(t));
                }""",
                arg=[self.locator.element_handle(), _FINAL_STATUS.pattern, _STATUS_TEXT],
                timeout=TRAIN_MS,
            )
            # A second run would start the moment the first ended (its click waited in the kernel's queue) and
            # keep the kernel busy: wait until the kernel has been idle for a while, then read what was shown.
            self._wait_until_kernel_quiet()
            events = self._events()
            time.sleep(QUIET_SECONDS)
            late_events = len(self._events()) - len(events)
        else:
            # An explorer: each slider moved must change the picture or the text (not just its own readout);
            # then each button pressed (the sliders are off their start by now) must change something shown.
            kind, events, late_events = "sliders", [], 0
            sliders = [(self.nudge, slider, self._view) for slider in self.locator.locator(".widget-slider").all()]
            buttons = [(self._click, button, self._shown) for button in self.buttons().all()]
            for act, control, look in sliders + buttons:
                before = look()
                act(control)
                deadline = time.monotonic() + ACTION_MS / 1000
                while look() == before and time.monotonic() < deadline:
                    time.sleep(0.1)
                responded.append(look() != before)
        self.page.wait_for_function(
            "element => [...element.querySelectorAll('img')].every(image => image.complete && image.naturalWidth > 0)",
            arg=self.locator.element_handle(),
            timeout=RENDER_MS,
        )
        return WidgetReport(
            kind=kind,
            readouts_before=readouts,
            readouts_after=self.readouts(),
            status_before=status,
            status_after=self.status_texts(),
            pictures_before=pictures,
            pictures_after=self.image_digests(),
            image_changes=self._image_changes(),
            labels=self.slider_labels() + ([] if kind == "training" else self.buttons().all_inner_texts()),
            responded=responded,
            events=events,
            late_events=late_events,
            picture_sizes=self.picture_sizes(),
        )

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.locator.screenshot(path=str(path), animations="disabled")
        return path


class NotebookPage:
    """One notebook opened in JupyterLab (see :meth:`LabSession.open`)."""

    def __init__(self, page, name: str):
        self.page = page
        self.name = name

    def wait_for_kernel(self) -> None:
        # The notebook's own idle indicator says idle before a kernel is attached; the status bar does not.
        self.page.locator("#jp-main-statusbar").get_by_text(re.compile(r"Python 3 \(ipykernel\)\s*\|\s*Idle")).wait_for(
            timeout=KERNEL_READY_MS
        )

    def run_all(self) -> list[str]:
        """Clear the outputs, run every cell, wait until all have run; return the error outputs' text."""
        self.wait_for_kernel()
        finished = self.page.evaluate(
            """async (timeoutMs) => {
                const commands = window.jupyterapp.commands;
                await commands.execute('notebook:clear-all-cell-outputs');
                const timeout = new Promise((_, reject) => setTimeout(
                    () => reject(new Error('Run All Cells took longer than ' + timeoutMs + ' ms')), timeoutMs));
                return await Promise.race([commands.execute('notebook:run-all-cells'), timeout]);
            }""",
            RUN_ALL_MS,
        )
        # Every code cell has an execution count once it has run. Read from the notebook's model, not from the
        # "[n]:" prompts on the page: a cell whose input is collapsed (the Colab cell) or that JupyterLab has not
        # rendered yet (it draws cells as they scroll into view) may keep a stale prompt.
        self.page.wait_for_function(
            """() => {
                const cells = [...window.jupyterapp.shell.currentWidget.content.model.cells].filter(
                    cell => cell.type === 'code' && cell.sharedModel.getSource().trim() !== '');
                return cells.length > 0 && cells.every(cell => Number.isInteger(cell.executionCount));
            }""",
            timeout=RUN_ALL_MS,
        )
        errors = [
            text
            for text in self.page.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            ).all_inner_texts()
            if re.search(r"Traceback|Error", text)
        ]
        if not finished and not errors:
            errors.append("Run All Cells stopped early (a cell failed)")
        return errors

    def expected_widget_count(self) -> int:
        """How many widget views the kernel sent, read from the notebook's model in JupyterLab."""
        return self.page.evaluate(
            """() => {
                let count = 0;
                for (const cell of window.jupyterapp.shell.currentWidget.content.model.cells) {
                    if (cell.type !== 'code') continue;
                    for (let i = 0; i < cell.outputs.length; i++) {
                        if ('application/vnd.jupyter.widget-view+json' in cell.outputs.get(i).data) count++;
                    }
                }
                return count;
            }"""
        )

    def widgets(self) -> list[Widget]:
        """Every displayed widget, each checked as rendered (see :meth:`Widget.assert_rendered`).

        A cell's widget output is the one output without a ``data-mime-type`` (every other renderer sets
        it); it holds the live view, or "Loading widget..." / "Error displaying widget..." text.
        """
        expected = self.expected_widget_count()
        outputs = self.page.locator(_TOP_LEVEL_OUTPUT + ":not([data-mime-type])")
        found = [Widget(self.page, output, index) for index, output in enumerate(outputs.all())]
        assert len(found) == expected, (
            f"{self.name}: {expected} widget outputs in the notebook, {len(found)} on the page"
        )
        for widget in found:
            widget.assert_rendered()
        reprs = [text for text in self.text_outputs() if _TEXT_REPR.search(text)]
        assert not reprs, f"{self.name}: widgets shown as text instead of controls: {reprs}"
        return found

    def saved_widget_outputs(self) -> list[dict]:
        """What each widget output of a notebook shows before it has run: one dict per output with a widget view.

        ``mime`` is the MIME type JupyterLab chose to render (``data-mime-type``; None for the live view),
        ``text`` what the output says, ``pictures`` each decoded picture's natural and shown sizes, and
        ``saved`` the MIME types stored in the notebook.
        """
        # The notebook's model first: until its file is loaded there are no cells, and nothing to find.
        self.page.wait_for_function(
            """() => {
                const panel = window.jupyterapp.shell.currentWidget;
                return Boolean(panel && panel.context && panel.context.isReady && panel.content.widgets.length > 0);
            }""",
            timeout=RENDER_MS,
        )
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-OutputArea-output img')]
                .every(image => image.complete && image.naturalWidth > 0)""",
            timeout=RENDER_MS,
        )
        return self.page.evaluate(
            """() => {
                const notebook = window.jupyterapp.shell.currentWidget.content;
                const found = [];
                notebook.widgets.forEach(cell => {
                    if (cell.model.type !== 'code') return;
                    const outputs = cell.model.outputs;
                    const nodes = cell.node.querySelectorAll(
                        '.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output');
                    for (let i = 0; i < outputs.length; i++) {
                        const data = outputs.get(i).data;
                        if (!('application/vnd.jupyter.widget-view+json' in data)) continue;
                        const node = nodes[i];
                        found.push({
                            saved: Object.keys(data).sort(),
                            mime: node ? node.getAttribute('data-mime-type') : 'missing',
                            text: node ? node.innerText.trim().slice(0, 200) : '',
                            pictures: node ? [...node.querySelectorAll('img')].map(image => ({
                                natural: [image.naturalWidth, image.naturalHeight],
                                shown: [image.getBoundingClientRect().width, image.getBoundingClientRect().height],
                            })) : [],
                        });
                    }
                });
                return found;
            }"""
        )

    def text_outputs(self) -> list[str]:
        return self.page.locator(_TOP_LEVEL_OUTPUT + "[data-mime-type='text/plain']").all_inner_texts()

    def screenshot(self, path: Path) -> Path:
        self.page.screenshot(path=str(path), full_page=True)
        return path


class LabSession:
    """A JupyterLab server serving copies of some notebooks, and a headless Chromium tab looking at them.

    Notebooks are opened one at a time in the same tab (loading JupyterLab once saves seconds per notebook);
    closing one disposes of it in the page and shuts its kernel down, so each notebook runs in a fresh kernel.
    """

    def __init__(self, server: LabServer, browser, root_dir: Path, device_scale_factor: float = 1):
        self.server = server
        self.browser = browser
        self.root_dir = root_dir
        self.device_scale_factor = device_scale_factor
        self.page = None

    def open(self, name: str) -> NotebookPage:
        if self.page is None:
            self.page = self.browser.new_page(
                viewport={"width": 1280, "height": 900}, device_scale_factor=self.device_scale_factor
            )
            self.page.set_default_timeout(ACTION_MS)
            self.page.goto(f"{self.server.url}/lab/tree/notebooks/{name}?reset&token={self.server.token}")
        else:
            self.page.evaluate(
                # Returns nothing: the opened widget itself cannot be sent back to Python.
                "async path => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }",
                f"notebooks/{name}",
            )
        # Open when JupyterLab's current widget is this notebook and its cells are in the page.
        self.page.wait_for_function(
            """name => {
                const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                return widget && widget.context && widget.context.path === 'notebooks/' + name
                    && widget.content.node.querySelector('.jp-Cell') !== null;
            }""",
            arg=name,
            timeout=KERNEL_READY_MS,
        )
        return NotebookPage(self.page, name)

    def close_notebook(self, notebook: NotebookPage, keep_page: bool = True) -> None:
        """Close the notebook without saving and shut its kernel down (in the background).

        ``keep_page=False`` (after a failure, when the page may be in any state) closes the tab too.
        """
        sessions = [session["id"] for session in self.server.api("GET", "/api/sessions") or []]
        if keep_page:
            try:
                self.page.evaluate(
                    """() => {
                        for (const widget of [...window.jupyterapp.shell.widgets('main')]) {
                            if (widget.context) widget.context.model.dirty = false;  // no "save changes?" dialog
                            widget.dispose();
                        }
                    }"""
                )
            except Exception:  # a broken page is replaced by a fresh one
                keep_page = False
        if not keep_page and self.page is not None:
            self.page.close()
            self.page = None
        self.server.delete_sessions(sessions)


@contextlib.contextmanager
def lab_session(notebooks: Sequence[Path], work_dir: Path, device_scale_factor: float = 1) -> Iterator[LabSession]:
    """Serve copies of ``notebooks`` (as ``notebooks/<name>``) from ``work_dir`` and open Chromium.

    device_scale_factor: 2 for a 2x screen (sharper screenshots; the page's layout, in CSS pixels, is the same).

    The copies sit in ``work_dir/course/notebooks`` beside a link to the repository's ``figures/``, so
    relative paths such as ``../figures/x.gif`` work as in the repository. Everything is stopped on exit.
    """
    from playwright.sync_api import sync_playwright

    reason = browser_unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    course = work_dir / "course"
    (course / "notebooks").mkdir(parents=True, exist_ok=True)
    (course / "figures").symlink_to(FIGURES, target_is_directory=True)
    for notebook in notebooks:
        shutil.copy2(notebook, course / "notebooks" / notebook.name)
    server = LabServer.start(course, work_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            try:
                yield LabSession(server, browser, course, device_scale_factor)
            finally:
                browser.close()
    finally:
        server.stop()
