# %% [markdown]
# # 08 · An MDN, or something else?
#
# An MDN is not the only way to predict a whole conditional density $p(y \mid x)$. This lesson puts it beside three
# older methods and **measures** them, so that you can tell when an MDN is the right tool and when something simpler
# wins: **Gaussian mixture regression** (a Gaussian mixture on the joint $(x, y)$, fitted with the EM of lesson 02
# and then conditioned on $x$), a **kernel conditional density** (one Gaussian bump per training pair), and
# **quantile regression** (a net trained with the pinball loss, which gives intervals but no density). They are
# judged on the inverted sine, where the exact Bayes limit is known, then on a real data set, the eruptions of the
# Old Faithful geyser, and finally on the question that decides most real problems: what happens when the input
# has more than one dimension. About 60 minutes; the notebook runs in under half a minute.
#
# ## Learning objectives
#
# - Derive the conditional of a 2-D Gaussian and the new mixture weights once $x$ is known, and use them to turn a
#   joint Gaussian mixture into $p(y \mid x)$ (Gaussian mixture regression).
# - Fit four conditional-density methods and judge them with the held-out NLL against the Bayes limit, the PIT
#   calibration check of lesson 05, and what each can answer (density, samples, modes, intervals).
# - Explain why quantile curves run through the empty gaps between branches, and what the pinball loss estimates.
# - Measure how each method degrades when the input has more dimensions, useless or informative ones, and why each
#   degrades differently.
# - Choose a method for a new problem from a decision table built on these measurements.

# %% [markdown] tags=["exercise"]
# ## Setup

# %% tags=["exercise"]
import math

import matplotlib.pyplot as plt
import torch

import mdn_lessons as ml
from mdn_lessons import kernel_density as kd
from mdn_lessons import mixture_regression as mr
from mdn_lessons import predictions
from mdn_lessons import quantile_regression as qr

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## 1 · The contest
#
# The inverted sine of the whole course: $y$ uniform on $[-10, 10]$, $x = 7\sin(0.75\,y) + 0.5\,y + \varepsilon$
# with $\varepsilon \sim \mathcal N(0, 1)$, predict $y$ from $x$. Every method sees the same 1,000 training pairs
# (the size of the original demonstration the course grew from) and is judged on 2,000 fresh test pairs. Because we generated the data, the exact $\log p(y \mid x)$ is known,
# and its mean on the test set is the **Bayes limit**: the lowest expected NLL any model can reach. Each method's
# **gap** (its test NLL minus the limit, in nats) is how far it is from the truth.

# %% tags=["exercise"]
x_train, y_train = ml.data.inverted_sine(n=1000, seed=0)
x_test, y_test = ml.data.inverted_sine(n=2000, seed=1)
bayes_limit = float(-ml.data.inverted_sine_log_prob(x_test, y_test).mean())
x_grid = torch.linspace(-10, 10, 201).unsqueeze(1)
y_grid = torch.linspace(-11, 11, 221)
print(f"Bayes limit on the test set: {bayes_limit:.3f} nats")

# %% [markdown]
# ## 2 · Gaussian mixture regression: a joint mixture, conditioned on x
#
# Lesson 02 fitted a mixture of Gaussians to one variable with EM. Fit one instead to the **pairs**
# $z = (x, y)$, each component a 2-D Gaussian with a full covariance matrix, so that it can lie along a slanted
# piece of a branch:
#
# $$p(x, y) = \sum_k \pi_k\, \mathcal N\!\left(\begin{pmatrix} x \\ y \end{pmatrix};
#   \begin{pmatrix} \mu_{x,k} \\ \mu_{y,k} \end{pmatrix},
#   \begin{pmatrix} \Sigma_{xx,k} & \Sigma_{xy,k} \\ \Sigma_{xy,k} & \Sigma_{yy,k} \end{pmatrix}\right).$$
#
# EM is the same as in lesson 02, with one change in the M-step: each component's variance becomes a weighted
# covariance matrix, $\Sigma_k = \sum_n r_{nk} (z_n - \mu_k)(z_n - \mu_k)^\top / N_k$ (plus a small ridge on the
# diagonal, the full-covariance version of lesson 02's σ floor). Then **condition on $x$**; two facts do it.
#
# **The conditional of one 2-D Gaussian.** Write the exponent of $\mathcal N(x, y)$ with $u = x - \mu_x$,
# $v = y - \mu_y$ and collect the terms in $v$. With $\Sigma^{-1}$'s entries, the quadratic form is
# $\frac{\Sigma_{yy} u^2 - 2\Sigma_{xy} uv + \Sigma_{xx} v^2}{\Sigma_{xx}\Sigma_{yy} - \Sigma_{xy}^2}$; completing the
# square in $v$ gives
#
# $$\frac{\left(v - \frac{\Sigma_{xy}}{\Sigma_{xx}} u\right)^2}{\Sigma_{yy} - \Sigma_{xy}^2/\Sigma_{xx}}
#   + \frac{u^2}{\Sigma_{xx}} .$$
#
# The second term does not involve $y$: it is the marginal $\mathcal N(x; \mu_x, \Sigma_{xx})$. The first is a
# Gaussian in $y$, so
#
# $$p(y \mid x) = \mathcal N\!\left(y;\ \mu_y + \frac{\Sigma_{xy}}{\Sigma_{xx}}(x - \mu_x),\
#   \Sigma_{yy} - \frac{\Sigma_{xy}^2}{\Sigma_{xx}}\right).$$
#
# The conditional mean is a **straight line** in $x$ (slope $\Sigma_{xy}/\Sigma_{xx}$, the regression slope), and
# the conditional variance is **smaller** than $\Sigma_{yy}$ and the same for every $x$: knowing $x$ removes
# $\Sigma_{xy}^2/\Sigma_{xx}$ of it.
#
# **The new weights.** By Bayes' rule the probability that the pair came from component $k$, once $x$ is known, is
#
# $$\pi_k(x) = \frac{\pi_k\, \mathcal N(x; \mu_{x,k}, \Sigma_{xx,k})}{\sum_j \pi_j\, \mathcal N(x; \mu_{x,j},
#   \Sigma_{xx,j})},$$
#
# so $p(y \mid x) = \sum_k \pi_k(x)\, \mathcal N(y; m_k(x), s_k^2)$: a mixture whose weights depend on $x$ and
# whose means are lines. With several inputs the same formulas hold with matrices:
# $m_k(x) = \mu_{y,k} + \Sigma_{yx,k}\Sigma_{xx,k}^{-1}(x - \mu_{x,k})$ and
# $s_k^2 = \Sigma_{yy,k} - \Sigma_{yx,k}\Sigma_{xx,k}^{-1}\Sigma_{xy,k}$.
#
# `mr.fit_mixture_regression` runs EM for several $K$ and keeps the one with the lowest **BIC** (the training
# log-likelihood penalised by $\tfrac12\log N$ per parameter); `mr.condition_on_inputs` applies the formulas above.

# %% tags=["exercise"]
gmr = mr.fit_mixture_regression(x_train, y_train, n_components=(4, 8, 12, 16), seed=0)
gmr_params = mr.condition_on_inputs(gmr, x_test)
gmr_nll = float(-ml.losses.mixture_log_prob(*gmr_params, y_test).mean())
print(f"BIC chose K = {gmr.n_components}; EM ran {len(gmr.nll)} rounds (at most 300)")
print(f"test NLL {gmr_nll:.3f}, gap to the Bayes limit {gmr_nll - bayes_limit:.3f} nats")

# %% [markdown]
# On the left, the joint mixture: each ellipse is one component (two standard deviations), lying along a piece of a
# branch. On the right, the conditional density it implies: each column is the mixture at that $x$, with the
# components' straight-line means drawn on top.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.5))
left.scatter(x_train[:, 0], y_train[:, 0], s=2, alpha=0.3, color="grey")
angles = torch.linspace(0, 2 * math.pi, 100, dtype=torch.float64)
circle = torch.stack([angles.cos(), angles.sin()])
for mean, covariance in zip(gmr.means, gmr.covariances, strict=True):
    ellipse = mean[:, None] + 2 * torch.linalg.cholesky(covariance) @ circle
    left.plot(ellipse[0], ellipse[1], color="C1")
left.set(title=f"joint mixture, K = {gmr.n_components}", xlabel="x", ylabel="y", xlim=(-12, 12), ylim=(-11, 11))
ml.plots.conditional_heatmap(mr.condition_on_inputs(gmr, x_grid), x_grid, y_grid, ax=right, title="p(y | x)")
fig.tight_layout()
plt.show()

# %% [markdown] tags=["exercise"]
# ### Exercise 1: condition one 2-D Gaussian
#
# Write `condition_gaussian(mean, covariance, x)` for one component: `mean` is a tensor $(\mu_x, \mu_y)$ of shape
# (2,), `covariance` the (2, 2) matrix $\begin{pmatrix}\Sigma_{xx} & \Sigma_{xy}\\ \Sigma_{xy} &
# \Sigma_{yy}\end{pmatrix}$, `x` the observed inputs, shape (N,). Return `(means, variance)`: the conditional means
# of $y$, shape (N,), and the conditional variance (one number, or a tensor of shape () or (N,)). Decide first which
# entry of the covariance you divide by, and whether the variance should depend on $x$.


# %% tags=["stub"]
def condition_gaussian(mean, covariance, x):
    """p(y | x) of one 2-D Gaussian: (conditional means (N,), conditional variance)."""
    ...  # TODO: mean (2,), covariance (2, 2), x (N,) -> (means (N,), variance); no loops needed


# %% tags=["solution"]
def condition_gaussian(mean, covariance, x):
    """p(y | x) of one 2-D Gaussian: (conditional means (N,), conditional variance)."""
    slope = covariance[0, 1] / covariance[0, 0]  # Σ_xy / Σ_xx: divide by the variance of what is observed
    means = mean[1] + slope * (x - mean[0])
    variance = covariance[1, 1] - slope * covariance[0, 1]  # Σ_yy − Σ_xy² / Σ_xx, the same for every x
    return means, variance


# %% tags=["exercise"]
heaviest = int(gmr.log_weights.argmax())
result = ml.checks.lesson08.check_condition_gaussian(
    condition_gaussian, gmr.means[heaviest], gmr.covariances[heaviest], x_grid[:, 0]
)

# %% [markdown] tags=["exercise"]
# ### Exercise 2: the new weights
#
# Write `conditional_log_weights(log_weights, means_x, variances_x, x)`: the prior log-weights $\log \pi_k$ (K,),
# each component's input mean $\mu_{x,k}$ (K,) and input variance $\Sigma_{xx,k}$ (K,), and observed inputs x (N,).
# Return the (N, K) log-weights $\log \pi_k(x)$. Far from every component each $\pi_k\,\mathcal N(x)$ is 0 in
# float32: stay in log space.


# %% tags=["stub"]
def conditional_log_weights(log_weights, means_x, variances_x, x):
    """log π_k(x), shape (N, K)."""
    ...  # TODO: log π_k + log N(x_n; μ_x,k, Σ_xx,k), renormalised over k; shapes (K,), (K,), (K,), (N,) -> (N, K)


# %% tags=["solution"]
def conditional_log_weights(log_weights, means_x, variances_x, x):
    """log π_k(x), shape (N, K)."""
    squared = (x[:, None] - means_x) ** 2 / variances_x  # (N, K)
    log_normal = -0.5 * squared - 0.5 * torch.log(2 * math.pi * variances_x)
    return torch.log_softmax(log_weights + log_normal, dim=1)


# %% tags=["exercise"]
result = ml.checks.lesson08.check_conditional_log_weights(
    conditional_log_weights, gmr.log_weights, gmr.means[:, 0], gmr.covariances[:, 0, 0], x_grid[:, 0]
)

# %% [markdown]
# ## 3 · Kernel conditional density: the data are the model
#
# Put a Gaussian bump on every training pair. For a query $x$, pair $i$ gets the weight
# $w_i(x) \propto \exp\!\left(-(x - x_i)^2 / 2h_x^2\right)$ and the estimate is
# $p(y \mid x) = \sum_i w_i(x)\,\mathcal N(y; y_i, h_y^2)$: a mixture with one component per training pair, so
# every tool of lesson 05 works on it. There is nothing to fit, only two **bandwidths** to choose: $h_x$ (how far
# to look for neighbours) and $h_y$ (how much to blur each neighbour's $y$), here in standard deviations of the
# training data. Too small copies the noise of the training pairs; too large blurs the branches together. They are
# chosen like any setting, on a **validation split**: keep a quarter of the pairs aside and take the pair of
# bandwidths with the lowest NLL on them.

# %%
choice = kd.choose_bandwidths(x_train, y_train, seed=0)
kernel = kd.kernel_conditional_density(x_train, y_train, choice.bandwidth_x, choice.bandwidth_y)
kernel_nll = float(-kd.kernel_log_prob(kernel, x_test, y_test).mean())
print(f"chosen bandwidths: h_x = {choice.bandwidth_x}, h_y = {choice.bandwidth_y} (standard deviations)")
print(f"test NLL {kernel_nll:.3f}, gap to the Bayes limit {kernel_nll - bayes_limit:.3f} nats")

# %% [markdown]
# The validation NLL of every pair tried: the best lies inside the grid, not on its edge (if it were on the edge,
# the grid would need extending).

# %%
h_x_values = sorted({h_x for h_x, _ in choice.validation_nll})
h_y_values = sorted({h_y for _, h_y in choice.validation_nll})
print("h_x \\ h_y " + "".join(f"{h_y:>8}" for h_y in h_y_values))
for h_x in h_x_values:
    print(f"{h_x:<10}" + "".join(f"{choice.validation_nll[(h_x, h_y)]:8.3f}" for h_y in h_y_values))

# %% [markdown]
# ## 4 · Quantile regression: intervals without a density
#
# A quantile is the answer to a different loss. For a probability $\tau$, the **pinball loss** of a prediction
# $q$ for a target $y$ charges $\tau$ per unit when $q$ is too low and $1 - \tau$ per unit when it is too high:
#
# $$\rho_\tau(y - q) = \begin{cases} \tau\,(y - q) & y \ge q \\ (\tau - 1)(y - q) & y < q. \end{cases}$$
#
# Its expected value is smallest where a fraction $\tau$ of $p(y \mid x)$ lies below $q$ (set the derivative
# $-\tau\,P(y > q) + (1 - \tau)\,P(y < q)$ to zero): the $\tau$-quantile. So one `ml.MLP` with five outputs,
# trained on the mean pinball loss of $\tau = 0.05, 0.25, 0.5, 0.75, 0.95$, predicts five quantile curves, and
# $[q_{0.05}, q_{0.95}]$ is a 90% interval. `qr.QuantileMLP` is exactly that, trained by `ml.fit` with the course's
# recipe for 400 steps (about as many as the MDN below gets for 1,000 pairs).

# %% [markdown] tags=["exercise"]
# ### Exercise 3: the pinball loss
#
# Write `pinball_loss(predictions, y, quantiles)`: predictions (N, Q), one column per quantile; targets y (N, 1);
# quantiles (Q,) the probabilities $\tau$. Return the mean over the N samples and the Q quantiles, as a one-number
# tensor that keeps the gradient (the net is trained on it). Mind the shapes: y of shape (N,) against (N, Q) would
# broadcast into something else.


# %% tags=["stub"]
def pinball_loss(predictions, y, quantiles):
    """Mean pinball loss: predictions (N, Q), y (N, 1), quantiles (Q,) -> a one-number tensor."""
    ...  # TODO: the error y - q per sample and quantile, then τ·error or (τ - 1)·error, averaged


# %% tags=["solution"]
def pinball_loss(predictions, y, quantiles):
    """Mean pinball loss: predictions (N, Q), y (N, 1), quantiles (Q,) -> a one-number tensor."""
    error = y - predictions  # (N, Q): positive where the prediction is too low
    return torch.maximum(quantiles * error, (quantiles - 1) * error).mean()


# %% tags=["exercise"]
torch.manual_seed(0)
quantile_net = qr.QuantileMLP(1, quantiles=(0.05, 0.25, 0.5, 0.75, 0.95))
quantile_history = ml.fit(quantile_net, x_train, y_train, seed=0, steps=400)
with torch.no_grad():
    test_quantiles = quantile_net(x_test)  # (N, 5)
result = ml.checks.lesson08.check_pinball_loss(pinball_loss, test_quantiles, y_test, quantile_net.quantiles)

# %% [markdown]
# ## 5 · The MDN, with the course's recipe

# %%
torch.manual_seed(0)
mdn = ml.MDN(1, 1, n_components=8)
mdn_history = ml.fit(mdn, x_train, y_train, seed=0)
with torch.no_grad():
    mdn_params = mdn(x_test)
mdn_nll = float(-ml.losses.mixture_log_prob(*mdn_params, y_test).mean())
print(f"test NLL {mdn_nll:.3f}, gap to the Bayes limit {mdn_nll - bayes_limit:.3f} nats")

# %% [markdown]
# ## 6 · The verdict on the inverted sine
#
# Three of the four methods give a mixture per $x$, so all of lesson 05's tools apply: the NLL gap, the PIT values
# $F(y \mid x)$ (uniform for a calibrated model; the KS distance measures how far they are from uniform, and a
# calibrated model on 2,000 points rarely exceeds $1.36/\sqrt{2000} \approx 0.03$), and the coverage of the central
# 50% and 90% intervals. The quantile net has no density: no NLL, no PIT; only the coverage of its own intervals
# can be measured. The "work" column counts what each method computed, a deterministic stand-in for time: EM rounds
# at the chosen $K$ (after fitting all four candidates), kernel evaluations (validation grid plus test), optimiser
# steps.

# %%
kernel_params = kd.kernel_params(kernel, x_test)
mixtures = {"mixture regression": gmr_params, "kernel density": kernel_params, "MDN": mdn_params}
nll = {"mixture regression": gmr_nll, "kernel density": kernel_nll, "MDN": mdn_nll}
n_validation = round(0.25 * len(x_train))  # choose_bandwidths keeps a quarter aside
kernel_evaluations = len(choice.validation_nll) * n_validation * (len(x_train) - n_validation)
kernel_evaluations += len(x_test) * len(x_train)
work = {
    "mixture regression": f"{len(gmr.nll)} EM rounds",
    "kernel density": f"{kernel_evaluations / 1e6:.0f} M kernels",
    "MDN": f"{len(mdn_history.loss)} steps",
    "quantile net": f"{len(quantile_history.loss)} steps",
}
pit = {name: predictions.mixture_cdf(params, y_test) for name, params in mixtures.items()}
print(f"{'method':<20}{'NLL gap':>9}{'PIT KS':>8}{'cov 50%':>9}{'cov 90%':>9}   work")
for name, params in mixtures.items():
    cover = predictions.coverage(params, y_test, levels=(0.5, 0.9))
    ks = predictions.ks_distance_to_uniform(pit[name])
    print(f"{name:<20}{nll[name] - bayes_limit:9.3f}{ks:8.3f}{cover[0.5]:9.3f}{cover[0.9]:9.3f}   {work[name]}")
inside = lambda low, high: float(((y_test[:, 0] >= low) & (y_test[:, 0] <= high)).float().mean())  # noqa: E731
quantile_cover = (
    inside(test_quantiles[:, 1], test_quantiles[:, 3]),
    inside(test_quantiles[:, 0], test_quantiles[:, 4]),
)
print(f"{'quantile net':<20}{'—':>9}{'—':>8}{quantile_cover[0]:9.3f}{quantile_cover[1]:9.3f}   {work['quantile net']}")

# %%
fig, axes = plt.subplots(2, 2, figsize=(8, 6.5))
with torch.no_grad():
    grid_mixtures = {
        "mixture regression": mr.condition_on_inputs(gmr, x_grid),
        "kernel density": kd.kernel_params(kernel, x_grid, trim=1e-4),  # 1,000 components: keep the heavy ones
        "MDN": mdn(x_grid),
    }
for ax, (name, params) in zip(axes.flat, grid_mixtures.items(), strict=False):
    ml.plots.conditional_heatmap(params, x_grid, y_grid, ax=ax, means=False, title=name)
for name in grid_mixtures:
    axes[1, 1].hist(pit[name].numpy(), bins=20, range=(0, 1), density=True, histtype="step", linewidth=1.5, label=name)
axes[1, 1].axhline(1.0, color="black", linestyle="--", linewidth=1)
axes[1, 1].set(title="PIT histograms (flat = calibrated)", xlabel="F(y | x)", ylim=(0, 2))
axes[1, 1].legend(loc="lower center")
fig.tight_layout()
plt.show()

# %% [markdown]
# **What each can answer.** The three mixtures all give a density, samples (`predictions.sample`), modes
# (`predictions.mixture_mode`) and intervals (`predictions.central_interval`). The quantile net gives only its five quantile
# curves, and they have a harder job than it seems. Where the branches are, the true median jumps from one branch to
# another as $x$ moves; a network draws it as a continuous curve, so around each jump it runs through a **gap**,
# where the true density $p(y \mid x)$ is below 0.01. Below: how often each point estimate lands in a gap (the
# quantile net's median, the median computed from the MDN's density, and the MDN's mode), and how often the five
# quantile curves come out of order (nothing in the loss keeps them in order; here they stay in order), then the
# quantile net's median and 90% interval over the data.

# %%
with torch.no_grad():
    grid_quantiles = quantile_net(x_grid)
    mdn_grid = mdn(x_grid)
estimates = {
    "quantile net, median": grid_quantiles[:, 2],
    "MDN, median": predictions.mixture_quantile(mdn_grid, 0.5),
    "MDN, mode": predictions.mixture_mode(mdn_grid)[:, 0],
}
for name, estimate in estimates.items():
    density = ml.data.inverted_sine_log_prob(x_grid, estimate.unsqueeze(1)).exp()
    print(f"{name:<22} in a gap at {float((density < 0.01).float().mean()):.0%} of the x values")
crossed = (grid_quantiles.diff(dim=1) < 0).any(dim=1)
print(f"quantile curves out of order (crossing each other) at {float(crossed.float().mean()):.0%} of the x values")

fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(x_train[:, 0], y_train[:, 0], s=2, alpha=0.3, color="grey", label="training data")
ax.fill_between(
    x_grid[:, 0], grid_quantiles[:, 0], grid_quantiles[:, 4], alpha=0.2, label="90% interval (quantile net)"
)
ax.plot(x_grid[:, 0], grid_quantiles[:, 2], color="C3", label="median (quantile net)")
ax.plot(x_grid[:, 0], estimates["MDN, mode"], ".", markersize=3, color="black", label="mode (MDN)")
ax.set(xlabel="x", ylabel="y", title="the quantile net's median runs through the gaps")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# A 90% interval that spans three branches has the promised coverage and says nothing about where the answers are.
# The quantile net is the right tool when an interval is all you need and the data are not multimodal; it is the
# wrong one when you need *which* answers are likely.
#
# With one input and a thousand pairs, the older methods are serious competitors: read the gaps in the table above.
# Whether the MDN earns its training time is the question of the next two sections.
#
# **Normalizing flows** are a fifth option, not run here: a conditional flow transforms a simple density through an
# invertible network whose parameters depend on $x$, so it can represent shapes a finite mixture approximates only
# with many components (sharp edges, skew, heavy tails) and still gives an exact NLL and samples; the price is more
# code, slower training and no closed-form modes or component structure to read.

# %% [markdown]
# ## 7 · Real data: Old Faithful
#
# The Old Faithful geyser: 272 eruptions, each with its duration and the waiting time to the next eruption, in
# minutes (R's `faithful` data set, from W. Härdle; Azzalini and Bowman 1990 analyse a longer record: see
# [READING.md](../READING.md)). Predict the **duration from the waiting time**: short waits go with short eruptions, long waits with long
# ones, and for middling waits both happen, so $p(y \mid x)$ is bimodal there.

# %%
waiting, duration = ml.data.old_faithful()
print(
    f"{len(waiting)} eruptions; waiting {float(waiting.min()):.0f}–{float(waiting.max()):.0f} min, "
    f"duration {float(duration.min()):.1f}–{float(duration.max()):.1f} min"
)

# %% [markdown]
# No Bayes limit is known for measurements, so the methods are compared with each other by **5-fold
# cross-validation**: shuffle the eruptions once, split them into five folds, fit on four and measure the NLL on the
# fifth, five times. The PIT values of all held-out eruptions together show calibration. The MDN gets $K = 3$
# components (a small data set), mixture regression chooses $K \le 4$ by BIC, the kernel method its bandwidths on a
# validation split inside each training part.

# %%
FOLDS = 5
order = torch.randperm(len(waiting), generator=torch.Generator().manual_seed(0))
folds = order.chunk(FOLDS)


def fit_on(method, x, y, seed, candidates=(1, 2, 3, 4), mdn_components=3):
    """The mixture p(y | ·) of one method fitted on (x, y), as a function of new inputs.

    candidates: the K that mixture regression chooses from by BIC; mdn_components: the MDN's K.
    """
    if method == "mixture regression":
        joint = mr.fit_mixture_regression(x, y, n_components=candidates, seed=seed)
        return lambda new_x: mr.condition_on_inputs(joint, new_x)
    if method == "kernel density":
        picked = kd.choose_bandwidths(x, y, seed=seed)
        model = kd.kernel_conditional_density(x, y, picked.bandwidth_x, picked.bandwidth_y)
        return lambda new_x: kd.kernel_params(model, new_x)
    torch.manual_seed(seed)
    net = ml.MDN(x.shape[1], 1, n_components=mdn_components)
    ml.fit(net, x, y, seed=seed)
    return lambda new_x: net(new_x)


cv_nll = {name: [] for name in mixtures}
cv_pit = {name: [] for name in mixtures}
first_fold = {}  # the models fitted without fold 1, drawn below
for index, held_out in enumerate(folds):
    train = torch.cat([fold for j, fold in enumerate(folds) if j != index])
    for name in mixtures:
        predict = fit_on(name, waiting[train], duration[train], seed=index)
        first_fold.setdefault(name, predict)
        with torch.no_grad():
            params = predict(waiting[held_out])
        cv_nll[name].append(float(-ml.losses.mixture_log_prob(*params, duration[held_out]).mean()))
        cv_pit[name].append(predictions.mixture_cdf(params, duration[held_out]))

print(f"{'method':<20}{'CV NLL':>8}{'± s.e.':>8}{'PIT KS':>8}   per fold")
for name in mixtures:
    scores = torch.tensor(cv_nll[name])
    ks = predictions.ks_distance_to_uniform(torch.cat(cv_pit[name]))
    folds_text = " ".join(f"{s:.2f}" for s in cv_nll[name])
    print(f"{name:<20}{float(scores.mean()):8.3f}{float(scores.std() / math.sqrt(FOLDS)):8.3f}{ks:8.3f}   {folds_text}")

# %% [markdown]
# With 272 points the folds differ a lot: compare the differences between methods with the standard errors before
# calling a winner. Below, the conditional densities of the models fitted without fold 1 (on four fifths of the
# eruptions; each method should find the two clusters and the bimodal middle), over all the eruptions, and the
# held-out NLL of each fold (lower is better).

# %%
wait_grid = torch.linspace(40, 100, 121).unsqueeze(1)
duration_grid = torch.linspace(1, 6, 201)
fig, axes = plt.subplots(2, 2, figsize=(8, 6.5))
for ax, name in zip(axes.flat, mixtures, strict=False):
    with torch.no_grad():
        params = first_fold[name](wait_grid)
    ml.plots.conditional_heatmap(
        params,
        wait_grid,
        duration_grid,
        ax=ax,
        data=(waiting, duration),
        means=False,
        title=name,
        xlabel="waiting time (min)",
        ylabel="duration (min)",
    )
for name in mixtures:
    axes[1, 1].plot(range(1, FOLDS + 1), cv_nll[name], "o-", label=name)
axes[1, 1].set(title="held-out NLL of each fold", xlabel="fold", ylabel="NLL (nats)", xticks=range(1, FOLDS + 1))
axes[1, 1].legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 8 · The dimension argument: why MDNs exist
#
# Real inputs are rarely one number. Two ways the inverted sine can grow inputs, with the same $p(y \mid x)$ and so
# the same Bayes limit:
#
# - **nuisance inputs**: $x$ plus two extra features drawn uniformly, unrelated to $y$;
# - **an image of the position**: $x$ seen only through $P$ "pixels", bumps centred on a grid, so the input is
#   $P$-dimensional but lies on a curved line.
#
# Each method is refitted as before on the same 1,000 pairs (mixture regression choosing $K$ from 4, 8 and 12 by
# BIC, the MDN with $K = 8$).

# %%
noise_generator = torch.Generator().manual_seed(8)
nuisance_train = (2 * torch.rand(len(x_train), 2, generator=noise_generator) - 1) * math.sqrt(3)
nuisance_test = (2 * torch.rand(len(x_test), 2, generator=noise_generator) - 1) * math.sqrt(3)


def pixels(x, count):
    """x (N, 1) seen through `count` Gaussian bumps centred on a grid over [-14, 14]: shape (N, count)."""
    centres = torch.linspace(-14, 14, count)
    width = 28 / (count - 1)
    return torch.exp(-0.5 * ((x - centres) / width) ** 2)


settings = {
    "x + 2 nuisance": (torch.cat([x_train, nuisance_train], 1), torch.cat([x_test, nuisance_test], 1)),
    "12 pixels": (pixels(x_train, 12), pixels(x_test, 12)),
}
gaps = {"x alone (1 input)": {name: nll[name] - bayes_limit for name in mixtures}}
for setting, (inputs_train, inputs_test) in settings.items():
    gaps[setting] = {}
    for name in mixtures:
        predict = fit_on(name, inputs_train, y_train, seed=0, candidates=(4, 8, 12), mdn_components=8)
        with torch.no_grad():
            params = predict(inputs_test)
        gaps[setting][name] = float(-ml.losses.mixture_log_prob(*params, y_test).mean()) - bayes_limit

print("NLL gap to the Bayes limit (nats)")
print(f"{'inputs':<20}" + "".join(f"{name:>20}" for name in mixtures))
for setting, row in gaps.items():
    print(f"{setting:<20}" + "".join(f"{row[name]:20.3f}" for name in mixtures))

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
width = 0.27
for offset, name in zip((-width, 0, width), mixtures, strict=True):
    ax.bar([i + offset for i in range(len(gaps))], [gaps[s][name] for s in gaps], width=width, label=name)
ax.set_xticks(range(len(gaps)), list(gaps))
ax.set(ylabel="NLL gap to the Bayes limit (nats)", title="same p(y | x), more input dimensions")
ax.legend()
plt.show()

# %% [markdown]
# Read the table by row, then by column: each method has a weakness of its own, and the weaknesses differ.
#
# - **The kernel method** measures closeness in the whole input space. Nuisance features add distance between
#   pairs whose $x$ are equal, so neighbourhoods empty out (the curse of dimensionality, here with only three
#   inputs) and the branches blur: its gap grows several times over. Pixels keep the geometry of $x$ (close
#   positions give close images), so it copes with them.
# - **Mixture regression** models the density of the *inputs* too, with Gaussians. Independent nuisance inputs fit
#   that model, and its gap grows least of the three; a curved line of pixel images does not, and covering it with
#   ellipsoids takes many components, while BIC's penalty (a full covariance has $D(D+1)/2$ entries per component)
#   allows fewer as $D$ grows.
# - **The MDN** never models the inputs: its network learns which combination of them matters for $y$, which is why
#   the pixels, where every input carries information about $y$, cost it little. It pays most for inputs that carry
#   *no* information: each adds weights to fit from the same 1,000 pairs, and the network fits chance patterns in
#   the noise, so with two nuisance inputs its gap is the largest of the three. The usual remedies for overfitting
#   apply: a validation split with early stopping (`ml.fit(..., validation_fraction=0.2)`), more data, or fewer
#   useless inputs.
#
# No method wins every row. The MDN's weaknesses are simply different ones: it never has to describe the inputs, so
# inputs on a curved surface do not hurt it, but it needs enough data, or early stopping, for every input it is
# given.

# %% [markdown]
# ## 9 · Choosing a method
#
# The table below is built from this notebook's own measurements (worst gap over the settings of section 8,
# Old Faithful's cross-validated NLL, and what each method can answer).

# %%
print(f"{'method':<20}{'1 input':>9}{'worst, >1 input':>17}{'Old Faithful':>14}   answers")
for name in mixtures:
    worst = max(gaps[s][name] for s in settings)
    faithful = sum(cv_nll[name]) / FOLDS
    print(f"{name:<20}{gaps['x alone (1 input)'][name]:9.3f}{worst:17.3f}{faithful:14.3f}   density, samples, modes")
print(f"{'quantile net':<20}{'—':>9}{'—':>17}{'—':>14}   intervals only")

# %% [markdown]
# | your problem | try first | why (from this lesson) |
# |---|---|---|
# | one or two inputs, up to a few thousand points, a density needed | kernel density or mixture regression | no training; competitive gaps at one input; a bandwidth or $K$ is the only setting |
# | many informative inputs on a curved surface (pixels, sensor readings) | MDN or kernel density, not mixture regression | joint Gaussians cannot cover a curved input surface (the pixel row); the kernel estimate copes while distances between inputs mean something, the MDN learns its own combination of inputs |
# | many inputs of which most are irrelevant, little data | select inputs first; then mixture regression, or an MDN with early stopping | every method pays for useless inputs; here the MDN (trained without early stopping) and the kernel method most |
# | a few hundred points | try all three: each fits in moments at this size | compare them by cross-validated NLL and PIT, as for Old Faithful |
# | large data sets (tens of thousands of points) | **MDN** | its cost is set by optimiser steps, not by $N$: a kernel estimate compares every query with every training point, EM touches every point every round |
# | only an interval, unimodal answers | quantile regression | one loss, any network, no distribution to choose; but no density, no modes, and nothing keeps its curves in order |
# | answers on several branches, and you must act on one | any of the three mixtures | modes and samples from a mixture; a quantile lies between branches |
# | shapes a few Gaussians fit badly (sharp edges, heavy tails) | a conditional normalizing flow | more flexible densities, at the price of code and training time |

# %% [markdown]
# ## Recap
#
# - **Gaussian mixture regression** fits a full-covariance mixture to $(x, y)$ with EM, then conditions each
#   component: mean $\mu_y + \frac{\Sigma_{xy}}{\Sigma_{xx}}(x - \mu_x)$, variance
#   $\Sigma_{yy} - \Sigma_{xy}^2/\Sigma_{xx}$, weights $\propto \pi_k\,\mathcal N(x; \mu_{x,k}, \Sigma_{xx,k})$.
# - A **kernel conditional density** is a mixture with one component per training pair; its two bandwidths are
#   chosen by the validation NLL.
# - **Quantile regression** minimises the pinball loss, whose minimiser is the $\tau$-quantile: intervals without a
#   density, samples or modes, and on multimodal data its curves run through the gaps.
# - Judge every density by the held-out NLL (against the Bayes limit when it is known, by cross-validation on real
#   data) and by PIT calibration; count the work each method needs.
# - With one input and a thousand points, or a few hundred real ones, the older methods are competitive (on Old
#   Faithful, mixture regression does best). With more inputs each method degrades in its own way: the kernel
#   estimate when inputs are useless (empty neighbourhoods), joint mixtures when inputs lie on a curve (the input
#   density), the MDN when useless inputs meet little data (it overfits them).
#
# **Reading.** The sources of this lesson, with what each adds, are in the course's reading list,
# [READING.md](../READING.md): Ghahramani and Jordan (1994) for mixture regression, Rosenblatt (1956) and Parzen
# (1962) for kernel estimates, Koenker and Bassett (1978) for quantile regression, Papamakarios et al. (2021) for
# normalizing flows, and R's `faithful` documentation for Old Faithful.
#
# **Next:** [09 · Writing with an MDN-RNN](09_writing_with_an_mdn_rnn.ipynb): correlated two-dimensional mixtures,
# pen strokes and lifting the pen.
