"""The course's figure style: sizes that fit a notebook column, a colour-blind-safe palette, sharp output.

Figures are drawn for a notebook column about 800 px wide: 100 dpi, so 8 inches is 800 px, and no figure is
wider than :data:`MAX_WIDTH` inches; a new figure is 6.4 × 4 inches (640 × 400 px). In a notebook the
inline backend writes PNGs at twice that resolution ("retina") and tells the page their 1x size, so figures
are sharp on a 2x screen and as large as on a 1x one. Colours cycle through matplotlib's colour-blind-safe
``petroff10`` (Petroff 2021); :func:`component_colors` is that palette without its two greys, for mixture
components drawn over grey data. :func:`apply` sets all of this; ``ml.start_lesson`` calls it.
"""

from __future__ import annotations

import matplotlib
from cycler import cycler

DPI = 100
"""Figure pixels per inch: an 8-inch figure is 800 px, the width of a notebook column."""
MAX_WIDTH = 8.0
"""The widest figure the course draws, in inches."""
FIGSIZE = (6.4, 4.0)
"""A new figure's size in inches (640 × 400 px)."""
DATA_COLOR = "0.45"
"""Data points and histograms: a neutral grey, distinct from every component colour."""

PETROFF10 = (
    "#3f90da",
    "#ffa90e",
    "#bd1f01",
    "#94a4a2",
    "#832db6",
    "#a96b59",
    "#e76300",
    "#b9ac70",
    "#717581",
    "#92dadd",
)
"""matplotlib's ``petroff10`` colour sequence (new in matplotlib 3.10), for older matplotlib releases."""
_GREYS = ("#94a4a2", "#717581")

RC = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI,
    "savefig.dpi": "figure",
    "font.size": 10.0,
    "legend.fontsize": "medium",
    "axes.grid": True,
    "grid.alpha": 0.3,
}
"""matplotlib settings of the course's style, besides the colour cycle."""


def palette() -> list[str]:
    """matplotlib's ``petroff10`` colours, in order (the copy in :data:`PETROFF10` if matplotlib lacks them)."""
    sequences = getattr(matplotlib, "color_sequences", None)
    if sequences is not None and "petroff10" in sequences:
        return [matplotlib.colors.to_hex(color) for color in sequences["petroff10"]]
    return list(PETROFF10)


def component_colors() -> list[str]:
    """The colours of mixture components k = 0, 1, ...: ``petroff10`` without its two greys (8 colours).

    The greys would vanish into grey data points. Colour k of K > 8 components is ``component_colors()[k % 8]``.
    """
    return [color for color in palette() if color not in _GREYS]


def apply() -> None:
    """Set the course's figure style: matplotlib's settings, and retina PNGs when running in IPython."""
    matplotlib.rcParams.update(RC)
    matplotlib.rcParams["axes.prop_cycle"] = cycler(color=palette())
    _retina_inline_figures()


def _retina_inline_figures() -> None:
    """Ask the inline backend for PNGs at twice the resolution, shown at their 1x size (IPython only)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is None:
        return
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    set_matplotlib_formats("retina")
