import torch
from lesson_solutions import solution

import mdn_lessons as ml

true_shares = solution("07", "true_shares")
prob_above = solution("07", "prob_above")


def stub(*args): ...


def test_the_stubs_are_reported_as_not_attempted(capsys):
    for check in (ml.checks.lesson07.check_true_shares, ml.checks.lesson07.check_prob_above):
        for answer in (stub, ...):
            result = check(answer)
            assert not result.passed
            assert "not attempted yet" in result.problems[0]
    assert "❌" in capsys.readouterr().out


def test_correct_solutions_pass(capsys):
    assert ml.checks.lesson07.check_true_shares(true_shares).passed
    assert ml.checks.lesson07.check_prob_above(prob_above).passed
    assert capsys.readouterr().out.count("✅") == 2


def test_true_shares_mistakes_are_explained():
    # Forgetting that some curves are still flat: up = p, down = 1 - p.
    result = ml.checks.lesson07.check_true_shares(lambda n, p, h: (p, 1 - p, 0.0))
    assert not result.passed
    assert any("flat share" in problem and "(1 - h) ** n" in problem for problem in result.problems)

    # Shares that do not add up to one.
    result = ml.checks.lesson07.check_true_shares(lambda n, p, h: (p, 1 - p, (1 - h) ** n))
    assert any("add up to" in problem for problem in result.problems)

    result = ml.checks.lesson07.check_true_shares(lambda n, p, h: p)
    assert any("three numbers" in problem for problem in result.problems)

    result = ml.checks.lesson07.check_true_shares(42)
    assert result.problems == ["true_shares should be a function, got int"]


def test_prob_above_mistakes_are_explained():
    # Using the CDF instead of its complement gives P(y < threshold).
    def below(params, threshold):
        return 1 - prob_above(params, threshold)

    result = ml.checks.lesson07.check_prob_above(below)
    assert not result.passed and "expected" in result.problems[0] and "ndtr" in result.problems[0]

    # Forgetting the mixture weights sums K probabilities and can exceed 1.
    def unweighted(params, threshold):
        z = (threshold - params.means[..., 0]) / params.scales[..., 0]
        return torch.special.ndtr(-z).sum(dim=1)

    result = ml.checks.lesson07.check_prob_above(unweighted)
    assert not result.passed and "between 0 and 1" in result.problems[0]

    result = ml.checks.lesson07.check_prob_above(lambda params, threshold: torch.zeros(3))
    assert "shape (4,)" in result.problems[0]


def test_an_error_in_the_students_code_is_reported_not_raised():
    def broken(params, threshold):
        raise IndexError("index 3 is out of bounds")

    result = ml.checks.lesson07.check_prob_above(broken)
    assert not result.passed
    assert result.problems == ["your code raised IndexError: index 3 is out of bounds"]


# ------------------------------------------------------------------ Exercises 1 and 2: the model and the loop

RecurrentMDN = solution("07", "RecurrentMDN")
sample_futures = solution("07", "sample_futures")


class StubModel(torch.nn.Module):
    def __init__(self, n_components, hidden_size):
        super().__init__()
        # TODO: the layers
        ...

    def forward(self, x, state=None):
        # TODO: the forward pass
        ...


class LSTMWithOwnHead(torch.nn.Module):
    """Another right answer: an LSTM, and lesson 04's map written out instead of MixtureHead."""

    def __init__(self, n_components, hidden_size):
        super().__init__()
        self.rnn = torch.nn.LSTM(1, hidden_size, batch_first=True)
        self.linear = torch.nn.Linear(hidden_size, 3 * n_components)

    def forward(self, x, state=None):
        features, state = self.rnn(x, state)
        logits, means, raw_scales = self.linear(features).chunk(3, dim=-1)
        scales = torch.nn.functional.softplus(raw_scales) + 1e-3
        return ml.MixtureParams(torch.log_softmax(logits, -1), means[..., None], scales[..., None]), state


def test_the_model_and_loop_stubs_are_reported_as_not_attempted():
    for answer in (StubModel, ...):
        problems = ml.checks.lesson07.check_recurrent_mdn(answer).problems
        assert problems == [ml.checks.lesson07.MODEL_STUB]
    result = ml.checks.lesson07.check_sample_futures(stub)
    assert result.problems[0].startswith("not attempted yet")


def test_the_model_and_loop_solutions_pass_and_so_do_other_right_answers():
    assert ml.checks.lesson07.check_recurrent_mdn(RecurrentMDN).passed
    assert ml.checks.lesson07.check_recurrent_mdn(LSTMWithOwnHead).passed
    assert ml.checks.lesson07.check_recurrent_mdn(ml.checks.lesson07.ReferenceRecurrentMDN).passed
    assert ml.checks.lesson07.check_sample_futures(sample_futures).passed
    assert ml.checks.lesson07.check_sample_futures(ml.checks.lesson07.reference_sample_futures).passed


def test_reading_the_whole_sequence_again_at_every_step_is_slow_but_right():
    def read_it_all_again(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
        sequence, futures = warmup.expand(n_samples, -1, -1), []
        with torch.no_grad():
            for _ in range(n_steps):
                params, _ = model(sequence)  # state None: from the start every time
                last = ml.MixtureParams(*(part[:, -1] for part in params))
                value = last.mixture().sample(1, temperature, generator)[:, 0]
                futures.append(value)
                sequence = torch.cat([sequence, value[:, None]], dim=1)
        return torch.stack(futures, dim=1)

    assert ml.checks.lesson07.check_sample_futures(read_it_all_again).passed


def test_the_warm_up_may_be_read_once_and_its_state_copied():
    def warm_up_once(model, warmup, n_steps, n_samples, temperature=1.0, generator=None):
        with torch.no_grad():
            params, state = model(warmup[None])
            state = state.expand(-1, n_samples, -1).contiguous()
            last = ml.MixtureParams(*(part[:, -1].expand(n_samples, *part.shape[2:]) for part in params))
            futures = []
            for _ in range(n_steps):
                value = last.mixture().sample(1, temperature, generator)[:, 0]
                futures.append(value)
                params, state = model(value[:, None], state)
                last = ml.MixtureParams(*(part[:, -1] for part in params))
        return torch.stack(futures, dim=1)

    assert ml.checks.lesson07.check_sample_futures(warm_up_once).passed


def test_the_checkers_leave_the_global_random_state_alone():
    torch.manual_seed(3)
    before = torch.random.get_rng_state()
    ml.checks.lesson07.check_recurrent_mdn(RecurrentMDN)
    ml.checks.lesson07.check_sample_futures(sample_futures)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_the_lesson_goes_on_with_the_courses_answers_until_the_students_pass(capsys):
    failed = ml.checks.lesson07.check_recurrent_mdn(StubModel)
    passed = ml.checks.lesson07.check_recurrent_mdn(RecurrentMDN)
    capsys.readouterr()
    assert ml.checks.lesson07.recurrent_mdn_to_use(StubModel, failed) is ml.checks.lesson07.ReferenceRecurrentMDN
    assert "Exercise 1 is not solved yet" in capsys.readouterr().out
    assert ml.checks.lesson07.recurrent_mdn_to_use(RecurrentMDN, passed) is RecurrentMDN
    assert capsys.readouterr().out == ""

    failed = ml.checks.lesson07.check_sample_futures(stub)
    capsys.readouterr()
    fallback = ml.checks.lesson07.sample_futures_to_use(stub, failed)
    assert fallback is ml.checks.lesson07.reference_sample_futures
    assert "Exercise 2 is not solved yet" in capsys.readouterr().out


def test_the_reference_loop_carries_the_state_and_reads_back_its_samples():
    torch.manual_seed(0)
    model = ml.checks.lesson07.ReferenceRecurrentMDN(3, 4)
    warmup = torch.randn(5, 1)
    futures = ml.checks.lesson07.reference_sample_futures(
        model, warmup, 4, 3, generator=torch.Generator().manual_seed(1)
    )
    assert futures.shape == (3, 4, 1)
    # Each sampled step, read after the warm-up and the steps before it, is a draw from the mixture it was drawn
    # from: redraw step 3 with the generator's state at that point and compare.
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for t in range(4):
            history = torch.cat([warmup.expand(3, -1, -1), futures[:, :t]], dim=1)
            params, _ = model(history)
            last = ml.MixtureParams(*(part[:, -1] for part in params))
            assert torch.allclose(last.mixture().sample(1, 1.0, generator)[:, 0], futures[:, t], atol=1e-6)
