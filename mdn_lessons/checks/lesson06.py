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
    call_student,
    expect_function,
    expect_shape,
    require_answer,
    run_check,
    show_difference,
    tensors_close,
)

ANGLE_TOL = 1e-3
"""Radians, absolute. Set by float32 precision at the folded arm: there cos θ2 is -1 to within 1.2e-7, and
arccos turns that rounding into up to 4.9e-4 rad, so a correct float32 answer can be that far from the float64
reference. Every slip to catch (degrees, swapped columns, π - θ2 for elbow up, a missing clamp) is 0.1 rad or
more away, or NaN."""

P_UP_TOL = 1e-4
"""Absolute. The nearest slip, the elbow-down weight 1 - p_up, differs by |1 - 2 p_up|, 0.2 or more on most
rows; float32 sums of K weights are exact to 1e-7."""

POSE_TOL = 1e-5
"""Absolute. The answer is a copy of one component's mean; any other component differs by 0.1 rad or more."""

STUB = "not attempted yet: {} still returns nothing; fill in its body."
FOLDED_POSES = [[0.5, math.pi], [0.35, math.pi]]
"""Legal poses with the forearm folded back (θ2 = π): in float32, cos θ2 comes out as -1.0000001 for both,
and arccos of that is NaN unless it is clamped to [-1, 1]."""


def _mixture(params) -> MixtureParams:
    """The lesson's MixtureParams over two angles; a wrong argument here is the lesson's bug, not the student's."""
    if not isinstance(params, MixtureParams):
        raise TypeError(f"params must be the MDN's MixtureParams on the test targets, got {type(params).__name__}")
    if params.means.ndim != 3 or params.means.shape[2] != 2:
        raise ValueError(
            f"params must describe mixtures over two angles, means (N, K, 2); got {tuple(params.means.shape)}"
        )
    return Mixture.from_params(params).detach().params


def _hand_cases() -> list[tuple[str, torch.Tensor]]:
    """(label, hand (N, 2)): 50 random reachable targets plus two at the edges of the joint range, then fresh
    targets with the forearm folded back, where an arccos without a clamp gives NaN."""
    hand, _ = robot_arm.inverse_data(n=50, seed=606)
    # An elbow at a right angle (the edge of the joint range) and one nearly folded back.
    edges = robot_arm.forward_kinematics([[0.9, 0.5 * math.pi], [0.5, 0.95 * math.pi]])
    fresh, _ = robot_arm.inverse_data(n=9, seed=616)
    folded = robot_arm.forward_kinematics(FOLDED_POSES)
    return [
        ("", torch.cat([hand, edges])),
        ("on 9 fresh targets and 2 with the arm folded: ", torch.cat([fresh, folded])),
    ]


def check_elbow_angles(elbow_angles) -> CheckResult:
    """Exercise 1: ``elbow_angles(hand)`` maps hand positions (N, 2) to (N, 2) elbow angles: column 0 the
    elbow-down angle θ2 in [0, π], column 1 the elbow-up angle 2π - θ2."""

    def test(problems: list[str]) -> None:
        if not expect_function(elbow_angles, "elbow_angles", problems, "of hand positions"):
            return
        for label, hand in _hand_cases():
            up, down = robot_arm.inverse_kinematics(hand)
            expected = torch.stack([down[:, 1], up[:, 1]], dim=1).double()
            call = call_student(
                elbow_angles, {"hand": hand}, name="elbow_angles", stub_message=STUB.format("elbow_angles")
            )
            answer = call.result
            if not expect_shape(answer, (len(hand), 2), f"{label}elbow_angles(hand)", problems, returned=True):
                return
            answer = answer.detach().double()
            if tensors_close(answer, expected, atol=ANGLE_TOL, rtol=0):
                continue
            if not bool(torch.isfinite(answer).all()):
                problems.append(
                    f"{label}some angles are NaN or inf. With the forearm folded back (θ2 = π), rounding pushes "
                    "cos θ2 a hair below -1, where arccos is NaN: clamp it first, e.g. cos_theta2.clamp(-1, 1)."
                )
            elif tensors_close(answer.flip(1), expected, atol=ANGLE_TOL, rtol=0):
                problems.append(
                    f"{label}the columns are swapped: column 0 should be elbow down (θ2 ≤ π), column 1 elbow up."
                )
            elif tensors_close(answer, torch.rad2deg(expected), atol=0.1, rtol=0):
                problems.append(
                    f"{label}these look like degrees; give the angles in radians (torch.arccos returns radians)."
                )
            elif tensors_close(answer[:, 0], expected[:, 0], atol=ANGLE_TOL, rtol=0):
                problems.append(
                    f"{label}column 0 (elbow down) is right, column 1 is not: elbow up is 2π minus the "
                    "elbow-down angle."
                )
            else:
                worst = float((answer - expected).abs().max())
                problems.append(
                    f"{label}the angles differ from the true ones by up to {worst:.3g} rad (within {ANGLE_TOL:g} "
                    "is right). Check r² = x1² + x2² and cos θ2 = (r² - L1² - L2²) / (2 L1 L2)."
                )
            return

    return run_check("elbow angles from the law of cosines", test)


def check_elbow_up_probability(p_up, params) -> CheckResult:
    """Exercise 2: ``p_up`` (N,) is the total weight of the components whose mean has θ2 > π, for the
    mixtures in ``params`` (the MDN's output on N targets)."""
    params = _mixture(params)

    def test(problems: list[str]) -> None:
        n = params.log_weights.shape[0]
        weights = params.log_weights.double().exp()
        up = params.means[..., 1] > math.pi
        expected = (weights * up).sum(dim=1)
        require_answer(p_up, "p_up")
        if not expect_shape(p_up, (n,), "p_up", problems):
            return
        answer = p_up.detach().double()
        if tensors_close(answer, expected, atol=P_UP_TOL, rtol=0):
            return
        if tensors_close(answer, (weights * ~up).sum(dim=1), atol=P_UP_TOL, rtol=0):
            problems.append("that is the weight on elbow DOWN (θ2 < π); sum the weights of the components with θ2 > π.")
        elif tensors_close(answer, (params.log_weights.double() * up).sum(dim=1), atol=P_UP_TOL, rtol=0):
            problems.append("you summed log-weights; turn them into weights with .exp() first.")
        elif bool(((answer < -1e-6) | (answer > 1 + 1e-6)).any()):
            problems.append("a probability lies in [0, 1], and some of your values do not.")
        else:
            problems.append(
                f"p_up differs from the total weight of the elbow-up components: "
                f"{show_difference(answer, expected, P_UP_TOL)} (within {P_UP_TOL:g}). Use the means' second "
                "column, params.means[..., 1], to tell which components are elbow up."
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
            expected, has_up = _reference_up_pose(mixtures)
            call = call_student(
                elbow_up_pose, {"params": mixtures}, name="elbow_up_pose", stub_message=STUB.format("elbow_up_pose")
            )
            answer = call.result
            n = mixtures.log_weights.shape[0]
            if not expect_shape(answer, (n, 2), f"elbow_up_pose on {name}", problems, returned=True):
                return
            answer = answer.detach().double()
            expected = expected.double()
            if tensors_close(answer[has_up], expected[has_up], atol=POSE_TOL, rtol=0):
                continue
            best = mixtures.log_weights.argmax(dim=1)
            first_up = (mixtures.means[..., 1] > math.pi).float().argmax(dim=1)
            rows = torch.arange(n)
            if tensors_close(answer[has_up], mixtures.means[rows, best][has_up].double(), atol=POSE_TOL, rtol=0):
                problems.append(
                    f"on {name} you picked the heaviest component overall; pick the heaviest among the "
                    "components whose mean has θ2 > π."
                )
            elif tensors_close(answer[has_up], mixtures.means[rows, first_up][has_up].double(), atol=POSE_TOL, rtol=0):
                problems.append(f"on {name} you picked the first elbow-up component; pick the heaviest one.")
            else:
                problems.append(
                    f"on {name} some rows are not the mean of the heaviest elbow-up component. Hint: set the "
                    "log-weights of the elbow-down components to -inf, then take the argmax."
                )
            return

    return run_check("keep the elbow up", test)
