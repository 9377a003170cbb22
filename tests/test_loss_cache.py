"""The cache of compiled losses (lrgame/engine/program.py): the same numbers with or
without it, and a file in it that is not exactly ours is never used."""

import json

import numpy as np
import pytest

from lrgame.engine import program
from lrgame.engine.expr import compile_loss
from lrgame.engine.landscape import ExpressionLandscape

LOSSES = [
    ("x**2 + 10*y**2", ("x", "y")),
    ("(1 - x)**2 + 100*(y - x**2)**2", ("x", "y")),
    ("sin(x)*exp(-y**2/3) + abs(x - 1) + sqrt(x**2 + 1) + log(1 + y**2) + tanh(x)", ("x", "y")),
    ("pi*w**2 + e*w - 1/3*w + 0.1*w**3 + (w - 1)**4 + cosh(w/10) + sinh(w/10)", ("w",)),
]
POINTS = np.random.default_rng(7).normal(size=(400, 2)) * 3


def _points(names):
    return POINTS[:, : len(names)]


@pytest.mark.parametrize(("text", "names"), LOSSES)
def test_the_tree_computes_the_same_bits_as_sympy_s_own_code(text, names):
    compiled = compile_loss(text, names)
    assert compiled.program is not None
    P = _points(names)
    with np.errstate(all="ignore"):
        expected_loss = np.asarray(compiled._loss_fn(*P.T), dtype=float)
        expected_grad = [np.asarray(g, dtype=float) for g in compiled._grad_fn(*P.T)]
    assert np.array_equal(compiled.loss(P), np.broadcast_to(expected_loss, (len(P),)))
    got = compiled.grad(P)
    for j, g in enumerate(expected_grad):
        assert np.array_equal(got[:, j], np.broadcast_to(g, (len(P),)), equal_nan=True)


@pytest.mark.parametrize(("text", "names"), LOSSES)
def test_a_cached_loss_is_the_compiled_one(text, names):
    first = ExpressionLandscape(text, dict.fromkeys(names, 1.0))
    assert not isinstance(first._compiled, program.Program)  # compiled by sympy, then stored
    again = ExpressionLandscape(text, dict.fromkeys(names, 1.0))
    assert isinstance(again._compiled, program.Program)  # read back
    P = _points(names)
    assert np.array_equal(first.loss(P), again.loss(P), equal_nan=True)
    assert np.array_equal(first.grad(P), again.grad(P), equal_nan=True)
    assert first.slope_formulas() == again.slope_formulas()
    assert first.loss_formula() == again.loss_formula()


def _stored(text, names):
    ExpressionLandscape(text, dict.fromkeys(names, 1.0))
    path = program.cache_dir() / f"{program.cache_key(text, names)}.json"
    return path, json.loads(path.read_text())


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["loss"].__setitem__(0, "call_method"),
        lambda d: d.__setitem__("loss", ["call", "system", ["arg", 0]]),
        lambda d: d.__setitem__("loss", ["call", "__import__", ["num", 1]]),
        lambda d: d.__setitem__("loss", ["arg", 5]),
        lambda d: d.__setitem__("loss", ["num", "1e9"]),
        lambda d: d.__setitem__("loss", ["num", True]),
        lambda d: d.__setitem__("grad", d["grad"][:1]),
        lambda d: d.__setitem__("names", ["a", "b"]),
        lambda d: d.__setitem__("format", 999),
        lambda d: d.__setitem__("slopes", {"x": 1}),
    ],
)
def test_a_tampered_cache_file_is_ignored_and_the_loss_compiled_again(tamper):
    text, names = LOSSES[0]
    path, data = _stored(text, names)
    tamper(data)
    path.write_text(json.dumps(data))
    assert program.load_cached(text, names) is None
    landscape = ExpressionLandscape(text, dict.fromkeys(names, 1.0))
    assert not isinstance(landscape._compiled, program.Program)
    P = _points(names)
    assert np.array_equal(landscape.loss(P), P[:, 0] ** 2 + 10 * P[:, 1] ** 2)


def test_garbage_and_deep_nesting_in_the_cache_are_ignored():
    text, names = LOSSES[0]
    path, _ = _stored(text, names)
    for junk in ("not json", "[" * 100_000, json.dumps({"format": 1})):
        path.write_text(junk)
        assert program.load_cached(text, names) is None
    deep = ["num", 1]
    for _ in range(program.MAX_TREE_DEPTH + 5):
        deep = ["neg", deep]
    with pytest.raises(program.TreeError):
        program.check_tree(deep, 2)


def test_a_bad_expression_is_refused_as_before_and_nothing_is_stored():
    with pytest.raises(program.ExprError):
        ExpressionLandscape("__import__('os')", {"x": 1.0})
    assert not list(program.cache_dir().glob("*.json"))
