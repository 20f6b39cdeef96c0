"""Train the two stroke models of lesson 09 and save their weights as package data.

Lesson 09 compares a handwriting model whose mixture components are correlated (ρ learned) with one whose
components are diagonal (ρ fixed at 0). Training both well takes minutes on one CPU thread, more than a
lesson's budget, so this script trains them once and stores the state dicts in
``mdn_lessons/weights/``, where :func:`mdn_lessons.strokes.pretrained` loads them. The lesson can also
train from scratch with the same settings (``TRAINING`` below).

    .venv/bin/python -m tools.train_stroke_weights                 # the shipped weights (a few minutes)
    .venv/bin/python -m tools.train_stroke_weights --steps 3 --n 64 --out DIR   # a quick run (the tests)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

import mdn_lessons as ml
from mdn_lessons import strokes

OUT = Path(__file__).resolve().parents[1] / "mdn_lessons" / "weights"


def train(correlated: bool, steps: int, out: Path, n: int | None = None) -> Path:
    """Train one StrokeRNN with the settings of ``strokes.TRAINING`` and save its state dict; return the path.

    n: fewer training lines than the settings say (for a quick run).
    """
    settings = strokes.TRAINING
    lines = strokes.glyph_strokes(n or settings["n"], settings["length"], seed=settings["seed"])
    x, y = strokes.next_step_pairs(lines)
    torch.manual_seed(settings["seed"])
    model = strokes.StrokeRNN(settings["n_components"], settings["hidden_size"], correlated=correlated)
    start = time.perf_counter()
    history = ml.fit(model, x, y, steps=steps, **settings["fit"])
    path = out / strokes.weights_file(correlated)
    torch.save(model.state_dict(), path)
    print(
        f"{path.name}: {steps} steps in {time.perf_counter() - start:.0f} s, "
        f"final training NLL {history.final_loss:.3f} nats per row"
    )
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=strokes.TRAINING["steps"], help="optimiser updates per model")
    parser.add_argument("--out", type=Path, default=OUT, help="directory for the .pt files")
    parser.add_argument("--n", type=int, default=None, help="fewer training lines (a quick run)")
    parser.add_argument("--only", choices=["correlated", "diagonal"], help="train just one of the two models")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    for correlated in (True, False):
        if args.only is None or args.only == ("correlated" if correlated else "diagonal"):
            train(correlated, args.steps, args.out, args.n)


if __name__ == "__main__":
    main()
