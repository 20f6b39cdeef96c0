# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Writing with an MDN-RNN: correlated strokes and lifting the pen
#
# The most famous mixture density output writes. In Graves' handwriting generator (2013) a recurrent network
# reads the pen's moves one at a time and, after each, outputs a mixture of **correlated** two-dimensional
# Gaussians for the next move plus the probability that the pen leaves the paper; sampling from it, move
# after move, writes. Sketch-RNN (Ha and Eck, 2017) and World Models (Ha and Schmidhuber, 2018) reuse that
# head. Our MDNs so far had diagonal components and purely continuous outputs; this lesson closes both gaps
# on little glyphs (loops and zig-zags) drawn by a random process we wrote ourselves, so that we know the true
# probability of every choice the writer makes. About 40 minutes; the notebook runs in under 30 seconds, with
# trained weights that ship with the course (you can also train them yourself).

# %% [markdown]
# ## Learning objectives
#
# - Explain why the next move of a pen needs Gaussians that lean (a correlation ρ), and compute their
#   density stably, through a Cholesky factor.
# - Build the output head of a handwriting model: raw outputs → weights π, means μ, scales σ, correlations ρ
#   and a pen logit; its loss is the mixture NLL plus a Bernoulli NLL.
# - Write with the model: sample a move, feed it back, repeat, with a temperature that trades variety for
#   neatness.
# - Judge a generator against a process whose choices are known: held-out NLL with ρ learned and with ρ
#   fixed at 0, and the proportions of each choice among the samples against the true ones.

# %% [markdown] tags=["exercise"]
# ## Setup

# %% tags=["exercise"]
import matplotlib.pyplot as plt
import torch

import mdn_lessons as ml
from mdn_lessons import strokes

rng = ml.start_lesson(seed=0)

# %% [markdown]
# ## 1. Glyphs drawn by a known process
#
# A line of our "handwriting" is a row of glyphs. Each glyph takes 8 pen moves and starts heading up and to
# the right; at its second move the writer makes a **choice**: a loop turning anticlockwise (probability
# 0.6 · 0.7 = 0.42), a loop turning clockwise (0.6 · 0.3 = 0.18) or a zig-zag (0.4). Every glyph gets a random
# size and slant, and every move a random speed, so the step *length* varies much more than its *direction*.
# After each glyph a second choice: lift the pen (probability 0.3), make one pen-up move back to the baseline
# and start a new glyph, or carry on joined up.
#
# As in Graves' work, a line is stored as **offsets**, one row per move: $(\Delta x, \Delta y, \text{lift})$,
# where lift = 1 means that the pen leaves the paper after this point. `strokes.glyph_strokes` draws lines of
# 40 moves, float32, shape (N, 40, 3).

# %% tags=["exercise"]
train_lines = strokes.glyph_strokes(n=4000, length=40, seed=0)  # the data the shipped weights were trained on
test_lines = strokes.glyph_strokes(n=500, length=40, seed=1)  # held out
print(tuple(train_lines.shape), train_lines.dtype)
print("first moves of line 0 (Δx, Δy, lift):")
print(train_lines[0, :9].numpy().round(2))
truth = strokes.true_branch_shares()
print({name: round(share, 3) for name, share in truth.items()})

# %%
fig, axes = plt.subplots(4, 1, figsize=(8, 4.5))
for ax, line in zip(axes, train_lines[:4]):
    strokes.draw(line, ax=ax)
fig.suptitle("Four lines of training data (a lift leaves a gap)")
plt.show()

# %% [markdown]
# ## 2. Where can the next move go?
#
# Two things make this data hard for the MDNs of the earlier lessons. Look at the **first** move of every
# training line: its direction is always about 60°, but its length varies with the glyph's size and speed, so
# the cloud of first moves is a long ellipse that leans along the direction of travel, $\Delta x$ and
# $\Delta y$ strongly correlated. And the **second** move has three answers, one per choice: straight on
# (zig-zag), turning left (anticlockwise loop) or right (clockwise loop).

# %%
first, second = train_lines[:, 0, :2], train_lines[:, 1, :2]
print(f"correlation of Δx and Δy in the first move: {float(torch.corrcoef(first.T)[0, 1]):.3f}")

angle = torch.atan2(second[:, 1], second[:, 0]) - torch.atan2(first[:, 1], first[:, 0])  # turn at move 2
for name, members, share in [
    ("turns left", angle > 0.35, truth["anticlockwise loop"]),
    ("turns right", angle < -0.35, truth["clockwise loop"]),
    ("straight on", angle.abs() <= 0.35, truth["zig-zag"]),
]:
    print(f"second move {name:12s} measured {float(members.float().mean()):.3f}   true {share:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(8, 3.5), sharex=True, sharey=True)
axes[0].scatter(first[:1500, 0], first[:1500, 1], s=3, alpha=0.4)
axes[0].set(title="First move: one leaning cloud", xlabel="Δx", ylabel="Δy")
axes[1].scatter(second[:1500, 0], second[:1500, 1], s=3, alpha=0.4, color="C2")
axes[1].set(title="Second move: three leaning clouds", xlabel="Δx")
for ax in axes:
    ax.set_aspect("equal")
plt.show()

# %% [markdown]
# ## 3. Gaussians that lean
#
# A diagonal Gaussian has a scale along $x$ and one along $y$: its ellipses are upright or flat, never
# tilted. A full bivariate Gaussian adds a **correlation** $\rho \in (-1, 1)$:
#
# $$\Sigma = \begin{pmatrix} \sigma_x^2 & \rho\sigma_x\sigma_y \\ \rho\sigma_x\sigma_y & \sigma_y^2 \end{pmatrix},
# \qquad
# \log \mathcal N(\mathbf y; \boldsymbol\mu, \Sigma) = -\frac{z_x^2 + z_y^2 - 2\rho z_x z_y}{2(1-\rho^2)}
# - \log\!\big(2\pi\sigma_x\sigma_y\sqrt{1-\rho^2}\big),$$
#
# with $z_x = (y_x - \mu_x)/\sigma_x$ and $z_y = (y_y - \mu_y)/\sigma_y$. A network outputs any real number, so
# Graves takes $\rho = \tanh(\text{raw})$, which is always strictly inside $(-1, 1)$. Written like this the
# density is fragile when $|\rho|$ is close to 1: the numerator is a difference of nearly equal numbers and the
# denominator nearly 0. The package computes it through the **Cholesky factor** $L$ with $\Sigma = LL^\top$,
#
# $$L = \begin{pmatrix} \sigma_x & 0 \\ \rho\sigma_y & \sigma_y\sqrt{1-\rho^2} \end{pmatrix}, \qquad
# w_x = z_x,\quad w_y = \frac{z_y - \rho z_x}{\sqrt{1 - \rho^2}}, \qquad
# \log \mathcal N = -\tfrac12 (w_x^2 + w_y^2) - \log\sigma_x - \log\sigma_y - \tfrac12\log(1-\rho^2) - \log 2\pi,$$
#
# the same number without the cancellation, and the same recipe works in any dimension with any
# lower-triangular $L$ (`ml.correlated_mixture.from_scale_tril`). How much does the lean matter? For the first
# moves, the best single Gaussian with $\rho$ beats the best diagonal one by exactly
# $-\tfrac12\log(1-\hat\rho^2)$ nats per move, where $\hat\rho$ is the data's correlation:

# %%
mean, cov = first.mean(0), torch.cov(first.T)
rho_hat = float(cov[0, 1] / cov.diag().prod().sqrt())
one = torch.zeros(1, 1)  # log weight of a single component
full = ml.correlated_mixture.from_correlations(
    one, mean[None, None], cov.diag().sqrt()[None, None], torch.tensor([[rho_hat]])
)
diagonal = ml.correlated_mixture.from_correlations(
    one, mean[None, None], cov.diag().sqrt()[None, None], torch.zeros(1, 1)
)
nll_full, nll_diagonal = -full.log_prob(first).mean(), -diagonal.log_prob(first).mean()
print(f"NLL of the first moves: correlated {float(nll_full):.3f}, diagonal {float(nll_diagonal):.3f} nats")
print(
    f"difference {float(nll_diagonal - nll_full):.3f} = -log(1 - ρ²)/2 = {-0.5 * torch.log1p(torch.tensor(-(rho_hat**2))).item():.3f}"
)
torch_says = full.distribution().log_prob(first[:5])
print(
    "agrees with torch.distributions.MultivariateNormal:",
    bool(torch.allclose(full.log_prob(first[:5]), torch_says, atol=1e-5)),
)

# %% [markdown]
# ## 4. The output head of a handwriting model
#
# The model is the MDN-RNN of lesson 07 with a new head. A GRU reads the rows one at a time (starting from a
# blank-page row (0, 0, 0)), and after each one a linear layer outputs $6K + 1$ raw numbers for the next
# row. The head turns them into the parameters of the next row's distribution:
#
# | raw outputs (in this order) | becomes | how |
# |---|---|---|
# | K logits | log weights $\log\pi_k$ | log-softmax over K |
# | 2K means, as (K, 2) | means $(\mu_{x,k}, \mu_{y,k})$ | unchanged |
# | 2K raw scales, as (K, 2) | $\sigma_{x,k}, \sigma_{y,k}$ | softplus + a small floor (`strokes.MIN_SCALE`) |
# | K raw correlations | $\rho_k$ | tanh |
# | 1 pen logit | $\ell$, with $P(\text{lift}) = \text{sigmoid}(\ell)$ | unchanged |
#
# The loss of one row is the sum of two negative log-likelihoods, one for each part of the row:
#
# $$-\log p(\text{row}) = -\log \sum_k \pi_k\, \mathcal N\big((\Delta x, \Delta y); \boldsymbol\mu_k, \Sigma_k\big)
# \;-\; \big[\text{lift}\cdot\log \text{sigmoid}(\ell) + (1 - \text{lift})\log\big(1 - \text{sigmoid}(\ell)\big)\big].$$

# %% [markdown] tags=["exercise"]
# ### Exercise 1: the output head
#
# Write `stroke_head(raw, n_components)`. `raw` has shape (..., 6K + 1) with any number of leading axes (for
# the model: (N, T, 6K + 1)), laid out as in the table. Return five tensors: log weights (..., K), means
# (..., K, 2), scales (..., K, 2), correlations (..., K) and pen logits (...). Decide for each part what keeps
# it valid: weights that are probabilities, scales that are positive, correlations strictly inside (−1, 1).


# %% tags=["stub"]
def stroke_head(raw, n_components):
    """Raw outputs (..., 6K + 1) -> (log_weights, means, scales, correlations, pen_logits)."""
    # TODO: split the last axis into the five blocks of the table, and map each block to valid parameters.
    # Shapes: log_weights (..., K), means (..., K, 2), scales (..., K, 2), correlations (..., K), pen_logits (...).
    ...


# %% tags=["solution"]
def stroke_head(raw, n_components):
    """Raw outputs (..., 6K + 1) -> (log_weights, means, scales, correlations, pen_logits)."""
    k = n_components
    batch = raw.shape[:-1]
    logits, means, raw_scales, raw_correlations, pen = raw.split([k, 2 * k, 2 * k, k, 1], dim=-1)
    log_weights = torch.log_softmax(logits, dim=-1)  # exp sums to 1 over K
    means = means.reshape(*batch, k, 2)
    scales = torch.nn.functional.softplus(raw_scales.reshape(*batch, k, 2)) + strokes.MIN_SCALE  # > 0
    correlations = torch.tanh(raw_correlations)  # strictly inside (-1, 1)
    return log_weights, means, scales, correlations, pen[..., 0]


# %% [markdown] tags=["exercise"]
# The check runs your head on fresh random outputs and on the raw outputs of the trained model for a few
# training lines, and compares with the package's `strokes.stroke_params`, which the model uses.

# %% tags=["exercise"]
correlated_model = strokes.pretrained(correlated=True)  # trained weights shipped with the course (section 5)
with torch.no_grad():
    x_train, _ = strokes.next_step_pairs(train_lines[:3])
    features, _ = correlated_model.rnn(correlated_model.x_scaler(x_train))
    raw = correlated_model.head(features)  # (3, 40, 6K + 1), in standardised units
print("raw outputs", tuple(raw.shape))
result = ml.checks.lesson09.check_stroke_head(stroke_head, raw=raw, n_components=correlated_model.n_components)

# %% [markdown]
# ## 5. ρ learned against ρ fixed at 0
#
# `strokes.StrokeRNN` is this model (a GRU of 64 units, K = 6 components); `correlated=False` gives the same
# model with $\rho$ fixed at 0, a mixture of diagonal Gaussians. Both follow the course's model protocol and
# train with `ml.fit` on the pairs made by `strokes.next_step_pairs` (inputs: the rows one step late after the
# blank-page row; targets: the rows). Training each well takes a few minutes on one CPU thread, longer than a
# lesson should, so the course ships the weights made by `tools/train_stroke_weights.py`, with the settings in
# `strokes.TRAINING`. Set `TRAIN_HERE = True` to train them yourself instead (the numbers below will then
# differ a little).

# %%
TRAIN_HERE = False
print(", ".join(f"{key}={value}" for key, value in strokes.TRAINING.items() if key != "fit"))
print("fit:", strokes.TRAINING["fit"])
x, y = strokes.next_step_pairs(train_lines)
if TRAIN_HERE:
    settings = strokes.TRAINING
    models = {}
    for correlated in (True, False):
        torch.manual_seed(settings["seed"])
        models[correlated] = strokes.StrokeRNN(settings["n_components"], settings["hidden_size"], correlated)
        history = ml.fit(models[correlated], x, y, steps=settings["steps"], **settings["fit"])
        print(f"correlated={correlated}: {history.seconds:.0f} s, final training NLL {history.final_loss:.3f}")
    correlated_model, diagonal_model = models[True], models[False]
else:
    correlated_model, diagonal_model = strokes.pretrained(correlated=True), strokes.pretrained(correlated=False)

# %% [markdown]
# Held out, we score each model by its NLL per row, split into its two parts: the moves $(\Delta x, \Delta y)$
# and the lift bit. (Negative NLLs again mean densities above 1: the moves are small numbers.)

# %%
x_test, y_test = strokes.next_step_pairs(test_lines)


def held_out_nll(model):
    """Mean held-out NLL per row: (moves, lift bit, total), in nats."""
    with torch.no_grad():
        params = model(x_test)
        moves = -params.mixture().log_prob(y_test[..., :2]).mean()
        lift = -strokes.bernoulli_log_prob(params.pen_logits, y_test[..., 2]).mean()
    return float(moves), float(lift), float(moves + lift)


scores = {"ρ learned": held_out_nll(correlated_model), "ρ fixed at 0": held_out_nll(diagonal_model)}
print(f"{'held-out NLL per row':22s} {'moves':>8s} {'lift':>8s} {'total':>8s}")
for name, (moves, lift, total) in scores.items():
    print(f"{name:22s} {moves:8.3f} {lift:8.3f} {total:8.3f}")
gap = scores["ρ fixed at 0"][2] - scores["ρ learned"][2]
print(
    f"the diagonal model is {gap:.2f} nats per row worse: a factor {torch.tensor(gap).exp().item():.2f} in probability"
)

# %% [markdown]
# The lift bits cost both models the same: they are a separate, binary part of the row, and both models learned
# when a glyph ends. The moves make the whole difference. With six components the diagonal model can only tile
# each leaning ellipse with upright ones, and it pays for that at almost every move.
#
# Where does a component lean? Take one test line and draw, for a few of its moves, the ellipses (one standard
# deviation) of the three heaviest components each model predicted, over the move that really came.


# %%
def ellipse(mean, cov, n=60):
    """Points of the one-standard-deviation ellipse of a 2-D Gaussian."""
    angles = torch.linspace(0, 2 * torch.pi, n)
    circle = torch.stack([angles.cos(), angles.sin()])
    return (mean[:, None] + torch.linalg.cholesky(cov) @ circle).T


line, moves_shown = 2, [1, 3, 5]
fig, axes = plt.subplots(1, 2, figsize=(8, 3.8), sharex=True, sharey=True)
for ax, model, title in [(axes[0], correlated_model, "ρ learned"), (axes[1], diagonal_model, "ρ fixed at 0")]:
    with torch.no_grad():
        params = model(x_test[line : line + 1])
    mixture = params.mixture()
    for t, colour in zip(moves_shown, ["C0", "C1", "C2"]):
        weights = params.log_weights[0, t].exp()
        for k in weights.argsort(descending=True)[:3]:
            points = ellipse(mixture.means[0, t, k], mixture.covariances[0, t, k])
            ax.plot(points[:, 0], points[:, 1], color=colour, alpha=float(0.3 + 0.7 * weights[k]))
        ax.plot(*y_test[line, t, :2], "x", color=colour, ms=9, mew=2, label=f"move {t}")
    ax.set(title=title, xlabel="Δx")
    ax.set_aspect("equal")
axes[0].set_ylabel("Δy")
axes[0].legend(loc="lower left")
plt.show()

# %% [markdown]
# ## 6. Writing
#
# To write, start from the blank-page row, ask the model for the next row's distribution, **draw** a row from
# it, feed that row back in, and repeat. Drawing a row takes three random draws: which component, where inside
# that component's ellipse, and whether the pen lifts.
#
# Graves and Sketch-RNN add a knob, the **temperature** $T$ (Graves' "bias" is the same idea). Before drawing,
# the component logits and the pen logit are divided by $T$, and every covariance is multiplied by $T$
# (each $\sigma$ by $\sqrt T$; $\rho$ is left alone). $T = 1$ samples the model itself; a small $T$ makes the
# likeliest choice at every step, with little noise; a large $T$ evens the choices out and adds noise.
#
# To draw from one leaning component, take two independent standard normal numbers $z_x, z_y$ and apply the
# Cholesky factor: $\Delta x = \mu_x + \sigma_x z_x$ and $\Delta y = \mu_y + \sigma_y\big(\rho z_x + \sqrt{1-\rho^2}\, z_y\big)$.

# %% [markdown] tags=["exercise"]
# ### Exercise 2: one step of the writing loop
#
# Write `sample_step(params, temperature, generator)`. `params` holds B predictions (log weights (B, K),
# means and scales (B, K, 2), correlations (B, K), pen logits (B,)); return one drawn row per prediction,
# shape (B, 3): $(\Delta x, \Delta y, \text{lift})$ with lift 0 or 1, drawn with the temperature as described
# above. Pass `generator` to every random draw (`torch.multinomial`, `torch.randn`, `torch.rand`) so that the
# samples can be repeated. The check draws many rows and compares their statistics with what they must be.


# %% tags=["stub"]
def sample_step(params, temperature, generator):
    """One drawn row (Δx, Δy, lift) per prediction in params: shape (B, 3)."""
    log_weights, means, scales, correlations, pen_logits = params
    # TODO: for each of the B predictions, choose a component, draw an offset from that component's (tempered)
    # correlated Gaussian, and draw the lift bit (0 or 1) from the (tempered) pen probability.
    ...


# %% tags=["solution"]
def sample_step(params, temperature, generator):
    """One drawn row (Δx, Δy, lift) per prediction in params: shape (B, 3)."""
    log_weights, means, scales, correlations, pen_logits = params
    b = len(log_weights)
    chosen = torch.multinomial(torch.softmax(log_weights / temperature, dim=-1), 1, generator=generator)[:, 0]
    rows = torch.arange(b)
    mu, sigma, rho = means[rows, chosen], scales[rows, chosen] * temperature**0.5, correlations[rows, chosen]
    z = torch.randn(b, 2, generator=generator)
    dx = mu[:, 0] + sigma[:, 0] * z[:, 0]
    dy = mu[:, 1] + sigma[:, 1] * (rho * z[:, 0] + torch.sqrt(1 - rho**2) * z[:, 1])
    lift = (torch.rand(b, generator=generator) < torch.sigmoid(pen_logits / temperature)).float()
    return torch.stack([dx, dy, lift], dim=1)


# %% tags=["exercise"]
with torch.no_grad():
    first_params, _ = correlated_model.next_params(torch.zeros(5, 3))  # predictions for 5 blank pages
result = ml.checks.lesson09.check_sample_step(sample_step, params=first_params)

# %% [markdown] tags=["exercise"]
# ### Exercise 3: the writing loop
#
# Write `write_strokes(model, n_samples, n_steps, temperature, generator)`, which writes `n_samples` lines of
# `n_steps` rows from a blank page and returns them, shape (n_samples, n_steps, 3). One step of the model is
# `params, state = model.next_params(rows, state)`: it reads one row per line, shape (n_samples, 3), and
# returns the predictions for the next rows and the GRU's new state (pass `state=None` for a blank page).
# Draw each row with the package's `strokes.sample_step(params, temperature, generator)` (the same as your
# Exercise 2; the check compares your rows with the package's `strokes.write`, draw for draw).


# %% tags=["stub"]
def write_strokes(model, n_samples, n_steps, temperature, generator):
    """n_samples lines of n_steps rows written by model from a blank page: shape (n_samples, n_steps, 3)."""
    # TODO: start from a blank-page row (0, 0, 0) per line; at each step get the next predictions from
    # model.next_params, draw the rows with strokes.sample_step, and use them as the next input.
    ...


# %% tags=["solution"]
def write_strokes(model, n_samples, n_steps, temperature, generator):
    """n_samples lines of n_steps rows written by model from a blank page: shape (n_samples, n_steps, 3)."""
    rows, state, written = torch.zeros(n_samples, 3), None, []
    with torch.no_grad():
        for _ in range(n_steps):
            params, state = model.next_params(rows, state)
            rows = strokes.sample_step(params, temperature, generator)
            written.append(rows)
    return torch.stack(written, dim=1)


# %% tags=["exercise"]
result = ml.checks.lesson09.check_write_strokes(write_strokes, model=correlated_model)

# %% [markdown]
# `strokes.write(model, n_samples, n_steps, temperature, generator)` is this loop; `step=` lets you swap in
# your own `sample_step`. Here are real lines and lines written by each model at $T = 1$, all 40 moves long.

# %%
written = {
    "ρ learned": strokes.write(correlated_model, n_samples=4, n_steps=40, generator=0),
    "ρ fixed at 0": strokes.write(diagonal_model, n_samples=4, n_steps=40, generator=0),
}
fig, axes = plt.subplots(6, 2, figsize=(8, 6.5))
sources = [
    ("held-out data", test_lines[:4], "black"),
    ("ρ learned", written["ρ learned"], "C0"),
    ("ρ fixed at 0", written["ρ fixed at 0"], "C3"),
]
for group, (title, lines, colour) in enumerate(sources):
    for index, line in enumerate(lines):
        strokes.draw(line, ax=axes[2 * group + index // 2, index % 2], color=colour)
    axes[2 * group, 0].set_title(title, loc="left")
fig.tight_layout()
plt.show()

# %% [markdown]
# Both writers have learned the glyphs: loops of both turns, zig-zags, joins and gaps where the pen lifted. At
# a glance their lines look alike, and that is a lesson in itself: a diagonal mixture with enough components
# can tile a leaning ellipse with upright ones, so its samples are not absurd. The price shows in the numbers,
# not in a quick look: every move's density is spread over the wrong shape (the ellipse pictures above), which
# is what the held-out NLL of section 5 measures, row after row. With fewer components, or in more dimensions
# (a pen with pressure and tilt), the tiling gets coarser, and a single full-covariance component does the
# job of many diagonal ones.
#
# ## 7. Did the writer make the right choices?
#
# We know the true probability of each choice, so we can count. Write 2000 lines of one glyph (9 moves) with
# each model, classify each glyph by how far its path turns in total (a loop turns about ±315°, a zig-zag's
# turns cancel), and count the lifts after it.

# %%
n_samples = 2000
first_glyphs = {
    name: strokes.first_glyph_branches(strokes.write(model, n_samples, 9, generator=1))
    for name, model in [("ρ learned", correlated_model), ("ρ fixed at 0", diagonal_model)]
}
columns = {name: name.split()[0] for name in truth}  # short headings: "anticlockwise", "clockwise", ...
print(f"{'share of glyphs':16s}" + "".join(f"{columns[name]:>14s}" for name in truth))
print(f"{'true':16s}" + "".join(f"{share:14.3f}" for share in truth.values()))
for name, shares in first_glyphs.items():
    print(f"{name:16s}" + "".join(f"{shares[key]:14.3f}" for key in truth))
print(f"(sampling error of a share near 0.3 with {n_samples} samples: about ±{(0.3 * 0.7 / n_samples) ** 0.5:.3f})")

# %% [markdown]
# Both models make the choices in about the true proportions: the choices live in the mixture weights and the
# pen logit, which the two models share. What the diagonal model gets wrong is the *shape* of each move, not the
# choice of glyph.
#
# ## 8. Temperature: variety against neatness
#
# Write with the correlated model at several temperatures and count the choices again. As a measure of
# neatness we ask the model itself how typical the moves are: the mean log-density of each written move given
# the moves before it (higher = closer to the model's most likely writing). The same number for the held-out
# data is the reference.


# %%
def typicality(lines):
    """Mean log-density (nats) of the moves of the first glyph under the correlated model."""
    inputs, targets = strokes.next_step_pairs(lines[:, :8])
    with torch.no_grad():
        return float(correlated_model(inputs).mixture().log_prob(targets[..., :2]).mean())


temperatures = [0.1, 0.5, 1.0, 1.5]
print(f"{'T':>5s}" + "".join(f"{columns[name]:>14s}" for name in truth) + f"{'typicality':>12s}")
print(f"{'data':>5s}" + "".join(f"{share:14.3f}" for share in truth.values()) + f"{typicality(test_lines):12.3f}")
for temperature in temperatures:
    lines = strokes.write(correlated_model, n_samples, 9, temperature=temperature, generator=2)
    shares = strokes.first_glyph_branches(lines)
    print(f"{temperature:5.1f}" + "".join(f"{shares[key]:14.3f}" for key in truth) + f"{typicality(lines):12.3f}")

# %%
fig, axes = plt.subplots(len(temperatures), 1, figsize=(8, 5.5))
for ax, temperature in zip(axes, temperatures):
    line = strokes.write(correlated_model, 1, 40, temperature=temperature, generator=3)
    strokes.draw(line, ax=ax, color="C0")
    ax.set_title(f"T = {temperature}", loc="left")
plt.show()

# %% [markdown]
# At low temperature the writer is neat and predictable: the rare choices (the clockwise loop, lifting the pen)
# disappear, the moves hug the centres of the components, and the model finds its own writing more typical
# than the data. What is left is the choice between components of similar weight (anticlockwise loop or
# zig-zag), which no temperature removes entirely. At $T = 1$ the writer reproduces the data's proportions and
# typicality. Above 1 the rare choices become more common and the strokes get scruffier. Only $T = 1$ samples
# the model that was trained; the other temperatures trade faithfulness for a look.

# %% [markdown]
# ### Going further (no check)
#
# - Train both models yourself (`TRAIN_HERE = True`, a few minutes each) and compare your held-out NLLs with the
#   table of section 5. Then try fewer components (`strokes.StrokeRNN(n_components=2)`): which model suffers
#   more, and why?
# - Change the writer: `strokes.glyph_strokes(..., p_anticlockwise=0.5, p_lift=0.6)`, train, and check that the
#   sampled proportions follow `strokes.true_branch_shares(p_anticlockwise=0.5, p_lift=0.6)`.
# - `ml.correlated_mixture.from_scale_tril` works in any dimension: write a 3-D component with a given
#   covariance and check its `log_prob` against `torch.distributions.MultivariateNormal`.

# %% [markdown]
# ## Recap
#
# - A pen's next move is uncertain mostly along its direction of travel: an ellipse that leans. Diagonal
#   components cannot lean; a correlation $\rho = \tanh(\text{raw})$ per component can, and its density is
#   computed stably through the Cholesky factor $L$ ($\Sigma = LL^\top$), in any dimension.
# - A handwriting MDN-RNN's head outputs, per step, K weights, K means and K pairs of scales, K correlations and
#   one pen logit; its loss is the mixture NLL of the move plus the Bernoulli NLL of the lift bit.
# - Held out, learning $\rho$ beats fixing it at 0 by a clear margin on the moves; the lift bits cost both the
#   same.
# - Writing is sampling: choose a component, draw inside its ellipse, draw the lift bit, feed the row back. The
#   samples make each choice in about the true proportions.
# - The temperature divides the logits and multiplies the covariances: below 1 the writing gets neater and the
#   likeliest choice takes over, above 1 it gets more varied and scruffier.
#
# This is the last lesson of the course; go back to [lesson 00](00_welcome.ipynb) for the map of the whole
# course. **Where to go next:** the course's reading list and credits, [READING.md](../READING.md), gives every
# paper, post and data set the lessons build on, with what each adds. For this lesson:
#
# - A. Graves, *Generating Sequences With Recurrent Neural Networks* (2013): the handwriting MDN-RNN, with
#   correlated components, the end-of-stroke bit and the sampling bias.
# - D. Ha and D. Eck, *A Neural Representation of Sketch Drawings* (2017), Sketch-RNN: the same head on drawings,
#   with a temperature on the mixture and the pen.
# - D. Ha and J. Schmidhuber, *World Models* (2018): an MDN-RNN that dreams the future of a video game.
