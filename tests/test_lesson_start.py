import numpy as np
import pytest
import torch

import mdn_lessons as ml


def test_start_lesson_makes_runs_repeatable_on_one_thread():
    torch.set_num_threads(2)
    rng = ml.start_lesson(seed=7)
    assert torch.get_num_threads() == 1
    first = (torch.rand(3), rng.random(3))
    rng = ml.start_lesson(seed=7)
    second = (torch.rand(3), rng.random(3))
    assert torch.equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_start_lesson_refuses_a_negative_seed():
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        ml.start_lesson(seed=-1)


def test_versions_name_the_pinned_packages():
    versions = ml.versions()
    assert versions["torch"] == "2.13.0"
    assert set(versions) == {"python", "torch", "numpy", "matplotlib", "ipywidgets"}
