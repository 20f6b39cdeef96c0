"""Each lesson is written once, as lessons/NN_slug.py, and its two notebooks are generated from it.

The committed notebooks must be what tools/build_notebooks.py makes of their source (cell types, sources, tags
and ids; outputs are not compared), and every source must have its two notebooks (that every notebook has a
source is checked in tests/test_notebook_conventions.py). The generator itself is tested on small sources:
which cells go where, the tags it strips and keeps, the Colab cell, the solutions' title and the
``assert result.passed`` it appends to their check cells.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tools import build_notebooks as bn

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))
REPOSITORY = "https://example.org/someone/course"


def _ids(paths):
    return [path.name for path in paths]


# ------------------------------------------------------------------------------ the committed lessons


def test_there_are_lesson_sources():
    assert len(SOURCES) >= 8, "lessons/ should hold one NN_slug.py per lesson"


@pytest.mark.parametrize("source", SOURCES, ids=_ids(SOURCES))
def test_committed_notebooks_are_generated_from_their_source(source):
    built = bn.build(source)
    for path, expected in ((built.lesson_path, built.lesson), (built.solutions_path, built.solutions)):
        found = bn.differences(expected, path)
        assert not found, (
            f"{path.relative_to(ROOT)} is not what {source.relative_to(ROOT)} generates ({'; '.join(found[:5])}): "
            "edit the source, not the notebook, then run `make notebooks` and commit the source and both notebooks"
        )


@pytest.mark.parametrize("source", SOURCES, ids=_ids(SOURCES))
def test_every_source_has_its_two_notebooks(source):
    for path in bn.notebook_paths(source):
        assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make notebooks LESSONS={source.name}`"


def test_check_mode_agrees_with_the_committed_notebooks(capsys):
    assert bn.main(["--check", *map(str, SOURCES)]) == 0, capsys.readouterr().out


# ------------------------------------------------------------------------------ the generator


SMALL = """\
# %% [markdown]
# # 42 · A small lesson
#
# Text for students only.

# %% [markdown] tags=["exercise"]
# ## Setup

# %% tags=["exercise", "nbval-ignore-output"]
import mdn_lessons as ml

rng = ml.start_lesson(seed=0)

# %% [markdown] tags=["exercise"]
# ### Exercise 1: double it

# %% tags=["stub"]
def double(x):
    ...  # TODO: return twice x


# %% tags=["solution"]
def double(x):
    return 2 * x


# %% [markdown] tags=["solution"]
# Any number times two.

# %% tags=["exercise"]
result = ml.checks.lesson42.check_double(double)

# %% tags=["solution"]
result = ml.checks.lesson42.check_other(double)
assert result.passed
print("done")

# %% tags=["hand-built"]
print("lesson only, with a tag of its own")
"""


@pytest.fixture
def course(tmp_path):
    """A small course: pyproject.toml with a repository address, lessons/42_small.py, an empty notebooks/."""
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[project.urls]\nRepository = "{REPOSITORY}"\n')
    (tmp_path / "lessons").mkdir()
    source = tmp_path / "lessons" / "42_small.py"
    source.write_text(SMALL)
    return source


def _build(source):
    return bn.build(source, repository=bn.repository_url(source.parents[1] / "pyproject.toml"))


def _sources(nb):
    return [cell.source for cell in nb.cells]


def test_the_student_notebook_has_every_cell_but_the_solutions(course):
    lesson = _build(course).lesson
    assert [cell.cell_type for cell in lesson.cells] == ["code", "markdown", "markdown", "code", "markdown"] + [
        "code",
        "code",
        "code",
    ]
    sources = _sources(lesson)
    assert sources[1].startswith("# 42 · A small lesson")
    assert "...  # TODO: return twice x" in sources[5]
    assert not any("return 2 * x" in source or "Any number" in source for source in sources)
    assert sources[6] == "result = ml.checks.lesson42.check_double(double)"  # no assert in the student's copy


def test_the_solutions_notebook_has_a_title_the_exercises_and_the_solutions(course):
    solutions = _build(course).solutions
    sources = _sources(solutions)
    assert sources[1] == (
        "# 42 · A small lesson: solutions\n\n"
        "Worked solutions to the exercises of [42_small.ipynb](../42_small.ipynb). "
        "Each solution ends with its check, which must pass."
    )
    assert sources[2:6] == [
        "## Setup",
        "import mdn_lessons as ml\n\nrng = ml.start_lesson(seed=0)",
        "### Exercise 1: double it",
        "def double(x):\n    return 2 * x",
    ]
    assert sources[6] == "Any number times two."
    assert not any("TODO" in source or "Text for students" in source or "lesson only" in source for source in sources)


def test_check_cells_of_the_solutions_end_with_assert_result_passed_once(course):
    sources = _sources(_build(course).solutions)
    assert sources[7] == "result = ml.checks.lesson42.check_double(double)\nassert result.passed"
    assert sources[8] == 'result = ml.checks.lesson42.check_other(double)\nassert result.passed\nprint("done")'
    assert bn.with_assert("x = 1") == "x = 1"
    assert bn.with_assert("result = ml.checks.lesson01.check_a(a)\n") == (
        "result = ml.checks.lesson01.check_a(a)\nassert result.passed"
    )


def test_both_notebooks_start_with_the_colab_cell_for_the_repository_in_pyproject(course):
    built = _build(course)
    for nb in (built.lesson, built.solutions):
        first = nb.cells[0]
        assert first.cell_type == "code" and first.source == bn.colab_cell_source(REPOSITORY)
        assert f'%pip install --quiet --no-deps "git+{REPOSITORY}"' in first.source
        assert 'if "google.colab" in sys.modules:' in first.source


def test_the_colab_cell_is_folded_and_says_colab_only_in_its_first_line(course):
    first = _build(course).lesson.cells[0]
    title = first.source.splitlines()[0]
    assert title.startswith("#@title Colab only")  # Colab's form view shows this line alone
    assert first.metadata["cellView"] == "form"
    assert first.metadata["jupyter"] == {"source_hidden": True}  # JupyterLab folds the source away
    assert first.outputs == [] and first.execution_count is None


def test_the_colab_cell_of_the_course_is_the_committed_one():
    committed = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4).cells[0].source
    assert bn.colab_cell_source(bn.repository_url()) == committed


def test_only_the_generators_tags_are_stripped(course):
    built = _build(course)
    tags = {cell.source.splitlines()[0]: cell.metadata.get("tags") for cell in built.lesson.cells}
    assert tags["import mdn_lessons as ml"] == ["nbval-ignore-output"]
    assert tags['print("lesson only, with a tag of its own")'] == ["hand-built"]
    for nb in (built.lesson, built.solutions):
        for cell in nb.cells:
            assert not set(cell.metadata.get("tags", [])) & {"exercise", "stub", "solution"}


def test_cell_ids_are_stable_and_unique(course):
    first, again = _build(course), _build(course)
    for a, b in ((first.lesson, again.lesson), (first.solutions, again.solutions)):
        ids = [cell.id for cell in a.cells]
        assert ids == [cell.id for cell in b.cells]
        assert len(set(ids)) == len(ids)
    nbformat.validate(first.lesson)
    nbformat.validate(first.solutions)


def test_write_then_check_then_an_edit_is_reported_stale(course, capsys):
    notebooks = course.parents[1] / "notebooks"
    assert bn.main(["--check", str(course)]) == 1, "missing notebooks are stale"
    assert not notebooks.exists(), "--check writes nothing"
    assert bn.main([str(course)]) == 0
    lesson, solutions = bn.notebook_paths(course)
    assert lesson.exists() and solutions.exists()
    assert bn.main(["--check", str(course)]) == 0
    course.write_text(SMALL.replace("return 2 * x", "return x + x"))
    before = solutions.read_bytes()
    assert bn.main(["--check", str(course)]) == 1
    assert solutions.read_bytes() == before
    assert "OUT OF DATE" in capsys.readouterr().out


def test_an_up_to_date_notebook_keeps_its_outputs(course):
    bn.main([str(course)])
    lesson, _ = bn.notebook_paths(course)
    nb = json.loads(lesson.read_text())
    nb["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["kept\n"]}]
    nb["cells"][3]["execution_count"] = 2
    lesson.write_text(json.dumps(nb))
    assert bn.main([str(course)]) == 0
    assert "kept" in lesson.read_text(), "a notebook whose cells match its source is not rewritten"


def test_a_cell_with_two_of_the_generators_tags_is_refused(course):
    course.write_text(SMALL.replace('# %% tags=["stub"]', '# %% tags=["stub", "solution"]'))
    with pytest.raises(ValueError, match="only one of"):
        _build(course)


def test_a_source_without_a_numbered_title_is_refused(course):
    course.write_text(SMALL.replace("# # 42 · A small lesson", "# # A small lesson"))
    with pytest.raises(ValueError, match="# NN · Title"):
        _build(course)
    misnumbered = course.with_name("43_small.py")
    misnumbered.write_text(SMALL)
    with pytest.raises(ValueError, match="not the file's"):
        _build(misnumbered)


def test_a_source_must_be_named_like_a_lesson(tmp_path):
    source = tmp_path / "small.py"
    source.write_text(SMALL)
    with pytest.raises(ValueError, match="NN_slug.py"):
        bn.build(source, repository=REPOSITORY)


def test_the_repository_address_must_be_in_pyproject(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    with pytest.raises(ValueError, match="Repository"):
        bn.repository_url(pyproject)


def test_a_source_round_trips_through_jupytext(course):
    # What an instructor writes is what the generator reads: no cell is split, merged or reordered.
    nb = bn.read_source(course)
    roles = [bn.role(cell) for cell in nb.cells]
    assert roles == [None, "exercise", "exercise", "exercise", "stub", "solution", "solution", "exercise"] + [
        "solution",
        None,
    ]
