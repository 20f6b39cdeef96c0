import pytest

from benchmarks import from_log

LINES = """\
inverted sine, noise 1, n=1000, seed 0: recipe 0.100 (2.00 s), recipe_v1 0.300 (8.00 s), gmr 0.090 (1.00 s)
inverted sine, noise 1, n=1000, seed 1: recipe 0.110 (2.00 s), recipe_v1 0.280 (8.00 s), gmr 0.150 (1.00 s)
inverted sine, noise 0.3, n=4000, seed 0: recipe 0.060 (3.00 s), recipe_v1 0.050 (6.00 s), gmr 0.300 (9.00 s)
a line that is not a result
"""


@pytest.fixture
def data(tmp_path):
    log = tmp_path / "cell.log"
    log.write_text(LINES)
    return from_log.parse([log])


def test_parse_reads_every_method_of_every_seed(data):
    assert set(data) == {("inverted sine, noise 1", 1000), ("inverted sine, noise 0.3", 4000)}
    assert data[("inverted sine, noise 1", 1000)]["gmr"] == {0: (0.09, 1.0), 1: (0.15, 1.0)}


def test_document_marks_targets_and_says_where_the_recipe_is_not_ahead(data):
    text = from_log.document(data)
    assert "| inverted sine, noise 1, n = 1,000 | recipe" in text and "| 0-1 | 0.105 | 0.110 | 2.00 | 1 |" in text
    assert "- inverted sine, noise 1, n = 1,000: median gap 0.105 (target ≤ 0.12): met." in text
    assert "inverted sine, noise 0.3, n = 4,000: median 0.060 (v1 0.050)" in text and "NOT met." in text
    closing = text.split("### Where the recipe is not ahead, and why")[1]
    assert "inverted sine, noise 1, n = 1,000 (0.50×)" in closing  # GMR faster there
    assert "inverted sine, noise 0.3, n = 4,000 (0.060 against v1's 0.050)" in closing
    assert "(0.105 against GMR's 0.120)" not in closing  # the recipe is closer than GMR there
