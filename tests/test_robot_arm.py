import math

import matplotlib.pyplot as plt
import pytest
import torch

import mdn_lessons as ml
from mdn_lessons import robot_arm as arm
from mdn_lessons.predictions import most_probable_component_mean

L1, L2 = arm.LINK_LENGTHS


# ------------------------------------------------------------------------------------- forward kinematics


@pytest.mark.parametrize(
    ("angles", "hand"),
    [
        ((0.0, math.pi), (L1 + L2, 0.0)),  # Bishop's θ2 = π: straight out along x1
        ((0.0, 0.0), (L1 - L2, 0.0)),  # θ2 = 0: forearm folded back
        ((math.pi / 2, math.pi / 2), (L2, L1)),  # upper arm up, elbow at a right angle, forearm pointing right
        ((math.pi / 2, -math.pi / 2), (-L2, L1)),
        ((math.pi / 4, math.pi), ((L1 + L2) / math.sqrt(2), (L1 + L2) / math.sqrt(2))),
    ],
)
def test_forward_kinematics_at_known_angles(angles, hand):
    got = arm.forward_kinematics(torch.tensor([angles]))
    torch.testing.assert_close(got, torch.tensor([hand]), atol=1e-6, rtol=0)


def test_joint_positions_start_at_the_shoulder_and_keep_the_link_lengths():
    angles = arm.sample_angles(50, seed=3)
    points = arm.joint_positions(angles)
    assert points.shape == (50, 3, 2) and points.dtype == torch.float32
    assert torch.equal(points[:, 0], torch.zeros(50, 2))
    torch.testing.assert_close((points[:, 1] - points[:, 0]).norm(dim=1), torch.full((50,), L1))
    torch.testing.assert_close((points[:, 2] - points[:, 1]).norm(dim=1), torch.full((50,), L2))
    torch.testing.assert_close(points[:, 2], arm.forward_kinematics(angles))


def test_a_single_pose_is_read_as_one_row():
    assert arm.forward_kinematics([0.5, 2.0]).shape == (1, 2)
    assert arm.forward_kinematics(torch.tensor([0.5, 2.0])).shape == (1, 2)


# ---------------------------------------------------------------------------------------------- the data


def test_sampled_angles_are_seeded_float32_and_fill_the_joint_limits():
    angles = arm.sample_angles(2000, seed=5)
    assert angles.shape == (2000, 2) and angles.dtype == torch.float32
    assert torch.equal(angles, arm.sample_angles(2000, seed=5))
    assert not torch.equal(angles, arm.sample_angles(2000, seed=6))
    assert bool(arm.within_limits(angles).all())
    for column, (low, high) in enumerate((arm.THETA1_RANGE, arm.THETA2_RANGE)):
        values = angles[:, column]
        width = high - low
        # Uniform: close to both ends, and the mean near the middle.
        assert float(values.min()) < low + 0.01 * width and float(values.max()) > high - 0.01 * width
        assert abs(float(values.mean()) - (low + high) / 2) < 0.03 * width


def test_inverse_data_is_exact_hand_positions_in_and_noisy_angles_out():
    x, y = arm.inverse_data(n=3000, seed=2, noise=0.05)
    clean = arm.sample_angles(3000, seed=2)
    assert x.shape == y.shape == (3000, 2) and x.dtype == y.dtype == torch.float32
    torch.testing.assert_close(x, arm.forward_kinematics(clean))
    noise = y - clean
    assert abs(float(noise.mean())) < 0.003 and float(noise.std()) == pytest.approx(0.05, rel=0.05)
    assert abs(float(torch.corrcoef(noise.T)[0, 1])) < 0.06  # independent on each angle
    r = x.norm(dim=1)
    # θ2 in [π/2, 3π/2] keeps the hand between the right-angled (√(L1² + L2²)) and the straight (1) reach.
    assert float(r.min()) >= math.sqrt(L1**2 + L2**2) - 1e-6 and float(r.max()) <= L1 + L2 + 1e-6


def test_inverse_data_is_seeded_and_exact_without_noise():
    x, y = arm.inverse_data(n=200, seed=3)
    x2, y2 = arm.inverse_data(n=200, seed=3)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert float((y - arm.sample_angles(200, seed=3)).std()) == pytest.approx(arm.ANGLE_NOISE, rel=0.2)
    exact_x, exact_y = arm.inverse_data(n=200, seed=3, noise=0.0)
    assert torch.equal(exact_x, x) and torch.equal(exact_y, arm.sample_angles(200, seed=3))


# ------------------------------------------------------------------------------------ inverse kinematics


def test_both_inverse_solutions_map_back_to_the_hand():
    x, _ = arm.inverse_data(n=500, seed=7)
    clean = arm.sample_angles(500, seed=7)
    up, down = arm.inverse_kinematics(x)
    assert up.shape == down.shape == (500, 2)
    torch.testing.assert_close(arm.forward_kinematics(up), x, atol=1e-5, rtol=0)
    torch.testing.assert_close(arm.forward_kinematics(down), x, atol=1e-5, rtol=0)
    assert bool((up[:, 1] <= math.pi).all()) and bool((down[:, 1] >= math.pi).all())
    # The pose that generated each hand is one of the two; the elbow angles mirror each other around π.
    generating = torch.where(arm.is_elbow_up(clean)[:, None], up, down)
    torch.testing.assert_close(generating, clean, atol=1e-4, rtol=0)
    torch.testing.assert_close(up[:, 1] + down[:, 1], torch.full((500,), 2 * math.pi))


def test_elbow_up_puts_the_elbow_on_the_counter_clockwise_side_of_the_shoulder_hand_line():
    x, _ = arm.inverse_data(n=200, seed=8)
    up, down = arm.inverse_kinematics(x)

    def side(angles):  # z of (hand × elbow): > 0 when the elbow is counter-clockwise from the hand direction
        points = arm.joint_positions(angles)
        hand, elbow = points[:, 2], points[:, 1]
        return hand[:, 0] * elbow[:, 1] - hand[:, 1] * elbow[:, 0]

    assert bool((side(up) > 0).all()) and bool((side(down) < 0).all())
    assert bool(arm.is_elbow_up(up).all()) and not bool(arm.is_elbow_up(down).any())


def test_is_elbow_up_at_known_poses():
    poses = [[0.5, 2.0], [0.5, 4.0], [0.5, math.pi], [0.5, 0.5 * math.pi], [0.5, 2 * math.pi - 0.1]]
    assert arm.is_elbow_up(poses).tolist() == [True, False, False, True, False]


def test_averaging_the_two_answers_gives_the_straight_arm_on_the_outer_edge():
    x, _ = arm.inverse_data(n=300, seed=10)
    up, down = arm.inverse_kinematics(x)
    average = (up + down) / 2
    torch.testing.assert_close(average[:, 1], torch.full((300,), math.pi))
    torch.testing.assert_close(arm.forward_kinematics(average).norm(dim=1), torch.full((300,), L1 + L2))
    torch.testing.assert_close(arm.hand_miss(average, x), 1 - x.norm(dim=1), atol=1e-5, rtol=0)


def test_about_two_thirds_of_hand_positions_have_two_answers_within_the_limits():
    x, _ = arm.inverse_data(n=4000, seed=9)
    up, down = arm.inverse_kinematics(x)
    both = arm.within_limits(up) & arm.within_limits(down)
    assert bool((arm.within_limits(up) | arm.within_limits(down)).all())  # at least one always
    assert 0.6 < float(both.float().mean()) < 0.75


def test_out_of_reach_hands_are_refused_with_the_argument_named():
    with pytest.raises(ValueError, match=r"hand .*out of the arm's reach.*between 0\.6 and 1\.0"):
        arm.inverse_kinematics([[0.0, 0.0]])
    with pytest.raises(ValueError, match="hand"):
        arm.inverse_kinematics([[0.5, 0.5], [1.2, 0.0]])
    # Exactly at full stretch and fully folded is within reach.
    up, down = arm.inverse_kinematics([[1.0, 0.0], [0.0, 0.6]])
    torch.testing.assert_close(up[0], torch.tensor([0.0, math.pi]), atol=1e-3, rtol=0)
    torch.testing.assert_close(down[0], torch.tensor([0.0, math.pi]), atol=1e-3, rtol=0)
    torch.testing.assert_close(up[1], torch.tensor([math.pi / 2, 0.0]), atol=1e-3, rtol=0)
    torch.testing.assert_close(down[1], torch.tensor([math.pi / 2, 2 * math.pi]), atol=1e-3, rtol=0)


def test_a_hand_a_rounding_error_beyond_full_stretch_gets_the_straight_arm():
    up, down = arm.inverse_kinematics([[0.6, 0.8 + 1e-6]])
    assert bool(torch.isfinite(up).all()) and float(up[0, 1]) == pytest.approx(math.pi)


def test_within_limits_at_known_poses():
    poses = torch.tensor([[0.3, math.pi / 2], [1.2, 1.5 * math.pi], [0.29, 3.0], [0.8, 4.8], [0.8, 1.5]])
    assert arm.within_limits(poses).tolist() == [True, True, False, False, False]


# --------------------------------------------------------------------------------------- hand error


def test_hand_miss_and_rms_are_zero_for_true_poses_and_measure_the_distance_otherwise():
    x, y = arm.inverse_data(n=100, seed=4, noise=0.0)
    assert float(arm.hand_miss(y, x).max()) < 1e-6
    assert arm.rms_hand_error(y, x) < 1e-6
    shifted = x + torch.tensor([0.03, -0.04])  # 0.05 away from every hand
    torch.testing.assert_close(arm.hand_miss(y, shifted), torch.full((100,), 0.05))
    assert arm.rms_hand_error(y, shifted) == pytest.approx(0.05, abs=1e-6)
    # RMS, not mean: misses of 0 and 0.1 give sqrt(0.005).
    two = torch.tensor([[0.0, 0.0], [0.0, math.pi]])
    targets = arm.forward_kinematics(two) + torch.tensor([[0.0, 0.0], [0.1, 0.0]])
    assert arm.rms_hand_error(two, targets) == pytest.approx(math.sqrt(0.005), abs=1e-6)


# ------------------------------------------------------------------------------------------ true density


def test_true_log_prob_is_a_mixture_of_gaussians_on_the_allowed_answers():
    x, y = arm.inverse_data(n=400, seed=11, noise=0.05)
    up, down = arm.inverse_kinematics(x)
    allowed = torch.stack([arm.within_limits(up), arm.within_limits(down)], dim=1).double()
    weights = allowed / allowed.sum(dim=1, keepdim=True)
    centres = torch.stack([up, down], dim=1).double()
    expected = torch.zeros(400, dtype=torch.float64)
    for b in range(2):
        gauss = torch.distributions.Normal(centres[:, b], 0.05).log_prob(y.double()[:, None, :].squeeze(1)).sum(dim=1)
        expected += weights[:, b] * gauss.exp()
    torch.testing.assert_close(arm.true_log_prob(x, y, 0.05), expected.log().float(), atol=1e-4, rtol=0)


def test_the_true_densitys_nll_is_the_entropy_of_the_noise_plus_log_2_on_the_share_with_two_answers():
    noise = 0.02
    x, y = arm.inverse_data(n=20_000, seed=12, noise=noise)
    up, down = arm.inverse_kinematics(x)
    share = float((arm.within_limits(up) & arm.within_limits(down)).float().mean())
    floor = math.log(2 * math.pi * math.e * noise**2) + share * math.log(2)
    # Sampling error of the mean NLL over 20,000 targets is about 0.006; merged branches near the straight arm
    # make the true NLL a little lower than the formula, which takes the two bumps to be far apart.
    assert -float(arm.true_log_prob(x, y, noise).mean()) == pytest.approx(floor, abs=0.03)


def test_true_log_prob_refuses_exact_angles_and_unreachable_hands():
    x, y = arm.inverse_data(n=5, seed=13)
    with pytest.raises(ValueError, match="noise must be a finite number > 0"):
        arm.true_log_prob(x, y, noise=0.0)
    with pytest.raises(ValueError, match="no pose within the joint limits reaches"):
        arm.true_log_prob([[0.61, 0.0]], [[0.5, 2.0]])  # in reach of the arm, not within the joint limits
    with pytest.raises(ValueError, match="hand and angles must hold"):
        arm.true_log_prob(x, y[:3])


# ------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: arm.forward_kinematics(torch.zeros(3)), ValueError, r"angles must have shape \(N, 2\)"),
        (lambda: arm.forward_kinematics(torch.zeros(4, 3)), ValueError, r"angles must have shape \(N, 2\)"),
        (lambda: arm.forward_kinematics(torch.zeros(0, 2)), ValueError, "angles must hold at least one row"),
        (lambda: arm.forward_kinematics([[0.5, float("nan")]]), ValueError, "angles contains 1 NaN"),
        (lambda: arm.forward_kinematics("elbow"), TypeError, "angles must be a tensor or array"),
        (lambda: arm.joint_positions(torch.zeros(2, 2, 2)), ValueError, "angles must have shape"),
        (lambda: arm.sample_angles(0), ValueError, "n must be a whole number >= 1"),
        (lambda: arm.sample_angles(10, seed=-1), ValueError, "seed must be a whole number >= 0"),
        (lambda: arm.inverse_data(n=2.5), TypeError, "n must be a whole number"),
        (lambda: arm.inverse_data(n=5, noise=-0.1), ValueError, "noise must be a finite number >= 0"),
        (lambda: arm.is_elbow_up(torch.zeros(3, 3)), ValueError, r"angles must have shape \(N, 2\)"),
        (lambda: arm.plot_reached_hands(torch.zeros(3, 2), torch.zeros(2, 2)), ValueError, "angles and targets"),
        (lambda: arm.inverse_kinematics(torch.zeros(5)), ValueError, r"hand must have shape \(N, 2\)"),
        (lambda: arm.within_limits([[1.0, math.inf]]), ValueError, "angles contains 1 NaN or inf"),
        (lambda: arm.hand_miss(torch.zeros(3, 2), torch.zeros(4, 2)), ValueError, "angles and targets must hold"),
        (lambda: arm.rms_hand_error(torch.zeros(3, 2), torch.zeros(3)), ValueError, "targets must have shape"),
    ],
)
def test_bad_input_is_refused_with_the_argument_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---------------------------------------------------------------------------------------------- drawing


def test_draw_arm_draws_each_pose_through_its_joints():
    poses = torch.tensor([[0.5, 2.0], [1.0, 4.0]])
    ax = arm.draw_arm(poses, label="two poses")
    arms = [line for line in ax.get_lines() if len(line.get_xdata()) == 3]
    assert len(arms) == 2
    for line, points in zip(arms, arm.joint_positions(poses), strict=True):
        assert line.get_xdata() == pytest.approx(points[:, 0].tolist())
        assert line.get_ydata() == pytest.approx(points[:, 1].tolist())
    assert [text.get_text() for text in ax.legend().get_texts()] == ["two poses"]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


@pytest.mark.parametrize(
    ("kwargs", "words"), [({"alpha": 1.5}, "alpha must be in"), ({"linewidth": 0}, "linewidth must be")]
)
def test_draw_arm_refuses_bad_styles(kwargs, words):
    with pytest.raises(ValueError, match=words):
        arm.draw_arm([0.5, 2.0], **kwargs)


def test_plot_data_draws_joint_space_and_hand_space_in_two_colours():
    x, y = arm.inverse_data(n=200, seed=1)
    axes = arm.plot_data(x, y)
    assert len(axes) == 2
    for ax in axes:
        assert len(ax.collections) == 2  # elbow down, elbow up
    assert sum(len(c.get_offsets()) for c in axes[1].collections) == 200
    with pytest.raises(ValueError, match="x and y must hold the same number"):
        arm.plot_data(x, y[:10])


def _mixture(weights, means):
    means = torch.tensor([means])
    return ml.MixtureParams(torch.tensor([weights]).log(), means, torch.full_like(means, 0.01))


def test_draw_proposals_draws_one_arm_per_component_above_the_threshold():
    up, down = arm.inverse_kinematics([[0.5, 0.5]])
    params = _mixture([0.55, 0.4, 0.05], [up[0].tolist(), down[0].tolist(), [0.8, 3.0]])
    fig, ax = plt.subplots()
    arm.draw_proposals([0.5, 0.5], params, ax=ax, mse_angles=[0.78, 3.1])
    labels = [text.get_text() for text in ax.legend().get_texts()]
    assert labels == ["MDN pose, elbow up", "MDN pose, elbow down", "MSE net pose", "target"]
    assert [text.get_text() for text in ax.texts] == ["0.55", "0.40"]  # the weights, by the elbows
    arms = [line for line in ax.get_lines() if len(line.get_xdata()) == 3]
    assert len(arms) == 3  # two MDN poses (the 5% component is left out) and the MSE net's


def test_draw_proposals_names_each_elbow_side_once_in_the_legend():
    up, down = arm.inverse_kinematics([[0.6, 0.6]])
    params = _mixture([0.5, 0.3, 0.2], [up[0].tolist(), down[0].tolist(), (up[0] + 0.05).tolist()])
    ax = arm.draw_proposals([0.6, 0.6], params)
    labels = [text.get_text() for text in ax.legend().get_texts()]
    assert labels == ["MDN pose, elbow up", "MDN pose, elbow down", "target"]
    assert [text.get_text() for text in ax.texts] == ["0.50", "0.30", "0.20"]


def test_plot_reached_hands_joins_each_target_to_the_hand_reached():
    x, _ = arm.inverse_data(n=20, seed=5)
    up, _ = arm.inverse_kinematics(x)
    wrong = up + torch.tensor([0.0, 0.3])  # a bent elbow: the hands land off target
    ax = arm.plot_reached_hands(wrong, x, title="test")
    targets, reached = ax.collections
    torch.testing.assert_close(torch.tensor(targets.get_offsets().tolist()), x, atol=1e-6, rtol=0)
    torch.testing.assert_close(
        torch.tensor(reached.get_offsets().tolist()), arm.forward_kinematics(wrong), atol=1e-6, rtol=0
    )
    segments = [line for line in ax.get_lines() if len(line.get_xdata()) == 3 * 20]
    assert len(segments) == 1  # one line, broken by NaN between the pairs
    assert [text.get_text() for text in ax.legend().get_texts()] == ["target", "hand reached"]
    assert ax.get_title() == "test"


@pytest.mark.parametrize(
    ("target", "params", "kwargs", "error", "words"),
    [
        ([[0.5, 0.5], [0.6, 0.4]], None, {}, ValueError, "target must be one hand position"),
        ([0.5, 0.5], "mixture", {}, TypeError, "params must be a MixtureParams"),
        ([0.5, 0.5], "1-D", {}, ValueError, "params must describe one mixture over two angles"),
        ([0.5, 0.5], None, {"min_weight": 0}, ValueError, "min_weight must be"),
        ([0.5, 0.5], None, {"min_weight": 2.0}, ValueError, r"min_weight must be in \(0, 1\]"),
    ],
)
def test_draw_proposals_refuses_bad_input(target, params, kwargs, error, words):
    good = _mixture([0.5, 0.5], [[0.5, 2.0], [1.0, 4.0]])
    if params is None:
        params = good
    elif params == "1-D":
        params = ml.MixtureParams(good.log_weights, good.means[..., :1], good.scales[..., :1])
    with pytest.raises(error, match=words):
        arm.draw_proposals(target, params, **kwargs)


# ----------------------------------------------------------------------------------------- the lesson's claim


def test_an_mdn_finds_both_elbows_where_an_mse_net_averages_them():
    """The lesson's result, with a shorter fit: the MDN's best pose lands on target, the MSE net's misses, and the
    MDN's test NLL lies above the true density's (the floor), by less than a nat."""
    x, y = arm.inverse_data(n=1000, seed=0)
    test_x, test_y = arm.inverse_data(n=500, seed=1)
    torch.manual_seed(0)
    mse_net = ml.MLP(2, 2)
    ml.fit(mse_net, x, y, steps=600)
    torch.manual_seed(0)
    mdn = ml.MDN(2, 2, n_components=3)
    ml.fit(mdn, x, y, steps=400)
    with torch.no_grad():
        mse_rms = arm.rms_hand_error(mse_net(test_x), test_x)
        params = mdn(test_x)
        mdn_nll = -float(mdn.log_prob(test_x, test_y).mean())
    mdn_rms = arm.rms_hand_error(most_probable_component_mean(params), test_x)
    assert mse_rms > 0.04 and mdn_rms < 0.01 and mse_rms > 5 * mdn_rms
    floor = -float(arm.true_log_prob(test_x, test_y).mean())
    assert floor < mdn_nll < floor + 1

    up, down = arm.inverse_kinematics(test_x)
    both = arm.within_limits(up) & arm.within_limits(down)
    heavy = params.log_weights.exp() > 0.1
    for solution in (up, down):
        gap = (params.means - solution[:, None, :]).norm(dim=2).masked_fill(~heavy, math.inf).min(dim=1).values
        assert float(gap[both].median()) < 0.02  # a heavy component sits on each exact answer
