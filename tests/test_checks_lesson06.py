import math

import pytest
import torch
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons import robot_arm as arm

checks = ml.checks.lesson06
L1, L2 = arm.LINK_LENGTHS


def _mixtures(n=40, seed=0):
    """MixtureParams like an MDN's on n targets (K = 3, D = 2): components near both exact answers and a spare."""
    hand, _ = arm.inverse_data(n=n, seed=seed)
    up, down = arm.inverse_kinematics(hand)
    generator = torch.Generator().manual_seed(seed)
    spare = up + 0.3 * torch.randn(n, 2, generator=generator)
    means = torch.stack([down, up, spare], dim=1)
    log_weights = torch.log_softmax(torch.randn(n, 3, generator=generator), dim=1)
    return ml.MixtureParams(log_weights, means, torch.full_like(means, 0.01))


_elbow_angles = solution("06", "elbow_angles")
_nll_floor = solution("06", "nll_floor")
_elbow_up_pose = solution("06", "elbow_up_pose")


def _stub_function(*args): ...


# ---------------------------------------------------------------------------------------------- stubs


@pytest.mark.parametrize(
    "run",
    [
        lambda: checks.check_elbow_angles(_stub_function),
        lambda: checks.check_elbow_angles(...),
        lambda: checks.check_nll_floor(_stub_function),
        lambda: checks.check_nll_floor(...),
        lambda: checks.check_elbow_up_pose(_stub_function, _mixtures()),
    ],
)
def test_the_lessons_stubs_are_reported_as_not_attempted_without_raising(run, capsys):
    result = run()
    assert not result.passed
    assert result.problems[0].startswith("not attempted yet")
    assert "❌" in capsys.readouterr().out


# ------------------------------------------------------------------------------------- right answers pass


def test_correct_answers_pass(capsys):
    assert checks.check_elbow_angles(_elbow_angles).passed
    assert checks.check_nll_floor(_nll_floor).passed
    assert checks.check_elbow_up_pose(_elbow_up_pose, _mixtures()).passed
    assert capsys.readouterr().out.count("✅") == 3


def test_other_correct_forms_pass():
    def by_atan2_in_float64(hand):
        c = ((L1**2 + L2**2 - (hand.double() ** 2).sum(dim=1)) / (2 * L1 * L2)).clamp(-1, 1)
        theta2 = torch.atan2((1 - c**2).sqrt(), c)
        return torch.stack([theta2, 2 * math.pi - theta2], dim=1)

    def from_the_norm(hand):
        r = hand.norm(dim=1)
        theta2 = torch.arccos(torch.clamp((L1 * L1 + L2 * L2 - r * r) / (2 * L1 * L2), -1, 1))
        return torch.stack([theta2, 2 * math.pi - theta2], dim=1)

    assert checks.check_elbow_angles(by_atan2_in_float64).passed
    assert checks.check_elbow_angles(from_the_norm).passed
    assert checks.check_nll_floor(
        lambda s, p: torch.tensor(2 * 0.5 * math.log(2 * math.pi * math.e * s * s)) + p * 0.6931472
    ).passed
    assert checks.check_nll_floor(lambda s, p: 1 + math.log(2 * math.pi) + 2 * math.log(s) + p * math.log(2)).passed


def test_an_elbow_up_pose_with_nan_where_no_component_is_elbow_up_passes():
    params = _mixtures(n=10)
    means = params.means.clone()
    means[0, :, 1] = 4.0  # row 0: every component elbow down
    params = params._replace(means=means)

    def with_nan(p):
        pose = _elbow_up_pose(p)
        pose[~(p.means[..., 1] < math.pi).any(dim=1)] = math.nan
        return pose

    assert checks.check_elbow_up_pose(with_nan, params).passed


# ---------------------------------------------------------------------------------- the cases themselves


def test_the_cases_reach_the_straight_arm_where_arccos_without_a_clamp_is_nan():
    _, hand = checks._hand_cases()[1]
    for r2 in ((hand**2).sum(dim=1), hand.norm(dim=1) ** 2, (hand.double() ** 2).sum(dim=1)):
        cos_theta2 = (L1**2 + L2**2 - r2) / (2 * L1 * L2)
        assert bool(torch.isnan(torch.arccos(cos_theta2)).any())  # every way of computing r² meets the edge
    expected = checks._expected_elbow_angles(hand)
    torch.testing.assert_close(expected[-2:], torch.full((2, 2), math.pi, dtype=torch.float64))


def test_the_lesson_share_and_noise_are_among_the_floor_cases():
    x, _ = arm.inverse_data(n=1000, seed=1)
    up, down = arm.inverse_kinematics(x)
    share = float((arm.within_limits(up) & arm.within_limits(down)).float().mean())
    noise, case_share = checks.FLOOR_CASES[0]
    assert noise == arm.ANGLE_NOISE and abs(case_share - share) < 0.1


def test_the_floor_reference_matches_the_true_density_on_many_targets():
    x, y = arm.inverse_data(n=20_000, seed=21)
    up, down = arm.inverse_kinematics(x)
    share = float((arm.within_limits(up) & arm.within_limits(down)).float().mean())
    measured = -float(arm.true_log_prob(x, y).mean())
    assert checks.nll_floor_reference(arm.ANGLE_NOISE, share) == pytest.approx(measured, abs=0.03)


# --------------------------------------------------------------------------- wrong answers, explained in words


def _textbook_convention(hand):
    r2 = (hand**2).sum(dim=1)
    theta2 = torch.arccos(((r2 - L1**2 - L2**2) / (2 * L1 * L2)).clamp(-1, 1))
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


def _without_clamp(hand):
    r2 = (hand**2).sum(dim=1)
    theta2 = torch.arccos((L1**2 + L2**2 - r2) / (2 * L1 * L2))
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_without_clamp, "Clamp it to [-1, 1]"),
        (_textbook_convention, "opposite sign"),
        (lambda hand: _elbow_angles(hand).flip(1), "columns are swapped"),
        (lambda hand: torch.rad2deg(_elbow_angles(hand)), "look like degrees"),
        (lambda hand: torch.stack([_elbow_angles(hand)[:, 0], -_elbow_angles(hand)[:, 0]], 1), "as -θ2"),
        (lambda hand: torch.stack([_elbow_angles(hand)[:, 0], math.pi - _elbow_angles(hand)[:, 0]], 1), "column 1"),
        (lambda hand: _elbow_angles(hand) + 0.1, "differ from the true ones by up to 0.1"),
        (lambda hand: _elbow_angles(hand)[:, 0], "should have shape (52, 2)"),
        (lambda hand: _elbow_angles(hand).numpy(), "should be a torch tensor"),
        (lambda hand: torch.full((len(hand), 2), math.nan), "NaN or inf"),
        (lambda hand: 1 / 0, "your code raised ZeroDivisionError"),
        ("elbow", "should be a function"),
    ],
)
def test_wrong_elbow_angles_are_explained(answer, words):
    result = checks.check_elbow_angles(answer)
    assert not result.passed
    assert any(words in problem for problem in result.problems), result.problems


def test_a_clampless_answer_passes_the_first_case_and_fails_on_the_straight_arm():
    result = checks.check_elbow_angles(_without_clamp)
    assert result.problems[0].startswith("on 9 fresh targets, 4 with the arm straight and 2 a hair")


def _gauss(s):
    return math.log(2 * math.pi * math.e * s**2)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda s, p: _gauss(s), "choice between two equally likely answers is missing"),
        (lambda s, p: _gauss(s) + math.log(2), "applies to the given share only"),
        (lambda s, p: _gauss(s) - p * math.log(2), "branch term has the wrong sign"),
        (lambda s, p: _gauss(s) / 2 + p * math.log(2), "counts one angle"),
        (lambda s, p: math.log(2 * math.pi * s**2) + p * math.log(2), "log-density at the centre"),
        (lambda s, p: math.log(2 * math.pi * math.e * s) + p * math.log(2), "log σ², not log σ"),
        (lambda s, p: (_gauss(s) + p * math.log(2)) / math.log(2), "in bits"),
        (lambda s, p: -(_gauss(s) + p * math.log(2)), "sign is flipped"),
        (lambda s, p: _nll_floor(0.02, 0.6), "same number as for another case"),
        (lambda s, p: _gauss(s) + 0.3, "entropy of the true p(θ | x)"),
        (lambda s, p: "-4.5", "should be a number, got str"),
        (lambda s, p: None, "returned None"),
        (lambda s, p: [_nll_floor(s, p)] * 2, "should be a number"),
    ],
)
def test_wrong_nll_floors_are_explained(answer, words):
    result = checks.check_nll_floor(answer)
    assert not result.passed
    assert any(words in problem for problem in result.problems), result.problems


def _heaviest_overall(p):
    return p.means[torch.arange(len(p.means)), p.log_weights.argmax(dim=1)]


def _first_elbow_up(p):
    first = (p.means[..., 1] < math.pi).float().argmax(dim=1)
    return p.means[torch.arange(len(p.means)), first]


def _heaviest_with_theta2_above_pi(p):  # the elbow-up test of an arm that folds at θ2 = π
    best = p.log_weights.masked_fill(~(p.means[..., 1] > math.pi), -math.inf).argmax(dim=1)
    return p.means[torch.arange(len(best)), best]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (_heaviest_overall, "heaviest component overall"),
        (_heaviest_with_theta2_above_pi, "heaviest elbow-DOWN component"),
        (_first_elbow_up, "first elbow-up component"),
        (lambda p: p.means.mean(dim=1), "not the mean of the heaviest elbow-up component"),
        (lambda p: p.means[:, 0], "not the mean of the heaviest elbow-up component"),
        (lambda p: p.means, "should have shape (4, 2)"),
    ],
)
def test_wrong_elbow_up_poses_are_explained(wrong, words):
    result = checks.check_elbow_up_pose(wrong, _mixtures())
    assert not result.passed
    assert any(words in problem for problem in result.problems), result.problems


def test_the_hand_made_mixtures_catch_what_a_lucky_mdn_output_might_not():
    # On mixtures where the heaviest component is always elbow up, "heaviest overall" is right by luck;
    # the checker's hand-made mixtures still catch it.
    params = _mixtures()
    means = params.means.clone()
    means[:, :, 1] = 2.0
    lucky = params._replace(means=means)
    result = checks.check_elbow_up_pose(_heaviest_overall, lucky)
    assert not result.passed and "hand-made" in result.problems[0]


# --------------------------------------------------------------------------- a wrong call by the lesson itself


def test_the_checker_refuses_a_params_that_is_not_a_mixture_over_two_angles():
    with pytest.raises(TypeError, match="params must be the MDN's MixtureParams"):
        checks.check_elbow_up_pose(_elbow_up_pose, "params")
    one_angle = _mixtures()._replace(means=torch.zeros(40, 3, 1), scales=torch.ones(40, 3, 1))
    with pytest.raises(ValueError, match=r"means \(N, K, 2\)"):
        checks.check_elbow_up_pose(_elbow_up_pose, one_angle)


def test_none_instead_of_a_function_is_named():
    result = checks.check_elbow_up_pose(None, _mixtures())
    assert not result.passed and "got None" in result.problems[0]
    result = checks.check_nll_floor(None)
    assert not result.passed and "got None" in result.problems[0]
