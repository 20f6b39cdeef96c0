import math

import pytest
import torch
import torch.nn.functional as F
from lesson_solutions import solution

import mdn_lessons as ml

checks = ml.checks.lesson04

_mixture_from_heads = solution("04", "mixture_from_heads")
_mixture_nll = solution("04", "mixture_nll")
_responsibilities = solution("04", "responsibilities")


def _stub_function(*args): ...


# ---------------------------------------------------------------------------------------------- stubs


@pytest.mark.parametrize(
    "run",
    [
        lambda: checks.check_mixture_from_heads(_stub_function),
        lambda: checks.check_mixture_from_heads(...),
        lambda: checks.check_mixture_nll(_stub_function),
        lambda: checks.check_responsibilities(_stub_function),
    ],
)
def test_the_lessons_stubs_are_reported_as_not_attempted_without_raising(run, capsys):
    result = run()
    assert not result.passed
    assert result.problems[0].startswith("not attempted yet")
    assert "❌" in capsys.readouterr().out


# ------------------------------------------------------------------------------------- right answers pass


def test_the_lessons_solutions_pass(capsys):
    assert checks.check_mixture_from_heads(_mixture_from_heads).passed
    assert checks.check_mixture_nll(_mixture_nll).passed
    assert checks.check_responsibilities(_responsibilities).passed
    out = capsys.readouterr().out
    assert out.count("✅") == 3
    assert "Your σ map: softplus(c) + 0.001." in out


def _heads_with_scales(scale_map):
    def heads(logits, mean_outputs, scale_outputs):
        return ml.MixtureParams(
            torch.log_softmax(logits, dim=1), mean_outputs.unsqueeze(-1), scale_map(scale_outputs).unsqueeze(-1)
        )

    return heads


@pytest.mark.parametrize(
    ("scale_map", "described"),
    [
        (torch.exp, "exp(c)"),
        (lambda c: torch.exp(c) + 1e-3, "exp(c) + 0.001"),
        (F.softplus, "softplus(c)"),
        (lambda c: F.softplus(c) + 0.01, "softplus(c) + 0.01"),
        (lambda c: torch.exp(c.clamp(max=20.0)) + 1e-4, "a positive, increasing map of your own"),
        (lambda c: F.elu(c) + 1 + 1e-3, "a positive, increasing map of your own"),
    ],
)
def test_every_reasonable_choice_of_sigma_map_passes_and_is_named(scale_map, described, capsys):
    result = checks.check_mixture_from_heads(_heads_with_scales(scale_map))
    assert result.passed, result.problems
    assert f"Your σ map: {described}." in capsys.readouterr().out


def test_the_recognised_map_and_its_floor():
    c = torch.linspace(-30, 30, 7)
    assert checks.recognise_scale_map(c, F.softplus(c) + 1e-3) == ("softplus", pytest.approx(1e-3, abs=1e-6))
    assert checks.recognise_scale_map(c, torch.exp(c))[0] == "exp"
    assert checks.recognise_scale_map(c, torch.sigmoid(c)) is None


def test_other_right_forms_pass():
    def as_tuple(logits, mean_outputs, scale_outputs):
        return tuple(_mixture_from_heads(logits, mean_outputs, scale_outputs))

    def nll_in_float64(logits, means, scales, y):
        return _mixture_nll(logits.double(), means.double(), scales.double(), y.double())

    def nll_with_the_package(logits, means, scales, y):
        return ml.mixture_nll(torch.log_softmax(logits, dim=1), means, scales, y)

    def gamma_by_division(log_weights, means, scales, y):
        joint = log_weights + ml.losses.gaussian_log_prob(means, scales, y.unsqueeze(1)).sum(-1)
        return (joint - torch.logsumexp(joint, dim=1, keepdim=True)).exp()

    assert checks.check_mixture_from_heads(as_tuple).passed
    assert checks.check_mixture_nll(nll_in_float64).passed
    assert checks.check_mixture_nll(nll_with_the_package).passed
    assert checks.check_responsibilities(gamma_by_division).passed


# --------------------------------------------------------------------------------- the lesson's fallback


def test_yours_or_packaged_hands_over_a_passing_function_and_falls_back_otherwise(capsys):
    assert checks.yours_or_packaged("mixture_nll", _mixture_nll) is _mixture_nll
    assert capsys.readouterr().out == "mixture_nll: yours\n"
    fallback = checks.yours_or_packaged("mixture_from_heads", _stub_function)
    assert fallback is checks.packaged_mixture_from_heads
    out = capsys.readouterr().out
    assert "the package's version" in out and "❌" not in out and out.count("\n") == 1
    assert checks.yours_or_packaged("responsibilities", None) is checks.packaged_responsibilities
    with pytest.raises(ValueError, match="name must be one of"):
        checks.yours_or_packaged("mixture", _mixture_nll)


def test_the_packaged_versions_pass_their_own_checks():
    assert checks.check_mixture_from_heads(checks.packaged_mixture_from_heads).passed
    assert checks.check_mixture_nll(checks.packaged_mixture_nll).passed
    assert checks.check_responsibilities(checks.packaged_responsibilities).passed


def test_the_packaged_nll_agrees_with_ml_mixture_nll():
    logits, means, scales, y = checks._fresh_nll_case()
    expected = ml.mixture_nll(torch.log_softmax(logits, dim=1), means, scales, y)
    assert float(checks.packaged_mixture_nll(logits, means, scales, y)) == pytest.approx(float(expected), rel=1e-6)


# ------------------------------------------------------------------------------------ the cases bite


def test_the_nll_case_has_logits_400_apart_and_a_far_sample():
    logits, means, scales, y = checks._nll_case()
    naive_weights = torch.log(torch.softmax(logits, dim=1))
    assert torch.isinf(naive_weights).any()
    log_density = ml.losses.gaussian_log_prob(means, scales, y.unsqueeze(1)).sum(-1)
    naive = torch.log((torch.softmax(logits, dim=1) * log_density.exp()).sum(dim=1))
    assert torch.isinf(naive).any()  # exp, sum, log underflows on the far sample
    assert math.isfinite(float(_mixture_nll(logits, means, scales, y)))


def test_the_gamma_case_gives_nan_to_a_naive_normalisation():
    log_weights, means, scales, y = checks._gamma_case()
    joint = (log_weights + ml.losses.gaussian_log_prob(means, scales, y.unsqueeze(1)).sum(-1)).exp()
    assert torch.isnan(joint / joint.sum(dim=1, keepdim=True)).any()


# ------------------------------------------------------------------------------------ slips get a hint


@pytest.mark.parametrize(
    ("scale_map", "words"),
    [
        (lambda c: c, "raw outputs themselves"),
        (lambda c: c.abs() + 1e-3, "does not grow with the raw output"),
        (lambda c: c**2, "0 or negative"),
        (lambda c: torch.sigmoid(c) + 1e-3, "bounded map"),
        (lambda c: F.softplus(c) + 0.5, "floor that large"),
        (lambda c: F.softplus(c - c.mean()) + 1e-3, "elementwise"),
        (lambda c: torch.exp(10 * c), "inf or NaN"),
    ],
)
def test_sigma_map_slips_are_named(scale_map, words):
    result = checks.check_mixture_from_heads(_heads_with_scales(scale_map))
    assert not result.passed
    assert words in result.problems[0], result.problems


def test_a_map_that_changes_between_calls_is_caught():
    calls = []

    def heads(logits, mean_outputs, scale_outputs):
        calls.append(1)
        floor = 1e-3 if len(calls) == 1 else 2e-3
        return _heads_with_scales(lambda c: F.softplus(c) + floor)(logits, mean_outputs, scale_outputs)

    result = checks.check_mixture_from_heads(heads)
    assert not result.passed and "Apply the same elementwise map" in result.problems[0]


def test_a_checker_reports_code_that_raises():
    def broken(*args):
        raise RuntimeError("The size of tensor a (3) must match the size of tensor b (6)")

    for check in (checks.check_mixture_from_heads, checks.check_mixture_nll, checks.check_responsibilities):
        result = check(broken)
        assert not result.passed and "RuntimeError" in result.problems[0]
    assert "y.unsqueeze(1)" in checks.check_mixture_nll(broken).problems[0]


def test_a_checker_refuses_an_answer_that_is_not_a_function_in_words():
    for check in (checks.check_mixture_from_heads, checks.check_mixture_nll, checks.check_responsibilities):
        result = check(0.5)
        assert not result.passed and "should be a function" in result.problems[0]
