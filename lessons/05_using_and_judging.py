# %% [markdown]
# # 05 · Using and judging an MDN
#
# A Mixture Density Network (MDN) predicts a whole conditional density $p(y \mid x)$ instead of one number. This
# lesson shows how to turn that density into the answers an application needs: **samples** (with a
# **temperature**), the **mode**, the **mean** (which is exactly what a net trained with mean squared error predicts)
# and **intervals**. Then how to **judge** an MDN on held-out data: its negative log-likelihood (NLL) against the
# best value any model can reach (the Bayes limit), the number of components $K$ chosen on a validation set, and
# **calibration** with a probability-integral-transform (PIT) histogram and a coverage table. It ends with the usual
# training failures, including the most asked question about MDN code, *"why does my loss become NaN?"*: each cause
# is reproduced on purpose and fixed, which explains every ingredient of the course's training recipe.
#
# ## Learning objectives
#
# - Turn a fitted mixture into samples (with a temperature), a mode, a mean and central intervals, and say which one
#   a given application needs.
# - Show that the mixture mean $\sum_k \pi_k \mu_k$ is the answer of the MSE net of lesson 03 again.
# - Judge an MDN on held-out data: NLL against the Bayes limit, $K$ chosen on a validation set and reported on a
#   test set, a PIT histogram and a coverage table.
# - Reproduce the common training failures (σ collapse, crowded components, too high a learning rate, the log of a
#   softmax) and explain the ingredient of the recipe that prevents each one.

# %% [markdown] tags=["exercise"]
# ## Setup

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import mdn_lessons as ml
from mdn_lessons import conditional, predictions

rng = ml.start_lesson(seed=0)

# %% tags=["solution"]
import matplotlib.pyplot as plt
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
# Every MDN in this lesson is trained the same way: `ml.MDN` with the course's recipe (`ml.fit`'s defaults), but a
# short run of 500 steps, which is enough here (section 3 measures how close it gets to the best possible). We
# start with $K = 8$ components.

# %%
STEPS = 500  # a short run of the course recipe; ml.fit's default is 1500


def train_mdn(n_components):
    """An MDN with K = n_components, trained on the training set with the course recipe for STEPS steps."""
    torch.manual_seed(n_components)
    model = ml.MDN(1, 1, n_components=n_components)
    ml.fit(model, x_train, y_train, steps=STEPS, seed=0)
    return model


mdn = train_mdn(8)
x_grid = torch.linspace(-12, 12, 241).unsqueeze(1)  # inputs to draw along, shape (241, 1)
y_grid = torch.linspace(-11, 11, 221)

# %% [markdown]
# ## 2 · From a density to answers
#
# For one input $x$ the MDN gives weights $\pi_k$, means $\mu_k$ and scales $\sigma_k$, and so the density
#
# $$
# p(y \mid x) = \sum_{k=1}^{K} \pi_k(x)\, \mathcal N\big(y;\ \mu_k(x), \sigma_k(x)^2\big).
# $$
#
# An application rarely wants a density; it wants something smaller. The module `mdn_lessons.predictions` computes
# the usual reductions from the `MixtureParams` an MDN returns:
#
# | reduction | definition | function |
# |---|---|---|
# | a sample | pick $k$ with probability $\pi_k$, then draw $y \sim \mathcal N(\mu_k, \sigma_k^2)$ | `predictions.sample` |
# | the most probable component's mean | $\mu_{k^*}$ with $k^* = \arg\max_k \pi_k$ | `predictions.most_probable_component_mean` |
# | the mode | $\arg\max_y\, p(y \mid x)$, the single most probable value | `predictions.mixture_mode` |
# | the mean | $\mathbb E[y \mid x] = \sum_k \pi_k \mu_k$ | `predictions.mixture_mean` |
#
# The mode has no formula; `predictions.mixture_mode` climbs the density from every component mean and keeps the
# highest point it reaches. Take one input, $x = 2$, and look at the mixture the MDN gives there:

# %%
X0 = torch.tensor([[2.0]])  # one input, shape (1, 1)
with torch.no_grad():
    params0 = mdn(X0)  # one mixture: log_weights (1, 8), means and scales (1, 8, 1)
order = params0.means[0, :, 0].argsort()
print("component  weight   mean  scale")
for k in order.tolist():
    print(
        f"{k:9d}  {params0.log_weights[0, k].exp():6.3f} {params0.means[0, k, 0]:6.2f} {params0.scales[0, k, 0]:6.2f}"
    )

# %% [markdown]
# Now the three single answers. For each we print the MDN's density there and, because we generated the data, the
# true density `ml.data.inverted_sine_log_prob(x, y).exp()`:

# %%
with torch.no_grad():
    single_answers = {
        "mixture mean": predictions.mixture_mean(params0),
        "most probable component's mean": predictions.most_probable_component_mean(params0),
        "mode (mode search)": predictions.mixture_mode(params0),
    }
    for name, value in single_answers.items():
        model_density = float(mdn.log_prob(X0, value).exp())
        true_density = float(ml.data.inverted_sine_log_prob(X0, value, noise=NOISE).exp())
        print(f"{name:31s} y = {float(value):6.2f}   MDN density {model_density:.3f}   true density {true_density:.3f}")

# %%
with torch.no_grad():
    draws = predictions.sample(params0, n_samples=4000, generator=torch.Generator().manual_seed(0))[0, :, 0]
    true_curve = ml.data.inverted_sine_log_prob(X0.expand(len(y_grid), 1), y_grid, noise=NOISE).exp()

fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
ml.plots.conditional_heatmap(mdn, x_grid, y_grid, ax=left, title="The MDN's p(y | x), K = 8")
left.axvline(2.0, color="white", ls="--", lw=1)
right.hist(draws.numpy(), bins=88, range=(-11, 11), density=True, color="tab:gray", alpha=0.4, label="4000 samples")
ml.plots.mixture_density(
    params0,
    y_grid,
    ax=right,
    components=False,
    label="MDN p(y | x)",
    title="p(y | x = 2) (the dashed line on the left)",
)
right.plot(y_grid, true_curve, "k:", lw=1.5, label="true p(y | x)")
for (name, value), color in zip(single_answers.items(), ["tab:red", "tab:green", "tab:purple"]):
    right.axvline(float(value), color=color, lw=2, ls="--" if name.startswith("most") else "-", label=name)
right.set_ylim(0, 0.62)
right.legend(fontsize="small", loc="upper center", ncols=2)
plt.show()

# %% [markdown]
# Five branches cross $x = 2$, and the samples land on all five: sampling reproduces the whole density. The three
# single answers tell different stories:
#
# - The **mean** lies in a gap between branches, where the true density is zero to three decimals: the process
#   never produces such a $y$. As an answer to "what will $y$ be?" it is wrong every time.
# - The **most probable component** is the heaviest single component, on the branch near $-7$.
# - The **mode** lies on another branch, near $-5$. That branch carries more probability than the one near $-7$,
#   but the MDN happens to cover it with *two* components (weights near 0.2 and 0.1), so no single component there
#   is the heaviest. The most probable component's mean depends on how the fit split the branches among
#   components; the mode search does not.
#
# In this data set every branch has the same peak height (the noise is the same everywhere, so
# $p(y \mid x) \propto \mathcal N(x; \mathrm{wave}(y), 1)$ peaks at the same value on each branch), which makes the
# true mode almost a tie: the two candidates above have nearly the same true density. When the choice is a near
# tie, any point on a branch is a good single answer; a point between branches is not.
#
# ### The mean is the MSE answer again
#
# Lesson 03 showed that a net trained with mean squared error (MSE) learns the conditional mean
# $\mathbb E[y \mid x]$. The mean of a mixture is, by linearity of the integral,
#
# $$
# \mathbb E[y \mid x] = \int y \sum_k \pi_k\, \mathcal N(y; \mu_k, \sigma_k^2)\, dy
# = \sum_k \pi_k \int y\, \mathcal N(y; \mu_k, \sigma_k^2)\, dy = \sum_k \pi_k \mu_k .
# $$
#
# So an MDN that fits $p(y \mid x)$ well contains the MSE net's answer: its mixture mean. Check it three ways on
# the same inputs: the MDN's mixture mean, an `ml.MLP` trained with MSE on the same training set, and the
# conditional mean estimated with no model at all, by averaging $y$ in bins of $x$ over 200 000 fresh samples
# (`conditional.binned_mean`, from lesson 03).

# %%
torch.manual_seed(0)
mse_net = ml.MLP(1, 1, hidden=(64, 64))
ml.fit(mse_net, x_train, y_train, steps=1000, seed=0)

x_many, y_many = ml.data.inverted_sine(n=200_000, noise=NOISE, seed=4)
binned = conditional.binned_mean(x_many, y_many, bins=48, x_range=(-12, 12))
centres = torch.tensor(binned.centres, dtype=torch.float32).unsqueeze(1)  # (48, 1): the middle of each bin
with torch.no_grad():
    mdn_mean = predictions.mixture_mean(mdn(centres))[:, 0].numpy()
    mse_answer = mse_net(centres)[:, 0].numpy()


def rms(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


print(f"RMS difference over {len(centres)} bins of x:")
print(f"  MDN mixture mean vs MSE net      {rms(mdn_mean, mse_answer):.2f}")
print(f"  MDN mixture mean vs binned mean  {rms(mdn_mean, binned.means):.2f}")
print(f"  MSE net vs binned mean           {rms(mse_answer, binned.means):.2f}")

# %%
with torch.no_grad():
    grid_params = mdn(x_grid)
    grid_mean = predictions.mixture_mean(grid_params)
    grid_mode = predictions.mixture_mode(grid_params)
    grid_top = predictions.most_probable_component_mean(grid_params)
    grid_mse = mse_net(x_grid)

fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5), sharey=True)
ml.plots.scatter_data(x_train, y_train, ax=left, title="The mean: MDN, MSE net and binned E[y | x]")
left.plot(x_grid, grid_mean, color="tab:red", lw=2.5, label="MDN mixture mean")
left.plot(x_grid, grid_mse, "--", color="tab:blue", lw=2, label="MSE net")
left.plot(binned.centres, binned.means, "o", ms=4, color="black", label="binned mean, 200 000 samples")
left.legend(fontsize="small", loc="upper left")
ml.plots.scatter_data(x_train, y_train, ax=right, title="One value on a branch: mode and top component")
right.plot(x_grid, grid_top, "o", ms=6, mfc="none", color="tab:green", label="most probable component's mean")
right.plot(x_grid, grid_mode, ".", ms=4, color="tab:purple", label="mode")
right.legend(fontsize="small", loc="upper left")
plt.show()

# %% [markdown]
# On the left the three estimates of $\mathbb E[y \mid x]$ agree to within a fraction of a unit, while the branches
# are several units apart: the mixture mean *is* the MSE answer, and it runs through the empty space between
# the branches. On the right the mode and the most probable component's mean stay on the data; they jump from
# branch to branch where another branch takes the lead, and they disagree where two branches are close to a tie.
# That is the price of asking a multimodal density for one number.
#
# The MDN also knows something the MSE net cannot tell: how far off the mean will be. By the law of total
# variance, the mixture's variance (`predictions.mixture_variance`) is the spread inside the components plus the
# spread of the component means around the mean, $\sum_k \pi_k\big(\sigma_k^2 + (\mu_k - \mathbb E[y \mid x])^2\big)$.
# Averaged over the test inputs, it predicts the squared error that the MSE net actually makes:

# %%
with torch.no_grad():
    predicted = predictions.mixture_variance(mdn(x_test)).mean()
    actual = ((mse_net(x_test) - y_test) ** 2).mean()
print(f"MDN: average predicted variance Var[y | x]   {predicted:.2f}")
print(f"MSE net: actual mean squared error on the test set {actual:.2f}")

# %% [markdown]
# The two agree to within a few percent. A mean squared error of about 22 is a typical miss of
# $\sqrt{22} \approx 4.7$: the distance between branches, not the width of one (the component scales at $x = 2$
# are 0.2 to 0.4). The MSE net can only report that average; the MDN gives the spread, and its shape, for each $x$
# separately, which is what a forecast needs.
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
# every draw becomes the most probable component's mean. $T > 1$ evens the weights out and widens the
# components. Below, one draw per test input at four temperatures. To measure how realistic the draws are we use
# what we know about the process: a real pair $(x, y)$ has $|x - \mathrm{wave}(y)| < 2$ (two noise standard
# deviations) 95% of the time.

# %%
temperatures = (0.1, 0.5, 1.0, 2.0)
x_some = x_test[:2000]
with torch.no_grad():
    some_params = mdn(x_some)
fig, axes = plt.subplots(1, 4, figsize=(17, 4), sharey=True)
for temperature, ax in zip(temperatures, axes):
    generator = torch.Generator().manual_seed(1)
    draws = predictions.sample(some_params, temperature=temperature, generator=generator)[:, 0, 0]  # (2000,)
    near = (x_some[:, 0] - ml.data.wave(draws)).abs() < 2 * NOISE
    print(f"T = {temperature}: {near.float().mean():6.1%} of the draws lie within 2 noise σ of a branch")
    ml.plots.scatter_data(x_some, draws, ax=ax, title=f"one sample per x at T = {temperature}")
plt.show()


# %% [markdown]
# At $T = 0.1$ nearly every draw sits on a branch centre, but whole branches thin out or vanish: the light
# components' weights are raised to the power 10 and almost never chosen. $T = 1$ reproduces the data, with
# about the right 95%. At $T = 2$ the draws spread off the branches and light components are picked more often
# than their weight says. Lower temperatures trade variety for tidiness, which can be what a generator wants, but only $T = 1$
# samples the density the model learned: for forecasts and for judging, keep $T = 1$.
#
# ### Exercise 1: tempered weights, in log space
#
# Write `tempered_log_weights(log_weights, temperature)`: for log-weights of shape (N, K), return the (N, K)
# log-weights of $\pi_k^{1/T} / \sum_j \pi_j^{1/T}$. Stay in log space: a weight of $e^{-300}$ is a fine
# log-weight ($-300$) but exactly 0 after `exp()`, and $\log 0 = -\infty$.

# %% [markdown] tags=["solution"]
# ## Exercise 1: tempered weights, in log space
#
# $\log\big(\pi_k^{1/T}\big) = \log\pi_k / T$, and renormalising in log space is subtracting the logsumexp over
# $k$, which is exactly what `torch.log_softmax` does. Nothing is ever exponentiated, so a log-weight of $-300$
# stays finite.


# %% tags=["stub"]
def tempered_log_weights(log_weights, temperature):
    # TODO: raising π to the power 1/T is dividing log π by T; then renormalise in log space
    # (one torch function does both steps).
    ...


# %% tags=["solution"]
def tempered_log_weights(log_weights, temperature):
    return torch.log_softmax(log_weights / temperature, dim=1)


result = ml.checks.lesson05.check_tempered_log_weights(tempered_log_weights)
assert result.passed

# %% [markdown] tags=["solution"]
# The same rule is what `predictions.sample` uses to choose components. At $T = 0.5$ a 0.3 / 0.7 mixture becomes
# about 0.16 / 0.84:

# %% tags=["solution"]
two = torch.log(torch.tensor([[0.3, 0.7]]))
for temperature in (0.5, 1.0, 2.0):
    print(f"T = {temperature}: weights {tempered_log_weights(two, temperature).exp()[0].numpy().round(3)}")

# %%
result = ml.checks.lesson05.check_tempered_log_weights(tempered_log_weights)


# %% [markdown]
# ### Which answer when?
#
# | the application needs | use | because |
# |---|---|---|
# | one action: a robot pose, a steering angle | the mode, or the most probable component's mean | it lies on a branch, a pose the robot can take; the average of two poses may reach nothing (lesson 06) |
# | a number whose errors cost their square: a budget, an average demand | the mean | it minimises the expected squared error, even if that value itself never occurs |
# | a forecast: how sure, and what else could happen | the density: intervals, samples, branch weights | one number hides that there are several outcomes and how likely each one is |
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
# Usually the truth is unknown, but we generated this data: `ml.data.inverted_sine_log_prob` gives the exact
# $\log p(y \mid x)$, and its average over a data set estimates the Bayes limit.


# %%
def nll(model, x, y):
    """Mean negative log-likelihood of the pairs (x, y) under the model, in nats."""
    with torch.no_grad():
        return float(-model.log_prob(x, y).mean())


bayes_val = float(-ml.data.inverted_sine_log_prob(x_val, y_val, noise=NOISE).mean())
bayes_test = float(-ml.data.inverted_sine_log_prob(x_test, y_test, noise=NOISE).mean())
print(f"K = 8 MDN: training NLL {nll(mdn, x_train, y_train):.3f}, validation NLL {nll(mdn, x_val, y_val):.3f}")
print(f"Bayes limit on the validation set: {bayes_val:.3f}")

# %% [markdown]
# A few hundredths of a nat above the limit after 500 steps. The training NLL is a little lower than the
# validation NLL: the model has seen those points. Only held-out data gives an honest score.
#
# ### Choosing K on the validation set
#
# How many components? Too few cannot cover the five branches; too many may fit noise. Train $K = 1, \dots, 10$
# (the $K = 8$ model is already trained), choose the $K$ with the lowest **validation** NLL, and only then look at
# the **test** NLL of that one model. Choosing on the test set would make the reported number optimistic: the best
# of ten noisy scores is lower than a fresh score of the same model.

# %%
models = {8: mdn}
for k in range(1, 11):
    if k not in models:
        models[k] = train_mdn(k)

val_nll = {k: nll(models[k], x_val, y_val) for k in sorted(models)}
best_k = min(val_nll, key=val_nll.get)
print(f"{'K':>3s}  {'training NLL':>12s}  {'validation NLL':>14s}  {'gap to Bayes':>12s}")
for k, value in val_nll.items():
    print(f"{k:3d}  {nll(models[k], x_train, y_train):12.3f}  {value:14.3f}  {value - bayes_val:12.3f}")
print(f"chosen on the validation set: K = {best_k}")
print(f"its test NLL: {nll(models[best_k], x_test, y_test):.3f}   (Bayes limit on the test set {bayes_test:.3f})")

# %% [markdown]
# One Gaussian ($K = 1$) is more than a nat and a half worse than the limit: it is the "single Gaussian with a
# learned σ" of lesson 03, as wrong as the MSE net. The NLL falls steeply up to $K = 5$, the largest number of
# branches over any $x$, and then stays flat: from there on the differences between $K$s are less than a
# hundredth of a nat, about the size of the change from one random seed to another. Validation picks the lowest,
# but any $K \ge 5$ does about as well here; when scores nearly tie, the smaller model is the safer choice.
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
pit = {}
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), sharey=True)
for k, ax in zip((1, 3, best_k), axes):
    with torch.no_grad():
        pit[k] = predictions.mixture_cdf(models[k](x_test), y_test)  # (N,) PIT values of the test set
    ks = predictions.ks_distance_to_uniform(pit[k])
    print(f"K = {k:2d}: KS distance to uniform {ks:.3f}")
    ax.hist(pit[k].numpy(), bins=20, range=(0, 1), density=True, color="tab:blue", alpha=0.6, label="PIT values")
    ax.axhline(1.0, color="black", ls=":", label="uniform: calibrated")
    ax.set(title=f"PIT histogram, K = {k}", xlabel="u = F(y | x)", ylabel="density", ylim=(0, 1.8))
    ax.legend(fontsize="small", loc="upper center")
print(f"5% critical value for N = {len(y_test)} uniform values: {1.36 / math.sqrt(len(y_test)):.3f}")
plt.show()

# %% [markdown]
# With $K = 1$ the histogram is far from flat: one wide Gaussian centred between the branches puts too much
# probability in the empty middle, so true values rarely land near $u = 0.5$. $K = 3$ is closer but still wavy:
# three components cannot follow five branches. The chosen model is flat up to the noise of 5000 samples.
#
# ### Coverage
#
# The same question, asked the way a forecaster would: how often does the true $y$ fall inside the model's
# central 50% interval? Its 90% interval? The central interval of level $\ell$ runs from the $(1-\ell)/2$ to the
# $(1+\ell)/2$ quantile of the mixture (`predictions.central_interval` finds them by bisection on the CDF). A
# calibrated model's intervals contain the truth as often as they promise. `predictions.coverage` counts it.

# %%
levels = (0.5, 0.8, 0.9, 0.95)
print(f"{'level':>8s}" + "".join(f"{f'K = {k}':>10s}" for k in (1, 3, best_k)))
with torch.no_grad():
    table = {k: predictions.coverage(models[k](x_test), y_test, levels) for k in (1, 3, best_k)}
for level in levels:
    print(f"{level:8.0%}" + "".join(f"{table[k][level]:10.1%}" for k in (1, 3, best_k)))

# %% [markdown]
# The chosen model's intervals contain the truth about as often as promised (with 5000 test points, the
# observed share wanders by about one percentage point by chance). The single Gaussian's central 50% interval
# catches far fewer than half of the points: it is centred on the empty middle.
#
# Here is the chosen model's 90% interval along $x$:

# %%
with torch.no_grad():
    lower, upper = predictions.central_interval(models[best_k](x_grid), 0.9)
ax = ml.plots.scatter_data(x_train, y_train, title=f"Central 90% interval of the MDN, K = {best_k}")
ax.fill_between(x_grid[:, 0], lower, upper, color="tab:orange", alpha=0.3, label="central 90% interval")
ax.legend(fontsize="small", loc="upper left")
plt.show()


# %% [markdown]
# The interval holds 90% of the probability, but where there are several branches it also spans the empty gaps
# between them: a central interval is one piece by construction. It is honest about coverage, but not the
# *shortest* region holding 90%, which would be a union of one short piece per branch. For multimodal forecasts,
# report the branches (or samples) as well as an interval.
#
# ### Exercise 2: coverage from PIT values
#
# $y$ lies inside the central interval of level $\ell$ exactly when its PIT value lies in
# $[(1-\ell)/2,\ (1+\ell)/2]$. Write `fraction_inside(u, level)`: given PIT values `u` of shape (N,), return the
# share of them in that range (ends included), as a number. Then compare it with the table above:
# `fraction_inside(pit[best_k], 0.9)`.

# %% [markdown] tags=["solution"]
# ## Exercise 2: coverage from PIT values
#
# The central interval of level $\ell$ is the set of $y$ whose CDF value lies between $(1-\ell)/2$ and
# $(1+\ell)/2$, so counting PIT values in that range counts the targets inside the interval.


# %% tags=["stub"]
def fraction_inside(u, level):
    # TODO: the share of u with (1 - level) / 2 <= u <= (1 + level) / 2, as a float.
    ...


# %% tags=["solution"]
def fraction_inside(u, level):
    low, high = (1 - level) / 2, (1 + level) / 2
    return float(((u >= low) & (u <= high)).float().mean())


result = ml.checks.lesson05.check_fraction_inside(fraction_inside)
assert result.passed

# %% [markdown] tags=["solution"]
# A quick test on a mixture we know: draw targets from it, so its PIT values are uniform and every interval
# should cover its level; `predictions.coverage` agrees with our count. (In the lesson,
# `fraction_inside(pit[best_k], 0.9)` reproduces the 90% row of the coverage table.)

# %% tags=["solution"]
n = 4000
params = ml.MixtureParams(
    torch.log(torch.tensor([[0.3, 0.7]])).expand(n, 2),
    torch.tensor([[[-2.0], [3.0]]]).expand(n, 2, 1),
    torch.tensor([[[0.5], [1.0]]]).expand(n, 2, 1),
)
y = predictions.sample(params, generator=torch.Generator().manual_seed(0))[:, 0, :]  # (n, 1): one draw per mixture
u = predictions.mixture_cdf(params, y)
for level in (0.5, 0.9):
    print(
        f"level {level:.0%}: fraction_inside {fraction_inside(u, level):.3f},"
        f" predictions.coverage {predictions.coverage(params, y, level)[level]:.3f}"
    )

# %%
result = ml.checks.lesson05.check_fraction_inside(fraction_inside)


# %% [markdown]
# ## 4 · When training goes wrong: why does my loss become NaN?
#
# The recipe behind `ml.MDN` and `ml.fit` exists because each of its parts fixes a failure that MDN users meet
# again and again. To see them we need a model and a training loop without those parts:
#
# - `NaiveMDN` is `ml.MDN` with its scales computed as $\sigma = e^{\text{raw}}$, with no floor (the plain
#   textbook choice): `ml.MDN(..., scale_map="exp", min_scale=0)`, with its raw scales starting where
#   `ml.MDN`'s do. It keeps everything else, including the standardisation of $x$ and $y$.
# - `plain_adam` trains with Adam at a fixed learning rate: no warm-up, no decay, no gradient clipping. It stops
#   and says so at the first NaN or infinite loss, instead of crashing.


# %%
def NaiveMDN(in_features, out_features, n_components):
    """ml.MDN without its σ floor: σ = exp(raw output), which can reach exactly 0 or infinity.

    Its raw scales start where ml.MDN's do (softplus(raw) = 1/K), so σ starts at exp(raw) = e^(1/K) - 1.
    """
    start = math.expm1(1 / n_components)
    return ml.MDN(in_features, out_features, n_components, scale_map="exp", min_scale=0, start_scale=start)


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
naive_losses = plain_adam(NaiveMDN(1, 1, n_components=8), x_train, y_train, steps=STEPS, lr=0.3, show_first=5)

# %% [markdown]
# After one step the scales range from about $10^{-11}$ to $10^{26}$; a step later the largest is infinite in
# float32. Infinity minus infinity, or zero times infinity, is NaN, and one NaN in the loss puts NaN into every weight at the next update. The fixes, one at a time:
#
# 1. **A σ floor**: `ml.MDN` computes $\sigma = \mathrm{softplus}(\text{raw}) + \sigma_{\min}$. Softplus grows
#    linearly, not exponentially, and the floor keeps σ away from 0. Same learning rate, same plain Adam.
# 2. **The schedule and clipping** of `ml.fit`: the learning rate warms up over the first steps, then decays along a
#    cosine; the gradient norm is clipped. Same learning rate of 0.3 at its peak.

# %%
torch.manual_seed(8)
floored = ml.MDN(1, 1, n_components=8)
floored_losses = plain_adam(floored, x_train, y_train, steps=STEPS, lr=0.3)
torch.manual_seed(8)
recipe = ml.MDN(1, 1, n_components=8)
recipe_history = ml.fit(recipe, x_train, y_train, steps=STEPS, lr=0.3, seed=0)
print(
    f"validation NLL, lr = 0.3:  floor only {nll(floored, x_val, y_val):.3f},"
    f"  floor + schedule + clipping {nll(recipe, x_val, y_val):.3f}"
)
print(f"the recipe at its default lr = 0.02 (the K = 8 model above): {val_nll[8]:.3f};  Bayes limit {bayes_val:.3f}")
ml.plots.training_curves(
    {"floor only, plain Adam": floored_losses, "recipe (ml.fit)": recipe_history.loss},
    reference=bayes_val,
    title="Training at lr = 0.3",
    ylabel="training NLL (nats, log scale)",
)
plt.yscale("log")
plt.show()

# %% [markdown]
# The floor alone stops the NaN but not the damage: the loss jumps around by tens of nats and the run ends far
# worse than even one Gaussian (the $K = 1$ row of the table). With warm-up, decay and clipping the same peak
# learning rate trains, though not as well as a sensible one. A NaN is the loud symptom of a learning rate that is too high; a model stuck at a poor
# loss is the quiet one.
#
# ### σ collapse: a spike on repeated values
#
# The likelihood of a Gaussian grows without bound as σ shrinks onto a point: $\mathcal N(\mu; \mu, \sigma^2) =
# 1/(\sigma\sqrt{2\pi})$. With continuous data no component can sit on many points at once, but real data often
# has **repeated values**: a sensor that reports whole numbers, prices in steps, a value stuck at a default. Here
# are the same targets recorded to the nearest even number. For each $x$ the targets now take a handful of exact
# values, and a component that sits on one of them can shrink its σ for ever, sending the NLL towards $-\infty$. We
# train three models with `ml.fit` and record the smallest σ over the grid of $x$ every 25 steps:
#
# - `NaiveMDN` (no floor) on the rounded targets;
# - `ml.MDN` (softplus and a floor of `min_scale` = 0.001 standardised units) on the rounded targets;
# - `ml.MDN` on **dequantised** targets: the rounded values plus uniform noise on $[-1, 1]$, which spreads each
#   repeated value back over the interval it stands for.

# %%
y_rounded = 2 * torch.round(y_train / 2)  # the targets recorded to the nearest even number
spread = 2 * torch.rand(y_train.shape, generator=torch.Generator().manual_seed(0)) - 1
runs = {
    "no floor, rounded targets": (NaiveMDN, y_rounded),
    "floor, rounded targets": (ml.MDN, y_rounded),
    "floor, dequantised targets": (ml.MDN, y_rounded + spread),
}
fig, ax = plt.subplots(figsize=(7, 4))
for name, (model_class, targets) in runs.items():
    torch.manual_seed(8)
    model = model_class(1, 1, n_components=8)
    history = ml.fit(model, x_train, targets, steps=STEPS, seed=0, snapshot_every=25, snapshot_x=x_grid)
    smallest = [float(shot.output.scales.min()) for shot in history.snapshots]
    ax.semilogy([shot.step for shot in history.snapshots], smallest, label=name)
    print(f"{name:27s} training NLL {nll(model, x_train, targets):6.2f}   smallest σ {smallest[-1]:.4f}")
floor = model.min_scale * float(y_rounded.std(unbiased=False))  # ml.MDN's floor, in the units of y
ax.axhline(floor, color="black", ls=":", label="the floor, min_scale × std(y)")
ax.set(title="σ collapse on repeated target values", xlabel="step", ylabel="smallest σ over x (log scale)")
ax.legend(fontsize="small")
print(f"Bayes limit of the continuous data, for comparison: {bayes_val:.3f}")
plt.show()


# %% [markdown]
# On the rounded targets both models reach a training NLL far *below* the Bayes limit of the continuous problem,
# impossible for an honest density of continuous data: components have shrunk onto repeated values. Without a
# floor nothing stops the shrinking; σ only keeps falling, the gradients grow like $1/\sigma^2$, and one large
# step then produces the 0 or infinity of the previous experiment. With the floor, σ can never go below
# $\sigma_{\min}\cdot\mathrm{std}(y)$ (the dotted line), so each point can gain at most
# $-\log(\sigma_{\min}\,\mathrm{std}(y)\sqrt{2\pi})$ nats and the loss stays finite, but the model still spends its
# components on spikes. The real fix is in the data: dequantised targets are continuous again, with no exact
# value to collapse onto; the smallest σ stays ten times larger and the NLL is an honest one (higher than the
# Bayes limit of the unrounded data, because rounding and spreading added noise).
#
# ### Crowding: components that start together stay together
#
# `ml.MDN` starts its $K$ component means spread over the targets (at the $K$ quantiles of a standard normal, in
# standardised units) with small output weights, so each component starts near a different part of the data. Two
# common alternatives go wrong:
#
# - a **zero-initialised output layer** (a popular trick in other networks): every component starts identical,
#   receives the identical gradient, and stays identical for ever, so $K$ components act as one Gaussian;
# - **all means at 0** with the small random weights kept: the components start in one place and have to push
#   each other apart; some are left with no data and fade out.
#
# How `ml.MDN` starts is an option of its constructor: `mean_start="zero"` puts every mean at 0, and
# `output_weights="zero"` zeroes the output layer's weights and makes the $K$ weights equal. A zeroed layer also
# outputs 0 for every raw scale, so its σ starts at $\mathrm{softplus}(0) = \log 2$ (`start_scale=math.log(2)`).

# %%
STARTS = {  # ml.MDN's options for each start; a zeroed layer's raw scales are 0, so σ = softplus(0) = log 2
    "zero output layer": {"output_weights": "zero", "mean_start": "zero", "start_scale": math.log(2)},
    "all means at 0": {"mean_start": "zero"},
}


def mdn_with_start(start):
    torch.manual_seed(8)
    model = ml.MDN(1, 1, n_components=8, **STARTS[start])
    ml.fit(model, x_train, y_train, steps=STEPS, seed=0)
    return model


starts = {
    "zero output layer": mdn_with_start("zero output layer"),
    "all means at 0": mdn_with_start("all means at 0"),
    "spread means (ml.MDN)": mdn,
}
fig, axes = plt.subplots(1, 3, figsize=(17, 4.2), sharey=True)
for (name, model), ax in zip(starts.items(), axes):
    with torch.no_grad():
        params = model(x_grid)
    in_use = int((params.log_weights.exp().max(dim=0).values > 0.05).sum())
    apart = float((params.means.max(dim=1).values - params.means.min(dim=1).values).max())
    print(
        f"{name:22s} validation NLL {nll(model, x_val, y_val):.3f};  components with > 5% weight somewhere: "
        f"{in_use};  largest distance between two component means: {apart:.2f}"
    )
    ml.plots.component_bands(model, x_grid, ax=ax, data=(x_train, y_train), title=f"start: {name}")
plt.show()

# %% [markdown]
# The zero-initialised layer gives exactly the single-Gaussian fit (its NLL matches the $K = 1$ row): all eight
# bands lie on top of each other, between the branches. Starting all means at 0 trains, but ends worse than the
# spread start with the same budget: only four components carry weight, and each one jumps from branch to branch
# instead of following one.
#
# ### The log of a softmax
#
# The mixture NLL needs $\log \pi_k$. Computing the weights with `softmax` and then taking `log` looks harmless,
# but when one logit exceeds another by more than about 104, the smaller weight is below the smallest float32
# number: softmax returns exactly 0, and $\log 0 = -\infty$. `torch.log_softmax` computes
# $z_k - \operatorname{logsumexp}_j z_j$ directly and never takes the log of 0. Two components, logits 0 and 110,
# and a target right on the first component, 20 σ away from the second:

# %%
logits = torch.tensor([[0.0, 110.0]], requires_grad=True)  # (N=1, K=2)
means = torch.tensor([[[0.0], [20.0]]])  # (1, 2, 1)
scales = torch.ones(1, 2, 1)
target = torch.tensor([[0.0]])
ways = {
    "log(softmax(logits))": lambda z: torch.log(torch.softmax(z, dim=1)),
    "log_softmax(logits)": lambda z: torch.log_softmax(z, dim=1),
}
for name, log_weights_of in ways.items():
    logits.grad = None
    loss = -ml.losses.mixture_log_prob(log_weights_of(logits), means, scales, target).mean()
    loss.backward()
    gradient = [round(g, 3) for g in logits.grad[0].tolist()]
    print(f"{name:21s} NLL {float(loss.detach()):8.3f}   gradient with respect to the logits {gradient}")


# %% [markdown]
# With `log(softmax)` the first component's log-weight is $-\infty$: the NLL is wrong (it ignores the component the
# target sits on) and its gradient is NaN, because the derivative of $\log$ at 0 is $1/0$. The loss printed is
# finite, so nothing looks wrong until the next step fills the network with NaN. `log_softmax` gives the right
# NLL ($\approx 110 + 0.92$) and a clean gradient. The same holds for the sum over components: use `logsumexp`,
# never `log(sum(exp(...)))` (lesson 02).
#
# ### The recipe, ingredient by ingredient
#
# Everything `ml.MDN` and `ml.fit` do by default, where it lives, and what goes wrong without it:
#
# | ingredient | where | without it |
# |---|---|---|
# | $\sigma = \mathrm{softplus}(\text{raw}) + \sigma_{\min}$ | `ml.MDN(..., scale_map="softplus", min_scale=1e-3)`, in `models.MixtureHead` | $e^{\text{raw}}$ reaches 0 or ∞ after one big step (NaN); on repeated values σ → 0 and the NLL → −∞ |
# | `log_softmax` for the weights, `logsumexp` over the components | `models.MixtureHead`, `mixture.mixture_log_prob` | $\log 0 = -\infty$ and NaN gradients; exp-then-log underflows (lesson 02) |
# | means spread over the $K$ standard-normal quantiles, output weights × 0.1 | `ml.MDN(..., mean_start="spread", output_weights="small")`, `models.spread_means` | identical starts stay identical; crowded starts waste components |
# | $x$ and $y$ standardised inside the model | `models.py`, `Standardizer` | the spread means and the floor would not match the data's scale; one learning rate would not suit every data set |
# | learning-rate warm-up (100 steps), then cosine decay to 1% | `train.py`, `fit` | the first full-size steps throw σ to extremes or let one component grab all the data; no fine finish |
# | a number of steps that grows with the data, $12\sqrt{n}$ clipped to [200, 1500] | `train.py`, `step_budget` | small data sets overfit when trained as long as large ones need; large ones stop short |
# | gradient-norm clipping (5.0) | `train.py`, `fit` | one batch that meets a tiny σ has an enormous gradient and throws the weights far away |
#
# **Why does my loss become NaN?** A checklist, in the order to try:
# 1. Weights: `log_softmax`, never `log(softmax(...))`. Mixture: `logsumexp`, never `log(sum(exp(...)))`.
# 2. Scales: softplus plus a floor, not a bare `exp`.
# 3. Learning rate: lower it, warm it up, clip the gradient norm.
# 4. Data: repeated or rounded target values (dequantise them), NaN or infinite values, unstandardised scales.
#
# ### Exercise 3: a mixture NLL that cannot become NaN
#
# Write `safe_mixture_nll(logits, means, raw_scales, y)`: the mean NLL of `y` (N, 1) under the mixture whose
# log-weights come from the raw `logits` (N, K) and whose scales are $\mathrm{softplus}(\text{raw}) + 0.001$ from
# `raw_scales` (N, K, 1); `means` is (N, K, 1). The checker feeds it extreme raw outputs (a logit gap of 200, raw
# scales of −200 and +100): both its value and its gradient must stay finite. `ml.losses.mixture_log_prob` does the
# logsumexp for you.

# %% [markdown] tags=["solution"]
# ## Exercise 3: a mixture NLL that cannot become NaN
#
# Three safe pieces: `log_softmax` (no log of an exact 0), softplus plus a floor (σ is never 0, and grows only
# linearly with the raw output, so never infinite), and `mixture_log_prob`, which combines the components with
# `logsumexp`.


# %% tags=["stub"]
def safe_mixture_nll(logits, means, raw_scales, y):
    # TODO: log-weights with torch.log_softmax, scales with torch.nn.functional.softplus(...) + 1e-3,
    # then minus the mean of ml.losses.mixture_log_prob(log_weights, means, scales, y).
    ...


# %% tags=["solution"]
def safe_mixture_nll(logits, means, raw_scales, y):
    log_weights = torch.log_softmax(logits, dim=1)
    scales = torch.nn.functional.softplus(raw_scales) + 1e-3
    return -ml.losses.mixture_log_prob(log_weights, means, scales, y).mean()


result = ml.checks.lesson05.check_safe_mixture_nll(safe_mixture_nll)
assert result.passed

# %% [markdown] tags=["solution"]
# The same extreme outputs through the naive version (`exp` scales, `log(softmax)`) give NaN or infinity, through
# the safe one a finite loss with a finite gradient:

# %% tags=["solution"]
logits = torch.tensor([[0.0, 200.0, 0.0]], requires_grad=True)
means = torch.tensor([[[0.0], [20.0], [1.0]]])
raw_scales = torch.tensor([[[-200.0], [0.0], [100.0]]], requires_grad=True)
y = torch.tensor([[0.0]])

naive = -ml.losses.mixture_log_prob(torch.log(torch.softmax(logits, dim=1)), means, torch.exp(raw_scales), y).mean()
safe = safe_mixture_nll(logits, means, raw_scales, y)
safe.backward()
finite = bool(torch.isfinite(logits.grad).all() and torch.isfinite(raw_scales.grad).all())
print(f"naive NLL: {float(naive.detach())}")
print(f"safe NLL: {float(safe.detach()):.3f};  gradients finite: {finite}")

# %%
result = ml.checks.lesson05.check_safe_mixture_nll(safe_mixture_nll)

# %% [markdown]
# ## Recap
#
# - An MDN's density can be reduced to **samples** (`predictions.sample`; temperature $T$: weights $\propto \pi^{1/T}$,
#   scales $\times\sqrt T$, only $T = 1$ samples the model), the **mode** (`predictions.mixture_mode`; the most probable
#   component's mean is a cheap stand-in that depends on how the fit split the branches), the **mean** and
#   **central intervals** (`predictions.central_interval`).
# - The **mixture mean** $\sum_k \pi_k \mu_k$ is $\mathbb E[y \mid x]$, the answer of a net trained with MSE. On
#   multimodal data it lies between the branches, where the data never are. Pick the answer the application needs:
#   one action → the mode; squared-error cost → the mean; a forecast → the density.
# - Judge on held-out data: the **NLL** against the **Bayes limit** (when it is known) measures the distance to the
#   truth; choose $K$ on a **validation** set and report on a **test** set. Here the NLL stops improving at
#   $K = 5$, the largest number of branches.
# - **Calibration**: PIT values $F(y_n \mid x_n)$ are uniform for an honest model (flat histogram, small KS
#   distance), and its central intervals contain the truth as often as promised (**coverage**).
# - The loss becomes NaN from: $\log$ of an exact 0 (use `log_softmax` and `logsumexp`), σ reaching 0 or ∞ (use
#   softplus and a floor), a learning rate too high (warm up, decay, clip). Repeated target values make σ collapse
#   (dequantise them); identical or crowded starts waste components (spread the initial means).
#
# **Next:** [06 · The robot arm](06_robot_arm.ipynb): an inverse problem with two-dimensional answers, where the
# mode is the pose a robot can use and the mean is a pose that misses.
