"""checks.lesson01: right answers pass; stubs say "not attempted"; each usual slip is named in words."""

import math

import pytest
import torch
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons import true_distributions as ld
from mdn_lessons.checks import lesson01

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


average_nll = solution("01", "average_nll")


def right_nll(y, mean, std):
    return float(average_nll(y, mean, std))


def test_module_is_reachable_as_ml_checks_lesson01():
    assert ml.checks.lesson01 is lesson01


def test_average_nll_right_answer_passes(capsys):
    result = lesson01.check_average_nll(average_nll)
    assert result.passed
    assert "✅" in capsys.readouterr().out


def test_average_nll_accepts_a_float_or_a_tensor_result():
    assert lesson01.check_average_nll(right_nll).passed
    assert lesson01.check_average_nll(lambda y, m, s: torch.tensor(right_nll(y, m, s))).passed


def test_average_nll_stub_is_not_attempted(capsys):
    def stub(y, mean, std): ...

    for answer in (..., stub):
        result = lesson01.check_average_nll(answer)
        assert not result.passed
        assert "not attempted yet" in result.problems[0]
    assert "got None" in lesson01.check_average_nll(None).problems[0]
    assert "❌" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda y, m, s: -right_nll(y, m, s), "sign is flipped"),
        (lambda y, m, s: len(y) * right_nll(y, m, s), "sum over the samples"),
        (lambda y, m, s: right_nll(y, m, s) - LOG_SQRT_2PI, "½·log(2π)"),
        (lambda y, m, s: right_nll(y, m, s) + math.log(s), "log σ²"),
        (lambda y, m, s: float((0.5 * (y - m) ** 2 / s + math.log(s) + LOG_SQRT_2PI).mean()), "instead of 2σ²"),
        (lambda y, m, s: right_nll(y, m, s) + 0.3, "Compare each term"),
    ],
)
def test_average_nll_slips_are_named(wrong, words):
    result = lesson01.check_average_nll(wrong)
    assert not result.passed
    assert words in result.problems[0]


def test_average_nll_errors_in_student_code_are_reported_not_raised():
    def broken(y, mean, std):
        raise RuntimeError("oops")

    result = lesson01.check_average_nll(broken)
    assert not result.passed and "raised RuntimeError: oops" in result.problems[0]
    assert "should be a function" in lesson01.check_average_nll(3.0).problems[0]
    nan = lesson01.check_average_nll(lambda y, m, s: float("nan"))
    assert "should be a finite number" in nan.problems[0]


def exact_kl():
    return ld.kl_divergence(ld.skewed_p(), ld.gaussian_mixture([1.0], [0.0], [1.5]))


def test_kl_estimate_monte_carlo_answer_passes():
    p, q = ld.skewed_p(), ld.gaussian_mixture([1.0], [0.0], [1.5])
    y_big = ld.sample(p, 100_000, seed=1)[:, 0]
    estimate = solution("01", "kl_estimate", P=p, Q_poor=q, y_big=y_big)
    assert lesson01.check_kl_estimate(estimate).passed
    assert "not attempted yet" in lesson01.check_kl_estimate(...).problems[0]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda: -exact_kl(), "sign is flipped"),
        (lambda: ld.cross_entropy(ld.skewed_p(), ld.gaussian_mixture([1.0], [0.0], [1.5])), "subtract the entropy"),
        (lambda: ld.entropy(ld.skewed_p()), "entropy of P"),
        (lambda: ld.kl_divergence(ld.gaussian_mixture([1.0], [0.0], [1.5]), ld.skewed_p()), "other direction"),
        (lambda: -0.2, "never negative"),
        (lambda: exact_kl() + 0.1, "Average log p(y) − log q(y)"),
    ],
)
def test_kl_estimate_slips_are_named(wrong, words):
    result = lesson01.check_kl_estimate(wrong())
    assert not result.passed
    assert words in result.problems[0]


def test_unit_change_right_answer_passes_whichever_way_it_is_computed():
    assert lesson01.check_unit_change(math.log(100)).passed
    y = ld.sample(ld.skewed_p(), 1000, seed=0)
    assert lesson01.check_unit_change(solution("01", "nll_change", y=y)).passed


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (-math.log(100), "sign is flipped"),
        (100.0, "additive on the log scale"),
        (0.01, "not by a factor"),
        (2.0, "natural log"),
        (0.0, "does depend on the units"),
        (3.0, "How does N(100·y"),
    ],
)
def test_unit_change_slips_are_named(wrong, words):
    result = lesson01.check_unit_change(wrong)
    assert not result.passed
    assert words in result.problems[0]
