"""The course's interactive tools (ipywidgets). Each is a class; display it as a cell's last expression.

The pure logic the training widgets share (settings checks, status text) is in :mod:`.controls`.
"""

from .controls import TrainingWidget, TrainSettings, status_text
from .gaussian_explorer import GaussianExplorer
from .mdn_trainer import MDNTrainer
from .mixture_explorer import MixtureExplorer

__all__ = ["GaussianExplorer", "MDNTrainer", "MixtureExplorer", "TrainSettings", "TrainingWidget", "status_text"]
