"""checks.lesson08: right answers pass on fresh and lesson inputs; stubs are "not attempted"; each slip is named;
the student's errors are theirs and the checker's own failures are reported as the checker's."""

import math

import pytest
import torch
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons.checks import lesson08

# The right answers are the lesson's own solutions (lessons/08_mdn_or_something_else.py).
right_condition = solution("08", "condition_gaussian")
right_weights = solution("08", "conditional_log_weights")
right_pinball = solution("08", "pinball_loss")


CHECKERS = [
    (lesson08.check_condition_gaussian, right_condition),
    (lesson08.check_conditional_log_weights, right_weights),
    (lesson08.check_pinball_loss, right_pinball),
]


def test_module_is_reachable_as_ml_checks_lesson08():
    assert ml.checks.lesson08 is lesson08


@pytest.mark.parametrize(("check", "right"), CHECKERS)
def test_right_answers_pass(check, right, capsys):
    assert check(right).passed
    assert "✅" in capsys.readouterr().out


def test_right_answers_pass_on_the_lessons_own_inputs():
    mean = torch.tensor([1.0, -2.0], dtype=torch.float64)
    covariance = torch.tensor([[3.0, -1.0], [-1.0, 2.0]], dtype=torch.float64)
    x = torch.linspace(-10, 10, 21)
    assert lesson08.check_condition_gaussian(right_condition, mean, covariance, x).passed
    log_weights = torch.log(torch.tensor([0.2, 0.5, 0.3], dtype=torch.float64))
    assert lesson08.check_conditional_log_weights(
        right_weights, log_weights, torch.tensor([-3.0, 0.0, 4.0]), torch.tensor([1.0, 0.5, 2.0]), x
    ).passed
    predictions = torch.randn(30, 3, generator=torch.Generator().manual_seed(0))
    assert lesson08.check_pinball_loss(
        right_pinball, predictions, torch.zeros(30, 1), torch.tensor([0.1, 0.5, 0.9])
    ).passed


def test_a_wrong_answer_on_the_lessons_inputs_only_is_caught():
    # Right on the checker's own cases, wrong on large x: the lesson's inputs must be checked too.
    def right_only_near(mean, covariance, x):
        means, variance = right_condition(mean, covariance, x)
        return torch.where(x.abs() > 50, means + 1, means), variance

    assert lesson08.check_condition_gaussian(right_only_near).passed
    lesson_x = torch.tensor([60.0, 0.0])
    assert not lesson08.check_condition_gaussian(
        right_only_near, torch.tensor([0.0, 0.0]), torch.eye(2), lesson_x
    ).passed


@pytest.mark.parametrize(("check", "right"), CHECKERS)
def test_stubs_are_not_attempted_and_do_not_raise(check, right):
    def stub(*args): ...

    def forgot_the_return(*args):
        del args

    for answer in (..., stub):
        result = check(answer)
        assert not result.passed and "not attempted yet" in result.problems[0]
    assert "got None" in check(None).problems[0]
    assert "returned None" in check(forgot_the_return).problems[0]


@pytest.mark.parametrize(("check", "right"), CHECKERS)
def test_an_answer_that_raises_is_reported_as_the_students(check, right):
    def broken(*args):
        raise RuntimeError("oops")

    result = check(broken)
    assert not result.passed and "your code raised RuntimeError: oops" in result.problems[0]


def test_a_failure_inside_the_checker_is_reported_as_the_checkers(monkeypatch):
    def broken_reference(*args):
        raise KeyError("internal")

    monkeypatch.setattr(lesson08, "conditional_gaussian_reference", broken_reference)
    result = lesson08.check_condition_gaussian(right_condition)
    assert not result.passed and "the checker itself failed" in result.problems[0]
    assert "your code" not in result.problems[0]


def test_student_code_gets_copies():
    def editing(mean, covariance, x):
        answer = right_condition(mean, covariance, x)
        mean.zero_()
        covariance.fill_(1.0)
        x.zero_()
        return answer

    assert lesson08.check_condition_gaussian(editing).passed


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda m, s, x: (m[1] + s[0, 1] / s[1, 1] * (x - m[0]), s[1, 1] - s[0, 1] ** 2 / s[0, 0]), "Σ_xy / Σ_yy"),
        (lambda m, s, x: (m[1] + s[0, 1] / s[0, 0] * x, s[1, 1] - s[0, 1] ** 2 / s[0, 0]), "x − μ_x"),
        (
            lambda m, s, x: (m[0] + s[0, 1] / s[1, 1] * (x - m[1]), s[0, 0] - s[0, 1] ** 2 / s[1, 1]),
            "conditioned x on y",
        ),
        (
            lambda m, s, x: (
                m[1] + s[0, 1] / (s[0, 0] * s[1, 1]).sqrt() * (x - m[0]),
                s[1, 1] - s[0, 1] ** 2 / s[0, 0],
            ),
            "correlation",
        ),
        (lambda m, s, x: (right_condition(m, s, x)[0], s[1, 1]), "still Σ_yy"),
        (lambda m, s, x: (right_condition(m, s, x)[0], s[1, 1] + s[0, 1] ** 2 / s[0, 0]), "shrink"),
        (lambda m, s, x: (right_condition(m, s, x)[0], right_condition(m, s, x)[1].sqrt()), "standard deviation"),
        (lambda m, s, x: (right_condition(m, s, x)[0], s[1, 1] - s[0, 1] ** 2 / s[1, 1]), "over the observed"),
        (
            lambda m, s, x: (right_condition(m, s, x)[0], s[1, 1] - s[0, 1] ** 2 / s[0, 0] + 0.01 * x),
            "does not depend on x",
        ),
        (lambda m, s, x: (right_condition(m, s, x)[0] * 1.01, right_condition(m, s, x)[1]), "differ from"),
        (lambda m, s, x: right_condition(m, s, x)[0], "two things"),
        (lambda m, s, x: (right_condition(m, s, x)[0][:-1], right_condition(m, s, x)[1]), "shape"),
    ],
)
def test_condition_gaussian_slips_are_named(wrong, words):
    result = lesson08.check_condition_gaussian(wrong)
    assert not result.passed
    assert words in result.problems[0]


def _log_normal(mu, var, x):
    return -0.5 * (x[:, None] - mu) ** 2 / var - 0.5 * torch.log(2 * math.pi * var)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda lw, mu, var, x: lw + _log_normal(mu, var, x), "sum to 1"),
        (lambda lw, mu, var, x: torch.softmax(lw + _log_normal(mu, var, x), 1), "returned the weights"),
        (lambda lw, mu, var, x: torch.log(torch.softmax(lw + _log_normal(mu, var, x), 1)), "log space"),
        (lambda lw, mu, var, x: torch.log_softmax(_log_normal(mu, var, x), 1), "prior weights"),
        (lambda lw, mu, var, x: torch.log_softmax(lw - 0.5 * (x[:, None] - mu) ** 2 / var, 1), "normalising constant"),
        (lambda lw, mu, var, x: torch.log_softmax(lw + _log_normal(mu, var**2, x), 1), "not standard deviations"),
        (lambda lw, mu, var, x: torch.log_softmax(lw + 1.01 * _log_normal(mu, var, x), 1), "differ from"),
        (lambda lw, mu, var, x: torch.log_softmax(lw + _log_normal(mu, var, x), 1).T, "shape"),
    ],
)
def test_conditional_weights_slips_are_named(wrong, words):
    result = lesson08.check_conditional_log_weights(wrong)
    assert not result.passed
    assert words in result.problems[0]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda p, y, q: torch.maximum((1 - q) * (y - p), -q * (y - p)).mean(), "wrong way round"),
        (lambda p, y, q: torch.maximum(q * (y - p), (q - 1) * (y - p)).sum(), "summed"),
        (lambda p, y, q: (0.5 * (y - p).abs()).mean(), "absolute error"),
        (lambda p, y, q: ((y - p) ** 2).mean(), "squared error"),
        (lambda p, y, q: torch.maximum(q * (y - p), (q - 1) * (y - p)).mean(0), "one number"),
        (lambda p, y, q: torch.maximum(q[0] * (y[:, 0] - p[:, :1]), (q[0] - 1) * (y[:, 0] - p[:, :1])), "broadcast"),
        (lambda p, y, q: float(torch.maximum(q * (y - p), (q - 1) * (y - p)).mean().detach()), "no gradient"),
        (lambda p, y, q: 1.01 * torch.maximum(q * (y - p), (q - 1) * (y - p)).mean(), "expected"),
    ],
)
def test_pinball_slips_are_named(wrong, words):
    result = lesson08.check_pinball_loss(wrong)
    assert not result.passed
    assert words in result.problems[0]
