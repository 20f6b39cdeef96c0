"""Every exercise checker against plausible wrong answers: each is refused, and the message names the slip.

For each of the 19 checkers the table below holds its solution (which must pass), and wrong answers of every
kind a reviewer tried: None, a function that forgets its ``return``, a function hard-wired to the lesson's
visible example (or reading notebook variables instead of its arguments), one that changes its inputs in
place, one that raises, and the slips particular to the exercise. A wrong answer passes the test only if the
checker refuses it, the first problem contains the given words, and no message blames the checker itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import mdn_lessons as ml
from mdn_lessons import robot_arm as arm
from mdn_lessons import true_distributions as ld
from mdn_lessons.checks import lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07
from mdn_lessons.checks._core import is_stub_function
from mdn_lessons.losses import gaussian_log_prob

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
L1, L2 = arm.LINK_LENGTHS


@dataclass
class Checker:
    """How to run one checker on an answer, and its right answer."""

    run: Callable
    solution: object


def _raises(*args):
    raise ValueError("my own bug")


# ------------------------------------------------------------------------------------------------ lesson 00

X_TEST, Y_TEST = ml.data.inverted_sine(n=5000, noise=1.0, seed=1)
X_TRAIN, Y_TRAIN = ml.data.inverted_sine(n=2000, noise=1.0, seed=0)
BAYES = float(-ml.data.inverted_sine_log_prob(X_TEST, Y_TEST, noise=1.0).double().mean())
BAYES_TRAIN = float(-ml.data.inverted_sine_log_prob(X_TRAIN, Y_TRAIN, noise=1.0).double().mean())


def branch_count(answer):
    return lesson00.check_branch_count(3.0, answer)


def bayes_limit(answer):
    return lesson00.check_bayes_limit(X_TEST, Y_TEST, answer)


# ------------------------------------------------------------------------------------------------ lesson 01


def right_average_nll(y, mean, std):
    return float((0.5 * ((y - mean) / std) ** 2 + math.log(std) + LOG_SQRT_2PI).mean())


def nll_forgets_return(y, mean, std):
    nll = (0.5 * ((y - mean) / std) ** 2 + math.log(std) + LOG_SQRT_2PI).mean()
    print(nll)


def nll_in_place(y, mean, std):
    y -= mean  # changes the caller's tensor
    return float((0.5 * (y / std) ** 2 + math.log(std) + LOG_SQRT_2PI).mean())


FIRST_NLL_CASE = lesson01._nll_cases()[0]
P1, Q_POOR = ld.skewed_p(), ld.gaussian_mixture([1.0], [0.0], [1.5])
Y_BIG = ld.sample(P1, n=100_000, seed=1)[:, 0]


def kl_estimate_with(q):
    return float((ld.log_density(P1, Y_BIG) - ld.log_density(q, Y_BIG)).mean())


# ------------------------------------------------------------------------------------------------ lesson 02

P2 = ld.three_bumps_p()
P2_WEIGHTS, P2_MEANS, P2_SCALES = P2.log_weights.exp().reshape(-1), P2.means.reshape(-1), P2.scales.reshape(-1)


def right_log_density(y, weights, means, scales):
    return torch.logsumexp(torch.log(weights) + gaussian_log_prob(means, scales, y[:, None]), dim=1)


def density_of_lessons_p(y, weights, means, scales):
    return ld.log_density(P2, y)  # ignores its arguments


def density_with_notebook_globals(y, weights, means, scales):
    return right_log_density(y, P2_WEIGHTS, P2_MEANS, P2_SCALES)


def density_in_place(y, weights, means, scales):
    y.clamp_(-30.0, 30.0)
    return right_log_density(y, weights, means, scales)


def density_forgets_return(y, weights, means, scales):
    terms = torch.log(weights) + gaussian_log_prob(means, scales, y[:, None])
    torch.logsumexp(terms, dim=1)


def density_wrong_at_element_3(y, weights, means, scales):
    result = right_log_density(y, weights, means, scales)
    result[3] += 0.5
    return result


def right_m_step(y, resp):
    n_k = resp.sum(dim=0)
    means = (resp * y[:, None]).sum(dim=0) / n_k
    scales = ((resp * (y[:, None] - means) ** 2).sum(dim=0) / n_k).sqrt()
    return n_k / len(y), means, scales


LESSON_M_STEP = right_m_step(*lesson02._m_step_cases()[0][1:])


def m_step_in_place(y, resp):
    resp /= resp.sum(dim=0)  # column-normalised in place
    n_k = resp.sum(dim=0) * 0 + 1
    return n_k, (resp * y[:, None]).sum(dim=0), torch.ones_like(n_k)


def m_step_forgets_return(y, resp):
    right_m_step(y, resp)


# ------------------------------------------------------------------------------------------------ lesson 03

X3, Y3 = ml.data.inverted_sine(n=3000, noise=1.0, seed=0)  # the lesson's training data


def right_conditional_mean(x, y, x0, half_width):
    return float(y[(x - x0).abs() < half_width].mean())


LESSON_CONDITIONAL_MEAN = right_conditional_mean(X3, Y3, 0.0, 0.25)


def conditional_mean_in_place(x, y, x0, half_width):
    x -= x0
    return float(y[x.abs() < half_width].mean())


def conditional_mean_forgets_return(x, y, x0, half_width):
    mask = (x - x0).abs() < half_width
    y[mask].mean()


def best_nll(bins=40):
    return lesson03.best_single_gaussian_nll(X_TEST, Y_TEST, bins=bins)


def best_single_gaussian(answer):
    return lesson03.check_best_single_gaussian_nll(answer, X_TEST, Y_TEST)


# ------------------------------------------------------------------------------------------------ lesson 04


def right_heads(logits, mean_outputs, scale_outputs):
    return ml.MixtureParams(
        torch.log_softmax(logits, dim=1), mean_outputs.unsqueeze(-1), (F.softplus(scale_outputs) + 1e-3).unsqueeze(-1)
    )


LESSON_HEADS = right_heads(*lesson04._head_outputs())


def heads_floor(floor):
    def heads(logits, mean_outputs, scale_outputs):
        return right_heads(logits, mean_outputs, scale_outputs)._replace(
            scales=(F.softplus(scale_outputs) + floor).unsqueeze(-1)
        )

    return heads


def heads_in_place(logits, mean_outputs, scale_outputs):
    scale_outputs.clamp_(min=-50.0)
    return right_heads(logits, mean_outputs, scale_outputs)


def heads_forget_return(logits, mean_outputs, scale_outputs):
    right_heads(logits, mean_outputs, scale_outputs)


def right_gradient(y, mu, sigma):
    log_sigma = torch.tensor(math.log(sigma), requires_grad=True)
    nll = ml.losses.gaussian_nll(torch.tensor([mu]), log_sigma.exp(), torch.tensor([y]))
    nll.backward()
    return log_sigma.grad.item()


def gradient_without_backward(y, mu, sigma):
    log_sigma = torch.tensor(math.log(sigma), requires_grad=True)
    ml.losses.gaussian_nll(torch.tensor([mu]), log_sigma.exp(), torch.tensor([y]))
    return log_sigma.grad  # None: .backward() was never called


def gradient_item_without_backward(y, mu, sigma):
    log_sigma = torch.tensor(math.log(sigma), requires_grad=True)
    ml.losses.gaussian_nll(torch.tensor([mu]), log_sigma.exp(), torch.tensor([y]))
    return log_sigma.grad.item()


# ------------------------------------------------------------------------------------------------ lesson 05


def right_threshold(density, spacing, level):
    ordered = density.sort(descending=True).values
    held = torch.cumsum(ordered * spacing, dim=0)
    return float(ordered[min(int(torch.searchsorted(held, torch.tensor(level))), len(ordered) - 1)])


def threshold_in_place(density, spacing, level):
    density /= density.sum()  # "normalise" the grid in place
    ordered = density.sort(descending=True).values
    return float(ordered[min(int(torch.searchsorted(torch.cumsum(ordered, 0), torch.tensor(level))), len(ordered) - 1)])


def threshold_forgets_return(density, spacing, level):
    right_threshold(density, spacing, level)


def right_tempered(log_weights, temperature):
    return torch.log_softmax(log_weights / temperature, dim=1)


def tempered_in_place(log_weights, temperature):
    log_weights /= temperature
    return torch.log_softmax(log_weights, dim=1)


def tempered_forgets_return(log_weights, temperature):
    torch.log_softmax(log_weights / temperature, dim=1)


def right_lowest_nll(min_scale, y_std):
    return math.log(min_scale * y_std) + LOG_SQRT_2PI


def lowest_nll_forgets_return(min_scale, y_std):
    math.log(min_scale * y_std) + LOG_SQRT_2PI


LESSON_LOWEST_NLL = round(right_lowest_nll(0.01, 6.12), 2)  # the floor and std(y) of lesson 05's rounded targets


# ------------------------------------------------------------------------------------------------ lesson 06


def right_elbow_angles(hand):
    r2 = (hand**2).sum(dim=1)
    theta2 = torch.arccos(((r2 - L1**2 - L2**2) / (2 * L1 * L2)).clamp(-1, 1))
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


def elbow_angles_without_clamp(hand):
    r2 = (hand**2).sum(dim=1)
    theta2 = torch.arccos((r2 - L1**2 - L2**2) / (2 * L1 * L2))
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


LESSON_HAND = lesson06._hand_cases()[0][1]


def elbow_angles_hard_wired(hand):
    return right_elbow_angles(LESSON_HAND)


def elbow_angles_in_place(hand):
    hand **= 2
    theta2 = torch.arccos(((hand.sum(dim=1) - L1**2 - L2**2) / (2 * L1 * L2)).clamp(-1, 1))
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


def elbow_angles_forget_return(hand):
    right_elbow_angles(hand)


def lesson06_mixtures(n=40, seed=0):
    """MixtureParams like an MDN's on n targets (K = 3, D = 2)."""
    hand, _ = arm.inverse_data(n=n, seed=seed)
    up, down = arm.inverse_kinematics(hand)
    generator = torch.Generator().manual_seed(seed)
    spare = up + 0.3 * torch.randn(n, 2, generator=generator)
    means = torch.stack([down, up, spare], dim=1)
    log_weights = torch.log_softmax(torch.randn(n, 3, generator=generator), dim=1)
    return ml.MixtureParams(log_weights, means, torch.full_like(means, 0.01))


PARAMS6 = lesson06_mixtures()


def right_p_up(params):
    return (params.log_weights.exp() * (params.means[..., 1] > math.pi)).sum(dim=1)


def right_up_pose(params):
    up = params.means[..., 1] > math.pi
    best = params.log_weights.masked_fill(~up, -math.inf).argmax(dim=1)
    return params.means[torch.arange(len(best)), best]


def up_pose_hard_wired(params):
    return right_up_pose(PARAMS6)  # the notebook's params, not the argument


def up_pose_in_place(params):
    params.log_weights.masked_fill_(~(params.means[..., 1] > math.pi), -math.inf)
    best = params.log_weights.argmax(dim=1)
    return params.means[torch.arange(len(best)), best]


def up_pose_forgets_return(params):
    right_up_pose(params)


# ------------------------------------------------------------------------------------------------ lesson 07


def right_true_shares(n_steps, p_up, branch_prob):
    still_flat = (1 - branch_prob) ** n_steps
    return p_up * (1 - still_flat), (1 - p_up) * (1 - still_flat), still_flat


def shares_forget_return(n_steps, p_up, branch_prob):
    still_flat = (1 - branch_prob) ** n_steps
    (p_up * (1 - still_flat), (1 - p_up) * (1 - still_flat), still_flat)


def right_prob_above(params, threshold):
    z = (threshold - params.means[..., 0]) / params.scales[..., 0]
    return (params.log_weights.exp() * torch.special.ndtr(-z)).sum(dim=1)


def prob_above_squares_in_place(params, threshold):
    s = params.scales[..., 0]
    s **= 2  # the variance, computed in place: the caller's params.scales change
    return right_prob_above(params, threshold)


def prob_above_right_but_in_place(params, threshold):
    z = params.means[..., 0]
    z -= threshold  # a view of params.means: the right numbers, but the lesson's params change
    z /= -params.scales[..., 0]
    return (params.log_weights.exp() * torch.special.ndtr(z)).sum(dim=1)


FIRST_MIXTURE, FIRST_THRESHOLDS = lesson07._test_mixtures()[0]
LESSON_PROBS = right_prob_above(FIRST_MIXTURE, FIRST_THRESHOLDS[0])


def prob_above_forgets_return(params, threshold):
    right_prob_above(params, threshold)


# -------------------------------------------------------------------------------------------- the table

CHECKERS = {
    "00 branch_count": Checker(branch_count, 5),
    "00 bayes_limit": Checker(bayes_limit, BAYES),
    "01 average_nll": Checker(lesson01.check_average_nll, right_average_nll),
    "01 kl_estimate": Checker(lesson01.check_kl_estimate, kl_estimate_with(Q_POOR)),
    "01 unit_change": Checker(lesson01.check_unit_change, math.log(100)),
    "02 log_mixture_density": Checker(lesson02.check_log_mixture_density, right_log_density),
    "02 m_step": Checker(lesson02.check_m_step, right_m_step),
    "03 conditional_mean": Checker(lesson03.check_conditional_mean, right_conditional_mean),
    "03 best_single_gaussian_nll": Checker(best_single_gaussian, best_nll()),
    "04 mixture_from_heads": Checker(lesson04.check_mixture_from_heads, right_heads),
    "04 log_sigma_gradient": Checker(lesson04.check_log_sigma_gradient, right_gradient),
    "05 density_threshold": Checker(lesson05.check_density_threshold, right_threshold),
    "05 tempered_log_weights": Checker(lesson05.check_tempered_log_weights, right_tempered),
    "05 lowest_nll": Checker(lesson05.check_lowest_nll, right_lowest_nll),
    "06 elbow_angles": Checker(lesson06.check_elbow_angles, right_elbow_angles),
    "06 elbow_up_probability": Checker(
        lambda answer: lesson06.check_elbow_up_probability(answer, PARAMS6), right_p_up(PARAMS6)
    ),
    "06 elbow_up_pose": Checker(lambda answer: lesson06.check_elbow_up_pose(answer, PARAMS6), right_up_pose),
    "07 true_shares": Checker(lesson07.check_true_shares, right_true_shares),
    "07 prob_above": Checker(lesson07.check_prob_above, right_prob_above),
}

FUNCTION_CHECKERS = [name for name, checker in CHECKERS.items() if callable(checker.solution)]
VALUE_CHECKERS = [name for name in CHECKERS if name not in FUNCTION_CHECKERS]

NONE_RETURNERS = {
    "01 average_nll": nll_forgets_return,
    "02 log_mixture_density": density_forgets_return,
    "02 m_step": m_step_forgets_return,
    "03 conditional_mean": conditional_mean_forgets_return,
    "04 mixture_from_heads": heads_forget_return,
    "04 log_sigma_gradient": gradient_without_backward,
    "05 density_threshold": threshold_forgets_return,
    "05 tempered_log_weights": tempered_forgets_return,
    "05 lowest_nll": lowest_nll_forgets_return,
    "06 elbow_angles": elbow_angles_forget_return,
    "06 elbow_up_pose": up_pose_forgets_return,
    "07 true_shares": shares_forget_return,
    "07 prob_above": prob_above_forgets_return,
}

HARD_WIRED = {  # functions that answer the lesson's visible example whatever they are given
    "01 average_nll": (lambda y, m, s: right_average_nll(*FIRST_NLL_CASE), "same number as for another case"),
    "02 log_mixture_density": (density_with_notebook_globals, "not of the mixture passed in"),
    "02 m_step": (lambda y, r: LESSON_M_STEP, "right on the lesson's data"),
    "03 conditional_mean": (lambda x, y, x0, w: LESSON_CONDITIONAL_MEAN, "same number as for another window"),
    "04 mixture_from_heads": (lambda a, b, c: LESSON_HEADS, "should have shape (7, 2)"),
    "04 log_sigma_gradient": (lambda y, mu, s: -99.0, "same number as for another point"),
    "05 tempered_log_weights": (
        lambda lw, t: right_tempered(lesson05._tempered_cases()[0][0], 0.25),
        "same log-weights as for another case",
    ),
    "05 density_threshold": (
        lambda d, s, lv: right_threshold(*lesson05._threshold_cases()[0][1:]),
        "same h as for another case",
    ),
    "05 lowest_nll": (lambda min_scale, y_std: LESSON_LOWEST_NLL, "the same as for another case"),
    "06 elbow_angles": (elbow_angles_hard_wired, "does it use its arguments"),
    "06 elbow_up_pose": (up_pose_hard_wired, "does it use its arguments"),
    "07 true_shares": (lambda n, p, h: right_true_shares(16, 0.7, 0.2), "same shares as for another case"),
    "07 prob_above": (lambda params, t: LESSON_PROBS, "use the argument params"),
}

IN_PLACE = {
    "01 average_nll": (nll_in_place, "changed its argument y in place"),
    "02 log_mixture_density": (density_in_place, "changed its argument y in place"),
    "02 m_step": (m_step_in_place, "changed its argument resp in place"),
    "03 conditional_mean": (conditional_mean_in_place, "changed its argument x in place"),
    "04 mixture_from_heads": (heads_in_place, "changed its argument scale_outputs in place"),
    "04 log_sigma_gradient": None,  # its arguments are plain numbers: nothing to change in place
    "05 tempered_log_weights": (tempered_in_place, "changed its argument log_weights in place"),
    "05 density_threshold": (threshold_in_place, "changed its argument density in place"),
    "05 lowest_nll": None,  # numbers cannot be changed in place
    "06 elbow_angles": (elbow_angles_in_place, "changed its argument hand in place"),
    "06 elbow_up_pose": (up_pose_in_place, "changed its argument params.log_weights in place"),
    "07 true_shares": None,  # plain numbers again
    "07 prob_above": (prob_above_squares_in_place, "changed its argument params.scales in place"),
}

SLIPS = {
    "00 branch_count": [
        (10**400, "too many"),
        (3, "too few"),
        (4.5, "whole number"),
        ("5", "should be a number, got str"),
        (True, "got a bool"),
        (np.array([5, 5]), "single number"),
    ],
    "00 bayes_limit": [
        (-BAYES, "wrong sign"),
        (BAYES * 5000, "sum over samples"),
        (BAYES_TRAIN, "training points"),
        (1.3, "within 0.01"),
        ("1.326", "without quotes"),
        (lambda: BAYES, "not a function"),
    ],
    "01 average_nll": [
        (lambda y, m, s: -right_average_nll(y, m, s), "sign is flipped"),
        (lambda y, m, s: len(y) * right_average_nll(y, m, s), "sum over the samples"),
        (lambda y, m, s: right_average_nll(y, m, s) - LOG_SQRT_2PI, "½·log(2π) ≈ 0.919 is missing"),
        (lambda y, m, s: right_average_nll(y, m, s) + math.log(s), "log σ²"),
        (lambda y, m, s: right_average_nll(y, m, s) + float((0.5 * ((y - m) / s) ** 2).mean()), "not halved"),
        (lambda y, m, s: 0.0, "same number as for another case"),  # not mistaken for a missing ½·log 2π
        (lambda y, m, s: "1.2", "should be a number, got str"),
    ],
    "01 kl_estimate": [
        (kl_estimate_with(ld.gaussian_mixture([1.0], [0.0], [2.25])), "2.25"),
        (kl_estimate_with(ld.gaussian_mixture([1.0], [0.0], [1.0])), "Q = N(0, 1)"),
        (-kl_estimate_with(Q_POOR), "sign is flipped"),
        (ld.cross_entropy(P1, Q_POOR), "subtract the entropy"),
        (ld.kl_divergence(Q_POOR, P1), "other direction"),
        (0.69, "within 0.006"),
    ],
    "01 unit_change": [
        (4.7, "at least two significant digits"),
        (5, "at least two significant digits"),
        (2.0, "natural log"),
        (math.log(1000), "kilometres"),
        ("4.6", "without quotes"),
        (-math.log(100), "sign is flipped"),
    ],
    "02 log_mixture_density": [
        (density_of_lessons_p, "not of the mixture passed in"),
        (density_wrong_at_element_3, "element [3] is"),
        (lambda y, w, m, s: right_log_density(y, w, m, s).exp(), "density p(y), not its log"),
        (lambda y, w, m, s: (torch.log(w) + gaussian_log_prob(m, s, y[:, None])).max(dim=1).values, "(a max)"),
        (lambda y, w, m, s: torch.log((w * gaussian_log_prob(m, s, y[:, None]).exp()).sum(dim=1)), "underflowed"),
        (lambda y, w, m, s: {"log_p": right_log_density(y, w, m, s)}, "got dict"),
    ],
    "02 m_step": [
        (lambda y, r: (r.sum(dim=0), *right_m_step(y, r)[1:]), "divide them by the number of samples N"),
        (lambda y, r: (*right_m_step(y, r)[:2], right_m_step(y, r)[2] ** 2), "variances σ²"),
        (lambda y, r: {"weights": 1, "means": 2, "scales": 3}, "three tensors"),
        (lambda y, r: (right_m_step(y, r)[0].tolist(), "1.0", "2.0"), "should be a torch tensor"),
        (lambda y, r: (["0.3", "0.3", "0.4"], *right_m_step(y, r)[1:]), "should be a torch tensor"),
    ],
    "03 conditional_mean": [
        (lambda x, y, x0, w: float(X3[(X3 - x0).abs() < w].mean()), "averaged the x values"),
        (lambda x, y, x0, w: float(Y3[(X3 - x0).abs() < w].mean()), "same number as for another window"),
        (lambda x, y, x0, w: float(y[(x - x0).abs() < 2 * w].mean()), "wrong width"),
        (lambda x, y, x0, w: np.array([right_conditional_mean(x, y, x0, w), 0.0]), "single number"),
    ],
    "03 best_single_gaussian_nll": [
        (best_nll(41), "41 bins"),
        (best_nll(30), "30 bins"),
        (best_nll(50), "50 bins"),
        (best_nll(66), "66 bins"),
        (2.826, "within 2e-05"),
        (-best_nll(), "sign is wrong"),
        (best_nll() - 0.5, "left out the ½"),
        (lambda: best_nll(), "not a function"),
    ],
    "04 mixture_from_heads": [
        (heads_floor(1e-4), "floor of 0.0001"),
        (heads_floor(0.0), "no floor"),
        (heads_floor(0.1), "F.softplus(scale_outputs) + 0.001"),
        (lambda a, b, c: right_heads(a, b, c)._replace(log_weights=torch.log(torch.softmax(a, 1))), "underflows"),
        (lambda a, b, c: right_heads(a, b, c)._replace(log_weights=torch.log_softmax(a, 0)), "dim=0"),
        (lambda a, b, c: right_heads(a, b, c)._replace(scales=(torch.exp(c) + 1e-3).unsqueeze(-1)), "overflows"),
        (lambda a, b, c: {"log_weights": a}, "three tensors"),
    ],
    "04 log_sigma_gradient": [
        (gradient_item_without_backward, "until you call .backward()"),
        (lambda y, mu, s: -right_gradient(y, mu, s), "wrong sign"),
        (lambda y, mu, s: right_gradient(y, mu, s) / s, "with respect to σ"),
        (lambda y, mu, s: str(right_gradient(y, mu, s)), "without quotes"),
    ],
    "05 tempered_log_weights": [
        (lambda lw, t: torch.log_softmax(lw * t, dim=1), "power T"),
        (lambda lw, t: lw / t, "renormalise"),
        (lambda lw, t: torch.softmax(lw / t, dim=1), "weights themselves"),
        (lambda lw, t: torch.log(torch.softmax(lw / t, dim=1)), "stay in log space"),
    ],
    "05 density_threshold": [
        (lambda d, s, lv: right_threshold(d, s, 1 - lv), "BELOW your h"),
        (lambda d, s, lv: right_threshold(d, 1.0, lv), "density × spacing"),
        (lambda d, s, lv: float(torch.quantile(d, 1 - lv)), "share of the PROBABILITY"),
        (lambda d, s, lv: str(right_threshold(d, s, lv)), "without quotes"),
    ],
    "05 lowest_nll": [
        (lambda m, s: math.log(m) + LOG_SQRT_2PI, "standardised units"),
        (lambda m, s: math.log(m * s), "½ log(2π) is missing"),
        (lambda m, s: -right_lowest_nll(m, s), "sign is flipped"),
        (lambda m, s: torch.log(m * s) + LOG_SQRT_2PI, "use math.log"),
    ],
    "06 elbow_angles": [
        (elbow_angles_without_clamp, "clamp"),
        (lambda hand: torch.rad2deg(right_elbow_angles(hand)), "degrees"),
        (lambda hand: right_elbow_angles(hand).flip(1), "swapped"),
        (lambda hand: right_elbow_angles(hand).numpy(), "should be a torch tensor"),
    ],
    "06 elbow_up_probability": [
        (1 - right_p_up(PARAMS6), "elbow DOWN"),
        (right_p_up(PARAMS6).numpy(), "should be a torch tensor"),
        (right_p_up, "got a function"),
    ],
    "06 elbow_up_pose": [
        (lambda p: p.means[torch.arange(len(p.means)), p.log_weights.argmax(dim=1)], "heaviest component overall"),
        (lambda p: p.means.mean(dim=1), "not the mean of the heaviest elbow-up component"),
    ],
    "07 true_shares": [
        (lambda n, p, h: (p, 1 - p, 0.0), "(1 - h) ** n"),
        (lambda n, p, h: {"up": 0.68, "down": 0.292, "flat": 0.028}, "in that order"),
        (lambda n, p, h: (round(x, 3) for x in right_true_shares(n, p, h)), "three numbers"),
        (lambda n, p, h: tuple(x + 5e-6 for x in right_true_shares(n, p, h)), "add up to"),
    ],
    "07 prob_above": [
        (prob_above_right_but_in_place, "changed its argument params.means in place"),
        (lambda params, t: 1 - right_prob_above(params, t), "ndtr"),
        (lambda params, t: {"p": right_prob_above(params, t)}, "got dict"),
        (lambda params, t: tuple(right_prob_above(params, t)) + (0.5,), "should have shape (4,)"),
    ],
}


def wrong_answers():
    """(checker, label, answer, words) for every wrong answer tried."""
    for name in CHECKERS:
        if name in FUNCTION_CHECKERS:
            yield name, "None", None, "got None"
            yield name, "returns None", NONE_RETURNERS[name], "returned None"
            yield name, "raises", _raises, "your code raised ValueError: my own bug"
            answer, words = HARD_WIRED[name]
            yield name, "hard-wired", answer, words
            if IN_PLACE[name] is not None:
                yield name, "in place", *IN_PLACE[name]
        else:
            yield name, "None", None, "is None"
        for i, (answer, words) in enumerate(SLIPS[name]):
            yield name, f"slip {i}", answer, words


WRONG = list(wrong_answers())


@pytest.mark.parametrize(
    ("name", "answer", "words"), [(n, a, w) for n, _, a, w in WRONG], ids=[f"{n}: {label}" for n, label, _, _ in WRONG]
)
def test_a_wrong_answer_is_refused_and_its_slip_named(name, answer, words, capsys):
    result = CHECKERS[name].run(answer)
    assert not result.passed
    assert words in result.problems[0], result.problems
    assert not any("checker itself failed" in problem for problem in result.problems), result.problems
    assert "❌" in capsys.readouterr().out


def test_every_checker_is_tried_with_every_kind_of_wrong_answer():
    assert len(CHECKERS) == 19
    for name in FUNCTION_CHECKERS:
        labels = {label for n, label, _, _ in WRONG if n == name}
        assert {"None", "returns None", "raises", "hard-wired"} <= labels
    assert sum(1 for _ in WRONG) >= 150


@pytest.mark.parametrize("name", CHECKERS)
def test_the_solution_passes(name, capsys):
    assert CHECKERS[name].run(CHECKERS[name].solution).passed
    assert "✅" in capsys.readouterr().out


# -------------------------------------------------------------------- right answers in other forms pass


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("00 branch_count", np.array([5])),
        ("00 branch_count", torch.tensor([5])),
        ("00 branch_count", np.int64(5)),
        ("00 branch_count", 5.0),
        ("00 bayes_limit", 1.33),  # typed from the lesson's printed "Bayes limit: 1.33 nats"
        ("00 bayes_limit", np.array([BAYES])),
        ("00 bayes_limit", torch.tensor([BAYES])),
        ("01 kl_estimate", np.float32(kl_estimate_with(Q_POOR))),
        ("01 kl_estimate", ld.kl_divergence(P1, Q_POOR)),
        ("01 unit_change", 4.6),  # worked out on paper: log 100 = 4.605...
        ("01 unit_change", 4.61),
        ("01 unit_change", np.array([math.log(100)])),
        ("03 best_single_gaussian_nll", torch.tensor([best_nll()])),
        ("04 log_sigma_gradient", lambda y, mu, s: torch.tensor([1 - ((y - mu) / s) ** 2])),
        ("07 true_shares", lambda n, p, h: torch.tensor(right_true_shares(n, p, h))),
        ("07 true_shares", lambda n, p, h: np.array(right_true_shares(n, p, h))),
        ("07 true_shares", lambda n, p, h: list(right_true_shares(n, p, h))),
        ("07 prob_above", lambda params, t: tuple(right_prob_above(params, t).tolist())),
        ("07 prob_above", lambda params, t: right_prob_above(params, t).double()),
        ("02 m_step", lambda y, r: tuple(t.numpy() for t in right_m_step(y, r))),
        (
            "02 log_mixture_density",
            lambda y, w, m, s: right_log_density(y.double(), w.double(), m.double(), s.double()),
        ),
    ],
)
def test_right_answers_in_other_forms_pass(name, answer):
    assert CHECKERS[name].run(answer).passed


def test_a_kl_estimate_from_other_samples_passes():
    # Any honest estimate lands within 3.5 standard errors (0.002 each) of the exact KL.
    for seed in range(2, 8):
        y = ld.sample(P1, n=100_000, seed=seed)[:, 0]
        assert lesson01.check_kl_estimate(float((ld.log_density(P1, y) - ld.log_density(Q_POOR, y)).mean())).passed


def test_elbow_angles_in_float64_and_from_atan2_pass():
    def float64(hand):
        return right_elbow_angles(hand.double())

    def by_atan2(hand):
        r2 = (hand.double() ** 2).sum(dim=1)
        c = (r2 - L1**2 - L2**2) / (2 * L1 * L2)
        theta2 = torch.atan2((1 - c.clamp(-1, 1) ** 2).sqrt(), c)
        return torch.stack([theta2, 2 * math.pi - theta2], dim=1).float()

    assert lesson06.check_elbow_angles(float64).passed
    assert lesson06.check_elbow_angles(by_atan2).passed


def test_the_folded_arm_is_among_the_cases_and_gives_nan_without_a_clamp():
    hand = arm.forward_kinematics([[0.5, math.pi]])
    cos_theta2 = ((hand**2).sum(dim=1) - L1**2 - L2**2) / (2 * L1 * L2)
    assert float(cos_theta2) < -1  # float32 rounding: -1.0000001
    assert torch.isnan(torch.arccos(cos_theta2)).all()


# ------------------------------------------------------------------------------------------- messages


def test_a_stub_is_not_attempted_but_a_function_that_forgets_return_returned_none():
    def stub(y, mean, std):
        """Average NLL."""
        # TODO: write it
        ...

    assert is_stub_function(stub)
    assert not is_stub_function(nll_forgets_return)
    assert not is_stub_function(lambda y, m, s: None)
    assert lesson01.check_average_nll(stub).problems[0].startswith("not attempted yet")
    problem = lesson01.check_average_nll(nll_forgets_return).problems[0]
    assert "returned None" in problem and "not attempted" not in problem and "`return`" in problem


def test_a_forgotten_backward_is_named():
    problem = lesson04.check_log_sigma_gradient(gradient_without_backward).problems[0]
    assert "returned None" in problem and ".backward()" in problem


def test_the_first_wrong_element_is_shown_with_enough_digits():
    problem = lesson02.check_log_mixture_density(density_wrong_at_element_3).problems[0]
    assert "element [3] is" in problem and "element [0]" not in problem
    shown, _, wanted = problem.partition("element [3] is ")[2].partition(" instead of ")
    assert shown != wanted.split(" ")[0]


def test_numbers_are_printed_with_enough_digits_to_see_the_difference():
    def slightly_off(n, p, h):
        up, down, flat = right_true_shares(n, p, h)
        return up + 3e-6, down - 3e-6, flat

    problem = lesson07.check_true_shares(slightly_off).problems[0]
    shown, _, wanted = problem.partition(" is ")[2].partition(", expected about ")
    assert shown != wanted.split(" ")[0], problem
    assert "within 1e-06" in problem


def test_tolerances_are_said_in_the_message():
    assert "within 0.001" in lesson01.check_unit_change(4.62).problems[0]
    assert "within 0.01" in bayes_limit(1.3).problems[0]
    assert "within 2e-05" in best_single_gaussian(2.826).problems[0]
    assert "within 0.006" in lesson01.check_kl_estimate(0.69).problems[0]


def test_the_lessons_variable_is_named():
    assert "`bayes_nll_yours`" in bayes_limit(...).problems[0]
    assert "bayes_nll_yours" in bayes_limit(BAYES + 0.5).problems[0]


def test_a_value_answer_that_is_none_says_so():
    for name in VALUE_CHECKERS:
        problem = CHECKERS[name].run(None).problems[0]
        assert "is None" in problem and "not attempted" not in problem, problem


def test_the_students_inputs_are_copies_and_expected_values_come_first():
    # A correct answer that works on its own copy passes; the in-place variance is refused (not passed).
    def correct_on_a_copy(params, threshold):
        params = ml.MixtureParams(*(t.clone() for t in params))
        params.scales.mul_(1.0)
        return right_prob_above(params, threshold)

    assert lesson07.check_prob_above(correct_on_a_copy).passed
    assert not lesson07.check_prob_above(prob_above_squares_in_place).passed


def test_the_checkers_own_failure_is_reported_as_its_own(monkeypatch):
    def broken_reference(*args):
        raise RuntimeError("reference broke")

    monkeypatch.setattr(lesson07, "_prob_above", broken_reference)
    result = lesson07.check_prob_above(right_prob_above)
    assert not result.passed
    assert result.problems[0].startswith("the checker itself failed: RuntimeError: reference broke")
    assert "please report this" in result.problems[0] and "your code" not in result.problems[0]


def test_a_checker_never_raises_on_strange_answers():
    strange = [object(), float("nan"), float("inf"), 10**400, -(10**400), complex(1, 2), b"5", [], {}, set()]
    strange += [torch.tensor([]), torch.tensor([1 + 2j]), np.array(["5"]), torch.zeros(2, 2, dtype=torch.bool)]
    for name, checker in CHECKERS.items():
        for answer in strange:
            for candidate in (answer, lambda *args, answer=answer: answer):
                result = checker.run(candidate)
                assert not result.passed, (name, answer)
                assert not any("checker itself failed" in p for p in result.problems), (name, answer, result.problems)


# ------------------------------------------------------------------ stored notebook outputs stay valid

STORED_STUB_MESSAGES = {
    "00 branch_count": "not attempted yet: `n_branches` is still `...`/None; fill in the exercise cell.",
    "01 average_nll": (
        "not attempted yet: the value average_nll returns is still `...`/None; fill in the exercise cell."
    ),
    "01 kl_estimate": "not attempted yet: kl_estimate is still `...`/None; fill in the exercise cell.",
    "01 unit_change": "not attempted yet: nll_change is still `...`/None; fill in the exercise cell.",
    "02 log_mixture_density": (
        "not attempted yet: the value log_mixture_density returns is still `...`/None; fill in the exercise cell."
    ),
    "02 m_step": "not attempted yet: the value m_step returns is still `...`/None; fill in the exercise cell.",
    "03 conditional_mean": "not attempted yet: conditional_mean still returns nothing; fill in its body.",
    "03 best_single_gaussian_nll": (
        "not attempted yet: `best_single_gaussian_nll` is still `...`/None; fill in the exercise cell."
    ),
    "04 mixture_from_heads": "not attempted yet: mixture_from_heads still returns nothing; fill in its body.",
    "04 log_sigma_gradient": ("not attempted yet: nll_gradient_wrt_log_sigma still returns nothing; fill in its body."),
    "05 tempered_log_weights": "not attempted yet: tempered_log_weights still returns nothing; fill in its body.",
    "05 density_threshold": "not attempted yet: density_threshold still returns nothing; fill in its body.",
    "05 lowest_nll": "not attempted yet: lowest_nll still returns nothing; fill in its body.",
    "06 elbow_angles": "not attempted yet: elbow_angles still returns nothing; fill in its body.",
    "06 elbow_up_probability": "not attempted yet: p_up is still `...`/None; fill in the exercise cell.",
    "06 elbow_up_pose": "not attempted yet: elbow_up_pose still returns nothing; fill in its body.",
    "07 true_shares": (
        "not attempted yet: the value returned by `true_shares` is still `...`/None; fill in the exercise cell."
    ),
    "07 prob_above": (
        "not attempted yet: the value returned by `prob_above` is still `...`/None; fill in the exercise cell."
    ),
}


@pytest.mark.parametrize("name", STORED_STUB_MESSAGES)
def test_the_stub_message_stored_in_the_notebooks_is_unchanged(name):
    def stub(*args):
        # TODO: the lesson's stub: a body of only `...`
        ...

    answer = stub if name in FUNCTION_CHECKERS else ...
    assert CHECKERS[name].run(answer).problems == [STORED_STUB_MESSAGES[name]]
