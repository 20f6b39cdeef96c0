"""checks.lesson05: right answers pass; stubs say "not attempted"; each usual slip is named in words."""

import math

import pytest
import torch
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons.checks import lesson05

CHECKERS = [lesson05.check_density_threshold, lesson05.check_tempered_log_weights, lesson05.check_lowest_nll]


right_threshold = solution("05", "density_threshold")
right_tempered = solution("05", "tempered_log_weights")
right_lowest = solution("05", "lowest_nll")


def test_module_is_reachable_as_ml_checks_lesson05():
    assert ml.checks.lesson05 is lesson05


@pytest.mark.parametrize(
    ("check", "right"), list(zip(CHECKERS, [right_threshold, right_tempered, right_lowest], strict=True))
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


# ------------------------------------------------------------------------------------ the density threshold


def threshold_by_sorting(density, spacing, level, descending=True, times_spacing=True):
    ordered = density.sort(descending=descending).values
    held = torch.cumsum(ordered * (spacing if times_spacing else 1.0), dim=0)
    index = min(int(torch.searchsorted(held, torch.tensor(level, dtype=held.dtype))), len(ordered) - 1)
    return float(ordered[index])


def threshold_normalised(density, spacing, level):
    """Right too: the running share of the grid's total probability, with > instead of >=, one point later."""
    ordered = density.double().sort(descending=True).values
    share = torch.cumsum(ordered, dim=0) / ordered.sum()
    return float(ordered[min(int((share <= level).sum()) + 1, len(ordered) - 1)])


def threshold_index(density, spacing, level):
    ordered = density.sort(descending=True).values
    return int(torch.searchsorted(torch.cumsum(ordered * spacing, dim=0), torch.tensor(level)))


@pytest.mark.parametrize("right", [threshold_normalised, lambda d, s, lv: torch.tensor(right_threshold(d, s, lv))])
def test_density_threshold_right_answers_in_other_forms_pass(right):
    assert lesson05.check_density_threshold(right).passed


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda d, s, lv: threshold_by_sorting(d, s, lv, descending=False), "BELOW your h"),
        (lambda d, s, lv: threshold_by_sorting(d, s, 1 - lv), "BELOW your h"),
        (lambda d, s, lv: threshold_by_sorting(d, s, lv, times_spacing=False), "density × spacing"),
        (lambda d, s, lv: float(torch.quantile(d, 1 - lv)), "share of the PROBABILITY"),
        (threshold_index, "a position"),
        (lambda d, s, lv: lv * float(d.max()), "they should hold"),
        (lambda d, s, lv: 0.05, "same h as for another case"),
        (lambda d, s, lv: [0.1, 0.2], "should be a number, got list"),
    ],
)
def test_density_threshold_slips_are_named(wrong, words):
    result = lesson05.check_density_threshold(wrong)
    assert not result.passed
    assert words in result.problems[0], result.problems


def test_density_threshold_cases_are_fine_enough_for_the_tolerance():
    for _, density, spacing, level in lesson05._threshold_cases():
        assert float(density.max()) * spacing <= 0.005  # one grid point more or less stays within the tolerance
        assert float(density.double().sum()) * spacing == pytest.approx(1.0, abs=1e-4)
        assert abs((1 - level) - level) > 3 * lesson05.THRESHOLD_TOL  # 1 - level is told apart from level


# ------------------------------------------------------------------------------------ tempered log-weights


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


# ------------------------------------------------------------------------------------------ the lowest NLL

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


@pytest.mark.parametrize(
    "right",
    [
        lambda m, s: -math.log(1 / (m * s * math.sqrt(2 * math.pi))),
        lambda m, s: torch.log(torch.tensor(m * s)) + HALF_LOG_2PI,
        lambda m, s: torch.tensor([math.log(m) + math.log(s) + HALF_LOG_2PI]),
    ],
)
def test_lowest_nll_right_answers_in_other_forms_pass(right):
    assert lesson05.check_lowest_nll(right).passed


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda m, s: math.log(m) + HALF_LOG_2PI, "standardised units"),
        (lambda m, s: math.log(m * s), "½ log(2π) is missing"),
        (lambda m, s: -(math.log(m * s) + HALF_LOG_2PI), "sign is flipped"),
        (lambda m, s: 1 / (m * s * math.sqrt(2 * math.pi)), "highest density itself"),
        (lambda m, s: math.log10(m * s * math.sqrt(2 * math.pi)), "log base 10"),
        (lambda m, s: math.log((m * s) ** 2) + HALF_LOG_2PI, "σ²"),
        (lambda m, s: math.log(m + s) + HALF_LOG_2PI, "1 / (σ_min √(2π))"),
        (lambda m, s: torch.log(m * s), "use math.log"),
        (lambda m, s: f"{math.log(m * s):.3f}", "should be a number"),
    ],
)
def test_lowest_nll_slips_are_named(wrong, words):
    result = lesson05.check_lowest_nll(wrong)
    assert not result.passed
    assert words in result.problems[0], result.problems


def test_lowest_nll_cases_tell_the_standardised_slip_apart():
    # std(y) = 1 hides the missing y_std; every other case shows it by more than the tolerance
    shown = [abs(math.log(s)) for _, s in lesson05.LOWEST_NLL_CASES if s != 1.0]
    assert len(shown) >= 2 and min(shown) > 100 * lesson05.LOWEST_NLL_TOL
