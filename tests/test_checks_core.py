import torch

from mdn_lessons.checks._core import (
    CheckResult,
    call_student,
    expect_close,
    expect_shape,
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
