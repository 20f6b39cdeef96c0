"""checks.lesson02: right answers pass; stubs say "not attempted"; each usual slip is named in words."""

import pytest
import torch
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons import em
from mdn_lessons.checks import lesson02
from mdn_lessons.losses import gaussian_log_prob

right_log_density = solution("02", "log_mixture_density")


def naive_log_density(y, weights, means, scales):
    return torch.log((weights * gaussian_log_prob(means, scales, y[:, None]).exp()).sum(dim=1))


def test_module_is_reachable_as_ml_checks_lesson02():
    assert ml.checks.lesson02 is lesson02


def test_log_mixture_density_right_answer_passes(capsys):
    assert lesson02.check_log_mixture_density(right_log_density).passed
    assert "✅" in capsys.readouterr().out


def test_log_mixture_density_stub_is_not_attempted():
    def stub(y, weights, means, scales): ...

    for answer in (..., stub):
        result = lesson02.check_log_mixture_density(answer)
        assert not result.passed and "not attempted yet" in result.problems[0]
    assert "got None" in lesson02.check_log_mixture_density(None).problems[0]


def test_exp_then_log_passes_typical_values_but_is_caught_far_away():
    result = lesson02.check_log_mixture_density(naive_log_density)
    assert not result.passed
    assert "underflowed" in result.problems[0] and "logsumexp" in result.problems[0]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda y, w, m, s: right_log_density(y, w, m, s).exp(), "density p(y), not its log"),
        (
            lambda y, w, m, s: torch.logsumexp(gaussian_log_prob(m, s, y[:, None]), dim=1),
            "log weights log π_k are missing",
        ),
        (lambda y, w, m, s: torch.logsumexp(w + gaussian_log_prob(m, s, y[:, None]), dim=1), "add their logs"),
        (lambda y, w, m, s: right_log_density(y, w, m, s) + 0.5 * torch.log(torch.tensor(2 * torch.pi)), "−½·log(2π)"),
        (
            lambda y, w, m, s: (torch.log(w) + gaussian_log_prob(m, s, y[:, None])).max(dim=1).values,
            "largest component",
        ),
        (lambda y, w, m, s: (torch.log(w) + gaussian_log_prob(m, s, y[:, None])).sum(dim=1), "sums the log terms"),
        (lambda y, w, m, s: right_log_density(y, w, m, s) + 1.0, "then logsumexp over k"),
    ],
)
def test_log_mixture_density_slips_are_named(wrong, words):
    result = lesson02.check_log_mixture_density(wrong)
    assert not result.passed
    assert words in result.problems[0]


def test_log_mixture_density_wrong_shape_is_reported():
    result = lesson02.check_log_mixture_density(lambda y, w, m, s: right_log_density(y, w, m, s)[:, None])
    assert not result.passed and "should have shape (12,)" in result.problems[0]


right_m_step = solution("02", "m_step")


def package_m_step(y, resp):
    params = em.m_step(y, resp)
    return params.log_weights.exp().reshape(-1), params.means.reshape(-1), params.scales.reshape(-1)


def test_m_step_right_answer_passes_and_matches_the_package():
    assert lesson02.check_m_step(right_m_step).passed
    assert lesson02.check_m_step(package_m_step).passed


def test_m_step_stub_and_wrong_return_types():
    assert "got None" in lesson02.check_m_step(None).problems[0]
    assert "returned None" in lesson02.check_m_step(lambda y, r: None).problems[0]
    assert "three tensors" in lesson02.check_m_step(lambda y, r: right_m_step(y, r)[:2]).problems[0]
    result = lesson02.check_m_step(lambda y, r: (1.0, 2.0, 3.0))
    assert "weights should be a torch tensor" in result.problems[0]
    shape = lesson02.check_m_step(lambda y, r: (torch.ones(2), *right_m_step(y, r)[1:]))
    assert "one value per component" in shape.problems[0]


def with_weights(fn):
    return lambda y, r: (fn(y, r), *right_m_step(y, r)[1:])


def with_means(fn):
    return lambda y, r: (right_m_step(y, r)[0], fn(y, r), right_m_step(y, r)[2])


def with_scales(fn):
    return lambda y, r: (*right_m_step(y, r)[:2], fn(y, r))


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (with_weights(lambda y, r: r.sum(dim=0)), "divide them by the number of samples N"),
        (with_weights(lambda y, r: r.sum(dim=0) / len(y) * 1.1), "must sum to 1"),
        (with_weights(lambda y, r: torch.log(r.sum(dim=0) / len(y))), "log weights"),
        (with_weights(lambda y, r: torch.full((3,), 1 / 3)), "weights are"),
        (with_means(lambda y, r: (r * y[:, None]).sum(dim=0) / len(y)), "divide by N_k"),
        (with_means(lambda y, r: y.mean().expand(3)), "plain average"),
        (with_means(lambda y, r: right_m_step(y, r)[1] + 0.2), "means are"),
        (with_scales(lambda y, r: right_m_step(y, r)[2] ** 2), "variances σ²"),
        (
            with_scales(lambda y, r: ((r * (y[:, None] - right_m_step(y, r)[1]) ** 2).sum(dim=0) / len(y)).sqrt()),
            "by N; divide by N_k",
        ),
        (
            with_scales(lambda y, r: ((r * (y[:, None] - y.mean()) ** 2).sum(dim=0) / r.sum(dim=0)).sqrt()),
            "overall mean",
        ),
        (with_scales(lambda y, r: right_m_step(y, r)[2] * 1.5), "scales are"),
    ],
)
def test_m_step_slips_are_named(wrong, words):
    result = lesson02.check_m_step(wrong)
    assert not result.passed
    assert len(result.problems) == 1 and words in result.problems[0]
