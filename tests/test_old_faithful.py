"""data.old_faithful: R's faithful table shipped in the package, read as float32 columns."""

import tomllib
from pathlib import Path

import pytest
import torch

import mdn_lessons as ml

ROOT = Path(__file__).resolve().parents[1]


def test_old_faithful_is_the_272_eruptions_of_r_faithful():
    waiting, duration = ml.data.old_faithful()
    assert waiting.shape == duration.shape == (272, 1)
    assert waiting.dtype == duration.dtype == torch.float32
    assert float(duration.min()) == pytest.approx(1.6) and float(duration.max()) == pytest.approx(5.1)
    assert float(waiting.min()) == 43 and float(waiting.max()) == 96
    # R's first rows: 3.600 79, 1.800 54, 3.333 74, 2.283 62.
    torch.testing.assert_close(duration[:4, 0], torch.tensor([3.6, 1.8, 3.333, 2.283]))
    torch.testing.assert_close(waiting[:4, 0], torch.tensor([79.0, 54.0, 74.0, 62.0]))
    # Two clusters: short eruptions after short waits, long after long.
    assert float(duration[waiting < 60].mean()) < 2.5 < 4.0 < float(duration[waiting > 80].mean())


def test_predict_chooses_the_target_column():
    waiting, duration = ml.data.old_faithful()
    x, y = ml.data.old_faithful(predict="waiting")
    assert torch.equal(x, duration) and torch.equal(y, waiting)


@pytest.mark.parametrize("bad", ["duration", "", None, 1])
def test_bad_predict_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="predict must be one of"):
        ml.data.old_faithful(predict=bad)


def test_the_csv_and_its_source_ship_as_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "mdn_lessons.datasets" in config["packages"]
    assert "*.csv" in config["package-data"]["mdn_lessons.datasets"]
    readme = (ROOT / "mdn_lessons" / "datasets" / "README.md").read_text()
    assert "faithful" in readme and "Härdle" in readme and "Azzalini" in readme
