"""checks.lesson05: right answers pass; stubs say "not attempted"; each usual slip is named in words."""

import pytest
import torch
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons.checks import lesson05
from mdn_lessons.losses import mixture_log_prob

CHECKERS = [lesson05.check_tempered_log_weights, lesson05.check_fraction_inside, lesson05.check_safe_mixture_nll]


right_tempered = solution("05", "tempered_log_weights")
right_fraction = solution("05", "fraction_inside")
right_nll = solution("05", "safe_mixture_nll")


def test_module_is_reachable_as_ml_checks_lesson05():
    assert ml.checks.lesson05 is lesson05


@pytest.mark.parametrize(
    ("check", "right"), list(zip(CHECKERS, [right_tempered, right_fraction, right_nll], strict=True))
)
def test_right_answers_pass(check, right, capsys):
    assert check(right).passed
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("check", CHECKERS)
def test_stubs_are_not_attempted_and_do_not_raise(check):
    def stub(*args): ...

    for answer in (..., stub):
        result = check(answer)
        assert not result.passed and "not attempted yet" in result.problems[0]
    assert "got None" in check(None).problems[0]


@pytest.mark.parametrize("check", CHECKERS)
def test_an_answer_that_raises_is_reported_not_raised(check):
    def broken(*args):
        raise RuntimeError("oops")

    result = check(broken)
    assert not result.passed and "RuntimeError: oops" in result.problems[0]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (
            lambda lw, t: torch.log(
                torch.softmax(lw, 1).pow(1 / t) / torch.softmax(lw, 1).pow(1 / t).sum(1, keepdim=True)
            ),
            "stay in log space",
        ),
        (lambda lw, t: torch.softmax(lw / t, dim=1), "weights themselves"),
        (lambda lw, t: lw / t, "renormalise"),
        (lambda lw, t: torch.log_softmax(lw * t, dim=1), "power T"),
        (lambda lw, t: torch.log_softmax(lw / (t + 0.1), dim=1), "differ from"),
        (lambda lw, t: torch.zeros(len(lw)), "shape"),
    ],
)
def test_tempered_log_weights_slips_are_named(wrong, words):
    result = lesson05.check_tempered_log_weights(wrong)
    assert not result.passed
    assert words in result.problems[0]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda u, level: float(((u >= (1 - level) / 2) & (u <= (1 + level) / 2)).sum()), "count"),
        (lambda u, level: 1 - right_fraction(u, level), "OUTSIDE"),
        (lambda u, level: float((u <= level).float().mean()), "one-sided"),
        (lambda u, level: float(((u > (1 - level) / 2) & (u < (1 + level) / 2)).float().mean()), "ends"),
        (lambda u, level: 0.5, "expected"),
        (lambda u, level: "half", "should be a number"),
    ],
)
def test_fraction_inside_slips_are_named(wrong, words):
    result = lesson05.check_fraction_inside(wrong)
    assert not result.passed
    assert words in result.problems[0]


def log_of_softmax_nll(logits, means, raw_scales, y):
    scales = torch.nn.functional.softplus(raw_scales) + 1e-3
    return -mixture_log_prob(torch.log(torch.softmax(logits, dim=1)), means, scales, y).mean()


def exp_scale_nll(logits, means, raw_scales, y):
    return -mixture_log_prob(torch.log_softmax(logits, dim=1), means, torch.exp(raw_scales), y).mean()


def no_floor_nll(logits, means, raw_scales, y):
    scales = torch.nn.functional.softplus(raw_scales)
    return -mixture_log_prob(torch.log_softmax(logits, dim=1), means, scales, y).mean()


def summed_nll(logits, means, raw_scales, y):
    return right_nll(logits, means, raw_scales, y) * len(y)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (exp_scale_nll, "the three usual suspects"),
        (log_of_softmax_nll, "gradient is NaN"),
        (no_floor_nll, "softplus(raw) + 1e-3"),
        (summed_nll, "average over the N samples"),
        (lambda *args: right_nll(*args).detach(), "no gradient"),
        (lambda *args: torch.zeros(3), "one-number tensor"),
    ],
)
def test_safe_mixture_nll_slips_are_named(wrong, words):
    result = lesson05.check_safe_mixture_nll(wrong)
    assert not result.passed
    assert words in result.problems[0]
