from lesson_solutions import solution, solution_namespace

import mdn_lessons as ml
from mdn_lessons.checks import lesson00


def test_branch_count_of_the_noise_free_curve():
    assert [lesson00.true_branch_count(x0) for x0 in (-13.0, -10.0, -6.0, 0.0, 3.0, 6.0, 10.0)] == [0, 1, 3, 5, 5, 3, 1]


def test_the_lessons_solutions_pass():
    assert lesson00.check_branch_count(3.0, solution("00", "n_branches")).passed
    answer = solution_namespace("00", "bayes_nll_yours")
    assert lesson00.check_bayes_limit(answer["x_test"], answer["y_test"], answer["bayes_nll_yours"]).passed


def test_branch_count_checker_explains_wrong_answers():
    assert lesson00.check_branch_count(3.0, 5).passed
    assert "not attempted yet" in lesson00.check_branch_count(3.0, ...).problems[0]
    assert "too few" in lesson00.check_branch_count(3.0, 3).problems[0]
    assert "too many" in lesson00.check_branch_count(3.0, 7).problems[0]
    assert "whole number" in lesson00.check_branch_count(3.0, 4.5).problems[0]


def test_bayes_limit_checker_explains_wrong_answers():
    x, y = ml.data.inverted_sine(n=200, seed=1)
    bayes = float(-ml.data.inverted_sine_log_prob(x, y).mean())
    assert lesson00.check_bayes_limit(x, y, bayes).passed
    assert "wrong sign" in lesson00.check_bayes_limit(x, y, -bayes).problems[0]
    assert "sum over samples" in lesson00.check_bayes_limit(x, y, bayes * len(x)).problems[0]
    assert "expected about" in lesson00.check_bayes_limit(x, y, bayes + 0.5).problems[0]
    assert "should be a number" in lesson00.check_bayes_limit(x, y, [1.3, 1.2]).problems[0]
