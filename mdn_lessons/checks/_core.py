"""The machinery every exercise checker uses: call the student's code safely, judge it, report in words.

A checker never raises on a wrong or missing answer (the lesson must still run top to bottom with the
stub in place); it prints what is right or wrong and returns a :class:`CheckResult`. Solution notebooks
``assert result.passed`` so that a broken solution fails CI.

Three kinds of trouble are told apart, because each needs a different sentence:

* the answer is still the stub (``...``, or a function whose body is only ``...``): "not attempted yet";
* the student's code raised, returned None, or changed its arguments in place: said so, in words;
* the checker's own code raised: "the checker itself failed", never blamed on the student.

A checker calls student functions only through :func:`call_student`, which hands over copies (so an in-place
edit cannot change what the checker compares with) and turns the student's exceptions into words.
"""

from __future__ import annotations

import ast
import dis
import inspect
import math
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
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
        return "\n".join([f"❌ {self.exercise}: not yet."] + [_bullet(problem) for problem in self.problems])

    def __repr__(self) -> str:  # a cell ending in a check shows the words, not a dataclass dump
        return str(self)

    def _ipython_display_(self) -> None:
        """Show nothing in a notebook: ``run_check`` has printed the verdict already."""


MESSAGE_WIDTH = 88
"""Printed problems are wrapped at this many characters, so no line wraps mid-word in a notebook column."""


def _bullet(problem: str) -> str:
    """One problem as an indented bullet, each of its lines wrapped at word boundaries."""
    return "\n".join(
        textwrap.fill(
            line,
            MESSAGE_WIDTH,
            initial_indent="   - " if index == 0 else "     ",
            subsequent_indent="     ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        for index, line in enumerate(line.strip() for line in problem.split("\n"))
    )


class NotAttempted(Exception):
    """Raised inside a checker when the answer is still the stub (``...``, or a function with a ``...`` body)."""


class Refused(Exception):
    """Raised inside a checker with the one sentence that ends the check (e.g. "returned None")."""


class StudentCodeRaised(Exception):
    """The student's own code raised; the message says what it raised."""


def checker_failure(error: BaseException) -> str:
    """The sentence shown when the checker's own code raised: not the student's fault."""
    return (
        f"the checker itself failed: {type(error).__name__}: {error}. This is a bug in the checker, not in "
        "your answer; please report this."
    )


def run_check(exercise: str, test: Callable[[list[str]], None]) -> CheckResult:
    """Run ``test(problems)``, which appends a sentence per problem; print and return the result.

    A stub answer (``NotAttempted``), a refusal (``Refused``) and an exception raised by the student's code
    (``StudentCodeRaised``, from :func:`call_student`) are reported in words. Any other exception comes from
    the checker itself and is reported as such. Nothing propagates, so the lesson keeps running.
    """
    problems: list[str] = []
    try:
        test(problems)
    except NotAttempted as stub:
        problems = [str(stub) or "not attempted yet: replace the `...` in the exercise cell with your code."]
    except (Refused, StudentCodeRaised) as stop:
        problems.append(str(stop))
    except Exception as error:  # the checker's own bug: say so, do not blame the student or stop the notebook
        problems.append(checker_failure(error))
    result = CheckResult(exercise, not problems, problems)
    print(result)
    return result


def is_stub(answer) -> bool:
    """True for the stub value ``...`` (Ellipsis). None is not a stub: something computed it."""
    return answer is Ellipsis


def _returns_only_none(code) -> bool:
    """True if the bytecode does nothing but return None (a body of ``...``, ``pass`` or only a docstring)."""
    for instruction in dis.get_instructions(code):
        if instruction.opname in ("RESUME", "NOP", "CACHE", "RETURN_VALUE"):
            continue
        if instruction.opname in ("LOAD_CONST", "RETURN_CONST") and instruction.argval is None:
            continue
        return False
    return True


def _says_return_none(function) -> bool:
    """True if the source visibly returns None (``return None``, ``return``, ``lambda ...: None``)."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, ValueError):
        return False  # no readable source (or a lambda inside a larger expression): treat as the stub
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda):
            return isinstance(node.body, ast.Constant) and node.body.value is None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return any(isinstance(statement, ast.Return) for statement in node.body)
    return False


def _ends_with_ellipsis(function) -> bool:
    """True if the function's source ends with a bare ``...`` statement: a stub that unpacks its inputs first."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            last = node.body[-1]
            return isinstance(last, ast.Expr) and isinstance(last.value, ast.Constant) and last.value.value is ...
    return False


def is_stub_function(function) -> bool:
    """True if ``function`` is still an exercise stub: its body is only ``...`` (or a docstring, or ``pass``), or
    it ends with a bare ``...`` after a few given lines (``L1, L2 = arm.LINK_LENGTHS`` then ``...``).

    A function that computes something and forgets its ``return`` also returns None, but is not a stub.
    """
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    if _returns_only_none(code):
        return not _says_return_none(function)
    return _ends_with_ellipsis(function)


def require_answer(answer, what: str) -> None:
    """Raise NotAttempted if ``answer`` is still ``...``, Refused if it is None.

    what: how the lesson names the answer, e.g. ``"`n_branches`"``.
    """
    if is_stub(answer):
        raise NotAttempted(f"not attempted yet: {what} is still `...`/None; fill in the exercise cell.")
    if answer is None:
        raise Refused(
            f"{what} is None, not an answer. A function that ends without `return` gives None, and so do "
            "print(...) and in-place methods such as list.sort(): assign the value itself."
        )


def expect_function(answer, what: str, problems: list[str], usage: str = "") -> bool:
    """Raise NotAttempted for ``...``; add a problem and return False if ``answer`` is not callable.

    usage: how it is called, e.g. ``"average_nll(y, mean, std)"``, shown in the problem.
    """
    if is_stub(answer):
        raise NotAttempted(f"not attempted yet: `{what}` is still `...`/None; fill in the exercise cell.")
    if not callable(answer):
        got = "None: define it with `def` and run that cell" if answer is None else type(answer).__name__
        problems.append(f"{what} should be a function{' ' + usage if usage else ''}, got {got}")
        return False
    return True


# ------------------------------------------------------------------------------------ calling student code


def copy_value(value):
    """A deep copy of tensors and arrays inside tuples, lists, dicts and named tuples (e.g. MixtureParams).

    A tensor that requires grad is copied as a fresh leaf that requires grad too.
    """
    if isinstance(value, torch.Tensor):
        copy = value.detach().clone()
        return copy.requires_grad_() if value.requires_grad else copy
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(copy_value(item) for item in value))
    if isinstance(value, (tuple, list)):
        return type(value)(copy_value(item) for item in value)
    if isinstance(value, dict):
        return {key: copy_value(item) for key, item in value.items()}
    return value


def _same_tensor(before: torch.Tensor, after: torch.Tensor) -> bool:
    if before.shape != after.shape or before.dtype != after.dtype:
        return False
    before, after = before.detach(), after.detach()
    if before.is_floating_point() or before.is_complex():
        return bool(((before == after) | (torch.isnan(before) & torch.isnan(after))).all())
    return bool(torch.equal(before, after))


def changed_parts(before, after, name: str) -> list[str]:
    """The names of the parts of ``after`` (e.g. ``"params.scales"``) whose values differ from ``before``."""
    if isinstance(before, torch.Tensor):
        same = isinstance(after, torch.Tensor) and _same_tensor(before, after)
        return [] if same else [name]
    if isinstance(before, np.ndarray):
        same = isinstance(after, np.ndarray) and before.shape == after.shape
        return [] if same and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")) else [name]
    if isinstance(before, tuple) and hasattr(before, "_fields"):
        return [p for f in before._fields for p in changed_parts(getattr(before, f), getattr(after, f), f"{name}.{f}")]
    if isinstance(before, (tuple, list)):
        if len(before) != len(after):
            return [name]
        return [
            p for i, (b, a) in enumerate(zip(before, after, strict=True)) for p in changed_parts(b, a, f"{name}[{i}]")
        ]
    if isinstance(before, dict):
        if before.keys() != after.keys():
            return [name]
        return [p for key in before for p in changed_parts(before[key], after[key], f"{name}[{key!r}]")]
    return []


def describe_call(name: str, arguments: Mapping[str, object]) -> str:
    """``name(y, 1.2, 0.8)``: numbers shown by value, anything else by its parameter name."""
    shown = [
        repr(value) if isinstance(value, Real) and not isinstance(value, bool) else key
        for key, value in arguments.items()
    ]
    return f"{name}({', '.join(shown)})"


@dataclass
class StudentCall:
    """What a student function returned, and the copies it was handed (after the call)."""

    result: object
    inputs: dict[str, object]
    text: str
    """The call in words, e.g. ``"average_nll(y, 1.2, 0.8)"``."""


def call_student(
    function,
    arguments: Mapping[str, object],
    *,
    name: str,
    stub_message: str,
    none_hint: str = "",
    raise_hints: Mapping[str, str] | None = None,
    allow_in_place: bool = False,
) -> StudentCall:
    """Call ``function(*arguments.values())`` on copies of the arguments and vet what comes back.

    Compute every expected value before calling this: the student's function only ever sees copies.
    Raises NotAttempted (with ``stub_message``) if the function is still the stub, StudentCodeRaised if it
    raised, and Refused if it returned None or (unless ``allow_in_place``) changed one of its arguments.

    none_hint: a sentence added to "returned None", naming this exercise's likely cause.
    raise_hints: {text in the error message: a sentence added when the student's code raised such an error}.
    """
    handed = {key: copy_value(value) for key, value in arguments.items()}
    before = {key: copy_value(value) for key, value in handed.items()}
    text = describe_call(name, arguments)
    try:
        result = function(*handed.values())
    except Exception as error:  # the student's code raised: say what, do not stop the notebook
        hints = [hint for text, hint in (raise_hints or {}).items() if text in str(error)]
        message = f"your code raised {type(error).__name__}: {error}"
        raise StudentCodeRaised(" ".join([message, *hints[:1]])) from error
    if result is Ellipsis or (result is None and is_stub_function(function)):
        raise NotAttempted(stub_message)
    if result is None:
        raise Refused(
            f"{text} returned None: a function gives back only what it `return`s; did you forget the `return`?"
            + (f" {none_hint}" if none_hint else "")
        )
    if not allow_in_place:
        changed = [part for key in arguments for part in changed_parts(before[key], handed[key], key)]
        if changed:
            raise Refused(
                f"{text} changed its argument {', '.join(changed)} in place (an in-place operation such as "
                "`s **= 2`, `y -= m` or `.clamp_()`), which would also change the lesson's own tensors. "
                "Compute new tensors instead (`s = s ** 2`)."
            )
    return StudentCall(result, handed, text)


def answers_equal(first, second) -> bool:
    """True if two answers are identical: same numbers, same tensors (shape and values), same sequences."""
    if isinstance(first, torch.Tensor) or isinstance(second, torch.Tensor):
        return (
            isinstance(first, torch.Tensor)
            and isinstance(second, torch.Tensor)
            and first.shape == second.shape
            and first.dtype == second.dtype
            and bool(torch.equal(first.detach(), second.detach()))
        )
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return (
            isinstance(first, np.ndarray)
            and isinstance(second, np.ndarray)
            and first.shape == second.shape
            and bool(np.array_equal(first, second))
        )
    if isinstance(first, (tuple, list)) and isinstance(second, (tuple, list)):
        return len(first) == len(second) and all(answers_equal(a, b) for a, b in zip(first, second, strict=True))
    if isinstance(first, Real) and isinstance(second, Real):
        return float(first) == float(second)
    return False


class CaseCalls:
    """A student function called on every case up front (each through :func:`call_student`).

    Compute the expected values before creating this. ``calls[i]`` gives case i's :class:`StudentCall`, or
    raises what calling it raised (stub, None, in-place change, the student's exception), so the checker
    reports the cases in order. :meth:`same_elsewhere` tells an answer that ignores its arguments.
    """

    def __init__(self, function, cases: list[Mapping[str, object]], **call_options) -> None:
        self.outcomes: list[StudentCall | Exception] = []
        for arguments in cases:
            try:
                self.outcomes.append(call_student(function, arguments, **call_options))
            except (NotAttempted, Refused, StudentCodeRaised) as stop:
                if isinstance(stop, NotAttempted) or not self.outcomes:
                    raise
                self.outcomes.append(stop)

    def __len__(self) -> int:
        return len(self.outcomes)

    def __getitem__(self, index: int) -> StudentCall:
        outcome = self.outcomes[index]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def same_elsewhere(self, index: int) -> bool:
        """True if case ``index`` got exactly the answer of another case (whose expected value differs)."""
        mine = self.outcomes[index]
        return isinstance(mine, StudentCall) and any(
            isinstance(other, StudentCall) and j != index and answers_equal(other.result, mine.result)
            for j, other in enumerate(self.outcomes)
        )


# -------------------------------------------------------------------------------- judging numbers and tensors


def digits_to_show(tol: float, *values: float) -> int:
    """Decimals that show a difference of ``tol`` and tell the given values apart (at least 4, at most 10)."""
    decimals = max(4, 1 - math.floor(math.log10(tol))) if tol > 0 else 4
    while decimals < 10 and len({f"{v:.{decimals}f}" for v in values}) < len(set(values)):
        decimals += 1
    return decimals


def show_pair(value: float, expected: float, tol: float) -> tuple[str, str]:
    """``value`` and ``expected`` printed with enough decimals to see a difference of ``tol`` between them."""
    decimals = digits_to_show(tol, value, expected)
    return f"{value:.{decimals}f}", f"{expected:.{decimals}f}"


def _kind(value) -> str:
    if value is None:
        return "None"
    if callable(value) and not isinstance(value, (torch.Tensor, np.ndarray)):
        return "a function (call it and use the number it returns)"
    return type(value).__name__


def as_float(value, what: str, problems: list[str]) -> float | None:
    """``value`` as a Python float, or None after adding a problem that says why it is not one.

    Accepted: a Python or NumPy real number, or a tensor or array holding exactly one real number (any shape,
    e.g. () or (1,)). Refused: strings, bools, None, complex numbers, several numbers, inf and NaN.
    """
    if isinstance(value, (torch.Tensor, np.ndarray)):
        size = value.numel() if isinstance(value, torch.Tensor) else value.size
        kind = "tensor" if isinstance(value, torch.Tensor) else "array"
        if size != 1:
            article = "an" if kind == "array" else "a"
            problems.append(f"{what} should be a single number, got {article} {kind} of shape {tuple(value.shape)}")
            return None
        dtype_kind = "b" if value.dtype in (torch.bool, np.bool_) else None
        if isinstance(value, torch.Tensor):
            if value.is_complex():
                dtype_kind = "c"
            value = value.detach().reshape(-1)[0].item()
        else:
            dtype_kind = dtype_kind or value.dtype.kind
            value = value.reshape(-1)[0].item()
        if dtype_kind in ("b", "c"):
            article = "an" if kind == "array" else "a"
            dtype = "bool" if dtype_kind == "b" else "complex"
            problems.append(f"{what} should be a real number, got {article} {kind} of dtype {dtype}")
            return None
    if isinstance(value, (bool, np.bool_)):
        problems.append(f"{what} should be a number, got a bool ({value})")
        return None
    if isinstance(value, str):
        problems.append(f"{what} should be a number, got str ({value!r:.40}); write the number itself, without quotes")
        return None
    if not isinstance(value, Real):
        problems.append(f"{what} should be a number, got {_kind(value)}")
        return None
    if isinstance(value, Integral):
        try:
            number = float(value)
        except OverflowError:
            problems.append(f"{what} is a whole number with {len(str(abs(int(value))))} digits, far too large")
            return None
    else:
        number = float(value)
    if not math.isfinite(number):
        problems.append(f"{what} is {number}; it should be a finite number")
        return None
    return number


def typed_half_unit(number: float, min_significant: int) -> float | None:
    """Half a unit of the last decimal of ``number`` as a person would type it (4.6 -> 0.05), or None.

    None if the number does not look typed (more than 6 significant digits, or written with an exponent) or
    has fewer than ``min_significant`` significant digits (4 for 4.605 is too coarse to count as typed).
    """
    text = repr(abs(number))
    if "e" in text or "inf" in text or "nan" in text:
        return None
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0")
    significant = len((whole + decimals).lstrip("0"))
    if significant > 6 or significant < min_significant:
        return None
    return 0.5 * 10.0 ** -len(decimals)


def expect_close(
    value,
    expected: float,
    what: str,
    problems: list[str],
    tol: float = 1e-3,
    hint: str = "",
    typed_significant: int | None = None,
) -> bool:
    """Add a problem (and return False) unless ``value`` is within ``tol`` (absolute or relative) of ``expected``.

    typed_significant: also accept a value typed from a printed output with at least this many significant
    digits, if ``expected`` rounds to it (4.6 for 4.60517 with 2); None when the exercise wants it computed.
    """
    number = as_float(value, what, problems)
    if number is None:
        return False
    if math.isclose(number, expected, rel_tol=tol, abs_tol=tol):
        return True
    if typed_significant is not None:
        half_unit = typed_half_unit(number, typed_significant)
        if half_unit is not None and abs(number - expected) <= half_unit * (1 + 1e-9):
            return True
    shown, wanted = show_pair(number, expected, tol)
    problems.append(f"{what} is {shown}, expected about {wanted} (within {tol:g})." + (f" {hint}" if hint else ""))
    return False


def close_numbers(value: float, expected: float, tol: float) -> bool:
    """``value`` within ``tol`` of ``expected``, absolutely or relatively."""
    return math.isfinite(expected) and math.isclose(value, expected, rel_tol=tol, abs_tol=tol)


ROWS_HINT = " (one row per input: does it use its arguments rather than notebook variables?)"
"""Added when a function's result has a different number of rows than its input."""


def expect_shape(tensor, shape: tuple[int, ...], what: str, problems: list[str], returned: bool = False) -> bool:
    """Add a problem (and return False) if ``tensor`` is not a real tensor of exactly ``shape``.

    returned: ``tensor`` was returned by the student's function for inputs of ``shape[0]`` rows, so a result
    with another number of rows gets a hint that the function may ignore its arguments.
    """
    if not isinstance(tensor, torch.Tensor):
        problems.append(f"{what} should be a torch tensor, got {_kind(tensor)}")
        return False
    if tuple(tensor.shape) != tuple(shape):
        other_rows = returned and tensor.ndim >= 1 and len(shape) >= 1 and tensor.shape[0] != shape[0]
        hint = ROWS_HINT if other_rows else ""
        problems.append(f"{what} should have shape {tuple(shape)}, got {tuple(tensor.shape)}{hint}")
        return False
    if tensor.is_complex() or tensor.dtype == torch.bool:
        problems.append(f"{what} should hold real numbers, got dtype {tensor.dtype}")
        return False
    return True


def as_tensor(
    value, shape: tuple[int, ...], what: str, problems: list[str], returned: bool = False
) -> torch.Tensor | None:
    """``value`` as a detached float64 copy of shape ``shape``, or None after adding a problem.

    Accepts a torch tensor, a NumPy array, or a list or tuple of numbers (and of one-number tensors); refuses
    anything else (a dict, a tuple of several tensors, strings) in words. returned: as for :func:`expect_shape`.
    """
    if isinstance(value, torch.Tensor):
        tensor = value
    elif isinstance(value, (np.ndarray, list, tuple)) and not hasattr(value, "_fields"):
        try:
            items = [v.detach().item() if isinstance(v, torch.Tensor) and v.numel() == 1 else v for v in value]
            if isinstance(value, np.ndarray) and value.dtype.kind not in "biuf":
                raise TypeError(f"an array of dtype {value.dtype}")
            if any(isinstance(v, (str, bytes, bool, np.bool_)) for v in items):
                raise TypeError("not numbers")
            array = np.asarray(items, dtype=np.float64)
        except (TypeError, ValueError, RuntimeError):
            problems.append(f"{what} should be a torch tensor of shape {tuple(shape)}, got {_kind(value)}")
            return None
        tensor = torch.from_numpy(array)
    else:
        problems.append(f"{what} should be a torch tensor of shape {tuple(shape)}, got {_kind(value)}")
        return None
    if not expect_shape(tensor, shape, what, problems, returned=returned):
        return None
    return tensor.detach().to(torch.float64).clone()


def tensors_close(answer: torch.Tensor, expected: torch.Tensor, atol: float, rtol: float) -> bool:
    """True if ``answer`` has the shape of ``expected``, is finite, and matches it within the tolerances.

    Both are compared as float64, so a correct answer computed in float32 or float64 is judged alike.
    """
    if not isinstance(answer, torch.Tensor) or tuple(answer.shape) != tuple(expected.shape):
        return False
    if answer.is_complex() or answer.dtype == torch.bool:
        return False
    answer = answer.detach().double()
    return bool(torch.isfinite(answer).all()) and bool(
        torch.allclose(answer, expected.detach().double(), atol=atol, rtol=rtol)
    )


def first_difference(answer: torch.Tensor, expected: torch.Tensor, atol: float, rtol: float) -> int | None:
    """The flat index of the first element of ``answer`` that differs from ``expected`` (or is not finite)."""
    answer, expected = answer.detach().double().reshape(-1), expected.detach().double().reshape(-1)
    wrong = ~torch.isfinite(answer) | ((answer - expected).abs() > atol + rtol * expected.abs())
    indices = wrong.nonzero().flatten()
    return int(indices[0]) if len(indices) else None


def show_difference(answer: torch.Tensor, expected: torch.Tensor, atol: float, rtol: float = 0.0) -> str:
    """ "element [i] is a instead of b", for the first element that differs, printed with enough digits."""
    index = first_difference(answer, expected, atol, rtol)
    if index is None:
        return "every element is within the tolerance"
    flat_answer, flat_expected = answer.detach().double().reshape(-1), expected.detach().double().reshape(-1)
    got, wanted = float(flat_answer[index]), float(flat_expected[index])
    position = np.unravel_index(index, tuple(answer.shape)) if answer.ndim > 1 else (index,)
    where = ", ".join(str(int(i)) for i in position)
    shown, wanted_text = show_pair(got, wanted, atol + rtol * abs(wanted)) if math.isfinite(got) else (got, wanted)
    if not math.isfinite(got):
        wanted_text = f"{wanted:.4f}"
    return f"element [{where}] is {shown} instead of {wanted_text}"
