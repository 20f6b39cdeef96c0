# %% [markdown]
# # 01 · P and Q: densities, likelihood and the negative log-likelihood
#
# Every Mixture Density Network is trained by minimising one number, the **negative log-likelihood (NLL)**.
# This lesson builds that number from the ground up with a single Gaussian: data are samples from an unknown
# distribution **P**, a model **Q** assigns them a density, and the average NLL measures how well Q explains
# them. We fit Q in closed form and by gradient descent in PyTorch, see why an NLL can be negative, and split
# the expected NLL into the entropy of P (a floor no model can beat) plus the KL divergence KL(P‖Q) (the gap a
# better model could still close).
#
# ## Learning objectives
# - Say what P (the unknown distribution behind the data) and Q (the model) are, and tell a density from a histogram.
# - Compute a likelihood, and explain why we minimise the average negative **log**-likelihood instead of
#   maximising a product of densities.
# - Fit a Gaussian Q in closed form and by gradient descent in PyTorch, and check that both agree.
# - Explain why an NLL can be negative.
# - Use expected NLL = H(P) + KL(P‖Q) to judge a model against the best possible one.
#
# ## Setup

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import mdn_lessons as ml
from mdn_lessons import true_distributions
from mdn_lessons.widgets.gaussian_explorer import GaussianExplorer

rng = ml.start_lesson(seed=0)

# %% tags=["solution"]
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import mdn_lessons as ml
from mdn_lessons import true_distributions

rng = ml.start_lesson(seed=0)

# %% tags=["solution"]
P = true_distributions.skewed_p()
y = true_distributions.sample(P, n=1000, seed=0)

# %% [markdown]
# ## 1. Data are samples from an unknown P
#
# A data set is a list of numbers $y_1, \dots, y_N$. We model it as $N$ independent draws from a probability
# distribution $P$ with a density $p(y)$. In real life nobody shows us $p$: all we ever get are the samples.
#
# In this lesson we play nature. We pick $P$ ourselves and keep it secret while we fit models, then use it at
# the end to see how close the models came. Here are 1000 samples:

# %%
P = true_distributions.skewed_p()  # nature's secret choice; we peek at it only to judge our models
y = true_distributions.sample(P, n=1000, seed=0)  # float32 tensor of shape (1000, 1)

print("shape:", tuple(y.shape))
print("first 8 samples:", [round(v, 2) for v in y[:8, 0].tolist()])

# %% [markdown]
# A **histogram** counts how many samples fall into each bin. Divided by $N$ times the bin width, the bars have a
# total area of 1, just like a density, and with more and more samples they settle onto the density $p(y)$.
# Below, the secret density is drawn over histograms of the first 50 samples and of all 1000.

# %%
y_grid = torch.linspace(-2.0, 7.0, 400)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
for ax, n, bins in zip(axes, (50, 1000), (12, 50)):
    ax.hist(y[:n, 0].numpy(), bins=bins, density=True, color="0.6", alpha=0.5, label="histogram")
    ml.plots.mixture_density(P, y_grid, ax=ax, components=False, label="true density p(y)", title=f"{n} samples of P")
plt.show()

# %% [markdown]
# With 50 samples the histogram is ragged; with 1000 it follows $p(y)$ closely. Notice the shape: one hump
# with a longer tail on the right. Keep it in mind, because our model will be a symmetric bell.
#
# ## 2. A model Q: one Gaussian
#
# Our model $Q$ is a Gaussian with mean $\mu$ and standard deviation $\sigma$:
#
# $$q(y) = \mathcal{N}(y;\, \mu, \sigma^2) = \frac{1}{\sigma\sqrt{2\pi}} \exp\!\left(-\frac{(y-\mu)^2}{2\sigma^2}\right).$$
#
# The **likelihood** of one sample is $q(y_n)$: high where Q puts a lot of density. Since the samples are
# independent, the likelihood of the whole data set is the product $L = \prod_{n=1}^{N} q(y_n)$. Let us try a
# first guess, $\mu = 1$, $\sigma = 1$:

# %%
guess_mean, guess_std = torch.tensor(1.0), torch.tensor(1.0)
q = torch.exp(ml.losses.gaussian_log_prob(guess_mean, guess_std, y[:, 0]))  # q(y_n) for every sample, shape (1000,)
print("q(y_n) for the first 5 samples:", [round(v, 3) for v in q[:5].tolist()])

# %% [markdown]
# Here every density is a number below 1 (this P is a few units wide; a narrow one can have densities far above
# 1, as section 3 shows), so the product of many of them shrinks towards 0 fast. Too fast for a computer: a
# float32 cannot hold anything below about $10^{-45}$, a float64 nothing below about $10^{-324}$.
# Let us multiply the densities one by one and see when the product becomes exactly zero:

# %%
product32 = torch.cumprod(q, dim=0)  # running product in float32
product64 = torch.cumprod(q.double(), dim=0)  # the same in float64
print(f"product of the first 10 densities: {product32[9]:.3e}")
print(f"float32: the product is exactly 0.0 from sample {int((product32 > 0).sum()) + 1} on")
print(f"float64: the product is exactly 0.0 from sample {int((product64 > 0).sum()) + 1} on")
print(f"sum of the log densities of all {len(q)} samples: {torch.log(q).sum():.3f}")

# %% [markdown]
# The product **underflows** to 0 long before the end, and 0 cannot tell a good model from a bad one. The
# logarithm fixes this: it turns the product into a sum of moderate numbers, and since $\log$ is increasing,
# the $\mu, \sigma$ that maximise $L$ also maximise $\log L$. We flip the sign (optimisers minimise) and divide
# by $N$ (so the number does not grow with the data set) to get the **average negative log-likelihood**:
#
# $$\text{NLL}(\mu, \sigma) = -\frac{1}{N}\sum_{n=1}^{N} \log q(y_n)
# = \frac{1}{N}\sum_{n=1}^{N} \left[\frac{(y_n-\mu)^2}{2\sigma^2} + \log\sigma + \tfrac{1}{2}\log 2\pi\right].$$
#
# Its unit is the **nat** (natural log) per sample. `ml.gaussian_nll` computes exactly this:

# %%
nll_guess = ml.gaussian_nll(guess_mean, guess_std, y)
print(f"average NLL of Q = N(1.0, 1.0²) on the data: {nll_guess:.3f} nats")

# %% [markdown]
# ## 3. Why can an NLL be negative?
#
# "Why is my loss negative?" is asked again and again in the issue trackers of MDN libraries. The answer: **a
# density is not a probability**. It is probability *per unit of y*, so a narrow distribution has densities far above 1, the
# log of a density above 1 is positive, and the NLL goes below zero. Nothing is broken.
#
# To see it, take the same data in other units. Say $y$ was measured in metres and we switch to kilometres:
# every value is divided by 1000, the data are 1000 times narrower, and so is the best Gaussian.

# %%
y_km = y / 1000
nll_by_unit = {}
for unit, data in (("metres", y), ("kilometres", y_km)):
    mean, std = data.mean(), data.std(unbiased=False)  # the best Gaussian for these data (section 4)
    peak = 1 / (std * math.sqrt(2 * math.pi))
    nll_by_unit[unit] = float(ml.gaussian_nll(mean, std, data))
    print(f"{unit:>10}: best σ = {std:.3g}, peak density = {peak:8.3f}, NLL = {nll_by_unit[unit]:7.3f} nats")
difference = nll_by_unit["metres"] - nll_by_unit["kilometres"]
print(f"difference of the NLLs: {difference:.3f} nats;  log(1000) = {math.log(1000):.3f}")

# %% [markdown]
# The best Gaussian in kilometres has σ ≈ 0.001, so its peak density is about 400. Below, one such density
# twice: on an ordinary axis, where its area of 1 is easy to see, and on a logarithmic axis (fine for a
# density, which is always positive), where the line at density 1 is visible too. Almost all of its
# probability sits where the density is above 1, so almost every sample gets a positive log-density, and the
# average NLL is negative.

# %%
narrow_grid = torch.linspace(-0.005, 0.005, 401)
narrow = torch.exp(ml.losses.gaussian_log_prob(torch.tensor(0.0), torch.tensor(0.001), narrow_grid))
above_one = narrow > 1
area = torch.trapezoid(narrow, narrow_grid)
area_above_one = torch.trapezoid(narrow * above_one, narrow_grid)  # the probability where the density exceeds 1
edge = float(narrow_grid[above_one].abs().max())
print(f"area under the whole curve:           {area:.3f}")
print(f"the density exceeds 1 where |y| < {edge:.4f} km; the probability there: {area_above_one:.4f}")

fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharex=True)
for ax, scale, bottom in zip(axes, ("linear", "log"), (0.0, 1.0)):
    ax.fill_between(narrow_grid, bottom, narrow, where=above_one, alpha=0.3, label="where the density is above 1")
    ax.plot(narrow_grid, narrow, label="N(0, 0.001²)")
    ax.axhline(1.0, color="black", ls=":", label="density 1")
    ax.set(yscale=scale, xlabel="y (kilometres)")
axes[0].set(title="Its area is 1", ylabel="density")
axes[1].legend(loc="lower center")
axes[1].set(title="The same on a log axis", ylim=(1e-3, 1e3))
plt.tight_layout()
plt.show()

# %% [markdown]
# The NLL of continuous data depends on the units (rescale $y$ by a factor $c$ and every NLL shifts by
# $\log c$), so its *value* on its own means little: only NLLs of different models **on the same data** can be
# compared. A negative NLL is fine. It does mean trouble in two cases, and neither is about the sign:
#
# - the **training** NLL is far below the NLL on held-out data: the model has learned its training points rather
#   than $P$;
# - the NLL is **still falling towards $-\infty$** while some $\sigma$ shrinks: a component is collapsing onto a
#   single point (lesson 02, section 7).
#
# ## 4. Fitting Q in closed form
#
# For a Gaussian we can find the best $\mu$ and $\sigma$ with pencil and paper: set the derivatives of the NLL
# to zero.
#
# $$\frac{\partial\,\text{NLL}}{\partial \mu} = -\frac{1}{N\sigma^2}\sum_n (y_n - \mu) = 0
# \;\Rightarrow\; \hat\mu = \frac{1}{N}\sum_n y_n,$$
#
# $$\frac{\partial\,\text{NLL}}{\partial \sigma} = \frac{1}{\sigma} - \frac{1}{N\sigma^3}\sum_n (y_n-\mu)^2 = 0
# \;\Rightarrow\; \hat\sigma^2 = \frac{1}{N}\sum_n (y_n - \hat\mu)^2.$$
#
# The maximum-likelihood fit is the sample mean and the sample standard deviation (dividing by $N$, not $N-1$).

# %%
mu_hat = y.mean()
sigma_hat = y.std(unbiased=False)
nll_hat = ml.gaussian_nll(mu_hat, sigma_hat, y)
print(f"closed form: μ = {mu_hat:.3f}, σ = {sigma_hat:.3f}, NLL = {nll_hat:.3f} nats")

# %% [markdown]
# ## 5. Fitting Q by gradient descent
#
# An MDN has no closed form, so we need the general method: let PyTorch compute the gradient of the NLL and
# step downhill. Two details matter:
#
# - $\sigma$ must stay positive. We learn $s = \log\sigma$ instead and use $\sigma = e^{s}$, which is positive
#   for every $s$, so the optimiser can move freely (lesson 02 compares this with softplus).
# - We use Adam, the optimiser of the rest of the course, with a fixed learning rate.

# %%
torch.manual_seed(0)
mu = torch.zeros((), requires_grad=True)
log_sigma = torch.zeros((), requires_grad=True)
optimizer = torch.optim.Adam([mu, log_sigma], lr=0.05)
losses = []
for step in range(300):
    optimizer.zero_grad()
    loss = ml.gaussian_nll(mu, log_sigma.exp(), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

print(f"gradient descent: μ = {mu.item():.3f}, σ = {log_sigma.exp().item():.3f}, NLL = {losses[-1]:.3f} nats")
print(f"closed form:      μ = {mu_hat:.3f}, σ = {sigma_hat:.3f}, NLL = {nll_hat:.3f} nats")

# %%
ax = ml.plots.training_curves(
    {"gradient descent on (μ, log σ)": losses},
    reference=float(nll_hat),
    reference_label="closed-form optimum",
    title="Fitting one Gaussian by gradient descent",
    ylabel="average NLL (nats)",
    smooth=1,
)
ax.set_ylim(float(nll_hat) - 0.1, float(nll_hat) + 1.5)
plt.show()

# %% [markdown]
# Both routes land on the same Gaussian. From lesson 02 on we train with the course's `ml.fit`, which runs
# this loop with some extra care (a learning-rate schedule, gradient clipping, standardised data).
# `ml.GaussianMixture(1)` is exactly our one-Gaussian Q:

# %%
torch.manual_seed(0)
one_gaussian = ml.GaussianMixture(n_components=1)
history = ml.fit(one_gaussian, None, y, steps=300, lr=0.05, batch_size=len(y))
with torch.no_grad():
    fitted = one_gaussian()
print(
    f"ml.fit:           μ = {fitted.means.item():.3f}, σ = {fitted.scales.item():.3f}, NLL = {history.loss[-1]:.3f} nats"
)

# %% [markdown]
# ## 6. How good can Q get? Entropy and KL divergence
#
# The NLL on our 1000 samples is an estimate of the NLL that Q would get on endlessly many fresh samples of P,
# the **expected NLL** (also called the cross-entropy):
#
# $$\mathbb{E}_{P}[-\log q(Y)] = -\int p(y)\,\log q(y)\,dy.$$
#
# Add and subtract $\log p(y)$ inside the integral and it splits in two:
#
# $$\mathbb{E}_{P}[-\log q(Y)] = \underbrace{-\int p(y)\log p(y)\,dy}_{H(P),\ \text{the entropy of } P}
# \; + \; \underbrace{\int p(y)\log\frac{p(y)}{q(y)}\,dy}_{\mathrm{KL}(P\,\|\,Q)}.$$
#
# - $H(P)$ depends on nature only: how unpredictable the data are. No model can change it.
# - $\mathrm{KL}(P\|Q) \ge 0$, and it is 0 only when $Q = P$. It measures how far the model is from the truth.
#
# So the expected NLL can never go below $H(P)$: the entropy is the **floor**, and the distance above the floor
# is exactly the KL divergence. Because we know $P$, we can compute both integrals on a fine grid:

# %%
grid = torch.linspace(-8.0, 16.0, 20001, dtype=torch.float64)
Q_hat = true_distributions.gaussian_mixture([1.0], [mu_hat], [sigma_hat])  # our fitted Q, as a one-component mixture
log_p = true_distributions.log_density(P, grid).double()
log_q = true_distributions.log_density(Q_hat, grid).double()
p = log_p.exp()
entropy_P = torch.trapezoid(-p * log_p, grid)
kl_P_Q = torch.trapezoid(p * (log_p - log_q), grid)
print(f"H(P)        = {entropy_P:.3f} nats")
print(f"KL(P‖Q_hat) = {kl_P_Q:.3f} nats")
print(f"sum         = {entropy_P + kl_P_Q:.3f} nats")

# %% [markdown]
# Now the other side of the equation, measured rather than integrated: the average NLL on 200 000 **fresh**
# samples of $P$ (samples the fit never saw). We score three models: our fitted Gaussian, a poor Gaussian, and
# the perfect model $Q = P$ itself. `true_distributions.entropy` and `true_distributions.kl_divergence` do the same integrals
# as above.

# %%
y_fresh = true_distributions.sample(P, n=200_000, seed=1)
models = {
    "Q_hat, the fitted Gaussian": Q_hat,
    "a poor Gaussian N(0, 1.5²)": true_distributions.gaussian_mixture([1.0], [0.0], [1.5]),
    "P itself (a perfect model)": P,
}
print(f"{'model':<28} {'NLL on fresh data':>18}   {'H(P) + KL(P‖Q)':>22}")
for name, model in models.items():
    fresh_nll = -true_distributions.log_density(model, y_fresh).mean()
    kl = true_distributions.kl_divergence(P, model)
    print(
        f"{name:<28} {fresh_nll:18.3f}   {true_distributions.entropy(P):.3f} + {kl:.3f} = {true_distributions.entropy(P) + kl:.3f}"
    )

# %% [markdown]
# The measured NLLs match $H(P) + \mathrm{KL}(P\|Q)$, and even the perfect model only reaches $H(P)$. Our
# Gaussian stays 0.095 nats above the floor however well it is fitted, because $P$ is not a Gaussian:
# that gap belongs to the *model family*, and only a richer family (a mixture, lesson 02) can close it.
#
# The picture below moves one parameter at a time away from the fit: the expected NLL is a bowl that sits
# above the entropy line everywhere, and its lowest point is still a KL gap above it.

# %%
means = np.linspace(-0.5, 3.5, 61)
stds = np.linspace(0.5, 2.5, 61)
by_mean = [
    true_distributions.cross_entropy(P, true_distributions.gaussian_mixture([1.0], [m], [sigma_hat])) for m in means
]
by_std = [true_distributions.cross_entropy(P, true_distributions.gaussian_mixture([1.0], [mu_hat], [s])) for s in stds]
best = true_distributions.cross_entropy(P, Q_hat)
entropy_floor = true_distributions.entropy(P)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True)
panels = (
    (axes[0], means, by_mean, float(mu_hat), "mean μ", "σ = σ̂"),
    (axes[1], stds, by_std, float(sigma_hat), "std σ", "μ = μ̂"),
)
for ax, x, values, at, name, note in panels:
    ax.plot(x, values, label="expected NLL of Q")
    ax.axhline(entropy_floor, color="black", ls=":", label="H(P): the floor")
    ax.annotate("", xy=(at, entropy_floor), xytext=(at, best), arrowprops={"arrowstyle": "<->", "color": "C3"})
    ax.text(
        at + 0.03 * (x[-1] - x[0]),
        (best + entropy_floor) / 2,
        f"KL = {best - entropy_floor:.3f}",
        color="C3",
        va="center",
    )
    ax.set(title=f"Moving the {name} ({note})", xlabel=name, ylim=(1.3, 2.3))
axes[0].legend(loc="upper left")
axes[0].set_ylabel("nats per sample")
plt.show()

# %% [markdown]
# This is how the later lessons judge an MDN. For the inverted-sine data of lessons 03–05 we know the exact
# conditional density, so we know the floor (there it is called the **Bayes limit**), and the held-out NLL of a
# trained MDN minus the Bayes limit is the KL divergence the model has left to win.
#
# ## 7. Try it: move Q yourself
#
# Drag the sliders for $\mu$ and $\sigma$. The left panel draws your $Q$ over the histogram, next to the true
# $P$ (dotted) and the best Gaussian (dashed). The right panel maps the NLL on the samples over every
# $(\mu, \sigma)$: the star is the closed-form fit, the dot is your $Q$. The line under the plots gives the NLL on
# the samples and splits the expected NLL into $H(P) + \mathrm{KL}(P\|Q)$.
#
# Things to try: can you find a $Q$ with a lower NLL than the star? Make $\sigma$ very small: what happens to the
# NLL, and why? Press **Jump to best**: why does the KL not reach 0?

# %%
explorer = GaussianExplorer(y, p=P, mean=0.0, std=0.5)
explorer

# %% [markdown]
# The next cell moves the sliders from code (what you would do by hand) and prints the line under the plot, so
# the lesson shows the numbers even when it runs without a browser.


# %%
def show_status():
    print(explorer.status.value.replace(" · expected", "\n    expected"))  # two lines, each under 90 characters


for mean, std in ((0.0, 0.5), (1.0, 1.0)):
    explorer.set(mean, std)
    show_status()
explorer.show_best()
show_status()


# %% [markdown]
# ## Exercises
#
# Fill in each `...`, run the cell, then run the check below it. A check prints ✅ or ❌ with what is wrong;
# until you fill in the cell it says *not attempted yet*. Solutions: `solutions/01_p_and_q_solutions.ipynb`.

# %% [markdown]
# ### Exercise 1: the average NLL by hand
#
# Write the average Gaussian NLL yourself, from the formula in section 2. The checker tries your function on three data sets, one of them with a narrow Gaussian whose NLL is negative.

# %% [markdown] tags=["solution"]
# ## Exercise 1: the average NLL by hand
#
# Write the average Gaussian NLL yourself, from the formula in section 2. The checker tries your function on three data sets, one of them with a narrow Gaussian whose NLL is negative.


# %% tags=["stub"]
def average_nll(y, mean, std):
    """Average negative log-likelihood of the samples y (a 1-D tensor) under N(mean, std²)."""
    # TODO: y has shape (N,), mean and std are numbers. Return the average over the N samples of -log q(y_n),
    # q the Gaussian density of section 2, as a number (or a 0-d tensor). Take the log of the density
    # yourself, with torch and math only (not ml.gaussian_nll or torch.distributions).
    ...


# %% tags=["solution"]
def average_nll(y, mean, std):
    """Average negative log-likelihood of the samples y (a 1-D tensor) under N(mean, std²)."""
    z = (y - mean) / std
    return (0.5 * z**2 + math.log(std) + 0.5 * math.log(2 * math.pi)).mean()


# %% tags=["exercise"]
result = ml.checks.lesson01.check_average_nll(average_nll)

# %% [markdown]
# ### Exercise 2: estimate a KL divergence by Monte Carlo
#
# Section 6 computed $\mathrm{KL}(P\|Q)$ as an integral over a fine grid, which works in one dimension; in ten
# dimensions such a grid would need $20001^{10}$ points. Samples work in any dimension. Estimate $\mathrm{KL}(P\|Q)$ for the poor Gaussian
# $Q = \mathcal{N}(0, 1.5^2)$ without any integral, from `y_big`, 100 000 fresh samples of $P$: write the integral
# as an average of something over samples of one of the two distributions, and decide which.

# %% [markdown] tags=["solution"]
# ## Exercise 2: estimate a KL divergence by Monte Carlo
#
# Section 6 computed $\mathrm{KL}(P\|Q)$ as an integral over a fine grid, which works in one dimension; in ten
# dimensions such a grid would need $20001^{10}$ points. Samples work in any dimension. Estimate $\mathrm{KL}(P\|Q)$ for the poor Gaussian
# $Q = \mathcal{N}(0, 1.5^2)$ without any integral, from `y_big`, 100 000 fresh samples of $P$: write the integral
# as an average of something over samples of one of the two distributions, and decide which.
#
# **Solution.** The integral is an expectation under $P$:
# $\int p(y)\log\frac{p(y)}{q(y)}\,dy = \mathbb{E}_P[\log p(Y) - \log q(Y)]$, so the average of
# $\log p(y) - \log q(y)$ over samples of $P$ estimates it. The same average over samples of $Q$ would estimate
# $-\mathrm{KL}(Q\|P)$, a different number.

# %% tags=["exercise"]
y_big = true_distributions.sample(P, n=100_000, seed=1)[:, 0]  # fresh samples of P, shape (100000,)
Q_poor = true_distributions.gaussian_mixture([1.0], [0.0], [1.5])  # Q = N(0, 1.5²)

# %% tags=["stub"]
# TODO: a Monte-Carlo estimate of KL(P‖Q_poor) in nats (a number) from the samples y_big, shape (100000,).
# true_distributions.log_density(D, y) gives log d(y) for a distribution D at every y.
kl_estimate = ...

# %% tags=["solution"]
kl_estimate = (true_distributions.log_density(P, y_big) - true_distributions.log_density(Q_poor, y_big)).mean()
print(f"KL estimate: {kl_estimate:.3f} nats (exact: {true_distributions.kl_divergence(P, Q_poor):.3f})")

# %% tags=["exercise"]
result = ml.checks.lesson01.check_kl_estimate(kl_estimate)

# %% [markdown]
# ### Exercise 3: NLL and units
#
# Section 3 switched from metres to kilometres. Now go the other way, to centimetres.

# %% [markdown] tags=["solution"]
# ## Exercise 3: NLL and units
#
# Section 3 switched from metres to kilometres. Now go the other way, to centimetres.

# %% tags=["stub"]
# TODO: the samples y are in metres. Someone records them in centimetres (100 * y) and fits the best
# Gaussian again. By how many nats does the best average NLL change (NLL in cm minus NLL in m)?
# Work it out on paper first, then check it with ml.gaussian_nll.
nll_change = ...

# %% tags=["solution"]
y_cm = 100 * y
nll_m = ml.gaussian_nll(y.mean(), y.std(unbiased=False), y)
nll_cm = ml.gaussian_nll(y_cm.mean(), y_cm.std(unbiased=False), y_cm)
nll_change = nll_cm - nll_m  # = log(100): every density is 100 times lower in centimetres
print(f"NLL in m: {nll_m:.3f}, in cm: {nll_cm:.3f}, change: {nll_change:.3f} nats (log 100 = {math.log(100):.3f})")

# %% tags=["exercise"]
result = ml.checks.lesson01.check_unit_change(nll_change)

# %% [markdown]
# ## Recap
#
# - Data are samples from an unknown distribution $P$; a model $Q$ gives every $y$ a density $q(y)$. A
#   histogram (scaled to area 1) approaches the density as the samples grow.
# - The likelihood of the data is a product of densities, which underflows to 0 (from the 79th sample on, in
#   float32); the sum of logs does not. We minimise the **average NLL**, $-\frac{1}{N}\sum_n \log q(y_n)$, in nats.
# - A density can exceed 1, so an NLL can be negative; its value depends on the units of $y$ (a factor $c$
#   shifts it by $\log c$), and only NLLs on the same data can be compared. Negative means trouble only when the
#   training NLL is far below the held-out one, or keeps falling while a $\sigma$ shrinks.
# - For one Gaussian the best fit is the sample mean and standard deviation; gradient descent on
#   $(\mu, \log\sigma)$ finds the same numbers, and it also works where no closed form exists.
# - Expected NLL $= H(P) + \mathrm{KL}(P\|Q)$: the entropy of $P$ is a floor no model beats, and the gap above it
#   is the KL divergence. A single Gaussian stays 0.095 nats above the floor on this skewed $P$.
#
# **Next:** [02 · Gaussian mixtures](02_gaussian_mixtures.ipynb) — a $P$ with three bumps that no single Gaussian
# can fit, and the mixture that can.
