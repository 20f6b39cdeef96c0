# %% [markdown]
# # 00 · Welcome: Mixture Density Networks, step by step
#
# This course teaches you to model a whole **conditional distribution** $p(y \mid x)$ with a neural network,
# instead of a single number per input. The tool is the **Mixture Density Network** (MDN): a net whose outputs
# are the weights, means and widths of a mixture of Gaussians. This first page shows you how the course works,
# checks that your setup is right, and shows in one picture why the idea matters.
#
# ## Learning objectives
# - Know the order of the lessons and what each one adds.
# - Know how to use the interactive widgets, the exercises and their automatic checks, and the solutions.
# - Check that your Python, PyTorch and widget setup matches the course's.
# - See the problem the course solves: a net trained with squared error draws one line through data that has
#   several answers, while an MDN describes all of them.

# %% [markdown]
# ## How the course works
#
# Run the notebooks in order; each takes seconds on a laptop CPU and needs no GPU and no internet.
#
# | lesson | what you learn |
# |---|---|
# | `00_welcome` | this page: how to use the course, a setup check, the teaser |
# | `01_p_and_q` | data as samples from an unknown $P$; a model $Q$; why we minimise negative log-likelihood |
# | `02_gaussian_mixtures` | mixtures of Gaussians, a stable mixture NLL (logsumexp), fitting and failure modes |
# | `03_mse_fails` | why a net trained on squared error returns the conditional mean, between the branches |
# | `04_mdn` | the Mixture Density Network, built by hand and then with the course's package |
# | `05_using_and_judging` | turning a density into answers (samples, mode, mean) and judging it (NLL, calibration) |
# | `06_robot_arm` | a real inverse problem with two answers: the joint angles of a robot arm |
# | `07_mdn_rnn` | sequences whose future can go several ways: an MDN on a recurrent net |
# | `08_mdn_or_something_else` | when an MDN is the right tool: against mixture regression, kernel densities and quantile regression, on the Bayes limit and on real data |
# | `09_writing_with_an_mdn_rnn` | writing pen strokes: correlated 2-D components and an end-of-stroke bit |
#
# - **Run every cell from the top** (menu *Run → Run All Cells*). Each lesson starts with a *Setup* cell that
#   seeds every random generator, so you see the same numbers as the copy on GitHub.
# - **Widgets**: some cells show sliders and a *Train* button. Move a slider, press *Train*, and the plot
#   redraws while the model trains.
# - **Exercises**: a cell with `...` and a `# TODO` is yours to fill in; the cell after it checks your answer
#   and says, in words, what is still wrong. Until you fill it in it prints *not attempted yet*, and the rest of
#   the lesson still runs.
# - **Solutions** are in `notebooks/solutions/`, one notebook per lesson. Try first!
# - The code behind the plots and the models lives in a small package, `mdn_lessons`; lessons show the ideas,
#   the package keeps the cells short. Read it whenever you wonder how something is done.

# %% [markdown]
# ## Setup
#
# The first cell of every lesson imports the package and calls `ml.start_lesson`, which seeds Python, NumPy and
# PyTorch and makes PyTorch use one thread (the course's models are small, so one thread is fast, and it makes
# every number identical on every machine).

# %%
import matplotlib.pyplot as plt
import torch

import mdn_lessons as ml

rng = ml.start_lesson(seed=0)

# %% tags=["solution"]
import math

import matplotlib.pyplot as plt
import torch

import mdn_lessons as ml

rng = ml.start_lesson(seed=0)
import numpy as np

# %% [markdown]
# ### Setup check
#
# The course's stored outputs were made with the versions below. If yours differ, the lessons will most
# likely still run, but a number may differ in its last digit.

# %%
for package, version in ml.versions().items():
    print(f"{package:>10}: {version}")
print(f"{'threads':>10}: {torch.get_num_threads()}")

# %% [markdown]
# ## The teaser: one input, several answers
#
# Here is the course's running example. We draw $y$ uniformly on $[-10, 10]$ and compute
#
# $$x = 7 \sin(0.75\, y) + 0.5\, y + \varepsilon, \qquad \varepsilon \sim \mathcal{N}(0, 1).$$
#
# Predicting $y$ from $x$ is hard in an interesting way: for most $x$ there are several values of $y$ that fit,
# one on each *branch* of the curve.

# %%
x, y = ml.data.inverted_sine(n=2000, noise=1.0, seed=0)
x_test, y_test = ml.data.inverted_sine(n=5000, noise=1.0, seed=1)
print(f"{len(x)} training points, x from {float(x.min()):.2f} to {float(x.max()):.2f}")

# %% [markdown]
# We train two networks on the same data. The first is an ordinary regression net trained with mean squared
# error (MSE): it outputs one number per $x$. The second is an MDN with 8 components: it outputs a whole
# distribution over $y$ for each $x$. Both use the package's default training recipe (`ml.fit`).

# %%
torch.manual_seed(0)
mse_net = ml.MLP(1, 1)
ml.fit(mse_net, x, y, seed=0)

torch.manual_seed(0)
mdn = ml.MDN(1, 1, n_components=8)
history = ml.fit(mdn, x, y, seed=0)

# %% [markdown]
# On the left, the MSE net's line; on the right, the MDN's conditional density $p(y \mid x)$ (bright is
# likely), each column scaled to its own maximum.

# %%
x_grid = torch.linspace(-13, 13, 300).unsqueeze(1)
y_grid = torch.linspace(-10, 10, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4))
ml.plots.scatter_data(x, y, ax=left, title="MSE net: one answer per x")
with torch.no_grad():
    left.plot(x_grid[:, 0], mse_net(x_grid)[:, 0], color="C2", lw=2, label="MSE net")
left.legend(loc="upper left")
ml.plots.conditional_heatmap(mdn, x_grid, y_grid, ax=right, title="MDN: the whole distribution p(y | x)")
plt.tight_layout()
plt.show()

# %% [markdown]
# The MSE net draws a line *between* the branches, where hardly any data lies: it has learned the average of
# the answers, which is itself rarely an answer. The MDN puts its probability on every branch.
#
# We can put a number on "how good is a distribution": the average negative log-likelihood (NLL) of held-out
# data, in nats (lower is better). Because we generated the data ourselves, we know the exact $p(y \mid x)$,
# so we also know the best NLL any model could reach, the **Bayes limit**. Lesson 01 explains why.

# %%
with torch.no_grad():
    mdn_nll = -mdn.log_prob(x_test, y_test).mean().item()
bayes_nll = -ml.data.inverted_sine_log_prob(x_test, y_test, noise=1.0).mean().item()
print(f"MDN held-out NLL: {mdn_nll:.2f} nats")
print(f"Bayes limit:      {bayes_nll:.2f} nats")
print(f"gap:              {mdn_nll - bayes_nll:.2f} nats")

# %% [markdown]
# ## Trying a widget
#
# The widget below trains a fresh MDN on the same data. Move the **components** slider (how many Gaussians the
# mixture has) and the **learning rate** slider, then press **Train MDN**: the heatmap redraws every 100 steps
# and the line underneath shows the NLL on the held-out data and its gap to the Bayes limit. Try 1 component
# (one Gaussian cannot cover several branches), then 8.

# %%
trainer = ml.widgets.MDNTrainer(x, y, n_components=5, lr=0.02, noise=1.0, validation=(x_test, y_test))
trainer

# %% [markdown]
# When this page runs without a browser (as it does when we test the course), nothing presses the button, so
# the next cell presses it for you: it trains with the sliders' current values and prints the last status line.

# %%
trainer.train()
print(trainer.status.value)

# %% [markdown]
# ## How exercises work
#
# Each lesson has a few exercises. Fill in the cell marked `# TODO`, replacing `...`, and run the check below
# it. Try the two here: they also lead into lesson 01.
#
# **Exercise 1.** Without noise, how many values of $y$ in $[-10, 10]$ give $x = 3$? Use `ml.data.wave(t)`,
# which computes $7\sin(0.75\,t) + 0.5\,t$, on a fine grid of $t$ and count the sign changes of
# `wave(t) - 3`.

# %% [markdown] tags=["solution"]
# **Exercise 1.** A branch crosses $x = 3$ wherever `wave(t) - 3` changes sign between two neighbouring grid
# points.

# %% tags=["stub"]
import numpy as np

t = np.linspace(-10, 10, 100_001)
# TODO: count the branches at x = 3 (an integer)
n_branches = ...

# %%
result = ml.checks.lesson00.check_branch_count(3.0, n_branches)

# %% tags=["solution"]
t = np.linspace(-10, 10, 100_001)
difference = ml.data.wave(t) - 3.0
n_branches = int(np.count_nonzero(np.sign(difference[1:]) != np.sign(difference[:-1])))
print(n_branches)
result = ml.checks.lesson00.check_branch_count(3.0, n_branches)
assert result.passed

# %% [markdown]
# **Exercise 2. What is x worth?** A model could ignore $x$ and give the same distribution of $y$ for every
# input. The best such model is the distribution of $y$ alone, and here we know it: $y$ was drawn uniformly
# on $[-10, 10]$. First on paper: what NLL does that model get on the held-out data? Then: the Bayes limit above
# is the best NLL of a model that does look at $x$. At most how many nats per sample can a model save by
# looking at $x$? Check your paper answer by computing.

# %% [markdown] tags=["solution"]
# **Exercise 2.** The uniform density on $[-10, 10]$ is $1/20$ everywhere on it, and every held-out $y$ lies
# there, so each one costs $-\log(1/20) = \log 20 \approx 3.00$ nats, whatever its $x$. The best model that
# uses $x$ reaches the Bayes limit, 1.33 nats. Looking at $x$ saves at most $3.00 - 1.33 \approx 1.67$ nats per
# sample: on a geometric average the exact $p(y \mid x)$ gives each test point $e^{1.67} \approx 5.3$ times the
# density the uniform gives. The MDN of this page, 0.06 nats above the limit, has won about 1.61 of those 1.67
# nats. (This difference, the entropy of $y$ minus the Bayes limit, is the *mutual information* between $x$
# and $y$.)

# %% tags=["stub"]
# TODO: the largest saving in NLL (nats per sample, a float) that looking at x can bring on (x_test, y_test):
# the NLL of the best model that ignores x, worked out on paper, compared with the Bayes limit.
nats_saved_by_x = ...

# %%
result = ml.checks.lesson00.check_nats_saved_by_x(x_test, y_test, nats_saved_by_x)

# %% tags=["solution"]
x_test, y_test = ml.data.inverted_sine(n=5000, noise=1.0, seed=1)
ignoring_x = -torch.distributions.Uniform(-10.0, 10.0).log_prob(y_test).mean().item()  # the paper answer: log 20
bayes_nll = -ml.data.inverted_sine_log_prob(x_test, y_test, noise=1.0).mean().item()
nats_saved_by_x = ignoring_x - bayes_nll
print(f"NLL of the best model that ignores x: {ignoring_x:.3f} nats (log 20 = {math.log(20):.3f})")
print(f"Bayes limit:                          {bayes_nll:.3f} nats")
print(f"saved by looking at x:                {nats_saved_by_x:.3f} nats, a factor {math.exp(nats_saved_by_x):.1f}")
result = ml.checks.lesson00.check_nats_saved_by_x(x_test, y_test, nats_saved_by_x)
assert result.passed

# %% [markdown]
# ## Recap
# - Lessons run top to bottom, in order, in seconds, with seeded results identical to the stored ones.
# - Widgets let you change the number of components and the learning rate and watch training live.
# - Exercises are checked automatically and the check says what is wrong; solutions are in
#   `notebooks/solutions/`.
# - A squared-error net answers with the average of the possible $y$, between the branches; an MDN models
#   the whole distribution $p(y \mid x)$ and comes close to the best possible NLL.
#
# **Next:** `01_p_and_q.ipynb`: what it means to approximate an unknown distribution $P$ with a model $Q$,
# and why we minimise the negative log-likelihood.
