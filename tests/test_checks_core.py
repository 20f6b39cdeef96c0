import numpy as np
import pytest
import torch

import mdn_lessons as ml
from mdn_lessons.checks import _core
from mdn_lessons.checks._core import (
    CheckResult,
    call_student,
    expect_close,
    expect_shape,
    is_stub_function,
    require_answer,
    run_check,
)


def test_a_stub_is_reported_as_not_attempted(capsys):
    result = run_check("Exercise 1", lambda problems: require_answer(..., "`my_answer`"))
    assert not result.passed
    assert "not attempted yet" in result.problems[0] and "`my_answer`" in result.problems[0]
    assert "❌ Exercise 1: not yet." in capsys.readouterr().out


def test_a_correct_answer_passes(capsys):
    result = run_check("Exercise 2", lambda problems: expect_close(1.0005, 1.0, "the mean", problems))
    assert result.passed and bool(result)
    assert capsys.readouterr().out.strip() == "✅ Exercise 2: correct."


def test_wrong_answers_are_explained_in_words():
    problems = []
    expect_close(2.0, 1.0, "the mean", problems, hint="Did you divide by N?")
    expect_close("abc", 1.0, "the scale", problems)
    expect_close(float("nan"), 1.0, "the NLL", problems)
    expect_shape(torch.zeros(3), (3, 1), "means", problems)
    expect_shape([1, 2], (2,), "weights", problems)
    assert problems == [
        "the mean is 2.0000, expected about 1.0000 (within 0.001). Did you divide by N?",
        "the scale should be a number, got str ('abc'); write the number itself, without quotes",
        "the NLL is nan; it should be a finite number",
        "means should have shape (3, 1), got (3,)",
        "weights should be a torch tensor, got list",
    ]


def test_errors_raised_by_the_students_code_do_not_stop_the_lesson():
    def students_function(x):
        return x / 0

    def test(problems):
        call_student(students_function, {"x": 1}, name="f", stub_message="not attempted yet")

    result = run_check("Exercise 3", test)
    assert result.problems == ["your code raised ZeroDivisionError: division by zero"]


def test_errors_of_the_checker_itself_are_reported_as_its_own():
    def test(problems):
        raise ZeroDivisionError("division by zero")

    result = run_check("Exercise 3", test)
    assert not result.passed
    assert result.problems[0].startswith("the checker itself failed: ZeroDivisionError: division by zero")
    assert "please report this" in result.problems[0] and "your code" not in result.problems[0]


def test_result_shows_its_words():
    assert repr(CheckResult("E", False, ["x is wrong"])) == "❌ E: not yet.\n   - x is wrong"


def test_tensors_close_needs_the_same_shape_finite_values_and_tolerates_float64():
    from mdn_lessons.checks._core import tensors_close

    expected = torch.tensor([1.0, 2.0])
    assert tensors_close(expected.double() + 1e-6, expected, atol=1e-4, rtol=0)
    assert not tensors_close(expected + 0.01, expected, atol=1e-4, rtol=0)
    assert not tensors_close(expected.unsqueeze(1), expected, atol=1e-4, rtol=0)  # would broadcast
    assert not tensors_close(torch.tensor([1.0, float("nan")]), expected, atol=1e-4, rtol=0)
    assert not tensors_close([1.0, 2.0], expected, atol=1e-4, rtol=0)


# ------------------------------------------------------------------------------- calling student code


def test_a_student_function_gets_copies_and_in_place_changes_are_refused():
    from mdn_lessons.checks._core import Refused

    params = ml.MixtureParams(torch.zeros(2, 3), torch.ones(2, 3, 1), torch.ones(2, 3, 1))

    def squares_in_place(params, threshold):
        params.scales.mul_(2.0)
        return params.scales.sum()

    with pytest.raises(Refused, match=r"changed its argument params\.scales in place"):
        call_student(squares_in_place, {"params": params, "threshold": 0.5}, name="f", stub_message="stub")
    assert bool((params.scales == 1).all())  # the caller's tensors are untouched

    call = call_student(lambda params, t: params.means * t, {"params": params, "t": 2.0}, name="f", stub_message="")
    assert call.text == "f(params, 2.0)" and bool((call.result == 2).all())


def test_a_stub_a_forgotten_return_and_an_exception_are_told_apart():
    from mdn_lessons.checks._core import NotAttempted, Refused, StudentCodeRaised

    def stub(x):
        """Docstring only, then the stub's ``...``."""
        ...

    def forgets_return(x):
        x * 2

    def raises(x):
        raise KeyError("k")

    with pytest.raises(NotAttempted, match="my stub message"):
        call_student(stub, {"x": 1}, name="f", stub_message="my stub message")
    with pytest.raises(Refused, match=r"f\(1\) returned None.*`return`.*extra hint"):
        call_student(forgets_return, {"x": 1}, name="f", stub_message="", none_hint="extra hint")
    with pytest.raises(StudentCodeRaised, match="your code raised KeyError: 'k' the hint"):
        call_student(raises, {"x": 1}, name="f", stub_message="", raise_hints={"'k'": "the hint"})
    with pytest.raises(NotAttempted):
        call_student(lambda x: ..., {"x": 1}, name="f", stub_message="stub")


def test_is_stub_function_reads_the_body():
    from mdn_lessons.checks._core import is_stub_function

    def only_pass(x):
        pass

    def explicit_none(x):
        return None

    assert is_stub_function(only_pass)
    assert not is_stub_function(explicit_none)
    assert not is_stub_function(print) and not is_stub_function(len)


def test_case_calls_tell_an_answer_that_ignores_its_arguments():
    from mdn_lessons.checks._core import CaseCalls, StudentCodeRaised

    calls = CaseCalls(lambda x: 4.0, [{"x": 1.0}, {"x": 2.0}], name="f", stub_message="")
    assert calls.same_elsewhere(0) and calls.same_elsewhere(1)
    calls = CaseCalls(lambda x: 1 / x, [{"x": 1.0}, {"x": 0.0}], name="f", stub_message="")
    assert calls[0].result == 1.0 and not calls.same_elsewhere(0)
    with pytest.raises(StudentCodeRaised, match="ZeroDivisionError"):
        calls[1]


# ------------------------------------------------------------------------------ numbers and tensors


def test_numbers_are_accepted_in_every_numeric_form_and_refused_otherwise():
    from mdn_lessons.checks._core import as_float

    for value in (1.5, np.float32(1.5), np.array([1.5]), torch.tensor([1.5]), torch.tensor(1.5), np.array(1.5)):
        assert as_float(value, "v", []) == 1.5
    for value, words in [
        ("1.5", "got str ('1.5'); write the number itself, without quotes"),
        (True, "got a bool"),
        (None, "got None"),
        (10**400, "far too large"),
        (np.array([1.0, 2.0]), "got an array of shape (2,)"),
        (torch.tensor([1 + 2j]), "complex"),
        (lambda: 1.0, "call it"),
        (float("nan"), "finite"),
    ]:
        problems = []
        assert as_float(value, "v", problems) is None
        assert words in problems[0], problems


def test_typed_values_keep_the_precision_they_were_typed_with():
    from mdn_lessons.checks._core import typed_half_unit

    assert typed_half_unit(4.6, 2) == pytest.approx(0.05)
    assert typed_half_unit(4.61, 2) == pytest.approx(0.005)
    assert typed_half_unit(5.0, 2) is None  # one significant digit: too coarse
    assert typed_half_unit(4.605170185988091, 2) is None  # computed, not typed
    assert expect_close(4.6, 4.60517, "x", [], tol=1e-3, typed_significant=2)
    problems = []
    assert not expect_close(4.6, 4.60517, "x", problems, tol=1e-3)
    assert problems == ["x is 4.6000, expected about 4.6052 (within 0.001)."]


def test_printed_numbers_show_the_difference():
    from mdn_lessons.checks._core import show_difference, show_pair

    assert show_pair(0.680301, 0.680297, 1e-6) == ("0.6803010", "0.6802970")
    assert show_pair(1.0, 1.00000001, 1e-3)[0] != show_pair(1.0, 1.00000001, 1e-3)[1]
    answer, expected = torch.tensor([1.0, 2.0, 3.5]), torch.tensor([1.0, 2.0, 3.0])
    assert show_difference(answer, expected, 1e-3) == "element [2] is 3.5000 instead of 3.0000"


def test_as_tensor_accepts_arrays_and_sequences_of_numbers_only():
    from mdn_lessons.checks._core import as_tensor

    for value in (torch.tensor([1.0, 2.0]), np.array([1.0, 2.0]), [1, 2.0], (torch.tensor(1.0), 2.0)):
        assert as_tensor(value, (2,), "v", []).tolist() == [1.0, 2.0]
    for value in ({"a": 1}, ["1", "2"], (torch.ones(2), torch.ones(2)), "12", torch.ones(3), np.array(["1", "2"])):
        problems = []
        assert as_tensor(value, (2,), "v", problems) is None and problems


def test_a_stub_that_unpacks_its_inputs_before_the_ellipsis_is_still_a_stub():
    def stub(hand):
        first, second = hand
        ...

    def forgot_the_return(hand):
        first, second = hand
        first + second

    assert is_stub_function(stub)
    assert not is_stub_function(forgot_the_return)


def test_printed_problems_wrap_at_word_boundaries_and_keep_every_word():
    long = "not attempted yet: the value returned by `true_shares` is still `...`/None; fill in the exercise cell."
    result = CheckResult("an exercise", False, [long, "returned None.\n     Fill in its body and return the result."])
    lines = str(result).splitlines()
    assert all(len(line) <= _core.MESSAGE_WIDTH for line in lines)
    assert lines[1].startswith("   - not attempted yet") and lines[2].startswith("     ") and not lines[2][5].isspace()
    assert " ".join(line.strip().removeprefix("- ") for line in lines[1:3]) == long
    assert lines[3:] == ["   - returned None.", "     Fill in its body and return the result."]
