"""Argument checks shared by the public functions.

Every public function of the package validates at its boundary, so a student gets an error that names
the argument and says what is allowed instead of a NaN or a shape error from deep inside torch.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import torch


def positive_int(name: str, value, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a whole number >= {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value}")
    return int(value)


def positive_float(name: str, value, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0 (>= 0 with ``allow_zero``)."""
    bound = ">= 0" if allow_zero else "> 0"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a finite number {bound}, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value


def hidden_sizes(name: str, value) -> tuple[int, ...]:
    """Return a tuple of hidden-layer widths, each >= 1 (an empty tuple means no hidden layer)."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of layer widths such as (64, 64), got {value!r}")
    return tuple(positive_int(f"{name}[{i}]", width) for i, width in enumerate(value))


def float_tensor(name: str, value, *, finite: bool = True) -> torch.Tensor:
    """Convert ``value`` (tensor, array, list or number) to a float32 tensor, refusing NaN and inf."""
    if isinstance(value, torch.Tensor):
        if value.dtype == torch.bool or value.is_complex():
            raise TypeError(f"{name} must hold real numbers, got a tensor of dtype {value.dtype}")
        tensor = value.to(torch.float32)
    else:
        try:
            array = np.asarray(value, dtype=np.float32)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{name} must be a tensor or array of real numbers, got {type(value).__name__}: {error}"
            ) from None
        tensor = torch.from_numpy(array.copy())
    if finite and tensor.numel() and not bool(torch.isfinite(tensor).all()):
        bad = int((~torch.isfinite(tensor)).sum())
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); every value must be finite")
    return tensor


def feature_matrix(name: str, value, features: int | None = None) -> torch.Tensor:
    """A finite float32 tensor of shape (N, features).

    A 1-D tensor of length N is accepted as N samples of one feature and reshaped to (N, 1).
    """
    tensor = float_tensor(name, value)
    if tensor.ndim == 1:
        tensor = tensor.unsqueeze(1)
    if tensor.ndim != 2:
        raise ValueError(f"{name} must have shape (N, features), got shape {tuple(tensor.shape)}")
    if tensor.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one sample, got shape {tuple(tensor.shape)}")
    if features is not None and tensor.shape[1] != features:
        raise ValueError(
            f"{name} must have {features} feature column(s), shape (N, {features}); got shape {tuple(tensor.shape)}"
        )
    return tensor


def same_length(first: str, a: torch.Tensor, second: str, b: torch.Tensor) -> None:
    """Raise if two sample matrices do not hold the same number of samples."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{first} and {second} must hold the same number of samples, got {a.shape[0]} and {b.shape[0]}"
        )
