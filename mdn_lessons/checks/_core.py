"""The machinery every exercise checker uses: collect problems in words, report them, return a result.

A checker never raises on a wrong or missing answer (the lesson must still run top to bottom with the
stub in place); it prints what is right or wrong and returns a :class:`CheckResult`. Solution notebooks
``assert result.passed`` so that a broken solution fails CI.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch


@dataclass
class CheckResult:
    """The outcome of one exercise check: ``passed`` and the problems found, in words."""

    exercise: str
    passed: bool
    problems: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:
            return f"✅ {self.exercise}: correct."
        return "\n".join([f"❌ {self.exercise}: not yet."] + [f"   - {p}" for p in self.problems])

    def __repr__(self) -> str:  # a cell ending in a check shows the words, not a dataclass dump
        return str(self)

    def _ipython_display_(self) -> None:
        """Show nothing in a notebook: ``run_check`` has printed the verdict already."""


class NotAttempted(Exception):
    """Raised inside a checker when the answer is still the stub (None or ...)."""


def is_stub(answer) -> bool:
    return answer is None or answer is Ellipsis


def run_check(exercise: str, test: Callable[[list[str]], None]) -> CheckResult:
    """Run ``test(problems)``, which appends a sentence per problem; print and return the result.

    A stub answer (``NotAttempted``) or an exception raised by the student's own code is reported in
    words rather than propagated, so the lesson keeps running.
    """
    problems: list[str] = []
    try:
        test(problems)
    except NotAttempted as stub:
        problems = [str(stub) or "not attempted yet: replace the `...` in the exercise cell with your code."]
    except Exception as error:  # the student's code raised: say so, do not stop the notebook
        problems.append(f"your code raised {type(error).__name__}: {error}")
    result = CheckResult(exercise, not problems, problems)
    print(result)
    return result


def require_answer(answer, what: str) -> None:
    """Raise NotAttempted if ``answer`` is still the stub."""
    if is_stub(answer):
        raise NotAttempted(f"not attempted yet: {what} is still `...`/None; fill in the exercise cell.")


def tensors_close(answer: torch.Tensor, expected: torch.Tensor, atol: float, rtol: float) -> bool:
    """True if ``answer`` has the shape of ``expected``, is finite, and matches it within the tolerances.

    Both are compared as float32, so a correct answer computed in float64 is judged, not refused.
    """
    if not isinstance(answer, torch.Tensor) or tuple(answer.shape) != tuple(expected.shape):
        return False
    answer = answer.detach().float()
    return bool(torch.isfinite(answer).all()) and bool(
        torch.allclose(answer, expected.detach().float(), atol=atol, rtol=rtol)
    )


def expect_function(answer, what: str, problems: list[str], usage: str = "") -> bool:
    """Raise NotAttempted for a stub; add a problem and return False if ``answer`` is not callable.

    usage: how it is called, e.g. ``"average_nll(y, mean, std)"``, shown in the problem.
    """
    require_answer(answer, f"`{what}`")
    if not callable(answer):
        problems.append(f"{what} should be a function{' ' + usage if usage else ''}, got {type(answer).__name__}")
        return False
    return True


def as_float(value, what: str, problems: list[str]) -> float | None:
    """``value`` as a Python float, or None after adding a problem that says why it is not one."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            problems.append(f"{what} should be a single number, got a tensor of shape {tuple(value.shape)}")
            return None
        value = value.item()
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(f"{what} should be a number, got {type(value).__name__}")
        return None
    if not math.isfinite(number):
        problems.append(f"{what} is {number}; it should be a finite number")
        return None
    return number


def expect_close(value, expected: float, what: str, problems: list[str], tol: float = 1e-3, hint: str = "") -> None:
    """Add a problem if ``value`` is not within ``tol`` (absolute or relative) of ``expected``."""
    number = as_float(value, what, problems)
    if number is None:
        return
    if not math.isclose(number, expected, rel_tol=tol, abs_tol=tol):
        problems.append(f"{what} is {number:.4g}, expected about {expected:.4g}." + (f" {hint}" if hint else ""))


def expect_shape(tensor, shape: tuple[int, ...], what: str, problems: list[str]) -> bool:
    """Add a problem (and return False) if ``tensor`` is not a tensor of exactly ``shape``."""
    if not isinstance(tensor, torch.Tensor):
        problems.append(f"{what} should be a torch tensor, got {type(tensor).__name__}")
        return False
    if tuple(tensor.shape) != tuple(shape):
        problems.append(f"{what} should have shape {tuple(shape)}, got {tuple(tensor.shape)}")
        return False
    return True
