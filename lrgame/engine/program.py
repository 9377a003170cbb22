"""A compiled loss as data: a small tree of numpy operations, and a cache of them.

sympy (in :mod:`.expr`) parses, checks and differentiates a loss once; importing it
alone costs a fifth of a second, more than the rest of a sweep. What it produces for
numpy is a handful of arithmetic operations and functions, so that is kept as a tree
(nested lists of plain values: an operation, its operands, parameter numbers, numbers)
in the user's cache folder, keyed by the expression and the parameter names. A later
run of the same level reads the tree, checks it node by node against a short
whitelist, and evaluates it with numpy: no sympy, and nothing in the file is ever
executed. The tree is read from the code sympy's ``lambdify`` writes, operation by
operation in the same order, so a loss evaluates to the same bits with or without
the cache.

This module needs no sympy; it also holds what the level checks need without it
(``ExprError``, ``check_param_name``).
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import keyword
import math
import operator
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

#: Functions and constants an expression may use (``expr`` builds each with sympy).
FUNCTIONS: frozenset[str] = frozenset(
    ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh")
)
CONSTANTS: frozenset[str] = frozenset(("pi", "e"))
RESERVED: frozenset[str] = FUNCTIONS | CONSTANTS
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")


class ExprError(ValueError):
    """A bad expression.

    ``message`` is a sentence for the level author; ``offset`` is the 0-based
    character offset in the expression text where the fault is, if known.
    """

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset


def check_param_name(name: str) -> None:
    """Raise ExprError unless ``name`` can name a parameter.

    A name is a letter followed by up to 31 letters, digits or underscores; it
    may not be a Python keyword, nor a function or constant of expressions.
    """
    if not isinstance(name, str):
        raise ExprError(f"a parameter name must be text, not {type(name).__name__}")
    if not name:
        raise ExprError("a parameter name may not be empty")
    if name.startswith("_"):
        raise ExprError(f"parameter name {name!r} may not start with '_'")
    if not _NAME_RE.fullmatch(name):
        raise ExprError(
            f"{name!r} is not a valid parameter name: "
            "use a letter followed by up to 31 letters, digits or '_'"
        )
    if keyword.iskeyword(name):
        raise ExprError(f"{name!r} is a Python keyword and cannot name a parameter")
    if name in RESERVED:
        kind = "function" if name in FUNCTIONS else "constant"
        raise ExprError(f"{name!r} is a {kind} of expressions and cannot name a parameter")


# -- the tree ------------------------------------------------------------------------
#
#   ["arg", i]            the i-th parameter's column
#   ["num", v]            an int or a finite float
#   ["neg", a]            -a
#   [op, a, b]            op in add sub mul div pow: Python's operator on a and b
#   ["call", f, a]        f in _CALLS, a numpy function
#   ["const", c]          pi or e

_BINARY: dict[str, Callable] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
}
_AST_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
#: What lambdify's numpy code calls, by the name it calls it (derivatives add ``sign``).
_CALLS: dict[str, Callable] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "abs": np.absolute,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "sign": np.sign,
}
_CONSTS: dict[str, float] = {"pi": np.pi, "e": np.e}
MAX_TREE_NODES = 100_000
MAX_TREE_DEPTH = 400
_Tree = list


class TreeError(ValueError):
    """A tree that is not one this module writes."""


def tree_from_source(source: str, args: Sequence[str], namespace: dict) -> list[_Tree]:
    """The return value of one lambdified function's source, as trees (one per item
    when it returns a list). ``namespace`` is the function's globals: every name it
    calls must be the very object this module would call. Raises TreeError."""
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise TreeError(f"unreadable source: {exc}") from None
    body = module.body
    if len(body) != 1 or not isinstance(body[0], ast.FunctionDef):
        raise TreeError("expected one function")
    returns = [n for n in body[0].body if isinstance(n, ast.Return)]
    if len(body[0].body) != 1 or len(returns) != 1 or returns[0].value is None:
        raise TreeError("expected a function that only returns a value")
    index = {name: i for i, name in enumerate(args)}
    value = returns[0].value
    items = value.elts if isinstance(value, ast.List) else [value]
    return [_from_ast(item, index, namespace, 0) for item in items]


def _from_ast(node: ast.AST, index: dict[str, int], namespace: dict, depth: int) -> _Tree:
    if depth > MAX_TREE_DEPTH:
        raise TreeError("too deep")
    deeper = depth + 1
    if isinstance(node, ast.BinOp) and type(node.op) in _AST_BINARY:
        return [
            _AST_BINARY[type(node.op)],
            _from_ast(node.left, index, namespace, deeper),
            _from_ast(node.right, index, namespace, deeper),
        ]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return ["neg", _from_ast(node.operand, index, namespace, deeper)]
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return ["num", node.value]
    if isinstance(node, ast.Name):
        if node.id in index:
            return ["arg", index[node.id]]
        if node.id in _CONSTS and namespace.get(node.id) == _CONSTS[node.id]:
            return ["const", node.id]
        raise TreeError(f"unknown name {node.id}")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and len(node.args) == 1
        and not node.keywords
        and node.func.id in _CALLS
        and namespace.get(node.func.id) is _CALLS[node.func.id]
    ):
        return ["call", node.func.id, _from_ast(node.args[0], index, namespace, deeper)]
    raise TreeError(f"not in the whitelist: {ast.dump(node)[:80]}")


def check_tree(tree: object, n_args: int) -> None:
    """Raise TreeError unless ``tree`` is exactly a tree of this module's form."""
    count = 0
    todo = [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        count += 1
        if count > MAX_TREE_NODES or depth > MAX_TREE_DEPTH:
            raise TreeError("too large")
        if not isinstance(node, list) or not node or not isinstance(node[0], str):
            raise TreeError("not a node")
        kind, rest = node[0], node[1:]
        if kind == "arg":
            if not (len(rest) == 1 and type(rest[0]) is int and 0 <= rest[0] < n_args):
                raise TreeError("bad parameter number")
        elif kind == "num":
            ok = len(rest) == 1 and type(rest[0]) in (int, float)
            if not ok or (type(rest[0]) is float and not math.isfinite(rest[0])):
                raise TreeError("bad number")
        elif kind == "const":
            if not (len(rest) == 1 and rest[0] in _CONSTS):
                raise TreeError("bad constant")
        elif kind == "neg":
            if len(rest) != 1:
                raise TreeError("bad negation")
            todo.append((rest[0], depth + 1))
        elif kind in _BINARY:
            if len(rest) != 2:
                raise TreeError("bad operation")
            todo.extend((child, depth + 1) for child in rest)
        elif kind == "call":
            if not (len(rest) == 2 and rest[0] in _CALLS):
                raise TreeError("bad call")
            todo.append((rest[1], depth + 1))
        else:
            raise TreeError(f"unknown node {kind[:20]!r}")


def evaluator(tree: _Tree) -> Callable[[list[np.ndarray]], object]:
    """A function of the parameter columns computing a checked tree, the same numpy
    operations in the same order as the code it was read from."""
    kind = tree[0]
    if kind == "arg":
        i = tree[1]
        return lambda cols: cols[i]
    if kind == "num":
        value = tree[1]
        return lambda cols: value
    if kind == "const":
        value = _CONSTS[tree[1]]
        return lambda cols: value
    if kind == "neg":
        inner = evaluator(tree[1])
        return lambda cols: -inner(cols)
    if kind == "call":
        fn, inner = _CALLS[tree[1]], evaluator(tree[2])
        return lambda cols: fn(inner(cols))
    op, left, right = _BINARY[kind], evaluator(tree[1]), evaluator(tree[2])
    return lambda cols: op(left(cols), right(cols))


# -- a compiled loss, from sympy or from the cache -------------------------------------


def as_column(value: object, n: int) -> np.ndarray:
    """A computed result (array or scalar) as a float64 array of shape (n,)."""
    arr = np.asarray(value)
    if np.iscomplexobj(arr):
        arr = np.where(arr.imag == 0, arr.real, np.nan)
    arr = arr.astype(np.float64, copy=False)
    return np.array(np.broadcast_to(arr, (n,)), dtype=np.float64)


def _columns(P: np.ndarray, d: int) -> tuple[int, list[np.ndarray]]:
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != d:
        raise ValueError(f"expected points of shape (n, {d}), got {P.shape}")
    return P.shape[0], [P[:, j] for j in range(d)]


def evaluate_loss(fn: Callable, P: np.ndarray, d: int) -> np.ndarray:
    """``fn`` of the columns of ``P`` (shape (n, d)) as shape (n,): overflow gives inf or
    nan, never a warning or an exception."""
    n, columns = _columns(P, d)
    with np.errstate(all="ignore"):
        try:
            return as_column(fn(*columns), n)
        except (ArithmeticError, ValueError, TypeError):
            return np.full(n, np.nan)


def evaluate_grad(fn: Callable, P: np.ndarray, d: int) -> np.ndarray:
    """``fn`` of the columns of ``P``, a list of d slopes, as shape (n, d)."""
    n, columns = _columns(P, d)
    out = np.empty((n, d), dtype=np.float64)
    with np.errstate(all="ignore"):
        try:
            for j, value in enumerate(fn(*columns)):
                out[:, j] = as_column(value, n)
        except (ArithmeticError, ValueError, TypeError):
            out.fill(np.nan)
    return out


class Program:
    """A loss and its gradient as checked trees, with the texts shown to the player."""

    def __init__(
        self,
        names: Sequence[str],
        loss: _Tree,
        grad: list[_Tree],
        loss_text: str,
        slopes: dict[str, str],
    ):
        self.names = tuple(names)
        self.trees = {"loss": loss, "grad": grad}
        loss_of, slopes_of = evaluator(loss), [evaluator(t) for t in grad]
        #: Functions of the parameter columns, called as lambdify's are.
        self.loss_fn = lambda *cols: loss_of(cols)
        self.grad_fn = lambda *cols: [slope(cols) for slope in slopes_of]
        self._loss_text = loss_text
        self._slopes = dict(slopes)

    def loss(self, P: np.ndarray) -> np.ndarray:
        """The loss at each row of ``P`` (shape (n, d)) -> float64 array of shape (n,)."""
        return evaluate_loss(self.loss_fn, P, len(self.names))

    @property
    def step_work(self) -> int:
        """Operations of one evaluation of loss and gradient at a point: the trees'
        nodes. Counted from the trees themselves, so a loss read from the cache costs
        exactly what it cost when compiled (levels' cost limits use it)."""
        count, todo = 0, [self.trees["loss"], *self.trees["grad"]]
        while todo:
            node = todo.pop()
            count += 1
            todo.extend(child for child in node[1:] if isinstance(child, list))
        return count

    def grad(self, P: np.ndarray) -> np.ndarray:
        """The exact gradient at each row of ``P`` (shape (n, d)) -> shape (n, d)."""
        return evaluate_grad(self.grad_fn, P, len(self.names))

    def slope_formulas(self) -> dict[str, str]:
        return dict(self._slopes)

    def loss_text(self) -> str:
        return self._loss_text

    # -- stored ------------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "names": list(self.names),
                "loss": self.trees["loss"],
                "grad": self.trees["grad"],
                "loss_text": self._loss_text,
                "slopes": self._slopes,
            }
        )

    @classmethod
    def from_json(cls, text: str, names: Sequence[str]) -> Program:
        """A stored program, checked in full; raises TreeError (or ValueError)."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise TreeError("not a stored program of this format")
        if data.get("names") != list(names):
            raise TreeError("for other parameters")
        grad, slopes, loss_text = data.get("grad"), data.get("slopes"), data.get("loss_text")
        if not isinstance(grad, list) or len(grad) != len(names):
            raise TreeError("bad gradient")
        if not isinstance(loss_text, str) or not isinstance(slopes, dict):
            raise TreeError("bad texts")
        if list(slopes) != list(names) or not all(isinstance(v, str) for v in slopes.values()):
            raise TreeError("bad slope texts")
        for tree in [data.get("loss"), *grad]:
            check_tree(tree, len(names))
        return cls(names, data["loss"], grad, loss_text, slopes)


# -- the cache -------------------------------------------------------------------------

FORMAT = 1
CACHE_ENV = "LRGAME_CACHE_DIR"
#: The cache stops growing past this many losses (a few kB each).
MAX_CACHED = 5000


def cache_root() -> Path:
    """lrgame's cache folder (``LRGAME_CACHE_DIR``, else the user cache folder)."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_cache_dir("lrgame"))


def cache_dir() -> Path:
    return cache_root() / "losses"


def _sympy_stamp() -> str:
    """Which sympy wrote a tree (its files' place and age), found without importing it."""
    import importlib.util

    with contextlib.suppress(Exception):
        spec = importlib.util.find_spec("sympy")
        if spec is not None and spec.origin:
            return f"{spec.origin}:{os.stat(spec.origin).st_mtime_ns}"
    return "?"


def cache_key(text: str, names: Sequence[str]) -> str:
    payload = json.dumps([FORMAT, _sympy_stamp(), np.__version__, text, list(names)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def load_cached(text: str, names: Sequence[str]) -> Program | None:
    """The stored program of this loss, if there is a good one."""
    try:
        path = cache_dir() / f"{cache_key(text, names)}.json"
        if path.stat().st_size > 4_000_000:
            return None
        return Program.from_json(path.read_text("utf-8"), names)
    except (OSError, ValueError, RecursionError, TypeError, KeyError):
        return None  # missing, unreadable or not ours: sympy compiles it again


def store(text: str, names: Sequence[str], program: Program) -> None:
    """Keep ``program`` for next time; any failure only means no cache."""
    with contextlib.suppress(OSError, ValueError):
        write_cached(cache_dir(), f"{cache_key(text, names)}.json", program.to_json(), MAX_CACHED)


def write_cached(folder: Path, name: str, text: str, most: int) -> None:
    """Write ``text`` as ``folder/name`` whole or not at all (a temporary file renamed
    over it), unless the folder already holds ``most`` files; raises OSError."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if sum(1 for _ in zip(range(most), folder.iterdir())) >= most:
        return
    path = folder / name
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(text, "utf-8")
    os.replace(temp, path)
