# %% [markdown]
# # 06 · The robot arm: an inverse problem with two answers
#
# This lesson applies a **Mixture Density Network** (MDN) to the problem Christopher Bishop used to introduce them
# in his 1994 report *Mixture Density Networks*: which joint angles put the hand of a two-link robot arm at a
# given point? Going from angles to hand position (**forward kinematics**) is a plain function. Going back
# (**inverse kinematics**) has two answers, *elbow up* and *elbow down*. We train a regression net with mean
# squared error (MSE) and an MDN with a two-dimensional output on the same data, measure how far from the target
# each one actually puts the hand, and draw the arm in every pose the MDN proposes.
#
# ## Learning objectives
#
# - Compute the forward kinematics of a two-link arm, and its two inverse solutions with the law of cosines.
# - Explain why a net trained with MSE puts the arm in a pose that misses the target, and measure the miss.
# - Train an MDN whose output is two-dimensional (`out_features=2`) and read one pose per answer from it.
# - Judge an inverse model by what matters: run its answer back through the forward model and measure the error.

# %% [markdown]
# ## Setup

# %% [markdown] tags=["solution"]
# ## Setup
#
# The same data and MDN as in the lesson, trained for a fixed 800 steps (the lesson lets `ml.fit` choose the number
# of steps from the size of the data).

# %% tags=["exercise"]
import math

import matplotlib.pyplot as plt
import torch

import mdn_lessons as ml
from mdn_lessons import predictions
from mdn_lessons import robot_arm as arm

rng = ml.start_lesson(seed=0)

# %% tags=["solution"]
x, y = arm.inverse_data(n=1000, seed=0)
test_x, test_y = arm.inverse_data(n=1000, seed=1)
torch.manual_seed(0)
mdn = ml.MDN(2, 2, n_components=3)
ml.fit(mdn, x, y, steps=800)
with torch.no_grad():
    params = mdn(test_x)
test_up, test_down = arm.inverse_kinematics(test_x)
two_answers = arm.within_limits(test_up) & arm.within_limits(test_down)

# %% [markdown]
# ## The arm and its forward kinematics
#
# The shoulder sits at the origin. The upper arm, of length $L_1 = 0.8$, leaves it at the angle $\theta_1$ from the
# $x_1$ axis; at the elbow the forearm, of length $L_2 = 0.2$, turns by a further $\theta_2$. The hand is at
#
# $$
# \mathbf{x} = \underbrace{L_1 \begin{pmatrix}\cos\theta_1 \\ \sin\theta_1\end{pmatrix}}_{\text{elbow}}
# + L_2 \begin{pmatrix}\cos(\theta_1+\theta_2) \\ \sin(\theta_1+\theta_2)\end{pmatrix}.
# $$
#
# Following Bishop, the joints are limited to $\theta_1 \in [0.3, 1.2]$ and $\theta_2 \in [\pi/2, 3\pi/2]$:
# $\theta_2 = \pi$ folds the forearm straight back along the upper arm, and the elbow may bend a quarter turn either
# way from there. `arm.forward_kinematics` takes angles of shape (N, 2) and returns hand positions of shape (N, 2).

# %%
print("link lengths L1, L2:", arm.LINK_LENGTHS)
poses = torch.tensor([[0.6, 2.2], [1.0, 4.1]])  # two poses (θ1, θ2), in radians
hands = arm.forward_kinematics(poses)
for pose, hand in zip(poses, hands):
    print(f"θ = ({pose[0]:.2f}, {pose[1]:.2f})  ->  hand at ({hand[0]:.3f}, {hand[1]:.3f})")

# %% [markdown]
# `arm.draw_arm` draws a pose: the shoulder is the black square, the dots are the elbow and the hand. These two
# quite different poses put the hand almost at the same place, a first hint of what makes the inverse hard.

# %%
ax = arm.draw_arm(poses[0], color="tab:blue", label=r"$\theta_2 = 2.2 < \pi$")
arm.draw_arm(poses[1], ax=ax, color="tab:orange", label=r"$\theta_2 = 4.1 > \pi$", title="Two poses of the arm")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## The data: angles in, hand positions out
#
# We make data the way a robot would, by moving its joints and recording where the hand goes: draw 1000 poses
# uniformly within the joint limits and compute each hand position. For the **inverse problem** the roles swap:
# the input $x$ is the hand position (N, 2) and the target $y$ is the pair of angles (N, 2). A second, independent
# set of 1000 poses gives held-out targets to test on. (There is no noise: the arm is exact.)

# %%
x, y = arm.inverse_data(n=1000, seed=0)  # x: hand positions (N, 2); y: joint angles (N, 2)
test_x, test_y = arm.inverse_data(n=1000, seed=1)
print("training:", tuple(x.shape), "->", tuple(y.shape), "   test:", tuple(test_x.shape), "->", tuple(test_y.shape))

# %% [markdown]
# Colour each sample by the sign of the elbow's bend: *elbow down* for $\theta_2 < \pi$, *elbow up* for
# $\theta_2 > \pi$ (then the elbow lies on the counter-clockwise side of the line from shoulder to hand, above it).
# On the left the angles are two separate rectangles. On the right, their hand positions overlap in the middle:
# every hand position in the overlap is reached by two different poses.

# %%
arm.plot_data(x, y)
plt.show()

# %% [markdown]
# ## Two answers, in closed form
#
# For this small arm the inverse can be solved exactly. The shoulder, the elbow and the hand form a triangle with
# sides $L_1$, $L_2$ and $r = \lVert\mathbf{x}\rVert$, so the law of cosines fixes the elbow's bend:
#
# $$
# \cos\theta_2 = \frac{r^2 - L_1^2 - L_2^2}{2 L_1 L_2}
# \qquad\Longrightarrow\qquad
# \theta_2^{\text{down}} = \arccos(\cdot) \in [0, \pi], \quad \theta_2^{\text{up}} = 2\pi - \theta_2^{\text{down}}.
# $$
#
# Then $\theta_1 = \operatorname{atan2}(x_2, x_1) - \operatorname{atan2}(L_2 \sin\theta_2,\; L_1 + L_2\cos\theta_2)$: the
# direction to the hand, minus the angle the forearm adds. `arm.inverse_kinematics` returns both solutions and
# `arm.within_limits` says which respect the joint limits. Take a target in the overlap:

# %%
target = torch.tensor([[0.5, 0.5]])
up, down = arm.inverse_kinematics(target)
for name, pose in (("elbow up", up), ("elbow down", down)):
    hand = arm.forward_kinematics(pose)[0]
    print(
        f"{name:10s}: θ = ({pose[0, 0]:.3f}, {pose[0, 1]:.3f}), within limits: {bool(arm.within_limits(pose)[0])},"
        f" hand at ({hand[0]:.3f}, {hand[1]:.3f})"
    )

# %% [markdown]
# Both poses put the hand exactly on the target. Now do what a squared-error fit does when it sees both answers
# equally often: average them. The two elbow angles are $\theta_2$ and $2\pi - \theta_2$, so their average is
# always $\pi$, the folded arm, and the hand lands at distance $L_1 - L_2 = 0.6$ from the shoulder, wherever the
# target was:

# %%
average = (up + down) / 2
print(
    f"average pose: θ = ({average[0, 0]:.3f}, {average[0, 1]:.3f});"
    f" its hand misses the target by {arm.hand_miss(average, target)[0]:.3f}"
)

# %% [markdown]
# How common are two answers? Ask the exact inverse about every held-out target. (Where both exist, they are
# also *equally likely*: the two poses have the same $|\sin\theta_2|$, so the same area of joint space lands near
# the target from each side. Keep that in mind for the mixture weights below.)

# %%
test_up, test_down = arm.inverse_kinematics(test_x)
two_answers = arm.within_limits(test_up) & arm.within_limits(test_down)
print(f"{two_answers.float().mean():.1%} of the test targets can be reached with the elbow up and with it down")

# %% [markdown]
# ## The MSE net: one answer, the wrong one
#
# A regression net `ml.MLP(2, 2)` maps a hand position to two angles and is trained on the mean squared error.
# As lesson 03 showed, its best possible answer is the conditional mean $\mathbb{E}[y \mid x]$: in the overlap,
# the average of the two poses. We train it with the course's recipe (`ml.fit`'s defaults).

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
# Not exactly the average (the net is a smooth function, and its neighbourhood mixes in targets with only one
# answer), but close to it, with the forearm nearly folded, and far from either true answer.
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

# %% [markdown]
# ## The MDN: a mixture over two angles
#
# An MDN's output can have any number of dimensions: `ml.MDN(2, 2, n_components=K)` reads a hand position (2
# inputs) and returns, for each component, a weight, a mean pose $(\mu_{\theta_1}, \mu_{\theta_2})$ and two scales
# (one per angle: diagonal Gaussians). We know there are at most two answers, but in a real problem we would not,
# so we give it one spare component, $K = 3$, and let training decide what to do with it.

# %%
torch.manual_seed(0)
mdn = ml.MDN(2, 2, n_components=3)
mdn_history = ml.fit(mdn, x, y)
print(f"MDN: final training loss {mdn_history.final_loss:.2f} nats")

# %% [markdown]
# The loss is far below zero. Nothing is wrong (lesson 01): with exact data each branch is a very thin ridge, so
# the density $p(y \mid x)$ at the true angles is huge and its negative logarithm is negative.
#
# ## One pose from a mixture: the most probable component
#
# To steer the arm we need one pose, not a density. The simplest choice is the mean of the heaviest component,
# `predictions.most_probable_component_mean` from lesson 05. The mixture's mean $\sum_k \pi_k \boldsymbol\mu_k$, by
# contrast, is the MSE answer again (lesson 05), so it should miss like the MSE net.

# %%
with torch.no_grad():
    params = mdn(test_x)  # log_weights (N, 3), means (N, 3, 2), scales (N, 3, 2)
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
# The MDN puts the hand tens of times closer to the target than the MSE net does, and its mixture mean misses just
# as badly as the MSE net, as the theory says. Our numbers are not Bishop's: our MDN does better than his 0.005 and
# our MSE net somewhat worse than his 0.058. Our nets and training recipe are not his (we use the course's recipe:
# Adam with a learning-rate schedule, on standardised data), so only the comparison *between* the two models should
# be expected to carry over, and it does. On an arm one metre long, averaging the poses misses by several
# centimetres; choosing one costs about a millimetre.
#
# ## Did the MDN find both answers?
#
# For every test target with two answers, measure the distance in angle space from each exact answer to the
# nearest component that carries real weight (more than 10%). If the MDN found both branches, both distances are
# small.

# %%
heavy = params.log_weights.exp() > 0.1  # (N, K): the components that matter for each target


def nearest_heavy_component(solution):
    gap = (params.means - solution[:, None, :]).norm(dim=2)  # (N, K) distance of each component mean, in rad
    return gap.masked_fill(~heavy, math.inf).min(dim=1).values


for name, solution in (("elbow up", test_up), ("elbow down", test_down)):
    gap = nearest_heavy_component(solution)[two_answers]
    print(
        f"{name:10s}: distance to the nearest heavy component  median {gap.median():.4f} rad,"
        f"  95% below {gap.quantile(0.95):.4f} rad"
    )

# %% [markdown]
# ## The poses the MDN proposes
#
# Three targets: one in the overlap, one that only elbow up can reach and one that only elbow down can reach. For
# each, `arm.draw_proposals` draws the arm at the mean of every component weighing at least 10% (colour by elbow
# direction, stronger colour for more weight), the MSE net's pose dashed in red, and the training hand positions
# in grey to show where the arm can reach.

# %%
targets = torch.tensor([[0.5, 0.5], [0.7, 0.3], [0.3, 0.72]])
fig, axes = plt.subplots(1, 3, figsize=(15, 5.2))
with torch.no_grad():
    for target_row, ax in zip(targets, axes):
        one = target_row[None, :]  # (1, 2): one target
        arm.draw_proposals(target_row, mdn(one), ax=ax, mse_angles=mse_net(one)[0], data=x)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize="small", ncols=2)
fig.suptitle("Poses proposed by the MDN (solid) and by the MSE net (dashed)")
plt.show()


# %% [markdown]
# In the overlap the MDN proposes two poses of about equal weight, elbow up and elbow down, each with its hand on
# the target; the MSE net folds the arm between them and misses. Where only one pose is allowed, the MDN proposes
# only that one, and the MSE net is close to it too: with a single answer, the average *is* that answer. Its
# failure is confined to the places with two answers, which is where the inverse problem is hard.
#
# ## Exercises
#
# ### Exercise 1: both elbow angles from the law of cosines
#
# Write `elbow_angles(hand)`: for hand positions of shape (N, 2), return shape (N, 2) with, in column 0, the
# elbow-down angle $\theta_2 = \arccos\frac{r^2 - L_1^2 - L_2^2}{2L_1L_2} \in [0, \pi]$ and, in column 1, the
# elbow-up angle $2\pi - \theta_2$. Use torch only (`torch.arccos`, `torch.stack`).

# %% [markdown] tags=["solution"]
# ## Exercise 1: both elbow angles from the law of cosines
#
# Rounding can put $\cos\theta_2$ a hair outside $[-1, 1]$ for a nearly folded arm, where `arccos` returns NaN,
# hence the clamp.


# %% tags=["stub"]
def elbow_angles(hand):
    L1, L2 = arm.LINK_LENGTHS
    # TODO: r² = x1² + x2², then cos θ2 from the law of cosines (clamp it to [-1, 1] against rounding),
    # θ2 = arccos(...); return torch.stack([θ2, 2π - θ2], dim=1).
    ...


result = ml.checks.lesson06.check_elbow_angles(elbow_angles)


# %% tags=["solution"]
def elbow_angles(hand):
    L1, L2 = arm.LINK_LENGTHS
    r2 = (hand**2).sum(dim=1)
    cos_theta2 = ((r2 - L1**2 - L2**2) / (2 * L1 * L2)).clamp(-1.0, 1.0)
    theta2 = torch.arccos(cos_theta2)
    return torch.stack([theta2, 2 * math.pi - theta2], dim=1)


result = ml.checks.lesson06.check_elbow_angles(elbow_angles)
assert result.passed

# %% [markdown]
# ### Exercise 2: how likely is elbow up?
#
# From `params` (the MDN on the 1000 test targets) compute `p_up`, shape (N,): the total weight of the
# components whose mean has $\theta_2 > \pi$. Where both answers exist it should be near ½ (why?), elsewhere near
# 0 or 1. Compare its average over `two_answers` with its average elsewhere.

# %% [markdown] tags=["solution"]
# ## Exercise 2: how likely is elbow up?
#
# Where both poses are allowed, the uniform angles put the same probability on each: the Jacobian of the forward
# map, $|\det J| = L_1 L_2 |\sin\theta_2|$, is the same for $\theta_2$ and $2\pi - \theta_2$, so the same area of
# joint space lands around the target from either branch. The MDN learned that from data alone.

# %% tags=["stub"]
p_up = ...  # TODO: weights = params.log_weights.exp(); sum them over the components whose mean θ2 is > π

result = ml.checks.lesson06.check_elbow_up_probability(p_up, params)

# %% tags=["solution"]
weights = params.log_weights.exp()  # (N, K)
p_up = (weights * (params.means[..., 1] > math.pi)).sum(dim=1)  # (N,)

result = ml.checks.lesson06.check_elbow_up_probability(p_up, params)
assert result.passed
only_up = arm.within_limits(test_up) & ~two_answers
only_down = arm.within_limits(test_down) & ~two_answers
print(f"average p_up where both answers exist: {p_up[two_answers].mean():.2f}")
print(
    f"average p_up where only elbow up is allowed: {p_up[only_up].mean():.2f};"
    f" where only elbow down is: {p_up[only_down].mean():.2f}"
)


# %% [markdown]
# ### Exercise 3: keep the elbow up
#
# Suppose an obstacle sits under the arm, so the robot must keep its elbow up. An MSE net has no way to honour
# that; an MDN does, because it keeps the branches apart. Write `elbow_up_pose(params)`, returning shape (N, 2):
# for each target, the mean of the heaviest component *among those with* $\theta_2 > \pi$. Then measure its RMS
# hand error on the targets that elbow up can reach (`arm.within_limits(test_up)`).

# %% [markdown] tags=["solution"]
# ## Exercise 3: keep the elbow up


# %% tags=["stub"]
def elbow_up_pose(params):
    # TODO: mask the log-weights of the components with θ2 ≤ π (set them to -inf), take the argmax over K,
    # and gather those components' means, as predictions.most_probable_component_mean does for all components.
    ...


result = ml.checks.lesson06.check_elbow_up_pose(elbow_up_pose, params)


# %% tags=["solution"]
def elbow_up_pose(params):
    up = params.means[..., 1] > math.pi  # (N, K): which components are elbow up
    best = params.log_weights.masked_fill(~up, -math.inf).argmax(dim=1)  # (N,)
    return params.means[torch.arange(len(best)), best]  # (N, 2)


result = ml.checks.lesson06.check_elbow_up_pose(elbow_up_pose, params)
assert result.passed
reachable = arm.within_limits(test_up)
up_rms = arm.rms_hand_error(elbow_up_pose(params)[reachable], test_x[reachable])
print(f"elbow-up poses on the {int(reachable.sum())} targets elbow up can reach: RMS hand error {up_rms:.4f}")

# %% [markdown]
# ## Recap
#
# - Forward kinematics, angles → hand, is a function; its inverse has two answers (elbow up and down) wherever both
#   poses respect the joint limits, here for about 60% of the targets.
# - A net trained on MSE learns the average of the two poses: the arm folds ($\theta_2 \approx \pi$) and the hand
#   misses its target.
# - Judge an inverse model by running its answers back through the forward model: the RMS distance of the hand from
#   the target. The MDN's most probable component misses tens of times less than the MSE net; its mixture mean
#   misses as badly as the MSE net.
# - An MDN with `out_features=2` models the two angles jointly; its components sit on the exact solutions and, where
#   both exist, share the weight about evenly. Because it keeps the branches apart, you can choose one (elbow up).
#
# **Next:** [07 · MDN-RNN](07_mdn_rnn.ipynb): an MDN head on a recurrent net, for sequences whose future has several
# possible continuations.
