"""Generate each lesson's two notebooks from its one source, ``lessons/NN_slug.py`` (``make notebooks``).

A lesson source is a jupytext ``py:percent`` file. Its cells are tagged in the cell marker
(``# %% tags=["stub"]``); the tag decides which notebook a cell goes to:

    (no tag)    the student's notebook only               notebooks/NN_slug.ipynb
    exercise    both notebooks (statements, setup, data the solutions need, check cells)
    stub        the student's notebook only (the starting point: ``...`` and a ``# TODO``)
    solution    the solutions notebook only               notebooks/solutions/NN_slug_solutions.ipynb

Other metadata (e.g. ``tags=["nbval-ignore-output"]``) passes through to both notebooks; only the three tags
above, and what jupytext records about the source's layout (blank lines between cells), are removed. Both
notebooks start with the Colab install cell (the repository address comes from ``pyproject.toml``; folded
away, its first line says it is for Colab only); the
solutions notebook then has a title cell made from the lesson's title, and each of its check cells
(``result = ml.checks.lessonNN.check_...``) ends with ``assert result.passed`` (unless it already asserts it
after the check).

The notebooks are written unexecuted (``make notebooks`` then executes them). A notebook whose cells already
match its source is left untouched, so its committed outputs stay. Cell ids are derived from the cell's
content, so regenerating an unchanged source changes nothing.

    python -m tools.build_notebooks [lessons/NN_slug.py ...]    (default: every lesson in lessons/)
    python -m tools.build_notebooks --check [...]               (write nothing; exit 1 if a notebook is stale)
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
LESSONS_DIR = ROOT / "lessons"
NOTEBOOKS_DIR = ROOT / "notebooks"
SOLUTIONS_DIR = NOTEBOOKS_DIR / "solutions"

EXERCISE, STUB, SOLUTION = "exercise", "stub", "solution"
OWN_TAGS = (EXERCISE, STUB, SOLUTION)
LESSON_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+$")
TITLE = re.compile(r"^# (\d\d) · (\S.*)$")
CHECK_CELL = re.compile(r"\bresult = ml\.checks\.lesson\d\d\.check_")
ASSERT_PASSED = "assert result.passed"
# Cell metadata jupytext keeps only to write the source back as it was (blank lines, markers): not for notebooks.
JUPYTEXT_ONLY = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "region_name", "title")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

COLAB_TEMPLATE = """\
#@title Colab only: installs the course's package there; does nothing anywhere else.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet --no-deps "git+{repository}"
    from google.colab import output

    output.enable_custom_widget_manager()"""
# The cell is folded away: JupyterLab and Jupyter Notebook hide its source (a "..." to click open), Colab shows
# it as a form, only its #@title line, which must come first.
COLAB_METADATA = {"cellView": "form", "jupyter": {"source_hidden": True}}


@dataclass(frozen=True)
class Built:
    """The two notebooks generated from one lesson source, and where they belong."""

    source: Path
    lesson_path: Path
    lesson: nbformat.NotebookNode
    solutions_path: Path
    solutions: nbformat.NotebookNode


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The repository address from ``[project.urls] Repository`` in pyproject.toml."""
    with open(pyproject, "rb") as file:
        urls = tomllib.load(file).get("project", {}).get("urls", {})
    if "Repository" not in urls:
        raise ValueError(f"{pyproject} has no [project.urls] Repository address for the Colab install cell")
    return urls["Repository"]


def colab_cell_source(repository: str) -> str:
    """The first cell of every notebook: pip-installs the package from ``repository`` on Colab only."""
    return COLAB_TEMPLATE.format(repository=repository)


def colab_cell(repository: str) -> nbformat.NotebookNode:
    """The Colab install cell, folded (:data:`COLAB_METADATA`)."""
    return nbformat.v4.new_code_cell(colab_cell_source(repository), metadata=copy.deepcopy(COLAB_METADATA))


def notebook_paths(source: Path, notebooks_dir: Path | None = None) -> tuple[Path, Path]:
    """(student notebook, solutions notebook) generated from ``lessons/NN_slug.py``.

    By default they sit in the ``notebooks/`` folder beside the source's ``lessons/`` folder.
    """
    name = Path(source).stem
    if notebooks_dir is None:
        notebooks_dir = Path(source).resolve().parent.parent / "notebooks"
    return notebooks_dir / f"{name}.ipynb", notebooks_dir / "solutions" / f"{name}_solutions.ipynb"


def read_source(path: Path) -> nbformat.NotebookNode:
    """The lesson source as a notebook of tagged cells (jupytext py:percent)."""
    return jupytext.read(path, fmt="py:percent")


def cell_tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def role(cell) -> str | None:
    """The cell's generator tag (exercise, stub or solution), or None for a lesson-only cell."""
    own = [tag for tag in cell_tags(cell) if tag in OWN_TAGS]
    if len(own) > 1:
        raise ValueError(f"a cell may carry only one of {OWN_TAGS}, this one has {own}:\n{cell.source}")
    return own[0] if own else None


def lesson_title(source_nb: nbformat.NotebookNode, name: str) -> tuple[str, str]:
    """(number, title) from the lesson's first markdown cell, which must start with ``# NN · Title``."""
    first = next((cell for cell in source_nb.cells if cell.cell_type == "markdown"), None)
    match = TITLE.match(first.source.splitlines()[0]) if first is not None and first.source else None
    if match is None:
        raise ValueError(f"{name}: the first markdown cell must start with '# NN · Title'")
    number, title = match.groups()
    if not name.startswith(number):
        raise ValueError(f"{name}: the title's number {number} is not the file's")
    return number, title


def _cell(cell, source: str | None = None) -> nbformat.NotebookNode:
    """A fresh notebook cell with the source cell's content and metadata, minus the generator's tags."""
    metadata = {key: value for key, value in cell.get("metadata", {}).items() if key not in ("tags", *JUPYTEXT_ONLY)}
    tags = [tag for tag in cell_tags(cell) if tag not in OWN_TAGS]
    if tags:
        metadata["tags"] = tags
    source = cell.source if source is None else source
    if cell.cell_type == "markdown":
        return nbformat.v4.new_markdown_cell(source, metadata=metadata)
    if cell.cell_type == "code":
        return nbformat.v4.new_code_cell(source, metadata=metadata)
    return nbformat.v4.new_raw_cell(source, metadata=metadata)


def with_assert(source: str) -> str:
    """A check cell's source with ``assert result.passed`` as its last line.

    Unchanged if the cell has no check call, or already asserts ``result.passed`` after its last check call.
    """
    calls = list(CHECK_CELL.finditer(source))
    if not calls or re.search(rf"^\s*{re.escape(ASSERT_PASSED)}\s*$", source[calls[-1].end() :], re.MULTILINE):
        return source
    return source.rstrip("\n") + "\n" + ASSERT_PASSED


def _notebook(cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": dict(KERNELSPEC)})
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen: dict[str, int] = {}
    for cell in cells:
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell.id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
    nb.cells = cells
    return nb


def build_lesson(source_nb: nbformat.NotebookNode, repository: str) -> nbformat.NotebookNode:
    """The student's notebook: the Colab cell, then every cell not tagged ``solution``."""
    cells = [colab_cell(repository)]
    cells += [_cell(cell) for cell in source_nb.cells if role(cell) != SOLUTION]
    return _notebook(cells)


def build_solutions(source_nb: nbformat.NotebookNode, name: str, repository: str) -> nbformat.NotebookNode:
    """The solutions notebook: the Colab cell, a title, then the ``exercise`` and ``solution`` cells."""
    number, title = lesson_title(source_nb, name)
    heading = (
        f"# {number} · {title}: solutions\n\n"
        f"Worked solutions to the exercises of [{name}.ipynb](../{name}.ipynb). "
        "Each solution ends with its check, which must pass."
    )
    cells = [colab_cell(repository), nbformat.v4.new_markdown_cell(heading)]
    for cell in source_nb.cells:
        if role(cell) in (EXERCISE, SOLUTION):
            source = with_assert(cell.source) if cell.cell_type == "code" else cell.source
            cells.append(_cell(cell, source))
    return _notebook(cells)


def build(source: Path, notebooks_dir: Path | None = None, repository: str | None = None) -> Built:
    """Both notebooks of one lesson source, not yet written."""
    source = Path(source)
    if source.suffix != ".py" or not LESSON_NAME.match(source.stem):
        raise ValueError(f"a lesson source is named lessons/NN_slug.py, not {source}")
    repository = repository_url() if repository is None else repository
    source_nb = read_source(source)
    for cell in source_nb.cells:
        role(cell)  # rejects a cell with two of the generator's tags
    lesson_path, solutions_path = notebook_paths(source, notebooks_dir)
    return Built(
        source=source,
        lesson_path=lesson_path,
        lesson=build_lesson(source_nb, repository),
        solutions_path=solutions_path,
        solutions=build_solutions(source_nb, source.stem, repository),
    )


def _comparable(nb: nbformat.NotebookNode) -> list[tuple]:
    """What the source decides about a notebook: each cell's id, type, source and metadata (not its outputs)."""
    rows = []
    for cell in nb.cells:
        metadata = {key: value for key, value in cell.get("metadata", {}).items() if key != "execution"}
        rows.append((cell.get("id"), cell.cell_type, cell.source, metadata))
    return rows


def differences(expected: nbformat.NotebookNode, path: Path) -> list[str]:
    """How the notebook at ``path`` differs from ``expected`` (empty if it matches; outputs are ignored)."""
    if not path.exists():
        return ["missing"]
    actual = _comparable(nbformat.read(path, as_version=4))
    wanted = _comparable(expected)
    found = []
    if len(actual) != len(wanted):
        found.append(f"{len(actual)} cells, the source makes {len(wanted)}")
    for index, (have, want) in enumerate(zip(actual, wanted, strict=False)):
        for field, a, b in zip(("id", "cell type", "source", "metadata"), have, want, strict=True):
            if a != b:
                found.append(f"cell {index}: {field} differs")
    return found


def lesson_sources(paths: list[str] | None = None) -> list[Path]:
    """The lesson sources named (files or folders), or every ``lessons/NN_slug.py``."""
    if not paths:
        return sorted(LESSONS_DIR.glob("[0-9][0-9]_*.py"))
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(path.glob("[0-9][0-9]_*.py"))
        elif path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"not a lesson source or folder: {name}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="*", help="lesson sources (default: lessons/[0-9][0-9]_*.py)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook is out of date")
    args = parser.parse_args(argv)
    stale = 0
    for source in lesson_sources(args.sources):
        built = build(source)
        for path, nb in ((built.lesson_path, built.lesson), (built.solutions_path, built.solutions)):
            found = differences(nb, path)
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            if not found:
                print(f"up to date  {shown}")
            elif args.check:
                stale += 1
                print(f"OUT OF DATE {shown}: " + "; ".join(found[:5]) + (" ..." if len(found) > 5 else ""))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, path)
                print(f"wrote       {shown} (unexecuted)")
    if stale:
        print(f"{stale} notebook(s) differ from their sources: run `make notebooks` and commit the result")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
