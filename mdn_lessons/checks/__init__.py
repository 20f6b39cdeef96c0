"""Exercise checkers, one module per lesson: ``ml.checks.lesson00.check_...(answer)``.

Each checker prints ✅ or ❌ with the problems in words and returns a :class:`CheckResult`; it never
raises on a wrong or unfinished answer, so a lesson with its stub in place still runs top to bottom.
"""

from __future__ import annotations

import importlib

from ._core import CheckResult


def __getattr__(name: str):
    # Lesson modules are imported on first use (ml.checks.lesson02), so adding a lesson adds one file.
    if name.startswith("lesson"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"{__name__}.{name}":
                raise AttributeError(f"mdn_lessons.checks has no checker module {name!r}") from None
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CheckResult"]
