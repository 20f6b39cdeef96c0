"""Sequences whose future forks, and recurrent nets that predict their next step (lesson 07, MDN-RNN).

The data: :func:`branching_curves` draws curves that run flat until a random moment, then turn up (with
probability ``p_up``) or down and keep going that way. While a curve is flat its next step has three
possible futures (stay flat, start up, start down), so the next step is multimodal, and so is the whole
continuation of a flat prefix: a share ``p_up`` of the futures go up, the rest go down. Because we wrote
the process, :func:`branching_log_prob` gives the exact probability of each next step (the Bayes limit).

The models read a batch of sequences ``x`` of shape (N, T, F) and make a prediction at every time step:
:class:`MDNRNN` a mixture over the next value (an MDN head on a GRU or LSTM), :class:`MSERNN` a single
value (the same body with one linear output, trained on MSE). Both train with :func:`mdn_lessons.fit`
unchanged. :func:`generate` rolls a model forward from a prefix, feeding its own outputs back in.

Shapes: N sequences, T time steps, F input features, D output features, K mixture components.
"""

from __future__ import annotations

import torch
from torch import nn

from . import _validate
from .mixture import Mixture, MixtureParams, gaussian_log_prob, mixture_log_prob
from .models import MixtureHead, MixtureModel, RegressionModel, TrainableModel

BRANCHING = {"p_up": 0.7, "branch_prob": 0.2, "slope": 0.25, "noise": 0.02}
"""Default settings of :func:`branching_curves` (and of :func:`branching_log_prob`)."""

CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}

_DIRECTIONS = (0.0, 1.0, -1.0)  # the regimes flat, up, down, in the order of the filter's states


def _branching_settings(p_up, branch_prob, slope, noise) -> tuple[float, float, float, float]:
    p_up = _validate.positive_float("p_up", p_up, allow_zero=True)
    if p_up > 1:
        raise ValueError(f"p_up must be a probability in [0, 1], got {p_up}")
    branch_prob = _validate.positive_float("branch_prob", branch_prob, allow_zero=True)
    if branch_prob > 1:
        raise ValueError(f"branch_prob must be a probability in [0, 1], got {branch_prob}")
    slope = _validate.positive_float("slope", slope)
    noise = _validate.positive_float("noise", noise, allow_zero=True)
    return p_up, branch_prob, slope, noise


def branching_curves(
    n: int = 1000,
    length: int = 32,
    p_up: float = BRANCHING["p_up"],
    branch_prob: float = BRANCHING["branch_prob"],
    slope: float = BRANCHING["slope"],
    noise: float = BRANCHING["noise"],
    seed: int = 0,
) -> torch.Tensor:
    """n curves of ``length`` points that fork at a random moment; float32, shape (n, length, 1).

    Every curve starts at 0, flat. At each step a flat curve branches with probability ``branch_prob``:
    up with probability ``p_up``, else down; once branched it keeps its direction. Each step adds
    ``slope * direction + noise * N(0, 1)`` (direction 0 while flat, +1 up, -1 down):

        y_0 = 0,   y_t = y_{t-1} + slope * r_t + noise * ε_t,   r_t ∈ {0, +1, -1}.

    The branch moment is geometric, so the process has no memory while flat: from any flat prefix, a
    share ``p_up`` of the curves that branch go up, and ``(1 - branch_prob) ** s`` are still flat s steps on.
    """
    n = _validate.positive_int("n", n)
    length = _validate.positive_int("length", length, minimum=2)
    p_up, branch_prob, slope, noise = _branching_settings(p_up, branch_prob, slope, noise)
    seed = _validate.positive_int("seed", seed, minimum=0)
    generator = torch.Generator().manual_seed(seed)

    steps = length - 1
    branches = torch.rand(n, steps, generator=generator, dtype=torch.float64) < branch_prob
    goes_up = torch.rand(n, generator=generator, dtype=torch.float64) < p_up
    # A curve is branched from its first branching draw on (later draws do not matter).
    branched = torch.cumsum(branches.int(), dim=1) > 0
    direction = torch.where(goes_up, 1.0, -1.0).to(torch.float64).unsqueeze(1)
    eps = torch.randn(n, steps, generator=generator, dtype=torch.float64)
    increments = slope * branched * direction + noise * eps
    curves = torch.cat([torch.zeros(n, 1, dtype=torch.float64), torch.cumsum(increments, dim=1)], dim=1)
    return curves.to(torch.float32).unsqueeze(-1)


def branching_log_prob(
    curves,
    p_up: float = BRANCHING["p_up"],
    branch_prob: float = BRANCHING["branch_prob"],
    slope: float = BRANCHING["slope"],
    noise: float = BRANCHING["noise"],
) -> torch.Tensor:
    """Exact log-density of each step of :func:`branching_curves` data given all the steps before it.

    curves: (N, T, 1) or (N, T), T >= 3, made with the same settings. With ``steps = curves.diff(dim=1)``
    (T - 1 steps per curve), returns shape (N, T - 2): entry t is log p(steps[:, t + 1] | steps[:, :t + 1]),
    i.e. the log-density of the targets ``steps[:, 1:]`` of a next-step model fed ``steps[:, :-1]``.
    ``-branching_log_prob(curves).mean()`` on held-out curves is the Bayes limit of that model.

    The regime (flat, up or down) is hidden behind the noise; a forward filter tracks its probability
    given the steps seen so far (a three-state hidden Markov model), in float64. noise must be > 0.
    """
    curves = _one_feature_curves("curves", curves, min_length=3)
    p_up, branch_prob, slope, noise = _branching_settings(p_up, branch_prob, slope, noise)
    if noise == 0:
        raise ValueError("noise must be > 0: without noise the steps have no density")

    steps = curves.double().diff(dim=1)  # (N, S)
    centres = slope * torch.tensor(_DIRECTIONS, dtype=torch.float64)  # (3,)
    # transition[i, j] = P(regime j next | regime i now); branched curves never change direction.
    h = branch_prob
    transition = torch.tensor(
        [[1 - h, h * p_up, h * (1 - p_up)], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64
    )

    noise_t = torch.tensor(noise, dtype=torch.float64)

    def log_emission(step: torch.Tensor) -> torch.Tensor:  # (N,) -> (N, 3)
        return gaussian_log_prob(centres, noise_t, step.unsqueeze(1))

    # Before the first step the curve is flat; filter = P(regime after step t | steps up to t).
    prior = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64) @ transition
    log_joint = torch.log(prior.clamp_min(1e-300)) + log_emission(steps[:, 0])
    filtered = torch.softmax(log_joint, dim=1)
    out = []
    for t in range(1, steps.shape[1]):
        log_predicted = torch.log((filtered @ transition).clamp_min(1e-300))
        log_joint = log_predicted + log_emission(steps[:, t])
        out.append(torch.logsumexp(log_joint, dim=1))
        filtered = torch.softmax(log_joint, dim=1)
    return torch.stack(out, dim=1).to(torch.float32)


def _one_feature_curves(name: str, value, min_length: int) -> torch.Tensor:
    """Finite curves of one feature as a (N, T) tensor, from (N, T, 1) or (N, T), N >= 1, T >= min_length."""
    curves = _validate.float_tensor(name, value)
    if curves.ndim == 3 and curves.shape[2] == 1:
        curves = curves[:, :, 0]
    if curves.ndim != 2 or curves.shape[0] < 1 or curves.shape[1] < min_length:
        raise ValueError(
            f"{name} must have shape (N, T, 1) or (N, T) with N >= 1 and T >= {min_length}, got {tuple(curves.shape)}"
        )
    return curves


def future_shares(futures, start, margin: float) -> dict[str, float]:
    """Share of continuations that ended up, down, or within ``margin`` of where they started.

    futures: (S, n_steps, 1) or (S, n_steps) continuation curves (values, not steps); start: the value the
    prefix ended at (a number). A continuation counts as "up" if its last value is above
    ``start + margin``, "down" if below ``start - margin``, else "flat". Returns
    ``{"up": ..., "down": ..., "flat": ...}``, shares that sum to 1.
    """
    futures = _one_feature_curves("futures", futures, min_length=1)
    start = _one_number("start", start)
    margin = _validate.positive_float("margin", margin, allow_zero=True)
    change = futures[:, -1] - start
    up = float((change > margin).double().mean())
    down = float((change < -margin).double().mean())
    return {"up": up, "down": down, "flat": 1.0 - up - down}


def _one_number(name: str, value) -> float:
    tensor = _validate.float_tensor(name, value)
    if tensor.numel() != 1:
        raise ValueError(f"{name} must be one number, got shape {tuple(tensor.shape)}")
    return float(tensor.reshape(()))


def _sequence_batch(name: str, value, features: int) -> torch.Tensor:
    """A finite float32 tensor of shape (N, T, features); a 2-D (N, T) is read as (N, T, 1) if features == 1."""
    tensor = _validate.float_tensor(name, value)
    if tensor.ndim == 2 and features == 1:
        tensor = tensor.unsqueeze(-1)
    if tensor.ndim != 3:
        allowed = "(N, T, 1) or (N, T)" if features == 1 else f"(N, T, {features})"
        raise ValueError(
            f"{name} must be a batch of sequences of shape {allowed} (N sequences of T steps); got shape "
            f"{tuple(tensor.shape)}. For a single sequence s of shape (T, F), pass s[None]."
        )
    if tensor.shape[0] < 1 or tensor.shape[1] < 1:
        raise ValueError(
            f"{name} must hold at least one sequence of at least one step, got shape {tuple(tensor.shape)}"
        )
    if tensor.shape[2] != features:
        raise ValueError(
            f"{name} must have {features} feature(s) per step, shape (N, T, {features}); "
            f"got shape {tuple(tensor.shape)}"
        )
    return tensor


class RecurrentModel(TrainableModel):
    """Shared body of the sequence models: standardised inputs into a GRU or LSTM, one feature vector per step.

    A subclass implements :meth:`draw_next`, which :func:`generate` calls at every step.
    """

    needs_input = True

    def init_body(self, in_features: int, out_features: int, hidden_size: int, cell: str, num_layers: int) -> None:
        """Check the sizes, create the standardisation buffers and the recurrent cell ``self.rnn``."""
        self.in_features = _validate.positive_int("in_features", in_features)
        self.out_features = _validate.positive_int("out_features", out_features)
        self.hidden_size = _validate.positive_int("hidden_size", hidden_size)
        self.num_layers = _validate.positive_int("num_layers", num_layers)
        if not isinstance(cell, str) or cell.lower() not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.cell = cell.lower()
        self.init_scalers(self.in_features, self.out_features)
        self.rnn = CELLS[self.cell](self.in_features, self.hidden_size, num_layers=self.num_layers, batch_first=True)

    def run(self, x_std: torch.Tensor, state=None):
        """Standardised inputs (N, T, F) -> hidden features (N, T, hidden_size) and the final state."""
        return self.rnn(x_std, state)

    def set_scaling(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """Fix the standardisation statistics from training sequences (over all sequences and steps)."""
        self.x_scaler.fit_(x.reshape(-1, self.in_features))
        self.y_scaler.fit_(y.reshape(-1, self.out_features))

    def check_x(self, x) -> torch.Tensor:
        """A batch of sequences (N, T, in_features); a 2-D (N, T) is read as (N, T, 1) for one feature."""
        return _sequence_batch("x", x, self.in_features)

    def check_xy(self, x, y) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs (N, T, in_features) and targets (N, T, out_features), y[:, t] the target after x[:, :t + 1]."""
        x = self.check_x(x)
        y = _sequence_batch("y", y, self.out_features)
        if x.shape[:2] != y.shape[:2]:
            raise ValueError(
                "x and y must hold the same number of sequences and steps (y[:, t] is the target after reading "
                f"x[:, :t + 1]); got x of shape {tuple(x.shape)} and y of shape {tuple(y.shape)}"
            )
        return x, y

    def draw_next(self, features: torch.Tensor, temperature: float, generator) -> torch.Tensor:
        """Hidden features of one step (B, 1, H) -> one next value per row, standardised, (B, D)."""
        raise NotImplementedError


class MDNRNN(RecurrentModel, MixtureModel):
    """A recurrent Mixture Density Network: at every step, a mixture over the next value of a sequence.

    A GRU (``cell="gru"``) or LSTM (``cell="lstm"``) of ``hidden_size`` units reads the sequence; after
    each step the same :class:`~mdn_lessons.models.MixtureHead` as :class:`~mdn_lessons.MDN` turns its
    hidden state into mixture weights (softmax over K logits), means and scales (softplus plus a floor
    ``min_scale``, in standardised units) of K diagonal Gaussians over D output features. Further keyword
    arguments (``scale_map``, ``mean_start``, ``start_scale``, ``output_weights``) go to the head.

    ``model(x)`` with x of shape (N, T, in_features) returns ``MixtureParams`` with log_weights (N, T, K),
    means (N, T, K, D), scales (N, T, K, D) in data units; entry t is the prediction after reading
    ``x[:, :t + 1]``. Train it with ``ml.fit(model, x, y)`` on targets y of shape (N, T, out_features),
    usually the same sequences one step ahead. A 2-D x of shape (N, T) is read as (N, T, 1).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        n_components: int,
        hidden_size: int = 32,
        cell: str = "gru",
        num_layers: int = 1,
        min_scale: float = 1e-3,
        **head_options,
    ):
        super().__init__()
        self.init_body(in_features, out_features, hidden_size, cell, num_layers)
        self.n_components = _validate.positive_int("n_components", n_components)
        self.head = MixtureHead(
            self.hidden_size, self.n_components, self.out_features, min_scale=min_scale, **head_options
        )

    @property
    def min_scale(self) -> float:
        """The σ floor, in standardised units (the head's)."""
        return self.head.min_scale

    def standardised_params(self, x: torch.Tensor) -> MixtureParams:
        features, _ = self.run(self.x_scaler(x))
        return self.head(features)

    def objective(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Training loss on checked tensors: mean NLL per step of the standardised targets."""
        return -mixture_log_prob(*self.standardised_params(x), self.y_scaler(y)).mean()

    def log_prob(self, x, y) -> torch.Tensor:
        """log p(y[:, t] | x[:, :t + 1]) for every sequence and step, shape (N, T)."""
        x, y = self.check_xy(x, y)
        return mixture_log_prob(*self(x), y)

    def draw_next(self, features: torch.Tensor, temperature: float, generator) -> torch.Tensor:
        """Hidden features of one step (B, 1, H) -> one sampled next value per row, standardised, (B, D)."""
        params = self.head(features[:, 0])
        return Mixture.from_params(params).sample(1, temperature, generator)[:, 0]


class MSERNN(RecurrentModel, RegressionModel):
    """The MSE baseline for sequences: the same recurrent body as :class:`MDNRNN` with one linear output.

    ``model(x)`` with x of shape (N, T, in_features) returns predictions (N, T, out_features) in data
    units, entry t made after reading ``x[:, :t + 1]``; trained with ``ml.fit`` on mean squared error,
    it learns the mean of the next value. A 2-D x of shape (N, T) is read as (N, T, 1).
    """

    def __init__(
        self, in_features: int, out_features: int, hidden_size: int = 32, cell: str = "gru", num_layers: int = 1
    ):
        super().__init__()
        self.init_body(in_features, out_features, hidden_size, cell, num_layers)
        self.head = nn.Linear(self.hidden_size, self.out_features)

    def predict_standardised(self, x: torch.Tensor) -> torch.Tensor:
        features, _ = self.run(self.x_scaler(x))
        return self.head(features)

    def draw_next(self, features: torch.Tensor, temperature: float, generator) -> torch.Tensor:
        """Hidden features of one step (B, 1, H) -> the predicted next value, standardised, (B, D).

        Nothing to sample: the MSE net's continuation is its prediction (temperature and generator unused).
        """
        return self.head(features)[:, 0]


def generate(
    model: MDNRNN | MSERNN,
    prefix,
    n_steps: int,
    n_samples: int = 1,
    temperature: float = 1.0,
    generator: torch.Generator | int | None = None,
) -> torch.Tensor:
    """Continue one sequence ``n_steps`` steps, ``n_samples`` times, feeding the model's outputs back in.

    model: a trained :class:`MDNRNN` (each continuation samples its next value from the predicted
        mixture, then reads it as its next input) or :class:`MSERNN` (each continuation reads back its
        own prediction, so all ``n_samples`` continuations are the same). Its ``in_features`` must equal
        its ``out_features``: each output becomes the next input.
    prefix: the start of one sequence, shape (P, F) (a 1-D prefix of length P is read as (P, 1)).
    temperature: > 0; see :meth:`mdn_lessons.mixture.Mixture.sample`. Ignored for an MSERNN.
    generator: a ``torch.Generator`` or an int seed for the sampling; None uses torch's global generator.

    Returns the continuations, shape (n_samples, n_steps, D), in data units (without the prefix).
    """
    if not isinstance(model, (MDNRNN, MSERNN)):
        raise TypeError(f"model must be an MDNRNN or MSERNN, got {type(model).__name__}")
    if model.in_features != model.out_features:
        raise ValueError(
            "model must read what it predicts (in_features == out_features) to be fed its own outputs; got "
            f"in_features={model.in_features}, out_features={model.out_features}"
        )
    prefix = _validate.float_tensor("prefix", prefix)
    if prefix.ndim == 1:
        prefix = prefix.unsqueeze(1)
    if prefix.ndim != 2 or prefix.shape[0] < 1 or prefix.shape[1] != model.in_features:
        raise ValueError(
            f"prefix must be one sequence of shape (P, {model.in_features}) with P >= 1 (or (P,) for one feature); "
            f"got shape {tuple(prefix.shape)}"
        )
    n_steps = _validate.positive_int("n_steps", n_steps)
    n_samples = _validate.positive_int("n_samples", n_samples)
    temperature = _validate.positive_float("temperature", temperature)
    if isinstance(generator, int) and not isinstance(generator, bool):
        generator = torch.Generator().manual_seed(_validate.positive_int("generator", generator, minimum=0))
    elif generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, an int seed or None, got {type(generator).__name__}")

    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        features, state = model.run(model.x_scaler(prefix.unsqueeze(0)))
        features = features[:, -1:].expand(n_samples, 1, -1)
        # Every continuation starts from the prefix's final state; an LSTM's state is a pair (h, c).
        states = state if isinstance(state, tuple) else (state,)
        states = tuple(part.expand(-1, n_samples, -1).contiguous() for part in states)
        state = states if isinstance(state, tuple) else states[0]
        for _ in range(n_steps):
            value = model.y_scaler.inverse(model.draw_next(features, temperature, generator))  # (n_samples, D)
            out.append(value)
            features, state = model.run(model.x_scaler(value).unsqueeze(1), state)
    model.train(was_training)
    return torch.stack(out, dim=1)


__all__ = [
    "BRANCHING",
    "MDNRNN",
    "MSERNN",
    "branching_curves",
    "branching_log_prob",
    "future_shares",
    "generate",
]
