# %% [markdown]
# # 04 · A Mixture Density Network, built by hand
#
# *About 45 minutes.*
#
# This lesson builds a **Mixture Density Network** (MDN) and trains it on the inverted sine, the one-to-many
# problem on which lesson 03's regression nets failed. An MDN is an ordinary neural network whose outputs are the
# parameters of a Gaussian mixture over $y$ (weights, means and standard deviations, all different for every
# $x$), trained by minimising the mixture's negative log-likelihood. You write its two core pieces: the map from
# the network's raw outputs to the mixture, and the loss. The lesson wraps them in a small network and a plain
# PyTorch training loop, draws what the trained network learned, derives the loss's gradients and checks them
# against autograd. At the end comes the packaged version of what you built, `ml.MDN` and `ml.fit`.
#
# ## Learning objectives
#
# - Turn a network's raw outputs into a valid mixture: log-softmax for the weights, the means as they are, and a
#   positive map for the scales that you choose and can defend.
# - Write the mixture NLL (Gaussian log-density, logsumexp over the components, mean over the samples), train an
#   MDN with it, and judge the result by its held-out NLL against the Bayes limit.
# - Derive the NLL's gradients through the responsibilities $\gamma_k$, the posterior of each component given
#   $y$ (EM's E-step of lesson 02), and check them against autograd.
# - Read Bishop's diagnostic figure: $\pi_k(x)$, $\mu_k(x)$ and $\sigma_k(x)$ beside the density they make.
#
# ## Setup

# %% tags=["exercise"]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import mdn_lessons as ml
from mdn_lessons import conditional  # the true branches and the mean σ of a mixture

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## The data, and the number to beat
#
# The same data as lesson 03: 3000 training pairs of the inverted sine, $y \sim U[-10, 10]$ and
# $x = 7\sin(0.75\,y) + 0.5\,y + \varepsilon$ with $\varepsilon \sim \mathcal{N}(0, 1)$, and 5000 held-out pairs.

# %%
x, y = ml.data.inverted_sine(n=3000, noise=1.0, seed=0)  # training data, (3000, 1) each
x_test, y_test = ml.data.inverted_sine(n=5000, noise=1.0, seed=1)  # held out

# %% [markdown]
# The Bayes limit is the held-out NLL of the exact conditional density, the best any model can do. Lesson
# 03's single Gaussian ended about 1.55 nats above it.

# %%
bayes_nll = float(-ml.data.inverted_sine_log_prob(x_test, y_test, noise=1.0).mean())
print(f"Bayes limit on the test set: {bayes_nll:.3f} nats")

# %% [markdown]
# ## What the network must output
#
# An MDN models the whole conditional density as a mixture of $K$ Gaussians whose parameters are functions
# of $x$:
#
# $$
# p(y \mid x) = \sum_{k=1}^{K} \pi_k(x)\, \mathcal{N}\big(y;\ \mu_k(x),\ \sigma_k(x)^2\big).
# $$
#
# For every $x$ the network must produce $K$ weights that are positive and sum to 1, $K$ means (any real
# numbers) and $K$ standard deviations (positive). A network's last layer gives unconstrained real numbers, so
# we let it give three blocks of $K$ raw outputs, $a_k$, $b_k$ and $c_k$, and map them into range:
#
# - **Weights:** $\pi_k = e^{a_k} / \sum_j e^{a_j}$, the softmax. The loss needs $\log \pi_k = a_k -
#   \log\sum_j e^{a_j}$, which `torch.log_softmax` computes without ever forming a weight that underflows to 0
#   (lesson 02 showed `log(softmax(...))` turning into $-\infty$ and NaN gradients).
# - **Means:** $\mu_k = b_k$: any real number is a valid mean.
# - **Scales:** $\sigma_k = g(c_k)$ for a function $g$ that is positive for every $c$. Lesson 02 met two
#   candidates, $e^{c}$ and $\operatorname{softplus}(c) = \log(1 + e^{c})$, and the option of adding a small
#   floor $\sigma_{\min}$. That choice is yours.

# %% [markdown] tags=["exercise"]
# ### Exercise 1: from raw outputs to $(\pi, \mu, \sigma)$
#
# Write `mixture_from_heads(logits, mean_outputs, scale_outputs)`. Each argument is a block of raw outputs of
# shape (N, K), for N inputs and K components. Return `ml.MixtureParams(log_weights, means, scales)` with
# `log_weights` of shape (N, K) (log-weights whose exponentials sum to 1 over the K components) and `means` and
# `scales` of shape (N, K, 1) (the last axis is D = 1 output feature).
#
# **Decide** how $\sigma$ becomes positive: $e^{c}$ or $\operatorname{softplus}(c)$, with or without a floor of at
# most 0.01 (the network works in standard deviations of $y$, and the data's thinnest branches are about 0.03 of
# them wide). Write your choice and your reason in one sentence in the cell after the check. The checker measures
# your map on raw outputs from $-30$ to $30$ (it must be positive, finite and increasing, and reach a large
# $\sigma$), then tries the lesson's raw outputs (logits up to 400 apart) and fresh ones of another shape.


# %% tags=["stub"]
def mixture_from_heads(logits, mean_outputs, scale_outputs):
    """Raw outputs (N, K) each -> ml.MixtureParams(log_weights (N, K), means (N, K, 1), scales (N, K, 1))."""
    # TODO: log-weights that sum (after exp) to 1 over the K components, never -inf; means as they are;
    # scales positive through the map you chose. Give means and scales their last axis of size 1.
    ...


# %% tags=["solution"]
def mixture_from_heads(logits, mean_outputs, scale_outputs):
    """Raw outputs (N, K) each -> ml.MixtureParams(log_weights (N, K), means (N, K, 1), scales (N, K, 1))."""
    log_weights = torch.log_softmax(logits, dim=1)
    scales = nn.functional.softplus(scale_outputs) + 1e-3
    return ml.MixtureParams(log_weights, mean_outputs.unsqueeze(-1), scales.unsqueeze(-1))


# %% tags=["exercise"]
result = ml.checks.lesson04.check_mixture_from_heads(mixture_from_heads)

# %% [markdown]
# *My choice for σ, and why:* ...

# %% [markdown] tags=["solution"]
# **One defensible choice: softplus plus a floor of 0.001.** Softplus grows linearly for large $c$, so a large
# raw output gives a large $\sigma$ with a gradient of at most 1, while $e^{c}$ overflows float32 above
# $c \approx 88$ and its gradient grows with $\sigma$. For small $\sigma$ the two agree ($\operatorname{softplus}(c)
# \approx e^{c}$ for very negative $c$), so the start of training is the same. The floor keeps $\log\sigma \ge
# \log 0.001$ when a component shrinks onto a few points; lesson 05 shows the collapse it prevents. $e^{c}$
# (Bishop's choice), with or without a floor, is just as valid here: on this data the lesson's network, trained
# for its 1000 steps, ends 0.052 to 0.053 nats above the Bayes limit with each of $e^{c}$, $e^{c} + 0.001$,
# $\operatorname{softplus}(c)$ and $\operatorname{softplus}(c) + 0.001$ (measured when this lesson was written).
# The choice matters where σ is pushed towards 0, as in lesson 05.

# %% [markdown]
# ## The loss: the mixture's negative log-likelihood
#
# For one pair $(x_n, y_n)$ the loss is $E_n = -\log p(y_n \mid x_n)$, and training minimises its mean over a
# mini-batch. In log space, with $\log\pi_k$ from the log-softmax of the logits,
#
# $$
# E_n = -\log \sum_{k=1}^{K} \exp\Big(\log\pi_k + \log\mathcal{N}(y_n; \mu_k, \sigma_k^2)\Big), \qquad
# \log\mathcal{N}(y; \mu, \sigma^2) = -\tfrac12 \Big(\frac{y-\mu}{\sigma}\Big)^2 - \log\sigma - \tfrac12\log 2\pi .
# $$
#
# The outer $\log\sum\exp$ is `torch.logsumexp`: it subtracts the largest term first, so a sample that lies
# many $\sigma$ from every component gets a large but finite loss instead of $\log 0$ (lesson 02).

# %% [markdown] tags=["exercise"]
# ### Exercise 2: the mixture NLL
#
# Write `mixture_nll(logits, means, scales, y)`: the mean over the N samples of $E_n$ above. Shapes: `logits`
# (N, K), the raw weight outputs (normalise them inside with the log-softmax; log-weights that are already
# normalised come through unchanged, since $\log\sum_j \pi_j = 0$); `means` and `scales` (N, K, 1), scales positive;
# `y` (N, 1). Return a tensor with one number that gradients can flow back through (the training loop calls
# `.backward()` on it). Work it out from the formula with torch operations; `ml.mixture_nll` is the package's
# version, not to be called here.


# %% tags=["stub"]
def mixture_nll(logits, means, scales, y):
    """Mean NLL of y (N, 1) under the mixtures: logits (N, K), means and scales (N, K, 1). A scalar tensor."""
    # TODO: log-weights from the logits; each component's Gaussian log-density of y, shape (N, K);
    # combine the K components in log space; average over the N samples; return minus that.
    ...


# %% tags=["solution"]
def mixture_nll(logits, means, scales, y):
    """Mean NLL of y (N, 1) under the mixtures: logits (N, K), means and scales (N, K, 1). A scalar tensor."""
    log_weights = torch.log_softmax(logits, dim=1)
    z = (y.unsqueeze(1) - means) / scales  # (N, K, 1): y broadcast against the K components
    log_density = (-0.5 * z**2 - torch.log(scales) - 0.5 * math.log(2 * math.pi)).sum(dim=-1)  # (N, K)
    return -torch.logsumexp(log_weights + log_density, dim=1).mean()


# %% tags=["exercise"]
result = ml.checks.lesson04.check_mixture_nll(mixture_nll)

# %% [markdown] tags=["solution"]
# Three lines: normalise the weights in log space, the Gaussian log-density of $y$ under every component at once
# (`y.unsqueeze(1)` gives $y$ a component axis, (N, 1, 1) against (N, K, 1)), then `logsumexp` over the K
# components and the mean over the N samples. Already-normalised log-weights pass through the log-softmax
# unchanged, which is why the training loop can hand this function the mixture that `mixture_from_heads` made:

# %% tags=["solution"]
log_weights = torch.log_softmax(torch.tensor([[0.0, 60.0, 120.0]]), dim=1)
print("log π:              ", log_weights.tolist())
print("log_softmax(log π): ", torch.log_softmax(log_weights, dim=1).tolist())

# %% [markdown]
# ## The network: a shared body and three heads
#
# A **shared body** of two hidden layers turns $x$ into 64 features $h$; three **heads**, each a linear layer
# with $K$ outputs, turn $h$ into the raw blocks $a$, $b$, $c$; and your `mixture_from_heads` maps them into
# range. Three practical details live in `__init__`:
#
# - **Standardised units inside.** The body sees $(x - \bar x)/s_x$ and the heads speak in units of $s_y$;
#   `forward` converts back, so the mixture is in the data's units. Shifting and scaling $y$ only adds the
#   constant $\log s_y$ to the NLL, so the gradients are those of a net trained on standardised data.
# - **Components start apart.** Small head weights give every $x$ nearly the same starting mixture, and the
#   mean head's biases spread the $K$ means from $-1.5$ to $1.5$ standard deviations of $y$, so each component
#   starts near a different part of the data (lesson 05 shows what happens when they all start together).
# - **σ starts small, a choice made for this lesson:** about $0.02$ standard deviations of $y$ (the scale head's
#   bias is $c = \log(e^{0.02} - 1)$, which gives 0.02 through softplus and 0.0202 through $e^c$), so that we can
#   watch what training does with a σ that is far too small. `ml.MDN` starts wider, below.
#
# The next cell hands the network your two functions if their checks pass, and the package's versions otherwise.

# %%
to_mixture = ml.checks.lesson04.yours_or_packaged("mixture_from_heads", mixture_from_heads)
loss_function = ml.checks.lesson04.yours_or_packaged("mixture_nll", mixture_nll)


# %%
class HandBuiltMDN(nn.Module):
    """p(y | x) as a mixture of K Gaussians.

    x (N, 1) -> MixtureParams(log_weights (N, K), means (N, K, 1), scales (N, K, 1)), in the data's units.
    """

    def __init__(self, x, y, n_components=5, hidden=64, start_scale=0.02):
        super().__init__()
        # Fixed shifts and scales from the training data: the layers work in standardised units.
        self.x_mean, self.x_std = float(x.mean()), float(x.std())
        self.y_mean, self.y_std = float(y.mean()), float(y.std())
        self.body = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.logit_head = nn.Linear(hidden, n_components)  # a_k
        self.mean_head = nn.Linear(hidden, n_components)  # b_k
        self.scale_head = nn.Linear(hidden, n_components)  # c_k
        with torch.no_grad():
            for head in (self.logit_head, self.mean_head, self.scale_head):
                head.weight.mul_(0.1)  # nearly the same mixture for every x at the start
            self.mean_head.bias.copy_(torch.linspace(-1.5, 1.5, n_components))  # means spread over y
            self.scale_head.bias.fill_(math.log(math.expm1(start_scale)))  # σ ≈ start_scale at the start

    def forward(self, x):
        h = self.body((x - self.x_mean) / self.x_std)
        log_weights, means, scales = to_mixture(self.logit_head(h), self.mean_head(h), self.scale_head(h))
        return ml.MixtureParams(log_weights, self.y_mean + self.y_std * means, self.y_std * scales)


# %% [markdown]
# ## Training: a plain PyTorch loop
#
# Adam on mini-batches of 256 pairs, with a learning rate of 0.01 that decays to 0 along a cosine over the
# steps (`CosineAnnealingLR`): big steps early, fine ones at the end. Each step computes the mixture, your loss,
# its gradients, and an update. Along the way we record the loss and the **mean σ**, $\sum_k \pi_k \sigma_k$
# averaged over the batch (`conditional.mean_scale`), and at a few steps a snapshot of the mixture on a grid of $x$.


# %%
def train(model, x, y, steps=1000, lr=0.01, batch_size=256, seed=0, snapshot_steps=(), x_grid=None):
    """Adam on the mixture NLL. Returns the loss and mean σ of every step, and {step: mixture on x_grid}."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    generator = torch.Generator().manual_seed(seed)
    losses, sigmas, snapshots = [], [], {}
    for step in range(steps + 1):  # one pass more than `steps`, to snapshot the trained model
        if step in snapshot_steps:
            with torch.no_grad():
                snapshots[step] = model(x_grid)
        if step == steps:
            break
        batch = torch.randint(len(x), (batch_size,), generator=generator)
        params = model(x[batch])
        loss = loss_function(*params, y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        sigmas.append(conditional.mean_scale(params))
    return losses, sigmas, snapshots


# %%
x_grid = torch.linspace(float(x.min()), float(x.max()), 200).unsqueeze(1)
snapshot_steps = (0, 25, 150, 1000)

torch.manual_seed(0)
model = HandBuiltMDN(x, y)
losses, sigmas, snapshots = train(model, x, y, snapshot_steps=snapshot_steps, x_grid=x_grid)
print(f"training NLL of the last mini-batch: {losses[-1]:.3f} nats")

# %% [markdown]
# ## Watch σ widen, then tighten
#
# Each component's mean $\mu_k(x)$ as a line and its band $\mu_k \pm \sigma_k$, drawn where its weight exceeds 5%,
# at four moments of training:

# %%
fig, axes = plt.subplots(2, 2, figsize=(8, 6.5), sharex=True, sharey=True, layout="constrained")
for ax, step in zip(axes.flat, snapshot_steps):
    sigma = conditional.mean_scale(snapshots[step])
    ml.plots.component_bands(snapshots[step], x_grid, ax=ax, data=(x, y), title=f"step {step}: mean σ = {sigma:.2f}")
    ax.get_legend().remove()
axes[0, 0].legend(loc="upper left")
fig.suptitle("The hand-built MDN during training: means and ±σ bands")
plt.show()

# %% [markdown]
# At step 0 the five components are flat, thin bands: every $x$ gets the same mixture, and most points lie far
# outside every band. By step 25 the bands have swollen to cover the data; by step 150 the means have bent
# onto the branches and the bands are shrinking back around them. Recorded at every step (left), the mean σ rises
# more than tenfold and falls back; the loss (right, a linear axis: an NLL can be negative) falls towards the
# Bayes limit. The losses of the first few steps, while σ is tiny, are above the top of the plot.

# %%
fig, (ax_sigma, ax_loss) = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
steps = np.arange(1, len(sigmas) + 1)
ax_sigma.plot(steps, sigmas, color="C4")
ax_sigma.set(xscale="log", title="Mean σ of the mini-batch", xlabel="step (log scale)", ylabel="Σ π_k σ_k")
ax_loss.plot(steps, losses, color="C0", lw=0.8, label="hand-built MDN")
ax_loss.axhline(bayes_nll, color="black", ls=":", label="Bayes limit (test set)")
ax_loss.set(xscale="log", ylim=(bayes_nll - 0.5, 6), title="Training NLL of the mini-batch")
ax_loss.set(xlabel="step (log scale)", ylabel="NLL (nats)")
ax_loss.legend()
plt.show()

# %% [markdown]
# The widening is not something every MDN does: it happens here because we started σ far too small. The
# gradients below say why it happens, and the packaged `ml.MDN` at the end, which starts wider, skips it.
#
# ## The gradients, derived
#
# For one sample write $\mathcal{N}_k = \mathcal{N}(y; \mu_k, \sigma_k^2)$, $p = \sum_j \pi_j \mathcal{N}_j$ and
# $E = -\log p$. The quantity every gradient goes through is
#
# $$
# \gamma_k = \frac{\pi_k\, \mathcal{N}_k}{\sum_j \pi_j\, \mathcal{N}_j},
# $$
#
# the posterior probability that component $k$ produced $y$: exactly the **responsibility** $r_{nk}$ of EM's
# E-step in lesson 02. With $\pi = \operatorname{softmax}(a)$, so that $\partial \pi_j/\partial a_k =
# \pi_j(\delta_{jk} - \pi_k)$, and $\partial \log\mathcal{N}_k / \partial\mu_k = (y - \mu_k)/\sigma_k^2$,
# $\partial \log\mathcal{N}_k / \partial\log\sigma_k = z_k^2 - 1$ with $z_k = (y - \mu_k)/\sigma_k$:
#
# $$
# \frac{\partial E}{\partial a_k} = -\frac{1}{p}\sum_j \mathcal{N}_j\, \pi_j(\delta_{jk} - \pi_k) = \pi_k - \gamma_k,
# \qquad
# \frac{\partial E}{\partial \mu_k} = -\frac{\pi_k \mathcal{N}_k}{p}\,\frac{y - \mu_k}{\sigma_k^2}
#   = \gamma_k\, \frac{\mu_k - y}{\sigma_k^2},
# \qquad
# \frac{\partial E}{\partial \log\sigma_k} = \gamma_k\,\big(1 - z_k^2\big).
# $$
#
# These are Bishop's (1994; *Pattern Recognition and Machine Learning*, §5.6, eqs 5.155–5.157, there for a
# spherical Gaussian in $L$ dimensions, where $1$ becomes $L$). Each says something plain:
#
# - A weight's logit moves until the weight $\pi_k$ matches the component's responsibility $\gamma_k$. Lesson 02
#   printed the gradient $[0, -1, 1]$ for logits $[0, 60, 120]$ and $y = -4$: there $\pi \approx (0, 0, 1)$ and
#   $y$ belongs to the second component, $\gamma \approx (0, 1, 0)$, so $\pi - \gamma = (0, -1, 1)$.
# - A mean is pulled towards $y$ in proportion to the component's responsibility for it.
# - A scale grows while the samples a component is responsible for lie further than one σ away ($z^2 > 1$) and
#   shrinks once they lie closer. At our start, σ is 0.02 standard deviations and a typical sample lies ten σ or
#   more from the nearest mean: $1 - z^2$ is hugely negative and the bands widen. Once the means sit on the
#   branches, $z^2$ averages about 1 and σ settles.
#
# Set to zero for a mixture that does not depend on $x$, the three equations give EM's M-step back:
# $\pi_k$ = the mean of $\gamma_{nk}$, $\mu_k$ = the $\gamma$-weighted mean of $y$, $\sigma_k^2$ = the
# $\gamma$-weighted variance. An MDN's parameters depend on $x$ through the network, so there is no closed form;
# backpropagation carries these same numbers into the network's weights.

# %% [markdown] tags=["exercise"]
# ### Exercise 3: the responsibilities
#
# Write `responsibilities(log_weights, means, scales, y)`, returning $\gamma$ of shape (N, K) for `log_weights`
# (N, K) (normalised), `means` and `scales` (N, K, 1) and `y` (N, 1). Every row must sum to 1, and a sample that
# lies 40 σ from every component must still get finite numbers. The next cell then uses it to check the three
# gradients against autograd.


# %% tags=["stub"]
def responsibilities(log_weights, means, scales, y):
    """γ (N, K): the posterior probability of each component given y (N, 1)."""
    # TODO: each component's share of the density at y, normalised over the K components; stay in log space
    # until the end, so that far samples do not give 0/0.
    ...


# %% tags=["solution"]
def responsibilities(log_weights, means, scales, y):
    """γ (N, K): the posterior probability of each component given y (N, 1)."""
    z = (y.unsqueeze(1) - means) / scales
    log_density = (-0.5 * z**2 - torch.log(scales) - 0.5 * math.log(2 * math.pi)).sum(dim=-1)  # (N, K)
    return torch.softmax(log_weights + log_density, dim=1)


# %% tags=["exercise"]
result = ml.checks.lesson04.check_responsibilities(responsibilities)

# %% [markdown] tags=["solution"]
# The responsibilities are a softmax over the components of the same terms $\log\pi_k + \log\mathcal{N}_k$ that
# the NLL combines with `logsumexp`: $\gamma_k = \exp\big(\log\pi_k + \log\mathcal{N}_k - \log p\big)$. The softmax
# subtracts the largest term before exponentiating, so a sample 40 σ from every component gets finite
# responsibilities, not $0/0$.

# %% [markdown]
# The check against autograd, on the trained network's mixtures for eight training pairs. We make the logits,
# the means and $\log\sigma$ leaf tensors, let autograd differentiate $E = -\sum_n \log p(y_n \mid x_n)$ (a sum,
# so that each row holds one sample's gradient), and compare with the formulas:

# %%
gamma_function = ml.checks.lesson04.yours_or_packaged("responsibilities", responsibilities)
with torch.no_grad():
    trained = model(x[:8])
logits = trained.log_weights.clone().requires_grad_()  # log-weights are valid logits
means = trained.means.clone().requires_grad_()
log_scales = trained.scales.log().requires_grad_()
scales = log_scales.exp()
y_few = y[:8]
total_nll = -ml.losses.mixture_log_prob(torch.log_softmax(logits, dim=1), means, scales, y_few).sum()
total_nll.backward()

with torch.no_grad():
    gamma = gamma_function(torch.log_softmax(logits, dim=1), means, scales, y_few)  # (8, K)
    z = (y_few.unsqueeze(1) - means) / scales  # (8, K, 1)
    formulas = {
        "dE/d logit_k = π_k - γ_k": (torch.softmax(logits, dim=1) - gamma, logits.grad),
        "dE/d μ_k = γ_k (μ_k - y)/σ_k²": (gamma.unsqueeze(-1) * (means - y_few.unsqueeze(1)) / scales**2, means.grad),
        "dE/d log σ_k = γ_k (1 - z_k²)": (gamma.unsqueeze(-1) * (1 - z**2), log_scales.grad),
    }
for name, (formula, autograd) in formulas.items():
    print(f"{name:32s} max |formula - autograd| = {float((formula - autograd).abs().max()):.1e}")

# %% [markdown]
# Agreement to float32 rounding. The same formula for $\log\sigma$ shows the widening in numbers: averaged over
# the training data, $\sum_k \gamma_k (1 - z_k^2)$ at the start (a fresh network with σ = 0.02 standard deviations)
# and after training:


# %%
def mean_log_sigma_gradient(network):
    with torch.no_grad():
        params = network(x)
        gamma = gamma_function(params.log_weights, params.means, params.scales, y)
        z = (y.unsqueeze(1) - params.means) / params.scales
        return float((gamma.unsqueeze(-1) * (1 - z**2)).sum(dim=(1, 2)).mean())


torch.manual_seed(0)
print(f"at the start:   Σ_k γ_k (1 - z_k²) = {mean_log_sigma_gradient(HandBuiltMDN(x, y)):9.1f}")
print(f"after training: Σ_k γ_k (1 - z_k²) = {mean_log_sigma_gradient(model):9.3f}")

# %% [markdown]
# Strongly negative at the start: every step pushes $\log\sigma$ up. Close to 0 after training: the samples each
# component is responsible for lie, on average, one σ from its mean ($z^2$ averages 1), and σ has settled.

# %% [markdown]
# ## What the network learned
#
# Bishop's diagnostic figure draws the mixture's parameters as functions of $x$, beside the density they make
# (`ml.plots.mixture_parameters`). Means and scales are drawn faint where their component's weight is below 5%:
# there they hardly change the density.

# %%
y_grid = torch.linspace(-11, 11, 200)
axes = ml.plots.mixture_parameters(model, x_grid, y_grid, title="The hand-built MDN after training")
plt.show()

# %% [markdown]
# Read it panel by panel. **Weights (top left):** a component carries weight only over the range of $x$ where
# its branch exists, and its weight falls off where the branch folds back: the weights are how the network
# switches branches on and off. **Means (top right):** where they are drawn solid, each follows one branch of the
# inverted sine. **Scales (bottom left):** σ is not a constant. Noise of 1 in $x$ becomes a spread of about
# $1/|dx/dy|$ in $y$, so σ is smallest in the middle of a branch, which crosses $x$ at a slant, and largest
# towards its ends, where the branch folds back. **Density (bottom right):** one, three or five peaks depending on
# $x$; the dots mark its highest point, the mode, which jumps from branch to branch where another branch becomes
# the most probable.
#
# The held-out NLL puts a number on the fit:

# %%
with torch.no_grad():
    hand_nll = float(loss_function(*model(x_test), y_test))
print(f"held-out NLL, hand-built MDN: {hand_nll:.3f} nats")
print(f"Bayes limit:                  {bayes_nll:.3f} nats")
print(f"gap:                          {hand_nll - bayes_nll:.3f} nats")

# %% [markdown]
# From a gap of about 1.55 nats with one Gaussian (lesson 03) to a few hundredths of a nat. The vertical slice
# at $x = 0$ of lesson 03 shows where the difference comes from: five peaks, now matched one by one.

# %%
y_slice = torch.linspace(-12, 12, 600).unsqueeze(1)
x_zero = torch.zeros_like(y_slice)
exact_density = ml.data.inverted_sine_log_prob(x_zero, y_slice, noise=1.0).exp()
with torch.no_grad():
    mdn_density = ml.losses.mixture_log_prob(*model(x_zero), y_slice).exp()

fig, ax = plt.subplots(figsize=(8, 3.2))
ax.plot(y_slice, exact_density, color="black", label="exact p(y | x = 0)")
ax.plot(y_slice, mdn_density, color="C1", ls="--", lw=2, label="hand-built MDN")
ax.set(title="A vertical slice at x = 0", xlabel="y", ylabel="density", ylim=(0, 0.5))
ax.legend(loc="upper center", ncols=2)
plt.show()

# %% [markdown]
# ## The packaged version of what you built
#
# `ml.MDN` is this network, and `ml.fit` this loop with the refinements of the course's recipe (a learning-rate
# warm-up and decay, gradient clipping, a number of steps that grows with the data; lesson 05 explains them). Three
# lines:

# %%
torch.manual_seed(0)
mdn = ml.MDN(1, 1, n_components=5)
history = ml.fit(mdn, x, y)

# %%
with torch.no_grad():
    package_nll = float(-mdn.log_prob(x_test, y_test).mean())
print(f"{'held-out NLL':28s} {'nats':>6s} {'gap to Bayes':>13s}")
for name, value in (("hand-built MDN", hand_nll), ("ml.MDN + ml.fit", package_nll)):
    print(f"{name:28s} {value:6.3f} {value - bayes_nll:13.3f}")

# %% [markdown]
# The two land within a few thousandths of a nat of each other, and a few hundredths above the Bayes limit. The differences are
# details: `ml.MDN` uses ReLU units in its body and computes the three heads with one linear layer of $3K$
# outputs (the same maths, fewer operations), maps σ with softplus plus a floor of 0.001, and starts every σ at
# $1/K$ standard deviations of $y$, wide enough to tile the data: it skips the widening and only tightens.
#
# ## Try it: components and learning rate
#
# `ml.widgets.MDNTrainer` trains an `ml.MDN` on our data with the number of components and the learning rate
# you choose, and redraws $p(y \mid x)$ every 100 steps while it trains; the line under the plot compares the
# held-out NLL with the Bayes limit on the same held-out points. A run at the default settings (5 components,
# learning rate 0.02, 1000 steps) takes a few seconds. Things to try:
#
# - 1 component: lesson 03's single Gaussian, one bump over all the branches.
# - 2 or 3 components: not enough for the five branches at $x = 0$; where do the components go?
# - Learning rate $10^{-4}$: too small for 1000 steps. And $10^{-1}$?

# %%
trainer = ml.widgets.MDNTrainer(x, y, noise=1.0, validation=(x_test, y_test))
trainer

# %% [markdown]
# The next cell does what the Train button does, so this page also shows a trained result. The status line
# reports the NLL on the held-out data we passed as `validation`, beside the Bayes limit on the same points:
# on its own training data a flexible model can land a little *below* that limit, by fitting the noise of
# those particular samples, so held-out data is the fair judge.

# %%
trainer.train()
print(trainer.status.value)

# %% [markdown]
# ## Recap
#
# - An MDN is a neural network whose outputs parameterise a Gaussian mixture over $y$ for every $x$: raw outputs
#   become log-weights by `log_softmax`, means as they are, and scales through a positive map (softplus or exp,
#   with or without a small floor: a choice with reasons).
# - It is trained like any network, by gradient descent on the mixture NLL, computed in log space with
#   `logsumexp` and averaged over the samples.
# - Every gradient goes through the responsibilities $\gamma_k$, EM's posterior: $\partial E/\partial a_k =
#   \pi_k - \gamma_k$, $\partial E/\partial\mu_k = \gamma_k(\mu_k - y)/\sigma_k^2$, $\partial E/\partial\log\sigma_k
#   = \gamma_k(1 - z_k^2)$. Started with σ far too small, as here, the last one widens the bands before they
#   tighten; a wider start, as in `ml.MDN`, skips that.
# - $\pi_k(x)$, $\mu_k(x)$ and $\sigma_k(x)$ against $x$ show how the network switches branches on and off; the
#   held-out NLL comes within a few hundredths of a nat of the Bayes limit, where one Gaussian was 1.55 nats above.
# - `ml.MDN` and `ml.fit` are the packaged version of what you built, with the course's training recipe.
#
# **Next:** [05 · Using and judging an MDN](05_using_and_judging.ipynb) turns the density into answers
# (samples, modes, means) and judges it more closely. Solutions to the exercises:
# [solutions/04_mdn_solutions.ipynb](solutions/04_mdn_solutions.ipynb).
