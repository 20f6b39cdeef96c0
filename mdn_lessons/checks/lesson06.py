"""Checkers for lesson 06, the robot arm.

* :func:`check_elbow_angles` — the law of cosines: both elbow angles that put the hand at a target.
* :func:`check_elbow_up_probability` — reading a mixture: how much weight the MDN gives to elbow up.
* :func:`check_elbow_up_pose` — choosing a branch: the best elbow-up pose, which no MSE net can give.
"""

from __future__ import annotations

import math

import torch

from .. import robot_arm
from ..mixture import Mixture, MixtureParams
from ._core import (
    CheckResult,
    NotAttempted,
    expect_function,
    expect_shape,
    is_stub,
    require_answer,
    run_check,
    tensors_close,
)


def _mixture(params) -> MixtureParams:
    """The lesson's MixtureParams over two angles; a wrong argument here is the lesson's bug, not the student's."""
    if not isinstance(params, MixtureParams):
        raise TypeError(f"params must be the MDN's MixtureParams on the test targets, got {type(params).__name__}")
    if params.means.ndim != 3 or params.means.shape[2] != 2:
        raise ValueError(
            f"params must describe mixtures over two angles, means (N, K, 2); got {tuple(params.means.shape)}"
        )
    return Mixture.from_params(params).detach().params


def check_elbow_angles(elbow_angles) -> CheckResult:
    """Exercise 1: ``elbow_angles(hand)`` maps hand positions (N, 2) to (N, 2) elbow angles: column 0 the
    elbow-down angle θ2 in [0, π], column 1 the elbow-up angle 2π - θ2."""

    def test(problems: list[str]) -> None:
        if not expect_function(elbow_angles, "elbow_angles", problems, "of hand positions"):
            return
        hand, _ = robot_arm.inverse_data(n=50, seed=606)
        # Add an elbow at a right angle (the edge of the joint range) and one nearly folded back.
        hand = torch.cat([hand, robot_arm.forward_kinematics([[0.9, 0.5 * math.pi], [0.5, 0.95 * math.pi]])])
        answer = elbow_angles(hand.clone())
        if is_stub(answer):
            raise NotAttempted("not attempted yet: elbow_angles still returns nothing; fill in its body.")
        if not expect_shape(answer, (len(hand), 2), "elbow_angles(hand)", problems):
            return
        up, down = robot_arm.inverse_kinematics(hand)
        expected = torch.stack([down[:, 1], up[:, 1]], dim=1)
        answer = answer.detach().float()
        if tensors_close(answer, expected, atol=1e-3, rtol=0):
            return
        if not bool(torch.isfinite(answer).all()):
            problems.append(
                "some angles are NaN or inf. Rounding can push cos θ2 a hair outside [-1, 1], where arccos is "
                "NaN: clamp it first, e.g. cos_theta2.clamp(-1, 1)."
            )
        elif tensors_close(answer.flip(1), expected, atol=1e-3, rtol=0):
            problems.append("the columns are swapped: column 0 should be elbow down (θ2 ≤ π), column 1 elbow up.")
        elif tensors_close(answer, torch.rad2deg(expected), atol=0.1, rtol=0):
            problems.append("these look like degrees; give the angles in radians (torch.arccos returns radians).")
        elif tensors_close(answer[:, 0], expected[:, 0], atol=1e-3, rtol=0):
            problems.append(
                "column 0 (elbow down) is right, column 1 is not: elbow up is 2π minus the elbow-down angle."
            )
        else:
            worst = float((answer - expected).abs().max())
            problems.append(
                f"the angles differ from the true ones by up to {worst:.3g} rad. Check r² = x1² + x2² and "
                "cos θ2 = (r² - L1² - L2²) / (2 L1 L2)."
            )

    return run_check("elbow angles from the law of cosines", test)


def check_elbow_up_probability(p_up, params) -> CheckResult:
    """Exercise 2: ``p_up`` (N,) is the total weight of the components whose mean has θ2 > π, for the
    mixtures in ``params`` (the MDN's output on N targets)."""
    params = _mixture(params)

    def test(problems: list[str]) -> None:
        require_answer(p_up, "p_up")
        n = params.log_weights.shape[0]
        if not expect_shape(p_up, (n,), "p_up", problems):
            return
        answer = p_up.detach().float()
        weights = params.log_weights.exp()
        up = params.means[..., 1] > math.pi
        expected = (weights * up).sum(dim=1)
        if tensors_close(answer, expected, atol=1e-4, rtol=0):
            return
        if tensors_close(answer, (weights * ~up).sum(dim=1), atol=1e-4, rtol=0):
            problems.append("that is the weight on elbow DOWN (θ2 < π); sum the weights of the components with θ2 > π.")
        elif tensors_close(answer, (params.log_weights * up).sum(dim=1), atol=1e-4, rtol=0):
            problems.append("you summed log-weights; turn them into weights with .exp() first.")
        elif bool(((answer < -1e-6) | (answer > 1 + 1e-6)).any()):
            problems.append("a probability lies in [0, 1], and some of your values do not.")
        else:
            problems.append(
                "p_up differs from the total weight of the elbow-up components. Use the means' second column, "
                "params.means[..., 1], to tell which components are elbow up."
            )

    return run_check("probability of elbow up", test)


def _reference_up_pose(params: MixtureParams) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean of the heaviest elbow-up component per row (N, 2), and which rows have one (N,)."""
    up = params.means[..., 1] > math.pi
    best = params.log_weights.masked_fill(~up, -math.inf).argmax(dim=1)
    return params.means[torch.arange(len(best)), best], up.any(dim=1)


def _made_up_mixtures() -> MixtureParams:
    """Three hand-made mixtures (K = 3) where the heaviest component overall is elbow down."""
    log_weights = torch.tensor([[0.6, 0.3, 0.1], [0.1, 0.5, 0.4], [0.25, 0.15, 0.6]]).log()
    means = torch.tensor(
        [
            [[0.5, 2.0], [0.9, 4.0], [1.0, 3.5]],  # heaviest elbow up: component 1
            [[0.6, 3.3], [0.4, 2.5], [0.8, 4.2]],  # heaviest elbow up: component 2 (component 0 comes first)
            [[0.7, 4.4], [0.3, 3.9], [1.1, 1.9]],  # heaviest elbow up: component 0
        ]
    )
    return MixtureParams(log_weights, means, torch.full_like(means, 0.01))


def check_elbow_up_pose(elbow_up_pose, params) -> CheckResult:
    """Exercise 3: ``elbow_up_pose(params)`` returns (N, 2): for each mixture, the mean of its heaviest
    component among those with θ2 > π. Rows with no elbow-up component are not checked (NaN is a fine answer).

    The function is tried on three hand-made mixtures and on ``params`` (the MDN's output on N targets).
    """
    params = _mixture(params)

    def test(problems: list[str]) -> None:
        if not expect_function(elbow_up_pose, "elbow_up_pose", problems, "of params"):
            return
        for name, mixtures in (("the hand-made mixtures", _made_up_mixtures()), ("the MDN's mixtures", params)):
            answer = elbow_up_pose(MixtureParams(*(p.clone() for p in mixtures)))
            if is_stub(answer):
                raise NotAttempted("not attempted yet: elbow_up_pose still returns nothing; fill in its body.")
            n = mixtures.log_weights.shape[0]
            if not expect_shape(answer, (n, 2), f"elbow_up_pose on {name}", problems):
                return
            answer = answer.detach().float()
            expected, has_up = _reference_up_pose(mixtures)
            if tensors_close(answer[has_up], expected[has_up], atol=1e-5, rtol=0):
                continue
            best = mixtures.log_weights.argmax(dim=1)
            first_up = (mixtures.means[..., 1] > math.pi).float().argmax(dim=1)
            rows = torch.arange(n)
            if tensors_close(answer[has_up], mixtures.means[rows, best][has_up], atol=1e-5, rtol=0):
                problems.append(
                    f"on {name} you picked the heaviest component overall; pick the heaviest among the "
                    "components whose mean has θ2 > π."
                )
            elif tensors_close(answer[has_up], mixtures.means[rows, first_up][has_up], atol=1e-5, rtol=0):
                problems.append(f"on {name} you picked the first elbow-up component; pick the heaviest one.")
            else:
                problems.append(
                    f"on {name} some rows are not the mean of the heaviest elbow-up component. Hint: set the "
                    "log-weights of the elbow-down components to -inf, then take the argmax."
                )
            return

    return run_check("keep the elbow up", test)
