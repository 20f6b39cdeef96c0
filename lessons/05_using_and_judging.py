# %% [markdown]
# # 05 · Using and judging an MDN
#
# *About 45 minutes.*
#
# A Mixture Density Network (MDN) predicts a whole conditional density $p(y \mid x)$ instead of one number. This
# lesson turns that density into the answers an application needs (samples, the mode, the mean, intervals), then
# judges it on held-out data (its negative log-likelihood against the best possible, the number of components,
# calibration). It ends with three training failures that belong to MDNs, each reproduced on purpose and fixed.
#
# ## Learning objectives
#
# - Reduce a density to samples (with a temperature), the mode, the most probable component's mean, the mean, or
#   an interval (central or shortest), and say which one an application needs.
# - Show that the mixture mean $\sum_k \pi_k \mu_k$ is the answer of lesson 03's MSE net, and see where it falls.
# - Judge an MDN on held-out data: the NLL against the Bayes limit (and what its sign says), $K$ chosen on a
#   validation set and reported on a test set, a PIT histogram and coverage.
# - Reproduce a learning rate too high, σ collapse on repeated values and crowded starts, and name the part of
#   the course's recipe that prevents each.

# %% [markdown] tags=["exercise"]
# ## Setup

# %%
import math

import matplotlib.pyplot as plt
import torch

import mdn_lessons as ml
from mdn_lessons import conditional, predictions

rng = ml.start_lesson(seed=0)

# %% tags=["solution"]
import math

import torch

import mdn_lessons as ml
from mdn_lessons import predictions

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## 1 · Three data sets and one MDN
#
# We keep the inverted sine of lessons 03 and 04: $y$ uniform on $[-10, 10]$ and
# $x = 7\sin(0.75\,y) + 0.5\,y + \varepsilon$ with $\varepsilon \sim \mathcal N(0, 1)$; the task is to predict $y$
# from $x$. Judging a model honestly takes **three independent data sets** from the same process:
#
# - a **training** set, to fit the network's weights;
# - a **validation** set, to choose settings such as the number of components $K$;
# - a **test** set, used once at the end to report how good the chosen model is.

# %%
NOISE = 1.0
x_train, y_train = ml.data.inverted_sine(n=3000, noise=NOISE, seed=1)
x_val, y_val = ml.data.inverted_sine(n=2000, noise=NOISE, seed=2)
x_test, y_test = ml.data.inverted_sine(n=5000, noise=NOISE, seed=3)
print(f"training {len(x_train)}, validation {len(x_val)}, test {len(x_test)} samples")

# %% [markdown]
# Every MDN in this lesson is `ml.MDN` trained by `ml.fit` with the course's recipe, in a short run of 300 steps
# (section 3 measures how close that gets to the best possible). We start with $K = 8$ components.

# %%
STEPS = 300  # a short run of the course recipe


def train_mdn(n_components, targets=y_train, **options):
    """ml.MDN with K = n_components (and any of its options), fitted to (x_train, targets) for STEPS steps."""
    torch.manual_seed(n_components)
    model = ml.MDN(1, 1, n_components=n_components, **options)
    ml.fit(model, x_train, targets, steps=STEPS, seed=0)
    return model


def nll(model, x, y):
    """Mean negative log-likelihood of the pairs (x, y) under the model, in nats."""
    with torch.no_grad():
        return float(-model.log_prob(x, y).mean())


mdn = train_mdn(8)
x_grid = torch.linspace(-12, 12, 241).unsqueeze(1)  # inputs to draw along, shape (241, 1)

# %% [markdown]
# ## 2 · From a density to answers
#
# For one input $x$ the MDN gives weights $\pi_k$, means $\mu_k$ and scales $\sigma_k$, and so the density
#
# $$
# p(y \mid x) = \sum_{k=1}^{K} \pi_k(x)\, \mathcal N\big(y;\ \mu_k(x), \sigma_k(x)^2\big).
# $$
#
# An application rarely wants a density; it wants something smaller. `mdn_lessons.predictions` computes the usual
# reductions from the `MixtureParams` an MDN returns:
#
# | reduction | definition | function |
# |---|---|---|
# | samples | pick $k$ with probability $\pi_k$, then draw $y \sim \mathcal N(\mu_k, \sigma_k^2)$ | `sample` |
# | the mode | $\arg\max_y\, p(y \mid x)$, the single most probable value | `mixture_mode` |
# | the most probable component's mean | $\mu_{k^*}$ with $k^* = \arg\max_k \pi_k$ | `most_probable_component_mean` |
# | the mean | $\mathbb E[y \mid x] = \sum_k \pi_k \mu_k$ | `mixture_mean` |
# | a central interval | from the $(1-\ell)/2$ to the $(1+\ell)/2$ quantile: probability $\ell$ | `central_interval` |
# | the shortest region | the $y$ of highest density that together hold probability $\ell$ | `highest_density_interval` |
#
# The mode has no formula; `mixture_mode` climbs the density from every component mean and keeps the highest point.
#
# ### Mode, most probable component, mean
#
# The three single answers agree for one Gaussian. To see them differ, take a density whose branches differ in
# weight and in width: the $p(y \mid x)$ at one input of some process, built by hand from three components, a broad
# and common outcome, a sharp and less common one, and a rare one.

# %% tags=["exercise"]
HAND = ml.MixtureParams(  # one mixture (N = 1) of K = 3 components over one feature (D = 1)
    torch.log(torch.tensor([[0.5, 0.3, 0.2]])),  # log_weights (1, 3)
    torch.tensor([[[-4.0], [2.0], [6.0]]]),  # means (1, 3, 1)
    torch.tensor([[[2.0], [0.6], [0.5]]]),  # scales (1, 3, 1)
)

# %%
hand_answers = {
    "mean": predictions.mixture_mean(HAND),
    "most probable component's mean": predictions.most_probable_component_mean(HAND),
    "mode": predictions.mixture_mode(HAND),
}
for name, value in hand_answers.items():
    print(f"{name:31s} y = {float(value):5.2f}   density there {float(HAND.mixture().log_prob(value).exp()):.3f}")

LEVEL = 0.8
lower, upper = predictions.central_interval(HAND, LEVEL)
(shortest,) = predictions.highest_density_interval(HAND, LEVEL)  # (M, 2): one row [lower, upper] per piece
print(f"central {LEVEL:.0%} interval  [{float(lower):.2f}, {float(upper):.2f}]")
print(f"shortest {LEVEL:.0%} region   " + " and ".join(f"[{a:.2f}, {b:.2f}]" for a, b in shortest.tolist()))

# %%
draws = predictions.sample(HAND, n_samples=4000, generator=torch.Generator().manual_seed(0))[0, :, 0]
y_hand = torch.linspace(-12, 10, 441)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.3), sharey=True)
left.hist(draws.numpy(), bins=66, range=(-12, 10), density=True, color="0.8", label="4000 samples")
ml.plots.answers_on_density(HAND, y_hand, hand_answers, ax=left, title="Three single answers")
regions = {f"shortest {LEVEL:.0%}": shortest, f"central {LEVEL:.0%}": torch.stack([lower, upper], dim=1)}
ml.plots.regions_on_density(HAND, y_hand, regions, ax=right, title="Two regions holding 80%")
plt.show()

# %% [markdown]
# - The **most probable component** is the broad one at $-4$: it has the largest weight, 0.5, but spreads it thinly.
# - The **mode** is at 2, on the sharp component: its weight is only 0.3, but its peak is twice as high. It is the
#   single most probable value; the samples pile up highest there.
# - The **mean** lies between the outcomes, where the density is less than a tenth of the mode's: it balances the
#   outcomes but is itself an unlikely value.
#
# Intervals have the same problem. The **central interval** is one piece by construction, from the 10% to the 90%
# quantile, so it runs across the dips between the outcomes. The **shortest region** that holds the same 80% keeps
# only the values of highest density: one piece per outcome, together about two thirds as long, with the dips and
# the tails left out.
#
# ### Exercise 1: the height of the shortest region
#
# The shortest region holding probability $\ell$ is the set of $y$ where the density is above some height $h$:
# $\{y : p(y) \ge h\}$. Why that shape? (Think about how much probability a short piece of length $dy$ around $y$
# holds.) Given a density on an evenly spaced grid, find $h$: write `density_threshold(density, spacing, level)`,
# which returns the height $h$ for which the grid points with density $\ge h$ hold probability `level`. Each grid
# point holds probability density × spacing. `predictions.highest_density_interval` does the same on a finer,
# uneven grid and then reads the pieces off where the density crosses $h$.

# %% [markdown] tags=["solution"]
# ## Exercise 1: the height of the shortest region
#
# A piece of length $dy$ around $y$ holds about $p(y)\,dy$ of probability. To collect $\ell$ in the least length,
# take the densest values first: each unit of length then brings as much probability as any could. So sort the grid
# points from the highest density down, add up their probabilities, and stop when the total reaches $\ell$; the
# density where you stop is $h$. Any other region of probability $\ell$ swaps some of these points for less dense
# ones, and needs more length to hold the same probability.


# %% tags=["stub"]
def density_threshold(density, spacing, level):
    """The height h for which the grid points with density >= h hold probability `level`.

    density: (G,) values of a density on an even grid `spacing` apart, covering nearly all its probability;
    level: a number in (0, 1). Returns h, a number.
    """
    ...  # TODO: find h


# %% tags=["solution"]
def density_threshold(density, spacing, level):
    """The height h for which the grid points with density >= h hold probability `level`.

    density: (G,) values of a density on an even grid `spacing` apart, covering nearly all its probability;
    level: a number in (0, 1). Returns h, a number.
    """
    ordered = density.sort(descending=True).values  # the densest points first
    held = torch.cumsum(ordered * spacing, dim=0)  # the probability held by the densest 1, 2, 3, ... points
    enough = int(torch.searchsorted(held, torch.tensor(level, dtype=held.dtype)))  # first total >= level
    return float(ordered[min(enough, len(ordered) - 1)])


# %% [markdown] tags=["solution"]
# On the hand-built mixture, the density at the ends of the pieces that `predictions.highest_density_interval`
# finds is the same height:

# %% tags=["solution"]
y_fine = torch.linspace(-14, 10, 4801)  # an even grid that holds all but a tiny part of the probability
hand_density = HAND.mixture().log_prob(y_fine.unsqueeze(1)).exp()  # (4801,)
h = density_threshold(hand_density, float(y_fine[1] - y_fine[0]), 0.8)
(shortest,) = predictions.highest_density_interval(HAND, 0.8)
ends = HAND.mixture().log_prob(shortest.reshape(-1, 1)).exp()
print(f"density_threshold: h = {h:.4f}")
print(f"density at the ends of the shortest region: {[round(v, 4) for v in ends.tolist()]}")

# %% tags=["exercise"]
result = ml.checks.lesson05.check_density_threshold(density_threshold)

# %% [markdown]
# ### The MDN on the inverted sine
#
# Back to the MDN. On the inverted sine the branches differ in weight, but not in height: the noise is the same
# everywhere, so $p(y \mid x) \propto \mathcal N\big(x;\ \mathrm{wave}(y), 1\big)$ reaches the same peak on every
# branch that crosses $x$. The true density at $x = 2$ shows it:

# %%
y_fine = torch.linspace(-10, 10, 2001)
true_at_2 = ml.data.inverted_sine_log_prob(torch.full((2001, 1), 2.0), y_fine, noise=NOISE).exp()
tops = torch.cat([torch.tensor([False]), (true_at_2[1:-1] > true_at_2[:-2]) & (true_at_2[1:-1] >= true_at_2[2:])])
print("x = 2, branch tops at y  ", " ".join(f"{v:6.2f}" for v in y_fine[:-1][tops].tolist()))
print("true density at the tops ", " ".join(f"{v:6.3f}" for v in true_at_2[:-1][tops].tolist()))

# %% [markdown]
# So on these data the true mode is an exact tie between the branches, and an MDN's mode lands on whichever branch
# its fit makes a little higher. Lesson 03 showed that a net trained with mean squared error (MSE) learns the
# conditional mean $\mathbb E[y \mid x]$. The mean of a mixture is, by linearity of the integral,
#
# $$
# \mathbb E[y \mid x] = \int y \sum_k \pi_k\, \mathcal N(y; \mu_k, \sigma_k^2)\, dy
# = \sum_k \pi_k \int y\, \mathcal N(y; \mu_k, \sigma_k^2)\, dy = \sum_k \pi_k \mu_k ,
# $$
#
# so an MDN that fits $p(y \mid x)$ well contains the MSE net's answer. Check it three ways on the same inputs: the
# MDN's mixture mean, an `ml.MLP` trained with MSE on the same training set, and the conditional mean estimated with
# no model at all, by averaging $y$ in bins of $x$ over 200 000 fresh samples (`conditional.binned_mean`, lesson 03).

# %%
torch.manual_seed(0)
mse_net = ml.MLP(1, 1, hidden=(64, 64))
ml.fit(mse_net, x_train, y_train, steps=STEPS, seed=0)

x_many, y_many = ml.data.inverted_sine(n=200_000, noise=NOISE, seed=4)
binned = conditional.binned_mean(x_many, y_many, bins=48, x_range=(-12, 12))
centres = torch.tensor(binned.centres, dtype=torch.float32).unsqueeze(1)  # (48, 1): the middle of each bin
binned_means = torch.tensor(binned.means, dtype=torch.float32)
with torch.no_grad():
    mdn_mean, mse_answer = predictions.mixture_mean(mdn(centres))[:, 0], mse_net(centres)[:, 0]


def rms(a, b):
    return float(((a - b) ** 2).mean().sqrt())


print(f"RMS difference over {len(centres)} bins of x:")
print(f"  MDN mixture mean vs MSE net      {rms(mdn_mean, mse_answer):.2f}")
print(f"  MDN mixture mean vs binned mean  {rms(mdn_mean, binned_means):.2f}")
print(f"  MSE net vs binned mean           {rms(mse_answer, binned_means):.2f}")

# %%
with torch.no_grad():
    grid_params = mdn(x_grid)
    grid_mean, grid_mse = predictions.mixture_mean(grid_params), mse_net(x_grid)
    grid_mode, grid_top = predictions.mixture_mode(grid_params), predictions.most_probable_component_mean(grid_params)

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.5), sharey=True)
ml.plots.scatter_data(x_train, y_train, ax=left, title="The mean, three ways")
left.plot(x_grid, grid_mean, color="C1", lw=2.5, label="MDN mixture mean")
left.plot(x_grid, grid_mse, "--", color="C0", lw=2, label="MSE net")
left.plot(binned.centres, binned.means, "o", ms=3, color="black", label="binned mean")
left.legend(fontsize="small", loc="upper left")
ml.plots.scatter_data(x_train, y_train, ax=right, title="Mode and top component")
right.plot(x_grid, grid_top, "o", ms=5, mfc="none", color="C2", label="most probable\ncomponent's mean")
right.plot(x_grid, grid_mode, ".", ms=4, color="C3", label="mode")
right.legend(fontsize="small", loc="upper left")
plt.show()

# %% [markdown]
# On the left the three estimates of $\mathbb E[y \mid x]$ agree to within a fraction of a unit, while the branches
# are several units apart: the mixture mean *is* the MSE answer, and it runs through the empty space between the
# branches. On the right the mode and the most probable component's mean stay on the data, but they jump from
# branch to branch along $x$, and the two often pick different branches: with every branch equally high, which one
# wins is decided by the fit's small errors (and, for the top component, by how the fit split a branch among
# components). Any point on a branch is as good a single answer as another here; a point between branches is not.
#
# The MDN also knows how far off the mean will be. By the law of total variance, the mixture's variance
# (`predictions.mixture_variance`) is the spread inside the components plus the spread of the component means
# around the mean, $\sum_k \pi_k\big(\sigma_k^2 + (\mu_k - \mathbb E[y \mid x])^2\big)$. Averaged over the test
# inputs, it predicts the squared error that the MSE net actually makes:

# %%
with torch.no_grad():
    predicted = predictions.mixture_variance(mdn(x_test)).mean()
    actual = ((mse_net(x_test) - y_test) ** 2).mean()
print(f"MDN: average predicted variance Var[y | x]          {predicted:.2f}")
print(f"MSE net: actual mean squared error on the test set  {actual:.2f}, a typical miss of {actual.sqrt():.1f}")

# %% [markdown]
# The two agree to within a few percent. A typical miss of several units is the distance between branches, not the
# width of one. The MSE net can only report that average; the MDN gives the spread, and its shape, for each $x$.
#
# ### Temperature
#
# Generative MDNs (handwriting, sketches, the MDN-RNN of lesson 07) often sample at a **temperature** $T > 0$.
# `predictions.sample` defines it as
#
# $$
# \pi_k \to \frac{\pi_k^{1/T}}{\sum_j \pi_j^{1/T}}, \qquad \sigma_k \to \sigma_k \sqrt{T}.
# $$
#
# $T = 1$ samples the model itself. $T < 1$ favours the heavier components and tightens each one; as $T \to 0$
# every draw becomes the most probable component's mean. $T > 1$ evens the weights out and widens the components.
# Below, one draw per test input at four temperatures. To measure how realistic the draws are we use what we know
# about the process: a real pair $(x, y)$ has $|x - \mathrm{wave}(y)| < 2$ (two noise standard deviations) 95% of
# the time.

# %%
x_some = x_test[:2000]
with torch.no_grad():
    some_params = mdn(x_some)
fig, axes = plt.subplots(2, 2, figsize=(8, 6), sharex=True, sharey=True)
print("   T   draws within 2 noise σ of a branch")
for temperature, ax in zip((0.1, 0.5, 1.0, 2.0), axes.flat):
    generator = torch.Generator().manual_seed(1)
    draws = predictions.sample(some_params, temperature=temperature, generator=generator)[:, 0, 0]  # (2000,)
    near = (x_some[:, 0] - ml.data.wave(draws)).abs() < 2 * NOISE
    print(f"{temperature:4.1f}   {near.float().mean():6.1%}")
    ml.plots.scatter_data(x_some, draws, ax=ax, title=f"one sample per x at T = {temperature}")
for ax in axes[0]:
    ax.set_xlabel("")
plt.show()

# %% [markdown]
# At $T = 0.1$ nearly every draw sits on a branch centre, but light branches thin out or vanish: their components'
# weights are raised to the power 10 and are almost never chosen. $T = 1$ reproduces the data, with close to the
# 95% of real pairs. At $T = 2$ the draws spread off the branches. Lower temperatures trade variety for tidiness,
# which can be what a generator wants, but only $T = 1$ samples the density the model learned: for forecasts and
# for judging, keep $T = 1$.
#
# ### Exercise 2: tempered weights, in log space
#
# Write `tempered_log_weights(log_weights, temperature)`: for log-weights of shape (N, K), return the (N, K)
# log-weights of $\pi_k^{1/T} / \sum_j \pi_j^{1/T}$, without ever leaving log space: a weight of $e^{-300}$ is a
# fine log-weight ($-300$), but exactly 0 after `exp()`, and $\log 0 = -\infty$.

# %% [markdown] tags=["solution"]
# ## Exercise 2: tempered weights, in log space
#
# $\log\big(\pi_k^{1/T}\big) = \log\pi_k / T$, and renormalising in log space is subtracting the logsumexp over
# $k$, which is exactly what `torch.log_softmax` does. Nothing is ever exponentiated, so a log-weight of $-300$
# stays finite.


# %% tags=["stub"]
def tempered_log_weights(log_weights, temperature):
    """(N, K) log-weights -> the (N, K) log-weights of π^(1/T) renormalised, computed in log space."""
    ...  # TODO: the tempered log-weights


# %% tags=["solution"]
def tempered_log_weights(log_weights, temperature):
    """(N, K) log-weights -> the (N, K) log-weights of π^(1/T) renormalised, computed in log space."""
    return torch.log_softmax(log_weights / temperature, dim=1)


# %% [markdown] tags=["solution"]
# The same rule is what `predictions.sample` uses to choose components. At $T = 0.5$ a 0.3 / 0.7 mixture becomes
# about 0.16 / 0.84:

# %% tags=["solution"]
two = torch.log(torch.tensor([[0.3, 0.7]]))
for temperature in (0.5, 1.0, 2.0):
    print(f"T = {temperature}: weights {tempered_log_weights(two, temperature).exp()[0].numpy().round(3)}")

# %% tags=["exercise"]
result = ml.checks.lesson05.check_tempered_log_weights(tempered_log_weights)

# %% [markdown]
# ### Which answer when?
#
# | the application needs | use | because |
# |---|---|---|
# | one action: a robot pose, a steering angle | the mode, or the most probable component's mean | it lies on a branch, a pose the robot can take; the average of two poses may reach nothing (lesson 06) |
# | a number whose errors cost their square: a budget, an average demand | the mean | it minimises the expected squared error, even if that value itself never occurs |
# | a range to plan for: "y will lie here with probability 90%" | the shortest region, or the central interval when one piece is needed | the shortest region leaves out the gaps; the central interval is one piece and cuts equal tails |
# | new realistic examples: handwriting, sequences | samples, perhaps at $T < 1$ | every sample is a plausible outcome; $T$ trades variety for tidiness |
#
# ## 3 · Judging an MDN
#
# ### Held-out NLL against the Bayes limit
#
# An MDN is trained to minimise the NLL, so the NLL on data it has not seen is its natural score. Lesson 01
# split the expected NLL of a model $q$ under the true $p$ into two parts; conditioned on $x$ it reads
#
# $$
# \mathbb E\big[-\log q(y \mid x)\big] = \underbrace{\mathbb E\big[-\log p(y \mid x)\big]}_{\text{Bayes limit}}
# + \underbrace{\mathbb E_x\, \mathrm{KL}\big(p(\cdot \mid x)\,\|\,q(\cdot \mid x)\big)}_{\ge 0} .
# $$
#
# No model can beat the first part, the **Bayes limit**; the gap to it measures how far $q$ is from the truth.
# Usually the truth is unknown, but we generated these data: `ml.data.inverted_sine_log_prob` gives the exact
# $\log p(y \mid x)$, and its average over a data set estimates the Bayes limit.

# %%
bayes_val = float(-ml.data.inverted_sine_log_prob(x_val, y_val, noise=NOISE).mean())
bayes_test = float(-ml.data.inverted_sine_log_prob(x_test, y_test, noise=NOISE).mean())
print(f"K = 8 MDN: training NLL {nll(mdn, x_train, y_train):.3f}, validation NLL {nll(mdn, x_val, y_val):.3f}")
print(f"Bayes limit on the validation set: {bayes_val:.3f}")

# %% [markdown]
# A few hundredths of a nat above the limit after 300 steps. The training NLL is a little lower than the validation
# NLL: the model has seen those points. Only held-out data gives an honest score.
#
# ### Why is my loss negative?
#
# Lesson 01 answered this for one Gaussian: a density is probability *per unit of y*, so its value depends on the
# units. The same holds for an MDN. Train the same MDN on the same data with $y$ in units ten times larger (every
# target divided by $c = 10$):

# %%
C = 10.0
mdn_tens = train_mdn(8, targets=y_train / C)  # the same seed and recipe as mdn; only the units of y differ
nll_ones, nll_tens = nll(mdn, x_val, y_val), nll(mdn_tens, x_val, y_val / C)
print(f"validation NLL, y as it is    {nll_ones:7.3f}")
print(f"validation NLL, y / {C:.0f}       {nll_tens:7.3f}")
print(f"difference {nll_ones - nll_tens:.3f}   log c = {math.log(C):.3f}")

# %% [markdown]
# The second loss is negative, and nothing is wrong: `ml.MDN` standardises $y$ inside, so both fits are the same
# fit, and every density of $y / 10$ is ten times the density of $y$, which lowers the NLL by exactly $\log 10$. The
# Bayes limit moves by the same $\log 10$, so the gap to it does not depend on the units. The sign of an NLL on its
# own says nothing. A low NLL means trouble in two cases:
#
# 1. the **training NLL is far below the validation NLL**: the model has learned its training points rather than
#    the process (the table below prints both; here they stay close);
# 2. the NLL **keeps falling, towards $-\infty$, while some σ shrinks**: a component is collapsing onto repeated
#    values, and a held-out set with the same repeats will not catch it (section 4 shows it).
#
# ### Choosing K on the validation set
#
# How many components? Too few cannot cover the five branches; too many may fit noise. Train $K = 1, 3, 5, 6$ (the
# $K = 8$ model is already trained) and compare their **validation** NLLs. Two NLLs measured on the same 2000 points
# differ by chance too: the standard error of a difference is the standard deviation of the per-point differences
# divided by $\sqrt{2000}$. We choose the smallest $K$ within two standard errors of the best, since a smaller model
# that does as well is the safer choice, and only then look at the **test** NLL of that one model. Choosing on the
# test set would make the reported number optimistic: the best of several noisy scores is lower than a fresh score
# of the same model.

# %%
models = {8: mdn} | {k: train_mdn(k) for k in (1, 3, 5, 6)}
with torch.no_grad():
    val_terms = {k: -models[k].log_prob(x_val, y_val) for k in sorted(models)}  # per-point NLLs, (2000,) each
best = min(val_terms, key=lambda k: val_terms[k].mean())
print(f"{'K':>3s}  {'training NLL':>12s}  {'validation NLL':>14s}  {'gap to Bayes':>12s}  {'behind the best':>15s}")
chosen_k = None
for k, terms in val_terms.items():
    behind = terms - val_terms[best]
    two_se = 2 * float(behind.std()) / math.sqrt(len(behind))
    if chosen_k is None and float(behind.mean()) <= two_se:
        chosen_k = k
    shown = f"{float(behind.mean()):.3f} ± {two_se:.3f}"
    scores = f"{nll(models[k], x_train, y_train):12.3f}  {terms.mean():14.3f}  {terms.mean() - bayes_val:12.3f}"
    print(f"{k:3d}  {scores}  {shown:>15s}")
chosen = models[chosen_k]
print(f"best on validation: K = {best};  chosen (smallest within 2 standard errors): K = {chosen_k}")
print(f"its test NLL: {nll(chosen, x_test, y_test):.3f}   (Bayes limit on the test set {bayes_test:.3f})")

# %% [markdown]
# One Gaussian ($K = 1$) is more than a nat and a half worse than the limit: it is the "single Gaussian with a
# learned σ" of lesson 03, as wrong as the MSE net. The NLL falls steeply up to $K = 5$, the largest number of
# branches over any $x$, and then flattens: beyond that the models differ by hundredths of a nat, and the rule
# picks the smallest $K$ that no larger one beats by more than two standard errors. The rest of this section
# judges the chosen model.
#
# ### Calibration: the PIT histogram
#
# A good NLL says the density is right *on average*. **Calibration** asks a sharper question: are the model's
# probabilities honest? The tool is the **probability integral transform** (PIT): if $y$ really comes from a
# continuous distribution with CDF $F$, then $u = F(y)$ is uniform on $[0, 1]$. So for every test pair compute
#
# $$
# u_n = F(y_n \mid x_n) = \sum_k \pi_k(x_n)\, \Phi\!\left(\frac{y_n - \mu_k(x_n)}{\sigma_k(x_n)}\right)
# $$
#
# (`predictions.mixture_cdf`, $\Phi$ the standard normal CDF) and draw a histogram. Calibrated: flat. U-shaped: the
# truth falls in the tails too often, the model is **overconfident** (too narrow). A hump: **underconfident** (too
# wide). A slope: **biased**. As a number, the Kolmogorov–Smirnov (KS) distance (`predictions.ks_distance_to_uniform`)
# is the largest gap between the empirical CDF of the $u_n$ and the diagonal; for $N$ truly uniform values it
# exceeds $1.36/\sqrt N$ only 5% of the time.

# %%
judged = {k: models[k] for k in dict.fromkeys((1, 3, chosen_k))}  # K = 1, K = 3 and the chosen K
fig, ax = plt.subplots(figsize=(6.5, 3.5))
for index, (k, model) in enumerate(judged.items()):
    with torch.no_grad():
        pit = predictions.mixture_cdf(model(x_test), y_test)  # (5000,) PIT values of the test set
    ks = predictions.ks_distance_to_uniform(pit)
    label = f"K = {k}: KS distance {ks:.3f}"
    ax.hist(pit.numpy(), bins=20, range=(0, 1), density=True, histtype="step", lw=2, color=f"C{index}", label=label)
ax.axhline(1.0, color="black", ls=":", label="uniform: calibrated")
ax.set(title="PIT histograms on the test set", xlabel="u = F(y | x)", ylabel="density", ylim=(0, 2.6))
ax.legend(fontsize="small", loc="upper center", ncols=2)
print(f"5% critical value of the KS distance for N = {len(y_test)} uniform values: {1.36 / math.sqrt(len(y_test)):.3f}")
plt.show()

# %% [markdown]
# With $K = 1$ the histogram is far from flat: one wide Gaussian centred between the branches puts too much
# probability in the empty middle, so true values rarely land near $u = 0.5$. $K = 3$ is closer but still wavy:
# three components cannot follow five branches. The chosen model's histogram is flat up to the noise of 5000
# values: its KS distance is below the 5% critical value.
#
# ### Coverage, and the shortest region along x
#
# The same question, asked the way a forecaster would: how often does the true $y$ fall inside the model's central
# 50% interval? Its 90% interval? A calibrated model's intervals contain the truth as often as they promise.
# `predictions.coverage` counts it (with 5000 test points, a share wanders by about one percentage point by chance).

# %%
levels = (0.5, 0.8, 0.9, 0.95)
with torch.no_grad():
    table = {k: predictions.coverage(model(x_test), y_test, levels) for k, model in judged.items()}
print(f"{'level':>8s}" + "".join(f"{f'K = {k}':>10s}" for k in table))
for level in levels:
    print(f"{level:8.0%}" + "".join(f"{table[k][level]:10.1%}" for k in table))

# %% [markdown]
# The single Gaussian's central 50% interval catches far fewer than half of the points: it is centred on the empty
# middle. The chosen model's intervals contain the truth about as often as promised. But where several branches
# cross an $x$, its central interval also spans the gaps between them. The shortest region of the same level does
# not: compare the two along $x$, with their coverage and length measured on the first 500 test points.

# %%
x_some, y_some, x_coarse = x_test[:500], y_test[:500], x_grid[::2]  # x_coarse: every other input, (121, 1)
with torch.no_grad():
    some_params, grid_params = chosen(x_some), chosen(x_coarse)
low, high = predictions.central_interval(some_params, 0.9)
shortest_some = predictions.highest_density_interval(some_params, 0.9)
central_inside = (low <= y_some[:, 0]) & (y_some[:, 0] <= high)
shortest_inside = predictions.inside_intervals(shortest_some, y_some)
print(f"K = {chosen_k}, 90%     coverage   average length")
print(f"central interval  {central_inside.float().mean():8.1%}   {(high - low).mean():14.2f}")
lengths = torch.stack([(pieces[:, 1] - pieces[:, 0]).sum() for pieces in shortest_some])
print(f"shortest region   {shortest_inside.float().mean():8.1%}   {lengths.mean():14.2f}")

grid_low, grid_high = predictions.central_interval(grid_params, 0.9)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.5), sharey=True)
ml.plots.scatter_data(x_train, y_train, ax=left, title="Central 90% interval")
left.fill_between(x_coarse[:, 0], grid_low, grid_high, color="C1", alpha=0.35, lw=0, label="central 90%")
left.legend(fontsize="small", loc="upper left")
ml.plots.scatter_data(x_train, y_train, ax=right)
shortest_grid = predictions.highest_density_interval(grid_params, 0.9)
ml.plots.regions_along_x(x_coarse, shortest_grid, ax=right, label="shortest 90%", title="Shortest 90% region")
right.legend(fontsize="small", loc="upper left")
plt.show()

# %% [markdown]
# Both hold their 90%, but the shortest region does it in about a quarter of the length: one short piece per
# branch, with the gaps left out. For a multimodal forecast, report the shortest region (or the branches, or samples) rather than
# one interval.
#
# ## 4 · When training goes wrong
#
# Lesson 02 reproduced the NaNs that come from the arithmetic of a mixture (exp-then-log instead of `logsumexp`,
# `log(softmax)` instead of `log_softmax`, a σ that reaches exactly 0) and their fixes; `ml.MDN` uses all of them.
# An MDN adds failures of its own, because its mixture comes out of a network that an optimiser moves for every
# $x$ at once. To see them we need a model and a training loop without the recipe's protections:
#
# - `naive_mdn` is `ml.MDN` with σ = $e^{\text{raw}}$ and no floor (the plain textbook choice), through its public
#   options `scale_map="exp", min_scale=0`, with σ starting where `ml.MDN`'s does. It keeps everything else,
#   including the standardisation of $x$ and $y$.
# - `plain_adam` trains with Adam at a fixed learning rate: no warm-up, no decay, no gradient clipping. It stops
#   and says so at the first NaN or infinite loss, instead of crashing.


# %%
def naive_mdn(n_components):
    """ml.MDN without its σ floor: σ = exp(raw output), which can reach exactly 0 or infinity.

    Its σ starts where ml.MDN's does (softplus(raw) = 1/K), at exp(raw) = e^(1/K) - 1.
    """
    return ml.MDN(1, 1, n_components, scale_map="exp", min_scale=0, start_scale=math.expm1(1 / n_components))


def plain_adam(model, x, y, steps, lr, batch_size=256, seed=0, show_first=0):
    """Adam at a fixed learning rate, without warm-up, decay or clipping; returns the loss per step."""
    model.set_scaling(x, y)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for step in range(1, steps + 1):
        batch = torch.randint(len(x), (batch_size,), generator=generator)
        loss = model.objective(x[batch], y[batch])
        losses.append(model.to_data_units(float(loss.detach())))
        if step <= show_first:
            with torch.no_grad():
                scales = model(x[batch]).scales
            print(f"step {step}: loss {losses[-1]:9.3f}, σ from {float(scales.min()):.2g} to {float(scales.max()):.2g}")
        if not math.isfinite(losses[-1]):
            print(f"step {step}: the loss is {losses[-1]}; training stopped")
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


# %% [markdown]
# ### A learning rate too high, with σ = exp(raw)
#
# Adam's first steps move every weight by about the learning rate, whatever the gradient's size. At a learning
# rate of 0.3 that is a big jump for a network whose raw outputs are near 0, and $e^{\text{raw}}$ turns a jump of
# the raw scale into a factor: watch σ.

# %%
torch.manual_seed(8)
naive_losses = plain_adam(naive_mdn(8), x_train, y_train, steps=STEPS, lr=0.3, show_first=5)

# %% [markdown]
# After one step the scales span more than thirty powers of ten; a step later the largest is infinite in float32. Infinity minus
# infinity, or zero times infinity, is NaN, and one NaN in the loss puts NaN into every weight at the next update.
# The fixes, one at a time:
#
# 1. **A σ floor**: `ml.MDN` computes $\sigma = \mathrm{softplus}(\text{raw}) + \sigma_{\min}$. Softplus grows
#    linearly, not exponentially, and the floor keeps σ away from 0. Same learning rate, same plain Adam.
# 2. **The schedule and clipping** of `ml.fit`: the learning rate warms up over the first steps, then decays along
#    a cosine; the gradient norm is clipped. Same learning rate of 0.3 at its peak.

# %%
torch.manual_seed(8)
floored = ml.MDN(1, 1, n_components=8)
floored_losses = plain_adam(floored, x_train, y_train, steps=STEPS, lr=0.3)
torch.manual_seed(8)
recipe = ml.MDN(1, 1, n_components=8)
recipe_history = ml.fit(recipe, x_train, y_train, steps=STEPS, lr=0.3, seed=0)
print(f"validation NLL            lr = 0.3   (lr = {ml.RECIPE['lr']}, the default: K = 8 above)")
print(f"floor only, plain Adam    {nll(floored, x_val, y_val):8.3f}")
print(f"floor, schedule, clipping {nll(recipe, x_val, y_val):8.3f}   ({nll(mdn, x_val, y_val):.3f})")
ax = ml.plots.training_curves(
    {"floor only, plain Adam": floored_losses, "recipe (ml.fit)": recipe_history.loss},
    reference=bayes_val,
    title="Training at lr = 0.3",
    ylabel="training NLL (nats)",
)
plt.show()

# %% [markdown]
# The floor alone stops the NaN but not the damage: the loss starts high, wanders, and the run ends worse than even
# one Gaussian (the $K = 1$ row of section 3). With warm-up, decay and clipping the same peak learning rate trains,
# though not as well as a sensible one. A NaN is the loud symptom of a learning rate that is too high; a model stuck at a poor loss is the quiet one.
#
# ### σ collapse: a spike on repeated values
#
# The density of a Gaussian at its own mean grows without bound as σ shrinks: $\mathcal N(\mu; \mu, \sigma^2) =
# 1/(\sigma\sqrt{2\pi})$. With continuous data no component can sit on many points at once, but real data often has
# **repeated values**: a gauge read to the nearest mark, prices in steps, a value stuck at a default. Here are the
# same targets read to the nearest multiple of 5: five values in all. A component that sits on one of them can
# shrink its σ for ever, and the NLL falls towards $-\infty$. The σ floor stops the shrinking, so it bounds the NLL
# from below.
#
# ### Exercise 3: how low can an MDN with a floor go?
#
# `ml.MDN` keeps every σ at least `min_scale` in standardised units, that is, at least `min_scale` × std($y$) in the
# units of $y$. Derive the lowest average NLL any such MDN can reach, on any data whose targets have that standard
# deviation, and write it as `lowest_nll(min_scale, y_std)` (two numbers in, one number out, in nats).

# %% [markdown] tags=["solution"]
# ## Exercise 3: how low can an MDN with a floor go?
#
# Every component's density is at most its peak, $1/(\sigma_k\sqrt{2\pi}) \le 1/(\sigma_{\min}\sqrt{2\pi})$ with
# $\sigma_{\min}$ = `min_scale` × std($y$), and the weights add up to 1, so the mixture's density is never above
# $1/(\sigma_{\min}\sqrt{2\pi})$. Every point's NLL is then at least $\log \sigma_{\min} + \tfrac12 \log 2\pi$, and so
# is their average. A model reaches it only if every point sits exactly on a component of weight 1 at the floor.


# %% tags=["stub"]
def lowest_nll(min_scale, y_std):
    """The lowest average NLL (nats) of an MDN whose σ >= min_scale × y_std, on targets of standard deviation y_std."""
    ...  # TODO: derive it


# %% tags=["solution"]
def lowest_nll(min_scale, y_std):
    """The lowest average NLL (nats) of an MDN whose σ >= min_scale × y_std, on targets of standard deviation y_std."""
    return math.log(min_scale * y_std) + 0.5 * math.log(2 * math.pi)


# %% tags=["exercise"]
result = ml.checks.lesson05.check_lowest_nll(lowest_nll)

# %% [markdown]
# Now the experiment. Three models on the rounded targets, each trained with `ml.fit` while we record the smallest σ
# over the grid of $x$ every 20 steps:
#
# - `naive_mdn`, with no floor;
# - `ml.MDN` with a floor of `min_scale=0.01`. The recipe's default is 0.001; a floor ten times higher is reached
#   within this short run, where the default's would take longer (it works the same way, ten times lower);
# - `ml.MDN` with the default floor on **dequantised** targets: the rounded values plus uniform noise on
#   $[-2.5, 2.5]$, which spreads each repeated value back over the interval it stands for.

# %%
y_rounded = 5 * torch.round(y_train / 5)  # the targets read to the nearest multiple of 5
spread = 5 * torch.rand(y_train.shape, generator=torch.Generator().manual_seed(0)) - 2.5
runs = {  # name: (how to make the model, its targets)
    "no floor": (lambda: naive_mdn(8), y_rounded),
    "floor 0.01": (lambda: ml.MDN(1, 1, n_components=8, min_scale=0.01), y_rounded),
    "dequantised": (lambda: ml.MDN(1, 1, n_components=8), y_rounded + spread),
}
y_std = float(y_rounded.std(unbiased=False))
floor = 0.01 * y_std  # the second model's smallest possible σ, in the units of y
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.5))
print(f"{'':12s}{'training NLL':>13s}{'smallest σ':>12s}")
for index, (name, (make_model, targets)) in enumerate(runs.items()):
    torch.manual_seed(8)
    model = make_model()
    history = ml.fit(model, x_train, targets, steps=STEPS, seed=0, snapshot_every=20, snapshot_x=x_grid)
    smallest = [float(shot.output.scales.min()) for shot in history.snapshots]
    left.plot([shot.step for shot in history.snapshots], smallest, color=f"C{index}", label=name)
    ml.plots.training_curves({name: history.loss}, ax=right)
    print(f"{name:12s}{nll(model, x_train, targets):13.2f}{smallest[-1]:12.4f}")
lowest = math.log(floor * math.sqrt(2 * math.pi))  # the lowest NLL with this floor (Exercise 3)
print(f"the floor 0.01 × std(y) = {floor:.4f};  the lowest NLL with it {lowest:.2f};  Bayes limit {bayes_val:.2f}")
left.axhline(floor, color="black", ls=":", label="floor 0.01 × std(y)")
left.set(title="σ collapse", xlabel="step", ylabel="smallest σ over x (log scale)", yscale="log", ylim=(1e-3, 3))
left.legend(fontsize="small", loc="lower left")
right.axhline(lowest, color="black", ls=":", label="lowest with floor")
right.axhline(bayes_val, color="black", ls="--", lw=1, label="Bayes limit")
right.set(title="Training NLL", ylabel="nats", ylim=(-4.5, 3.8))
right.legend(fontsize="small", loc="lower left", ncols=2)
plt.show()

# %% [markdown]
# Without a floor the smallest σ keeps falling, with setbacks, and the training NLL falls with it, far below the Bayes
# limit of the continuous problem and still going, below even the lowest value any model with the floor could ever
# reach: the sign of a collapse (rule 2 of section 3). Its gradients grow like $1/\sigma^2$; a longer run or a larger
# step ends in the 0 or infinity of the previous experiment. With the floor, σ comes down onto the floor and stays
# there, and the NLL levels off above the lowest value of Exercise 3: every point would have to sit on a component of
# weight 1 to reach it, and at one $x$ the targets take several rounded values. The floor keeps the loss finite, but
# the model still spends its components on spikes. The real fix is in the data: dequantised targets are continuous
# again, with no exact value to collapse onto, so the smallest σ stays far above the floor and the NLL is an honest
# one (higher than the Bayes limit of the unrounded data, because rounding and spreading added noise).
#
# ### Crowding: components that start together stay together
#
# `ml.MDN` starts its $K$ component means spread over the targets (at the $K$ quantiles of a standard normal, in
# standardised units) with small output weights, so each component starts near a different part of the data. Two
# common alternatives, both options of `ml.MDN`, go wrong:
#
# - a **zero-initialised output layer** (`output_weights="zero"`, a popular trick in other networks): every component
#   starts identical, receives the identical gradient, and stays identical for ever, so $K$ components act as one
#   Gaussian. A few dozen steps show it;
# - **all means at 0** (`mean_start="zero"`) with the small random weights kept: the components start in one place
#   and have to push each other apart.

# %%
torch.manual_seed(8)
zeroed = ml.MDN(1, 1, n_components=8, output_weights="zero", mean_start="zero", start_scale=math.log(2))
ml.fit(zeroed, x_train, y_train, steps=50, seed=0)  # a zeroed layer's raw scales are 0: σ = softplus(0) = log 2
starts = {"zero output layer (50 steps)": zeroed, "all means at 0": train_mdn(8, mean_start="zero"), "spread": mdn}
fig, axes = plt.subplots(1, 2, figsize=(8, 3.5), sharey=True)
print(f"{'start':29s}{'val. NLL':>9s}{'in use':>8s}{'widest':>8s}")
for name, model in starts.items():
    with torch.no_grad():
        params = model(x_grid)
    used = params.log_weights.exp() > 0.05  # (241, 8): components with more than 5% weight at each x
    in_use = int(used.any(dim=0).sum())
    top = torch.where(used, params.means[..., 0], -math.inf).max(dim=1).values
    bottom = torch.where(used, params.means[..., 0], math.inf).min(dim=1).values
    widest = float((top - bottom).max())
    print(f"{name:29s}{nll(model, x_val, y_val):9.3f}{in_use:8d}{widest:8.2f}")
for (name, model), ax in zip(starts.items(), axes):
    ml.plots.component_bands(model, x_grid, ax=ax, data=(x_train, y_train), title=f"start: {name}")
plt.show()

# %% [markdown]
# "in use": components with more than 5% weight somewhere along $x$; "widest": the largest distance between the
# means of two such components at one $x$. The zeroed layer's eight components are still one (their means 0.00 apart) after 50
# steps, and no number of steps will separate them: its NLL can only approach the $K = 1$ row of the table. Starting
# all means at 0 trains, but ends worse than the spread start (the $K = 8$ model of section 1) with the same budget,
# with only some of its eight components carrying weight anywhere.
#
# ### The recipe, ingredient by ingredient
#
# Everything `ml.MDN` and `ml.fit` do by default, where it lives, and what goes wrong without it:
#
# | ingredient | where | without it |
# |---|---|---|
# | $\sigma = \mathrm{softplus}(\text{raw}) + \sigma_{\min}$ | `ml.MDN(..., scale_map="softplus", min_scale=1e-3)` | $e^{\text{raw}}$ reaches 0 or ∞ after one big step (NaN); on repeated values σ → 0 and the NLL → −∞ |
# | `log_softmax` for the weights, `logsumexp` over the components | `models.MixtureHead`, `mixture.mixture_log_prob` | $\log 0 = -\infty$ and NaN gradients (lesson 02) |
# | means spread over the $K$ standard-normal quantiles, output weights × 0.1 | `ml.MDN(..., mean_start="spread", output_weights="small")` | identical starts stay identical; crowded starts waste components |
# | $x$ and $y$ standardised inside the model | `models.Standardizer` | the spread means and the floor would not match the data's scale; one learning rate would not suit every data set |
# | learning-rate warm-up, then cosine decay | `ml.fit` | the first full-size steps throw σ to extremes; no fine finish |
# | a number of steps that grows with the data | `ml.fit` (`steps=None`) | small data sets overfit when trained as long as large ones need; large ones stop short |
# | gradient-norm clipping | `ml.fit` | one batch that meets a tiny σ has an enormous gradient and throws the weights far away |
#
# **Why does my loss become NaN?** A checklist, in the order to try:
# 1. The arithmetic (lesson 02): `log_softmax`, never `log(softmax(...))`; `logsumexp`, never `log(sum(exp(...)))`.
# 2. Scales: softplus plus a floor, not a bare `exp`.
# 3. Learning rate: lower it, warm it up, clip the gradient norm.
# 4. Data: repeated or rounded target values (dequantise them), NaN or infinite values, unstandardised scales.
#
# ## Recap
#
# - A density reduces to **samples** (temperature $T$: weights $\propto \pi^{1/T}$, scales $\times\sqrt T$; only
#   $T = 1$ samples the model), the **mode** (the most probable value), the **most probable component's mean** (a
#   cheap stand-in that can miss the mode when a heavy component is broad), the **mean**, and **regions**: the
#   **central interval** is one piece and spans gaps; the **shortest region** $\{y : p(y) \ge h\}$ leaves them out.
# - The **mixture mean** $\sum_k \pi_k \mu_k$ is $\mathbb E[y \mid x]$, the answer of a net trained with MSE. On
#   multimodal data it lies between the branches, where the data never are. When branches are equally high, as on the
#   inverted sine, the mode is a tie and any point on a branch is as good.
# - Judge on held-out data: the **NLL** against the **Bayes limit**; its sign depends on the units of $y$ and means
#   nothing alone. Choose $K$ on a **validation** set (the smallest within its standard errors of the best) and
#   report on a **test** set. **Calibration**: flat PIT histograms and honest **coverage**.
# - An MDN's own failures: a learning rate too high (σ = exp(raw) overflows: floor, warm-up, decay, clipping),
#   **σ collapse** on repeated values (the NLL falls towards $-\infty$; a floor bounds it, dequantising cures it), and
#   identical or crowded starts (spread the initial means).
#
# **Next:** [06 · The robot arm](06_robot_arm.ipynb): an inverse problem with two-dimensional answers, where the
# mode is the pose a robot can use and the mean is a pose that misses.
