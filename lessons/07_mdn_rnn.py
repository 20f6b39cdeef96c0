# %% [markdown]
# # 07 · MDN-RNN: predicting sequences whose future forks
#
# This lesson puts a Mixture Density Network head on a small recurrent network (a GRU) to predict the next value of a sequence whose future is genuinely uncertain: curves that, at a random moment, turn up or down. We train the MDN-RNN and the same network trained with mean squared error, compare their held-out negative log-likelihoods with the best possible one, and then let both models write continuations of the same start by feeding their own outputs back in. The MDN-RNN's samples split between the possible futures in about the right proportions; the MSE network draws a single curve that matches none of them. It is the idea behind Graves' handwriting generator and the "world models" of Ha and Schmidhuber, in a form small enough to train in a second.

# %% [markdown]
# ## Learning objectives
#
# - Explain why the next step of a sequence can be multimodal, and what an MSE-trained network predicts there.
# - Build an MDN-RNN: a GRU reads the sequence, and after every step an MDN head outputs a mixture over the next step; train it with the course's `ml.fit`.
# - Judge the models on held-out sequences: NLL per step against the exact Bayes limit, and squared error.
# - Generate continuations by sampling and feeding the samples back in, and check that they split between the futures in the true proportions.

# %% [markdown] tags=["exercise"]
# ## Setup

# %% tags=["solution"]
import torch

import mdn_lessons as ml
from mdn_lessons.sequences import BRANCHING

rng = ml.start_lesson(seed=0)

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import mdn_lessons as ml
from mdn_lessons.sequences import (
    BRANCHING,
    MDNRNN,
    MSERNN,
    branching_curves,
    branching_log_prob,
    future_shares,
    generate,
)

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## 1. Curves whose future forks
#
# We make the data ourselves, so we know exactly how uncertain the future is. Every curve starts at $y_0 = 0$ and runs flat. At each step a flat curve *branches* with probability $h$: it turns up with probability $p$, down otherwise, and then keeps that direction. With the regime $r_t \in \{0, +1, -1\}$ (flat, up, down), a slope $s$ and a little noise,
#
# $$y_t = y_{t-1} + s\,r_t + \sigma\,\varepsilon_t, \qquad \varepsilon_t \sim \mathcal N(0, 1).$$
#
# The moment of the branch is random and the process has no memory while flat: however long a curve has been flat, it branches at the next step with probability $h$, and a share $p$ of the branches go up. `branching_curves` draws such curves, float32 and batch first: shape (N, T, 1).

# %%
curves = branching_curves(n=2000, length=24, seed=0)  # training set
test_curves = branching_curves(n=500, length=24, seed=1)  # held out, never trained on
print(BRANCHING)
print(tuple(curves.shape), curves.dtype)


# %%
def fate(final_value, margin=0.2):
    """Colour of a curve by where it ended: up, down, or (still) flat."""
    return "tab:blue" if final_value > margin else "tab:red" if final_value < -margin else "tab:gray"


fig, ax = plt.subplots(figsize=(7, 4))
for curve in curves[:40, :, 0]:
    ax.plot(curve, color=fate(curve[-1]), lw=1, alpha=0.7)
for colour, label in [("tab:blue", "went up"), ("tab:red", "went down")]:
    ax.plot([], [], color=colour, label=label)
ax.set(title="Forty branching curves", xlabel="step t", ylabel="$y_t$")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# ## 2. The next step has three answers
#
# Like Graves' handwriting network, we model the **steps** $\Delta_t = y_t - y_{t-1}$ rather than the positions: a step depends on the regime, not on where the curve happens to be. A next-step model reads $\Delta_1, \dots, \Delta_t$ and predicts $\Delta_{t+1}$, so the targets are the inputs shifted by one step.

# %%
steps = curves.diff(dim=1)  # (2000, 23, 1)
x, y = steps[:, :-1], steps[:, 1:]  # read steps 1..22, predict steps 2..23
test_steps = test_curves.diff(dim=1)
x_test, y_test = test_steps[:, :-1], test_steps[:, 1:]
print(tuple(x.shape), tuple(y.shape))

# %% [markdown]
# Take every moment at which a training curve is flat (its last step is near 0) and look at what came next. Three things can happen: it stays flat (probability $1 - h$), it starts up ($hp$) or it starts down ($h(1 - p)$). The next step is **trimodal**, at $0$ and $\pm s$, and no single number describes it.

# %%
flat_now = x[..., 0].abs() < 0.1  # a ramp step is about ±0.25, a flat one about 0 ± 0.02
after_flat = y[flat_now][:, 0]  # the step that followed each flat moment
h, p, s = BRANCHING["branch_prob"], BRANCHING["p_up"], BRANCHING["slope"]
outcomes = {
    "stays flat": (after_flat.abs() < s / 2, 1 - h),
    "starts up": (after_flat > s / 2, h * p),
    "starts down": (after_flat < -s / 2, h * (1 - p)),
}
for name, (happened, truth) in outcomes.items():
    print(f"{name:12s} measured {float(happened.float().mean()):.3f}   true {truth:.3f}")

# %% [markdown]
# ## 3. An MDN head on a recurrent network
#
# A GRU reads one step at a time and keeps a hidden state $\mathbf h_t$, a summary of everything it has read. After every step an MDN head, exactly as in lesson 04, turns $\mathbf h_t$ into the weights, means and scales of a mixture over the next step:
#
# $$\mathbf h_t = \mathrm{GRU}(\mathbf h_{t-1}, \Delta_t), \qquad p(\Delta_{t+1} \mid \Delta_{1:t}) = \sum_{k=1}^{K} \pi_k(\mathbf h_t)\, \mathcal N\big(\Delta_{t+1};\ \mu_k(\mathbf h_t), \sigma_k(\mathbf h_t)^2\big).$$
#
# The loss is the mixture NLL averaged over every sequence and every step. `MDNRNN` is this model; `MSERNN` is the same GRU with one linear output, trained on MSE. Given x of shape (N, T, 1), the MDN-RNN returns one mixture per sequence and step:

# %%
torch.manual_seed(0)
mdn_rnn = MDNRNN(1, 1, n_components=5, hidden_size=16)
with torch.no_grad():
    params = mdn_rnn(x[:2])
print(
    "log_weights",
    tuple(params.log_weights.shape),
    " means",
    tuple(params.means.shape),
    " scales",
    tuple(params.scales.shape),
)

# %% [markdown]
# Both models follow the course's model protocol, so `ml.fit` trains them unchanged: it draws mini-batches of whole sequences. Three components would be enough (one per possible next step); two spare ones cost little and make the weights of the rare steps come out more accurately. 300 updates take about a second for each model.

# %%
recipe = dict(steps=300, lr=0.05, batch_size=64, seed=0)
history = ml.fit(mdn_rnn, x, y, **recipe)

torch.manual_seed(0)
mse_rnn = MSERNN(1, 1, hidden_size=16)
mse_history = ml.fit(mse_rnn, x, y, **recipe)
print(f"final training loss: MDN-RNN NLL {history.final_loss:.3f} nats/step, MSE-RNN MSE {mse_history.final_loss:.5f}")

# %% [markdown]
# ## 4. Held-out scores
#
# Because we know the process, we can compute the exact probability of each held-out step given the steps before it (`branching_log_prob` tracks the hidden regime with a forward filter). Minus its mean is the **Bayes limit**: no model can have a lower expected NLL. To give the MSE network an NLL we read its prediction as the mean of a Gaussian whose $\sigma$ is its training RMSE (the best single $\sigma$). We also score the squared error of each model's mean prediction; for the MDN-RNN that is the mean of its mixture.

# %%
with torch.no_grad():
    mdn_nll = -mdn_rnn.log_prob(x_test, y_test).mean()
    mdn_mse = ((mdn_rnn.distribution(x_test).mean - y_test) ** 2).mean()
    sigma = ((mse_rnn(x) - y) ** 2).mean().sqrt()  # the best constant σ, from the training set
    mse_pred = mse_rnn(x_test)
    mse_nll = ml.losses.gaussian_nll(mse_pred.reshape(-1, 1), sigma, y_test.reshape(-1, 1))
    mse_mse = ((mse_pred - y_test) ** 2).mean()
bayes = -branching_log_prob(test_curves).mean()

print(f"{'held out':22s} {'NLL (nats/step)':>16s} {'squared error':>14s}")
print(f"{'MDN-RNN':22s} {float(mdn_nll):16.3f} {float(mdn_mse):14.5f}")
print(f"{'MSE-RNN (Gaussian σ)':22s} {float(mse_nll):16.3f} {float(mse_mse):14.5f}")
print(f"{'Bayes limit':22s} {float(bayes):16.3f}")

# %% [markdown]
# The two squared errors are about the same: the mean of the MDN-RNN's mixture is as good a mean as the MSE network's. The NLLs are far apart, almost a nat per step: the MSE network spreads one wide Gaussian over the three possible steps, while the MDN-RNN puts a narrow bump on each, close to the Bayes limit. (The NLLs are negative because the steps are measured in small units, where a narrow density is larger than 1; lesson 01.)
#
# ## 5. What the models say after a flat start
#
# Feed both models a perfectly flat start, five steps of 0, and look at their prediction for the next step, over the histogram of what really followed flat moments in the training data.

# %%
prefix = torch.zeros(5, 1)  # five flat steps: a curve that has not branched yet
with torch.no_grad():
    after_prefix = ml.MixtureParams(*(part[:, -1] for part in mdn_rnn(prefix[None])))  # N = 1, K = 5, D = 1
    mse_next = float(mse_rnn(prefix[None])[0, -1, 0])
weights, means = after_prefix.log_weights[0].exp(), after_prefix.means[0, :, 0]
groups = {
    "starts down": (means < -s / 2, h * (1 - p)),
    "stays flat": (means.abs() <= s / 2, 1 - h),
    "starts up": (means > s / 2, h * p),
}
for name, (members, truth) in groups.items():  # add up the components that sit at -s, 0 or +s
    print(f"{name:12s} MDN-RNN weight {float(weights[members].sum()):.3f}   true {truth:.3f}")
print(f"MSE-RNN's next step: {mse_next:.4f}")

# %%
ax = ml.plots.mixture_density(
    after_prefix,
    torch.linspace(-0.4, 0.4, 801),
    data=after_flat,
    title="Next step after a flat start",
    label="MDN-RNN",
    xlabel="next step $\\Delta_{t+1}$",
)
ax.axvline(mse_next, color="black", ls=":", label="MSE-RNN")
ax.set_yscale("log")
ax.set_ylim(0.05, 50)
ax.legend(loc="upper right", fontsize="small")
plt.show()

# %% [markdown]
# (The density axis is logarithmic so the small bumps show.) The mixture has a tall bump at 0 and two small ones at $\pm s$, with weights close to the true $1 - h$, $hp$ and $h(1 - p)$ (a bump may be shared by two components). The MSE network answers with the average step, a tiny step up that never happens.
#
# ## 6. Generating futures
#
# To continue a sequence, read the prefix, **sample** the next step from the predicted mixture, feed that sample back in as the next input, and repeat. Each run makes its own choices, so runs from the same prefix diverge. `generate(model, prefix, n_steps, n_samples, temperature, generator)` does this for many runs at once; with a seeded `generator` the samples are the same every time. The MSE network has nothing to sample, so it feeds back its prediction and writes one curve.
#
# As the truth we draw fresh curves from the process itself: it has no memory while flat, so the futures of a flat start are just new curves.

# %%
n_steps = 16
samples = generate(mdn_rnn, prefix, n_steps=n_steps, n_samples=2000, generator=0)  # (2000, 16, 1) steps
futures = samples.cumsum(dim=1)  # back to positions; the flat prefix ended at y = 0
mse_future = generate(mse_rnn, prefix, n_steps=n_steps).cumsum(dim=1)  # (1, 16, 1)
true_futures = branching_curves(n=10_000, length=n_steps + 1, seed=2)[:, 1:]  # what the process does

print(f"{'':10s} {'up':>6s} {'down':>6s} {'flat':>6s}")
for name, paths in [("true", true_futures), ("MDN-RNN", futures), ("MSE-RNN", mse_future)]:
    shares = future_shares(paths, start=0.0, margin=0.2)
    print(f"{name:10s} {shares['up']:6.3f} {shares['down']:6.3f} {shares['flat']:6.3f}")

# %%
t_prefix = np.arange(6)  # positions y_0..y_5 of the flat prefix
t_future = np.arange(5, 6 + n_steps)  # each future starts where the prefix ends, at y_5 = 0


def from_prefix(paths):
    return torch.cat([torch.zeros(len(paths), 1), paths[:, :, 0]], dim=1)  # prepend y_5 = 0


fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, paths, title in [
    (axes[0], true_futures, "The process's own futures"),
    (axes[1], futures, "MDN-RNN samples and the MSE-RNN"),
]:
    for path in from_prefix(paths[:60]):
        ax.plot(t_future, path, color=fate(path[-1]), lw=0.8, alpha=0.5)
    ax.plot(t_future, from_prefix(paths).mean(dim=0), color="black", ls="--", lw=1.5, label="mean of all futures")
    ax.plot(t_prefix, np.zeros(6), color="black", lw=2.5, label="flat prefix")
    ax.plot([], [], color="tab:blue", label="went up")
    ax.plot([], [], color="tab:red", label="went down")
    ax.set(title=title, xlabel="step t")
axes[1].plot(t_future, from_prefix(mse_future)[0], color="darkorange", lw=2.5, label="MSE-RNN continuation")
axes[0].set_ylabel("$y_t$")
for ax in axes:
    ax.legend(loc="upper left", fontsize="small")
plt.show()


# %% [markdown]
# The MDN-RNN's futures fork like the real ones: about 70 % of those that branch go up and 30 % go down, branching at random moments, and a few are still flat at the end. The MSE network writes one curve that bends slowly upwards: its first step is the average step (a little up), and reading its own small up-steps back it drifts into a slow climb. It never goes down, never waits and then turns sharply, and is not even the average of the futures (dashed): feeding averages back in is not the same as averaging futures.
#
# Two things to know when you use this on real sequences. First, the proportions are only as good as the mixture weights for rare events, which is the part of the model that trains last: train longer or on more data if they matter. Second, `temperature` below 1 sharpens the choice of component and narrows each one (more typical, less varied samples), above 1 does the opposite; at 1 you sample the model itself, which is what reproduces the proportions.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: the true shares
#
# A curve is flat now. Write `true_shares(n_steps, p_up, branch_prob)` that returns the probabilities (up, down, flat) that $n$ steps later it has branched up, branched down, or is still flat. Compare your numbers with the `true` row of the table above ($n = 16$, $p = 0.7$, $h = 0.2$).

# %% [markdown] tags=["solution"]
# ## Exercise 1: the true shares
#
# A flat curve stays flat at each step with probability $1 - h$, independently, so it is still flat after $n$ steps with probability $(1 - h)^n$. Otherwise it has branched once, up with probability $p$: up $= p\,(1 - (1 - h)^n)$, down $= (1 - p)(1 - (1 - h)^n)$.


# %% tags=["stub"]
def true_shares(n_steps, p_up, branch_prob):
    """Shares (up, down, flat) of the futures of a curve that is flat now, n_steps steps later."""
    # TODO: return three numbers that add up to 1: the probability that the curve is still flat after
    # n_steps steps, and the probabilities that it has branched and gone up, or branched and gone down.
    ...


# %% tags=["solution"]
def true_shares(n_steps, p_up, branch_prob):
    """Shares (up, down, flat) of the futures of a curve that is flat now, n_steps steps later."""
    still_flat = (1 - branch_prob) ** n_steps  # no branch at any of the n_steps steps
    return p_up * (1 - still_flat), (1 - p_up) * (1 - still_flat), still_flat


result = ml.checks.lesson07.check_true_shares(true_shares)
assert result.passed
up, down, flat = true_shares(16, BRANCHING["p_up"], BRANCHING["branch_prob"])
print(f"after 16 steps: up {up:.3f}, down {down:.3f}, still flat {flat:.3f}")

# %%
result = ml.checks.lesson07.check_true_shares(true_shares)


# %% [markdown]
# ### Exercise 2: the probability of going up next
#
# A mixture answers questions in closed form. Write `prob_above(params, threshold)` that returns, for each of the N one-dimensional mixtures in a `MixtureParams`, the probability that $y$ is above `threshold`:
#
# $$P(y > c) = \sum_k \pi_k \left(1 - \Phi\!\left(\frac{c - \mu_k}{\sigma_k}\right)\right).$$
#
# Then try `prob_above(after_prefix, s / 2)`: the MDN-RNN's probability that a flat curve starts up at the next step (the truth is $hp = 0.14$).

# %% [markdown] tags=["solution"]
# ## Exercise 2: the probability of going up next
#
# Each component is a Gaussian, and $P(\mathcal N(\mu, \sigma^2) > c) = 1 - \Phi((c - \mu)/\sigma) = \Phi((\mu - c)/\sigma)$; the mixture weights average these.


# %% tags=["stub"]
def prob_above(params, threshold):
    """P(y > threshold) under each one-dimensional mixture in params: shape (N,)."""
    # TODO: for each mixture, add up π_k · P(N(μ_k, σ_k²) > threshold) over its K components.
    # params.log_weights is (N, K); params.means and params.scales are (N, K, 1).
    # torch.special.ndtr(z) is the standard normal CDF Φ(z).
    ...


# %% tags=["solution"]
def prob_above(params, threshold):
    """P(y > threshold) under each one-dimensional mixture in params: shape (N,)."""
    weights = params.log_weights.exp()  # (N, K)
    z = (threshold - params.means[..., 0]) / params.scales[..., 0]  # (N, K)
    return (weights * torch.special.ndtr(-z)).sum(dim=1)  # P(Z > z) = Φ(-z)


result = ml.checks.lesson07.check_prob_above(prob_above)
assert result.passed

# %% [markdown] tags=["solution"]
# On the true next-step mixture of a flat curve (weights 0.8, 0.14, 0.06 at 0, +0.25, −0.25), which the MDN-RNN of the lesson learns, the probability of starting up is the weight of the up bump:

# %% tags=["solution"]
flat_start = ml.MixtureParams(
    torch.log(torch.tensor([[0.06, 0.8, 0.14]])),
    torch.tensor([[[-0.25], [0.0], [0.25]]]),
    torch.full((1, 3, 1), 0.02),
)
print(f"P(next step > s/2) = {float(prob_above(flat_start, BRANCHING['slope'] / 2)[0]):.3f}")

# %%
result = ml.checks.lesson07.check_prob_above(prob_above)

# %% [markdown]
# ### Going further (no check)
#
# - Generate with `temperature=0.5` and `temperature=2.0` and print the shares: which way do they move, and why?
# - Replace the GRU with an LSTM (`MDNRNN(..., cell="lstm")`) or change `p_up` in `branching_curves` and train again: do the sampled proportions follow?

# %% [markdown]
# ## Recap
#
# - When the future of a sequence can fork, its next step is a multimodal distribution; an MSE-trained network predicts the average step, which may never happen.
# - An MDN-RNN is a recurrent body (GRU or LSTM) with an MDN head after every step; it trains on the mixture NLL averaged over sequences and steps, with the same `ml.fit`.
# - Held out, both models have about the same squared error, but the MDN-RNN's NLL is close to the Bayes limit and the MSE network's is far from it.
# - Generation = sample the next step, feed it back, repeat. Sampled futures split between the possible outcomes in about the true proportions; the MSE network's fed-back averages draw one curve that is none of them, and not even their average.
#
# **Next:** [08 · An MDN, or something else?](08_mdn_or_something_else.ipynb): when an MDN is the right tool, measured against mixture regression, kernel densities and quantile regression. Lesson 09 then writes pen strokes with an MDN-RNN, as A. Graves did in *Generating Sequences With Recurrent Neural Networks* (2013); D. Ha and J. Schmidhuber, *World Models* (2018) use one to dream the future of a video game.
