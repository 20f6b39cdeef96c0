"""Checkers for lesson 07 (MDN-RNN): the recurrent MDN's forward pass, the sample-and-feed-back loop, the true
shares of the futures, and reading a probability off a mixture.

Also the course's own answers to the first two exercises (:class:`ReferenceRecurrentMDN`,
:func:`reference_sample_futures`), which the lesson goes on with while the student's are not solved yet.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ..mixture import MixtureParams, mixture_log_prob
from ..models import MixtureHead
from ._core import (
    CaseCalls,
    CheckResult,
    NotAttempted,
    StudentCall,
    StudentCodeRaised,
    as_float,
    as_tensor,
    call_student,
    expect_function,
    expect_shape,
    is_stub,
    is_stub_function,
    run_check,
    show_difference,
    show_pair,
    tensors_close,
)

_SHARE_CASES = ((16, 0.7, 0.2), (5, 0.5, 0.1), (40, 0.9, 0.05), (1, 0.3, 1.0))
"""(n_steps, p_up, branch_prob): the lesson's own question first, then fresh ones."""

SHARE_TOL = 1e-6
"""Absolute and relative, on each share. The nearest slip, (1 - h)^(n-1) or (1 - h)^(n+1) for the flat share,
moves it by 0.0056 or more on the first three cases; float32 arithmetic on the shares is exact to 1e-7."""

PROB_TOL = 1e-4
"""Absolute, on each probability. The nearest slip, the variance σ² where σ belongs, moves some probability
on every case by 0.04 or more; float32 sums of K terms of ndtr are exact to about 1e-7."""

STUB = "not attempted yet: the value returned by `{}` is still `...`/None; fill in the exercise cell."


def _true_shares(n_steps: int, p_up: float, branch_prob: float) -> tuple[float, float, float]:
    still_flat = (1 - branch_prob) ** n_steps
    return p_up * (1 - still_flat), (1 - p_up) * (1 - still_flat), still_flat


def _three_numbers(answer, call: str, problems: list[str]) -> list[float] | None:
    """(up, down, flat) from a tuple, list, tensor or array of three numbers, or None with a problem."""
    if isinstance(answer, (torch.Tensor, np.ndarray)):
        size = answer.size if isinstance(answer, np.ndarray) else answer.numel()
        if size != 3:
            problems.append(f"{call} should return three numbers (up, down, flat), got shape {tuple(answer.shape)}")
            return None
        answer = list(answer.reshape(-1))
    if isinstance(answer, dict) or not isinstance(answer, (tuple, list)) or len(answer) != 3:
        shown = repr(answer) if isinstance(answer, (tuple, list)) else f"a {type(answer).__name__}"
        problems.append(f"{call} should return three numbers (up, down, flat), in that order, got {shown:.80}")
        return None
    numbers = [as_float(value, f"{call}[{i}]", problems) for i, value in enumerate(answer)]
    return None if None in numbers else numbers


def check_true_shares(true_shares) -> CheckResult:
    """Exercise 3: ``true_shares(n_steps, p_up, branch_prob)`` -> (up, down, flat) after n_steps from a flat start."""

    def test(problems: list[str]) -> None:
        if not expect_function(true_shares, "true_shares", problems):
            return
        expected_values = [_true_shares(*case) for case in _SHARE_CASES]
        calls = CaseCalls(
            true_shares,
            [dict(zip(("n_steps", "p_up", "branch_prob"), case, strict=True)) for case in _SHARE_CASES],
            name="true_shares",
            stub_message=STUB.format("true_shares"),
        )
        for index, expected in enumerate(expected_values):
            call = calls[index]
            numbers = _three_numbers(call.result, call.text, problems)
            if numbers is None:
                return
            found = []
            if abs(sum(numbers) - 1) > SHARE_TOL:
                found.append(
                    f"{call.text} returned shares that add up to {sum(numbers):.6f}; up + down + flat must be 1."
                )
            hints = (
                "It must have branched (probability 1 - flat share), and then gone up (probability p_up).",
                "",
                "A curve is still flat if it did not branch at any of the n_steps steps: (1 - h) ** n.",
            )
            for index in (2, 0, 1):
                name = ("up", "down", "flat")[index]
                value, wanted = numbers[index], expected[index]
                if not math.isclose(value, wanted, rel_tol=SHARE_TOL, abs_tol=SHARE_TOL):
                    shown, wanted_text = show_pair(value, wanted, SHARE_TOL)
                    found.append(
                        f"the {name} share of {call.text} is {shown}, expected about {wanted_text} "
                        f"(within {SHARE_TOL:g})." + (f" {hints[index]}" if hints[index] else "")
                    )
            if found:
                if calls.same_elsewhere(index):
                    found.insert(
                        0,
                        f"{call.text} returned the same shares as for another case: compute them from the "
                        "arguments n_steps, p_up and branch_prob.",
                    )
                problems.extend(found)
                return

    return run_check("Exercise 3 (true shares of the futures)", test)


def _test_mixtures() -> list[tuple[MixtureParams, list[float]]]:
    """(params, thresholds): four mixtures of three components, then six fresh ones of two components."""
    generator = torch.Generator().manual_seed(7)
    log_weights = torch.log_softmax(torch.randn(4, 3, generator=generator), dim=1)
    log_weights[0] = torch.log(torch.tensor([0.8, 0.14, 0.06]))
    means = torch.randn(4, 3, 1, generator=generator) * 0.3
    means[0, :, 0] = torch.tensor([0.0, 0.25, -0.25])
    scales = 0.02 + torch.rand(4, 3, 1, generator=generator) * 0.2
    fresh = torch.Generator().manual_seed(17)
    fresh_params = MixtureParams(
        torch.log_softmax(torch.randn(6, 2, generator=fresh), dim=1),
        torch.randn(6, 2, 1, generator=fresh),
        0.3 + torch.rand(6, 2, 1, generator=fresh),
    )
    return [(MixtureParams(log_weights, means, scales), [0.125, 0.0, -0.1]), (fresh_params, [0.4, -0.7])]


def _prob_above(params: MixtureParams, threshold: float) -> torch.Tensor:
    params = MixtureParams(*(t.double() for t in params))
    z = (threshold - params.means[..., 0]) / params.scales[..., 0]
    return (params.log_weights.exp() * torch.special.ndtr(-z)).sum(dim=1)


def check_prob_above(prob_above) -> CheckResult:
    """Exercise 4: ``prob_above(params, threshold)`` -> (N,) P(y > threshold) under each 1-D mixture."""

    def test(problems: list[str]) -> None:
        if not expect_function(prob_above, "prob_above", problems):
            return
        passed_before = False
        for params, thresholds in _test_mixtures():
            n = params.log_weights.shape[0]
            for threshold in thresholds:
                expected = _prob_above(params, threshold)
                call = call_student(
                    prob_above,
                    {"params": params, "threshold": threshold},
                    name="prob_above",
                    stub_message=STUB.format("prob_above"),
                )
                answer = call.result
                if isinstance(answer, torch.Tensor) and answer.numel() == n:
                    answer = answer.reshape(-1)
                answer = as_tensor(answer, (n,), f"{call.text} (one probability per mixture)", problems, returned=True)
                if answer is None:
                    return
                if tensors_close(answer, expected, atol=PROB_TOL, rtol=0):
                    passed_before = True
                    continue
                hint = (
                    " Each component contributes π_k · P(N(μ_k, σ_k²) > threshold)"
                    " = π_k · (1 - Φ((threshold - μ_k) / σ_k)); torch.special.ndtr is Φ."
                )
                if bool(((answer < -PROB_TOL) | (answer > 1 + PROB_TOL)).any()):
                    hint = " A probability must lie between 0 and 1." + hint
                if passed_before:
                    hint += " It was right on other mixtures: use the argument params, not notebook variables."
                problems.append(
                    f"{call.text}: {show_difference(answer, expected, PROB_TOL)}, expected within {PROB_TOL:g}.{hint}"
                )
                return

    return run_check("Exercise 4 (probability of going up next)", test)


# ------------------------------------------------------------------------------ Exercise 1: the recurrent MDN

RNN_TOL = 1e-5
"""Absolute, on every output of the student's model when the same inputs are read twice (float32 rounding of a
GRU over a dozen steps stays below 1e-6). Changing an input by 1 moves the outputs of a fresh model by 1e-3 or
more, far above this."""

WEIGHT_SUM_TOL = 1e-4
"""How far logsumexp of the log-weights over K may be from 0 (float32 log_softmax is exact to about 1e-7;
the slips, softmax weights or a softmax over the time axis, are off by 0.1 or more)."""

_MODEL_CASES = ((5, 16), (3, 8))
"""(n_components, hidden_size): the lesson's model first, then a fresh one."""

MODEL_STUB = "not attempted yet: `RecurrentMDN` is still `...` or its methods are; fill in the exercise cell."


def _class_is_stub(answer) -> bool:
    """True for ``...``, a stub function, or a class whose ``__init__`` or ``forward`` is still the stub."""
    if is_stub(answer):
        return True
    if not isinstance(answer, type):
        return is_stub_function(answer)
    methods = [answer.__dict__[name] for name in ("__init__", "forward") if name in answer.__dict__]
    return any(is_stub_function(method) for method in methods)


def _fresh_sequences(n: int, length: int, seed: int) -> torch.Tensor:
    """(n, length, 1) float32 steps of the size the lesson's data has (about ±0.25)."""
    generator = torch.Generator().manual_seed(seed)
    return 0.2 * torch.randn(n, length, 1, generator=generator)


def _read_output(call: StudentCall, n: int, t: int, k: int, problems: list[str]):
    """The student's (params, state) as float64 tensors (log_weights, means, scales) and the state, or None."""
    answer = call.result
    if isinstance(answer, MixtureParams) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        problems.append(
            f"{call.text} should return a pair (params, state): the mixture of every step and the recurrent "
            f"layer's final state, which generation needs to go on one step at a time; got {_describe(answer)}."
        )
        return None
    params, state = answer
    if not isinstance(params, (tuple, list)) or len(params) != 3:
        problems.append(
            f"the params returned by {call.text} should be a MixtureParams(log_weights, means, scales), got "
            f"{_describe(params)}."
        )
        return None
    shapes = ((n, t, k), (n, t, k, 1), (n, t, k, 1))
    tensors = []
    for name, part, shape in zip(("log_weights", "means", "scales"), params, shapes, strict=True):
        what = f"params.{name} of {call.text}"
        if isinstance(part, torch.Tensor) and tuple(part.shape) != shape:
            problems.append(f"{what} should have shape {shape}, got {tuple(part.shape)}.{_shape_hint(part, shape)}")
            return None
        if not expect_shape(part, shape, what, problems):
            return None
        tensors.append(part)
    return tensors, state


def _shape_hint(part: torch.Tensor, shape: tuple[int, ...]) -> str:
    n, t, k = shape[:3]
    got = tuple(part.shape)
    if len(shape) == 4 and got == (n, t, k):
        return " Keep a last axis of D = 1 feature, as the course's mixtures do: `.unsqueeze(-1)`."
    if got[:1] == (n,) and len(got) == len(shape) - 1 and got[1:] == shape[2:]:
        return " One mixture per step is needed: apply the head to the hidden state of every step, not only the last."
    if len(got) >= 2 and got[:2] == (t, n):
        return " The sequence axis and the batch axis are swapped: create the recurrent layer with batch_first=True."
    if len(got) >= 3 and got[:2] == (n, t) and got[2] != k:
        return f" K comes from the argument n_components (here {k})."
    return ""


def _describe(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _differ(first: list[torch.Tensor], second: list[torch.Tensor], index) -> float:
    """The largest absolute difference between two outputs at ``index`` (e.g. ``(slice(None), 3)``)."""
    return max(
        float((a[index].detach().double() - b[index].detach().double()).abs().max())
        for a, b in zip(first, second, strict=True)
    )


def _state_is_carried(model, x: torch.Tensor, full: list[torch.Tensor], split: int, problems: list[str]) -> bool:
    """Reading x[:, :split] then x[:, split:] from the returned state must give the outputs of reading x at once."""
    first = call_student(model, {"x": x[:, :split]}, name="model", stub_message=MODEL_STUB)
    pair = isinstance(first.result, (tuple, list)) and len(first.result) == 2
    if not pair or first.result[1] is None:
        got = _describe(first.result[1] if pair else first.result)
        problems.append(
            f"model(x[:, :{split}]) returned no state (got {got}): return the final state the recurrent layer "
            "gives back, so that generation can continue from it."
        )
        return False
    state = first.result[1]
    second = call_student(model, {"x": x[:, split:], "state": state}, name="model", stub_message=MODEL_STUB)
    n, t, k = full[0].shape
    read = _read_output(second, n, t - split, k, problems)
    if read is None:
        return False
    rest = [part[:, split:] for part in full]
    if _differ(read[0], rest, (slice(None),)) > RNN_TOL:
        problems.append(
            f"model(x[:, {split}:], state) does not continue where model(x[:, :{split}]) stopped: reading a "
            "sequence in two pieces, passing the state returned by the first, must give the same mixtures as "
            "reading it at once. Pass `state` to the recurrent layer (it starts from zeros when state is None)."
        )
        return False
    return True


def check_recurrent_mdn(recurrent_mdn) -> CheckResult:
    """Exercise 1: ``RecurrentMDN(n_components, hidden_size)``, an nn.Module whose ``forward(x, state=None)`` maps
    x (N, T, 1) to (MixtureParams with log_weights (N, T, K), means and scales (N, T, K, 1), final state)."""

    def test(problems: list[str]) -> None:
        if _class_is_stub(recurrent_mdn):
            raise NotAttempted(MODEL_STUB)
        if isinstance(recurrent_mdn, nn.Module) or not callable(recurrent_mdn):
            got = "None" if recurrent_mdn is None else type(recurrent_mdn).__name__
            if isinstance(recurrent_mdn, nn.Module):
                got = "a model; pass the class itself, RecurrentMDN, without ()"
            problems.append(f"RecurrentMDN should be a class derived from nn.Module, got {got}")
            return
        for case, (k, hidden) in enumerate(_MODEL_CASES):
            created = f"RecurrentMDN({k}, {hidden})"
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(700 + case)
                try:
                    model = recurrent_mdn(k, hidden)  # (n_components, hidden_size), as the exercise states
                except Exception as error:
                    raise StudentCodeRaised(
                        f"your code raised {type(error).__name__}: {error} (in {created})"
                    ) from error
            if not isinstance(model, nn.Module):
                problems.append(f"{created} should create a torch nn.Module, got {_describe(model)}")
                return
            model.eval()  # the checker's own copy: dropout, if any, off
            if not _one_model_is_right(model, k, hidden, 710 + case, problems):
                return

    return run_check("Exercise 1 (the recurrent MDN)", test)


def _one_model_is_right(model, k: int, hidden: int, seed: int, problems: list[str]) -> bool:
    n, t, now = 4, 9, 4
    created = f"RecurrentMDN({k}, {hidden})"
    parameters = [p for p in model.parameters() if p.requires_grad]
    if not parameters:
        problems.append(f"{created} has no trainable parameters: create its layers in __init__ (self.rnn = ...).")
        return False
    x = _fresh_sequences(n, t, seed)
    call = call_student(model, {"x": x}, name="model", stub_message=MODEL_STUB)
    read = _read_output(call, n, t, k, problems)
    if read is None:
        return False
    params, _ = read
    log_weights, means, scales = (part.detach().double() for part in params)
    if not all(bool(torch.isfinite(part).all()) for part in (log_weights, means, scales)):
        problems.append(f"{call.text} returned NaN or inf values: every weight, mean and scale must be finite.")
        return False
    if bool((scales <= 0).any()):
        problems.append(
            f"params.scales of {call.text} has values <= 0 (smallest {float(scales.min()):.3g}): a σ must be "
            "positive. Map the raw outputs through softplus (plus a small floor) or exp."
        )
        return False
    total = torch.logsumexp(log_weights, dim=-1)
    if not bool(torch.allclose(total, torch.zeros_like(total), atol=WEIGHT_SUM_TOL)):
        weights_given = bool((log_weights >= 0).all()) and bool(
            torch.allclose(log_weights.sum(-1), torch.ones_like(total), atol=WEIGHT_SUM_TOL)
        )
        hint = (
            "these are the weights π themselves, not their logs: use torch.log_softmax"
            if weights_given
            else "normalise the logits over the K components, the last axis: torch.log_softmax(logits, dim=-1)"
        )
        problems.append(
            f"params.log_weights of {call.text} are not log-probabilities over K: logsumexp over the last axis "
            f"ranges from {float(total.min()):.4f} to {float(total.max()):.4f} instead of 0; {hint}."
        )
        return False

    again = call_student(model, {"x": x}, name="model", stub_message=MODEL_STUB)
    read_again = _read_output(again, n, t, k, problems)
    if read_again is None:
        return False
    if _differ(read_again[0], params, (slice(None),)) > RNN_TOL:
        problems.append(
            f"{call.text} gave different mixtures when called twice on the same x (in eval mode): the forward "
            "pass must be a function of x and the state only."
        )
        return False

    others = x.clone()
    others[0] = _fresh_sequences(1, t, seed + 100)[0]
    changed = call_student(model, {"x": others}, name="model", stub_message=MODEL_STUB)
    read_changed = _read_output(changed, n, t, k, problems)
    if read_changed is None:
        return False
    if _differ(read_changed[0], params, (slice(1, None),)) > RNN_TOL:
        problems.append(
            "changing sequence 0 of x changed the mixtures of the other sequences: each sequence must be read "
            "on its own. x is batch first, (N, T, 1): create the recurrent layer with batch_first=True, and do "
            "not normalise across the batch."
        )
        return False

    later = x.clone()
    later[:, now + 1 :] = _fresh_sequences(n, t - now - 1, seed + 200) + 1.0
    changed = call_student(model, {"x": later}, name="model", stub_message=MODEL_STUB)
    read_changed = _read_output(changed, n, t, k, problems)
    if read_changed is None:
        return False
    if _differ(read_changed[0], params, (slice(None), slice(0, now + 1))) > RNN_TOL:
        problems.append(
            f"the mixture at step {now} changed when only the inputs after step {now} changed: the prediction "
            "made after reading x[:, :t + 1] may not look ahead (at generation time the future is not there to "
            "read). A bidirectional recurrent layer, or statistics over the whole sequence, look ahead."
        )
        return False

    current = x.clone()
    current[:, now] += 1.0
    changed = call_student(model, {"x": current}, name="model", stub_message=MODEL_STUB)
    read_changed = _read_output(changed, n, t, k, problems)
    if read_changed is None:
        return False
    if _differ(read_changed[0], params, (slice(None), now)) <= RNN_TOL:
        problems.append(
            f"the mixture at step {now} did not change when x[:, {now}] changed: entry t must be the prediction "
            "made after reading x[:, :t + 1], the step just read included (not one step behind, and not a "
            "constant)."
        )
        return False

    if not _state_is_carried(model, x, params, now, problems):
        return False

    if not any(part.requires_grad for part in params):
        problems.append(
            f"the params returned by {call.text} do not depend on the model's parameters (computed under "
            "torch.no_grad() or detached): training could not change them."
        )
        return False
    model.zero_grad()
    y = _fresh_sequences(n, t, seed + 300)
    loss = -mixture_log_prob(*params, y).mean()
    loss.backward()
    unused = [name for name, p in model.named_parameters() if p.requires_grad and p.grad is None]
    if unused:
        problems.append(
            f"the parameters {', '.join(unused[:3])} get no gradient from the mixture NLL: a layer created in "
            "__init__ is never used in forward (or its output is detached)."
        )
        return False
    return True


# ---------------------------------------------------------------------------- Exercise 2: the generation loop

SAMPLE_TOL = 1e-5
"""Absolute, on each sampled step: the reference draws with the same generator, so a right loop matches it to
float32 rounding (re-reading the whole sequence each step included); a slip changes the draws by 1e-2 or more."""

LOOP_STUB = "not attempted yet: sample_futures still returns nothing; fill in its body."


class ReferenceRecurrentMDN(nn.Module):
    """The course's answer to Exercise 1: a GRU reading one feature per step and the course's mixture head.

    ``forward(x, state=None)``: x (N, T, 1) -> (MixtureParams with log_weights (N, T, K), means and scales
    (N, T, K, 1), the GRU's final state (1, N, hidden_size)). Data units: no standardisation.
    """

    def __init__(self, n_components: int, hidden_size: int):
        super().__init__()
        self.rnn = nn.GRU(1, hidden_size, batch_first=True)
        self.head = MixtureHead(hidden_size, n_components, 1)

    def forward(self, x, state=None):
        features, state = self.rnn(x, state)
        return self.head(features), state


def reference_sample_futures(model, warmup, n_steps, n_samples, temperature=1.0, generator=None) -> torch.Tensor:
    """The course's answer to Exercise 2: (n_samples, n_steps, 1) steps sampled after the warm-up (P, 1)."""
    with torch.no_grad():
        params, state = model(warmup.expand(n_samples, -1, -1))
        futures = []
        for _ in range(n_steps):
            last = MixtureParams(*(part[:, -1] for part in params))  # the mixture over the next step
            value = last.mixture().sample(1, temperature, generator)[:, 0]  # (n_samples, 1)
            futures.append(value)
            params, state = model(value[:, None], state)
    return torch.stack(futures, dim=1)


class _RecordingModel(ReferenceRecurrentMDN):
    """The reference model, writing down what every call read: (x, state given or None)."""

    def __init__(self, n_components: int, hidden_size: int, seed: int):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            super().__init__(n_components, hidden_size)
            with torch.no_grad():  # well-separated components, so a slip changes the draws visibly
                self.head.linear.weight.mul_(20.0)
                self.rnn.weight_ih_l0.mul_(5.0)
        self.calls: list[tuple[torch.Tensor, torch.Tensor | None]] = []

    def forward(self, x, state=None):
        if not isinstance(x, torch.Tensor) or x.ndim != 3:
            raise ValueError(f"model expects x of shape (N, T, 1), got {_describe(x)}")
        self.calls.append((x.detach().clone(), None if state is None else state.detach().clone()))
        return super().forward(x, state)


_LOOP_CASES = (
    dict(length=5, n_steps=6, n_samples=4, temperature=1.0, seed=720),
    dict(length=3, n_steps=4, n_samples=3, temperature=0.5, seed=721),
)


def _histories(model: _RecordingModel) -> list[torch.Tensor]:
    """The whole sequence each call had read once it returned: its x after the history of the state it was given."""
    histories: list[torch.Tensor] = []
    finals: list[torch.Tensor] = []
    for x, state in model.calls:
        before = None
        if state is not None:
            for history, final in zip(histories, finals, strict=True):
                if final.shape[1] == 1 and state.shape[1] > 1:  # one warm-up read, its state copied to every row
                    final, history = final.expand_as(state), history.expand(state.shape[1], -1, -1)
                if final.shape == state.shape and bool(torch.allclose(final, state, atol=1e-6)):
                    before = history
        if state is not None and before is None:  # a state that no call returned: mark its history unknown
            before = torch.full((x.shape[0], 1, 1), float("nan"))
        history = x if before is None else torch.cat([before.expand(x.shape[0], -1, -1), x], dim=1)
        with torch.no_grad():
            _, final = ReferenceRecurrentMDN.forward(model, x, state)
        histories.append(history)
        finals.append(final)
    return histories


def _same_rows(history: torch.Tensor, wanted: torch.Tensor) -> bool:
    """True if ``history`` holds the sequences ``wanted`` (a history of one row may stand for identical rows)."""
    if history.shape[0] == 1 and history.shape[1:] == wanted.shape[1:]:
        history = history.expand_as(wanted)
    return history.shape == wanted.shape and bool(torch.allclose(history.double(), wanted.double(), atol=SAMPLE_TOL))


def _loop_problem(model: _RecordingModel, warmup: torch.Tensor, samples: torch.Tensor) -> str | None:
    """What the loop did wrong, read from the calls it made, or None if it read the right sequences."""
    n_samples, n_steps, _ = samples.shape
    samples = samples.float()  # what a float32 model reads
    histories = _histories(model)
    if not histories:
        return "it never called the model."
    for t in range(n_steps):
        wanted = torch.cat([warmup.expand(n_samples, -1, -1), samples[:, :t]], dim=1)
        if any(_same_rows(h, wanted) for h in histories):
            continue
        if t == 0:
            return (
                "it never read the whole warm-up: the first call reads the warm-up of every continuation, "
                "x of shape (n_samples, P, 1), with state None."
            )
        fresh = [x for x, state in model.calls if state is None and x.shape[1] < wanted.shape[1]]
        if len(fresh) > 1:
            return (
                "it restarted the hidden state: a call with state None that reads only the newest step forgets "
                "the warm-up and the steps before. Pass the state returned by the previous call (or re-read the "
                "whole sequence so far)."
            )
        same_length = [h for h in histories if h.shape == wanted.shape]
        if same_length:
            fed = same_length[0][:, -1, 0]
            return (
                f"the value it read at future step {t} is not the value sampled at step {t - 1} (read "
                f"{float(fed[0]):.4f}, sampled {float(samples[0, t - 1, 0]):.4f} for continuation 0). A generator "
                "reads back its own sample: at generation time there is no true next value to feed, and feeding "
                "anything else (a mean, the warm-up, a true value as in training) is not sampling the model."
            )
        return (
            f"no call read the warm-up followed by the first {t} sampled steps: read each sample back as the "
            "next input, with the state returned by the previous call."
        )
    return None


def check_sample_futures(sample_futures) -> CheckResult:
    """Exercise 2: ``sample_futures(model, warmup, n_steps, n_samples, temperature, generator)`` -> (n_samples,
    n_steps, 1) steps, each sampled from the model's mixture and read back as its next input."""

    def test(problems: list[str]) -> None:
        if not expect_function(sample_futures, "sample_futures", problems):
            return
        for case in _LOOP_CASES:
            n_samples, n_steps, temperature = case["n_samples"], case["n_steps"], case["temperature"]
            warmup = _fresh_sequences(1, case["length"], case["seed"])[0]
            reference = _RecordingModel(3, 4, case["seed"])
            expected = reference_sample_futures(
                reference, warmup, n_steps, n_samples, temperature, torch.Generator().manual_seed(case["seed"])
            )
            model = _RecordingModel(3, 4, case["seed"])
            call = call_student(
                sample_futures,
                {
                    "model": model,
                    "warmup": warmup,
                    "n_steps": n_steps,
                    "n_samples": n_samples,
                    "temperature": temperature,
                    "generator": torch.Generator().manual_seed(case["seed"]),
                },
                name="sample_futures",
                stub_message=LOOP_STUB,
            )
            shape = (n_samples, n_steps, 1)
            answer = call.result
            if isinstance(answer, torch.Tensor) and answer.ndim == 3 and answer.shape[1] == n_steps + len(warmup):
                problems.append(
                    f"{call.text} returned shape {tuple(answer.shape)}: return only the {n_steps} new steps, "
                    f"shape {shape}, not the warm-up."
                )
                return
            answer = as_tensor(answer, shape, f"{call.text} (the sampled steps)", problems)
            if answer is None:
                return
            if not bool(torch.isfinite(answer).all()):
                problems.append(f"{call.text} returned NaN or inf values.")
                return
            slip = _loop_problem(model, warmup, answer)
            if slip is not None:
                problems.append(f"{call.text}: {slip}")
                return
            if not tensors_close(answer, expected, atol=SAMPLE_TOL, rtol=0):
                hint = (
                    "It reads its samples back correctly, but draws other values than the reference with the same "
                    "generator: at each step, draw the next value of all n_samples continuations with one call "
                    "`.sample(1, temperature, generator)` on a batch of n_samples mixtures, those of the last "
                    "step read (params[:, -1])."
                )
                if temperature != 1.0:
                    at_one = reference_sample_futures(
                        _RecordingModel(3, 4, case["seed"]),
                        warmup,
                        n_steps,
                        n_samples,
                        1.0,
                        torch.Generator().manual_seed(case["seed"]),
                    )
                    if tensors_close(answer, at_one, atol=SAMPLE_TOL, rtol=0):
                        hint = "It ignores the temperature: pass it on to .sample(1, temperature, generator)."
                difference = show_difference(answer, expected, SAMPLE_TOL)
                problems.append(f"{call.text} (temperature {temperature:g}): {difference}. {hint}")
                return

    return run_check("Exercise 2 (the sample-and-feed-back loop)", test)


# ---------------------------------------------------------------------------- what the lesson goes on with

FALLBACK = (
    "Exercise {} is not solved yet (see its check), so the lesson goes on with the course's own\n"
    "{}. Once yours passes its check, run the cells from there again."
)


def recurrent_mdn_to_use(recurrent_mdn, result: CheckResult) -> type:
    """Your RecurrentMDN class if Exercise 1's check passed; else the course's, with a printed line."""
    if isinstance(result, CheckResult) and result.passed:
        return recurrent_mdn
    print(FALLBACK.format(1, "RecurrentMDN"))
    return ReferenceRecurrentMDN


def sample_futures_to_use(sample_futures, result: CheckResult):
    """Your sample_futures if Exercise 2's check passed; else the course's, with a printed line."""
    if isinstance(result, CheckResult) and result.passed:
        return sample_futures
    print(FALLBACK.format(2, "sample_futures"))
    return reference_sample_futures
