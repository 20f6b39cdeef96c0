# %% [markdown]
# # 06 · The robot arm: an inverse problem with two answers
#
# This lesson applies a **Mixture Density Network** (MDN) to the problem Christopher Bishop used to introduce them
# in his 1994 report *Mixture Density Networks*: which joint angles put the hand of a two-link robot arm at a
# given point? Going from angles to hand position (**forward kinematics**) is a plain function. Going back
# (**inverse kinematics**) has two answers, *elbow up* and *elbow down*. We build the arm exactly as Bishop did, so
# that our numbers can stand beside his, train a regression net with mean squared error (MSE) and an MDN with a
# two-dimensional output on the same data, and measure how far from the target each one actually puts the hand.
# About 40 minutes.
#
# ## Learning objectives
#
# - Derive both inverse solutions of a two-link arm from the law of cosines, and keep them finite at full stretch.
# - Explain why a net trained with MSE straightens the arm, and measure how far its hand misses.
# - Say what an MDN's NLL means when the targets carry noise, and derive the lowest value any model can reach.
# - Train an MDN with a two-dimensional output, read one pose per answer from it, and choose a branch on demand.

# %% [markdown] tags=["exercise"]
# ## Setup

# %% tags=["exercise"]
import math

import matplotlib.pyplot as plt
import torch

import mdn_lessons as ml
from mdn_lessons import predictions
from mdn_lessons import robot_arm as arm

rng = ml.start_lesson(seed=0)

# %% [markdown] tags=["solution"]
# The data and the MDN of the lesson, made and trained exactly as there (the exercises need them).

# %% tags=["solution"]
x, y = arm.inverse_data(n=1000, seed=0, noise=0.02)
test_x, test_y = arm.inverse_data(n=1000, seed=1, noise=0.02)
test_up, test_down = arm.inverse_kinematics(test_x)
two_answers = arm.within_limits(test_up) & arm.within_limits(test_down)
torch.manual_seed(0)
mdn = ml.MDN(2, 2, n_components=3)
ml.fit(mdn, x, y)
with torch.no_grad():
    params = mdn(test_x)

# %% [markdown]
# ## Bishop's arm and its forward kinematics
#
# The shoulder sits at the origin. The upper arm, of length $L_1 = 0.8$, leaves it at the angle $\theta_1$ from the
# $x_1$ axis; the forearm, of length $L_2 = 0.2$, hangs from the elbow at the angle $\theta_2$. Bishop writes the
# hand position as
#
# $$
# \mathbf{x} = \underbrace{L_1 \begin{pmatrix}\cos\theta_1 \\ \sin\theta_1\end{pmatrix}}_{\text{elbow}}
# - L_2 \begin{pmatrix}\cos(\theta_1+\theta_2) \\ \sin(\theta_1+\theta_2)\end{pmatrix}.
# $$
#
# The minus sign says where $\theta_2$ is measured from: $\theta_2$ is the angle at the elbow *between the two
# links* (turning counter-clockwise from the upper arm to the forearm), so $\theta_2 = \pi$ is the **straight arm**,
# whose hand is $L_1 + L_2 = 1$ from the shoulder. (Many
# robotics texts measure the elbow from straight instead, with a plus sign: their angle is $\theta_2 - \pi$.) The
# joints are limited to $\theta_1 \in [0.3, 1.2]$ and $\theta_2 \in [\pi/2, 3\pi/2]$: the elbow bends up to a right
# angle either way from straight. `arm.forward_kinematics` takes angles of shape (N, 2) and returns hand positions
# of shape (N, 2).

# %%
print("link lengths L1, L2:", arm.LINK_LENGTHS)
poses = torch.tensor([[1.02, 1.70], [0.55, 4.59], [0.785, math.pi]])  # three poses (θ1, θ2), in radians
hands = arm.forward_kinematics(poses)
for pose, hand in zip(poses, hands):
    distance = float(hand.norm())
    print(
        f"θ = ({pose[0]:.3f}, {pose[1]:.3f})  ->  hand at ({hand[0]:.3f}, {hand[1]:.3f}), {distance:.3f} from the shoulder"
    )

# %% [markdown]
# `arm.draw_arm` draws a pose: the shoulder is the black square, the dots are the elbow and the hand. The first two
# poses, one with $\theta_2 < \pi$ and one with $\theta_2 > \pi$, put the hand at almost the same place: a first hint
# of what makes the inverse hard. The third is the straight arm ($\theta_2 = \pi$) pointing halfway between them.

# %%
fig, ax = plt.subplots(figsize=(4.5, 4.5))
arm.draw_arm(poses[0], ax=ax, color=arm.ELBOW_COLORS["up"], label=r"$\theta_2 = 1.70 < \pi$")
arm.draw_arm(poses[1], ax=ax, color=arm.ELBOW_COLORS["down"], label=r"$\theta_2 = 4.59 > \pi$")
arm.draw_arm(poses[2], ax=ax, color=arm.MSE_COLOR, linestyle="--", linewidth=2, label=r"$\theta_2 = \pi$ (straight)")
ax.set_title("Three poses of the arm")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## The data: angles in, hand positions out, with a little noise
#
# We make data the way a robot would, by moving its joints and recording where the hand goes: draw 1000 poses
# uniformly within the joint limits and compute each hand position. For the **inverse problem** the roles swap: the
# input $x$ is the hand position (N, 2) and the target $y$ is the pair of angles (N, 2). A second, independent set of
# 1000 poses gives held-out targets to test on.
#
# One change to the exact arm: the recorded angles carry a little Gaussian noise, $\sigma = 0.02$ rad (about 1°) on
# each joint, as a joint sensor might. The noise matters for one number, the NLL. Without it, each hand position has
# exactly two right answers, two *points* in angle space, and a density can pile up without limit on a point: the
# NLL of an MDN falls towards $-\infty$ as its $\sigma$ shrinks, and its value then says how long we trained and how
# small we let $\sigma$ become, not how good the model is. With the noise, the true $p(\theta \mid x)$ is two small
# Gaussian bumps, and no model can beat its NLL: the number gets a floor, which exercise 2 derives. The hand
# positions stay exact, so the noise does not move the answers: the average of the noisy angles around each exact
# pose is that pose.

# %%
x, y = arm.inverse_data(n=1000, seed=0, noise=0.02)  # x: hand positions (N, 2); y: recorded angles (N, 2)
test_x, test_y = arm.inverse_data(n=1000, seed=1, noise=0.02)
print("training:", tuple(x.shape), "->", tuple(y.shape), "   test:", tuple(test_x.shape), "->", tuple(test_y.shape))

# %% [markdown]
# Colour each sample by the side the elbow is on. **Elbow up**: $\theta_2 < \pi$, the elbow lies on the
# counter-clockwise side of the line from the shoulder to the hand, above it. **Elbow down**: $\theta_2 > \pi$. On
# the left the angles fill two rectangles, one on each side of the straight arm. On the right, their hand positions
# fill a band between the straight arm's reach (1, the outer edge) and the right-angled elbow's
# ($\sqrt{L_1^2 + L_2^2} \approx 0.82$), and the two colours overlap in the middle: every hand position there is
# reached by two different poses.

# %%
arm.plot_data(x, y)
plt.show()

# %% [markdown]
# ## Two answers, in closed form
#
# For this small arm the inverse can be solved exactly. Shoulder, elbow and hand form a triangle with sides $L_1$,
# $L_2$ and $r = \lVert\mathbf{x}\rVert$. The distance $r$ fixes the triangle, so it fixes the bend of the elbow;
# the triangle can lie on either side of the line from the shoulder to the hand, and these are the two answers.

# %% [markdown] tags=["exercise"]
# ### Exercise 1: both elbow angles
#
# Derive the elbow angle from the triangle and write `elbow_angles(hand)`: for hand positions of shape (N, 2), return
# shape (N, 2) with, in column 0, the elbow-up angle ($\theta_2 \le \pi$) and, in column 1, the elbow-down angle
# ($\theta_2 \ge \pi$), in radians within the joint range. Mind which angle of the triangle $\theta_2$ is for
# each branch, and which sign the law of cosines gives it.
#
# It must give a usable angle for every target the arm can reach, *including at full stretch* ($r = 1$), and for a
# target a rounding error beyond it ($r = 1.000001$, as a measured or computed target can be), where the best the arm
# can do is to stretch out straight towards it. Try your formula on `torch.tensor([[0.6, 0.8 + 1e-6]])`.


# %% tags=["stub"]
def elbow_angles(hand):
    """hand (N, 2) -> (N, 2) elbow angles θ2 in radians: column 0 elbow up (≤ π), column 1 elbow down (≥ π)."""
    L1, L2 = arm.LINK_LENGTHS
    # TODO: θ2 from the triangle shoulder-elbow-hand; finite at full stretch and a hair beyond it.
    ...


# %% [markdown] tags=["solution"]
# The triangle's angle at the elbow is $\theta_2$ for elbow up (the angle between the links, $\le \pi$), so the law
# of cosines reads $r^2 = L_1^2 + L_2^2 - 2 L_1 L_2 \cos\theta_2$, that is
# $\cos\theta_2 = (L_1^2 + L_2^2 - r^2) / (2 L_1 L_2)$ and $\theta_2 = \arccos(\cdot) \in [0, \pi]$. The elbow-down
# pose is the same triangle folded the other way, the mirror image about the straight arm: $2\pi - \theta_2$, which
# has the same cosine (so the law of cosines cannot tell the two apart: the choice of branch is ours). With the
# textbook's plus sign you would get $\pi - \theta_2$, the bend measured from straight.
#
# At full stretch $\cos\theta_2 = -1$ exactly, and the smallest rounding error puts it a hair below $-1$, where
# `arccos` is NaN; a target a hair beyond reach does the same in any precision. Clamping the cosine to $[-1, 1]$
# turns both into $\theta_2 = \pi$: the straight arm, pointing at the target.


# %% tags=["solution"]
def elbow_angles(hand):
    """hand (N, 2) -> (N, 2) elbow angles θ2 in radians: column 0 elbow up (≤ π), column 1 elbow down (≥ π)."""
    L1, L2 = arm.LINK_LENGTHS
    r2 = (hand**2).sum(dim=1)
    cos_theta2 = ((L1**2 + L2**2 - r2) / (2 * L1 * L2)).clamp(-1.0, 1.0)
    theta2 = torch.arccos(cos_theta2)
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


beyond = torch.tensor([[0.6, 0.8 + 1e-6]])
L1, L2 = arm.LINK_LENGTHS
print(f"cos θ2 a hair beyond reach, before the clamp: {float((L1**2 + L2**2 - (beyond**2).sum()) / (2 * L1 * L2)):.7f}")
print("elbow_angles there:", elbow_angles(beyond).tolist())

# %% tags=["exercise"]
result = ml.checks.lesson06.check_elbow_angles(elbow_angles)

# %% [markdown]
# With $\theta_2$ known, the shoulder angle follows: the direction to the hand plus the angle between the upper arm and
# the line to the hand, $\theta_1 = \operatorname{atan2}(x_2, x_1) + \operatorname{atan2}(L_2 \sin\theta_2,\;
# L_1 - L_2\cos\theta_2)$. `arm.inverse_kinematics` returns both full poses and `arm.within_limits` says which respect
# the joint limits. Take a target in the overlap:

# %%
target = torch.tensor([[0.6, 0.6]])
up, down = arm.inverse_kinematics(target)
for name, pose in (("elbow up", up), ("elbow down", down)):
    hand = arm.forward_kinematics(pose)[0]
    print(
        f"{name:10s}: θ = ({pose[0, 0]:.3f}, {pose[0, 1]:.3f}), within limits: {bool(arm.within_limits(pose)[0])},"
        f" hand at ({hand[0]:.3f}, {hand[1]:.3f})"
    )

# %% [markdown]
# Both poses put the hand exactly on the target. Now do what a squared-error fit does when it sees both answers
# equally often: average them. The two elbow angles are $\theta_2$ and $2\pi - \theta_2$, so their average is always
# $\pi$, the straight arm, and the two shoulder angles lie on either side of the direction to the target, so their
# average points at it. The averaged arm reaches out straight towards the target and puts the hand on the **outer
# edge** of the workspace, at distance 1 from the shoulder, whatever the target's distance $r$: it misses by $1 - r$.

# %%
average = (up + down) / 2
miss = arm.hand_miss(average, target)[0]
print(f"average pose: θ = ({average[0, 0]:.3f}, {average[0, 1]:.3f}); its hand misses the target by {miss:.3f}")
print(f"the target is {float(target.norm()):.3f} from the shoulder; the straight arm reaches 1.000")

# %% [markdown]
# How common are two answers? Ask the exact inverse about every held-out target.

# %%
test_up, test_down = arm.inverse_kinematics(test_x)
two_answers = arm.within_limits(test_up) & arm.within_limits(test_down)
print(f"{two_answers.float().mean():.1%} of the test targets can be reached with the elbow up and with it down")

# %% [markdown]
# ## The MSE net: one answer, the straight arm
#
# A regression net `ml.MLP(2, 2)` maps a hand position to two angles and is trained on the mean squared error. As
# lesson 03 showed, its best possible answer is the conditional mean $\mathbb{E}[y \mid x]$: in the overlap, the
# average of the two poses. We train it with the course's recipe (`ml.fit`'s defaults).

# %%
torch.manual_seed(0)
mse_net = ml.MLP(2, 2)  # three hidden layers of 20 tanh units
mse_history = ml.fit(mse_net, x, y)
print(f"MSE net: final training loss {mse_history.final_loss:.4f} (mean squared error in rad²)")

# %%
with torch.no_grad():
    mse_pose = mse_net(target)
print(
    f"MSE net at the target: θ = ({mse_pose[0, 0]:.3f}, {mse_pose[0, 1]:.3f})"
    f"   (average of the two answers: ({average[0, 0]:.3f}, {average[0, 1]:.3f}))"
)

# %% [markdown]
# Close to the average, with the arm nearly straight, and far from either true answer. (Not exactly the average: the
# net is a smooth function, and its neighbourhood mixes in targets with only one answer.)
#
# ## Measure what matters: where does the hand go?
#
# A small error in the angles is not the point: the point is where the hand ends up. So we run each predicted pose
# $\hat{\boldsymbol\theta}_n$ back through the forward kinematics $f$ and measure its distance from the target
# $\mathbf{x}_n$, as Bishop did, by the root mean square over the N held-out targets:
#
# $$
# \text{RMS} = \sqrt{\frac{1}{N}\sum_{n=1}^{N} \big\lVert f(\hat{\boldsymbol\theta}_n) - \mathbf{x}_n \big\rVert^2}.
# $$
#
# `arm.rms_hand_error(angles, targets)` computes it (and `arm.hand_miss` gives the N distances).

# %%
with torch.no_grad():
    mse_angles = mse_net(test_x)
mse_rms = arm.rms_hand_error(mse_angles, test_x)
print(f"MSE net: RMS distance from the target {mse_rms:.4f}   (the whole arm is 1.0 long)")

# %% [markdown] tags=["exercise"]
# ## How low can the NLL go?
#
# Before training the MDN, find the number it cannot beat. The recorded angles are the exact pose plus independent
# Gaussian noise of standard deviation $\sigma$ on each angle, so the true $p(\theta \mid x)$ is known: one Gaussian
# bump around the exact pose where one answer exists, two bumps of equal weight where two do. (Equal, because the
# poses were drawn uniformly and a small patch of hand positions around the target is reached from equal areas of
# joint space on the two branches: the forward map scales areas by its Jacobian determinant, $L_1 L_2
# |\sin\theta_2|$, the same for $\theta_2$ and $2\pi - \theta_2$.) No model can have a lower expected NLL than this true density has: it is the
# **Bayes limit** of lesson 00, and it equals the true density's entropy.
#
# ### Exercise 2: the floor under the NLL
#
# Write `nll_floor(noise_std, two_answer_share)`: the lowest average NLL, in nats per target, that any model of
# $p(\theta \mid x)$ can reach on data like ours, when both angles carry Gaussian noise of standard deviation
# `noise_std` and a share `two_answer_share` of the targets has two equally likely answers (the rest one). Take the
# two answers to be far apart compared with the noise. Both arguments are plain numbers; return a number. Derive it
# first: what is the entropy of one Gaussian, of two independent ones, and what does a fair choice between two
# well-separated bumps add?


# %% tags=["stub"]
def nll_floor(noise_std, two_answer_share):
    """The lowest average NLL (nats per target) of any model of p(θ | x): a float."""
    # TODO: the entropy of the true p(θ | x), averaged over the targets.
    ...


# %% [markdown] tags=["solution"]
# A Gaussian of standard deviation $\sigma$ has entropy $\mathbb{E}[-\log p] = \tfrac12\log(2\pi\sigma^2) +
# \tfrac12\mathbb{E}[z^2] = \tfrac12\log(2\pi e\sigma^2)$; two independent angles add theirs: $\log(2\pi e\sigma^2)$.
# Where two bumps of weight ½ are far apart, each sample sits in one bump and the other contributes nothing, so
# $-\log p = \log 2 - \log(\text{one bump})$: the fair choice adds $\log 2$. Averaged over targets:
#
# $$ \text{floor} = \log(2\pi e \sigma^2) + s \log 2, $$
#
# with $s$ the share of targets with two answers. Each tenfold cut in $\sigma$ lowers it by $2\log 10 \approx 4.6$
# nats; with no noise at all there is no floor.


# %% tags=["solution"]
def nll_floor(noise_std, two_answer_share):
    """The lowest average NLL (nats per target) of any model of p(θ | x): a float."""
    two_gaussian_angles = math.log(2 * math.pi * math.e * noise_std**2)
    return two_gaussian_angles + two_answer_share * math.log(2)


share = float(two_answers.float().mean())
print(f"the floor for σ = 0.02 and {share:.1%} of targets with two answers: {nll_floor(0.02, share):.3f} nats")
print(f"the true density's NLL on the 1000 test targets: {-float(arm.true_log_prob(test_x, test_y, 0.02).mean()):.3f}")

# %% tags=["exercise"]
result = ml.checks.lesson06.check_nll_floor(nll_floor)

# %% [markdown]
# ## The MDN: a mixture over two angles
#
# An MDN's output can have any number of dimensions: `ml.MDN(2, 2, n_components=K)` reads a hand position (2
# inputs) and returns, for each component, a weight, a mean pose $(\mu_{\theta_1}, \mu_{\theta_2})$ and two scales
# (one per angle: diagonal Gaussians). We know there are at most two answers, but in a real problem we would not, so
# we give it one spare component, $K = 3$, and let training decide what to do with it.

# %%
torch.manual_seed(0)
mdn = ml.MDN(2, 2, n_components=3)
mdn_history = ml.fit(mdn, x, y)
print(f"MDN: final training loss {mdn_history.final_loss:.3f} nats")

# %% [markdown]
# Now the NLL means something. `arm.true_log_prob` is the true density $p(\theta \mid x)$ described above; its NLL on
# the test targets is the floor, measured (exercise 2 predicts it from $\sigma$ and the share of two answers alone).

# %%
with torch.no_grad():
    params = mdn(test_x)  # log_weights (N, 3), means (N, 3, 2), scales (N, 3, 2)
    mdn_nll = -float(mdn.log_prob(test_x, test_y).mean())
floor_nll = -float(arm.true_log_prob(test_x, test_y, 0.02).mean())
weights = params.log_weights.exp()  # (N, K)
print(f"test NLL of the MDN:          {mdn_nll:7.3f} nats")
print(f"test NLL of the true density: {floor_nll:7.3f} nats   (the floor)")
print(f"the MDN is {mdn_nll - floor_nll:.3f} nats above it")
typical_scale = params.scales[weights > 0.1].median()
print(f"median scale of its components that weigh more than 10%: {typical_scale:.4f} rad (the noise: 0.02)")

# %% [markdown]
# The MDN's NLL is negative, and a fraction of a nat above the floor, which is negative too: it is the entropy of
# two narrow bumps. Its components have found the noise's width. Where is the rest of the gap? Split the test targets
# and compare, target by target, the true density's log-likelihood with the MDN's:

# %%
with torch.no_grad():
    gap = arm.true_log_prob(test_x, test_y, 0.02) - mdn.log_prob(test_x, test_y)  # (N,) nats above the floor
near_straight = two_answers & ((test_up[:, 1] - math.pi).abs() < 0.1)  # the two answers within 0.2 rad
groups = {
    "one answer": ~two_answers,
    "two answers, far apart": two_answers & ~near_straight,
    "two answers, near the straight arm": near_straight,
}
print(f"{'test targets':36s}{'share':>7s}{'mean gap':>10s}{'part of the gap':>17s}")
for name, mask in groups.items():
    part = float(gap[mask].sum() / gap.sum())
    print(f"{name:36s}{mask.float().mean():7.1%}{gap[mask].mean():10.3f}{part:17.0%}")

# %% [markdown]
# Near the straight arm the two answers lie within a few noise widths of each other and their bumps merge into one
# lopsided bump. The MDN fits those targets worst, by far: they are one in twenty, and make about a third of the gap.
# Elsewhere, with one answer or two, it stays a quarter to a third of a nat above the floor per target.
#
# ## One pose from a mixture: the most probable component
#
# To steer the arm we need one pose, not a density. The simplest choice is the mean of the heaviest component,
# `predictions.most_probable_component_mean` from lesson 05. The mixture's mean $\sum_k \pi_k \boldsymbol\mu_k$, by
# contrast, is the MSE answer again (lesson 05), so it should miss like the MSE net.

# %%
mdn_angles = predictions.most_probable_component_mean(params)
mdn_rms = arm.rms_hand_error(mdn_angles, test_x)
mean_rms = arm.rms_hand_error(predictions.mixture_mean(params), test_x)

print("RMS distance of the hand from the target, 1000 held-out targets")
print(f"{'':34s}{'ours':>8s}{'Bishop (1994)':>16s}")
print(f"{'MSE net':34s}{mse_rms:8.4f}{arm.BISHOP_RMS['MSE net']:16.3f}")
print(f"{'MDN, most probable component':34s}{mdn_rms:8.4f}{arm.BISHOP_RMS['MDN']:16.3f}")
print(f"{'MDN, mixture mean':34s}{mean_rms:8.4f}{'-':>16s}")
print(f"the MDN's pose puts the hand {mse_rms / mdn_rms:.0f} times closer to the target than the MSE net's")

# %% [markdown]
# The arm, its joint limits, the way the data are drawn and the measure are Bishop's; our numbers land close to his.
# They need not match exactly: our nets and training recipe are not his (the course's recipe: Adam with a
# learning-rate schedule, on standardised data), our test targets are other random draws, and our training angles
# carry 0.02 rad of noise. The comparison *between* the two models is what carries over: averaging the poses
# misses by several centimetres on an arm one metre long; choosing one misses by a few millimetres. The mixture mean
# misses as badly as the MSE net, as the theory says.
#
# ## Where the hands land
#
# Join every test target (grey) to the hand its predicted pose reaches. The MSE net's hands crowd onto the outer
# edge of the workspace (the solid arc, the straight arm) wherever a target has two answers; the MDN's land on
# their targets.

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 4), layout="constrained")
arm.plot_reached_hands(mse_angles, test_x, ax=axes[0], color=arm.MSE_COLOR, title="MSE net")
arm.plot_reached_hands(mdn_angles, test_x, ax=axes[1], color=arm.ELBOW_COLORS["down"], title="MDN, most probable pose")
plt.show()

# %% [markdown]
# ## Did the MDN find both answers?
#
# For every test target with two answers, measure the distance in angle space from each exact answer to the nearest
# component that carries real weight (more than 10%). If the MDN found both branches, both distances are small
# compared with the noise (0.02 rad) and with the distance between the two answers. Then add up the weight the MDN
# gives to elbow up: where both answers exist it should be near ½ (they are equally likely), elsewhere near 0 or 1.

# %%
heavy = weights > 0.1  # (N, K): the components that matter for each target


def nearest_heavy_component(solution):
    gap = (params.means - solution[:, None, :]).norm(dim=2)  # (N, K) distance of each component mean, in rad
    return gap.masked_fill(~heavy, math.inf).min(dim=1).values


for name, solution in (("elbow up", test_up), ("elbow down", test_down)):
    gap = nearest_heavy_component(solution)[two_answers]
    print(
        f"{name:10s}: distance to the nearest heavy component  median {gap.median():.4f} rad,"
        f"  95% below {gap.quantile(0.95):.4f} rad"
    )

p_up = (weights * (params.means[..., 1] < math.pi)).sum(dim=1)  # (N,): the weight on elbow up
only_up = arm.within_limits(test_up) & ~two_answers
only_down = arm.within_limits(test_down) & ~two_answers
print(f"weight on elbow up, on average: {p_up[two_answers].mean():.2f} where both answers exist,")
print(f"{p_up[only_up].mean():.2f} where only elbow up is allowed, {p_up[only_down].mean():.2f} where only down is")

one_answer = only_up | only_down
forbidden = torch.where(only_up[:, None], test_down, test_up)  # (N, 2): the answer outside the joint limits
beyond = torch.maximum(arm.THETA1_RANGE[0] - forbidden[:, 0], forbidden[:, 0] - arm.THETA1_RANGE[1])  # (N,) rad
leak = torch.where(only_up, 1 - p_up, p_up)  # (N,): the weight on the forbidden branch
close = one_answer & (beyond < 0.1)
print(f"weight on the forbidden branch: {leak[close].mean():.2f} where its θ1 is less than 0.1 rad beyond a limit,")
print(f"{leak[one_answer & ~close].mean():.2f} where it is further beyond")

# %% [markdown]
# Both branches are found: half the time a heavy component sits within about 0.01 rad of each exact answer, half the
# noise's width. Where both answers exist the MDN splits the weight about evenly, as it should. Where only one is
# allowed it puts most of the weight on that one, though not all, and the weight it leaks to the forbidden branch
# sits where that branch only just leaves the joint limits: the smooth net blurs the sharp edge where the number of
# answers changes.
#
# ## The poses the MDN proposes
#
# Three targets: one in the overlap, one that only elbow up can reach and one that only elbow down can reach. For
# each, `arm.draw_proposals` draws the arm at the mean of every component weighing at least 10% (colour by elbow
# side, stronger colour for more weight, the weight written by the elbow), the MSE net's pose dashed, and the
# training hand positions in grey to show where the arm can reach.

# %%
targets = torch.tensor([[0.6, 0.6], [0.8, 0.3], [0.3, 0.8]])
fig, axes = plt.subplots(2, 2, figsize=(8, 7.5), layout="constrained")
with torch.no_grad():
    for target_row, ax in zip(targets, axes.flat):
        one = target_row[None, :]  # (1, 2): one target
        arm.draw_proposals(target_row, mdn(one), ax=ax, mse_angles=mse_net(one)[0], data=x)
axes[1, 1].legend(*axes[0, 0].get_legend_handles_labels(), loc="center", markerscale=1.5)  # one legend for all
axes[1, 1].axis("off")
fig.suptitle("Poses proposed by the MDN (solid) and by the MSE net (dashed)")
plt.show()

# %% [markdown]
# In the overlap the MDN proposes two poses of about equal weight, elbow up and elbow down, each with its hand on the
# target; the MSE net straightens the arm between them and its hand overshoots. Where only one pose is allowed, the
# MDN proposes only that one, and the MSE net is close to it too: with a single answer, the average *is* that answer.
# Its failure is confined to the places with two answers, which is where the inverse problem is hard.

# %% [markdown] tags=["exercise"]
# ## Keep the elbow up
#
# ### Exercise 3: a branch on demand
#
# Suppose an obstacle sits under the arm, so the robot must keep its elbow up. An MSE net has no way to honour that;
# an MDN does, because it keeps the branches apart. Write `elbow_up_pose(params)`: from a mixture over the two angles
# (`params.means` of shape (N, K, 2), `params.log_weights` of shape (N, K)), return shape (N, 2): for each target, the
# mean of the heaviest component *among the elbow-up ones*. (What to return where no component is elbow up is up to
# you; those rows are not checked.) Once the check passes, the cell after it measures the RMS hand error of these
# poses on the targets that elbow up can reach.


# %% tags=["stub"]
def elbow_up_pose(params):
    """MixtureParams over (θ1, θ2), means (N, K, 2) -> (N, 2): the heaviest elbow-up component's mean per row."""
    # TODO: choose, per row, among the elbow-up components only, and return that component's mean.
    ...


# %% tags=["solution"]
def elbow_up_pose(params):
    """MixtureParams over (θ1, θ2), means (N, K, 2) -> (N, 2): the heaviest elbow-up component's mean per row."""
    up = params.means[..., 1] < math.pi  # (N, K): which components are elbow up
    best = params.log_weights.masked_fill(~up, -math.inf).argmax(dim=1)  # (N,)
    return params.means[torch.arange(len(best)), best]  # (N, 2)


# %% tags=["exercise"]
result = ml.checks.lesson06.check_elbow_up_pose(elbow_up_pose, params)

# %% tags=["exercise"]
if result.passed:
    reachable = arm.within_limits(test_up)
    up_rms = arm.rms_hand_error(elbow_up_pose(params)[reachable], test_x[reachable])
    print(f"elbow-up poses on the {int(reachable.sum())} targets elbow up can reach: RMS hand error {up_rms:.4f}")
else:
    print("(the RMS hand error of your elbow-up poses appears here once exercise 3 passes)")

# %% [markdown]
# ## Recap
#
# - Bishop's arm measures the elbow angle between the two links, so $\theta_2 = \pi$ is the straight arm. Forward
#   kinematics, angles → hand, is a function; its inverse has two answers (elbow up, $\theta_2 < \pi$, and elbow
#   down) wherever both respect the joint limits, here for about two targets in three.
# - The law of cosines gives the elbow angle; clamp the cosine, or the straight arm gives NaN.
# - A net trained on MSE learns the average of the two poses: the straight arm, whose hand lands on the outer edge of
#   the workspace and misses the target.
# - Judge an inverse model by running its answers back through the forward model. The MDN's most probable component
#   puts the hand more than ten times closer than the MSE net does, close to Bishop's numbers; its mixture mean misses as
#   badly as the MSE net.
# - On exact data an MDN's NLL has no floor. With noise of known size it has one, the true density's entropy, and
#   the MDN's NLL is judged by its distance above it.
#
# **Next:** [07 · MDN-RNN](07_mdn_rnn.ipynb): an MDN head on a recurrent net, for sequences whose future has several
# possible continuations.
