# %% [markdown]
# # 02 · Gaussian mixtures: one density, several bumps
#
# A Gaussian mixture is a weighted sum of Gaussians, and it is exactly what a Mixture Density Network
# outputs for every input. This lesson takes data with three bumps that no single Gaussian can fit, builds the
# mixture density from weights, means and scales, samples from it, and computes its negative log-likelihood
# without overflow (logsumexp). It then fits mixtures by gradient descent in PyTorch and by the classic EM
# algorithm, and reproduces the ways mixture training goes wrong, each with its fix: a component whose σ
# collapses onto one point, a component that dies, and the usual causes of a NaN loss.
#
# ## Learning objectives
# - Write down a Gaussian mixture density, and sample from it (pick a component, then sample that component).
# - Compute a mixture's log-likelihood with logsumexp, and explain why exp-then-log gives `-inf` and NaN.
# - Parameterise the weights with (log-)softmax and the scales with exp or softplus plus a floor, and say why.
# - Fit a mixture by gradient descent (`ml.fit`) and by EM, and judge it against the entropy of P.
# - Recognise a collapsing component and a dead component, and apply the remedies (σ floor, sensible start).
#
# ## Setup

# %% tags=["exercise"]
import matplotlib.pyplot as plt
import numpy as np
import torch

import mdn_lessons as ml
from mdn_lessons import em, true_distributions

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## 1. A P that one Gaussian cannot fit
#
# As in lesson 01 we play nature with a secret $P$, this time with three bumps of different sizes and widths.
# We draw 1000 training samples, and a large fresh sample to measure how models do on data they never saw.

# %%
P = true_distributions.three_bumps_p()
y = true_distributions.sample(P, n=1000, seed=0)  # training data, shape (1000, 1)
y_test = true_distributions.sample(P, n=100_000, seed=1)  # fresh data from the same P
entropy_P = true_distributions.entropy(P)
print(f"H(P), the best expected NLL any model can reach: {entropy_P:.3f} nats")

# %% [markdown]
# The best single Gaussian is the sample mean and standard deviation (lesson 01). It puts its bell over the
# middle and covers all three bumps with one wide curve: a lot of density lands in the gaps where there is no
# data, and too little on the bumps.

# %%
single = true_distributions.gaussian_mixture([1.0], [y.mean().item()], [y.std(unbiased=False).item()])
print(f"best single Gaussian: μ = {single.means.item():.3f}, σ = {single.scales.item():.3f}")
print(f"NLL on the training data: {-true_distributions.log_density(single, y).mean():.3f} nats")
print(
    f"NLL on fresh data:        {-true_distributions.log_density(single, y_test).mean():.3f} nats"
    f"  = H(P) {entropy_P:.3f} + KL {true_distributions.kl_divergence(P, single):.3f}"
)

# %%
y_grid = torch.linspace(-7.0, 7.0, 500)
ax = ml.plots.mixture_density(
    P, y_grid, data=y, components=False, label="true density p(y)", title="Three bumps, and the best single Gaussian"
)
ax.plot(y_grid, true_distributions.log_density(single, y_grid).exp(), color="C2", ls="--", label="best single Gaussian")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# A KL gap of about 0.3 nats per sample: however long we train it, one Gaussian stays that far from the floor.
#
# ## 2. Gaussian mixtures
#
# A mixture of $K$ Gaussians has three kinds of parameters: **weights** $\pi_k$ (positive, summing to 1),
# **means** $\mu_k$ and **scales** (standard deviations) $\sigma_k > 0$. Its density is the weighted sum
#
# $$p(y) = \sum_{k=1}^{K} \pi_k\, \mathcal{N}(y;\, \mu_k, \sigma_k^2).$$
#
# Each Gaussian has area 1 and the weights sum to 1, so the mixture has area 1 too: it is a proper density,
# with as many bumps as we like. The secret $P$ is such a mixture. The course keeps mixtures in a
# `MixtureParams` tuple with `log_weights` (we store $\log \pi_k$, see section 4), `means` and `scales`; an MDN
# outputs one such mixture for every input $x$.

# %%
weights = P.log_weights.exp()[0]  # (K,)
means = P.means[0, :, 0]  # (K,)
scales = P.scales[0, :, 0]  # (K,)
print("weights π:", [round(v, 3) for v in weights.tolist()])
print("means   μ:", [round(v, 3) for v in means.tolist()])
print("scales  σ:", [round(v, 3) for v in scales.tolist()])

# %%
ml.plots.mixture_density(
    P, y_grid, data=y, label="mixture p(y)", title="The secret P: three weighted Gaussians and their sum"
)
plt.show()

# %% [markdown]
# The shaded areas are the weighted components $\pi_k \mathcal{N}(y; \mu_k, \sigma_k^2)$; the solid curve, their sum.
#
# ### Sampling from a mixture
#
# Sampling takes two steps: first **pick a component** $k$ with probabilities $\pi_1, \dots, \pi_K$, then **sample
# that component**, $y = \mu_k + \sigma_k\,\varepsilon$ with $\varepsilon \sim \mathcal{N}(0, 1)$. This is how
# `true_distributions.sample` made our data (and what `P.distribution().sample()` does in torch).

# %%
sample_rng = np.random.default_rng(7)
k = sample_rng.choice(3, size=10_000, p=weights.numpy())  # step 1: which component, for each sample
y_new = means.numpy()[k] + scales.numpy()[k] * sample_rng.standard_normal(10_000)  # step 2: sample it
print("share of samples from each component:", (np.bincount(k, minlength=3) / len(k)).round(3).tolist())

fig, ax = plt.subplots(figsize=(7, 3.8))
ax.hist(
    [y_new[k == j] for j in range(3)],
    bins=80,
    stacked=True,
    density=True,
    label=[f"from component {j}" for j in range(3)],
)
ax.plot(y_grid, true_distributions.log_density(P, y_grid).exp(), color="black", label="mixture density p(y)")
ax.set(title="10 000 samples, coloured by the component that produced them", xlabel="y", ylabel="density")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# ## 3. Computing the mixture NLL without NaN
#
# The NLL of the data is, as in lesson 01, the average of $-\log p(y_n)$:
#
# $$\text{NLL} = -\frac{1}{N}\sum_{n=1}^{N} \log \sum_{k=1}^{K} \pi_k\, \mathcal{N}(y_n; \mu_k, \sigma_k^2).$$
#
# The direct way to compute it: take each component's log density, exponentiate, weight, sum, take the log.
# Try it on two values: $y = 0.5$, in the middle bump, and $y = 25$, far from every component (such a value
# is an outlier for the true $P$, and for a model early in training, whose components are still in the wrong
# place, it is an everyday sight). We also ask for the gradient with respect to the means, as training would.

# %%
y_two = torch.tensor([[0.5], [25.0]])  # shape (2, 1)
mu = means.clone().requires_grad_(True)
log_normal = ml.losses.gaussian_log_prob(mu, scales, y_two)  # log N(y_n; μ_k, σ_k²), shape (2, K)
print("log N(y; μ_k, σ_k²) at y = 25:", [round(v, 1) for v in log_normal[1].tolist()])

naive = torch.log((weights * torch.exp(log_normal)).sum(dim=1))  # exp, weight, sum, log
naive.sum().backward()
print(
    "exp-then-log   log p(y):", [round(v, 3) for v in naive.tolist()], "  gradient w.r.t. the means:", mu.grad.tolist()
)

# %% [markdown]
# At $y = 25$ every log density is below $-300$; $e^{-300}$ is far below the smallest float32 ($\approx 10^{-45}$),
# so each term **underflows** to exactly 0, the sum is 0 and $\log 0 = -\infty$. The NLL becomes $+\infty$, and
# backpropagation through $\log 0$ gives $0 \cdot \infty$ = NaN: a NaN gradient for *every* mean, not only
# for the far sample. One bad sample in a batch and the whole model turns to NaN.
#
# The cure is the **logsumexp** trick. With $a_k = \log \pi_k + \log \mathcal{N}(y; \mu_k, \sigma_k^2)$ and
# $m = \max_k a_k$,
#
# $$\log \sum_k e^{a_k} = m + \log \sum_k e^{a_k - m}.$$
#
# The largest term becomes $e^0 = 1$, so the sum is between 1 and $K$ and its log is finite. We never leave log
# space, and nothing underflows.

# %%
mu.grad = None
log_normal = ml.losses.gaussian_log_prob(mu, scales, y_two)
stable = torch.logsumexp(torch.log(weights) + log_normal, dim=1)
stable.sum().backward()
print(
    "logsumexp      log p(y):",
    [round(v, 3) for v in stable.tolist()],
    "  gradient w.r.t. the means:",
    [round(v, 3) + 0.0 for v in mu.grad.tolist()],
)  # + 0.0: no "-0.0"

# %% [markdown]
# That single `logsumexp` line is the heart of `ml.losses.mixture_log_prob` and `ml.mixture_nll`, the loss of
# every MDN in this course. Both agree with `torch.distributions`:

# %%
# ml.mixture_nll takes one mixture per sample (an MDN gives each x its own), so we repeat P for every sample.
P_per_sample = ml.MixtureParams(*(t.expand(len(y), *t.shape[1:]) for t in P))
print(f"ml.mixture_nll:        {ml.mixture_nll(*P_per_sample, y):.4f} nats")
print(f"torch.distributions:   {-P.distribution().log_prob(y).mean():.4f} nats")

# %% [markdown]
# ## 4. Weights and scales without NaN
#
# This section and the one before it are the course's one place for the question *"why does my loss become
# NaN?"*: each cause is reproduced in a cell, and the checklist at the end sums them up.
#
# An optimiser moves numbers freely over the real line, but weights must be positive and sum to 1, and scales
# must be positive. So the model learns unconstrained raw numbers and maps them to valid parameters.
#
# ### The log of a softmax
#
# From $K$ raw *logits* $z_k$, the softmax $\pi_k = e^{z_k} / \sum_j e^{z_j}$ is positive and sums to 1 for any
# logits. The NLL needs $\log \pi_k$, and here lies a trap: computing `torch.log(torch.softmax(z))` first makes
# tiny weights underflow to 0 and then takes $\log 0$. `torch.log_softmax(z)` computes
# $z_k - \operatorname{logsumexp}_j z_j$ directly and never underflows. Logits spread by 120 (large, but a
# learning rate that is too high gets there) show the difference, for one target at $y = -4$:

# %%
target = torch.tensor([[-4.0]])  # one sample, shape (1, 1)
for name, to_log_weights in (
    ("log(softmax(z))", lambda z: torch.log(torch.softmax(z, dim=0))),
    ("log_softmax(z)", lambda z: torch.log_softmax(z, dim=0)),
):
    logits = torch.tensor([0.0, 60.0, 120.0], requires_grad=True)
    log_w = to_log_weights(logits)
    nll = -torch.logsumexp(log_w + ml.losses.gaussian_log_prob(means, scales, target), dim=1).mean()
    nll.backward()
    print(
        f"{name:>16}: log π = {[round(v, 1) for v in log_w.tolist()]}, NLL = {nll.item():.2f}, "
        f"gradient = {[round(v, 3) + 0.0 for v in logits.grad.tolist()]}"
    )  # + 0.0 turns -0.0 into 0.0

# %% [markdown]
# Same NLL, but the first version's gradient is NaN: the derivative of $\log$ at 0 is infinite, times the
# softmax's derivative of 0. The loss itself looks fine, so nothing warns you until the next step puts NaN into
# every parameter. Always use `log_softmax` (as `ml.GaussianMixture` and `ml.MDN` do).
#
# The clean gradient, $[0, -1, 1]$, is worth a second look: it is $\pi - \gamma$, the weights minus the
# **responsibilities** $\gamma_k$, the probability that the sample came from component $k$ (section 6 meets them
# again in EM). The weights are almost $(0, 0, 1)$, but the sample at $y = -4$ is explained by the middle
# component alone:

# %%
with torch.no_grad():
    pi = torch.softmax(logits, dim=0)  # the weights, shape (K,)
    log_terms = torch.log_softmax(logits, dim=0) + ml.losses.gaussian_log_prob(means, scales, target)  # (1, K)
    gamma = torch.softmax(log_terms, dim=1)[0]  # the responsibilities: each term's share of the sum
print("weights π:            ", [round(v, 3) + 0.0 for v in pi.tolist()])
print("responsibilities γ:   ", [round(v, 3) + 0.0 for v in gamma.tolist()])
print("π − γ:                ", [round(v, 3) + 0.0 for v in (pi - gamma).tolist()])
print("gradient of the NLL:  ", [round(v, 3) + 0.0 for v in logits.grad.tolist()])

# %% [markdown]
# A step against this gradient raises the logit of the component that explains the sample and lowers the logit
# of the one that holds the weight without explaining it. This $\pi_k - \gamma_k$ is the key gradient of every
# MDN; lesson 04 derives it.
#
# ### Scales: exp or softplus, and a floor
#
# $\sigma = e^{s}$ (lesson 01) is positive for any $s$ and moves $\sigma$ by the same factor for the same step in
# $s$. But it overflows for $s > 88$ (float32), and its gradient grows with $\sigma$.
# $\operatorname{softplus}(s) = \log(1 + e^{s})$ is also positive, and it grows only linearly. Both underflow to
# exactly 0 for very negative $s$, and a zero $\sigma$ gives $0/0$ = NaN in the Gaussian:

# %%
raw = torch.tensor([-120.0, -20.0, 0.0, 20.0, 100.0])
print("raw s:          ", raw.tolist())
print("exp(s):         ", [f"{v:.3g}" for v in torch.exp(raw).tolist()])
print("softplus(s):    ", [f"{v:.3g}" for v in torch.nn.functional.softplus(raw).tolist()])
print("softplus + 1e-3:", [f"{v:.3g}" for v in (torch.nn.functional.softplus(raw) + 1e-3).tolist()])
zero_scale = ml.losses.gaussian_log_prob(torch.tensor(1.0), torch.tensor(0.0), torch.tensor(1.0))
print(f"log N(y = 1; μ = 1, σ = 0) = {zero_scale.item()}")

# %% [markdown]
# Hence the recipe used by `ml.GaussianMixture` and `ml.MDN`: $\sigma = \operatorname{softplus}(s) +
# \sigma_{\min}$, a **σ floor** ($\sigma_{\min}$ = `min_scale`, $10^{-3}$ of the data's standard deviation). Section
# 7 shows that the floor also stops a second, subtler failure.
#
# ### Why does my loss become NaN?
#
# The causes reproduced in sections 3, 4 and 7, two more (the learning rate and the data), and their fixes:
#
# | cause | what you see | fix |
# |---|---|---|
# | exp, then sum, then log | `-inf` log-likelihood, NaN gradients for far samples | `torch.logsumexp` |
# | `log(softmax(logits))` | a `-inf` log weight; a finite loss but NaN gradients | `torch.log_softmax` |
# | $\sigma = e^{s}$ or $\operatorname{softplus}(s)$ reaching 0 | `nan` from $0/0$ | a floor: $\sigma = \operatorname{softplus}(s) + \sigma_{\min}$ |
# | a component collapsing onto one sample (section 7) | the training NLL falls without end, then NaN | the same floor; judge on fresh data |
# | a learning rate that is too high | the loss jumps, then NaN | lesson 05 (warm-up, clipping, schedule) |
# | NaN or inf in the data | NaN from the first step | check `torch.isfinite(y).all()` before training |
#
# ## 5. Fitting a mixture by gradient descent
#
# `ml.GaussianMixture(K)` is a mixture whose raw parameters (logits, means, raw scales) are torch parameters,
# mapped as in section 4; `ml.fit` minimises its NLL with Adam, as in lesson 01. The mixture takes no input, so
# `x` is `None`. We use the whole data set in every step (`batch_size=len(y)`).

# %%
torch.manual_seed(0)
mixture = ml.GaussianMixture(n_components=3)
history = ml.fit(mixture, None, y, steps=300, lr=0.05, batch_size=len(y))
with torch.no_grad():
    fitted = mixture()

order = torch.argsort(fitted.means[0, :, 0])  # list the components from left to right
print(f"{'':>8} {'fitted':>24}   {'true':>24}")
for name, found, true in (
    ("weights", fitted.log_weights.exp()[0][order], weights),
    ("means", fitted.means[0, order, 0], means),
    ("scales", fitted.scales[0, order, 0], scales),
):
    print(
        f"{name:>8} {str([round(v, 2) for v in found.tolist()]):>24}   {str([round(v, 2) for v in true.tolist()]):>24}"
    )

# %%
print(f"NLL on the training data: {history.loss[-1]:.3f} nats")
print(
    f"NLL on fresh data:        {-mixture.log_prob(y_test).mean():.3f} nats"
    f"  = H(P) {entropy_P:.3f} + KL {true_distributions.kl_divergence(P, fitted):.3f}"
)

fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
ml.plots.mixture_density(
    fitted, y_grid, ax=axes[0], data=y, label="fitted mixture", title="3 components, by gradient descent"
)
axes[0].plot(y_grid, true_distributions.log_density(P, y_grid).exp(), color="black", ls=":", label="true P")
axes[0].legend(loc="upper right")
ml.plots.training_curves(
    {"training NLL": history.loss},
    ax=axes[1],
    reference=entropy_P,
    reference_label="H(P): the floor",
    title="Training the mixture",
    ylabel="NLL (nats)",
    smooth=1,
)
plt.tight_layout()
plt.show()

# %% [markdown]
# Three components recover the three bumps, and the KL gap shrinks from about 0.3 nats (one Gaussian) to
# under 0.01: what is left comes from having seen only 1000 samples. On the training data the fitted mixture
# (2.139) even beats the true $P$ (2.145, section 3): it has adapted a little to the particular samples it saw.
# On fresh data the truth wins, which is why we judge models on data they were not trained on.
#
# ## 6. EM: the classic alternative
#
# Before gradient descent was everyone's tool, mixtures were fitted by **expectation-maximisation (EM)**. It
# alternates two steps, each in closed form:
#
# - **E-step.** With the current parameters, compute each component's **responsibility** for each sample, the
#   probability that the sample came from that component:
#   $$r_{nk} = \frac{\pi_k\, \mathcal{N}(y_n; \mu_k, \sigma_k^2)}{\sum_j \pi_j\, \mathcal{N}(y_n; \mu_j, \sigma_j^2)}.$$
# - **M-step.** Refit every component to the samples, each sample counted with weight $r_{nk}$: the component's
#   weight becomes the share of the samples it owns, $N_k / N$ with $N_k = \sum_n r_{nk}$, and its mean and
#   standard deviation become lesson 01's closed-form fit, in which every sample now counts $r_{nk}$ times
#   instead of once (exercise 2 asks you to write this down and code it).
#
# No round can raise the NLL (each lowers it, or leaves it where it is once EM has converged), and there is no
# learning rate to tune. The course's small
# implementation is `mdn_lessons/em.py` (`em.e_step`, `em.m_step`, `em.fit_em`; the E-step works in log space with
# logsumexp, like section 3). Here are the responsibilities of the true $P$ for three values of $y$: a value
# between two bumps is shared between them.

# %%
responsibilities, _ = em.e_step(P, torch.tensor([[-4.0], [2.2], [3.5]]))
for value, row in zip((-4.0, 2.2, 3.5), responsibilities):
    print(f"y = {value:5.1f}: responsibilities of the 3 components = {[round(v, 3) for v in row.tolist()]}")

# %%
result = em.fit_em(y, n_components=3, seed=0)
print(
    f"EM: {len(result.nll)} rounds, NLL on the training data {result.nll[-1]:.3f} nats, "
    f"KL to P {true_distributions.kl_divergence(P, result.params):.3f}"
)
print(f"gradient descent: 300 steps, NLL on the training data {history.loss[-1]:.3f} nats")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(len(result.nll)), result.nll, marker=".", label="EM")
ax.axhline(history.loss[-1], color="C1", ls="--", label="gradient descent, after 300 steps")
ax.set(title="EM never raises the NLL", xlabel="EM round", ylabel="training NLL (nats)")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# EM and gradient descent reach the same mixture. Why does the course, and every MDN, use gradient descent
# then? In an MDN the mixture's parameters are the outputs of a neural network of $x$; the M-step would have to
# find the network weights that produce the refitted parameters for every $x$ at once, and that has no closed
# form. Gradient descent only needs the NLL to be differentiable.
#
# ### EM on real data: Old Faithful
#
# The same EM on measurements nobody wrote down a P for: the durations of 272 eruptions of the Old Faithful
# geyser in Yellowstone (R's `faithful` data set, from Härdle 1991 and Azzalini and Bowman 1990; the data of
# Bishop's mixture-model chapter), shipped with the course as `ml.data.old_faithful()`. Eruptions are either
# short or long, rarely in between. With no true P to compare with, the number of components is judged on
# held-out eruptions: the training NLL can only fall as K grows, while the held-out NLL tells whether the extra
# components describe the geyser or the sample.

# %%
_, durations = ml.data.old_faithful()  # (272, 1): eruption durations in minutes
shuffled = torch.randperm(len(durations), generator=torch.Generator().manual_seed(0))
durations_train, durations_held_out = durations[shuffled[:200]], durations[shuffled[200:]]
for k in (1, 2, 3, 4):
    fitted = em.fit_em(durations_train, n_components=k, seed=0)
    _, held_out_nll = em.e_step(fitted.params, durations_held_out)
    print(
        f"K = {k}: training NLL {fitted.nll[-1]:.3f}, held-out NLL {held_out_nll:.3f} nats ({len(fitted.nll)} rounds)"
    )

faithful = em.fit_em(durations, n_components=2, seed=0).params
for w, m, s in zip(*(t.reshape(-1).tolist() for t in (faithful.log_weights.exp(), faithful.means, faithful.scales))):
    print(f"component: weight {w:.2f}, mean {m:.2f} min, std {s:.2f} min")

duration_grid = torch.linspace(1, 6, 300)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.hist(durations[:, 0].numpy(), bins=30, density=True, alpha=0.5, label="272 eruptions")
ax.plot(duration_grid, true_distributions.log_density(faithful, duration_grid[:, None]).exp(), label="EM, K = 2")
ax.set(title="Old Faithful: eruption durations", xlabel="duration (min)", ylabel="density")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# The held-out NLL falls most from K = 1 to K = 2: the two kinds of eruption. A third component still lowers it,
# by much less (the bumps are not exactly Gaussian); a fourth lowers the training NLL again but not the held-out
# one: from there on, extra components describe this sample rather than the geyser.
#
# ## 7. Failure modes
#
# ### A component collapses onto one sample ($\sigma \to 0$)
#
# The mixture likelihood has no maximum. Put one extra component exactly on a single sample $y_j$ and shrink
# its $\sigma$: its density at $y_j$, $\pi/(\sigma\sqrt{2\pi})$, grows without bound, so that sample's own term
# of the NLL, $-\log p(y_j)$, falls like $\log\sigma$, towards $-\infty$, while the other components still cover
# all the other samples. Below, a fourth component with weight 0.01 and $\sigma = 0.03$ sits on the loneliest
# training sample of our EM fit, and gradient descent moves its $\log\sigma$, with a step of 1 on the NLL summed
# over the samples. Only that one parameter moves, so that we watch one thing at a time; EM, below, moves them all.

# %%
sorted_y = torch.sort(y[:, 0]).values
gaps = sorted_y[1:] - sorted_y[:-1]
isolation = torch.minimum(torch.cat([gaps[:1], gaps]), torch.cat([gaps, gaps[-1:]]))  # to the nearest neighbour
lone = sorted_y[torch.argmax(isolation)].item()
is_lone = y[:, 0] == lone  # (N,): True for the lone sample only
base_w, base_mu, base_sigma = (
    t.reshape(-1).tolist() for t in (result.params.log_weights.exp(), result.params.means, result.params.scales)
)
spike_log_weights = torch.tensor([0.99 * w for w in base_w] + [0.01]).log()  # (4,): the spike's weight is 0.01
spike_means = torch.tensor(base_mu + [lone])  # (4,)


def nll_per_sample(data, log_sigma):
    """-log p(y_n) for each sample of data (N, 1): the EM fit plus the spike, whose std is exp(log_sigma)."""
    scales = torch.cat([torch.tensor(base_sigma), log_sigma.exp().reshape(1)])
    return -torch.logsumexp(spike_log_weights + ml.losses.gaussian_log_prob(spike_means, scales, data), dim=1)


log_sigma = torch.tensor(np.log(0.03), dtype=torch.float32, requires_grad=True)
steps = []  # per step: σ, the lone sample's term, the mean term of the others, the training NLL
for step in range(100):
    terms = nll_per_sample(y, log_sigma)  # (N,)
    steps.append([log_sigma.exp().item(), terms[is_lone].item(), terms[~is_lone].mean().item(), terms.mean().item()])
    if not bool(torch.isfinite(terms).all()):
        break
    terms.sum().backward()
    with torch.no_grad():
        log_sigma -= 1.0 * log_sigma.grad  # one step of plain gradient descent
    log_sigma.grad = None

print(f"lone sample at y = {lone:.3f}, {isolation.max():.3f} from its nearest neighbour")
print(f"{'step':>4} {'σ of the spike':>15} {'lone term':>10} {'others':>8} {'training NLL':>13}")
for step, (sigma, lone_term, others, mean) in enumerate(steps):
    if step % 10 == 0 or step >= len(steps) - 2:
        print(f"{step:4d} {sigma:15.3g} {lone_term:10.2f} {others:8.3f} {mean:13.4f}")

first_sigma, last_sigma = steps[0][0], steps[-2][0]  # the last σ before the NaN
for name, sigma in (("first", first_sigma), ("last finite", last_sigma)):
    fresh = nll_per_sample(y_test, torch.tensor(np.log(sigma), dtype=torch.float32)).mean()
    print(f"NLL on fresh data at the {name} σ ({sigma:.3g}): {fresh:.4f} nats")
farthest = (y[:, 0] - lone).abs().max()  # float32, like everything the model computes
distance = farthest / last_sigma  # in units of the spike's σ
print(f"at σ = {last_sigma:.3g} the farthest sample is {distance:.2g} σ away; squared: {distance**2}")

# %%
sigmas, lone_terms, other_terms, _ = (np.array(column) for column in zip(*steps[:-1]))
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2))
left.plot(sigmas, marker=".", color="C3")
left.set(yscale="log", title="σ of the spike", xlabel="gradient-descent step", ylabel="σ (log scale)")
right.plot(lone_terms, marker=".", color="C3", label="the lone sample")
right.plot(other_terms, color="C0", label="the other 999 (mean)")
right.set(title="Each sample's NLL term", xlabel="gradient-descent step", ylabel="−log p(y) (nats)")
right.legend(loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown]
# Every step divides $\sigma$ by $e \approx 2.7$, and the lone sample's term falls by one nat per step, with no
# bottom: from +2.00 to −37.95 nats in 40 steps. The other 999 samples do not notice (2.145 throughout), and
# the NLL on fresh data gets slightly *worse* (2.1364, then 2.1382). The training NLL is the average of all the
# terms, so it falls by only $1/N$ of the lone term's fall, 0.04 nats in 40 steps, to 2.105: below the floor
# $H(P) = 2.123$ that no honest model beats on fresh data, yet small enough to miss on a loss curve. Watch the
# smallest $\sigma$ as well as the loss. The run ends in NaN: at $\sigma \approx 10^{-19}$ the farthest sample is about
# $10^{20}$ standard deviations from the spike, its squared distance overflows float32 to `inf`, and the
# gradient multiplies that by the sample's responsibility, 0: $0 \cdot \infty$ = NaN.
#
# EM, which moves every parameter at once, finds the hole too. Start it with the same spike ($\sigma = 0.03$ on
# the lone sample), with no floor and with a floor of 0.05:

# %%
start = true_distributions.gaussian_mixture([0.99 * w for w in base_w] + [0.01], base_mu + [lone], base_sigma + [0.03])
for floor in (0.0, 0.05):
    params = start
    print(f"σ floor = {floor}:")
    for round_ in range(4):
        responsibilities, nll = em.e_step(params, y)
        print(f"   round {round_}: σ of the spike = {params.scales[0, 3, 0].item():.3g}, NLL = {nll:.4f}")
        if not np.isfinite(nll):
            print("   the NLL is NaN: the spike's σ reached exactly 0, and 0/0 is NaN")
            break
        params = em.m_step(y, responsibilities, min_scale=floor)

# %% [markdown]
# Without a floor, one M-step shrinks $\sigma$ from 0.03 to $5 \cdot 10^{-5}$, the next one to exactly 0, and the
# NLL is NaN. **Remedies:**
#
# - a **σ floor** $\sigma_{\min}$ (`min_scale` in `em.m_step` and `ml.GaussianMixture`): the NLL is then bounded
#   below, and the spike stops at $\sigma_{\min}$;
# - a **sensible start**: components that start wide and spread over the data, as `em.fit_em` (σ = the data's
#   standard deviation) and `ml.GaussianMixture` (σ = that standard deviation / √K) do by default, rarely fall into the hole at all;
# - judging on **fresh data**: a training NLL far below anything plausible is a warning sign.
#
# ### A dead component (weight → 0)
#
# The opposite failure: a component that starts far from all data is responsible for no sample. Its mean and
# scale get (almost) no gradient, and in EM it would have nothing to refit, while the gradient of its weight
# keeps pushing the weight down. It never comes back, and the mixture is left with $K - 1$ working
# components. We start component 2 six standard deviations above the data:

# %%
torch.manual_seed(0)
dead = ml.GaussianMixture(n_components=3)
dead.set_scaling(None, y)  # fix the standardisation now (ml.fit would do it on first use)
with torch.no_grad():
    dead.means[2] = 6.0  # in standardised units: six standard deviations above the mean of the data


def report(step, loss, model):
    with torch.no_grad():
        params = model()
    print(
        f"step {step:3d}: weights {[round(v, 3) for v in params.log_weights.exp()[0].tolist()]}, "
        f"means {[round(v, 2) for v in params.means[0, :, 0].tolist()]}"
    )


report(0, None, dead)
dead_history = ml.fit(dead, None, y, steps=300, lr=0.05, batch_size=len(y), callback=report, callback_every=100)
print(f"NLL on the training data: {dead_history.loss[-1]:.3f} nats (healthy start: {history.loss[-1]:.3f})")

# %%
with torch.no_grad():
    dead_params = dead()
ax = ml.plots.mixture_density(
    dead_params, y_grid, data=y, label="fitted mixture", title="A dead component: two bumps are shared by one Gaussian"
)
ax.text(
    6.8,
    0.1,
    f"component 2 is off the plot:\nmean {dead_params.means[0, 2, 0].item():.1f}, "
    f"weight {dead_params.log_weights.exp()[0, 2].item():.3f}",
    ha="right",
    color="C2",
)
plt.show()

# %% [markdown]
# The far component's weight shrinks towards 0 while its mean stays at 16; the two left components cover three
# bumps, and the NLL is 0.15 nats worse than the healthy fit. **Remedies:** start the means spread over the data
# (`ml.GaussianMixture` places them at normal quantiles of the standardised data, `em.fit_em` at k-means++
# picks) with scales wide
# enough to reach the data; in stubborn cases, re-start a dead component on a random sample.
#
# ## 8. Try it: the mixture explorer
#
# Choose the number of components and the learning rate, then press **Train mixture**: the fitted density is
# redrawn over the histogram as training runs, with the NLL underneath. Things to try: $K = 1$ and $K = 2$ (which
# bumps are missed?); $K = 10$ (do extra components hurt?); a learning rate of $10^{-4}$ (is 400 steps enough?)
# and of $10^{-1}$.

# %%
explorer = ml.widgets.MixtureExplorer(y, n_components=3, lr=0.05)
explorer

# %% [markdown]
# The next cell presses the button from code, so the lesson also shows a trained result when it runs without a
# browser.

# %%
explorer.train()
print(explorer.status.value)


# %% [markdown]
# ## Exercises
#
# Fill in each `...`, run the cell, then run the check below it. A check prints ✅ or ❌ with what is wrong;
# until you fill in the cell it says *not attempted yet*. Solutions: `solutions/02_gaussian_mixtures_solutions.ipynb`.

# %% [markdown]
# ### Exercise 1: a log mixture density that never underflows
#
# Write $\log p(y)$ for a mixture, stable for values far from every component. The checker tries typical samples of $P$ and the far values $-40$, $25$ and $60$.

# %% [markdown] tags=["solution"]
# ## Exercise 1: a log mixture density that never underflows
#
# Write $\log p(y)$ for a mixture, stable for values far from every component. The checker tries typical samples of $P$ and the far values $-40$, $25$ and $60$.


# %% tags=["stub"]
def log_mixture_density(y, weights, means, scales):
    """log p(y) for each value of y (a 1-D tensor, N) under the mixture with these K weights, means, scales (1-D)."""
    # TODO: return log p(y_n) for every n, a tensor of shape (N,), finite even for a y so far from every
    # component that each weighted density underflows to 0 in float32 (section 3).
    ...


# %% tags=["solution"]
def log_mixture_density(y, weights, means, scales):
    """log p(y) for each value of y (a 1-D tensor, N) under the mixture with these K weights, means, scales (1-D)."""
    log_terms = torch.log(weights) + ml.losses.gaussian_log_prob(means, scales, y[:, None])  # (N, K)
    return torch.logsumexp(log_terms, dim=1)


# %% tags=["exercise"]
result = ml.checks.lesson02.check_log_mixture_density(log_mixture_density)


# %% [markdown]
# ### Exercise 2: EM's M-step
#
# Section 6 said what the M-step does in words: each component's weight becomes the share $N_k / N$ of the
# samples it owns, and its mean and standard deviation become lesson 01's closed-form fit with every sample
# counted $r_{nk}$ times instead of once. Write the three updates as formulas (what does "counted $r_{nk}$ times"
# do to lesson 01's $\hat\mu = \frac{1}{N}\sum_n y_n$?), then as code. The checker compares your result with
# `em.m_step` on 300 samples with the responsibilities of a rough first guess, and on fresh data.

# %% [markdown] tags=["solution"]
# ## Exercise 2: EM's M-step
#
# Section 6 said what the M-step does in words: each component's weight becomes the share $N_k / N$ of the
# samples it owns, and its mean and standard deviation become lesson 01's closed-form fit with every sample
# counted $r_{nk}$ times instead of once. Write the three updates as formulas (what does "counted $r_{nk}$ times"
# do to lesson 01's $\hat\mu = \frac{1}{N}\sum_n y_n$?), then as code. The checker compares your result with
# `em.m_step` on 300 samples with the responsibilities of a rough first guess, and on fresh data.


# %% tags=["stub"]
def m_step(y, resp):
    """One M-step. y: samples, shape (N,); resp: responsibilities, shape (N, K).

    Returns (weights, means, scales), each of shape (K,).
    """
    # TODO: the new weights π_k, means μ_k and standard deviations σ_k of the K components, as three tensors
    # of shape (K,), from the responsibility-weighted samples.
    ...


# %% [markdown] tags=["solution"]
# Counting sample $n$ $r_{nk}$ times turns every sum over samples into a weighted sum, and the number of samples
# $N$ into $N_k = \sum_n r_{nk}$:
# $$\pi_k = \frac{N_k}{N}, \qquad \mu_k = \frac{1}{N_k}\sum_n r_{nk}\, y_n,$$
# $$\sigma_k^2 = \frac{1}{N_k}\sum_n r_{nk}\, (y_n - \mu_k)^2.$$
# (Setting the derivatives of the responsibility-weighted NLL to zero, as lesson 01 did, gives the same.)


# %% tags=["solution"]
def m_step(y, resp):
    """One M-step. y: samples, shape (N,); resp: responsibilities, shape (N, K).

    Returns (weights, means, scales), each of shape (K,).
    """
    n_k = resp.sum(dim=0)  # (K,)
    means = (resp * y[:, None]).sum(dim=0) / n_k
    variances = (resp * (y[:, None] - means) ** 2).sum(dim=0) / n_k
    return n_k / len(y), means, variances.sqrt()


# %% tags=["exercise"]
result = ml.checks.lesson02.check_m_step(m_step)

# %% [markdown] tags=["solution"]
# Your M-step agrees with the package's; one EM round with it does not raise the NLL, as no EM round can:

# %% tags=["solution"]
P = true_distributions.three_bumps_p()
y = true_distributions.sample(P, n=1000, seed=0)
guess = true_distributions.gaussian_mixture([0.4, 0.3, 0.3], [-3.0, 0.5, 3.0], [1.0, 1.0, 1.0])
resp, nll_before = em.e_step(guess, y)
new_weights, new_means, new_scales = m_step(y[:, 0], resp)
_, nll_after = em.e_step(true_distributions.gaussian_mixture(new_weights, new_means, new_scales), y)
print(f"NLL before the M-step: {nll_before:.3f} nats, after: {nll_after:.3f} nats")
assert nll_after < nll_before

# %% [markdown]
# ## Recap
#
# - A Gaussian mixture $p(y) = \sum_k \pi_k \mathcal{N}(y; \mu_k, \sigma_k^2)$ fits densities with several bumps; one
#   Gaussian stays about 0.3 nats from the three-bump $P$, three components come within 0.01.
# - Sampling: pick a component with probabilities $\pi_k$, then sample that component.
# - Compute the mixture NLL in log space with **logsumexp**; exp-then-log underflows to $\log 0 = -\infty$ and
#   gives NaN gradients.
# - Weights come from logits through **log_softmax** (not `log(softmax)`); scales from **softplus (or exp) plus a
#   floor** $\sigma_{\min}$. The gradient of a sample's NLL with respect to the logits is $\pi - \gamma$, the
#   weights minus the responsibilities.
# - Gradient descent (`ml.fit` on `ml.GaussianMixture`) and **EM** (E-step: responsibilities; M-step: weighted
#   refits) find the same mixture; MDNs need gradient descent because their parameters come from a network.
# - Failure modes: a component **collapsing** onto one sample drives that sample's NLL term to $-\infty$ (one nat
#   per gradient step here) and then NaN, while the training NLL moves by only $1/N$ of that (remedy: σ floor,
#   wide spread-out start, judge on fresh data, watch the smallest σ); a **dead component** far from the data loses
#   its weight and never recovers (remedy: start the means spread over the data).
#
# **Next:** [03 · When MSE fails](03_mse_fails.ipynb) — regression where one input has several right answers,
# and why the mean squared error averages them into a wrong one.
