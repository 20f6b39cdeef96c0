import math

import pytest
import torch
import torch.nn.functional as F
from lesson_solutions import solution

import mdn_lessons as ml

checks = ml.checks.lesson04


_mixture_from_heads = solution("04", "mixture_from_heads")
_gradient = solution("04", "nll_gradient_wrt_log_sigma")


def _stub_function(*args): ...


# ---------------------------------------------------------------------------------------------- stubs


@pytest.mark.parametrize(
    "run",
    [
        lambda: checks.check_mixture_from_heads(_stub_function),
        lambda: checks.check_mixture_from_heads(...),
        lambda: checks.check_log_sigma_gradient(_stub_function),
    ],
)
def test_the_lessons_stubs_are_reported_as_not_attempted_without_raising(run, capsys):
    result = run()
    assert not result.passed
    assert result.problems[0].startswith("not attempted yet")
    assert "❌" in capsys.readouterr().out


# ------------------------------------------------------------------------------------- right answers pass


def test_correct_answers_pass(capsys):
    assert checks.check_mixture_from_heads(_mixture_from_heads).passed
    assert checks.check_log_sigma_gradient(_gradient).passed
    assert capsys.readouterr().out.count("✅") == 2


def test_a_plain_tuple_and_a_closed_form_gradient_pass():
    def as_tuple(logits, mean_outputs, scale_outputs):
        return tuple(_mixture_from_heads(logits, mean_outputs, scale_outputs))

    assert checks.check_mixture_from_heads(as_tuple).passed
    assert checks.check_log_sigma_gradient(lambda y, mu, sigma: 1 - ((y - mu) / sigma) ** 2).passed


def test_the_gradient_cases_cover_far_and_near_points():
    # The lesson's story needs both signs: far points (z² > 1) push σ up, near points pull it down.
    signs = {math.copysign(1, 1 - ((y - mu) / s) ** 2) for y, mu, s in checks.GRADIENT_CASES}
    assert signs == {-1.0, 1.0}
    assert any(s != 1 for _, _, s in checks.GRADIENT_CASES)  # tells d/dσ from d/dlog σ


# ------------------------------------------------------------------------------------ slips get a hint


def _heads_with(log_weights=None, means=None, scales=None):
    def heads(logits, mean_outputs, scale_outputs):
        right = _mixture_from_heads(logits, mean_outputs, scale_outputs)
        return (
            right.log_weights if log_weights is None else log_weights(logits),
            right.means if means is None else means(mean_outputs),
            right.scales if scales is None else scales(scale_outputs),
        )

    return heads


@pytest.mark.parametrize(
    ("heads", "words"),
    [
        (_heads_with(log_weights=lambda a: torch.log(torch.softmax(a, dim=1))), "log_softmax"),
        (_heads_with(log_weights=lambda a: torch.softmax(a, dim=1)), "weights π themselves"),
        (_heads_with(log_weights=lambda a: a), "log_softmax"),
        (_heads_with(scales=lambda c: (torch.exp(c) + 1e-3).unsqueeze(-1)), "overflows"),
        (_heads_with(scales=lambda c: F.softplus(c).unsqueeze(-1)), "floor"),
        (_heads_with(scales=lambda c: (F.softplus(c) + 0.1).unsqueeze(-1)), "F.softplus(scale_outputs) + 0.001"),
        (_heads_with(means=lambda b: b), "unsqueeze"),
        (_heads_with(means=lambda b: b.exp().unsqueeze(-1)), "unchanged"),
        (_heads_with(scales=lambda c: (F.softplus(c) + 1e-3).reshape(-1)), "shape"),
        (lambda a, b, c: (a, b), "three tensors"),
    ],
)
def test_mixture_from_heads_slips_are_explained(heads, words):
    result = checks.check_mixture_from_heads(heads)
    assert not result.passed
    assert any(words in problem for problem in result.problems), result.problems


@pytest.mark.parametrize(
    ("gradient", "words"),
    [
        (lambda y, mu, s: -_gradient(y, mu, s), "wrong sign"),
        (lambda y, mu, s: _gradient(y, mu, s) / s, "with respect to σ"),
        (lambda y, mu, s: ((y - mu) / s) ** 2, "expected"),
        (lambda y, mu, s: torch.ones(2), "single number"),
    ],
)
def test_log_sigma_gradient_slips_are_explained(gradient, words):
    result = checks.check_log_sigma_gradient(gradient)
    assert not result.passed
    assert words in result.problems[0]


def test_a_checker_reports_code_that_raises():
    def broken(*args):
        raise RuntimeError("element 0 of tensors does not require grad")

    for check in (checks.check_mixture_from_heads, checks.check_log_sigma_gradient):
        result = check(broken)
        assert not result.passed and "RuntimeError" in result.problems[0]


def test_a_checker_refuses_an_answer_that_is_not_a_function_in_words():
    for check in (checks.check_mixture_from_heads, checks.check_log_sigma_gradient):
        result = check(0.5)
        assert not result.passed and "should be a function" in result.problems[0]


def test_none_instead_of_a_function_is_named():
    result = checks.check_log_sigma_gradient(None)
    assert not result.passed and "got None" in result.problems[0]
