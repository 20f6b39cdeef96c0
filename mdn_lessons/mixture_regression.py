"""Gaussian mixture regression: a full-covariance Gaussian mixture on the joint (x, y), then conditioned on x.

The oldest way to get a multimodal p(y | x) without a neural network. Fit one Gaussian mixture to the
stacked columns z = (x, y) with EM, each component with a full covariance (so it can lie along a slanted
branch), then condition every component on the observed x. For a component with mean (μ_x, μ_y) and
covariance blocks Σ_xx (F, F), Σ_xy (F, 1), Σ_yy (1, 1):

* its conditional mean is μ_y + Σ_yx Σ_xx⁻¹ (x − μ_x), a straight line in x;
* its conditional variance is Σ_yy − Σ_yx Σ_xx⁻¹ Σ_xy, the same for every x;
* its new weight is π_k N(x; μ_x, Σ_xx) / Σ_j π_j N(x; μ_j,x, Σ_j,xx): the components that explain this
  x take over.

The result is an ordinary one-dimensional mixture per x (:class:`~mdn_lessons.MixtureParams`), so every
tool of :mod:`mdn_lessons.answers` (samples, modes, quantiles, PIT) works on it unchanged.

EM is the course's own (lesson 02, :mod:`mdn_lessons.em`) with the diagonal variances replaced by full
covariance matrices; it runs in float64 on standardised columns, and the fitted mixture is mapped back to
data units. Shapes: N samples, F input features, D = F + 1 joint features, K components.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch.distributions import MultivariateNormal

from . import _validate
from .em import initial_params
from .mixture import MixtureParams


@dataclass
class JointMixture:
    """A Gaussian mixture with full covariances over D joint features, in data units (float64).

    The last feature is the target y; the first D − 1 are the inputs x.
    """

    log_weights: torch.Tensor
    """(K,) log mixture weights."""
    means: torch.Tensor
    """(K, D) component means."""
    covariances: torch.Tensor
    """(K, D, D) component covariance matrices (symmetric, positive definite)."""
    nll: list[float] = field(default_factory=list)
    """Mean NLL of the standardised training data at the start of each EM round (never rises)."""

    @property
    def n_components(self) -> int:
        return int(self.log_weights.shape[0])

    @property
    def n_parameters(self) -> int:
        """Free parameters: K − 1 weights, K·D means and K·D(D + 1)/2 covariance entries."""
        k, d = self.means.shape
        return (k - 1) + k * d + k * d * (d + 1) // 2


def _joint_data(name: str, data) -> torch.Tensor:
    data = _validate.feature_matrix(name, data)
    if data.shape[1] < 2:
        raise ValueError(f"{name} must have at least two columns (inputs, then the target), got {data.shape[1]}")
    return data


def _check_mixture(mixture) -> JointMixture:
    if not isinstance(mixture, JointMixture):
        raise TypeError(f"mixture must be a JointMixture (from fit_joint_mixture), got {type(mixture).__name__}")
    return mixture


def _component_log_probs(log_weights, means, covariances, data64) -> torch.Tensor:
    """log(π_k N(z_n; μ_k, Σ_k)), shape (N, K), all float64."""
    gaussians = MultivariateNormal(means, covariance_matrix=covariances)
    return log_weights + gaussians.log_prob(data64.unsqueeze(1))


def fit_joint_mixture(
    data,
    n_components: int,
    steps: int = 300,
    seed: int = 0,
    min_variance: float = 1e-3,
    tol: float = 1e-5,
) -> JointMixture:
    """Fit a full-covariance Gaussian mixture to ``data`` (N, D) by EM.

    Columns are standardised first (so one ``min_variance`` suits every unit); the start is the course's
    k-means++ pick of means (:func:`mdn_lessons.em.initial_params`) with identity covariances.
    min_variance: added to the diagonal of every covariance after each M-step, in standardised units (the
        full-covariance version of lesson 02's σ floor: without it a component can shrink onto a few points
        and its density, and the likelihood, run off to infinity).
    Runs at most ``steps`` rounds; stops once the mean NLL improves by less than ``tol`` nats per sample (the
    last rounds of EM creep: 1e-5 stops where further rounds change the held-out NLL by a few thousandths).
    """
    data = _joint_data("data", data)
    k = _validate.positive_int("n_components", n_components)
    steps = _validate.positive_int("steps", steps)
    seed = _validate.positive_int("seed", seed, minimum=0)
    min_variance = _validate.positive_float("min_variance", min_variance)
    tol = _validate.positive_float("tol", tol, allow_zero=True)
    n, d = data.shape
    if k > n:
        raise ValueError(f"n_components must be at most the number of samples ({n}), got {k}")

    data64 = data.double()
    centre = data64.mean(dim=0)
    spread = data64.std(dim=0, unbiased=False).clamp_min(1e-12)
    z = (data64 - centre) / spread
    start = initial_params(z.float(), k, seed)
    log_weights = start.log_weights[0].double()
    means = start.means[0].double()
    ridge = min_variance * torch.eye(d, dtype=torch.float64)
    covariances = torch.eye(d, dtype=torch.float64).expand(k, d, d).clone()
    history: list[float] = []
    for _ in range(steps):
        # E-step: responsibilities r (N, K), in log space.
        joint = _component_log_probs(log_weights, means, covariances, z)
        log_total = torch.logsumexp(joint, dim=1, keepdim=True)
        nll = float(-log_total.mean())
        converged = bool(history) and history[-1] - nll < tol
        history.append(nll)
        if converged:
            break
        r = torch.exp(joint - log_total)
        # M-step: weighted mean and weighted covariance of each component's share of the data.
        n_k = r.sum(dim=0).clamp_min(1e-12)
        means = (r.T @ z) / n_k[:, None]
        centred = z.unsqueeze(1) - means  # (N, K, D)
        covariances = torch.einsum("nk,nki,nkj->kij", r, centred, centred) / n_k[:, None, None] + ridge
        log_weights = torch.log(n_k / n_k.sum())

    scale = torch.diag(spread)
    return JointMixture(
        log_weights=log_weights,
        means=means * spread + centre,
        covariances=scale @ covariances @ scale,
        nll=history,
    )


def joint_log_prob(mixture: JointMixture, data) -> torch.Tensor:
    """log p(z) of each row of ``data`` (N, D) under the joint mixture, shape (N,), float32."""
    mixture = _check_mixture(mixture)
    data = _validate.feature_matrix("data", data, features=mixture.means.shape[1])
    joint = _component_log_probs(mixture.log_weights, mixture.means, mixture.covariances, data.double())
    return torch.logsumexp(joint, dim=1).float()


def bic(mixture: JointMixture, data) -> float:
    """The Bayesian information criterion on ``data`` (N, D): −2 log-likelihood + (parameters) · log N.

    Lower is better; the penalty grows with K·D², so high-dimensional data is given fewer components.
    """
    log_likelihood = float(joint_log_prob(mixture, data).double().sum())
    return -2.0 * log_likelihood + mixture.n_parameters * math.log(len(data))


@torch.no_grad()
def condition_on_inputs(mixture: JointMixture, x) -> MixtureParams:
    """p(y | x) of a joint mixture whose last feature is y: one 1-D mixture per row of x.

    x: (N, F) with F = D − 1 (1-D read as (N, 1)). Returns MixtureParams with log_weights (N, K), means and
    scales (N, K, 1), float32, from the formulas in the module docstring.
    """
    mixture = _check_mixture(mixture)
    f = mixture.means.shape[1] - 1
    x = _validate.feature_matrix("x", x, features=f).double()
    mu_x, mu_y = mixture.means[:, :f], mixture.means[:, f]  # (K, F), (K,)
    s_xx = mixture.covariances[:, :f, :f]  # (K, F, F)
    s_xy = mixture.covariances[:, :f, f]  # (K, F)
    s_yy = mixture.covariances[:, f, f]  # (K,)
    gain = torch.linalg.solve(s_xx, s_xy.unsqueeze(-1)).squeeze(-1)  # Σ_xx⁻¹ Σ_xy, (K, F)
    means = mu_y + ((x.unsqueeze(1) - mu_x) * gain).sum(dim=2)  # (N, K)
    variances = (s_yy - (s_xy * gain).sum(dim=1)).clamp_min(1e-12)
    marginal = MultivariateNormal(mu_x, covariance_matrix=s_xx)
    log_weights = torch.log_softmax(mixture.log_weights + marginal.log_prob(x.unsqueeze(1)), dim=1)
    scales = variances.sqrt().expand(len(x), -1)
    return MixtureParams(log_weights.float(), means.unsqueeze(-1).float(), scales.unsqueeze(-1).float())


def fit_mixture_regression(x, y, n_components=(1, 2, 3, 4, 5, 6, 8, 10), seed: int = 0, **em_options) -> JointMixture:
    """Gaussian mixture regression of y (N, 1) on x (N, F): fit the joint of (x, y), K chosen by BIC.

    n_components: one K, or a tuple/list of candidates; each candidate is fitted and the one with the
        lowest :func:`bic` on the training data is returned.
    em_options: passed to :func:`fit_joint_mixture` (steps, min_variance, tol).
    Predict with :func:`condition_on_inputs`.
    """
    x = _validate.feature_matrix("x", x)
    y = _validate.feature_matrix("y", y, features=1)
    _validate.same_length("x", x, "y", y)
    if isinstance(n_components, (tuple, list)):
        if not n_components:
            raise ValueError("n_components must be a whole number or a non-empty tuple of whole numbers")
        candidates = [_validate.positive_int(f"n_components[{i}]", k) for i, k in enumerate(n_components)]
    else:
        candidates = [_validate.positive_int("n_components", n_components)]
    data = torch.cat([x, y], dim=1)
    best, best_bic = None, math.inf
    for k in candidates:
        mixture = fit_joint_mixture(data, k, seed=seed, **em_options)
        score = bic(mixture, data) if len(candidates) > 1 else 0.0
        if score < best_bic:
            best, best_bic = mixture, score
    return best
