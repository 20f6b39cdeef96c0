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
_elbow_up_pose = solution("06", "elbow_up_pose")


def _p_up(params):
    return solution("06", "p_up", params=params)


def _stub_function(*args): ...


# ---------------------------------------------------------------------------------------------- stubs


@pytest.mark.parametrize(
    "run",
    [
        lambda: checks.check_elbow_angles(_stub_function),
        lambda: checks.check_elbow_angles(...),
        lambda: checks.check_elbow_up_probability(..., _mixtures()),
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
    params = _mixtures()
    assert checks.check_elbow_angles(_elbow_angles).passed
    assert checks.check_elbow_up_probability(_p_up(params), params).passed
    assert checks.check_elbow_up_pose(_elbow_up_pose, params).passed
    assert capsys.readouterr().out.count("✅") == 3


def test_an_elbow_up_pose_with_nan_where_no_component_is_elbow_up_passes():
    params = _mixtures(n=10)
    means = params.means.clone()
    means[0, :, 1] = 2.0  # row 0: every component elbow down
    params = params._replace(means=means)

    def with_nan(p):
        pose = _elbow_up_pose(p)
        pose[~(p.means[..., 1] > math.pi).any(dim=1)] = math.nan
        return pose

    assert checks.check_elbow_up_pose(with_nan, params).passed


# --------------------------------------------------------------------------- wrong answers, explained in words


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda hand: _elbow_angles(hand).flip(1), "columns are swapped"),
        (lambda hand: torch.rad2deg(_elbow_angles(hand)), "look like degrees"),
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


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda p: 1 - _p_up(p), "elbow DOWN"),
        (lambda p: (p.log_weights * (p.means[..., 1] > math.pi)).sum(dim=1), "log-weights"),
        (lambda p: 2 * _p_up(p) + 0.5, "a probability lies in [0, 1]"),
        (lambda p: _p_up(p).flip(0), "differs from the total weight"),
        (lambda p: _p_up(p)[:, None], "should have shape (40,)"),
    ],
)
def test_wrong_elbow_up_probabilities_are_explained(wrong, words):
    params = _mixtures()
    result = checks.check_elbow_up_probability(wrong(params), params)
    assert not result.passed
    assert any(words in problem for problem in result.problems), result.problems


def _heaviest_overall(p):
    return p.means[torch.arange(len(p.means)), p.log_weights.argmax(dim=1)]


def _first_elbow_up(p):
    first = (p.means[..., 1] > math.pi).float().argmax(dim=1)
    return p.means[torch.arange(len(p.means)), first]


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (_heaviest_overall, "heaviest component overall"),
        (_first_elbow_up, "first elbow-up component"),
        (lambda p: p.means.mean(dim=1), "not the mean of the heaviest elbow-up component"),
        (lambda p: p.means[:, 0], "not the mean of the heaviest elbow-up component"),
        (lambda p: p.means, "should have shape (3, 2)"),
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
    means[:, :, 1] = 4.0
    lucky = params._replace(means=means)
    result = checks.check_elbow_up_pose(_heaviest_overall, lucky)
    assert not result.passed and "hand-made" in result.problems[0]


# --------------------------------------------------------------------------- a wrong call by the lesson itself


def test_the_checkers_refuse_a_params_that_is_not_a_mixture_over_two_angles():
    with pytest.raises(TypeError, match="params must be the MDN's MixtureParams"):
        checks.check_elbow_up_probability(torch.zeros(3), "params")
    one_angle = _mixtures()._replace(means=torch.zeros(40, 3, 1), scales=torch.ones(40, 3, 1))
    with pytest.raises(ValueError, match=r"means \(N, K, 2\)"):
        checks.check_elbow_up_pose(_elbow_up_pose, one_angle)


def test_none_instead_of_a_function_is_named():
    result = checks.check_elbow_up_pose(None, _mixtures())
    assert not result.passed and "got None" in result.problems[0]
