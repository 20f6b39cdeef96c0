# %% [markdown]
# # 03 · Why mean squared error fails on one-to-many data
#
# This lesson shows why a neural network trained with **mean squared error** (MSE) cannot solve a problem in
# which one input has several correct outputs. On an ordinary regression problem, $y = f(x) + \text{noise}$, an
# MSE net fits the curve well. Turn the same data on its side, so that one $x$ has several possible $y$, and the
# same net draws a smooth line *between* the branches, through places where there is no data at all. We derive
# why (the minimiser of expected squared error is the conditional mean $\mathbb{E}[y \mid x]$), show that giving
# the net a learned standard deviation $\sigma$ does not help, and measure how far such a model is from the best
# possible negative log-likelihood: the gap that lesson 04's Mixture Density Network has to close.
#
# ## Learning objectives
#
# - Fit a regression net with MSE to $y = f(x) + \text{noise}$ and see it learn $f$, down to the noise.
# - Recognise a one-to-many (inverse) problem and see an MSE net follow the conditional mean between its
#   branches.
# - Derive that the function minimising the expected squared error is $\mathbb{E}[y \mid x]$, and that its
#   error is the conditional variance.
# - Explain why a single Gaussian with a learned $\sigma$ fails in the same way, and compare its held-out NLL
#   with the Bayes limit.
#
# ## Setup

# %% tags=["exercise"]
import matplotlib.pyplot as plt
import numpy as np
import torch

import mdn_lessons as ml
from mdn_lessons import conditional  # binned conditional means and the true branches

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## 1. The forward problem: MSE works
#
# We start where regression is at home. Draw $x$ uniformly from $[-10, 10]$ and set
#
# $$
# y = 7 \sin(0.75\,x) + 0.5\,x + \varepsilon, \qquad \varepsilon \sim \mathcal{N}(0, 1),
# $$
#
# so each $x$ has one $y$, plus noise. `ml.data.sine` makes 1000 such pairs, as float32 tensors of shape
# (N, 1).

# %%
x_forward, y_forward = ml.data.sine(n=1000, noise=1.0, seed=0)
print("x:", tuple(x_forward.shape), "  y:", tuple(y_forward.shape))

# %% [markdown]
# The model is `ml.MLP(1, 1)`: three hidden layers of 20 tanh units and one output $\hat y(x)$. It is trained
# to minimise the mean squared error between its predictions and the targets,
#
# $$
# \text{MSE} = \frac{1}{N} \sum_{n=1}^{N} \big(\hat y(x_n) - y_n\big)^2 .
# $$
#
# `ml.fit` trains it with the course's recipe: Adam on mini-batches of 256 points with a learning rate that
# warms up and then decays (lesson 05 explains each part of the recipe).

# %%
torch.manual_seed(0)
forward_net = ml.MLP(1, 1)
forward_history = ml.fit(forward_net, x_forward, y_forward)
print(f"final training MSE: {forward_history.final_loss:.3f}")

# %% [markdown]
# The loss ends near 1, the variance of the noise $\varepsilon$. That is as low as it can go: what is left is
# the noise itself, which no function of $x$ can predict.
#
# **Predictions against targets.** The loss must compare the predictions with the *targets* $y$. Comparing
# them with the *inputs* $x$ instead is an easy slip, and such a loss still goes
# down (the net learns to copy its input), so nothing crashes and the bug is easy to miss. `ml.MLP` compares
# with the targets; here is the check from the outside, on the training data:

# %%
with torch.no_grad():
    prediction = forward_net(x_forward)
print(f"MSE against the targets y: {((prediction - y_forward) ** 2).mean():7.3f}   (what the net was trained on)")
print(f"MSE against the inputs x:  {((prediction - x_forward) ** 2).mean():7.3f}   (the mistaken loss)")

# %% [markdown]
# The error against the targets matches the training loss, so the net was trained on the right comparison.
# The picture agrees: the red line follows the true curve through the middle of the noise.

# %%
x_line = torch.linspace(-10, 10, 400).unsqueeze(1)
with torch.no_grad():
    forward_line = forward_net(x_line)

ax = ml.plots.scatter_data(x_forward, y_forward, title="Forward problem: y = f(x) + noise")
ax.plot(x_line, ml.data.wave(x_line), color="black", lw=1, ls="--", label="true f(x)")
ax.plot(x_line, forward_line, color="C2", lw=2, label="MSE net")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# ## 2. Turn it on its side
#
# Now swap the roles of the two variables: draw $y$ uniformly from $[-10, 10]$, set
# $x = 7 \sin(0.75\,y) + 0.5\,y + \varepsilon$, and ask the net to predict $y$ from $x$. This is the
# **inverted sine** of lesson 00. For most $x$ several values of $y$ are correct: at $x = 0$ there are five
# branches. We train on 3000 pairs and keep 5000 fresh pairs (another seed) aside as a test set.

# %% tags=["exercise"]
x, y = ml.data.inverted_sine(n=3000, noise=1.0, seed=0)
x_test, y_test = ml.data.inverted_sine(n=5000, noise=1.0, seed=1)

# %% [markdown]
# Same net, same recipe, same training code:

# %%
torch.manual_seed(0)
mse_net = ml.MLP(1, 1)
mse_history = ml.fit(mse_net, x, y)
print(f"final training MSE: {mse_history.final_loss:.2f}")

# %% [markdown]
# The loss stays above 20, twenty times the noise variance. To see what the net has learned, we compare it
# with the **conditional mean** $\mathbb{E}[y \mid x]$ estimated from the data alone, with no model: cut the
# $x$ axis into 40 bins and average the $y$ values in each (`conditional.binned_mean`; bins with fewer than
# 10 points are left out). The dashed line is the noise-free curve, the true branches.

# %%
binned = conditional.binned_mean(x, y, bins=40)
branch_x, branch_y = conditional.inverted_sine_branches()
x_grid = torch.linspace(float(x.min()), float(x.max()), 400).unsqueeze(1)
with torch.no_grad():
    mse_line = mse_net(x_grid)

ax = ml.plots.scatter_data(x, y, title="Inverted sine: the MSE net follows the conditional mean")
ax.plot(branch_x, branch_y, color="black", lw=0.8, ls="--", label="true branches")
ax.plot(x_grid, mse_line, color="C2", lw=2, label="MSE net")
ax.plot(binned.centres, binned.means, "o", color="C0", ms=4, label="binned mean of y")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The red line does not follow any branch. It runs through the middle of them, close to the blue dots, and in
# many places where there is no data at all. It is not under-trained either: measured on the training data,
# its squared error is the same as that of the binned means, which predict every $y$ by the average of its
# bin.

# %%
with torch.no_grad():
    at_centres = mse_net(torch.tensor(binned.centres, dtype=torch.float32).unsqueeze(1))[:, 0].numpy()
    net_mse = float(((mse_net(x) - y) ** 2).mean())
filled = ~np.isnan(binned.means)
print(f"average distance between the net and the binned means: {np.abs(at_centres - binned.means)[filled].mean():.2f}")
print(f"MSE of the net:                                        {net_mse:.2f}")
print(f"MSE of predicting each y by its bin's mean:            {binned.pooled_variance:.2f}")

# %% [markdown]
# ## 3. Why: squared error is minimised by the conditional mean
#
# Take any prediction function $f$. The expected squared error over the data's distribution is an average over
# $x$ of the error at each $x$:
#
# $$
# \mathbb{E}\big[(y - f(x))^2\big] = \mathbb{E}_x\Big[\, \mathbb{E}\big[(y - f(x))^2 \,\big|\, x\big] \Big].
# $$
#
# Fix $x$, write $c = f(x)$ for the prediction there and $m(x) = \mathbb{E}[y \mid x]$. Add and subtract $m$
# inside the square:
#
# $$
# \mathbb{E}\big[(y - c)^2 \mid x\big]
# = \mathbb{E}\big[(y - m)^2 \mid x\big] + 2\,(m - c)\,\underbrace{\mathbb{E}[\,y - m \mid x\,]}_{=\,0} + (m - c)^2
# = \operatorname{Var}[y \mid x] + \big(m(x) - c\big)^2 .
# $$
#
# The first term does not depend on the prediction; the second is zero exactly when $c = m(x)$. So the best
# prediction under squared error is
#
# $$
# f^*(x) = \mathbb{E}[y \mid x], \qquad \text{with the smallest possible error } \mathbb{E}_x\big[\operatorname{Var}[y \mid x]\big].
# $$
#
# That is the printout above: a flexible net, trained long enough on enough data, approaches $f^*$, and its
# error approaches the average conditional variance. When $p(y \mid x)$ has one bump, $f^*$ sits on it and all
# is well. When it has several branches, $\mathbb{E}[y \mid x]$ is an average of the branches weighted by how
# much data each holds, and an average of separate branches usually lies on none of them.
#
# **The absolute error is no cure.** A net trained on $|y - \hat y(x)|$ instead learns the conditional
# **median**: the derivative of $\mathbb{E}\big[|y - c| \,\big|\, x\big]$ with respect to $c$ is
# $P(y < c \mid x) - P(y > c \mid x)$, zero where half of the probability lies on each side. With several
# branches that point can fall in a gap too. At $x = 5$ three branches cross; here are the median and the mean of
# the training $y$ whose $x$ lies within 0.5 of 5, and the exact density $p(y \mid x = 5)$ at each:

# %%
x0 = 5.0
t = np.linspace(-10, 10, 200_001)
above = ml.data.wave(t) >= x0
print("noise-free branches at y =", t[1:][above[1:] != above[:-1]].round(2).tolist())
near = y[(x - x0).abs() < 0.5]  # 1-D: the y of the training points near x0
y_fine = torch.linspace(-10, 10, 2001).unsqueeze(1)
exact = ml.data.inverted_sine_log_prob(torch.full_like(y_fine, x0), y_fine, noise=1.0).exp()  # p(y | x0), (2001,)
for name, value in (("median", near.median()), ("mean", near.mean())):
    height = exact[torch.argmin((y_fine[:, 0] - value).abs())] / exact.max()
    print(f"{name:>6} of {len(near)} points: {value:5.2f}, where p(y | x = 5) is {height:.2f} of its peak")

# %% [markdown]
# The median, 2.98, lies between the lowest branch and the middle one, where the exact density is an eighth of
# its peak: a value that hardly ever occurs, like the conditional mean in the figure above. (Here the mean,
# 1.22, happens to lie on the flank of the lowest branch.) No single number per $x$ can stand for several
# branches; the rest of the course models the whole distribution instead.
#
# ## 4. A learned σ does not help
#
# Could a probabilistic model do better? Give the net two outputs for each $x$, a mean $\mu(x)$ and a standard
# deviation $\sigma(x) > 0$, and train it to make the data likely under $\mathcal{N}(y; \mu(x), \sigma(x)^2)$:
# minimise the negative log-likelihood (NLL) of lesson 01,
#
# $$
# \text{NLL} = \frac{1}{N} \sum_{n=1}^{N} \Big[ \log \sigma(x_n) + \frac{\big(y_n - \mu(x_n)\big)^2}{2\,\sigma(x_n)^2}
# + \tfrac{1}{2} \log 2\pi \Big].
# $$
#
# At a fixed $x$ this is the NLL of one Gaussian fitted to the $y$ values found there, and lesson 01 solved that
# in closed form: the best $\mu$ is their mean and the best $\sigma^2$ their variance. So training drives
# $\mu(x)$ to $\mathbb{E}[y \mid x]$ again, the same line as the MSE net, and $\sigma(x)^2$ to
# $\operatorname{Var}[y \mid x]$: a band wide enough to cover every branch. One bump cannot sit on several
# branches at once.
#
# `ml.MDN(1, 1, n_components=1)` is exactly this net: a "mixture" of one Gaussian, whose weight is always 1, with
# a learned mean and a learned $\sigma$ (lesson 04 builds the general case). We train it with the same recipe.

# %%
torch.manual_seed(0)
gauss_net = ml.MDN(1, 1, n_components=1)
gauss_history = ml.fit(gauss_net, x, y)
print(f"final training NLL: {gauss_history.final_loss:.3f} nats")

# %%
with torch.no_grad():
    single = gauss_net(x_grid)  # a mixture of one Gaussian per x: means and scales of shape (400, 1, 1)
mu_line, sigma_line = single.means[:, 0, 0], single.scales[:, 0, 0]

ax = ml.plots.scatter_data(x, y, title="One Gaussian with a learned σ: mean ± σ")
ax.fill_between(x_grid[:, 0], mu_line - sigma_line, mu_line + sigma_line, color="C0", alpha=0.25, label="μ(x) ± σ(x)")
ax.plot(x_grid[:, 0], mu_line, color="C0", lw=2, label="mean μ(x)")
ax.plot(x_grid, mse_line, color="C2", lw=1.5, ls="--", label="MSE net")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The mean (blue) runs along the MSE net's line (dashed red), and the $\pm\sigma$ band is wide: it covers the
# gaps between the branches, where there is no data, as generously as the branches themselves.
#
# A vertical slice makes the mismatch plain. At $x = 0$ the exact conditional density $p(y \mid x = 0)$ of the
# inverted sine is known (we generated the data; `ml.data.inverted_sine_log_prob` computes it by Bayes' rule):
# five narrow peaks. The single Gaussian puts one broad bump over all of them.

# %%
y_slice = torch.linspace(-12, 12, 600).unsqueeze(1)
x_zero = torch.zeros_like(y_slice)
exact_density = ml.data.inverted_sine_log_prob(x_zero, y_slice, noise=1.0).exp()
with torch.no_grad():
    gauss_density = gauss_net.log_prob(x_zero, y_slice).exp()

fig, ax = plt.subplots()
ax.plot(y_slice, exact_density, color="black", label="exact p(y | x = 0)")
ax.plot(y_slice, gauss_density, color="C1", lw=2, label="single Gaussian")
ax.set(title="A vertical slice at x = 0", xlabel="y", ylabel="density", ylim=(0, 0.5))
ax.legend(loc="upper center", ncols=2)
plt.show()

# %% [markdown]
# ## 5. The number to beat
#
# How good is a density model? Score it by its NLL on the held-out test set: lower is better. For this data we
# can also compute the best score any model can reach, the **Bayes limit**: the NLL of the exact conditional
# density, $-\frac{1}{N}\sum_n \log p(y_n \mid x_n)$. No model can beat it on average, because the data were
# drawn from that very density.

# %%
with torch.no_grad():
    gauss_nll = float(-gauss_net.log_prob(x_test, y_test).mean())
bayes_nll = float(-ml.data.inverted_sine_log_prob(x_test, y_test, noise=1.0).mean())
print(f"held-out NLL of the single Gaussian: {gauss_nll:.3f} nats")
print(f"Bayes limit (exact density):         {bayes_nll:.3f} nats")
print(f"gap to close:                        {gauss_nll - bayes_nll:.3f} nats")


# %% [markdown]
# The gap is about 1.57 nats per test point: on average (a geometric average) the exact density gives each test
# point $e^{1.57} \approx 4.8$ times as much density as the single Gaussian does. Exercise 2 shows that no single
# Gaussian per $x$ can do much better: the limit is in the model, not in the training. Lesson 04's Mixture
# Density Network closes nearly all of this gap.

# %% [markdown] tags=["exercise"]
# ## Exercises
#
# ### Exercise 1: the conditional mean at one x, by hand
#
# The binned means above estimate $\mathbb{E}[y \mid x]$ without any model. Write
# `conditional_mean(x, y, x0, half_width)`, the same estimate at one point $x_0$ from the samples whose $x$ lies
# within `half_width` of `x0` ($|x - x_0| <$ `half_width`). `x` and `y` have shape (N, 1); return a number. Then
# compare `conditional_mean(x, y, 0.0, 0.25)` with the MSE net's prediction at $x = 0$,
# `mse_net(torch.zeros(1, 1))`: which branch, if any, does either of them sit on?


# %% tags=["stub"]
def conditional_mean(x, y, x0, half_width):
    """Estimate E[y | x = x0] from samples x, y of shape (N, 1); returns a float."""
    # TODO: the estimate from the samples whose x lies within half_width of x0 (and from no others).
    ...


# %% [markdown] tags=["solution"]
# A boolean mask picks the samples in the window. `x` has shape (N, 1), so the mask has too, and `y[mask]` is
# the 1-D tensor of the chosen $y$ values.


# %% tags=["solution"]
def conditional_mean(x, y, x0, half_width):
    """Estimate E[y | x = x0] from samples x, y of shape (N, 1); returns a float."""
    mask = (x - x0).abs() < half_width
    return float(y[mask].mean())


# %% tags=["exercise"]
result = ml.checks.lesson03.check_conditional_mean(conditional_mean)

# %% [markdown] tags=["solution"]
# At $x = 0$ the five branches sit symmetrically around $y = 0$ (the wave is an odd function), so the exact
# conditional mean there is 0: on the middle branch, and halfway between each pair of outer ones. A window
# holds only a few dozen samples spread over all five branches, so the estimate carries a statistical error:
# the standard deviation of those $y$ divided by the square root of their number.

# %% tags=["solution"]
window = (x - 0.0).abs() < 0.25
estimate = conditional_mean(x, y, 0.0, 0.25)
standard_error = float(y[window].std() / window.sum().sqrt())
print(f"E[y | x ≈ 0] from {int(window.sum())} samples: {estimate:.2f} ± {standard_error:.2f}")

# %% [markdown] tags=["exercise"]
# ### Exercise 2: the best a single Gaussian can do
#
# Section 4 said that at each $x$ the best single Gaussian has the conditional mean $m$ and variance $s^2$ of
# the data there. How low can the held-out NLL of such a model go?
#
# 1. On paper: the expected NLL of $\mathcal{N}(m, s^2)$ on data whose mean is $m$ and variance $s^2$. (It
#    depends on $s$ alone.)
# 2. Estimate $\operatorname{Var}[y \mid x]$ in 40 bins of $x$ on the **test** data with
#    `conditional.binned_mean(x_test, y_test, bins=40)` (its `variances` and `counts` per bin; a bin with too few
#    points has variance NaN), and turn your formula into one number: an average over the test points.
#
# Compare it with `gauss_nll` and with `bayes_nll`.

# %% tags=["stub"]
# TODO: the best held-out NLL (nats, a float) of a model with one Gaussian per x, from 40 bins of the test data:
# your formula for each bin, averaged over the test points.
best_single_gaussian_nll = ...

# %% [markdown] tags=["solution"]
# The NLL of one sample is $\frac{1}{2}\log(2\pi s^2) + \frac{(y - m)^2}{2 s^2}$, and the squared term averages
# to $\frac{s^2}{2 s^2} = \frac{1}{2}$, so
#
# $$
# \mathbb{E}\big[-\log \mathcal{N}(y; m, s^2)\big] = \tfrac{1}{2}\log(2\pi s^2) + \tfrac{1}{2} = \tfrac{1}{2}\log(2\pi e\, s^2).
# $$
#
# Every test point in a bin gets that bin's value, so the average over the test points is the average over the
# bins **weighted by their counts** (a plain average over bins would give a sparse bin as much say as a full
# one). Bins without an estimate are left out.

# %% tags=["solution"]
binned = conditional.binned_mean(x_test, y_test, bins=40)
filled = ~np.isnan(binned.variances)
per_bin = 0.5 * np.log(2 * np.pi * np.e * binned.variances[filled])
best_single_gaussian_nll = float(np.average(per_bin, weights=binned.counts[filled]))

bayes_nll = float(-ml.data.inverted_sine_log_prob(x_test, y_test, noise=1.0).mean())
print(f"best NLL of one Gaussian per x: {best_single_gaussian_nll:.3f} nats")
print(f"Bayes limit:                    {bayes_nll:.3f} nats")

# %% tags=["exercise"]
result = ml.checks.lesson03.check_best_single_gaussian_nll(best_single_gaussian_nll, x_test, y_test)

# %% [markdown] tags=["solution"]
# The trained single Gaussian of the lesson is only a few hundredths of a nat above this bound, so training is
# not what holds it back. (The bound is approximate: a bin of width about 0.7 in $x$ also counts the change of
# the mean across the bin as spread.) The remaining gap of about 1.5 nats to the Bayes limit belongs to the
# model: one bump per $x$.

# %% [markdown]
# ## Recap
#
# - On $y = f(x) + \text{noise}$, a net trained with MSE fits $f$: its loss falls to the noise variance. The
#   loss must compare predictions with the targets $y$, not the inputs $x$.
# - The function that minimises the expected squared error is the conditional mean $\mathbb{E}[y \mid x]$,
#   and its error is the average conditional variance $\mathbb{E}_x[\operatorname{Var}[y \mid x]]$.
# - On the inverted sine, where one $x$ has up to five answers, the MSE net follows the binned conditional
#   mean, between the branches and often where there is no data. The absolute error's minimiser, the
#   conditional median, can fall into a gap too (at $x = 5$ it lies between two branches).
# - A net with a learned mean and $\sigma$ (one Gaussian, trained on the NLL) learns the same mean and a band
#   wide enough to cover every branch. Its held-out NLL is about 1.5 nats above the Bayes limit, and no single
#   Gaussian per $x$ can do much better.
#
# **Next:** [04 · A Mixture Density Network, built by hand](04_mdn.ipynb) replaces the single Gaussian by a
# mixture whose weights, means and scales all depend on $x$, and closes that gap. Solutions to the exercises:
# [solutions/03_mse_fails_solutions.ipynb](solutions/03_mse_fails_solutions.ipynb).
