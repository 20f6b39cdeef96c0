"""The base of every widget of the course: a matplotlib figure rendered into an ipywidgets ``Image``.

An Image widget, not an Output widget: a redraw changes widget state only, so nothing leaks into the
cell's outputs (nbval would see it) and the browser swaps the picture in place. The picture is drawn for the
size it is shown at (the figure's inches × :data:`~mdn_lessons.style.DPI` CSS pixels), at twice that many
pixels, so it is sharp on a 2x screen and no larger than the lessons' other figures.

A widget needs a live kernel. Before its cell has run (a notebook just opened, GitHub, nbviewer) a
notebook can only show what was saved, so the cell's output carries, beside the live view, a picture of
the widget (:meth:`FigureWidget.static_picture`: its controls' values, its plot, its status line, and one
line saying that running the cell gives the live tool) and a one-line text. A front end that can show the
live view does so; the others show the picture. When the lesson's code moves the widget (``train()``,
``set(...)``), the saved picture is updated to the new state.
"""

from __future__ import annotations

import io
import uuid

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from .. import style

RENDER_SCALE = 2
"""PNG pixels per CSS pixel of the live plot: sharp on a 2x screen."""
STATIC_WIDTH = 800
"""Width in pixels of the picture saved with the notebook, controls and status line included."""
RUN_TO_USE = "A picture of the tool: run this cell to use it live (sliders, buttons)."
"""The line under the saved picture."""


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (shipped with matplotlib, so it is there offline and on Colab) at ``size`` pixels."""
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal"))
    return ImageFont.truetype(path, size)


class FigureWidget:
    """Owns ``self.plot`` (the Image), ``self.figure`` (never shown as a cell output) and :meth:`render`.

    A subclass calls :meth:`make_figure` once, draws on the axes it returns, calls :meth:`render` after each
    change, and sets ``self.ui`` (the box shown when the widget is the last expression of a cell; its first
    child holds the controls). ``self.status`` is the Label under the plot, if any.
    """

    ui: widgets.Widget
    status: widgets.Label | None = None

    def make_figure(self, margins: dict[str, float], figsize: tuple[float, float], **subplots):
        """Create the Image widget and the figure (``plt.subplots(figsize=figsize, **subplots)``); return the axes.

        margins: fixed ``subplots_adjust`` margins: a tight layout (or bbox_inches="tight") would lay out or
        render every frame twice. figsize: (width, height) in inches, at most the course's 8 inches wide.
        """
        width, height = figsize
        if not 0 < width <= style.MAX_WIDTH or not 0 < height:
            raise ValueError(f"figsize must be (width, height) with 0 < width <= {style.MAX_WIDTH}, got {figsize!r}")
        self.display_width = round(width * style.DPI)
        self.plot = widgets.Image(
            format="png", layout=widgets.Layout(width=f"{self.display_width}px", max_width="100%", height="auto")
        )
        self.figure, axes = plt.subplots(figsize=figsize, **subplots)
        self.figure.subplots_adjust(**margins)
        plt.close(self.figure)  # drawn only into the Image widget, never as a stray cell output
        self._display_id = uuid.uuid4().hex
        self._displayed = False
        return axes

    def picture(self, dpi: float | None = None) -> bytes:
        """The figure as PNG bytes, at ``dpi`` (default: the displayed size times :data:`RENDER_SCALE`)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi or style.DPI * RENDER_SCALE, metadata={"Software": None})
        return buffer.getvalue()

    def render(self) -> None:
        """Draw the figure into the Image widget, as PNG."""
        self.plot.value = self.picture()

    # What a notebook shows before the widget's cell has run.

    def controls_text(self) -> list[tuple[str, bool]]:
        """The controls as they stand, for the saved picture: ``[(text, is_button), ...]``."""
        row = self.ui.children[0] if self.ui.children else None
        items = []
        for control in getattr(row, "children", ()):
            if isinstance(control, widgets.Button):
                items.append((control.description, True))
            elif hasattr(control, "value") and hasattr(control, "description"):
                value = control.value
                number = format(value, control.readout_format) if hasattr(control, "readout_format") else value
                items.append((f"{control.description}  {number}", False))
        return items

    def static_picture(self) -> bytes:
        """A PNG picture of the widget, :data:`STATIC_WIDTH` px wide: its controls' values, its plot, its
        status line, and the line :data:`RUN_TO_USE`."""
        plot = Image.open(io.BytesIO(self.picture(dpi=STATIC_WIDTH / self.figure.get_figwidth()))).convert("RGB")
        plot = plot.resize((STATIC_WIDTH, round(plot.height * STATIC_WIDTH / plot.width)))
        regular, bold = _font(14), _font(14, bold=True)
        pad, row = 10, 34
        status = self.status.value if self.status is not None else ""
        lines = [(status, regular, "#333333")] if status else []
        lines.append((RUN_TO_USE, bold, "#1f4e99"))
        height = row + plot.height + pad + 22 * len(lines) + pad
        canvas = Image.new("RGB", (STATIC_WIDTH, height), "white")
        draw = ImageDraw.Draw(canvas)
        x = pad
        for text, is_button in self.controls_text():
            width = round(draw.textlength(text, font=regular)) + 20
            fill, ink = ("#2f6fb5", "white") if is_button else ("#eeeeee", "#222222")
            draw.rounded_rectangle((x, 5, x + width, row - 5), radius=4, fill=fill)
            draw.text((x + 10, row // 2), text, font=regular, fill=ink, anchor="lm")
            x += width + 8
        canvas.paste(plot, (0, row))
        y = row + plot.height + pad
        for text, font, ink in lines:
            draw.text((pad, y), text, font=font, fill=ink)
            y += 22
        draw.rectangle((0, 0, STATIC_WIDTH - 1, height - 1), outline="#bbbbbb")
        buffer = io.BytesIO()
        canvas.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()

    def _mimebundle(self) -> tuple[dict, dict]:
        """(data, metadata) of the cell output: the live view, the saved picture, and a one-line text."""
        data = dict(self.ui._repr_mimebundle_())
        data["text/plain"] = f"{type(self).__name__}: an interactive tool; run this cell to use it."
        data["image/png"] = self.static_picture()
        return data, {"image/png": {"width": self.display_width}}

    def _ipython_display_(self):
        from IPython.display import display

        data, metadata = self._mimebundle()
        display(data, raw=True, metadata=metadata, display_id=self._display_id)
        self._displayed = True

    def update_saved_picture(self) -> None:
        """Replace the picture in this widget's cell output(s) by one of its current state.

        Lesson code calls this through ``train()`` or ``set()``, so a notebook executed and saved shows the
        trained widget. Front ends that update other cells' outputs (nbclient, which executes the lessons) do
        so; JupyterLab leaves the live view in place.
        """
        if not self._displayed:
            return
        from IPython.display import update_display

        data, metadata = self._mimebundle()
        update_display(data, raw=True, metadata=metadata, display_id=self._display_id)
