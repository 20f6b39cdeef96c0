import math

from lesson_solutions import solution, solution_namespace

import mdn_lessons as ml
from mdn_lessons.checks import lesson00


def test_branch_count_of_the_noise_free_curve():
    assert [lesson00.true_branch_count(x0) for x0 in (-13.0, -10.0, -6.0, 0.0, 3.0, 6.0, 10.0)] == [0, 1, 3, 5, 5, 3, 1]


def test_the_lessons_solutions_pass():
    assert lesson00.check_branch_count(3.0, solution("00", "n_branches")).passed
    answer = solution_namespace("00", "nats_saved_by_x")
    assert lesson00.check_nats_saved_by_x(answer["x_test"], answer["y_test"], answer["nats_saved_by_x"]).passed


def test_branch_count_checker_explains_wrong_answers():
    assert lesson00.check_branch_count(3.0, 5).passed
    assert "not attempted yet" in lesson00.check_branch_count(3.0, ...).problems[0]
    assert "too few" in lesson00.check_branch_count(3.0, 3).problems[0]
    assert "too many" in lesson00.check_branch_count(3.0, 7).problems[0]
    assert "whole number" in lesson00.check_branch_count(3.0, 4.5).problems[0]


def test_the_saving_is_log_20_minus_the_bayes_limit_on_the_data_given():
    # Checked on other data than the lesson's: the expected value follows the arguments.
    x, y = ml.data.inverted_sine(n=200, seed=1)
    bayes = float(-ml.data.inverted_sine_log_prob(x, y).mean())
    saved = math.log(20) - bayes
    assert 1.0 < saved < 2.5
    assert lesson00.check_nats_saved_by_x(x, y, saved).passed
    assert not lesson00.check_nats_saved_by_x(x, y, saved + 0.02).passed
    assert "wrong sign" in lesson00.check_nats_saved_by_x(x, y, -saved).problems[0]
    assert "ignores x" in lesson00.check_nats_saved_by_x(x, y, math.log(20)).problems[0]
    assert "expected about" in lesson00.check_nats_saved_by_x(x, y, saved + 0.5).problems[0]
    assert "should be a number" in lesson00.check_nats_saved_by_x(x, y, [1.3, 1.2]).problems[0]


def test_noisier_data_save_less():
    # With twice the noise the exact p(y | x) is wider: x tells less about y.
    x, y = ml.data.inverted_sine(n=2000, noise=2.0, seed=1)
    saved = math.log(20) - float(-ml.data.inverted_sine_log_prob(x, y, noise=2.0).mean())
    assert lesson00.check_nats_saved_by_x(x, y, saved, noise=2.0).passed
    x1, y1 = ml.data.inverted_sine(n=2000, noise=1.0, seed=1)
    assert saved < math.log(20) - float(-ml.data.inverted_sine_log_prob(x1, y1, noise=1.0).mean())
