"""No lesson reaches into the package's private names: what a lesson uses is public and documented.

Scanned: every notebook (notebooks/**/*.ipynb) and every lesson source (lessons/*.py, when there are
any). A private name is one that starts with an underscore (dunders such as ``__init__`` excepted):

* importing one: ``from mdn_lessons._validate import ...``, ``from mdn_lessons.models import _body``;
* reaching one as an attribute: ``model._scales_from_raw``, ``ml.models._spread_means`` (the namedtuple
  methods ``_asdict``, ``_fields``, ``_replace`` and ``_make`` are public API despite the underscore);
* overriding one in a subclass of a package class: ``class NaiveMDN(ml.MDN): def _scales_from_raw(...)``;
* pointing students at one in the text: a markdown cell that names `` `_spread_means` ``;
* writing into a model's layers from outside (``model.head.linear.bias[k:] = 0``, ``mdn.body[0].weight.zero_()``):
  the layout of a layer's outputs is the model's business; how a model starts is an option of its
  constructor. A class a lesson writes may still set up its own layers (``self.head.bias.copy_(...)``).

What lessons vary on purpose is a public option instead (e.g. ``ml.MDN(..., scale_map="exp", min_scale=0)``).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "mdn_lessons"
PUBLIC_UNDERSCORE = {"_asdict", "_fields", "_replace", "_make", "_field_defaults"}
BACKTICKED_PRIVATE = re.compile(r"`(?:[\w.]*\.)?(_[A-Za-z]\w*)(?:\(\))?`")


def _private(name: str) -> bool:
    return (
        name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in PUBLIC_UNDERSCORE
    )


def _sources() -> list[tuple[str, str, str]]:
    """(where, kind, text) for every code and markdown cell of every notebook and every lesson source."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("**/*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for index, cell in enumerate(cells):
            text = "".join(cell["source"])
            found.append((f"{path.relative_to(ROOT)} cell {index}", cell["cell_type"], text))
    for path in sorted((ROOT / "lessons").glob("*.py")):
        found.append((str(path.relative_to(ROOT)), "code", path.read_text(encoding="utf-8")))
    return found


def _without_magics(code: str) -> str:
    """IPython lines (%magic, !shell) replaced by ``pass`` so the rest parses as Python."""
    lines = code.splitlines()
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in lines
    )


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def private_uses(code: str, package_names: set[str] | None = None) -> list[str]:
    """Every use of a private name in one piece of Python code, as 'line N: what'.

    package_names: names bound to the package, its modules or its objects in earlier cells (``ml``, ...);
    this code's own imports are added to it.
    """
    tree = ast.parse(_without_magics(code))
    package_names = package_names if package_names is not None else {PACKAGE}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    package_names.add(alias.asname or alias.name.split(".")[0])
                    if any(_private(part) for part in alias.name.split(".")):
                        problems.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
            if any(_private(part) for part in node.module.split(".")):
                problems.append(f"line {node.lineno}: from {node.module} import ...")
            for alias in node.names:
                package_names.add(alias.asname or alias.name)
                if _private(alias.name):
                    problems.append(f"line {node.lineno}: from {node.module} import {alias.name}")
    inside_a_class = {
        id(inner) for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        written = None
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            written = [t.value if isinstance(t, ast.Subscript) else t for t in targets]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr.endswith("_"):
            written = [node.func.value]  # an in-place method such as zero_(), fill_(), copy_()
        for target in [] if id(node) in inside_a_class else written or []:
            target = target.value if isinstance(target, ast.Subscript) else target
            if isinstance(target, ast.Attribute) and target.attr in ("weight", "bias") and _root_name(target) != "self":
                problems.append(f"line {node.lineno}: writes {ast.unparse(target)} from outside the model")
        if isinstance(node, ast.Attribute) and _private(node.attr):
            problems.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ClassDef) and any(_root_name(base) in package_names for base in node.bases):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(item.name):
                    problems.append(f"line {item.lineno}: class {node.name} overrides the private {item.name}")
    return problems


def test_no_notebook_or_lesson_source_uses_a_private_name_of_the_package():
    problems = []
    package_names: dict[str, set[str]] = {}  # per file: what its cells bound to the package so far
    for where, kind, text in _sources():
        if kind == "code":
            names = package_names.setdefault(where.split(" cell ")[0], {PACKAGE})
            problems += [f"{where}, {problem}" for problem in private_uses(text, names)]
        elif kind == "markdown":
            problems += [f"{where}: the text points at `{name}`" for name in BACKTICKED_PRIVATE.findall(text)]
    assert not problems, "private names used (make them public options instead):\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("code", "caught"),
    [
        ("from mdn_lessons._validate import float_tensor", True),
        ("import mdn_lessons._validate", True),
        ("from mdn_lessons.models import _body", True),
        ("import mdn_lessons as ml\nml.models._spread_means(3, 1)", True),
        (
            "import mdn_lessons as ml\nclass Naive(ml.MDN):\n    def _scales_from_raw(self, raw):\n        return raw",
            True,
        ),
        ("from mdn_lessons import MDN\nclass Naive(MDN):\n    def _hook(self):\n        pass", True),
        ("model._standardised_params(x)", True),
        ("import mdn_lessons as ml\nmdn = ml.MDN(1, 1, 8, scale_map='exp', min_scale=0)", False),
        ("params._asdict()\n%matplotlib inline", False),
        ("model.heads.bias[8:16] = 0.0", True),
        ("with torch.no_grad():\n    model.head.linear.weight.zero_()", True),
        (
            "class Net(nn.Module):\n    def __init__(self):\n        for layer in self.layers:\n"
            "            layer.bias.fill_(0)",
            False,
        ),
        ("class Mine:\n    def _helper(self):\n        pass\n    def __init__(self):\n        pass", False),
    ],
)
def test_the_scanner_catches_private_names_and_only_those(code, caught):
    assert bool(private_uses(code)) == caught


def test_the_text_scanner_catches_a_pointer_to_a_private_method():
    assert BACKTICKED_PRIVATE.findall("| σ | `models.py`, `_scales_from_raw` |") == ["_scales_from_raw"]
    assert BACKTICKED_PRIVATE.findall('`ml.MDN(..., scale_map="exp")` and `__init__`') == []
