"""Gaussian mixture regression (GMR): the statistician's peer of the MDN in ``make bench``.

A full-covariance Gaussian mixture is fitted by EM (scikit-learn's ``GaussianMixture``, a development-only
dependency) to the joint, standardised (x, y) for every K in 1..``max_components``; the K with the lowest
BIC is kept and conditioned on x analytically: component k gives y | x the Gaussian
N(μ_y + Σ_yx Σ_xx⁻¹ (x - μ_x), Σ_yy - Σ_yx Σ_xx⁻¹ Σ_xy), weighted by π_k N(x; μ_x, Σ_xx) normalised over k.
Shapes: N samples, K components, F input features, D output features.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.mixture import GaussianMixture


class GaussianMixtureRegression:
    """p(y | x) from a joint Gaussian mixture, K chosen by BIC. ``fit(x, y)`` then ``log_prob(x, y)``."""

    def __init__(self, max_components: int = 10, seed: int = 0):
        self.max_components = max_components
        self.seed = seed

    def fit(self, x, y) -> GaussianMixtureRegression:
        """x: (N, F), y: (N, D) tensors or arrays."""
        x, y = _matrix(x), _matrix(y)
        self.f = x.shape[1]
        joint = np.hstack([x, y])
        self.mean, self.std = joint.mean(axis=0), joint.std(axis=0)
        z = (joint - self.mean) / self.std
        best, best_bic = None, math.inf
        for k in range(1, self.max_components + 1):
            mixture = GaussianMixture(k, covariance_type="full", random_state=self.seed).fit(z)
            bic = mixture.bic(z)
            if bic < best_bic:
                best, best_bic = mixture, bic
        self.n_components = best.n_components
        self.mixture = best
        return self

    def log_prob(self, x, y) -> torch.Tensor:
        """log p(y | x) per row, shape (N,), in data units."""
        x, y = _matrix(x), _matrix(y)
        f = self.f
        zx = (x - self.mean[:f]) / self.std[:f]
        zy = (y - self.mean[f:]) / self.std[f:]
        means, covs, weights = self.mixture.means_, self.mixture.covariances_, self.mixture.weights_
        log_gate, log_cond = [], []
        for k in range(len(weights)):
            mx, my = means[k, :f], means[k, f:]
            sxx, sxy, syy = covs[k, :f, :f], covs[k, :f, f:], covs[k, f:, f:]
            gain = np.linalg.solve(sxx, sxy).T  # (D, F): Σ_yx Σ_xx⁻¹
            log_gate.append(math.log(weights[k]) + _gaussian_log_pdf(zx, mx, sxx))
            cond_mean = my + (zx - mx) @ gain.T
            log_cond.append(_gaussian_log_pdf(zy, None, syy - gain @ sxy, centred=zy - cond_mean))
        log_gate = np.stack(log_gate, axis=1)
        log_gate -= logsumexp(log_gate, axis=1, keepdims=True)
        log_p = logsumexp(log_gate + np.stack(log_cond, axis=1), axis=1) - np.log(self.std[f:]).sum()
        return torch.from_numpy(log_p)


def _matrix(a) -> np.ndarray:
    a = a.numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    a = a.astype(np.float64)
    return a.reshape(-1, 1) if a.ndim == 1 else a


def _gaussian_log_pdf(z, mean, cov, centred=None) -> np.ndarray:
    """log N(z; mean, cov) per row of z (N, E)."""
    centred = z - mean if centred is None else centred
    chol = np.linalg.cholesky(cov)
    solved = np.linalg.solve(chol, centred.T)  # (E, N)
    return -0.5 * (solved**2).sum(axis=0) - np.log(np.diag(chol)).sum() - 0.5 * len(cov) * math.log(2 * math.pi)
