"""Pen strokes and a recurrent net that writes them (lesson 09, after Graves 2013 and Sketch-RNN).

The data: :func:`glyph_strokes` writes lines of little glyphs, loops and zig-zags, with a simple random
process: every glyph has a random size and slant, every step a random speed, and at each glyph the writer
makes choices (a loop or a zig-zag; a loop anticlockwise or clockwise; after the glyph, lift the pen or
carry on). A line is recorded as offsets, one row per step: (Δx, Δy, lift), where lift = 1 means the pen
leaves the paper after this point (the next offset is a move, not a line). Because we wrote the process,
:func:`true_branch_shares` gives the exact probability of each choice, and :func:`first_glyph_branches`
reads which choices a batch of strokes made, to judge a model's samples against the truth.

The model: :class:`StrokeRNN`, a GRU that reads the offsets and, after every step, outputs a mixture of K
correlated 2-D Gaussians over the next (Δx, Δy) and a Bernoulli probability that the pen lifts
(:class:`StrokeParams`). Its loss is the sum of both negative log-likelihoods. It trains with
:func:`mdn_lessons.fit`; :func:`write` samples new strokes from it, with a temperature.

Shapes: N sequences, T steps, K components; a stroke row has 3 numbers (Δx, Δy, lift).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from . import _validate
from .correlated_mixture import CorrelatedMixture, bivariate_mixture_log_prob, bivariate_scale_tril
from .models import Standardizer, TrainableModel, raw_for_scale, spread_means

STEPS_PER_GLYPH = 8
"""Every glyph is drawn in 8 pen-down steps (a lift adds one pen-up move before the next glyph)."""

GLYPHS = {
    "p_loop": 0.6,
    "p_anticlockwise": 0.7,
    "p_lift": 0.3,
    "size": (0.7, 1.3),
    "slant": 0.3,
    "speed_noise": 0.15,
    "heading_noise": 0.04,
}
"""Default settings of :func:`glyph_strokes`: the choices' probabilities (a glyph is a loop with
probability p_loop, else a zig-zag; a loop turns anticlockwise with probability p_anticlockwise; the pen
lifts after a glyph with probability p_lift), the range of glyph sizes, the largest shear |slant|, and
the relative noise of the step length (along the stroke) and of its heading (across it, in radians)."""

MIN_SCALE = 1e-3
"""Floor added to every σ (in standardised units), as the course's other MDNs do."""

BRANCHES = ("anticlockwise loop", "clockwise loop", "zig-zag")

_FIRST_HEADING = math.radians(60)  # every glyph starts up and to the right: the choice shows at step 2
_ZIGZAG_HEADINGS = (1, 1, -1, -1, 1, 1, -1, -1)  # two steps up, two steps down, twice
_DRIFT = 0.25  # every step also moves right by this share of the glyph's size: the line advances
_STEP = 2 * math.sin(math.pi / STEPS_PER_GLYPH)  # step length of a loop of radius 1 drawn in 8 steps


def _glyph_settings(settings: dict) -> dict:
    unknown = set(settings) - set(GLYPHS)
    if unknown:
        raise TypeError(f"unknown glyph setting(s) {sorted(unknown)}; allowed: {sorted(GLYPHS)}")
    merged = {**GLYPHS, **settings}
    for name in ("p_loop", "p_anticlockwise", "p_lift"):
        value = _validate.positive_float(name, merged[name], allow_zero=True)
        if value > 1:
            raise ValueError(f"{name} must be a probability in [0, 1], got {value}")
        merged[name] = value
    size = merged["size"]
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise TypeError(f"size must be a pair (smallest, largest), got {size!r}")
    low, high = (_validate.positive_float(f"size[{i}]", s) for i, s in enumerate(size))
    if low > high:
        raise ValueError(f"size must be (smallest, largest) with smallest <= largest, got {size!r}")
    merged["size"] = (low, high)
    merged["slant"] = _validate.positive_float("slant", merged["slant"], allow_zero=True)
    merged["speed_noise"] = _validate.positive_float("speed_noise", merged["speed_noise"], allow_zero=True)
    merged["heading_noise"] = _validate.positive_float("heading_noise", merged["heading_noise"], allow_zero=True)
    return merged


def glyph_strokes(n: int = 1000, length: int = 40, seed: int = 0, **settings) -> torch.Tensor:
    """n lines of handwriting-like glyphs, each the first ``length`` steps of its line: (n, length, 3) float32.

    Each row is (Δx, Δy, lift). Every glyph starts heading up and to the right (60°) and takes
    ``STEPS_PER_GLYPH`` = 8 steps; at its second step it shows its kind: a loop turns 45° per step
    anticlockwise or clockwise, a zig-zag goes two steps up, two down, twice. A glyph has a random size
    (uniform in ``size``) and slant (a shear x += slant·y, uniform in ±``slant``); each step's length
    varies by ``speed_noise`` (relative, along the stroke) and its heading by ``heading_noise`` radians
    (across it), so the next offset is uncertain mostly along the direction of travel: an ellipse that
    leans with the stroke. Every step also moves right by a quarter of the size. After each glyph the
    pen lifts with probability ``p_lift``: that glyph's last row gets lift = 1 and one pen-up move
    (a gap to the right, back to the baseline) comes before the next glyph; otherwise the next glyph is
    joined on. Other keyword settings: see :data:`GLYPHS`.
    """
    n = _validate.positive_int("n", n)
    length = _validate.positive_int("length", length, minimum=2)
    seed = _validate.positive_int("seed", seed, minimum=0)
    s = _glyph_settings(settings)
    g = torch.Generator().manual_seed(seed)
    n_glyphs = length // STEPS_PER_GLYPH + 1
    slots = STEPS_PER_GLYPH + 1  # eight drawn steps and a move that exists only if the pen lifts

    def uniform(*shape, low=0.0, high=1.0):
        return low + (high - low) * torch.rand(*shape, generator=g, dtype=torch.float64)

    rows = torch.zeros(n, n_glyphs, slots, 3, dtype=torch.float64)
    present = torch.ones(n, n_glyphs, slots, dtype=torch.bool)
    height = torch.zeros(n, dtype=torch.float64)  # the pen's height above the baseline
    t = torch.arange(STEPS_PER_GLYPH, dtype=torch.float64)
    zigzag = torch.tensor(_ZIGZAG_HEADINGS, dtype=torch.float64)
    for glyph in range(n_glyphs):
        is_loop = uniform(n) < s["p_loop"]
        turn = torch.where(uniform(n) < s["p_anticlockwise"], 1.0, -1.0).to(torch.float64)
        size = uniform(n, low=s["size"][0], high=s["size"][1])
        slant = uniform(n, low=-s["slant"], high=s["slant"])
        lifts = uniform(n) < s["p_lift"]
        speed = 1 + s["speed_noise"] * torch.randn(n, STEPS_PER_GLYPH, generator=g, dtype=torch.float64)
        wobble = s["heading_noise"] * torch.randn(n, STEPS_PER_GLYPH, generator=g, dtype=torch.float64)

        loop_heading = _FIRST_HEADING + turn[:, None] * t * (2 * math.pi / STEPS_PER_GLYPH)
        zigzag_heading = _FIRST_HEADING * zigzag.expand(n, -1)
        heading = torch.where(is_loop[:, None], loop_heading, zigzag_heading) + wobble
        step = (_STEP * size)[:, None] * speed.clamp_min(0.2)
        dx = step * torch.cos(heading) + _DRIFT * size[:, None]
        dy = step * torch.sin(heading)
        dx = dx + slant[:, None] * dy
        rows[:, glyph, :STEPS_PER_GLYPH, 0] = dx
        rows[:, glyph, :STEPS_PER_GLYPH, 1] = dy
        rows[:, glyph, STEPS_PER_GLYPH - 1, 2] = lifts.to(torch.float64)
        height = height + dy.sum(dim=1)
        gap = uniform(n, low=0.4, high=0.8)
        rows[:, glyph, STEPS_PER_GLYPH, 0] = gap
        rows[:, glyph, STEPS_PER_GLYPH, 1] = -height + 0.05 * torch.randn(n, generator=g, dtype=torch.float64)
        present[:, glyph, STEPS_PER_GLYPH] = lifts
        height = torch.where(lifts, height + rows[:, glyph, STEPS_PER_GLYPH, 1], height)

    rows, present = rows.reshape(n, -1, 3), present.reshape(n, -1)
    position = torch.cumsum(present.long(), dim=1) - 1  # where each present row lands in its line
    keep = present & (position < length)
    out = torch.zeros(n, length, 3, dtype=torch.float64)
    line = torch.arange(n).unsqueeze(1).expand_as(position)
    out[line[keep], position[keep]] = rows[keep]
    return out.to(torch.float32)


def true_branch_shares(**settings) -> dict[str, float]:
    """The exact probability of each choice a glyph makes, for :func:`glyph_strokes` with these settings.

    Returns ``{"anticlockwise loop": ..., "clockwise loop": ..., "zig-zag": ..., "lift": ...}``: the first
    three sum to 1 (the kind of each glyph); "lift" is the probability that the pen lifts after a glyph.
    """
    s = _glyph_settings(settings)
    return {
        "anticlockwise loop": s["p_loop"] * s["p_anticlockwise"],
        "clockwise loop": s["p_loop"] * (1 - s["p_anticlockwise"]),
        "zig-zag": 1 - s["p_loop"],
        "lift": s["p_lift"],
    }


def _stroke_batch(name: str, value, min_length: int = 1) -> torch.Tensor:
    """Finite strokes as a float32 (N, T, 3) tensor whose lift column holds only 0 and 1."""
    strokes = _validate.float_tensor(name, value)
    if strokes.ndim == 2 and strokes.shape[-1] == 3:
        raise ValueError(
            f"{name} must be a batch of strokes of shape (N, T, 3); for one stroke s of shape (T, 3) pass s[None]"
        )
    if strokes.ndim != 3 or strokes.shape[2] != 3 or strokes.shape[0] < 1 or strokes.shape[1] < min_length:
        raise ValueError(
            f"{name} must have shape (N, T, 3) (rows of Δx, Δy, lift) with N >= 1 and T >= {min_length}, "
            f"got {tuple(strokes.shape)}"
        )
    lift = strokes[..., 2]
    if not bool(((lift == 0) | (lift == 1)).all()):
        raise ValueError(f"{name}[..., 2] is the lift bit and must hold only 0 and 1")
    return strokes


def turning(strokes) -> torch.Tensor:
    """Total signed turning angle of each stroke's path, in radians: shape (N,).

    strokes: (N, T, 3). The sum over consecutive offsets of the angle from one to the next (anticlockwise
    positive). A loop turns about ±2π·7/8 in a glyph; a zig-zag's turns cancel out.
    """
    strokes = _stroke_batch("strokes", strokes, min_length=2)
    a, b = strokes[:, :-1, :2].double(), strokes[:, 1:, :2].double()
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    dot = (a * b).sum(-1)
    return torch.atan2(cross, dot).sum(dim=1).float()


def first_glyph_branches(strokes) -> dict[str, float]:
    """Which choices the first glyph of each stroke made, as shares of the N strokes.

    strokes: (N, T, 3) with T >= ``STEPS_PER_GLYPH`` (8), starting at a glyph's first step (as
    :func:`glyph_strokes` and :func:`write` do). A glyph whose 8 steps turn more than π anticlockwise is an
    anticlockwise loop, more than π clockwise a clockwise loop, anything else a zig-zag; "lift" is the
    share whose 8th row lifts the pen. Same keys as :func:`true_branch_shares`.
    """
    strokes = _stroke_batch("strokes", strokes, min_length=STEPS_PER_GLYPH)
    total = turning(strokes[:, :STEPS_PER_GLYPH])
    anticlockwise = float((total > math.pi).double().mean())
    clockwise = float((total < -math.pi).double().mean())
    return {
        "anticlockwise loop": anticlockwise,
        "clockwise loop": clockwise,
        "zig-zag": 1.0 - anticlockwise - clockwise,
        "lift": float(strokes[:, STEPS_PER_GLYPH - 1, 2].double().mean()),
    }


def next_step_pairs(strokes) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets for a next-step model: x (N, T, 3), y (N, T, 3).

    y is the strokes themselves; x is the same rows one step late, after a start row (0, 0, 0): the model
    reads rows 0..t-1 (nothing at t = 0) and predicts row t, so it learns to write from a blank page.
    """
    strokes = _stroke_batch("strokes", strokes)
    start = torch.zeros(len(strokes), 1, 3)
    return torch.cat([start, strokes[:, :-1]], dim=1), strokes


def positions(strokes) -> torch.Tensor:
    """Pen positions after each offset, starting from (0, 0): shape (N, T + 1, 2)."""
    strokes = _stroke_batch("strokes", strokes)
    start = torch.zeros(len(strokes), 1, 2)
    return torch.cat([start, torch.cumsum(strokes[..., :2], dim=1)], dim=1)


def draw(strokes, ax=None, color="black", linewidth: float = 1.5, offset=(0.0, 0.0)):
    """Draw one stroke sequence (T, 3) (or a batch of one) as ink on a matplotlib axis; returns the axis.

    A segment from point t to point t + 1 is drawn unless row t lifted the pen. offset: where it starts.
    """
    import matplotlib.pyplot as plt

    strokes = _validate.float_tensor("strokes", strokes)
    if strokes.ndim == 2:
        strokes = strokes[None]
    points = positions(strokes)[0].numpy() + torch.tensor(offset, dtype=torch.float32).numpy()
    lifted = strokes[0, :, 2].numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 2))
    start = 0
    for t in range(len(lifted) + 1):  # draw each pen-down run as one line
        if t == len(lifted) or (t > 0 and lifted[t - 1] == 1):
            if t - start >= 1:
                ax.plot(points[start:t, 0], points[start:t, 1], color=color, lw=linewidth, solid_capstyle="round")
            start = t
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


class StrokeParams(NamedTuple):
    """What a stroke model predicts for the next row: a mixture over (Δx, Δy) and a lift probability.

    Batch shape B (for example (N, T)); K components.
    """

    log_weights: torch.Tensor
    """(*B, K) log mixture weights (log-softmaxed)."""
    means: torch.Tensor
    """(*B, K, 2) component means of (Δx, Δy)."""
    scales: torch.Tensor
    """(*B, K, 2) component standard deviations σ_x, σ_y > 0."""
    correlations: torch.Tensor
    """(*B, K) component correlations ρ in (-1, 1) (all 0 for a diagonal model)."""
    pen_logits: torch.Tensor
    """(*B,) logit of the probability that the pen lifts after the next point."""

    def mixture(self) -> CorrelatedMixture:
        """The offset mixture as a :class:`~mdn_lessons.correlated_mixture.CorrelatedMixture`."""
        return CorrelatedMixture(self.log_weights, self.means, bivariate_scale_tril(self.scales, self.correlations))

    def log_prob(self, y: torch.Tensor) -> torch.Tensor:
        """log p(row) = log p(Δx, Δy) + log P(lift) for rows y of shape (*B, 3): shape (*B,). No checks."""
        offsets = bivariate_mixture_log_prob(self.log_weights, self.means, self.scales, self.correlations, y[..., :2])
        return offsets + bernoulli_log_prob(self.pen_logits, y[..., 2])


def bernoulli_log_prob(logits: torch.Tensor, bits: torch.Tensor) -> torch.Tensor:
    """log P(bit) under Bernoulli(sigmoid(logit)), computed without forming the probability. No checks."""
    # log σ(l) = -softplus(-l), log(1 - σ(l)) = -softplus(l): exact for any logit.
    return -bits * nn.functional.softplus(-logits) - (1 - bits) * nn.functional.softplus(logits)


def head_size(n_components: int, correlated: bool = True) -> int:
    """Number of raw outputs per step: K logits, 2K means, 2K raw scales, (K raw correlations), 1 pen logit."""
    n_components = _validate.positive_int("n_components", n_components)
    return (6 if correlated else 5) * n_components + 1


def stroke_params(raw, n_components: int, correlated: bool = True, min_scale: float = MIN_SCALE) -> StrokeParams:
    """Turn a stroke model's raw outputs (*B, 6K + 1) into :class:`StrokeParams`.

    The raw outputs are, in this order along the last axis: K mixture logits, 2K means (read as (K, 2):
    μ_x, μ_y of each component in turn), 2K raw scales (also (K, 2)), K raw correlations, 1 pen logit.
    Weights are a log-softmax of the logits, scales softplus(raw) + ``min_scale``, correlations tanh(raw)
    (strictly inside (-1, 1)). With ``correlated=False`` there are no raw correlations (5K + 1 outputs)
    and every ρ is 0: a mixture of diagonal Gaussians.
    """
    raw = _validate.float_tensor("raw", raw) if not isinstance(raw, torch.Tensor) else raw
    k = _validate.positive_int("n_components", n_components)
    min_scale = _validate.positive_float("min_scale", min_scale)
    expected = head_size(k, correlated)
    if raw.ndim < 1 or raw.shape[-1] != expected:
        raise ValueError(
            f"raw must have {expected} outputs in its last dimension for K = {k} "
            f"({'6K + 1' if correlated else '5K + 1'}), got shape {tuple(raw.shape)}"
        )
    batch = raw.shape[:-1]
    sizes = [k, 2 * k, 2 * k, k, 1] if correlated else [k, 2 * k, 2 * k, 1]
    parts = raw.split(sizes, dim=-1)
    correlations = torch.tanh(parts[3]) if correlated else torch.zeros(*batch, k, dtype=raw.dtype)
    if correlated:
        # float32 tanh rounds to exactly ±1 beyond |raw| ≈ 9; keep ρ strictly inside so 1 - ρ² > 0.
        correlations = correlations.clamp(-1 + 1e-6, 1 - 1e-6)
    return StrokeParams(
        torch.log_softmax(parts[0], dim=-1),
        parts[1].reshape(*batch, k, 2),
        nn.functional.softplus(parts[2].reshape(*batch, k, 2)) + min_scale,
        correlations,
        parts[-1][..., 0],
    )


def _checked_params(params) -> StrokeParams:
    if not isinstance(params, StrokeParams):
        if isinstance(params, (tuple, list)) and len(params) == 5:
            params = StrokeParams(*params)
        else:
            raise TypeError(f"params must be StrokeParams (5 tensors), got {type(params).__name__}")
    fields = zip(StrokeParams._fields, params, strict=True)
    return StrokeParams(*(_validate.float_tensor(name, p) for name, p in fields))


def sample_step(params, temperature: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw one next row (Δx, Δy, lift) from each of B predictions: shape (B, 3).

    params: :class:`StrokeParams` with log_weights (B, K), means and scales (B, K, 2), correlations (B, K)
    and pen_logits (B,). temperature T > 0, as Sketch-RNN: the choice of component uses π_k^(1/T)
    renormalised (logits / T), the chosen Gaussian's covariance becomes T·Σ_k (σ·√T, ρ unchanged), and
    the pen lifts with probability sigmoid(logit / T). T = 1 samples the model itself; T → 0 writes the
    most likely choice at every step with no noise.
    """
    params = _checked_params(params)
    temperature = _validate.positive_float("temperature", temperature)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    log_weights, means, scales, correlations, pen_logits = params
    if log_weights.ndim != 2:
        raise ValueError(f"params.log_weights must have shape (B, K), got {tuple(log_weights.shape)}")
    b, k = log_weights.shape
    for name, value, shape in (
        ("means", means, (b, k, 2)),
        ("scales", scales, (b, k, 2)),
        ("correlations", correlations, (b, k)),
        ("pen_logits", pen_logits, (b,)),
    ):
        if tuple(value.shape) != shape:
            raise ValueError(f"params.{name} must have shape {shape}, got {tuple(value.shape)}")
    offsets = CorrelatedMixture(log_weights, means, bivariate_scale_tril(scales, correlations)).sample(
        1, temperature, generator
    )[:, 0]
    lift_probability = torch.sigmoid(pen_logits / temperature)
    lifts = (torch.rand(b, generator=generator) < lift_probability).to(torch.float32)
    return torch.cat([offsets, lifts[:, None]], dim=1)


class StrokeRNN(TrainableModel):
    """A handwriting model: a GRU reads pen offsets and predicts the next row's distribution at every step.

    After each step a linear head turns the GRU's hidden state into :class:`StrokeParams` (see
    :func:`stroke_params`): a mixture of K bivariate Gaussians over the next (Δx, Δy), correlated
    (``correlated=True``, ρ = tanh of a raw output, as Graves 2013) or diagonal (ρ fixed at 0), and the
    logit of the pen lifting. The loss per step is -log p(Δx, Δy) - log P(lift).

    ``model(x)`` with x of shape (N, T, 3) returns StrokeParams with batch shape (N, T), in data units;
    entry t predicts row t after reading ``x[:, :t + 1]``. Train with ``ml.fit(model, x, y)`` on the
    pairs of :func:`next_step_pairs`. Inputs are standardised over their 3 columns; targets over Δx, Δy
    only (the lift bit stays 0/1).
    """

    needs_input = True
    in_features = 3
    out_features = 3

    def __init__(self, n_components: int = 8, hidden_size: int = 64, correlated: bool = True):
        super().__init__()
        self.n_components = _validate.positive_int("n_components", n_components)
        self.hidden_size = _validate.positive_int("hidden_size", hidden_size)
        if not isinstance(correlated, bool):
            raise TypeError(f"correlated must be True or False, got {correlated!r}")
        self.correlated = correlated
        self.x_scaler = Standardizer(3)
        self.y_scaler = Standardizer(2)
        self.rnn = nn.GRU(3, self.hidden_size, batch_first=True)
        k = self.n_components
        self.head = nn.Linear(self.hidden_size, head_size(k, correlated))
        with torch.no_grad():
            # As the course's MDN: small output weights and means spread over the standardised targets.
            self.head.weight.mul_(0.1)
            self.head.bias.zero_()
            self.head.bias[k : 3 * k] = spread_means(k, 2).reshape(-1)
            self.head.bias[3 * k : 5 * k] = raw_for_scale(1.0 / math.sqrt(k), "softplus")

    def set_scaling(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """Fix the standardisation statistics from training strokes (over all sequences and steps)."""
        self.x_scaler.fit_(x.reshape(-1, 3))
        self.y_scaler.fit_(y[..., :2].reshape(-1, 2))

    def check_x(self, x) -> torch.Tensor:
        return _stroke_batch("x", x)

    def check_xy(self, x, y) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = _stroke_batch("x", x), _stroke_batch("y", y)
        if x.shape != y.shape:
            raise ValueError(
                f"x and y must have the same shape (N, T, 3), got {tuple(x.shape)} and {tuple(y.shape)}; "
                "next_step_pairs(strokes) makes them"
            )
        return x, y

    def _standardised(self, features: torch.Tensor) -> StrokeParams:
        return stroke_params(self.head(features), self.n_components, self.correlated)

    def _to_data_units(self, params: StrokeParams) -> StrokeParams:
        # Scaling each axis by a positive number leaves a correlation unchanged.
        return params._replace(means=self.y_scaler.inverse(params.means), scales=params.scales * self.y_scaler.std)

    def forward(self, x) -> StrokeParams:
        """The next row's distribution at every step, in data units: batch shape (N, T)."""
        features, _ = self.rnn(self.x_scaler(self.check_x(x)))
        return self._to_data_units(self._standardised(features))

    def objective(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Training loss on checked tensors: mean over rows of -log p(standardised Δ) - log P(lift)."""
        features, _ = self.rnn(self.x_scaler(x))
        y_std = torch.cat([self.y_scaler(y[..., :2]), y[..., 2:]], dim=-1)
        return -self._standardised(features).log_prob(y_std).mean()

    def to_data_units(self, objective: float) -> float:
        """The NLL per row in the data's units: standardising Δ by σ shifts it by log σ_x + log σ_y."""
        return objective + float(torch.log(self.y_scaler.std).sum())

    def log_prob(self, x, y) -> torch.Tensor:
        """log p(y[:, t] | x[:, :t + 1]) per sequence and step, in data units: shape (N, T)."""
        x, y = self.check_xy(x, y)
        return self(x).log_prob(y)

    def next_params(self, rows, state=None) -> tuple[StrokeParams, torch.Tensor]:
        """One step of writing: read one row per line, predict the next. rows: (B, 3) -> (StrokeParams, state).

        The StrokeParams have batch shape (B,), in data units; ``state`` is the GRU's hidden state, (1, B, H):
        pass None for a blank page and, after that, the state returned by the previous call.
        """
        rows = _validate.float_tensor("rows", rows)
        if rows.ndim != 2 or rows.shape[1] != 3 or rows.shape[0] < 1:
            raise ValueError(f"rows must have shape (B, 3), one row (Δx, Δy, lift) per line; got {tuple(rows.shape)}")
        expected_state = (1, len(rows), self.hidden_size)
        if state is not None and (not isinstance(state, torch.Tensor) or tuple(state.shape) != expected_state):
            raise ValueError(
                f"state must be None or the state returned by the previous call, shape (1, {len(rows)}, "
                f"{self.hidden_size}); got {getattr(state, 'shape', type(state).__name__)}"
            )
        features, state = self.rnn(self.x_scaler(rows).unsqueeze(1), state)
        return self._to_data_units(self._standardised(features[:, 0])), state

    def snapshot(self, x: torch.Tensor) -> StrokeParams:
        return StrokeParams(*(p.detach() for p in self(x)))


TRAINING = {
    "n": 4000,
    "length": 40,
    "seed": 0,
    "n_components": 6,
    "hidden_size": 64,
    "steps": 4000,
    "fit": {"lr": 0.01, "batch_size": 64, "seed": 0, "warmup_steps": 100},
}
"""How the shipped weights were trained (``tools/train_stroke_weights.py``): the data (n strokes of
``length`` rows from :func:`glyph_strokes` with this seed and the default settings), the model
(:class:`StrokeRNN` with these sizes) and the ``ml.fit`` settings."""


def weights_file(correlated: bool) -> str:
    """File name of the shipped weights of the correlated or the diagonal model."""
    return f"stroke_rnn_{'correlated' if correlated else 'diagonal'}.pt"


def pretrained(correlated: bool = True) -> StrokeRNN:
    """The :class:`StrokeRNN` trained by ``tools/train_stroke_weights.py`` (settings :data:`TRAINING`).

    correlated=True: ρ learned; False: diagonal components (ρ = 0). Loaded from the package's data, in eval
    mode. Minutes of training on one CPU thread, shipped so that lesson 09 runs in seconds.
    """
    from importlib import resources

    if not isinstance(correlated, bool):
        raise TypeError(f"correlated must be True or False, got {correlated!r}")
    model = StrokeRNN(TRAINING["n_components"], TRAINING["hidden_size"], correlated=correlated)
    source = resources.files("mdn_lessons") / "weights" / weights_file(correlated)
    with resources.as_file(source) as path:
        model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()


def write(
    model: StrokeRNN,
    n_samples: int = 1,
    n_steps: int = 40,
    temperature: float = 1.0,
    generator: torch.Generator | int | None = None,
    step=sample_step,
) -> torch.Tensor:
    """Write ``n_samples`` new strokes of ``n_steps`` rows from a blank page: shape (n_samples, n_steps, 3).

    Starting from the start row (0, 0, 0), the model predicts the next row, ``step(params, temperature,
    generator)`` draws it (default :func:`sample_step`), and the drawn row is read back as the next input.
    generator: a ``torch.Generator`` or an int seed; None uses torch's global generator.
    """
    if not isinstance(model, StrokeRNN):
        raise TypeError(f"model must be a StrokeRNN, got {type(model).__name__}")
    n_samples = _validate.positive_int("n_samples", n_samples)
    n_steps = _validate.positive_int("n_steps", n_steps)
    temperature = _validate.positive_float("temperature", temperature)
    if not callable(step):
        raise TypeError(f"step must be a function step(params, temperature, generator), got {step!r}")
    if isinstance(generator, int) and not isinstance(generator, bool):
        generator = torch.Generator().manual_seed(_validate.positive_int("generator", generator, minimum=0))
    elif generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, an int seed or None, got {type(generator).__name__}")

    was_training = model.training
    model.eval()
    rows, state = [], None
    row = torch.zeros(n_samples, 3)
    with torch.no_grad():
        for _ in range(n_steps):
            params, state = model.next_params(row, state)
            row = torch.as_tensor(step(params, temperature, generator), dtype=torch.float32)
            rows.append(row)
    model.train(was_training)
    return torch.stack(rows, dim=1)


__all__ = [
    "BRANCHES",
    "GLYPHS",
    "MIN_SCALE",
    "STEPS_PER_GLYPH",
    "StrokeParams",
    "StrokeRNN",
    "TRAINING",
    "bernoulli_log_prob",
    "draw",
    "first_glyph_branches",
    "glyph_strokes",
    "head_size",
    "next_step_pairs",
    "positions",
    "pretrained",
    "sample_step",
    "stroke_params",
    "true_branch_shares",
    "turning",
    "weights_file",
    "write",
]
