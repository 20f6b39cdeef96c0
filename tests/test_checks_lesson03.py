import math

import numpy as np
import pytest
import torch
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons.conditional import binned_mean

checks = ml.checks.lesson03


_conditional_mean = solution("03", "conditional_mean")


def _stub_function(*args): ...


@pytest.fixture(scope="module")
def test_data():
    return ml.data.inverted_sine(n=5000, noise=1.0, seed=1)


def _best_nll(x, y):
    """The exercise's answer, as the lesson's solution computes it (independently of the checker's helper)."""
    return solution("03", "best_single_gaussian_nll", x_test=x, y_test=y)


# ---------------------------------------------------------------------------------------------- stubs


@pytest.mark.parametrize(
    "run",
    [
        lambda data: checks.check_conditional_mean(_stub_function),
        lambda data: checks.check_conditional_mean(...),
        lambda data: checks.check_best_single_gaussian_nll(..., *data),
    ],
)
def test_the_lessons_stubs_are_reported_as_not_attempted_without_raising(run, test_data, capsys):
    result = run(test_data)
    assert not result.passed
    assert result.problems[0].startswith("not attempted yet")
    assert "❌" in capsys.readouterr().out


# ------------------------------------------------------------------------------------- right answers pass


def test_correct_answers_pass(test_data, capsys):
    assert checks.check_conditional_mean(_conditional_mean).passed
    assert checks.check_best_single_gaussian_nll(_best_nll(*test_data), *test_data).passed
    assert capsys.readouterr().out.count("✅") == 2


def test_a_tensor_answer_is_accepted(test_data):
    assert checks.check_conditional_mean(lambda x, y, x0, w: y[(x - x0).abs() < w].mean()).passed
    assert checks.check_best_single_gaussian_nll(torch.tensor(_best_nll(*test_data)), *test_data).passed


def test_the_best_single_gaussian_nll_is_below_a_trained_single_gaussian_but_far_above_the_bayes_limit(test_data):
    # What the lesson relies on: the binned bound sits close under what a one-component MDN reaches (about
    # 2.88 nats in the lesson) and far above the exact density's NLL.
    best = checks.best_single_gaussian_nll(*test_data)
    bayes = float(-ml.data.inverted_sine_log_prob(*test_data).mean())
    assert 2.7 < best < 2.9
    assert best - bayes > 1.3


# ------------------------------------------------------------------------------------ slips get a hint


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda x, y, x0, w: float(x[(x - x0).abs() < w].mean()), "averaged the x values"),
        (lambda x, y, x0, w: float(y.mean()), "mean of every y"),
        (lambda x, y, x0, w: float(y[(x - x0).abs() < 2 * w].mean()), "wrong width"),
        (lambda x, y, x0, w: float(y[(x - x0).abs() < w].median()), "expected"),
        (lambda x, y, x0, w: y[(x - x0).abs() < w], "single number"),
        (lambda x, y, x0, w: "zero", "should be a number"),
    ],
)
def test_conditional_mean_slips_are_explained(answer, words):
    result = checks.check_conditional_mean(answer)
    assert not result.passed
    assert words in result.problems[0]


def test_conditional_mean_that_raises_is_reported_not_raised():
    def broken(x, y, x0, half_width):
        raise IndexError("too many indices")

    result = checks.check_conditional_mean(broken)
    assert not result.passed and "IndexError" in result.problems[0]


def test_conditional_mean_that_is_not_a_function_is_refused_in_words():
    result = checks.check_conditional_mean(1.5)
    assert not result.passed and "should be a function" in result.problems[0]


@pytest.mark.parametrize(
    ("transform", "words"),
    [
        (lambda best, plain: -best, "sign"),
        (lambda best, plain: best - 0.5, "left out the ½"),
        (lambda best, plain: plain, "plain average"),
        (lambda best, plain: float("nan"), "NaN"),
        (lambda best, plain: best + 0.2, "expected about"),
    ],
)
def test_best_single_gaussian_nll_slips_are_explained(test_data, transform, words):
    binned = binned_mean(*test_data, bins=40)
    filled = ~np.isnan(binned.variances)
    plain = float(np.mean(0.5 * np.log(2 * math.pi * math.e * binned.variances[filled])))
    result = checks.check_best_single_gaussian_nll(transform(_best_nll(*test_data), plain), *test_data)
    assert not result.passed
    assert words in result.problems[0]


def test_best_single_gaussian_nll_using_the_standard_deviation_is_explained(test_data):
    binned = binned_mean(*test_data, bins=40)
    filled = ~np.isnan(binned.variances)
    wrong = np.average(
        0.5 * np.log(2 * math.pi * math.e * np.sqrt(binned.variances[filled])), weights=binned.counts[filled]
    )
    result = checks.check_best_single_gaussian_nll(wrong, *test_data)
    assert "standard deviation" in result.problems[0]


def test_best_single_gaussian_nll_refuses_bad_data_from_the_lesson():
    with pytest.raises(ValueError, match="same number of samples"):
        checks.check_best_single_gaussian_nll(2.8, torch.zeros(10, 1), torch.zeros(9, 1))


def test_none_instead_of_a_function_is_named(test_data):
    result = checks.check_best_single_gaussian_nll(None, *test_data)
    assert not result.passed and result.problems[0].startswith("`best_single_gaussian_nll` is None")
