"""The base of every widget of the course: a matplotlib figure rendered into an ipywidgets ``Image``.

An Image widget, not an Output widget: a redraw changes widget state only, so nothing leaks into the
cell's outputs (nbval would see it) and the browser swaps the picture in place.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display


class FigureWidget:
    """Owns ``self.plot`` (the Image), ``self.figure`` (never shown as a cell output) and :meth:`render`.

    A subclass calls :meth:`make_figure` once, draws on the axes it returns, calls :meth:`render` after each
    change, and sets ``self.ui`` (the box shown when the widget is the last expression of a cell).
    """

    ui: widgets.Widget
    dpi = 80

    def make_figure(self, margins: dict[str, float], **subplots):
        """Create the Image widget and the figure (``plt.subplots(**subplots)``); return the axes.

        margins: fixed ``subplots_adjust`` margins: a tight layout (or bbox_inches="tight") would lay out or
        render every frame twice.
        """
        self.plot = widgets.Image(format="png")
        self.figure, axes = plt.subplots(**subplots)
        self.figure.subplots_adjust(**margins)
        plt.close(self.figure)  # drawn only into the Image widget, never as a stray cell output
        return axes

    def render(self) -> None:
        """Draw the figure into the Image widget, as PNG."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        self.plot.value = buffer.getvalue()

    def _ipython_display_(self):
        display(self.ui)
