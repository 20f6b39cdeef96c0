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
