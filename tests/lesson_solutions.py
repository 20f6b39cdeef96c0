"""The exercises' worked answers, taken from the lesson sources (``lessons/NN_slug.py``), not copied into tests.

``solution("04", "mixture_from_heads")`` finds the cell tagged ``solution`` that defines (or assigns)
``mixture_from_heads`` in lesson 04's source, and runs that cell's statements up to the one that binds the name,
in a fresh namespace that holds the imports of the lesson's setup cell and any ``given`` variables (the data a
value answer is computed from). Nothing else of the lesson runs, so no model is trained and no check is called.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"


def lesson_source(number: str) -> Path:
    """The source ``lessons/NN_slug.py`` of lesson ``number`` ("00" to "99")."""
    found = sorted(LESSONS.glob(f"{number}_*.py"))
    if len(found) != 1:
        raise ValueError(f"expected one lesson source lessons/{number}_*.py, found {[p.name for p in found]}")
    return found[0]


@functools.cache
def _code_cells(number: str) -> tuple[tuple[str, str], ...]:
    """(tag, source) of each code cell of the lesson source, in order; tag is '' for an untagged cell."""
    nb = jupytext.read(lesson_source(number), fmt="py:percent")
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            own = [tag for tag in cell.metadata.get("tags", []) if tag in ("exercise", "stub", "solution")]
            cells.append((own[0] if own else "", cell.source))
    return tuple(cells)


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.FunctionDef | ast.ClassDef):
        return statement.name == name
    targets = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
        targets = [statement.target]
    return any(isinstance(node, ast.Name) and node.id == name for target in targets for node in ast.walk(target))


def _run(statements: list[ast.stmt], namespace: dict, label: str) -> None:
    exec(compile(ast.Module(body=statements, type_ignores=[]), label, "exec"), namespace)


def setup_imports(number: str) -> dict:
    """A namespace holding what the solutions' setup cell imports (the cell that calls ``ml.start_lesson``)."""
    cells = _code_cells(number)
    setup = [source for tag, source in cells if tag in ("exercise", "solution") and "ml.start_lesson(" in source]
    if len(setup) != 1:
        raise ValueError(f"lesson {number}'s solutions should have one setup cell calling ml.start_lesson")
    namespace: dict = {}
    imports = [s for s in ast.parse(setup[0]).body if isinstance(s, ast.Import | ast.ImportFrom)]
    _run(imports, namespace, f"lesson {number} setup")
    return namespace


def solution(number: str, name: str, **given):
    """What lesson ``number``'s solution cell binds to ``name``, computed from the ``given`` variables."""
    return solution_namespace(number, name, **given)[name]


def solution_namespace(number: str, name: str, **given) -> dict:
    """The namespace after the solution cell that binds ``name`` ran up to that statement (see ``solution``)."""
    for tag, source in _code_cells(number):
        if tag != "solution":
            continue
        body = ast.parse(source).body
        upto = next((i for i, statement in enumerate(body) if _binds(statement, name)), None)
        if upto is None:
            continue
        namespace = setup_imports(number) | given
        _run(body[: upto + 1], namespace, f"lesson {number} solution of {name}")
        return namespace
    raise ValueError(f"no cell tagged 'solution' in {lesson_source(number).name} binds {name!r}")
