"""Checkers for lesson 06, the robot arm (Bishop's geometry: θ2 = π is the straight arm).

* :func:`check_elbow_angles` — a derivation: both elbow angles from the law of cosines, safe at the straight arm.
* :func:`check_nll_floor` — a derivation: the lowest NLL any model can reach on noisy angles.
* :func:`check_elbow_up_pose` — choosing a branch: the best elbow-up pose, which no MSE net can give.
"""

from __future__ import annotations

import math

import torch

from .. import robot_arm
from ..mixture import Mixture, MixtureParams
from ._core import (
    CaseCalls,
    CheckResult,
    as_float,
    call_student,
    close_numbers,
    expect_function,
    expect_shape,
    run_check,
    show_pair,
    tensors_close,
)

ANGLE_TOL = 1e-3
"""Radians, absolute. Set by float32 precision at the straight arm: there cos θ2 is -1 to within 1.2e-7, and
arccos turns that rounding into up to 4.9e-4 rad, so a correct float32 answer can be that far from the float64
reference. Every slip to catch (degrees, swapped columns, the textbook convention π - θ2, -θ2 for elbow down,
a missing clamp) is 0.1 rad or more away on most test hands, or NaN."""

FLOOR_TOL = 1e-4
"""Nats, absolute or relative. The nearest slip, the branch term share · log 2 forgotten, is 0.17 nats away on the
closest test case; a float32 computation is exact to about 1e-6."""

POSE_TOL = 1e-5
"""Absolute. The answer is a copy of one component's mean; any other component differs by 0.1 rad or more."""

STUB = "not attempted yet: {} still returns nothing; fill in its body."

STRAIGHT_POSES = [[0.3, math.pi], [0.6, math.pi], [0.9, math.pi], [1.2, math.pi]]
"""Legal poses with the arm straight (θ2 = π), where cos θ2 = -1: the edge of the workspace."""

BEYOND_REACH = 1 + 1e-6
"""Two test targets lie this far from the shoulder, a rounding error beyond the straight arm's reach (1), as a
measured or computed target can. There cos θ2 falls below -1 for every way of computing r² (in float32 and in
float64), arccos gives NaN unless cos θ2 is clamped to [-1, 1], and the clamp gives the best the arm can do:
the straight arm pointing at the target."""


def _mixture(params) -> MixtureParams:
    """The lesson's MixtureParams over two angles; a wrong argument here is the lesson's bug, not the student's."""
    if not isinstance(params, MixtureParams):
        raise TypeError(f"params must be the MDN's MixtureParams on the test targets, got {type(params).__name__}")
    if params.means.ndim != 3 or params.means.shape[2] != 2:
        raise ValueError(
            f"params must describe mixtures over two angles, means (N, K, 2); got {tuple(params.means.shape)}"
        )
    return Mixture.from_params(params).detach().params


# ------------------------------------------------------------------------------------ exercise 1: elbow angles


def _hand_cases() -> list[tuple[str, torch.Tensor]]:
    """(label, hand (N, 2)): 50 random reachable targets plus two at the edges of the joint range, then fresh
    targets, four with the arm straight and two a hair beyond its reach, where an arccos without a clamp gives
    NaN."""
    hand = robot_arm.inverse_data(n=50, seed=606, noise=0.0)[0]
    # An elbow at a right angle (the edge of the joint range) and one nearly straight.
    edges = robot_arm.forward_kinematics([[0.9, 0.5 * math.pi], [0.5, 0.95 * math.pi]])
    fresh = robot_arm.inverse_data(n=9, seed=616, noise=0.0)[0]
    straight = robot_arm.forward_kinematics(STRAIGHT_POSES)
    directions = torch.tensor([[0.45, 0.75], [0.8, 0.35]], dtype=torch.float64)
    beyond = (BEYOND_REACH * directions / directions.norm(dim=1, keepdim=True)).float()
    label = "on 9 fresh targets, 4 with the arm straight and 2 a hair (1e-6) beyond its reach: "
    return [("", torch.cat([hand, edges])), (label, torch.cat([fresh, straight, beyond]))]


def _expected_elbow_angles(hand: torch.Tensor) -> torch.Tensor:
    """(N, 2) float64: column 0 elbow up (θ2 in [0, π]), column 1 elbow down (2π - that)."""
    up, down = robot_arm.inverse_kinematics(hand)
    return torch.stack([up[:, 1], down[:, 1]], dim=1).double()


def _elbow_angle_slip(answer: torch.Tensor, expected: torch.Tensor, label: str) -> str:
    """The sentence naming what is wrong with a finite (N, 2) answer that is not within ANGLE_TOL."""
    up = expected[:, 0]

    def close(candidate: torch.Tensor, atol: float = ANGLE_TOL) -> bool:
        return tensors_close(answer, candidate, atol=atol, rtol=0)

    if close(expected.flip(1)):
        return f"{label}the columns are swapped: column 0 should be elbow up (θ2 ≤ π), column 1 elbow down."
    if close(torch.rad2deg(expected), atol=0.1):
        return f"{label}these look like degrees; give the angles in radians (torch.arccos returns radians)."
    if close(torch.stack([math.pi - up, math.pi + up], dim=1)) or close(torch.stack([math.pi + up, math.pi - up], 1)):
        return (
            f"{label}these are π minus the true angles: your cos θ2 has the opposite sign. That formula measures "
            "the bend from straight (the textbook convention, θ2 = 0 straight); in Bishop's geometry θ2 = π is "
            "straight and θ2 is the angle inside the triangle at the elbow, so the law of cosines reads "
            "r² = L1² + L2² - 2 L1 L2 cos θ2."
        )
    if close(torch.stack([up, -up], dim=1)):
        return (
            f"{label}column 1 is the right pose, but as -θ2, outside the joint range [π/2, 3π/2]: give the same "
            "angle as 2π - θ2."
        )
    if tensors_close(answer[:, 0], up, atol=ANGLE_TOL, rtol=0):
        return (
            f"{label}column 0 (elbow up) is right, column 1 is not: elbow down is the same triangle folded the "
            "other way, the mirror image of θ2 about the straight arm (θ2 = π)."
        )
    worst = float((answer - expected).abs().max())
    return (
        f"{label}the angles differ from the true ones by up to {worst:.3g} rad (within {ANGLE_TOL:g} is right). "
        "Check r² = x1² + x2² and the law of cosines in the triangle shoulder-elbow-hand."
    )


def check_elbow_angles(elbow_angles) -> CheckResult:
    """Exercise 1: ``elbow_angles(hand)`` maps hand positions (N, 2) to (N, 2) elbow angles: column 0 the
    elbow-up angle θ2 in [0, π], column 1 the elbow-down angle 2π - θ2. Bishop's geometry: θ2 = π is straight.

    Tried on 52 hands (random reachable targets and the edges of the joint range), then on fresh ones, some with
    the arm straight and two a hair beyond its reach, where an arccos without a clamp gives NaN; the expected
    angle there is π (the straight arm).
    """

    def test(problems: list[str]) -> None:
        if not expect_function(elbow_angles, "elbow_angles", problems, "of hand positions"):
            return
        for label, hand in _hand_cases():
            expected = _expected_elbow_angles(hand)
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
                    f"{label}some angles are NaN or inf. For a target at or a hair beyond full stretch, cos θ2 "
                    "comes out a hair below -1, where arccos is NaN. Clamp it to [-1, 1] first (Tensor.clamp): the "
                    "arm then stretches straight towards the target, the best it can do."
                )
            else:
                problems.append(_elbow_angle_slip(answer, expected, label))
            return

    return run_check("elbow angles from the law of cosines", test)


# -------------------------------------------------------------------------------------- exercise 2: NLL floor

FLOOR_CASES = [(robot_arm.ANGLE_NOISE, 0.6), (0.05, 0.25), (0.1, 1.0), (0.01, 0.4)]
"""(noise_std, two_answer_share): the lesson's noise first, then fresh cases."""


def nll_floor_reference(noise_std: float, two_answer_share: float) -> float:
    """log(2πe σ²) + share · log 2: the entropy of two independent angles with Gaussian noise σ, plus the
    choice between two equally likely, well-separated answers on the given share of targets."""
    return math.log(2 * math.pi * math.e * noise_std**2) + two_answer_share * math.log(2)


def _floor_slips(noise_std: float, share: float) -> list[tuple[float, str]]:
    """(the value a slip gives, the sentence that names it), nearest slips last."""
    gauss = math.log(2 * math.pi * math.e * noise_std**2)
    branch = share * math.log(2)
    right = gauss + branch
    return [
        (-right, "the sign is flipped: the NLL floor is the entropy itself, which is negative here for small σ."),
        (right / math.log(2), "that is in bits (log base 2); the NLL is in nats (natural log)."),
        (
            math.log(2 * math.pi * math.e * noise_std) + branch,
            "the Gaussian's entropy has log σ², not log σ: each angle gives ½ log(2πe σ²).",
        ),
        (gauss / 2 + branch, "that counts one angle; the target has two, θ1 and θ2, each with its own noise."),
        (
            math.log(2 * math.pi * noise_std**2) + branch,
            "that is minus the log-density at the centre of the Gaussian; the floor is its entropy, the average "
            "of -log p over the noise, which adds ½ per angle (the e in log(2πe σ²)).",
        ),
        (gauss - branch, "the branch term has the wrong sign: a choice between two answers adds uncertainty."),
        (gauss + math.log(2), "not every target has two answers: the log 2 applies to the given share only."),
        (gauss, "the choice between two equally likely answers is missing: it adds log 2 on that share of targets."),
    ]


def check_nll_floor(nll_floor) -> CheckResult:
    """Exercise 2: ``nll_floor(noise_std, two_answer_share)`` -> the lowest average NLL (nats per target) any
    model can reach when both angles carry Gaussian noise of std ``noise_std`` and a share ``two_answer_share``
    of the targets has two equally likely answers far apart (the rest one): log(2πe σ²) + share · log 2.

    Tried on the lesson's noise and on three fresh cases.
    """

    def test(problems: list[str]) -> None:
        if not expect_function(nll_floor, "nll_floor", problems, "(noise_std, two_answer_share)"):
            return
        expected = [nll_floor_reference(*case) for case in FLOOR_CASES]
        calls = CaseCalls(
            nll_floor,
            [{"noise_std": noise, "two_answer_share": share} for noise, share in FLOOR_CASES],
            name="nll_floor",
            stub_message=STUB.format("nll_floor"),
        )
        for index, (case, wanted) in enumerate(zip(FLOOR_CASES, expected, strict=True)):
            call = calls[index]
            value = as_float(call.result, f"{call.text}", problems)
            if value is None:
                return
            if close_numbers(value, wanted, FLOOR_TOL):
                continue
            shown, wanted_text = show_pair(value, wanted, FLOOR_TOL)
            problem = f"{call.text} is {shown}, expected about {wanted_text} (within {FLOOR_TOL:g})."
            named = [words for slip, words in _floor_slips(*case) if close_numbers(value, slip, FLOOR_TOL)]
            if named:
                problem += " " + named[-1]
            elif calls.same_elsewhere(index):
                problem += " It is the same number as for another case: compute it from the arguments."
            else:
                problem += (
                    " The floor is the entropy of the true p(θ | x): two Gaussian angles, plus the choice of branch."
                )
            problems.append(problem)
            return

    return run_check("the NLL floor", test)


# ------------------------------------------------------------------------------- exercise 3: keep the elbow up


def _up(params: MixtureParams) -> torch.Tensor:
    """(N, K) bool: which components' means are elbow up (θ2 < π)."""
    return torch.sin(params.means[..., 1].double()) > 0


def _reference_up_pose(params: MixtureParams) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean of the heaviest elbow-up component per row (N, 2), and which rows have one (N,)."""
    up = _up(params)
    best = params.log_weights.masked_fill(~up, -math.inf).argmax(dim=1)
    return params.means[torch.arange(len(best)), best], up.any(dim=1)


def _made_up_mixtures() -> MixtureParams:
    """Four hand-made mixtures (K = 3): the heaviest component overall, the heaviest elbow-down one and the
    first elbow-up one each differ from the answer in some row."""
    log_weights = torch.tensor([[0.6, 0.3, 0.1], [0.1, 0.5, 0.4], [0.25, 0.15, 0.6], [0.5, 0.3, 0.2]]).log()
    means = torch.tensor(
        [
            [[0.5, 4.2], [0.9, 2.3], [1.0, 2.8]],  # heaviest elbow up: component 1
            [[0.6, 2.9], [0.4, 3.9], [0.8, 2.0]],  # heaviest elbow up: component 2 (component 0 comes first)
            [[0.7, 1.8], [0.3, 2.4], [1.1, 4.3]],  # heaviest elbow up: component 0
            [[0.6, 2.2], [0.9, 4.0], [0.4, 2.6]],  # heaviest elbow up: component 0, also the heaviest overall
        ]
    )
    return MixtureParams(log_weights, means, torch.full_like(means, 0.01))


def check_elbow_up_pose(elbow_up_pose, params) -> CheckResult:
    """Exercise 3: ``elbow_up_pose(params)`` returns (N, 2): for each mixture, the mean of its heaviest
    component among those with θ2 < π (elbow up). Rows with no elbow-up component are not checked.

    The function is tried on four hand-made mixtures and on ``params`` (the MDN's output on N targets).
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
            if tensors_close(answer[has_up], expected[has_up].double(), atol=POSE_TOL, rtol=0):
                continue
            rows = torch.arange(n)
            up = _up(mixtures)
            candidates = [
                (
                    mixtures.log_weights.argmax(dim=1),
                    "you picked the heaviest component overall; pick the heaviest "
                    "among the elbow-up components (θ2 < π).",
                ),
                (
                    mixtures.log_weights.masked_fill(up, -math.inf).argmax(dim=1),
                    "you picked the heaviest elbow-DOWN "
                    "component: in Bishop's geometry θ2 = π is the straight arm, and elbow up is θ2 < π.",
                ),
                (up.float().argmax(dim=1), "you picked the first elbow-up component; pick the heaviest one."),
            ]
            for index, words in candidates:
                if tensors_close(answer[has_up], mixtures.means[rows, index][has_up].double(), atol=POSE_TOL, rtol=0):
                    problems.append(f"on {name} {words}")
                    return
            problems.append(
                f"on {name} some rows are not the mean of the heaviest elbow-up component (θ2 < π). Each row's "
                "answer is one component's mean, chosen by weight among the elbow-up ones only."
            )
            return

    return run_check("keep the elbow up", test)
