"""The activations and the loss of the network kind (``network``), shared by a run's
step (``network.Network``) and a sweep's own loop (``network_sweep``), so that both do
the same operations and give the same numbers."""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("tanh", "relu", "sigmoid")


def sigmoid(z: np.ndarray, e: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + exp(-z)) without overflow for any z (``e``: exp(-|z|) if known)."""
    e = np.exp(-np.abs(z)) if e is None else e
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def bce_with_logits(z: np.ndarray, y: np.ndarray, e: np.ndarray | None = None) -> np.ndarray:
    """Mean binary cross-entropy of sigmoid(z) against labels y, over the last axis
    (``e``: exp(-|z|) if known)."""
    e = np.exp(-np.abs(z)) if e is None else e
    return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(e), axis=-1)


def _act(name: str, z: np.ndarray, out: np.ndarray) -> None:
    """The activation of z, written into ``out``."""
    if name == "tanh":
        np.tanh(z, out=out)
    elif name == "relu":
        np.maximum(z, 0.0, out=out)
    else:
        out[...] = sigmoid(z)


def _act_slope(
    name: str, z: np.ndarray, h: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """d act / d z at z, given h = act(z), written into ``out`` if given. ReLU's slope at
    0 is 0, as in PyTorch."""
    slope = np.multiply(h, h, out=out) if name == "tanh" else np.subtract(1.0, h, out=out)
    if name == "tanh":
        return np.subtract(1.0, slope, out=slope)
    if name == "relu":
        return np.greater(z, 0, out=slope)  # 1.0 where z > 0, else 0.0
    return np.multiply(slope, h, out=slope)
