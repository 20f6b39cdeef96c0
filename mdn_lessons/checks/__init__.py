"""Exercise checkers, one module per lesson: ``ml.checks.lesson00.check_...(answer)``.

Each checker prints ✅ or ❌ with the problems in words and returns a :class:`CheckResult`; it never
raises on a wrong or unfinished answer, so a lesson with its stub in place still runs top to bottom.
A new lesson's checker is a new module here, imported below.
"""

from __future__ import annotations

from . import lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07, lesson08, lesson09
from ._core import CheckResult

__all__ = [
    "CheckResult",
    "lesson00",
    "lesson01",
    "lesson02",
    "lesson03",
    "lesson04",
    "lesson05",
    "lesson06",
    "lesson07",
    "lesson08",
    "lesson09",
]
