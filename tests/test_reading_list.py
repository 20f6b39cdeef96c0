"""READING.md, the course's reading list and credits: it exists, the README and the last lesson point to it, and
every lesson it names is a lesson of the course."""

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
READING = ROOT / "READING.md"
LAST_LESSON = "09_writing_with_an_mdn_rnn"
# "lesson 04", "lessons 07 and 09", "lessons 02, 04 and 05": every two-digit number in such a phrase.
LESSON_PHRASE = re.compile(r"\blessons?\s+(\d{2}(?:(?:\s*,\s*|\s+and\s+|\s+to\s+)\d{2})*)", re.IGNORECASE)


def lesson_numbers_named(text: str) -> set[str]:
    """The two-digit lesson numbers a text names ("lesson 04", "lessons 07 and 09", ...)."""
    return {number for phrase in LESSON_PHRASE.findall(text) for number in re.findall(r"\d{2}", phrase)}


def course_lessons() -> set[str]:
    return {path.name[:2] for path in (ROOT / "lessons").glob("[0-9][0-9]_*.py")}


def markdown_links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_reading_list_exists_and_has_the_sources_the_course_owes():
    text = READING.read_text(encoding="utf-8")
    for source in (
        "NCRG/94/004",
        "section 5.6",
        "arXiv:1308.0850",
        "arXiv:1803.10122",
        "Deep Learning Cage Match",
        "DuaneNielsen/mixturedensity",
        "Azzalini",
        "Koenker",
        "Rosenblatt",
        "Parzen",
        "Ghahramani",
        "arXiv:2107.02270",
    ):
        assert source in text, f"READING.md does not mention {source}"
    assert "## Credits" in text


def test_lesson_phrases_are_read_as_the_numbers_they_name():
    assert lesson_numbers_named("goes with lesson 04 and lessons 07 and 09; see lessons 02, 05 to 06") == {
        "04",
        "07",
        "09",
        "02",
        "05",
        "06",
    }
    assert lesson_numbers_named("Lesson 3 and 1994") == set()


def test_every_lesson_the_reading_list_names_exists():
    named = lesson_numbers_named(READING.read_text(encoding="utf-8"))
    assert named, "READING.md should say which lesson each entry goes with"
    missing = named - course_lessons()
    assert not missing, f"READING.md names lessons that do not exist: {sorted(missing)}"


def test_every_local_link_in_the_reading_list_resolves():
    for link in markdown_links(READING.read_text(encoding="utf-8")):
        if "://" not in link and not link.startswith("#"):
            assert (ROOT / link).exists(), f"READING.md links to {link}, which does not exist"


def test_readme_links_to_the_reading_list():
    assert "READING.md" in markdown_links((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_last_lesson_ends_by_pointing_to_the_reading_list():
    path = ROOT / "notebooks" / f"{LAST_LESSON}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    last = next(cell for cell in reversed(notebook.cells) if cell.cell_type == "markdown")
    reading_links = [link for link in markdown_links(last.source) if link.endswith("READING.md")]
    assert reading_links, f"the last markdown cell of {path.name} does not link to READING.md"
    for link in reading_links:
        assert (path.parent / link).resolve() == READING, f"{path.name} links to {link}, not to READING.md"
