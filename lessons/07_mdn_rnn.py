# %% [markdown]
# # 07 · MDN-RNN: predicting sequences whose future forks
#
# About 50 minutes; the notebook runs in under half a minute.
#
# This lesson puts a Mixture Density Network head on a small recurrent network (a GRU) to predict the next value
# of a sequence whose future is genuinely uncertain: curves that, at a random moment, turn up or down. You write
# the model yourself, a GRU with a mixture head after every step, and the loop that makes it write: sample the
# next step, feed the sample back in, repeat. We train your model with **teacher forcing**, compare its held-out
# negative log-likelihood with an MSE-trained network and with the best possible one, and let both write
# continuations of the same start. Your MDN-RNN's futures split between the possible outcomes close to the right
# proportions; the MSE network drifts into a single curve that matches none of them, and we take that drift
# apart: it is **exposure bias**. It is the idea behind Graves' handwriting generator and the "world models" of
# Ha and Schmidhuber, in a form small enough to train in a second.

# %% [markdown]
# ## Learning objectives
#
# - Explain why the next step of a sequence can be multimodal, and what an MSE-trained network predicts there.
# - Build an MDN-RNN (a GRU that reads the sequence, a mixture head after every step, no look-ahead) and train it
#   with teacher forcing.
# - Judge the models on held-out sequences: NLL per step against the exact Bayes limit, and squared error.
# - Write the sample-and-feed-back loop that generates continuations, and check that they split between the
#   futures in the true proportions.
# - Say what exposure bias is, and recognise it in a generated sequence that drifts.

# %% [markdown] tags=["exercise"]
# ## Setup

# %% tags=["exercise"]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import mdn_lessons as ml
from mdn_lessons.sequences import BRANCHING, MSERNN, branching_curves, branching_log_prob, future_shares

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## 1. Curves whose future forks
#
# We make the data ourselves, so we know exactly how uncertain the future is. Every curve starts at $y_0 = 0$ and
# runs flat. At each step a flat curve *branches* with probability $h$: it turns up with probability $p$, down
# otherwise, and then keeps that direction. With the regime $r_t \in \{0, +1, -1\}$ (flat, up, down), a slope
# $s$ and a little noise,
#
# $$y_t = y_{t-1} + s\,r_t + \sigma\,\varepsilon_t, \qquad \varepsilon_t \sim \mathcal N(0, 1).$$
#
# The moment of the branch is random and the process has no memory while flat: however long a curve has been
# flat, it branches at the next step with probability $h$, and a share $p$ of the branches go up.
# `branching_curves` draws such curves, float32 and batch first: shape (N, T, 1).

# %%
curves = branching_curves(n=2000, length=24, seed=0)  # training set
test_curves = branching_curves(n=500, length=24, seed=1)  # held out, never trained on
print(BRANCHING)
print(tuple(curves.shape), curves.dtype)


# %%
def fate(final_value, margin=0.2):
    """Colour of a curve by where it ended: up (C0), down (C2), or still flat (grey)."""
    return "C0" if final_value > margin else "C2" if final_value < -margin else "0.6"


fig, ax = plt.subplots(figsize=(7, 3.5))
for curve in curves[:40, :, 0]:
    ax.plot(curve, color=fate(curve[-1]), lw=1, alpha=0.7)
for colour, label in [("C0", "went up"), ("C2", "went down")]:
    ax.plot([], [], color=colour, label=label)
ax.set(title="Forty branching curves", xlabel="step t", ylabel="$y_t$")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# ## 2. The next step has three answers
#
# Like Graves' handwriting network, we model the **steps** $\Delta_t = y_t - y_{t-1}$ rather than the positions:
# a step depends on the regime, not on where the curve happens to be. We measure the steps in units of the slope
# $s$, so that a flat step is about $0 \pm 0.08$ and a ramp step about $\pm 1$: numbers of about 1 suit a network
# (the course's `ml.MDN` standardises its data for the same reason). A next-step model reads
# $\Delta_1, \dots, \Delta_t$ and predicts $\Delta_{t+1}$, so the targets are the inputs shifted by one step.

# %%
h, p, s = BRANCHING["branch_prob"], BRANCHING["p_up"], BRANCHING["slope"]
steps = curves.diff(dim=1) / s  # (2000, 23, 1), in slopes
x, y = steps[:, :-1], steps[:, 1:]  # read steps 1..22, predict steps 2..23
test_steps = test_curves.diff(dim=1) / s
x_test, y_test = test_steps[:, :-1], test_steps[:, 1:]
print(tuple(x.shape), tuple(y.shape))

# %% [markdown]
# Take every moment at which a training curve is flat (its last step is near 0) and look at what came next.
# Three things can happen: it stays flat (probability $1 - h$), it starts up ($hp$) or it starts down
# ($h(1 - p)$). The next step is **trimodal**, at $0$ and $\pm 1$ slope, and no single number describes it.

# %%
flat_now = x[..., 0].abs() < 0.4  # a ramp step is about ±1, a flat one about 0 ± 0.08
after_flat = y[flat_now][:, 0]  # the step that followed each flat moment
outcomes = {
    "stays flat": (after_flat.abs() < 0.5, 1 - h),
    "starts up": (after_flat > 0.5, h * p),
    "starts down": (after_flat < -0.5, h * (1 - p)),
}
for name, (happened, truth) in outcomes.items():
    print(f"{name:12s} measured {float(happened.float().mean()):.3f}   true {truth:.3f}")

# %% [markdown]
# ## 3. An MDN head on a recurrent network
#
# A recurrent layer reads one step at a time and keeps a hidden state $\mathbf h_t$, a summary of everything it
# has read. After every step an MDN head, the one of lesson 04, turns $\mathbf h_t$ into the weights, means and
# scales of a mixture over the next step:
#
# $$\mathbf h_t = \mathrm{GRU}(\mathbf h_{t-1}, \Delta_t), \qquad
# p(\Delta_{t+1} \mid \Delta_{1:t}) = \sum_{k=1}^{K} \pi_k(\mathbf h_t)\,
# \mathcal N\big(\Delta_{t+1};\ \mu_k(\mathbf h_t), \sigma_k(\mathbf h_t)^2\big).$$
#
# Two things make it a *next-step* model. The mixture at step $t$ may use the steps up to $\Delta_t$ and nothing
# after: at generation time the future is not there to read. And the state $\mathbf h_t$ must be handed back, so
# that the model can go on reading later, one step at a time, from where it stopped.

# %% [markdown] tags=["exercise"]
# ### Exercise 1: the recurrent MDN
#
# Write `RecurrentMDN(n_components, hidden_size)`, a `torch.nn.Module`:
#
# - `model(x, state=None)` reads a batch of sequences x of shape (N, T, 1), the steps (in slopes here), continuing
#   from `state` (None: from the start), and returns a pair `(params, state)`: `params` a `ml.MixtureParams` with
#   log_weights (N, T, K) and means and scales (N, T, K, 1), entry t the mixture over the step that follows
#   x[:, t]; `state` the recurrent layer's state after the last step read.
# - The decisions are yours, and say why in a comment: a GRU or an LSTM (`torch.nn.GRU`, `torch.nn.LSTM`), and
#   the head: lesson 04's map from raw outputs to (log π, μ, σ) written again (a linear layer to 3K outputs, a
#   log-softmax, a positive map for σ), or `ml.models.MixtureHead(hidden_size, n_components, 1)`, the package's
#   version of that map.
#
# The check builds two models (K = 5 with 16 hidden units, K = 3 with 8) and reads fresh sequences with them: it
# checks the shapes, σ > 0 and weights that sum to 1, that each sequence is read on its own, that the mixture at
# step t does not change when later steps change (no look-ahead) but does when step t changes, that reading a
# sequence in two pieces with the state gives what reading it at once gives, and that every parameter gets a
# gradient.


# %% tags=["stub"]
class RecurrentMDN(nn.Module):
    """A recurrent layer reading one step at a time, and a mixture head after every step.

    model(x, state=None): x (N, T, 1), the steps read (here in slopes); state: where to continue from (None: the
    start). Returns (params, state): params a MixtureParams with log_weights (N, T, K), means and scales
    (N, T, K, 1), entry t the mixture over the step after x[:, t]; state the recurrent layer's final state.
    """

    def __init__(self, n_components, hidden_size):
        super().__init__()
        # TODO: the layers: a recurrent layer of hidden_size units reading one feature per step, and a head that
        # turns each hidden state into a mixture of n_components Gaussians over one feature. Say why you chose them.
        ...

    def forward(self, x, state=None):
        # TODO: read x from `state`, turn the hidden state after every step into a mixture, return (params, state).
        ...


# %% tags=["solution"]
class RecurrentMDN(nn.Module):
    """A recurrent layer reading one step at a time, and a mixture head after every step.

    model(x, state=None): x (N, T, 1), the steps read (here in slopes); state: where to continue from (None: the
    start). Returns (params, state): params a MixtureParams with log_weights (N, T, K), means and scales
    (N, T, K, 1), entry t the mixture over the step after x[:, t]; state the recurrent layer's final state.
    """

    def __init__(self, n_components, hidden_size):
        super().__init__()
        # A one-way GRU: its output at step t has read x[:, :t + 1] only (a bidirectional one would look ahead).
        # batch_first=True, because x is (N, T, 1); the default reads the first axis as time.
        self.rnn = nn.GRU(input_size=1, hidden_size=hidden_size, batch_first=True)
        # Lesson 04's map, already written and checked: one linear layer to K logits (log-softmax), K means and
        # K raw scales (softplus plus a small floor), started with spread means and small weights.
        self.head = ml.models.MixtureHead(hidden_size, n_components, out_features=1)

    def forward(self, x, state=None):
        features, state = self.rnn(x, state)  # (N, T, hidden_size): the hidden state after every step
        return self.head(features), state  # the head works on the last axis, so on every step at once


# %% [markdown] tags=["solution"]
# Why these choices. A GRU has one state tensor and fewer parameters than an LSTM, plenty for memories this short;
# an LSTM works too (its state is a pair (h, c), which the rest of the lesson passes along untouched). The head is
# lesson 04's map; writing it again would teach nothing new, and `MixtureHead` starts the means spread out and the
# output weights small, the course's recipe. Two slips the check names: `batch_first` left at its
# default (the GRU then reads the N sequences as the time axis and mixes them), and `bidirectional=True` (the
# mixture at step t then reads the future).

# %% tags=["exercise"]
result = ml.checks.lesson07.check_recurrent_mdn(RecurrentMDN)

# %% [markdown]
# ## 4. Training with teacher forcing
#
# The loss is the mixture NLL of every next step, averaged over sequences and steps. Look at what the network
# reads while it trains: `x`, the **true** steps of each training curve. At every step it reads the true
# $\Delta_t$, never its own guess of it, and is asked for $\Delta_{t+1}$. Training a sequence model on the true
# previous values is called **teacher forcing** (Williams and Zipser, 1989). It makes training easy: each step is
# a next-step question with the right history, and the GRU answers all T of them in one pass over the sequence.
# Its price comes in section 8.
#
# (Until your `RecurrentMDN` passes its check, the lesson trains the course's own version, and says so.)

# %%
Model = ml.checks.lesson07.recurrent_mdn_to_use(RecurrentMDN, result)  # yours once its check passes
torch.manual_seed(0)
mdn_rnn = Model(n_components=5, hidden_size=16)
optimiser = torch.optim.Adam(mdn_rnn.parameters(), lr=0.01)
batches = torch.Generator().manual_seed(0)
for update in range(300):
    rows = torch.randint(len(x), (64,), generator=batches)  # 64 whole training curves
    params, _ = mdn_rnn(x[rows])  # teacher forcing: the network reads the true steps
    loss = -ml.losses.mixture_log_prob(*params, y[rows]).mean()  # NLL per step, over curves and steps
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
print(f"MDN-RNN training NLL after 300 updates: {loss.item():.3f} nats per step")

# %% [markdown]
# The baseline is the same GRU with one linear output, trained on mean squared error: the course's `MSERNN`,
# trained by `ml.fit` (which does the same teacher-forced loop, with the course's recipe).

# %%
torch.manual_seed(0)
mse_rnn = MSERNN(1, 1, hidden_size=16)
mse_history = ml.fit(mse_rnn, x, y, steps=300, lr=0.05, batch_size=64, seed=0)
print(f"MSE-RNN training MSE: {mse_history.final_loss:.5f}")

# %% [markdown]
# ## 5. Held-out scores
#
# Because we know the process, we can compute the exact probability of each held-out step given the steps before
# it (`branching_log_prob` tracks the hidden regime with a forward filter). Minus its mean is the **Bayes
# limit**: no model can have a lower expected NLL. It comes in the curves' own units; in slopes every density is
# $s$ times larger, so every NLL is $\log s$ lower (lesson 01's change of units). To give the MSE network an NLL we read its prediction as the
# mean of a Gaussian whose $\sigma$ is its training RMSE (the best single $\sigma$). We also score the squared
# error of each model's mean prediction; for the MDN-RNN that is the mean of its mixture.

# %%
with torch.no_grad():
    test_params, _ = mdn_rnn(x_test)
    mdn_nll = -ml.losses.mixture_log_prob(*test_params, y_test).mean()
    mdn_mse = ((ml.Mixture.from_params(test_params).mean() - y_test) ** 2).mean()
    sigma = ((mse_rnn(x) - y) ** 2).mean().sqrt()  # the best constant σ, from the training set
    mse_pred = mse_rnn(x_test)
    mse_nll = ml.losses.gaussian_nll(mse_pred.reshape(-1, 1), sigma, y_test.reshape(-1, 1))
    mse_mse = ((mse_pred - y_test) ** 2).mean()
bayes = -branching_log_prob(test_curves).mean() - math.log(s)  # in slopes, like the models' NLLs

print(f"{'held out':22s} {'NLL (nats/step)':>16s} {'squared error':>14s}")
print(f"{'MDN-RNN':22s} {float(mdn_nll):16.3f} {float(mdn_mse):14.5f}")
print(f"{'MSE-RNN (Gaussian σ)':22s} {float(mse_nll):16.3f} {float(mse_mse):14.5f}")
print(f"{'Bayes limit':22s} {float(bayes):16.3f}")

# %% [markdown]
# The two squared errors are about the same: the mean of the MDN-RNN's mixture is as good a mean as the MSE
# network's. The NLLs are far apart, about 0.8 nats per step: the MSE network spreads one wide Gaussian over the
# three possible steps, while the MDN-RNN puts a narrow bump on each, within about 0.02 nats of the Bayes limit.
# (The NLLs are negative because a flat step's density, a bump of σ = 0.08 slopes, is larger than 1; lesson 01.)
#
# ## 6. What the models say after a flat start
#
# Feed both models a perfectly flat start, five steps of 0, and look at their prediction for the next step, over
# the histogram of what really followed flat moments in the training data.

# %%
prefix = torch.zeros(5, 1)  # five flat steps: a curve that has not branched yet
with torch.no_grad():
    params, _ = mdn_rnn(prefix[None])  # N = 1 sequence of T = 5 steps
    after_prefix = ml.MixtureParams(*(part[:, -1] for part in params))  # the mixture after the last step: K = 5
    mse_next = float(mse_rnn(prefix[None])[0, -1, 0])
weights, means = after_prefix.log_weights[0].exp(), after_prefix.means[0, :, 0]
groups = {
    "starts down": (means < -0.5, h * (1 - p)),
    "stays flat": (means.abs() <= 0.5, 1 - h),
    "starts up": (means > 0.5, h * p),
}
for name, (members, truth) in groups.items():  # add up the components that sit at -1, 0 or +1
    print(f"{name:12s} MDN-RNN weight {float(weights[members].sum()):.3f}   true {truth:.3f}")
print(f"MSE-RNN's next step: {mse_next:.4f}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
ml.plots.mixture_components(
    after_prefix,
    torch.linspace(-1.6, 1.6, 801),
    ax=ax,
    data=after_flat,
    log_scale=True,
    title="Next step after a flat start",
    label="MDN-RNN mixture",
    xlabel="next step $\\Delta_{t+1}$",
)
ax.axvline(mse_next, color="black", ls=":", label="MSE-RNN")
ax.set_ylim(0.01, 10)
ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
plt.show()

# %% [markdown]
# (The density axis is logarithmic so that the small bumps show; the histogram is drawn first, so no curve hides
# it.) The mixture has a tall bump at 0 and two small ones at ±1, with weights close to the true $1 - h$, $hp$ and
# $h(1 - p)$ once the components on each bump are added up, as the table does: here two components share the
# down bump and two the up bump. The MSE network answers with the average step, a small step up (0.07 slopes) that
# never happens.
#
# ## 7. Generating futures
#
# To continue a sequence, read the start (the **warm-up**), **sample** the next step from the predicted mixture,
# let the model read that sample as its next input, and repeat. Each run makes its own choices, so runs from the
# same warm-up diverge. The model must keep its state from one step to the next: the state is its memory of the
# warm-up and of every step sampled since.

# %% [markdown] tags=["exercise"]
# ### Exercise 2: the sample-and-feed-back loop
#
# Write `sample_futures(model, warmup, n_steps, n_samples, temperature=1.0, generator=None)`: `n_samples`
# continuations of one warm-up sequence `warmup` of shape (P, 1), each `n_steps` steps long, returned as a tensor
# of shape (n_samples, n_steps, 1) (the sampled steps, without the warm-up). `model` is a recurrent MDN as in
# Exercise 1: `model(x, state)` returns `(params, state)`.
#
# Decide what the model reads first, which of its mixtures the next step is drawn from, what it reads next, and
# how it keeps its memory. (Reading the whole sequence again at every step gives the same draws, at a cost that
# grows with the square of the length.) Draw with the course's sampler, at the temperature of lesson 05: for a `MixtureParams` whose log_weights
# have shape (B, K), `params.mixture().sample(1, temperature, generator)` returns one draw per mixture, shape
# (B, 1, 1). So that the check can compare your draws with its own, made with the same `generator`, read the
# warm-up as a batch of n_samples identical sequences and draw all n_samples next steps with one such call per
# step. No gradients are needed: work under `torch.no_grad()`.
#
# The check runs your loop on a small model of its own that writes down every call: it tells a loop that
# restarts the state, or reads back anything but its own samples, from one that only draws differently.


# %% tags=["stub"]
def sample_futures(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
    """n_samples continuations of the warm-up (P, 1), each sampled step read back: shape (n_samples, n_steps, 1)."""
    # TODO: read the warm-up, then for each of the n_steps steps: draw the next step of every continuation from
    # the model's mixture, keep it, and let the model read it, carrying its state. The order of the draws: one call
    # .sample(1, temperature, generator) per step, on the n_samples mixtures of the continuations.
    ...


# %% tags=["solution"]
def sample_futures(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
    """n_samples continuations of the warm-up (P, 1), each sampled step read back: shape (n_samples, n_steps, 1)."""
    with torch.no_grad():
        params, state = model(warmup.expand(n_samples, -1, -1))  # the warm-up, once per continuation
        futures = []
        for _ in range(n_steps):
            last = ml.MixtureParams(*(part[:, -1] for part in params))  # the mixture over the next step
            value = last.mixture().sample(1, temperature, generator)[:, 0]  # (n_samples, 1): one draw each
            futures.append(value)
            params, state = model(value[:, None], state)  # read the sample: one step, from the carried state
    return torch.stack(futures, dim=1)


# %% [markdown] tags=["solution"]
# The model reads the warm-up once, and the mixture after its last step (`params[:, -1]`) gives the first draw.
# From then on it reads one step at a time, its own sample, starting from the state the previous call returned;
# the state is all it remembers of the warm-up. The slips the check names: passing `state=None` at each step
# (the model forgets everything but the last sample), and reading back something other than the sample (its mean,
# the warm-up's last step, or a true value, as in training: at generation time there is no true value).

# %% tags=["exercise"]
result = ml.checks.lesson07.check_sample_futures(sample_futures)

# %% [markdown]
# Now your MDN-RNN writes 2000 futures of the flat start, 16 steps each (with the course's loop until yours
# passes). The MSE network has nothing to sample: `ml.sequences.generate` feeds its prediction back, and it writes
# one curve. As the truth we draw fresh curves from the process itself: it has no memory while flat, so the
# futures of a flat start are just new curves.

# %%
sample = ml.checks.lesson07.sample_futures_to_use(sample_futures, result)  # yours once its check passes
n_steps = 16
samples = sample(mdn_rnn, prefix, n_steps=n_steps, n_samples=2000, generator=torch.Generator().manual_seed(0))
futures = samples.cumsum(dim=1) * s  # (2000, 16, 1): back to positions; the flat prefix ended at y = 0
mse_steps = ml.sequences.generate(mse_rnn, prefix, n_steps=n_steps)  # (1, 16, 1): its own predictions, fed back
mse_future = mse_steps.cumsum(dim=1) * s
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


fig, axes = plt.subplots(1, 2, figsize=(8, 3.5), sharey=True, layout="constrained")
for ax, paths, title in [(axes[0], true_futures, "The process's futures"), (axes[1], futures, "MDN-RNN, MSE-RNN")]:
    for path in from_prefix(paths[:60]):
        ax.plot(t_future, path, color=fate(path[-1]), lw=0.8, alpha=0.5)
    ax.plot(t_future, from_prefix(paths).mean(dim=0), color="black", ls="--", lw=1.5, label="mean of futures")
    ax.plot(t_prefix, np.zeros(6), color="black", lw=2.5, label="flat start")
    ax.set(title=title, xlabel="step t")
axes[1].plot(t_future, from_prefix(mse_future)[0], color="C1", lw=2.5, label="MSE-RNN")
axes[0].set_ylabel("$y_t$")
for colour, label in [("C0", "went up"), ("C2", "went down")]:
    axes[0].plot([], [], color=colour, label=label)
axes[0].legend(loc="upper left")
axes[1].legend(loc="upper left")
plt.show()

# %% [markdown]
# The MDN-RNN's futures fork like the real ones, at random moments, and a few are still flat at the end. Its
# shares are off by a few points (0.75 up against 0.68): its weights after a flat start already lean up (0.150 and
# 0.053 against 0.14 and 0.06, so 74 % of its branches go up instead of 70 %), and every flat step of every future
# samples from such weights. The weights of rare steps are the part of the model that trains last; section 9's
# packaged model, trained with the course's recipe, gets them closer. The MSE network writes one curve that bends
# upwards: its first step is the average step (a little up), and reading its own up-steps back it climbs faster
# and faster. It never goes down, never waits and then turns sharply, and is not even the average of the futures
# (dashed): feeding averages back in is not the same as averaging futures. Section 8 looks at why it climbs.
#
# ## 8. Teacher forcing and exposure bias
#
# Both networks learned with teacher forcing: every input they ever read in training was a true step, flat
# ($0 \pm 0.08$ slopes) or a ramp ($\pm 1$). Generation is different: each network reads its own outputs. The MDN-RNN's
# samples are flat steps or ramp steps, the kind of input it was trained on. The MSE network reads back its
# average step, a small up-step that no true curve takes; nothing in training told it what to do after such a
# step, and what it does then is its next input. Its errors feed on themselves. This mismatch between the inputs
# of training (always true) and of generation (the model's own) is called **exposure bias** (Ranzato et al.,
# 2016); *scheduled sampling* (Bengio et al., 2015) is one remedy: during training, feed the model its own
# samples for a growing share of the steps.
#
# We can watch it happen. Give the MSE network a curve that really stays flat: after every true flat step the
# best prediction of the next step is the same, $hp - h(1 - p)$ slopes. Then let it read its own predictions instead.

# %%
still_flat = torch.zeros(1, 5 + n_steps, 1)  # a curve that stays flat: every true step is 0
with torch.no_grad():
    forced = mse_rnn(still_flat)[0, 4:-1, 0]  # teacher forced: its prediction after reading 5, 6, ... true steps
free = mse_steps[0, :, 0]  # free running: after reading the 5 true steps and then its own predictions
best = h * p - h * (1 - p)  # the mean next step after any flat history, in slopes
print(f"{'future step':>11s} {'fed true flat steps':>20s} {'fed its own outputs':>20s} {'best':>7s}")
for t in (0, 1, 3, 7, 15):
    print(f"{t:11d} {float(forced[t]):20.4f} {float(free[t]):20.4f} {best:7.4f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
axes[0].plot(np.arange(n_steps), forced, color="C0", marker="o", ms=3, label="fed true flat steps")
axes[0].plot(np.arange(n_steps), free, color="C1", marker="o", ms=3, label="fed its own outputs")
axes[0].axhline(best, color="black", ls=":", label="best prediction")
axes[0].set(title="MSE-RNN's next step", xlabel="future step", ylabel="predicted $\\Delta$")
axes[0].legend(fontsize="small", loc="center right")
axes[1].hist(x.reshape(-1), bins=np.linspace(-1.4, 1.4, 71), color="0.75", label="inputs in training")
axes[1].hist(free, bins=np.linspace(-1.4, 1.4, 71), color="C1", label="its own outputs, read back")
axes[1].set_yscale("log")
axes[1].set(title="What the MSE-RNN reads", xlabel="input step $\\Delta_t$", ylabel="count")
axes[1].legend(fontsize="small", loc="upper left")
plt.show()

# %% [markdown]
# Fed the true flat steps, the MSE network predicts about 0.07 slopes at every step, as the best prediction does:
# teacher forcing trained it well for the inputs it saw. Fed its own outputs, its prediction climbs. Its first
# output, 0.07, becomes its next input: a step that is neither flat nor a ramp, which training almost never showed
# (right: its own outputs, orange, fall in the gap between the training inputs, grey). It reads the small up-step
# as the start of a ramp, predicts a larger step, reads that, and after 16 steps predicts 0.95, nearly a full ramp.
# No single step is far off; the errors compound because each output is the next input.
#
# The MDN-RNN was trained the same way and runs the same risk, but its samples are flat steps or ramp steps, the
# inputs it knows, so it stays on familiar ground. What it does carry forward is the lean of its weights seen in
# section 7, sampled again at every flat step.
#
# ## 9. The packaged version of what you just built
#
# The course's package has both pieces: `ml.sequences.MDNRNN` is a GRU (or LSTM, `cell="lstm"`) with the same
# mixture head, which also standardises its inputs and targets and trains with `ml.fit`; `ml.sequences.generate`
# is the loop of Exercise 2 for it and for `MSERNN`, with a temperature and a seed. Trained with the recipe of
# `ml.fit`, on the same data:

# %%
torch.manual_seed(0)
packaged = ml.sequences.MDNRNN(1, 1, n_components=5, hidden_size=16)
ml.fit(packaged, x, y, steps=300, lr=0.05, batch_size=64, seed=0)
with torch.no_grad():
    packaged_nll = -packaged.log_prob(x_test, y_test).mean()
packaged_steps = ml.sequences.generate(packaged, prefix, n_steps=n_steps, n_samples=2000, generator=0)
packaged_futures = packaged_steps.cumsum(dim=1) * s  # positions, as in section 7
shares = future_shares(packaged_futures, start=0.0, margin=0.2)
print(f"held-out NLL: yours {float(mdn_nll):.3f}, packaged {float(packaged_nll):.3f}, Bayes {float(bayes):.3f}")
print(f"packaged shares: up {shares['up']:.3f}, down {shares['down']:.3f}, flat {shares['flat']:.3f}")

# %% [markdown]
# Same architecture, and within 0.005 nats of the Bayes limit instead of 0.02; its shares match the true ones to
# about a point. What differs is the training: `ml.fit` standardises the data and follows the course's recipe (a
# larger learning rate, warmed up then decayed along a cosine, and clipped gradients; lesson 05), which gets the
# weights of the rare steps closer. Use the packaged pieces in your own work; lesson 09 does, on pen strokes.

# %% [markdown]
# ## Exercises
#
# ### Exercise 3: the true shares
#
# A curve is flat now. Write `true_shares(n_steps, p_up, branch_prob)` that returns the probabilities (up, down,
# flat) that $n$ steps later it has branched up, branched down, or is still flat. Compare your numbers with the
# `true` row of the table in section 7 ($n = 16$, $p = 0.7$, $h = 0.2$).

# %% [markdown] tags=["solution"]
# ## Exercise 3: the true shares
#
# A flat curve stays flat at each step with probability $1 - h$, independently, so it is still flat after $n$
# steps with probability $(1 - h)^n$. Otherwise it has branched once, up with probability $p$:
# up $= p\,(1 - (1 - h)^n)$, down $= (1 - p)(1 - (1 - h)^n)$.


# %% tags=["stub"]
def true_shares(n_steps, p_up, branch_prob):
    """Shares (up, down, flat) of the futures of a curve that is flat now, n_steps steps later."""
    # TODO: return three numbers that add up to 1: the probabilities that n_steps steps later the curve has
    # branched and gone up, has branched and gone down, or is still flat.
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
# ### Exercise 4: the probability of going up next
#
# A mixture answers questions in closed form. Write `prob_above(params, threshold)` that returns, for each of the
# N one-dimensional mixtures in a `MixtureParams`, the probability that $y$ is above `threshold`. Work it out
# from the standard normal CDF $\Phi$ (`torch.special.ndtr`). Then try `prob_above(after_prefix, 0.5)`: the
# MDN-RNN's probability that a flat curve starts up at the next step (the truth is $hp = 0.14$).

# %% [markdown] tags=["solution"]
# ## Exercise 4: the probability of going up next
#
# Each component is a Gaussian, and $P(\mathcal N(\mu, \sigma^2) > c) = 1 - \Phi((c - \mu)/\sigma) =
# \Phi((\mu - c)/\sigma)$; the mixture weights average these:
#
# $$P(y > c) = \sum_k \pi_k\, \Phi\!\left(\frac{\mu_k - c}{\sigma_k}\right).$$


# %% tags=["stub"]
def prob_above(params, threshold):
    """P(y > threshold) under each one-dimensional mixture in params: shape (N,)."""
    # TODO: one probability per mixture, shape (N,). params.log_weights is (N, K); params.means and
    # params.scales are (N, K, 1).
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
# On the true next-step mixture of a flat curve (weights 0.8, 0.14, 0.06 at 0, +1, −1 slope, σ = 0.08), which the
# MDN-RNN of the lesson learns, the probability of starting up is the weight of the up bump:

# %% tags=["solution"]
flat_start = ml.MixtureParams(
    torch.log(torch.tensor([[0.06, 0.8, 0.14]])),
    torch.tensor([[[-1.0], [0.0], [1.0]]]),
    torch.full((1, 3, 1), 0.08),
)
print(f"P(next step > 0.5) = {float(prob_above(flat_start, 0.5)[0]):.3f}")

# %%
result = ml.checks.lesson07.check_prob_above(prob_above)

# %% [markdown]
# ### Going further (no check)
#
# - Generate with `temperature=0.5` and `temperature=2.0` and print the shares: which way do they move, and why?
# - Build your `RecurrentMDN` with an LSTM, or change `p_up` in `branching_curves`, and train again: do the sampled
#   proportions follow?
# - Scheduled sampling: in the training loop, replace a share of the inputs by the model's own samples. Does the
#   MSE network's drift shrink?

# %% [markdown]
# ## Recap
#
# - When the future of a sequence can fork, its next step is a multimodal distribution; an MSE-trained network
#   predicts the average step, which may never happen.
# - An MDN-RNN is a recurrent layer with an MDN head after every step. The mixture at step t may read the steps
#   up to t only (one-way, batch first), and the state is handed back so that it can go on reading later.
# - Teacher forcing trains it on the true previous steps, every step of every sequence at once; held out, its NLL
#   is close to the Bayes limit, where the MSE network's is far from it, at about the same squared error.
# - Generation = sample the next step, read the sample back with the carried state, repeat. Sampled futures
#   split between the possible outcomes in about the true proportions.
# - Exposure bias: in training a model reads true values, in generation its own outputs. The MSE network's
#   averages are inputs it never saw in training, and it drifts; the MDN-RNN's samples look like its training
#   inputs.
#
# **Next:** [08 · An MDN, or something else?](08_mdn_or_something_else.ipynb): when an MDN is the right tool,
# measured against mixture regression, kernel densities and quantile regression. Lesson 09 then writes pen
# strokes with an MDN-RNN, as A. Graves did in *Generating Sequences With Recurrent Neural Networks* (2013);
# D. Ha and J. Schmidhuber, *World Models* (2018) use one to dream the future of a video game.
