"""The course's interactive tools (ipywidgets). Each is a class; display it as a cell's last expression.

The pure logic they share (settings checks, redraw schedule, status text) is in :mod:`.controls`.
"""

from .controls import TrainingWidget, TrainSettings, status_text
from .mdn_trainer import MDNTrainer
from .mixture_explorer import MixtureExplorer

__all__ = ["MDNTrainer", "MixtureExplorer", "TrainSettings", "TrainingWidget", "status_text"]
