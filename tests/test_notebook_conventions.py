"""Every committed notebook follows the course's conventions (INSTRUCTORS.md, "Adding a lesson").

Each notebook is generated from its lesson source, lessons/NN_slug.py (tests/test_lesson_sources.py checks that
they agree). Checked on the files as committed, without running them (nbval runs them): the Colab first cell, the
python3 kernel, executed top to bottom with no errors or warnings, the title, learning objectives, setup,
recap and a pointer to the next lesson, exercises with automatic checks, and a solutions notebook in which
every one of those checks must pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools.build_notebooks import colab_cell_source, repository_url

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"
SOURCES = ROOT / "lessons"

# The Colab install cell and every Binder/Colab link use the one repository setting, pyproject's
# [project.urls] Repository (tools/set_repository.py rewrites them all for a fork).
REPOSITORY_URL = repository_url()
REPOSITORY = REPOSITORY_URL.removeprefix("https://github.com/")
COLAB_CELL = colab_cell_source(REPOSITORY_URL)

# The lesson plan (the table in 00_welcome and README.md).
PLAN = (
    "00_welcome",
    "01_p_and_q",
    "02_gaussian_mixtures",
    "03_mse_fails",
    "04_mdn",
    "05_using_and_judging",
    "06_robot_arm",
    "07_mdn_rnn",
    "08_mdn_or_something_else",
    "09_writing_with_an_mdn_rnn",
)
CHECK_CALL = re.compile(r"\bml\.checks\.lesson(\d\d)\.(check_\w+)\s*\(")
TRAINING_WIDGET = re.compile(r"\b(\w+)\s*=\s*(?:ml\.widgets\.|widgets\.)?(?:MDNTrainer|MixtureExplorer)\s*\(")

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SOLUTION_NOTEBOOKS = sorted(SOLUTIONS.glob("[0-9][0-9]_*_solutions.ipynb"))
ALL = LESSONS + SOLUTION_NOTEBOOKS
EXERCISE_LESSONS = [path for path in LESSONS if not path.name.startswith("00_")]  # the welcome page may have fewer


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _number(path: Path) -> int:
    return int(path.name[:2])


def _markdown(nb) -> str:
    return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def _code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _section(text: str, heading: str) -> str | None:
    """The text under ``## heading`` up to the next heading of level 1 or 2 (None if there is no such heading)."""
    match = re.search(rf"^##\s+{re.escape(heading)}\s*$(.*?)(?=^#{{1,2}}\s|\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else None


def _bullets(text: str) -> int:
    return len(re.findall(r"^\s*(?:[-*]|\d+\.)\s+\S", text, re.MULTILINE))


def _ids(paths):
    return [path.relative_to(NOTEBOOKS).as_posix() for path in paths]


def test_the_course_has_every_lesson_of_the_plan():
    missing = [name for name in PLAN if not (NOTEBOOKS / f"{name}.ipynb").exists()]
    missing += [f"solutions/{n}_solutions" for n in PLAN if not (SOLUTIONS / f"{n}_solutions.ipynb").exists()]
    missing += [f"lessons/{name}.py" for name in PLAN if not (SOURCES / f"{name}.py").exists()]
    assert not missing, f"lessons of the plan without their source or notebooks: {missing}"


def test_no_notebook_outside_the_plan_naming():
    # Tools find lessons and solutions by these names (NN_slug.ipynb, solutions/NN_slug_solutions.ipynb).
    stray = [
        path.relative_to(NOTEBOOKS).as_posix()
        for path in NOTEBOOKS.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts and path not in ALL
    ]
    assert not stray, f"notebooks named outside the convention: {stray}"


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_every_notebook_is_generated_from_a_lesson_source(path):
    source = SOURCES / f"{path.stem.removesuffix('_solutions')}.py"
    assert source.exists(), f"no source lessons/{source.name}: notebooks are generated, never written by hand"


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_first_cell_installs_the_package_on_colab_only(path):
    first = _read(path).cells[0]
    assert first.cell_type == "code"
    assert first.source == COLAB_CELL, "the first cell must be exactly the Colab install cell of the conventions"
    assert first.outputs == [], "on a machine that is not Colab the first cell shows nothing"


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_kernel_is_python3(path):
    kernelspec = _read(path).metadata.get("kernelspec", {})
    assert kernelspec.get("name") == "python3" and kernelspec.get("language") == "python", kernelspec


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_committed_executed_top_to_bottom_without_errors(path):
    cells = [cell for cell in _code_cells(_read(path)) if cell.source.strip()]
    counts = [cell.execution_count for cell in cells]
    assert None not in counts, f"cells not executed: {[i for i, c in enumerate(counts) if c is None]}"
    assert counts == list(range(1, len(counts) + 1)), f"not run once, top to bottom, in a fresh kernel: {counts}"
    for cell in cells:
        for output in cell.outputs:
            assert output.output_type != "error", f"error output in:\n{cell.source}"
            if output.output_type == "stream" and output.name == "stderr":
                assert not re.search(r"Warning|Traceback", output.text), f"warning in the output of:\n{cell.source}"


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_title_names_the_lesson_number(path):
    title = _read(path).cells[1]
    assert title.cell_type == "markdown"
    assert re.match(rf"# {path.name[:2]} · \S", title.source), f"title should be '# {path.name[:2]} · Title'"


@pytest.mark.parametrize("path", ALL, ids=_ids(ALL))
def test_setup_imports_the_package_and_starts_the_lesson(path):
    code = [cell.source for cell in _code_cells(_read(path))]
    setup = next((i for i, source in enumerate(code) if "ml.start_lesson(" in source), None)
    assert setup is not None, "no setup cell calling ml.start_lesson(seed=0)"
    assert "import mdn_lessons as ml" in code[setup] and "rng = ml.start_lesson(seed=0)" in code[setup]
    assert not any("mdn_lessons" in source for source in code[1:setup]), "the package is used before the setup cell"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_has_objectives_setup_and_recap(path):
    text = _markdown(_read(path))
    objectives = _section(text, "Learning objectives")
    assert objectives is not None and 3 <= _bullets(objectives) <= 5, "'## Learning objectives' with 3-5 bullets"
    assert _section(text, "Setup") is not None, "no '## Setup' section"
    recap = _section(text, "Recap")
    assert recap is not None and _bullets(recap) >= 1, "'## Recap' with bullets"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_ends_with_recap_and_points_to_the_next(path):
    nb = _read(path)
    recap_cell = max(i for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown" and "## Recap" in cell.source)
    after = "\n\n".join(cell.source for cell in nb.cells[recap_cell:] if cell.cell_type == "markdown")
    code_after = [cell for cell in nb.cells[recap_cell + 1 :] if cell.cell_type == "code"]
    assert not code_after or re.search(r"^##\s+Exercises", after, re.MULTILINE), (
        "after the recap only the '## Exercises' section may follow"
    )
    following = _number(path) + 1
    if any(name.startswith(f"{following:02d}_") for name in PLAN):
        assert re.search(rf"\b{following:02d}(?:_\w+|\s*·)", after), f"no pointer to lesson {following:02d}"


@pytest.mark.parametrize("path", EXERCISE_LESSONS, ids=_ids(EXERCISE_LESSONS))
def test_lesson_has_at_least_two_checked_exercises(path):
    code = "\n".join(cell.source for cell in _code_cells(_read(path)))
    checks = {name for number, name in CHECK_CALL.findall(code) if int(number) == _number(path)}
    assert len(checks) >= 2, f"exercises checked by ml.checks.lesson{path.name[:2]}: {sorted(checks)}"
    assert code.count("# TODO") >= 2, "each exercise starts from a stub marked '# TODO'"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_checks_are_of_this_lesson_and_solved_in_the_solutions(path):
    code = "\n".join(cell.source for cell in _code_cells(_read(path)))
    calls = CHECK_CALL.findall(code)
    assert all(int(number) == _number(path) for number, _ in calls), f"checks of another lesson: {calls}"
    if not calls:
        return
    solutions = SOLUTIONS / f"{path.stem}_solutions.ipynb"
    assert solutions.exists(), f"no solutions notebook {solutions.relative_to(ROOT)}"
    solved = set()
    for cell in _code_cells(_read(solutions)):
        for match in re.finditer(r"\bresult\s*=\s*ml\.checks\.lesson(\d\d)\.(check_\w+)\s*\(", cell.source):
            if re.search(r"^\s*assert result\.passed\b", cell.source[match.end() :], re.MULTILINE):
                solved.add(match.group(2))
    unsolved = {name for _, name in calls} - solved
    assert not unsolved, f"exercises without 'result = ...check(...)' + 'assert result.passed' in solutions: {unsolved}"


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=_ids(SOLUTION_NOTEBOOKS))
def test_solutions_belong_to_a_lesson(path):
    assert (NOTEBOOKS / path.name.replace("_solutions", "")).exists(), "solutions of a lesson that does not exist"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_training_widgets_are_also_trained_headless(path):
    # Executed without a browser nobody presses Train, so the next cell trains and prints the status.
    code = [cell.source for cell in _code_cells(_read(path))]
    for index, source in enumerate(code):
        for name in TRAINING_WIDGET.findall(source):
            following = code[index + 1] if index + 1 < len(code) else ""
            assert f"{name}.train()" in following and f"{name}.status.value" in following, (
                f"the cell after '{name} = ml.widgets...' should call {name}.train() and print {name}.status.value"
            )


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_readme_opens_each_lesson_on_binder_and_colab(path):
    readme = (ROOT / "README.md").read_text()
    binder = f"https://mybinder.org/v2/gh/{REPOSITORY}/HEAD?urlpath=lab/tree/notebooks/{path.name}"
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/{path.name}"
    assert binder in readme.replace("%2F", "/"), f"README has no Binder link for {path.name}"
    assert colab in readme, f"README has no Colab link for {path.name}"


def test_readme_binder_badge_opens_the_lesson_list():
    readme = (ROOT / "README.md").read_text().replace("%2F", "/")
    badge = f"[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/{REPOSITORY}/HEAD?urlpath=lab/tree/notebooks)"
    assert badge in readme
