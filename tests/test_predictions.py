"""predictions: samples, mean, mode and quantiles of a mixture, and the calibration summaries."""

import math
from statistics import NormalDist

import pytest
import torch

import mdn_lessons as ml
from mdn_lessons import predictions
from mdn_lessons.models import MixtureParams


def mixture(weights, means, scales) -> MixtureParams:
    """A batch of one-dimensional mixtures from nested lists (N, K)."""
    weights = torch.tensor(weights, dtype=torch.float32)
    return MixtureParams(
        torch.log(weights / weights.sum(dim=1, keepdim=True)),
        torch.tensor(means, dtype=torch.float32).unsqueeze(-1),
        torch.tensor(scales, dtype=torch.float32).unsqueeze(-1),
    )


def random_mixture(n=5, k=3, d=2, seed=0) -> MixtureParams:
    g = torch.Generator().manual_seed(seed)
    return MixtureParams(
        torch.log_softmax(torch.randn(n, k, generator=g), dim=1),
        3 * torch.randn(n, k, d, generator=g),
        0.2 + torch.rand(n, k, d, generator=g),
    )


BIMODAL = mixture([[0.3, 0.7]], [[-2.0, 3.0]], [[0.5, 1.0]])


def test_mixture_mean_and_variance_match_torch_distributions():
    params = random_mixture()
    dist = params.distribution()
    torch.testing.assert_close(predictions.mixture_mean(params), dist.mean)
    torch.testing.assert_close(predictions.mixture_variance(params), dist.variance, rtol=1e-5, atol=1e-5)


def test_answers_work_on_an_mdn_output_that_requires_grad():
    torch.manual_seed(0)
    mdn = ml.MDN(1, 2, n_components=3)
    params = mdn(torch.linspace(-1, 1, 4).unsqueeze(1))
    assert params.means.requires_grad
    mean = predictions.mixture_mean(params)
    assert mean.shape == (4, 2) and not mean.requires_grad


def test_sample_shape_and_moments_match_a_known_mixture():
    g = torch.Generator().manual_seed(1)
    draws = predictions.sample(BIMODAL, n_samples=200_000, generator=g)
    assert draws.shape == (1, 200_000, 1)
    expected_mean = 0.3 * -2.0 + 0.7 * 3.0
    expected_var = 0.3 * (0.25 + 4) + 0.7 * (1 + 9) - expected_mean**2
    assert float(draws.mean()) == pytest.approx(expected_mean, abs=0.02)
    assert float(draws.var()) == pytest.approx(expected_var, rel=0.02)
    # the share of draws from the left component (all of them lie below 0.5, almost none of the right's)
    assert float((draws < 0.5).float().mean()) == pytest.approx(0.3 + 0.7 * NormalDist(3, 1).cdf(0.5), abs=0.005)


def test_sample_is_repeatable_with_a_generator():
    params = random_mixture()
    a = predictions.sample(params, 7, generator=torch.Generator().manual_seed(3))
    b = predictions.sample(params, 7, generator=torch.Generator().manual_seed(3))
    assert a.shape == (5, 7, 2)
    torch.testing.assert_close(a, b)


def test_temperature_sharpens_the_weights_and_scales():
    g = torch.Generator().manual_seed(2)
    cold = predictions.sample(BIMODAL, n_samples=100_000, temperature=0.25, generator=g)
    # weights ∝ π^(1/T): 0.3^4 / (0.3^4 + 0.7^4) of the draws come from the left component
    left_share = 0.3**4 / (0.3**4 + 0.7**4)
    assert float((cold < 0.5).float().mean()) == pytest.approx(left_share, abs=0.005)
    right = cold[cold > 0.5]
    assert float(right.std()) == pytest.approx(1.0 * math.sqrt(0.25), rel=0.03)
    hot = predictions.sample(BIMODAL, n_samples=100_000, temperature=4.0, generator=g)
    assert float(hot.std()) > float(predictions.sample(BIMODAL, 100_000, generator=g).std())


def test_very_low_temperature_draws_the_most_probable_component_mean():
    params = random_mixture(d=1)
    draws = predictions.sample(params, n_samples=3, temperature=1e-6, generator=torch.Generator().manual_seed(0))
    expected = predictions.most_probable_component_mean(params).unsqueeze(1).expand_as(draws)
    torch.testing.assert_close(draws, expected, atol=1e-2, rtol=0)


def test_most_probable_component_mean_picks_the_heaviest_component():
    params = mixture([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], [[-1.0, 0.0, 1.0], [5.0, 6.0, 7.0]], [[1.0] * 3] * 2)
    torch.testing.assert_close(predictions.most_probable_component_mean(params), torch.tensor([[0.0], [5.0]]))


def test_mixture_mode_finds_the_density_peak():
    params = BIMODAL
    mode = predictions.mixture_mode(params)
    grid = torch.linspace(-6, 8, 140_001)
    density = params.distribution().log_prob(grid.unsqueeze(1).unsqueeze(1)).squeeze(1)
    assert float(mode) == pytest.approx(float(grid[density.argmax()]), abs=1e-3)


def test_mixture_mode_of_two_overlapping_components_lies_between_their_means():
    # Two equal, strongly overlapping components make one peak halfway between them, where no mean is.
    params = mixture([[0.5, 0.5]], [[-0.5, 0.5]], [[1.0, 1.0]])
    assert float(predictions.mixture_mode(params)) == pytest.approx(0.0, abs=1e-4)
    assert abs(float(predictions.most_probable_component_mean(params))) == pytest.approx(0.5)


def test_mixture_mode_in_two_dimensions():
    params = MixtureParams(
        torch.log(torch.tensor([[0.2, 0.8]])), torch.tensor([[[0.0, 0.0], [4.0, -2.0]]]), torch.ones(1, 2, 2)
    )
    torch.testing.assert_close(predictions.mixture_mode(params), torch.tensor([[4.0, -2.0]]), atol=1e-3, rtol=0)


def test_cdf_matches_torch_at_finite_values_and_is_0_and_1_at_infinity():
    params = mixture([[0.3, 0.7]] * 3, [[-2.0, 3.0]] * 3, [[0.5, 1.0]] * 3)
    y = torch.tensor([-math.inf, 0.4, math.inf])
    cdf = predictions.mixture_cdf(params, y)
    expected_middle = 0.3 * NormalDist(-2, 0.5).cdf(0.4) + 0.7 * NormalDist(3, 1).cdf(0.4)
    torch.testing.assert_close(cdf, torch.tensor([0.0, expected_middle, 1.0]))


def test_interval_of_a_single_gaussian_is_the_normal_quantiles():
    params = mixture([[1.0], [1.0]], [[0.0], [10.0]], [[1.0], [3.0]])
    lower, upper = predictions.central_interval(params, 0.9)
    z = NormalDist().inv_cdf(0.95)
    torch.testing.assert_close(lower, torch.tensor([-z, 10 - 3 * z]))
    torch.testing.assert_close(upper, torch.tensor([z, 10 + 3 * z]))


def test_quantile_inverts_the_cdf_of_a_mixture():
    params = random_mixture(n=6, k=4, d=1)
    for p in (0.01, 0.3, 0.5, 0.97):
        q = predictions.mixture_quantile(params, p)
        torch.testing.assert_close(predictions.mixture_cdf(params, q), torch.full((6,), p), atol=1e-5, rtol=0)


def test_pit_of_data_drawn_from_the_model_is_uniform_and_covers_as_promised():
    n = 20_000
    g = torch.Generator().manual_seed(5)
    params = random_mixture(n=n, k=3, d=1, seed=4)
    y = predictions.sample(params, generator=g)[:, 0, :]
    u = predictions.mixture_cdf(params, y)
    assert predictions.ks_distance_to_uniform(u) < 1.36 / math.sqrt(n)
    fractions = predictions.coverage(params, y, levels=(0.5, 0.9))
    assert fractions[0.5] == pytest.approx(0.5, abs=0.015)
    assert fractions[0.9] == pytest.approx(0.9, abs=0.01)


def test_pit_of_an_overconfident_model_is_far_from_uniform():
    n = 5_000
    params = mixture([[1.0]] * n, [[0.0]] * n, [[1.0]] * n)
    y = 2.0 * torch.randn(n, 1, generator=torch.Generator().manual_seed(0))  # truth twice as wide
    u = predictions.mixture_cdf(params, y)
    assert predictions.ks_distance_to_uniform(u) > 0.1
    assert predictions.coverage(params, y, 0.9)[0.9] < 0.7


def test_coverage_agrees_with_counting_inside_the_central_interval():
    params = random_mixture(n=400, k=3, d=1, seed=7)
    y = predictions.sample(params, generator=torch.Generator().manual_seed(8))[:, 0, 0]
    lower, upper = predictions.central_interval(params, 0.8)
    inside = float(((y >= lower) & (y <= upper)).float().mean())
    assert predictions.coverage(params, y, [0.8])[0.8] == pytest.approx(inside, abs=1 / 400)


def test_ks_distance_of_known_samples():
    assert predictions.ks_distance_to_uniform(torch.tensor([0.5])) == pytest.approx(0.5)
    assert predictions.ks_distance_to_uniform(torch.tensor([0.25, 0.75])) == pytest.approx(0.25)
    assert predictions.ks_distance_to_uniform(torch.zeros(10)) == pytest.approx(1.0)


def _mean_of(log_weights, means, scales):
    return predictions.mixture_mean(MixtureParams(log_weights, means, scales))


@pytest.mark.parametrize(
    ("call", "error", "named"),
    [
        (lambda: predictions.mixture_mean("not params"), TypeError, "params"),
        (
            lambda: predictions.mixture_mean((torch.zeros(2, 1), torch.zeros(2, 1, 1), torch.ones(2, 1, 1))),
            TypeError,
            "params",
        ),
        (lambda: _mean_of(torch.zeros(2, 1), torch.zeros(3, 1, 1), torch.ones(3, 1, 1)), ValueError, "params.means"),
        (lambda: _mean_of(torch.zeros(2, 1), torch.zeros(2, 1, 1), torch.ones(2, 1, 2)), ValueError, "params.scales"),
        (lambda: _mean_of(torch.zeros(2, 1), torch.zeros(2, 1, 1), torch.zeros(2, 1, 1)), ValueError, "params.scales"),
        (
            lambda: _mean_of(torch.zeros(2, 2), torch.zeros(2, 2, 1), torch.ones(2, 2, 1)),
            ValueError,
            "params.log_weights",
        ),
        (lambda: _mean_of(torch.zeros(2), torch.zeros(2, 1, 1), torch.ones(2, 1, 1)), ValueError, "params.log_weights"),
        (
            lambda: predictions.mixture_mean(
                MixtureParams(torch.zeros(1, 1), torch.full((1, 1, 1), math.nan), torch.ones(1, 1, 1))
            ),
            ValueError,
            "params.means",
        ),
        (lambda: predictions.sample(BIMODAL, temperature=0), ValueError, "temperature"),
        (lambda: predictions.sample(BIMODAL, temperature=-1.0), ValueError, "temperature"),
        (lambda: predictions.sample(BIMODAL, n_samples=0), ValueError, "n_samples"),
        (lambda: predictions.sample(BIMODAL, n_samples=2.5), TypeError, "n_samples"),
        (lambda: predictions.sample(BIMODAL, generator=0), TypeError, "generator"),
        (lambda: predictions.mixture_mode(BIMODAL, iterations=0), ValueError, "iterations"),
        (lambda: predictions.central_interval(BIMODAL, 1.0), ValueError, "level"),
        (lambda: predictions.central_interval(BIMODAL, 0), ValueError, "level"),
        (lambda: predictions.central_interval(BIMODAL, "0.9"), TypeError, "level"),
        (lambda: predictions.mixture_quantile(BIMODAL, 1.5), ValueError, "probability"),
        (lambda: predictions.central_interval(random_mixture(n=1, d=2), 0.5), ValueError, "D = 1"),
        (lambda: predictions.mixture_cdf(BIMODAL, torch.zeros(2)), ValueError, "y"),
        (lambda: predictions.mixture_cdf(BIMODAL, torch.tensor([math.nan])), ValueError, "y"),
        (lambda: predictions.mixture_cdf(BIMODAL, torch.zeros(1, 2)), ValueError, "y"),
        (lambda: predictions.coverage(BIMODAL, torch.zeros(1), levels=(0.5, 1.2)), ValueError, "levels[1]"),
        (lambda: predictions.coverage(BIMODAL, torch.zeros(1), levels=()), TypeError, "levels"),
        (lambda: predictions.coverage(BIMODAL, torch.tensor([math.inf]), levels=0.5), ValueError, "y"),
        (lambda: predictions.ks_distance_to_uniform(torch.tensor([0.2, 1.5])), ValueError, "u"),
        (lambda: predictions.ks_distance_to_uniform(torch.tensor([])), ValueError, "u"),
    ],
)
def test_bad_input_raises_an_error_that_names_the_argument(call, error, named):
    with pytest.raises(error, match=named.replace("[", r"\[").replace("]", r"\]")):
        call()


# ---------------------------------------------------------------------------- the highest-density interval


def _probability_of(params: MixtureParams, pieces: torch.Tensor) -> float:
    """The exact probability of the union of disjoint pieces (M, 2) under a single mixture (N = 1), via its CDF."""
    mixture = params.mixture()
    ends = pieces.double().reshape(1, -1)  # (1, 2M): lower, upper, lower, upper, ...
    cdf = mixture.cdf64(ends)[0].reshape(-1, 2)
    return float((cdf[:, 1] - cdf[:, 0]).sum())


def test_highest_density_interval_of_a_gaussian_is_the_central_interval():
    params = mixture([[1.0]], [[1.5]], [[2.0]])
    for level in (0.5, 0.9, 0.99):
        (pieces,) = predictions.highest_density_interval(params, level)
        lower, upper = predictions.central_interval(params, level)
        assert pieces.shape == (1, 2)
        torch.testing.assert_close(pieces[0], torch.stack([lower[0], upper[0]]), atol=2e-3, rtol=0)


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9, 0.95])
def test_highest_density_interval_holds_the_level_and_leaves_out_the_gap(level):
    params = mixture([[0.5, 0.3, 0.2]], [[-4.0, 2.0, 6.0]], [[2.0, 0.6, 0.5]])
    (pieces,) = predictions.highest_density_interval(params, level)
    assert _probability_of(params, pieces) == pytest.approx(level, abs=1e-3)
    assert bool((pieces[:, 0] < pieces[:, 1]).all()) and bool((pieces[1:, 0] > pieces[:-1, 1]).all())
    # shorter than the central interval of the same level, which spans the gaps between the branches
    lower, upper = predictions.central_interval(params, level)
    assert float((pieces[:, 1] - pieces[:, 0]).sum()) < float(upper[0] - lower[0])


def test_highest_density_interval_of_separate_branches_has_one_piece_per_branch():
    params = mixture([[0.5, 0.5]], [[-10.0, 10.0]], [[1.0, 1.0]])
    (pieces,) = predictions.highest_density_interval(params, 0.9)
    assert pieces.shape == (2, 2)
    half = NormalDist().inv_cdf(0.95)  # each branch keeps its own central 90%
    expected = torch.tensor([[-10 - half, -10 + half], [10 - half, 10 + half]])
    torch.testing.assert_close(pieces, expected, atol=3e-3, rtol=0)


def test_highest_density_interval_resolves_a_narrow_branch_beside_a_wide_one():
    params = mixture([[0.9, 0.1]], [[0.0, 50.0]], [[20.0, 0.01]])
    (pieces,) = predictions.highest_density_interval(params, 0.5)
    assert _probability_of(params, pieces) == pytest.approx(0.5, abs=1e-3)
    # the spike's density (4.0) is far above the wide component's (0.018): the region starts with the spike
    assert bool(((pieces[:, 0] <= 50.0) & (pieces[:, 1] >= 50.0)).any())


def test_highest_density_interval_works_on_a_batch_and_coverage_matches_the_level():
    params = random_mixture(n=400, k=3, d=1, seed=4)
    draws = predictions.sample(params, generator=torch.Generator().manual_seed(5))[:, 0, :]
    intervals = predictions.highest_density_interval(params, 0.8)
    assert len(intervals) == 400 and all(piece.ndim == 2 and piece.shape[1] == 2 for piece in intervals)
    for index in (0, 1, 2):
        single = MixtureParams(*(t[index : index + 1] for t in params))
        assert _probability_of(single, intervals[index]) == pytest.approx(0.8, abs=1e-3)
    inside = predictions.inside_intervals(intervals, draws)
    assert inside.shape == (400,) and inside.dtype == torch.bool
    assert float(inside.float().mean()) == pytest.approx(0.8, abs=0.06)  # 3 binomial standard errors at N = 400


def test_inside_intervals_counts_the_ends_as_inside():
    intervals = [torch.tensor([[0.0, 1.0], [2.0, 3.0]]), torch.tensor([[0.0, 1.0]])]
    assert predictions.inside_intervals(intervals, torch.tensor([3.0, 1.5])).tolist() == [True, False]


@pytest.mark.parametrize(
    ("call", "error", "named"),
    [
        (lambda: predictions.highest_density_interval(BIMODAL, 1.0), ValueError, "level"),
        (lambda: predictions.highest_density_interval(BIMODAL, 0), ValueError, "level"),
        (lambda: predictions.highest_density_interval(BIMODAL, "0.9"), TypeError, "level"),
        (lambda: predictions.highest_density_interval("params", 0.9), TypeError, "params"),
        (lambda: predictions.highest_density_interval(random_mixture(n=1, d=2), 0.5), ValueError, "D = 1"),
        (lambda: predictions.inside_intervals([], torch.zeros(1)), TypeError, "intervals"),
        (lambda: predictions.inside_intervals([torch.zeros(3)], torch.zeros(1)), ValueError, r"intervals\[0\]"),
        (lambda: predictions.inside_intervals([torch.zeros(1, 2)], torch.zeros(2)), ValueError, "y"),
    ],
)
def test_highest_density_interval_bad_input_names_the_argument(call, error, named):
    with pytest.raises(error, match=named):
        call()
