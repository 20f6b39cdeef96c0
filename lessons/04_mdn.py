# %% [markdown]
# # 04 · A Mixture Density Network, built by hand
#
# This lesson builds a **Mixture Density Network** (MDN) from scratch in PyTorch and trains it on the inverted
# sine, the one-to-many problem on which lesson 03's regression nets failed. An MDN is an ordinary neural
# network whose outputs are the parameters of a Gaussian mixture over $y$ (weights, means and standard
# deviations, all different for every $x$), trained by minimising the mixture's negative log-likelihood. We
# write the network (a shared body and three heads) and a plain PyTorch training loop line by line, watch the
# standard deviations first widen to cover the data and then tighten onto each branch, draw the learned
# conditional density $p(y \mid x)$ as a heatmap and compare its held-out NLL with the Bayes limit. Then we do
# the same in three lines with the course's package, and play with the number of components and the learning
# rate in a widget.
#
# ## Learning objectives
#
# - Build an MDN in PyTorch: a shared body and three heads, with a softmax for the weights $\pi_k$ and a
#   softplus for the scales $\sigma_k$.
# - Train it on the mixture NLL in a plain PyTorch loop, and explain why $\sigma$ first widens, then tightens.
# - Draw and read the conditional density $p(y \mid x)$, and judge the model by its held-out NLL against the
#   Bayes limit.
# - Do the same with `ml.MDN` and `ml.fit`, and explore the number of components and the learning rate.
#
# ## Setup

# %% tags=["hand-built-mdn"]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import mdn_lessons as ml
from mdn_lessons import conditional  # the true branches and the mean σ of a mixture

rng = ml.start_lesson(seed=0)

# %% tags=["solution"]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import mdn_lessons as ml
from mdn_lessons import conditional  # the true branches and the mean σ of a mixture

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## The data, and the number to beat
#
# The same data as lesson 03: 3000 training pairs of the inverted sine, $y \sim U[-10, 10]$ and
# $x = 7\sin(0.75\,y) + 0.5\,y + \varepsilon$ with $\varepsilon \sim \mathcal{N}(0, 1)$, and 5000 held-out pairs.

# %% tags=["hand-built-mdn"]
x, y = ml.data.inverted_sine(n=3000, noise=1.0, seed=0)  # training data, (3000, 1) each
x_test, y_test = ml.data.inverted_sine(n=5000, noise=1.0, seed=1)  # held out

# %% [markdown]
# The Bayes limit is the held-out NLL of the exact conditional density, the best any model can do. Lesson
# 03's single Gaussian ended about 1.55 nats above it.

# %%
bayes_nll = float(-ml.data.inverted_sine_log_prob(x_test, y_test, noise=1.0).mean())
print(f"Bayes limit on the test set: {bayes_nll:.3f} nats")


# %% [markdown]
# ## The model: a mixture whose parameters depend on x
#
# An MDN models the whole conditional density as a mixture of $K$ Gaussians whose parameters are functions
# of $x$:
#
# $$
# p(y \mid x) = \sum_{k=1}^{K} \pi_k(x)\, \mathcal{N}\big(y;\ \mu_k(x),\ \sigma_k(x)^2\big).
# $$
#
# For every $x$ the network must produce $K$ weights that are positive and sum to 1, $K$ means (any real
# numbers) and $K$ standard deviations (positive). A **shared body** of hidden layers turns $x$ into a vector
# of features $h$; three **heads**, each a linear layer with $K$ outputs, turn $h$ into raw numbers $a_k$,
# $b_k$, $c_k$; and two functions put them in range:
#
# $$
# \pi_k = \frac{e^{a_k}}{\sum_j e^{a_j}}\ \ (\text{softmax}), \qquad
# \mu_k = b_k, \qquad
# \sigma_k = \operatorname{softplus}(c_k) + \sigma_{\min}, \quad \operatorname{softplus}(c) = \log(1 + e^{c}).
# $$
#
# As in lesson 02 we keep the weights as $\log \pi_k$, computed by `torch.log_softmax` (never the log of a
# softmax, which underflows to $\log 0$), and we use softplus rather than $\exp$ for $\sigma$: it grows
# linearly, so a large $c_k$ cannot overflow. The floor $\sigma_{\min} = 10^{-3}$ keeps $\log\sigma$ finite if
# a component collapses onto a few points.
#
# Three practical details live in `__init__`:
#
# - **Standardised units inside.** The body sees $(x - \bar x)/s_x$ and the heads speak in units of
#   $s_y$; `forward` converts back, so the outputs are in the data's units. Shifting and scaling $y$ only adds
#   the constant $\log s_y$ to the NLL, so the gradients are those of a net trained on standardised data.
# - **Components start apart.** Small head weights give every $x$ nearly the same starting mixture, and the
#   mean head's biases spread the $K$ means from $-1.5$ to $1.5$ standard deviations of $y$, so each component
#   starts near a different part of the data (lesson 05 shows what happens when they all start together).
# - **σ starts small, on purpose:** $0.02$ standard deviations of $y$, so that we can watch what training
#   does with it.


# %% tags=["hand-built-mdn"]
class HandBuiltMDN(nn.Module):
    """p(y | x) as a mixture of K Gaussians.

    x (N, 1) -> MixtureParams(log_weights (N, K), means (N, K, 1), scales (N, K, 1)), in the data's units.
    """

    def __init__(self, x, y, n_components=5, hidden=64, start_scale=0.02, min_scale=1e-3):
        super().__init__()
        # Fixed shifts and scales from the training data: the layers work in standardised units.
        self.x_mean, self.x_std = float(x.mean()), float(x.std())
        self.y_mean, self.y_std = float(y.mean()), float(y.std())
        self.min_scale = min_scale
        # The shared body: x -> `hidden` features.
        self.body = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        # Three heads with K outputs each.
        self.pi_head = nn.Linear(hidden, n_components)  # logits a_k -> weights π_k (softmax)
        self.mu_head = nn.Linear(hidden, n_components)  # means μ_k
        self.sigma_head = nn.Linear(hidden, n_components)  # raw c_k -> scales σ_k (softplus)
        with torch.no_grad():
            for head in (self.pi_head, self.mu_head, self.sigma_head):
                head.weight.mul_(0.1)  # nearly the same mixture for every x at the start
            self.mu_head.bias.copy_(torch.linspace(-1.5, 1.5, n_components))  # means spread over y
            self.sigma_head.bias.fill_(math.log(math.expm1(start_scale)))  # softplus(bias) = start_scale

    def forward(self, x):
        h = self.body((x - self.x_mean) / self.x_std)
        log_weights = torch.log_softmax(self.pi_head(h), dim=1)
        means = self.y_mean + self.y_std * self.mu_head(h)
        scales = self.y_std * (F.softplus(self.sigma_head(h)) + self.min_scale)
        return ml.MixtureParams(log_weights, means.unsqueeze(-1), scales.unsqueeze(-1))


# %% [markdown]
# The output is an `ml.MixtureParams`, the package's named tuple of `(log_weights, means, scales)`, so the
# package's losses and plots accept it. A quick look at the shapes for four inputs (D = 1 output feature):

# %%
torch.manual_seed(0)
params = HandBuiltMDN(x, y)(x[:4])
for name, value in params._asdict().items():
    print(f"{name:12s} {tuple(value.shape)}")
print(f"weights of the first input sum to {params.log_weights[0].exp().sum():.4f}")


# %% [markdown]
# ## Training: a plain PyTorch loop
#
# The loss is the mixture NLL of lesson 02, averaged over a random mini-batch of 256 training points:
#
# $$
# \text{NLL} = -\frac{1}{B} \sum_{n \in \text{batch}} \log \sum_{k=1}^{K} \pi_k(x_n)\,
# \mathcal{N}\big(y_n;\ \mu_k(x_n),\ \sigma_k(x_n)^2\big),
# $$
#
# computed stably (with `logsumexp`) by `ml.mixture_nll(log_weights, means, scales, y)`. The optimiser is
# Adam with a learning rate of 0.01 that decays to 0 along a cosine over the 1500 steps
# (`CosineAnnealingLR`): big steps early, fine ones at the end. At every step we also record the **mean σ**,
# $\sum_k \pi_k \sigma_k$ averaged over the batch (`conditional.mean_scale`), and at a few chosen steps a
# snapshot of the whole mixture on a grid of $x$, for the pictures below.


# %% tags=["hand-built-mdn"]
def train(model, x, y, steps=1500, lr=0.01, batch_size=256, seed=0, snapshot_steps=(), x_grid=None):
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
        loss = ml.mixture_nll(*params, y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        sigmas.append(conditional.mean_scale(params))
    return losses, sigmas, snapshots


# %%
x_grid = torch.linspace(float(x.min()), float(x.max()), 200).unsqueeze(1)
snapshot_steps = (0, 10, 25, 60, 150, 1500)

torch.manual_seed(0)
model = HandBuiltMDN(x, y)
losses, sigmas, snapshots = train(model, x, y, snapshot_steps=snapshot_steps, x_grid=x_grid)
print(f"training NLL of the last mini-batch: {losses[-1]:.3f} nats")

# %% [markdown]
# ## Watch σ widen, then tighten
#
# First the numbers: the mean σ of the snapshots, measured on the grid of $x$.

# %%
for step in snapshot_steps:
    print(f"step {step:4d}: mean σ = {conditional.mean_scale(snapshots[step]):.2f}")

# %% [markdown]
# Then the pictures: each component's mean $\mu_k(x)$ as a line and its band $\mu_k \pm \sigma_k$, drawn where
# its weight exceeds 5%.

# %%
fig, axes = plt.subplots(2, 3, figsize=(15, 8), sharex=True, sharey=True)
for ax, step in zip(axes.flat, snapshot_steps):
    sigma = conditional.mean_scale(snapshots[step])
    ml.plots.component_bands(snapshots[step], x_grid, ax=ax, data=(x, y), title=f"step {step}: mean σ = {sigma:.2f}")
    ax.get_legend().remove()
axes[0, 0].legend(loc="upper left", fontsize="small")
fig.suptitle("The hand-built MDN during training: component means and ±σ bands")
plt.show()

# %% [markdown]
# At step 0 the five components are flat, thin bands: every $x$ gets the same mixture, and most points lie
# far outside every band. Within a few dozen steps the bands swell until they cover the data; then the means
# bend onto the branches and the bands shrink back around them. Recorded at every step, the mean σ rises more
# than tenfold and falls back:

# %%
fig, (ax_sigma, ax_loss) = plt.subplots(1, 2, figsize=(12, 4))
steps = np.arange(1, len(sigmas) + 1)
ax_sigma.plot(steps, sigmas, color="tab:purple")
ax_sigma.set(xscale="log", title="Mean σ of the mini-batch", xlabel="step (log scale)", ylabel="Σ π_k σ_k")
ax_loss.plot(steps, losses, color="tab:blue", lw=0.8, label="hand-built MDN")
ax_loss.axhline(bayes_nll, color="black", ls=":", label="Bayes limit (test set)")
ax_loss.set(
    xscale="log",
    yscale="log",
    title="Training NLL of the mini-batch",
    xlabel="step (log scale)",
    ylabel="NLL (nats, log scale)",
)
ax_loss.legend(fontsize="small")
plt.show()

# %% [markdown]
# **Why it widens, then tightens.** For one point and one Gaussian, write $z = (y - \mu)/\sigma$ for its distance
# from the mean in standard deviations. The NLL is $\log\sigma + \frac{1}{2}z^2 + \text{const}$, and its slope with
# respect to $\log\sigma$ is
#
# $$
# \frac{\partial\, \text{NLL}}{\partial \log\sigma} = 1 - z^2 .
# $$
#
# At the start most points are many $\sigma$ away from every mean ($z$ of 10 or more), so the slope is hugely
# negative and gradient descent pushes $\log\sigma$ up fast: widening the bands is the quickest way to stop
# paying $\frac{1}{2}z^2$ for the far points. Once the bands cover the data, the means feel the pull of the
# points around them and bend onto the branches. Now a component's points lie within about one $\sigma$
# ($z^2 < 1$ on average), the slope turns positive, and $\sigma$ shrinks until the band matches the spread of
# its branch, where $z^2$ averages 1. Exercise 2 checks the slope with autograd.
#
# The same run as an animation, frame by frame. `make figures` makes it by running this notebook's setup,
# data, `HandBuiltMDN` and `train` cells (`tools/figure_makers/mdn_training.py`) with more snapshot steps; the
# title of every frame gives the step and the measured mean σ.
#
# ![The hand-built MDN's σ bands widen to cover the inverted sine, then tighten onto each branch](../figures/mdn_training.gif)
#
# ## The conditional density p(y | x)
#
# The bands show the components; the heatmap shows what they add up to, $p(y \mid x)$ on a grid. Each column
# (one $x$) is scaled to its own maximum, so that the wide and narrow parts of the branches are equally
# visible. The dashed line is the true, noise-free curve.

# %%
y_grid = torch.linspace(-11, 11, 200)
branch_x, branch_y = conditional.inverted_sine_branches()
fig, ax = plt.subplots(figsize=(8, 5))
ml.plots.conditional_heatmap(model, x_grid, y_grid, ax=ax, means=False, title="Hand-built MDN: p(y | x)")
ax.plot(branch_x, branch_y, color="tab:cyan", lw=1, ls="--", label="true branches")
ax.legend(loc="lower right", fontsize="small")
plt.show()

# %% [markdown]
# The density sits on every branch, with one, three or five peaks depending on $x$, and the bright ridges
# follow the true curve. The held-out NLL puts a number on it:

# %%
with torch.no_grad():
    hand_nll = float(ml.mixture_nll(*model(x_test), y_test))
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

fig, ax = plt.subplots()
ax.plot(y_slice, exact_density, color="black", label="exact p(y | x = 0)")
ax.plot(y_slice, mdn_density, color="tab:orange", ls="--", lw=2, label="hand-built MDN")
ax.set(title="A vertical slice at x = 0", xlabel="y", ylabel="density", ylim=(0, 0.5))
ax.legend(loc="upper center", ncols=2, fontsize="small")
plt.show()

# %% [markdown]
# ## The same in three lines
#
# The package's `ml.MDN` is this model, and `ml.fit` this loop with two refinements, a learning-rate warm-up
# and gradient clipping (lesson 05 explains the whole recipe). Building and training one takes three lines:

# %%
torch.manual_seed(0)
mdn = ml.MDN(1, 1, n_components=5)
history = ml.fit(mdn, x, y)

# %%
with torch.no_grad():
    package_nll = float(-mdn.log_prob(x_test, y_test).mean())
print(f"held-out NLL, ml.MDN: {package_nll:.3f} nats   (gap to the Bayes limit {package_nll - bayes_nll:.3f})")

# %% [markdown]
# About as close to the Bayes limit as our hand-built model. Two differences are worth knowing: `ml.MDN` uses
# ReLU units in its body and computes the three heads with one linear layer of $3K$ outputs (the same maths,
# fewer operations), and its components start with $\sigma = 1/K$ standard deviations of $y$, wide enough to
# tile the data, so it skips the widening phase and only tightens.
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
# ## Exercises
#
# ### Exercise 1: the three heads
#
# Write `mixture_from_heads(logits, mean_outputs, scale_outputs)`. It receives the raw outputs of the three
# heads for N inputs, each of shape (N, K), and returns the mixture
# `ml.MixtureParams(log_weights, means, scales)`: `log_weights` (N, K) by `torch.log_softmax`, `means` (N, K, 1)
# as they are, and `scales` (N, K, 1) by `F.softplus` plus the floor $10^{-3}$ (like `HandBuiltMDN.forward`,
# without the change of units). The check also tries extreme values, logits 400 apart and raw scales of
# $-200$ and $100$, where the usual slips show.

# %% [markdown] tags=["solution"]
# ## Exercise 1: the three heads
#
# `torch.log_softmax` subtracts the largest logit before exponentiating, so a logit 400 below the largest
# gets a log-weight of about $-400$ rather than $\log 0 = -\infty$. Softplus grows like $c$ for large $c$
# (no overflow) and goes to 0 for very negative $c$, hence the floor.


# %% tags=["stub"]
def mixture_from_heads(logits, mean_outputs, scale_outputs):
    # TODO: log_weights by torch.log_softmax over the K components (dim=1); means and scales need a last
    # dimension of size 1 (.unsqueeze(-1)); scales = F.softplus(...) + 1e-3. Return ml.MixtureParams(...).
    ...


result = ml.checks.lesson04.check_mixture_from_heads(mixture_from_heads)


# %% tags=["solution"]
def mixture_from_heads(logits, mean_outputs, scale_outputs):
    log_weights = torch.log_softmax(logits, dim=1)
    means = mean_outputs.unsqueeze(-1)
    scales = (F.softplus(scale_outputs) + 1e-3).unsqueeze(-1)
    return ml.MixtureParams(log_weights, means, scales)


result = ml.checks.lesson04.check_mixture_from_heads(mixture_from_heads)
assert result.passed

# %% [markdown] tags=["solution"]
# Compare with the naive versions on one extreme row:

# %% tags=["solution"]
logits = torch.tensor([[0.0, 400.0]])
raw_scales = torch.tensor([[100.0, -200.0]])
print("log(softmax):", torch.log(torch.softmax(logits, dim=1)).tolist())
print("log_softmax: ", torch.log_softmax(logits, dim=1).tolist())
print("exp:         ", torch.exp(raw_scales).tolist())
print("softplus:    ", F.softplus(raw_scales).tolist())


# %% [markdown]
# ### Exercise 2: why σ widens first
#
# Write `nll_gradient_wrt_log_sigma(y, mu, sigma)`, which takes three numbers and returns, as a float, the
# derivative of $-\log \mathcal{N}(y; \mu, \sigma^2)$ with respect to $\log\sigma$, computed by autograd.
# Make $\log\sigma$ the tensor that requires a gradient and build $\sigma$ from it, so that autograd
# differentiates with respect to $\log\sigma$; `ml.losses.gaussian_nll(mean, scale, y)` computes the NLL
# (give it tensors of shape (1,)). Then print the derivative for a point 10 σ from the mean and for one
# 0.5 σ from it, and compare with $1 - z^2$.

# %% [markdown] tags=["solution"]
# ## Exercise 2: why σ widens first
#
# The leaf tensor is $\log\sigma$; $\sigma$ is computed from it, so the gradient lands on $\log\sigma$.


# %% tags=["stub"]
def nll_gradient_wrt_log_sigma(y, mu, sigma):
    # TODO: log_sigma = torch.tensor(math.log(sigma), requires_grad=True); compute the NLL with
    # ml.losses.gaussian_nll(torch.tensor([mu]), log_sigma.exp(), torch.tensor([y])); call .backward() on it
    # and return log_sigma.grad as a float.
    ...


result = ml.checks.lesson04.check_log_sigma_gradient(nll_gradient_wrt_log_sigma)


# %% tags=["solution"]
def nll_gradient_wrt_log_sigma(y, mu, sigma):
    log_sigma = torch.tensor(math.log(sigma), requires_grad=True)
    nll = ml.losses.gaussian_nll(torch.tensor([mu]), log_sigma.exp(), torch.tensor([y]))
    nll.backward()
    return log_sigma.grad.item()


result = ml.checks.lesson04.check_log_sigma_gradient(nll_gradient_wrt_log_sigma)
assert result.passed

# %% tags=["solution"]
for z in (10.0, 3.0, 1.0, 0.5, 0.0):
    gradient = nll_gradient_wrt_log_sigma(y=z, mu=0.0, sigma=1.0)
    print(f"point {z:4.1f} σ from the mean: d NLL / d log σ = {gradient:7.2f}   (1 - z² = {1 - z * z:7.2f})")

# %% [markdown] tags=["solution"]
# A point 10 σ away pulls $\log\sigma$ up with a slope of $-99$; a point half a σ away pushes it down with
# $+0.75$. Early in training, when most points are far from every mean, the far points win and σ grows fast;
# once the means sit on the branches, the near points win and σ shrinks.

# %% [markdown]
# ## Recap
#
# - An MDN is a neural network whose outputs parameterise a Gaussian mixture over $y$ for every $x$: a shared
#   body and three heads, with `log_softmax` for the weights, the means as they are, and softplus plus a small
#   floor for the scales.
# - It is trained like any network, by gradient descent on a loss: the mixture NLL, `ml.mixture_nll`, on
#   mini-batches.
# - Started with small σ, the bands first widen to cover the data (far points pull $\log\sigma$ up with slope
#   $1 - z^2 < 0$), then tighten onto the branches once the means have found them.
# - The conditional density $p(y \mid x)$ sits on every branch of the inverted sine; the held-out NLL comes
#   within a few hundredths of a nat of the Bayes limit, where one Gaussian was 1.55 nats above it.
# - `ml.MDN` and `ml.fit` do the same in three lines, with the course's training recipe.
#
# **Next:** [05 · Using and judging an MDN](05_using_and_judging.ipynb) turns the density into answers
# (samples, modes, means) and judges it more closely. Solutions to the exercises:
# [solutions/04_mdn_solutions.ipynb](solutions/04_mdn_solutions.ipynb).
