"""Every exercise checker against plausible wrong answers: each is refused, and the message names the slip.

For each checker the table below holds its solution (which must pass), and wrong answers of every
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
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons import robot_arm as arm
from mdn_lessons import true_distributions as ld
from mdn_lessons.checks import lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07
from mdn_lessons.checks._core import is_stub_function
from mdn_lessons.losses import gaussian_log_prob, mixture_log_prob

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
SAVED = math.log(20) - BAYES  # y alone is uniform on [-10, 10]: NLL log 20 for a model that ignores x


def branch_count(answer):
    return lesson00.check_branch_count(3.0, answer)


def nats_saved(answer):
    return lesson00.check_nats_saved_by_x(X_TEST, Y_TEST, answer)


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


def heads_scales(scale_map):
    def heads(logits, mean_outputs, scale_outputs):
        return right_heads(logits, mean_outputs, scale_outputs)._replace(scales=scale_map(scale_outputs).unsqueeze(-1))

    return heads


def heads_in_place(logits, mean_outputs, scale_outputs):
    scale_outputs.clamp_(min=-20.0)
    return right_heads(logits, mean_outputs, scale_outputs)


def heads_forget_return(logits, mean_outputs, scale_outputs):
    right_heads(logits, mean_outputs, scale_outputs)


def right_nll(logits, means, scales, y):
    log_density = gaussian_log_prob(means, scales, y.unsqueeze(1)).sum(-1)
    return -torch.logsumexp(torch.log_softmax(logits, dim=1) + log_density, dim=1).mean()


LESSON_NLL = right_nll(*lesson04._nll_case())


def mdn_nll_forgets_return(logits, means, scales, y):
    right_nll(logits, means, scales, y)


def mdn_nll_in_place(logits, means, scales, y):
    y -= means.mean()
    return right_nll(logits, means, scales, y)


def mdn_nll_exp_sum_log(logits, means, scales, y):
    density = gaussian_log_prob(means, scales, y.unsqueeze(1)).sum(-1).exp()
    return -torch.log((torch.softmax(logits, dim=1) * density).sum(dim=1)).mean()


def mdn_nll_as_float(logits, means, scales, y):
    return float(right_nll(logits, means, scales, y).detach())


def mdn_nll_detached(logits, means, scales, y):
    return right_nll(logits, means, scales, y).detach()


def mdn_nll_calls_backward(logits, means, scales, y):
    loss = right_nll(logits, means, scales, y)
    loss.backward()
    return loss


def right_gamma(log_weights, means, scales, y):
    joint = log_weights + gaussian_log_prob(means, scales, y.unsqueeze(1)).sum(-1)
    return torch.softmax(joint, dim=1)


LESSON_GAMMA = right_gamma(*lesson04._gamma_case())


def gamma_forgets_return(log_weights, means, scales, y):
    right_gamma(log_weights, means, scales, y)


def gamma_in_place(log_weights, means, scales, y):
    scales.clamp_(min=0.6)
    return right_gamma(log_weights, means, scales, y)


def gamma_naive(log_weights, means, scales, y):
    joint = (log_weights + gaussian_log_prob(means, scales, y.unsqueeze(1)).sum(-1)).exp()
    return joint / joint.sum(dim=1, keepdim=True)


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
# The right answers are the lesson's own solution cells (tests/lesson_solutions.py).
from lesson_solutions import solution as lesson_solution  # noqa: E402

right_elbow_angles = lesson_solution("06", "elbow_angles")
right_nll_floor = lesson_solution("06", "nll_floor")
right_up_pose = lesson_solution("06", "elbow_up_pose")


def elbow_angles_without_clamp(hand):
    r2 = (hand**2).sum(dim=1)
    theta2 = torch.arccos((L1**2 + L2**2 - r2) / (2 * L1 * L2))
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


def elbow_angles_textbook_convention(hand):  # θ2 measured from straight: π minus Bishop's angle
    r2 = (hand**2).sum(dim=1)
    theta2 = torch.arccos(((r2 - L1**2 - L2**2) / (2 * L1 * L2)).clamp(-1, 1))
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


LESSON_HAND = lesson06._hand_cases()[0][1]


def elbow_angles_hard_wired(hand):
    return right_elbow_angles(LESSON_HAND)


def elbow_angles_in_place(hand):
    hand **= 2
    theta2 = torch.arccos(((L1**2 + L2**2 - hand.sum(dim=1)) / (2 * L1 * L2)).clamp(-1, 1))
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


def elbow_angles_forget_return(hand):
    right_elbow_angles(hand)


def nll_floor_forgets_return(noise_std, two_answer_share):
    right_nll_floor(noise_std, two_answer_share)


LESSON_FLOOR = right_nll_floor(*lesson06.FLOOR_CASES[0])


def gaussian_entropy(noise_std):
    return math.log(2 * math.pi * math.e * noise_std**2)  # two angles


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


def up_pose_hard_wired(params):
    return right_up_pose(PARAMS6)  # the notebook's params, not the argument


def up_pose_in_place(params):
    params.log_weights.masked_fill_(~(params.means[..., 1] < math.pi), -math.inf)
    best = params.log_weights.argmax(dim=1)
    return params.means[torch.arange(len(best)), best]


def up_pose_forgets_return(params):
    right_up_pose(params)


def up_pose_of_a_folding_arm(params):  # elbow up as θ2 > π: the arm that folds at θ2 = π
    best = params.log_weights.masked_fill(~(params.means[..., 1] > math.pi), -math.inf).argmax(dim=1)
    return params.means[torch.arange(len(best)), best]


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


# The recurrent MDN (Exercise 1) and the sample-and-feed-back loop (Exercise 2): the right answers from the lesson.
RIGHT_RECURRENT_MDN = solution("07", "RecurrentMDN")
right_sample_futures = solution("07", "sample_futures")


class BidirectionalMDN(RIGHT_RECURRENT_MDN):
    def __init__(self, n_components, hidden_size):
        super().__init__(n_components, hidden_size)
        self.rnn = torch.nn.GRU(1, hidden_size, batch_first=True, bidirectional=True)
        self.head = ml.models.MixtureHead(2 * hidden_size, n_components, 1)


class TimeFirstMDN(RIGHT_RECURRENT_MDN):  # batch_first left at its default
    def __init__(self, n_components, hidden_size):
        super().__init__(n_components, hidden_size)
        self.rnn = torch.nn.GRU(1, hidden_size)


class WeightsNotLogsMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        params, state = super().forward(x, state)
        return params._replace(log_weights=params.log_weights.exp()), state


class SoftmaxOverTimeMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        params, state = super().forward(x, state)
        return params._replace(log_weights=torch.log_softmax(params.log_weights, dim=1)), state


class NoFeatureAxisMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        params, state = super().forward(x, state)
        return ml.MixtureParams(params.log_weights, params.means[..., 0], params.scales[..., 0]), state


class ForgetsStateMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        features, state = self.rnn(x)  # the state passed in is ignored
        return self.head(features), state


class OneStepBehindMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        return super().forward(torch.cat([torch.zeros_like(x[:, :1]), x[:, :-1]], dim=1), state)


class WholeSequenceMeanMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        return super().forward(x - x.mean(dim=1, keepdim=True), state)


class LastStepOnlyMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        features, state = self.rnn(x, state)
        return self.head(features[:, -1]), state


class ParamsOnlyMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        return super().forward(x, state)[0]


class ExpScalesWithoutFloorMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        params, state = super().forward(x, state)
        return params._replace(scales=params.scales - params.scales.detach().max() - 1.0), state


class DetachedMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        with torch.no_grad():
            return super().forward(x, state)


class FixedKMDN(RIGHT_RECURRENT_MDN):  # hard-wired to the lesson's K = 5
    def __init__(self, n_components, hidden_size):
        super().__init__(5, hidden_size)


class ForgetsReturnMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        super().forward(x, state)


class ScalesInputInPlaceMDN(RIGHT_RECURRENT_MDN):
    def forward(self, x, state=None):
        x /= 0.25  # the caller's x changes
        return super().forward(x, state)


def _loop(read_back, carry_state=True, draw_from=-1):
    """A generation loop with one thing changed: what it reads back, whether it keeps the state, which mixture."""

    def loop(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
        with torch.no_grad():
            params, state = model(warmup.expand(n_samples, -1, -1))
            futures = []
            for _ in range(n_steps):
                mixture = ml.MixtureParams(*(part[:, draw_from] for part in params)).mixture()
                value = mixture.sample(1, temperature, generator)[:, 0]
                futures.append(value)
                params, state = model(read_back(value, mixture, warmup)[:, None], state if carry_state else None)
        return torch.stack(futures, dim=1)

    return loop


restarts_the_state = _loop(lambda value, mixture, warmup: value, carry_state=False)
reads_back_the_mean = _loop(lambda value, mixture, warmup: mixture.mean())
reads_back_the_warm_up = _loop(lambda value, mixture, warmup: warmup[-1].expand_as(value))
draws_from_the_first_step = _loop(lambda value, mixture, warmup: value, draw_from=0)


def sample_futures_at_temperature_one(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
    return right_sample_futures(model, warmup, n_steps, n_samples, 1.0, generator)


def sample_futures_with_the_warm_up(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
    futures = right_sample_futures(model, warmup, n_steps, n_samples, temperature, generator)
    return torch.cat([warmup.expand(n_samples, -1, -1), futures], dim=1)


def sample_futures_forgets_return(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
    right_sample_futures(model, warmup, n_steps, n_samples, temperature, generator)


def sample_futures_hard_wired(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
    return torch.zeros(4, 6, 1)  # the first case's shape, whatever is asked


def sample_futures_edits_the_warm_up(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
    futures = right_sample_futures(model, warmup, n_steps, n_samples, temperature, generator)
    warmup[-1] = futures[0, -1]  # the caller's warm-up changes
    return futures


# -------------------------------------------------------------------------------------------- the table

CHECKERS = {
    "00 branch_count": Checker(branch_count, 5),
    "00 nats_saved_by_x": Checker(nats_saved, SAVED),
    "01 average_nll": Checker(lesson01.check_average_nll, right_average_nll),
    "01 kl_estimate": Checker(lesson01.check_kl_estimate, kl_estimate_with(Q_POOR)),
    "01 unit_change": Checker(lesson01.check_unit_change, math.log(100)),
    "02 log_mixture_density": Checker(lesson02.check_log_mixture_density, right_log_density),
    "02 m_step": Checker(lesson02.check_m_step, right_m_step),
    "03 conditional_mean": Checker(lesson03.check_conditional_mean, right_conditional_mean),
    "03 best_single_gaussian_nll": Checker(best_single_gaussian, best_nll()),
    "04 mixture_from_heads": Checker(lesson04.check_mixture_from_heads, right_heads),
    "04 mixture_nll": Checker(lesson04.check_mixture_nll, right_nll),
    "04 responsibilities": Checker(lesson04.check_responsibilities, right_gamma),
    "05 density_threshold": Checker(lesson05.check_density_threshold, right_threshold),
    "05 tempered_log_weights": Checker(lesson05.check_tempered_log_weights, right_tempered),
    "05 lowest_nll": Checker(lesson05.check_lowest_nll, right_lowest_nll),
    "06 elbow_angles": Checker(lesson06.check_elbow_angles, right_elbow_angles),
    "06 nll_floor": Checker(lesson06.check_nll_floor, right_nll_floor),
    "06 elbow_up_pose": Checker(lambda answer: lesson06.check_elbow_up_pose(answer, PARAMS6), right_up_pose),
    "07 true_shares": Checker(lesson07.check_true_shares, right_true_shares),
    "07 prob_above": Checker(lesson07.check_prob_above, right_prob_above),
    "07 recurrent_mdn": Checker(lesson07.check_recurrent_mdn, RIGHT_RECURRENT_MDN),
    "07 sample_futures": Checker(lesson07.check_sample_futures, right_sample_futures),
}

FUNCTION_CHECKERS = [name for name, checker in CHECKERS.items() if callable(checker.solution)]
VALUE_CHECKERS = [name for name in CHECKERS if name not in FUNCTION_CHECKERS]

NONE_RETURNERS = {
    "01 average_nll": nll_forgets_return,
    "02 log_mixture_density": density_forgets_return,
    "02 m_step": m_step_forgets_return,
    "03 conditional_mean": conditional_mean_forgets_return,
    "04 mixture_from_heads": heads_forget_return,
    "04 mixture_nll": mdn_nll_forgets_return,
    "04 responsibilities": gamma_forgets_return,
    "05 density_threshold": threshold_forgets_return,
    "05 tempered_log_weights": tempered_forgets_return,
    "05 lowest_nll": lowest_nll_forgets_return,
    "06 elbow_angles": elbow_angles_forget_return,
    "06 nll_floor": nll_floor_forgets_return,
    "06 elbow_up_pose": up_pose_forgets_return,
    "07 true_shares": shares_forget_return,
    "07 prob_above": prob_above_forgets_return,
    "07 recurrent_mdn": ForgetsReturnMDN,
    "07 sample_futures": sample_futures_forgets_return,
}

HARD_WIRED = {  # functions that answer the lesson's visible example whatever they are given
    "01 average_nll": (lambda y, m, s: right_average_nll(*FIRST_NLL_CASE), "same number as for another case"),
    "02 log_mixture_density": (density_with_notebook_globals, "not of the mixture passed in"),
    "02 m_step": (lambda y, r: LESSON_M_STEP, "right on the lesson's data"),
    "03 conditional_mean": (lambda x, y, x0, w: LESSON_CONDITIONAL_MEAN, "same number as for another window"),
    "04 mixture_from_heads": (lambda a, b, c: LESSON_HEADS, "should have shape (25, 3)"),
    "04 mixture_nll": (lambda lg, m, s, y: LESSON_NLL.clone().requires_grad_(), "no grad_fn"),
    "04 responsibilities": (lambda lw, m, s, y: LESSON_GAMMA, "should have shape (8, 4)"),
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
    "06 nll_floor": (lambda noise_std, share: LESSON_FLOOR, "same number as for another case"),
    "06 elbow_up_pose": (up_pose_hard_wired, "does it use its arguments"),
    "07 true_shares": (lambda n, p, h: right_true_shares(16, 0.7, 0.2), "same shares as for another case"),
    "07 prob_above": (lambda params, t: LESSON_PROBS, "use the argument params"),
    "07 recurrent_mdn": (FixedKMDN, "K comes from the argument n_components"),
    "07 sample_futures": (sample_futures_hard_wired, "it never called the model"),
}

IN_PLACE = {
    "01 average_nll": (nll_in_place, "changed its argument y in place"),
    "02 log_mixture_density": (density_in_place, "changed its argument y in place"),
    "02 m_step": (m_step_in_place, "changed its argument resp in place"),
    "03 conditional_mean": (conditional_mean_in_place, "changed its argument x in place"),
    "04 mixture_from_heads": (heads_in_place, "changed its argument scale_outputs in place"),
    "04 mixture_nll": (mdn_nll_in_place, "changed its argument y in place"),
    "04 responsibilities": (gamma_in_place, "changed its argument scales in place"),
    "05 tempered_log_weights": (tempered_in_place, "changed its argument log_weights in place"),
    "05 density_threshold": (threshold_in_place, "changed its argument density in place"),
    "05 lowest_nll": None,  # numbers cannot be changed in place
    "06 elbow_angles": (elbow_angles_in_place, "changed its argument hand in place"),
    "06 nll_floor": None,  # plain numbers: nothing to change in place
    "06 elbow_up_pose": (up_pose_in_place, "changed its argument params.log_weights in place"),
    "07 true_shares": None,  # plain numbers again
    "07 prob_above": (prob_above_squares_in_place, "changed its argument params.scales in place"),
    "07 recurrent_mdn": (ScalesInputInPlaceMDN, "changed its argument x in place"),
    "07 sample_futures": (sample_futures_edits_the_warm_up, "changed its argument warmup in place"),
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
    "00 nats_saved_by_x": [
        (-SAVED, "wrong sign"),
        (math.log(20), "NLL of the model that ignores x"),
        (BAYES, "the Bayes limit itself"),
        (math.log(20) + BAYES, "adds the two NLLs"),
        (-math.log(20) - BAYES, "wrong sign"),
        (math.log(10) - BAYES, "a width of 10"),
        (math.log10(20) - BAYES, "log₁₀"),
        (1 / 20 - BAYES, "density 1/20 itself"),
        (math.log(20) - BAYES_TRAIN, "training points"),
        (SAVED - 0.05, "trained model's NLL"),
        (1.7, "within 0.01"),
        ("1.67", "without quotes"),
        (lambda: SAVED, "not a function"),
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
        (heads_scales(lambda c: c), "raw outputs themselves"),
        (heads_scales(lambda c: c.abs() + 1e-3), "does not grow with the raw output"),
        (heads_scales(lambda c: torch.sigmoid(c)), "bounded map"),
        (heads_scales(lambda c: F.softplus(c) + 0.1), "floor that large"),
        (heads_scales(lambda c: torch.exp(4 * c)), "inf or NaN"),
        (lambda a, b, c: right_heads(a, b, c)._replace(log_weights=torch.log(torch.softmax(a, 1))), "underflows"),
        (lambda a, b, c: right_heads(a, b, c)._replace(log_weights=torch.log_softmax(a, 0)), "dim=0"),
        (lambda a, b, c: right_heads(a, b, c)._replace(log_weights=torch.softmax(a, 1)), "weights π themselves"),
        (lambda a, b, c: right_heads(a, b, c)._replace(means=b), "unsqueeze"),
        (lambda a, b, c: {"log_weights": a}, "three tensors"),
    ],
    "04 mixture_nll": [
        (lambda *args: right_nll(*args) * len(args[3]), "sums over the samples"),
        (lambda *args: -right_nll(*args), "wrong sign"),
        (lambda *args: right_nll(*args) - LOG_SQRT_2PI, "½·log(2π)"),
        (
            lambda lg, m, s, y: -mixture_log_prob(torch.log(torch.softmax(lg, 1)), m, s, y).mean(),
            "log(softmax(...)) underflows",
        ),
        (lambda lg, m, s, y: -mixture_log_prob(lg, m, s, y).mean(), "raw logits as log-weights"),
        (lambda lg, m, s, y: -mixture_log_prob(torch.zeros_like(lg), m, s, y).mean(), "leaves out the weights"),
        (
            lambda lg, m, s, y: (
                -torch.logsumexp(
                    torch.log_softmax(lg, 1) + gaussian_log_prob(m, s, y.unsqueeze(1)).sum(-1), dim=0
                ).mean()
            ),
            "over the N samples (dim=0)",
        ),
        (lambda lg, m, s, y: right_nll(lg, m, s * s, y), "expected"),
        (mdn_nll_exp_sum_log, "torch.logsumexp"),
        (mdn_nll_as_float, "returned a float"),
        (mdn_nll_detached, "no grad_fn"),
        (mdn_nll_calls_backward, "call .backward() itself"),
        (lambda lg, m, s, y: right_nll(lg, m.detach(), s, y), "no gradient reaches means"),
    ],
    "04 responsibilities": [
        (gamma_naive, "0/0 is NaN"),
        (lambda lw, m, s, y: right_gamma(lw, m, s, y).log(), "holds log γ"),
        (lambda lw, m, s, y: lw.exp() - right_gamma(lw, m, s, y), "is π - γ"),
        (lambda lw, m, s, y: right_gamma(torch.zeros_like(lw), m, s, y), "leaves out the weights"),
        (
            lambda lw, m, s, y: torch.softmax(lw + gaussian_log_prob(m, s, y.unsqueeze(1)).sum(-1), dim=0),
            "normalised over the N samples",
        ),
        (lambda lw, m, s, y: right_gamma(lw, m, s, y)[:, :-1], "should have shape"),
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
        (elbow_angles_without_clamp, "Clamp it"),
        (elbow_angles_textbook_convention, "opposite sign"),
        (lambda hand: torch.rad2deg(right_elbow_angles(hand)), "degrees"),
        (lambda hand: right_elbow_angles(hand).flip(1), "swapped"),
        (lambda hand: torch.stack([right_elbow_angles(hand)[:, 0], -right_elbow_angles(hand)[:, 0]], 1), "-θ2"),
        (lambda hand: right_elbow_angles(hand).numpy(), "should be a torch tensor"),
    ],
    "06 nll_floor": [
        (lambda s, p: gaussian_entropy(s), "equally likely answers is missing"),
        (lambda s, p: gaussian_entropy(s) + math.log(2), "given share only"),
        (lambda s, p: gaussian_entropy(s) / 2 + p * math.log(2), "counts one angle"),
        (lambda s, p: math.log(2 * math.pi * s**2) + p * math.log(2), "log-density at the centre"),
        (lambda s, p: math.log(2 * math.pi * math.e * s) + p * math.log(2), "log σ², not log σ"),
        (lambda s, p: -right_nll_floor(s, p), "sign is flipped"),
        (lambda s, p: right_nll_floor(s, p) / math.log(2), "in bits"),
        (lambda s, p: str(right_nll_floor(s, p)), "should be a number, got str"),
    ],
    "06 elbow_up_pose": [
        (lambda p: p.means[torch.arange(len(p.means)), p.log_weights.argmax(dim=1)], "heaviest component overall"),
        (up_pose_of_a_folding_arm, "heaviest elbow-DOWN component"),
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
    "07 recurrent_mdn": [
        (BidirectionalMDN, "may not look ahead"),
        (WholeSequenceMeanMDN, "statistics over the whole sequence"),
        (TimeFirstMDN, "batch_first=True"),
        (WeightsNotLogsMDN, "not their logs: use torch.log_softmax"),
        (SoftmaxOverTimeMDN, "torch.log_softmax(logits, dim=-1)"),
        (NoFeatureAxisMDN, "`.unsqueeze(-1)`"),
        (LastStepOnlyMDN, "apply the head to the hidden state of every step"),
        (ParamsOnlyMDN, "should return a pair (params, state)"),
        (ForgetsStateMDN, "Pass `state` to the recurrent layer"),
        (OneStepBehindMDN, "not one step behind"),
        (ExpScalesWithoutFloorMDN, "a σ must be positive"),
        (DetachedMDN, "training could not change them"),
        (RIGHT_RECURRENT_MDN(5, 16), "pass the class itself"),
    ],
    "07 sample_futures": [
        (restarts_the_state, "restarted the hidden state"),
        (reads_back_the_mean, "reads back its own sample"),
        (reads_back_the_warm_up, "reads back its own sample"),
        (draws_from_the_first_step, "params[:, -1]"),
        (sample_futures_at_temperature_one, "ignores the temperature"),
        (sample_futures_with_the_warm_up, "not the warm-up"),
        (lambda *args: "futures", "should be a torch tensor"),
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
    assert len(CHECKERS) == 22
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
        ("00 nats_saved_by_x", 1.67),  # log 20 = 3.00 minus the printed "Bayes limit: 1.33 nats"
        ("00 nats_saved_by_x", np.array([SAVED])),
        ("00 nats_saved_by_x", torch.tensor([SAVED])),
        ("01 kl_estimate", np.float32(kl_estimate_with(Q_POOR))),
        ("01 kl_estimate", ld.kl_divergence(P1, Q_POOR)),
        ("01 unit_change", 4.6),  # worked out on paper: log 100 = 4.605...
        ("01 unit_change", 4.61),
        ("01 unit_change", np.array([math.log(100)])),
        ("03 best_single_gaussian_nll", torch.tensor([best_nll()])),
        ("04 mixture_nll", lambda lg, m, s, y: ml.mixture_nll(torch.log_softmax(lg, 1), m, s, y)),
        ("04 mixture_from_heads", heads_scales(lambda c: torch.exp(c) + 1e-3)),
        ("04 responsibilities", lambda lw, m, s, y: right_gamma(lw.double(), m.double(), s.double(), y.double())),
        ("06 nll_floor", lambda s, p: torch.tensor(right_nll_floor(s, p))),
        ("06 nll_floor", lambda s, p: np.float32(right_nll_floor(s, p))),
        ("07 true_shares", lambda n, p, h: torch.tensor(right_true_shares(n, p, h))),
        ("07 true_shares", lambda n, p, h: np.array(right_true_shares(n, p, h))),
        ("07 true_shares", lambda n, p, h: list(right_true_shares(n, p, h))),
        ("07 prob_above", lambda params, t: tuple(right_prob_above(params, t).tolist())),
        ("07 prob_above", lambda params, t: right_prob_above(params, t).double()),
        ("07 recurrent_mdn", lesson07.ReferenceRecurrentMDN),
        ("07 sample_futures", lambda *args: right_sample_futures(*args).double()),
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
        c = ((L1**2 + L2**2 - r2) / (2 * L1 * L2)).clamp(-1, 1)
        theta2 = torch.atan2((1 - c**2).sqrt(), c)
        return torch.stack([theta2, 2 * math.pi - theta2], dim=1).float()

    assert lesson06.check_elbow_angles(float64).passed
    assert lesson06.check_elbow_angles(by_atan2).passed


def test_the_straight_arm_is_among_the_cases_and_gives_nan_without_a_clamp():
    hand = lesson06._hand_cases()[1][1][-2:]  # two targets a hair beyond full stretch
    cos_theta2 = (L1**2 + L2**2 - (hand**2).sum(dim=1)) / (2 * L1 * L2)
    assert bool((cos_theta2 < -1).all())
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


def test_a_forgotten_return_in_the_nll_is_named():
    problem = lesson04.check_mixture_nll(mdn_nll_forgets_return).problems[0]
    assert "returned None" in problem and "`return`" in problem


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
    assert "within 0.01" in nats_saved(1.7).problems[0]
    assert "within 2e-05" in best_single_gaussian(2.826).problems[0]
    assert "within 0.006" in lesson01.check_kl_estimate(0.69).problems[0]


def test_the_lessons_variable_is_named():
    assert "`nats_saved_by_x`" in nats_saved(...).problems[0]
    assert "nats_saved_by_x" in nats_saved(SAVED + 0.5).problems[0]


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
    "01 average_nll": "not attempted yet: average_nll still returns nothing; fill in its body.",
    "01 kl_estimate": "not attempted yet: kl_estimate is still `...`/None; fill in the exercise cell.",
    "01 unit_change": "not attempted yet: nll_change is still `...`/None; fill in the exercise cell.",
    "02 log_mixture_density": "not attempted yet: log_mixture_density still returns nothing; fill in its body.",
    "02 m_step": "not attempted yet: m_step still returns nothing; fill in its body.",
    "03 conditional_mean": "not attempted yet: conditional_mean still returns nothing; fill in its body.",
    "03 best_single_gaussian_nll": "not attempted yet: best_single_gaussian_nll is still `...`; fill it in.",
    "04 mixture_from_heads": "not attempted yet: mixture_from_heads still returns nothing; fill in its body.",
    "04 mixture_nll": "not attempted yet: mixture_nll still returns nothing; fill in its body.",
    "04 responsibilities": "not attempted yet: responsibilities still returns nothing; fill in its body.",
    "05 tempered_log_weights": "not attempted yet: tempered_log_weights still returns nothing; fill in its body.",
    "05 density_threshold": "not attempted yet: density_threshold still returns nothing; fill in its body.",
    "05 lowest_nll": "not attempted yet: lowest_nll still returns nothing; fill in its body.",
    "06 elbow_angles": "not attempted yet: elbow_angles still returns nothing; fill in its body.",
    "06 nll_floor": "not attempted yet: nll_floor still returns nothing; fill in its body.",
    "06 elbow_up_pose": "not attempted yet: elbow_up_pose still returns nothing; fill in its body.",
    "07 true_shares": (
        "not attempted yet: the value returned by `true_shares` is still `...`/None; fill in the exercise cell."
    ),
    "07 prob_above": (
        "not attempted yet: the value returned by `prob_above` is still `...`/None; fill in the exercise cell."
    ),
    "07 recurrent_mdn": (
        "not attempted yet: `RecurrentMDN` is still `...` or its methods are; fill in the exercise cell."
    ),
    "07 sample_futures": "not attempted yet: sample_futures still returns nothing; fill in its body.",
}


@pytest.mark.parametrize("name", STORED_STUB_MESSAGES)
def test_the_stub_message_stored_in_the_notebooks_is_unchanged(name):
    def stub(*args):
        # TODO: the lesson's stub: a body of only `...`
        ...

    answer = stub if name in FUNCTION_CHECKERS else ...
    assert CHECKERS[name].run(answer).problems == [STORED_STUB_MESSAGES[name]]
