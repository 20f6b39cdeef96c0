import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _one_thread_and_seed():
    """Each test starts from the same seed with one thread, as the lessons do."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    plt.close("all")
