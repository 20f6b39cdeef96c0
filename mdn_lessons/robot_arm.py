"""A two-link planar robot arm: the inverse problem of Bishop's 1994 report "Mixture Density Networks".

The geometry is Bishop's (NCRG/94/004). The shoulder sits at the origin. The upper arm (length ``L1 = 0.8``)
leaves it at angle θ1 from the x1 axis; the forearm (length ``L2 = 0.2``) hangs from the elbow at θ2::

    elbow = L1 (cos θ1, sin θ1)
    hand  = elbow - L2 (cos(θ1 + θ2), sin(θ1 + θ2))

so θ2 = π is the *straight* arm (hand at distance L1 + L2 = 1 from the shoulder) and θ2 is the angle inside
the triangle shoulder-elbow-hand, at the elbow. The joint limits are θ1 ∈ [0.3, 1.2] and θ2 ∈ [π/2, 3π/2]:
the elbow bends up to a right angle either way from straight, so the hand stays between √(L1² + L2²) ≈ 0.825
and 1 from the shoulder.

That forward map, angles -> hand position, is a function. Its inverse has two answers wherever both respect
the joint limits: *elbow up* (θ2 < π: the elbow on the counter-clockwise side of the line from shoulder to
hand, above it for the arm's targets) and *elbow down* (θ2 = 2π - (elbow-up θ2) > π). Their average has
θ2 = π: the straight arm, whose hand lies on the outer edge of the workspace.

Both answers have the same |sin θ2|, and the forward map's Jacobian determinant is L1 L2 |sin θ2|, so under
uniformly drawn angles the same area of joint space lands near a target from each side: where both are
allowed, each is equally likely.

The data (:func:`inverse_data`) add Gaussian noise to the recorded angles. Without it the answer for a hand
position is two points, a density over the angles can grow without bound there, and a model's negative
log-likelihood has no floor; with it the true conditional density is known in closed form
(:func:`true_log_prob`) and its NLL is the lowest any model can reach.

Shapes: ``angles`` and ``hand`` are (N, 2) float32 tensors, columns (θ1, θ2) and (x1, x2). A single pose
or position of shape (2,) is read as one row, (1, 2).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from . import _validate
from .mixture import Mixture, MixtureParams, mixture_log_prob

LINK_LENGTHS = (0.8, 0.2)
"""(L1, L2): upper arm and forearm."""
THETA1_RANGE = (0.3, 1.2)
"""Shoulder angle limits, radians."""
THETA2_RANGE = (0.5 * math.pi, 1.5 * math.pi)
"""Elbow angle limits, radians: π/2 to 3π/2 (θ2 = π is the straight arm)."""
ANGLE_NOISE = 0.02
"""Standard deviation (radians, about 1.1°) of the Gaussian noise on the recorded angles of :func:`inverse_data`."""
BISHOP_RMS = {"MSE net": 0.058, "MDN": 0.005}
"""RMS distance between target and reached hand position on held-out targets, as reported by Bishop (1994)."""

_LIMIT_TOLERANCE = 1e-5  # float32 rounding of angles that lie exactly on a limit
_REACH_TOLERANCE = 1e-5  # float32 rounding of hands at full stretch or fully folded


def _rows(name: str, value) -> torch.Tensor:
    """A finite float32 (N, 2) tensor; a single row of shape (2,) becomes (1, 2)."""
    tensor = _validate.float_tensor(name, value)
    if tensor.ndim == 1 and tensor.shape[0] == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 2 or tensor.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2) (or (2,) for a single row), got shape {tuple(tensor.shape)}")
    if tensor.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one row, got shape {tuple(tensor.shape)}")
    return tensor


def joint_positions(angles) -> torch.Tensor:
    """Shoulder, elbow and hand positions of each pose: angles (N, 2) -> (N, 3, 2), float32."""
    angles = _rows("angles", angles).double()
    l1, l2 = LINK_LENGTHS
    theta1, theta2 = angles[:, 0], angles[:, 1]
    elbow = l1 * torch.stack([torch.cos(theta1), torch.sin(theta1)], dim=1)
    hand = elbow - l2 * torch.stack([torch.cos(theta1 + theta2), torch.sin(theta1 + theta2)], dim=1)
    shoulder = torch.zeros_like(elbow)
    return torch.stack([shoulder, elbow, hand], dim=1).float()


def forward_kinematics(angles) -> torch.Tensor:
    """The hand position reached by each pose: angles (N, 2) of (θ1, θ2) -> hand (N, 2) of (x1, x2)."""
    return joint_positions(angles)[:, 2]


def is_elbow_up(angles) -> torch.Tensor:
    """Whether each pose has its elbow up: angles (N, 2) -> (N,) bool.

    Elbow up means sin θ2 > 0 (θ2 < π within the joint limits): the elbow lies on the counter-clockwise side
    of the line from the shoulder to the hand. The straight arm (θ2 = π) counts as elbow down.
    """
    return torch.sin(_rows("angles", angles)[:, 1].double()) > 0


def sample_angles(n: int = 1000, seed: int = 0) -> torch.Tensor:
    """n poses drawn uniformly within the joint limits (seeded numpy generator): (n, 2) float32."""
    n = _validate.positive_int("n", n)
    seed = _validate.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    low = (THETA1_RANGE[0], THETA2_RANGE[0])
    high = (THETA1_RANGE[1], THETA2_RANGE[1])
    return torch.tensor(rng.uniform(low, high, size=(n, 2)), dtype=torch.float32)


def inverse_data(n: int = 1000, seed: int = 0, noise: float = ANGLE_NOISE) -> tuple[torch.Tensor, torch.Tensor]:
    """The inverse problem as a data set: ``(x, y)`` = (hand positions (n, 2), recorded angles (n, 2)), float32.

    Poses are drawn uniformly within the joint limits (:func:`sample_angles` with the same seed) and x is the
    exact hand position of each. The recorded angles y are the poses plus independent Gaussian noise of
    standard deviation ``noise`` (radians; 0 for exact angles), drawn from a generator seeded by ``seed``.
    The task is to predict y (angles) from x (hand position).
    """
    noise = _validate.positive_float("noise", noise, allow_zero=True)
    angles = sample_angles(n, seed)
    hand = forward_kinematics(angles)
    if noise == 0:
        return hand, angles
    generator = torch.Generator().manual_seed(seed)
    recorded = angles.double() + noise * torch.randn(angles.shape, generator=generator, dtype=torch.float64)
    return hand, recorded.float()


def inverse_kinematics(hand) -> tuple[torch.Tensor, torch.Tensor]:
    """Both exact solutions for each hand position: hand (N, 2) -> ``(elbow_up, elbow_down)``, each (N, 2).

    The law of cosines in the triangle shoulder-elbow-hand, whose angle at the elbow is θ2, gives θ2 from the
    shoulder-to-hand distance r: cos θ2 = (L1² + L2² - r²) / (2 L1 L2). Elbow up takes θ2 = arccos(...) in
    [0, π], elbow down θ2 = 2π - arccos(...) in [π, 2π]; then θ1 = atan2(x2, x1) + atan2(L2 sin θ2,
    L1 - L2 cos θ2), in (-π, π]. The solutions ignore the joint limits: test them with :func:`within_limits`.

    Raises ValueError if a hand position is out of reach (r < L1 - L2 or r > L1 + L2, beyond float32 rounding).
    """
    hand = _rows("hand", hand).double()
    l1, l2 = LINK_LENGTHS
    r2 = (hand**2).sum(dim=1)
    cos_theta2 = (l1**2 + l2**2 - r2) / (2 * l1 * l2)
    out_of_reach = cos_theta2.abs() > 1 + _REACH_TOLERANCE
    if bool(out_of_reach.any()):
        rows = out_of_reach.nonzero().flatten().tolist()
        distances = ", ".join(f"{float(r2[i].sqrt()):.3f}" for i in rows[:3])
        more = "..." if len(rows) > 3 else ""
        raise ValueError(
            f"hand holds {len(rows)} position(s) out of the arm's reach (rows {rows[:3]}{more}, "
            f"at distance {distances} from the shoulder); the distance must lie between {l1 - l2:.1f} and {l1 + l2:.1f}"
        )
    up2 = torch.arccos(cos_theta2.clamp(-1.0, 1.0))
    down2 = 2 * math.pi - up2
    direction = torch.atan2(hand[:, 1], hand[:, 0])

    def solution(theta2: torch.Tensor) -> torch.Tensor:
        theta1 = direction + torch.atan2(l2 * torch.sin(theta2), l1 - l2 * torch.cos(theta2))
        theta1 = torch.remainder(theta1 + math.pi, 2 * math.pi) - math.pi
        return torch.stack([theta1, theta2], dim=1).float()

    return solution(up2), solution(down2)


def within_limits(angles) -> torch.Tensor:
    """Whether each pose respects the joint limits THETA1_RANGE and THETA2_RANGE: angles (N, 2) -> (N,) bool.

    A pose within 1e-5 rad of a limit counts as inside (float32 rounding).
    """
    angles = _rows("angles", angles)
    inside = torch.ones(len(angles), dtype=torch.bool)
    for column, (low, high) in enumerate((THETA1_RANGE, THETA2_RANGE)):
        inside &= (angles[:, column] >= low - _LIMIT_TOLERANCE) & (angles[:, column] <= high + _LIMIT_TOLERANCE)
    return inside


def true_log_prob(hand, angles, noise: float = ANGLE_NOISE) -> torch.Tensor:
    """log p(angles | hand) under the density that made :func:`inverse_data`'s data: (N, 2), (N, 2) -> (N,).

    Given the exact hand position, the pose was one of its exact solutions within the joint limits (equally
    likely when there are two, see the module's docstring), and the recorded angles are that pose plus
    Gaussian noise of standard deviation ``noise`` on each angle. So p(y | x) is a mixture of one or two
    isotropic Gaussians centred on the allowed solutions. Its average negative log over a data set is the
    lowest NLL any model of p(y | x) can expect there. float64 inside, float32 out.

    Raises ValueError for a hand that no pose within the joint limits reaches, and for ``noise`` <= 0 (exact
    angles have no density).
    """
    hand = _rows("hand", hand)
    angles = _rows("angles", angles)
    _validate.same_length("hand", hand, "angles", angles)
    noise = _validate.positive_float("noise", noise)
    up, down = inverse_kinematics(hand)
    allowed = torch.stack([within_limits(up), within_limits(down)], dim=1)  # (N, 2)
    if not bool(allowed.any(dim=1).all()):
        rows = (~allowed.any(dim=1)).nonzero().flatten().tolist()
        raise ValueError(
            f"hand holds {len(rows)} position(s) that no pose within the joint limits reaches (rows {rows[:3]})"
        )
    centres = torch.stack([up, down], dim=1).double()  # (N, 2 solutions, 2 angles)
    log_weights = torch.log(allowed.double() / allowed.double().sum(dim=1, keepdim=True))  # -inf: not allowed
    return mixture_log_prob(log_weights, centres, torch.full_like(centres, noise), angles.double()).float()


def hand_miss(angles, targets) -> torch.Tensor:
    """How far each pose's hand lands from its target: angles (N, 2), targets (N, 2) -> distances (N,)."""
    angles = _rows("angles", angles)
    targets = _rows("targets", targets)
    _validate.same_length("angles", angles, "targets", targets)
    return (forward_kinematics(angles) - targets).norm(dim=1)


def rms_hand_error(angles, targets) -> float:
    """Root-mean-square distance between the hands the poses reach and their targets (Bishop's measure).

    angles: (N, 2) predicted poses; targets: (N, 2) the hand positions they were predicted for.
    """
    return float(hand_miss(angles, targets).pow(2).mean().sqrt())


# ----------------------------------------------------------------------------------------------- drawing

ELBOW_COLORS = {"up": "C1", "down": "C0"}
"""Colours of the two branches (matplotlib's default cycle, which the course style sets to petroff10)."""
MSE_COLOR = "C2"
"""Colour of the MSE net's poses and hands."""


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    return ax


def _frame(ax, title: str) -> None:
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.set_aspect("equal", adjustable="datalim")


def draw_arm(
    angles,
    ax=None,
    color: str = "C0",
    label: str | None = None,
    alpha: float = 1.0,
    linestyle: str = "-",
    linewidth: float = 3.0,
    title: str = "Two-link arm",
):
    """Draw the arm in each pose of ``angles`` (N, 2) (or one pose (2,)): links as thick lines, joints as dots.

    The shoulder is a black square at the origin. ``label`` goes on the first pose only, for the legend.
    Returns the ax.
    """
    points = joint_positions(angles).numpy()
    alpha = _validate.positive_float("alpha", alpha)
    if alpha > 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    linewidth = _validate.positive_float("linewidth", linewidth)
    ax = _axes(ax)
    for i, pose in enumerate(points):
        ax.plot(
            pose[:, 0],
            pose[:, 1],
            color=color,
            alpha=alpha,
            linestyle=linestyle,
            linewidth=linewidth,
            marker="o",
            markersize=linewidth + 2,
            solid_capstyle="round",
            label=label if i == 0 else None,
        )
    ax.plot([0], [0], marker="s", markersize=9, color="black", linestyle="none")
    _frame(ax, title)
    return ax


def plot_data(x, y, axes=None):
    """The inverse-problem data twice, coloured by elbow up (θ2 < π) or down: joint space and hand space.

    x: hand positions (N, 2); y: joint angles (N, 2), as returned by :func:`inverse_data`.
    axes: two axes (a new figure when None). Returns the two axes.
    """
    x = _rows("x", x)
    y = _rows("y", y)
    _validate.same_length("x", x, "y", y)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8, 3.5), layout="constrained")
    up = is_elbow_up(y).numpy()
    for mask, name in ((~up, "down"), (up, "up")):
        sign = "<" if name == "up" else ">"
        label = f"elbow {name} ($\\theta_2 {sign} \\pi$)"
        style = {"s": 5, "alpha": 0.6, "color": ELBOW_COLORS[name], "label": label, "rasterized": True}
        axes[0].scatter(y[mask, 0], y[mask, 1], **style)
        axes[1].scatter(x[mask, 0], x[mask, 1], **style)
    axes[0].set(title="Joint space: the angles y", xlabel=r"$\theta_1$ (rad)", ylabel=r"$\theta_2$ (rad)")
    _frame(axes[1], "Hand space: the positions x")
    # One legend, where hand space leaves room for it (both panels share the colours).
    axes[1].legend(loc="lower left", markerscale=3)
    return axes


def draw_proposals(target, params: MixtureParams, ax=None, min_weight: float = 0.1, mse_angles=None, data=None):
    """One target and the arm in each pose the MDN proposes for it (components weighing >= ``min_weight``).

    target: one hand position (2,) or (1, 2). params: the MDN's MixtureParams for that target (N = 1, D = 2),
    e.g. ``mdn(target)``. Each proposed pose is drawn at its component's mean, its weight written by its elbow;
    the legend names each elbow side once.
    mse_angles: optionally the MSE net's pose for the target (2,), drawn dashed. data: optionally
    hand positions (M, 2) to show the reachable area in grey. Returns the ax.
    """
    target = _rows("target", target)
    if len(target) != 1:
        raise ValueError(f"target must be one hand position, shape (2,) or (1, 2); got {len(target)} rows")
    if not isinstance(params, MixtureParams):
        raise TypeError(
            f"params must be a MixtureParams (the MDN's output for the target), got {type(params).__name__}"
        )
    if params.means.ndim != 3 or params.means.shape[0] != 1 or params.means.shape[2] != 2:
        raise ValueError(
            f"params must describe one mixture over two angles, means (1, K, 2); got {tuple(params.means.shape)}"
        )
    params = Mixture.from_params(params).detach().params
    min_weight = _validate.positive_float("min_weight", min_weight)
    if min_weight > 1:
        raise ValueError(f"min_weight must be in (0, 1], got {min_weight}")
    ax = _axes(ax)
    if data is not None:
        hands = _rows("data", data).numpy()
        ax.scatter(hands[:, 0], hands[:, 1], s=3, color="0.6", alpha=0.15, label="reachable (data)", rasterized=True)
    weights = params.log_weights[0].detach().exp()
    means = params.means[0].detach()
    labelled = set()
    for k in torch.argsort(weights, descending=True).tolist():
        weight = float(weights[k])
        if weight < min_weight:
            continue
        elbow = "up" if bool(is_elbow_up(means[k])[0]) else "down"
        color = ELBOW_COLORS[elbow]
        label = None if elbow in labelled else f"MDN pose, elbow {elbow}"
        labelled.add(elbow)
        draw_arm(means[k], ax=ax, color=color, alpha=0.35 + 0.65 * weight, label=label)
        elbow_point = joint_positions(means[k])[0, 1].numpy()
        ax.annotate(
            f"{weight:.2f}",
            elbow_point,
            xytext=(6, -4 if elbow == "down" else 4),
            textcoords="offset points",
            color=color,
            fontweight="bold",
            va="top" if elbow == "down" else "bottom",
        )
    if mse_angles is not None:
        draw_arm(mse_angles, ax=ax, color=MSE_COLOR, linestyle="--", linewidth=2, label="MSE net pose")
    point = target[0].numpy()
    ax.plot(*point, marker="*", markersize=16, color="black", linestyle="none", label="target", zorder=5)
    _frame(ax, f"Target ({point[0]:.2f}, {point[1]:.2f})")
    return ax


def _workspace_edges(ax) -> None:
    """The arcs the hand cannot pass within the joint limits: the straight arm (r = L1 + L2) and the elbow at a
    right angle (r = √(L1² + L2²)), over the directions the targets span."""
    l1, l2 = LINK_LENGTHS
    angles = np.linspace(0.0, 0.5 * math.pi, 200)
    for radius, style in ((l1 + l2, "-"), (math.hypot(l1, l2), ":")):
        ax.plot(radius * np.cos(angles), radius * np.sin(angles), color="0.35", linestyle=style, linewidth=1)


def plot_reached_hands(angles, targets, ax=None, color: str = "C0", title: str = "Where the hand goes"):
    """Each target (grey dot) joined by a line to the hand its predicted pose reaches (coloured dot).

    angles: predicted poses (N, 2); targets: the hand positions (N, 2) they were predicted for. The solid arc
    is the outer edge of the workspace (the straight arm, r = 1), the dotted arc its inner edge within the
    joint limits (r = √(L1² + L2²)). Returns the ax.
    """
    reached = forward_kinematics(angles).numpy()
    targets = _rows("targets", targets)
    _validate.same_length("angles", _rows("angles", angles), "targets", targets)
    targets = targets.numpy()
    ax = _axes(ax)
    _workspace_edges(ax)
    segments_x = np.stack([targets[:, 0], reached[:, 0], np.full(len(targets), np.nan)], axis=1).reshape(-1)
    segments_y = np.stack([targets[:, 1], reached[:, 1], np.full(len(targets), np.nan)], axis=1).reshape(-1)
    ax.plot(segments_x, segments_y, color=color, linewidth=0.6, alpha=0.6)
    ax.scatter(targets[:, 0], targets[:, 1], s=6, color="0.55", label="target", rasterized=True)
    ax.scatter(reached[:, 0], reached[:, 1], s=6, color=color, label="hand reached", rasterized=True)
    _frame(ax, title)
    ax.legend(loc="lower left", markerscale=2)
    return ax
