"""Loss expressions from level files: a whitelist parser and exact, vectorised gradients.

Level files are untrusted text, so an expression is never handed to ``eval``,
``exec``, ``sympify`` or ``parse_expr``. Python's own parser turns the text
into a syntax tree (``ast.parse(..., mode="eval")``, which only builds the
tree), and a walker that knows a short whitelist of node kinds builds the
sympy expression with sympy's constructors. Anything else is refused with a
message that names what was found.

Hard limits keep a hostile or careless file from hanging the game or
exhausting memory. They count work, never the clock, so a verdict is the same on
an idle machine and a busy one: the text length, the nesting depth, the number of
parts, the size of every literal, constant parts that overflow, constant exponents
above 1000, numbers that would grow too large inside sympy, how deeply functions
nest (sympy's assumption system is exponential in that depth), and the size of the
slopes, estimated from the syntax tree before sympy differentiates anything (a
product of k factors has k terms of k factors in its slope). Each compiled
evaluation then costs at most MAX_WORK operations per point. A last guard, for
shapes no limit above foresaw, stops sympy after CPU_LIMIT seconds of the working
thread's own CPU time (not wall-clock time: a loaded machine does not trip it).

The gradient is exact: sympy differentiates the expression once per parameter
and ``lambdify`` compiles loss and gradient to numpy code, evaluated on a
whole array of points at a time under ``np.errstate(all="ignore")``, so a step
that overflows yields inf or nan instead of a warning or an exception.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

import numpy as np
import sympy

from .program import (
    CONSTANTS,
    FUNCTIONS,
    RESERVED,
    ExprError,
    Program,
    TreeError,
    check_param_name,
    evaluate_grad,
    evaluate_loss,
    tree_from_source,
)

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LITERAL",
    "MAX_NODES",
    "MAX_TEXT_LENGTH",
    "RESERVED",
    "CPU_LIMIT",
    "MAX_FUNCTION_DEPTH",
    "MAX_WORK",
    "CompiledLoss",
    "ExprError",
    "check_param_name",
    "compile_loss",
    "parse_expression",
]

#: Longest expression text accepted (checked before parsing).
MAX_TEXT_LENGTH = 2000
#: Deepest nesting accepted. A chain of + and - (or of * and /) counts as one level.
MAX_DEPTH = 40
#: Most syntax-tree parts (numbers, names, operations, calls) accepted.
MAX_NODES = 500
#: Largest magnitude of a number written in an expression.
MAX_LITERAL = 1e12
#: Largest magnitude of an exponent that contains no parameter.
MAX_EXPONENT = 1000
#: Deepest nest of functions (and of powers with a parameter in the exponent) accepted.
#: sympy's assumption system is exponential in it: 20 nested cosh take minutes, and
#: mixed nests of 6 up to seconds; 4 deep takes well under a second.
MAX_FUNCTION_DEPTH = 4
#: Most parts (sympy tree nodes) in the loss and all its slopes together: the numpy
#: operations of one evaluation of loss and gradient. Estimated from the syntax tree
#: before sympy runs, and counted exactly after. A product of 70 factors has about
#: 15,000 and takes sympy a second to differentiate and compile.
MAX_WORK = 10_000
#: Seconds of CPU time (of the thread doing the work, not wall-clock time) that sympy
#: may spend in one call of parse_expression, CompiledLoss or compile_loss: a guard
#: for shapes the structural limits above did not foresee. Ordinary losses take
#: milliseconds. CPython on a system with per-thread CPU clocks only.
CPU_LIMIT = 5.0

# An exact constant part whose numerator or denominator exceeds this many bits
# is kept as a float instead (so 2**1000 does not become a 302-digit integer).
_MAX_EXACT_CONSTANT_BITS = 256
# Refuse a power of an expression with parameters when (bits of the largest
# exact number in the base) * |exponent| exceeds this: sympy would multiply out
# the coefficient, e.g. ((2*x)**1000)**1000 has a coefficient of 2**1000000.
_MAX_POWER_BITS = 10_000
# Refuse an expression or slope holding an exact number above this many bits.
_MAX_NUMBER_BITS = 4_000
_MAX_SHOWN = 40  # characters of source quoted in a message

_T = TypeVar("_T")


_SYMPY_FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "tanh": sympy.tanh,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
}
_MATH_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
}
_SYMPY_CONSTANTS: dict[str, tuple[sympy.Expr, float]] = {
    "pi": (sympy.pi, math.pi),
    "e": (sympy.E, math.e),
}

assert frozenset(_SYMPY_FUNCTIONS) == FUNCTIONS and frozenset(_SYMPY_CONSTANTS) == CONSTANTS

_AVAILABLE = ", ".join(sorted(FUNCTIONS))

_OPERATOR_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.BitXor: "^",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
}
_REFUSED_OPERATORS: dict[type[ast.AST], str] = {
    ast.BitXor: "'^' is not an operator here: write ** for powers",
    ast.Mod: "'%' is not allowed",
    ast.FloorDiv: "'//' is not allowed: write / for division",
    ast.MatMult: "'@' is not allowed",
    ast.LShift: "'<<' is not allowed",
    ast.RShift: "'>>' is not allowed",
    ast.BitOr: "'|' is not allowed",
    ast.BitAnd: "'&' is not allowed",
}
_REFUSED_UNARY: dict[type[ast.AST], str] = {
    ast.Not: "'not' is not allowed",
    ast.Invert: "'~' is not allowed",
}
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.IfExp: "conditional expressions ('... if ... else ...') are not allowed",
    ast.Compare: "comparisons ('<', '==', ...) are not allowed",
    ast.BoolOp: "'and' and 'or' are not allowed",
    ast.NamedExpr: "assignment (':=') is not allowed",
    ast.List: "lists ('[...]') are not allowed",
    ast.Tuple: "tuples (',') are not allowed",
    ast.Set: "sets ('{...}') are not allowed",
    ast.Dict: "dictionaries ('{...}') are not allowed",
    ast.JoinedStr: "strings are not allowed in expressions",
    ast.FormattedValue: "strings are not allowed in expressions",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Slice: "slices are not allowed",
}


class _OutOfTime(BaseException):
    """Raised into a thread whose sympy work used up its CPU time.

    A BaseException, so that sympy's own ``except Exception`` clauses let it through.
    """


def _async_exc_setters() -> tuple[Callable[..., int], Callable[..., int]] | None:
    try:
        import ctypes

        name = "PyThreadState_SetAsyncExc"
        raise_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
            (name, ctypes.pythonapi)
        )
        clear_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
            (name, ctypes.pythonapi)
        )
    except (ImportError, AttributeError, OSError):  # not CPython: no guard
        return None
    return raise_in, clear_in


_ASYNC_EXC = _async_exc_setters()
_guard_state = threading.local()


def _thread_cpu_clock() -> int | None:
    """The CPU-time clock of the calling thread, or None where there is none."""
    try:
        return time.pthread_getcpuclockid(threading.get_ident())
    except (AttributeError, OSError):
        return None


class _CpuGuard:
    """Interrupt the calling thread with _OutOfTime once it has used ``seconds`` of CPU.

    A watchdog thread reads the worker's own CPU clock (so time spent waiting for a
    busy machine does not count) and raises the exception asynchronously (between two
    bytecodes of the worker, so only Python code such as sympy is interrupted) while
    holding a lock; ``finish`` takes the same lock, marks the work done and clears an
    exception that was raised but not yet delivered, so none can escape after it returns.
    """

    POLL = 0.05  # seconds between two looks at the worker's clock

    def __init__(self, seconds: float, clock: int):
        self.seconds = seconds
        self.clock = clock
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.done = False
        self.fired = False
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.limit = time.clock_gettime(self.clock) + self.seconds
        self.thread = threading.Thread(target=self._watch, name="lrgame-expr-guard", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        assert _ASYNC_EXC is not None
        raise_in = _ASYNC_EXC[0]
        tries = 0
        while not self.stop.wait(self.POLL):
            try:
                used_up = time.clock_gettime(self.clock) >= self.limit
            except OSError:  # the worker thread is gone
                return
            if not used_up:
                continue
            with self.lock:
                if self.done:
                    return
                self.fired = True
                raise_in(self.thread_id, _OutOfTime)
            tries += 1
            if tries >= 20:  # raised again in case some handler swallowed it; then give up
                return
            self.stop.wait(0.25)

    def finish(self) -> None:
        with self.lock:
            if not self.done:
                self.done = True
                if self.fired:
                    assert _ASYNC_EXC is not None
                    _ASYNC_EXC[1](self.thread_id, None)
        self.stop.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(1.0)


def _within_cpu(work: Callable[[], _T], what: str) -> _T:
    """Run ``work`` under the CPU_LIMIT guard; past it, raise ExprError."""
    clock = _thread_cpu_clock()
    if (
        _ASYNC_EXC is None
        or clock is None
        or getattr(_guard_state, "active", False)
        or CPU_LIMIT <= 0
    ):
        return work()
    guard = _CpuGuard(CPU_LIMIT, clock)
    _guard_state.active = True
    try:
        try:
            try:
                guard.start()
            except RuntimeError:  # no thread to spare: work without the guard
                return work()
            try:
                return work()
            finally:
                guard.finish()
        except _OutOfTime:
            guard.finish()
            # Facts sympy was deducing when interrupted may be cached as unknown: start afresh.
            sympy.core.cache.clear_cache()
            raise ExprError(
                f"the expression is too complex: {what} took more than "
                f"{CPU_LIMIT:g} seconds of CPU time"
            ) from None
    finally:
        _guard_state.active = False


def _symbols(names: Sequence[str]) -> tuple[sympy.Symbol, ...]:
    if isinstance(names, str):
        raise ExprError("parameter names must be a sequence of names, not one string")
    names = tuple(names)
    if not names:
        raise ExprError("an expression needs at least one parameter")
    seen: set[str] = set()
    for name in names:
        check_param_name(name)
        if name in seen:
            raise ExprError(f"parameter {name!r} is named twice")
        seen.add(name)
    return tuple(sympy.Symbol(name, real=True) for name in names)


class _Part(NamedTuple):
    """A walked subtree: its sympy form and, if it holds no parameter, its float value."""

    expr: sympy.Expr
    value: float | None

    @property
    def constant(self) -> bool:
        return self.value is not None


def _number(value: float) -> sympy.Expr:
    """A folded constant as a sympy number: an Integer when integral, else a Float."""
    if value.is_integer() and abs(value) <= 2.0**53:
        return sympy.Integer(int(value))
    return sympy.Float(value)


def _integral_floats(expr: sympy.Expr) -> sympy.Expr:
    """Replace floats with integral values by integers, so a slope reads 3*x, not 3.0*x."""
    swap = {
        f: sympy.Integer(int(f))
        for f in expr.atoms(sympy.Float)
        if math.isfinite(float(f)) and float(f).is_integer() and abs(float(f)) <= 2.0**53
    }
    return expr.xreplace(swap) if swap else expr


def _text(expr: sympy.Expr) -> str:
    """sympy's string form, with floats shown as written (0.001, not 0.00100000000000000)."""
    return sympy.sstr(expr, full_prec=False)


def _bracket_depth_error(text: str, shift: int) -> ExprError | None:
    """Refuse deeply nested brackets before the parser sees them (parentheses make no tree node)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                return ExprError(
                    f"the expression is nested too deeply (more than {MAX_DEPTH} brackets)",
                    shift + i,
                )
        elif ch in ")]}":
            depth -= 1
    return None


def _bits(r: sympy.Rational) -> int:
    return max(abs(int(r.p)).bit_length(), abs(int(r.q)).bit_length())


def _max_bits(expr: sympy.Expr) -> int:
    return max((_bits(r) for r in expr.atoms(sympy.Rational)), default=1)


def _check_numbers(expr: sympy.Expr, where: str) -> None:
    """Refuse an expression that is undefined, complex, or holds an unusable number."""
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, sympy.S.NegativeInfinity):
        raise ExprError(f"{where} is undefined somewhere (a division by zero or an infinity)")
    if expr.has(sympy.I):
        raise ExprError(
            f"{where} is not a real number: it takes a root or logarithm of a negative number"
        )
    for atom in expr.atoms(sympy.Number):
        too_big = isinstance(atom, sympy.Rational) and _bits(atom) > _MAX_NUMBER_BITS
        if not too_big:
            try:
                too_big = not math.isfinite(float(atom))
            except (OverflowError, ValueError, TypeError):
                too_big = True
        if too_big:
            raise ExprError(f"a number in {where} is too large")


class _Walker:
    """Walks a parsed expression along the whitelist and builds its sympy form."""

    def __init__(self, text: str, shift: int, symbols: Sequence[sympy.Symbol]):
        self.text = text
        self.shift = shift
        self.symbols = {s.name: s for s in symbols}
        self.lines = re.split(r"(?<=\n)|(?<=\r)(?!\n)", text)

    # -- positions and messages ------------------------------------------------

    def _position(self, lineno: int | None, col: int | None) -> int | None:
        """Character offset (in the original text) of a (line, UTF-8 byte column) position."""
        if lineno is None or col is None:
            return None
        try:
            before = sum(len(line) for line in self.lines[: lineno - 1])
            line = self.lines[lineno - 1]
            within = len(line.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        except (IndexError, UnicodeError, TypeError):
            return None
        return self.shift + before + within

    def offset(self, node: ast.AST) -> int | None:
        return self._position(getattr(node, "lineno", None), getattr(node, "col_offset", None))

    def error(self, message: str, node: ast.AST) -> ExprError:
        return ExprError(message, self.offset(node))

    def source(self, node: ast.AST) -> str:
        """The text of a subtree, shortened for messages."""
        try:
            segment = ast.get_source_segment(self.text, node)
        except Exception:  # a position the tree and the text disagree on
            segment = None
        if not segment:
            segment = "..."
        segment = " ".join(segment.split())
        if len(segment) > _MAX_SHOWN:
            segment = segment[: _MAX_SHOWN - 3] + "..."
        return segment

    def operator_offset(self, node: ast.BinOp) -> int | None:
        """Offset of the operator of a binary operation, or of the operation if not found."""
        symbol = _OPERATOR_SYMBOLS.get(type(node.op))
        start = self._position(
            getattr(node.left, "end_lineno", None), getattr(node.left, "end_col_offset", None)
        )
        end = self.offset(node.right)
        if symbol and start is not None and end is not None:
            found = self.text.find(symbol, start - self.shift, end - self.shift)
            if found >= 0:
                return self.shift + found
        return self.offset(node)

    # -- the walk ---------------------------------------------------------------

    def walk(self, node: ast.AST, depth: int) -> _Part:
        if depth > MAX_DEPTH:
            raise self.error(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", node
            )
        if isinstance(node, ast.BinOp):
            return self._binop(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self._unaryop(node, depth)
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Attribute):
            self.walk(node.value, depth + 1)  # report what is left of the dot first
            raise ExprError(
                "attribute access ('.') is not allowed",
                self._position(node.value.end_lineno, node.value.end_col_offset),
            )
        if isinstance(node, ast.Subscript):
            self.walk(node.value, depth + 1)
            raise self.error("subscripts are not allowed", node)
        message = _REFUSED_NODES.get(type(node))
        if message is None:
            message = f"{type(node).__name__} is not allowed in expressions"
        raise self.error(message, node)

    def _binop(self, node: ast.BinOp, depth: int) -> _Part:
        op = node.op
        if type(op) in _REFUSED_OPERATORS:
            raise ExprError(_REFUSED_OPERATORS[type(op)], self.operator_offset(node))
        if isinstance(op, ast.Pow):
            return self._pow(node, depth)
        if not isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            raise ExprError(
                f"operator {type(op).__name__} is not allowed", self.operator_offset(node)
            )
        # A left-leaning chain a + b - c + ... (or a * b / c ...) is one level, walked
        # without recursion, so a long sum is neither "deep" nor a risk to the stack.
        group = (ast.Add, ast.Sub) if isinstance(op, (ast.Add, ast.Sub)) else (ast.Mult, ast.Div)
        chain = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, group):
            chain.append(current)
            current = current.left
        acc = self.walk(current, depth + 1)
        for link in reversed(chain):
            acc = self._combine(link, acc, self.walk(link.right, depth + 1))
        return acc

    def _combine(self, node: ast.BinOp, a: _Part, b: _Part) -> _Part:
        op = node.op
        if isinstance(op, ast.Div) and b.constant and (b.value == 0 or b.expr.is_zero):
            raise ExprError(
                f"division by zero in '{self.source(node)}'", self.operator_offset(node)
            )
        if isinstance(op, ast.Add):
            expr = sympy.Add(a.expr, b.expr)
        elif isinstance(op, ast.Sub):
            expr = sympy.Add(a.expr, sympy.Mul(sympy.S.NegativeOne, b.expr))
        elif isinstance(op, ast.Mult):
            expr = sympy.Mul(a.expr, b.expr)
        else:
            expr = sympy.Mul(a.expr, sympy.Pow(b.expr, sympy.S.NegativeOne))
        if a.constant and b.constant:
            value = self._fold(node, a.value, b.value)
            return _Part(self._tidy_constant(expr, value), value)
        return _Part(expr, None)

    def _fold(self, node: ast.AST, a: float, b: float) -> float:
        """The float value of a constant binary operation, refusing overflow and the undefined."""
        op = node.op
        try:
            if isinstance(op, ast.Add):
                value = a + b
            elif isinstance(op, ast.Sub):
                value = a - b
            elif isinstance(op, ast.Mult):
                value = a * b
            elif isinstance(op, ast.Div):
                value = a / b
            elif a == 0 and b < 0:
                raise ZeroDivisionError
            else:
                value = math.pow(a, b)
        except ZeroDivisionError:
            raise self.error(f"constant part '{self.source(node)}' divides by zero", node) from None
        except OverflowError:
            raise self.error(f"constant part '{self.source(node)}' overflows", node) from None
        except ValueError:
            raise self.error(
                f"constant part '{self.source(node)}' is undefined (not a real number)", node
            ) from None
        return self._finite(node, value)

    def _finite(self, node: ast.AST, value: float) -> float:
        if not math.isfinite(value):
            raise self.error(f"constant part '{self.source(node)}' overflows", node)
        return float(value)

    @staticmethod
    def _tidy_constant(expr: sympy.Expr, value: float) -> sympy.Expr:
        """Keep a constant exact (1/3, 2*pi) unless its exact form grows large."""
        if isinstance(expr, sympy.Rational) and _bits(expr) > _MAX_EXACT_CONSTANT_BITS:
            return _number(value)
        if isinstance(expr, sympy.Float):
            return _number(value)
        return expr

    def _pow(self, node: ast.BinOp, depth: int) -> _Part:
        base = self.walk(node.left, depth + 1)
        power = self.walk(node.right, depth + 1)
        if power.constant and abs(power.value) > MAX_EXPONENT:
            raise ExprError(
                f"exponent '{self.source(node.right)}' is too large "
                f"({power.value:.6g}; the limit is {MAX_EXPONENT})",
                self.offset(node.right),
            )
        if base.constant and power.constant:
            value = self._fold(node, base.value, power.value)
            if (
                isinstance(base.expr, sympy.Rational)
                and isinstance(power.expr, sympy.Integer)
                and _bits(base.expr) * abs(int(power.expr)) <= _MAX_EXACT_CONSTANT_BITS
            ):
                expr = self._tidy_constant(sympy.Pow(base.expr, power.expr), value)
            else:
                expr = _number(value)
            return _Part(expr, value)
        if power.constant and _max_bits(base.expr) * abs(power.value) > _MAX_POWER_BITS:
            raise self.error(f"the power '{self.source(node)}' would make numbers too large", node)
        return _Part(sympy.Pow(base.expr, power.expr), None)

    def _unaryop(self, node: ast.UnaryOp, depth: int) -> _Part:
        if type(node.op) in _REFUSED_UNARY:
            raise self.error(_REFUSED_UNARY[type(node.op)], node)
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise self.error(f"operator {type(node.op).__name__} is not allowed", node)
        operand = self.walk(node.operand, depth + 1)
        if isinstance(node.op, ast.UAdd):
            return operand
        expr = sympy.Mul(sympy.S.NegativeOne, operand.expr)
        return _Part(expr, None if operand.value is None else -operand.value)

    def _constant(self, node: ast.Constant) -> _Part:
        value = node.value
        if isinstance(value, bool):
            raise self.error(
                f"'{value}' is not allowed: only numbers, parameters and functions", node
            )
        if isinstance(value, int):
            if abs(value) > MAX_LITERAL:
                raise self.error(self._too_large(node), node)
            return _Part(sympy.Integer(value), float(value))
        if isinstance(value, float):
            if not math.isfinite(value) or abs(value) > MAX_LITERAL:
                raise self.error(self._too_large(node), node)
            return _Part(_number(value), value)
        if isinstance(value, str):
            raise self.error("strings are not allowed in expressions", node)
        if isinstance(value, bytes):
            raise self.error("bytes are not allowed in expressions", node)
        if isinstance(value, complex):
            raise self.error(f"complex numbers are not allowed ('{self.source(node)}')", node)
        if value is None:
            raise self.error("'None' is not allowed: only numbers, parameters and functions", node)
        raise self.error(f"'{self.source(node)}' is not allowed in expressions", node)

    def _too_large(self, node: ast.AST) -> str:
        return f"the number '{self.source(node)}' is too large (the limit is {MAX_LITERAL:g})"

    def _name(self, node: ast.Name) -> _Part:
        name = node.id
        if name in self.symbols:
            return _Part(self.symbols[name], None)
        if name in _SYMPY_CONSTANTS:
            return _Part(*_SYMPY_CONSTANTS[name])
        if name in FUNCTIONS:
            raise self.error(f"function '{name}' needs an argument, e.g. {name}(x)", node)
        if name.startswith("_"):
            raise self.error(f"'{name}' is not allowed", node)
        raise self.error(
            f"name '{name}' is not a parameter of this level "
            f"(parameters: {', '.join(self.symbols)})",
            node,
        )

    def _call(self, node: ast.Call, depth: int) -> _Part:
        func = node.func
        if not isinstance(func, ast.Name):
            self.walk(func, depth + 1)  # reports attribute access, lambda, ...
            raise self.error(f"only these functions can be called: {_AVAILABLE}", node)
        name = func.id
        if name not in FUNCTIONS:
            if name.startswith("_"):
                message = f"'{name}' is not allowed"
            elif name in self.symbols:
                message = f"'{name}' is a parameter, not a function: write {name}*(...) to multiply"
            elif name in CONSTANTS:
                message = f"'{name}' is a constant, not a function: write {name}*(...) to multiply"
            else:
                message = f"function '{name}' is not available (available: {_AVAILABLE})"
            raise self.error(message, func)
        if node.keywords:
            raise self.error(f"{name}() takes no keyword arguments", node)
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.error("'*' unpacking is not allowed", node)
        if len(node.args) != 1:
            raise self.error(f"{name}() takes exactly one argument ({len(node.args)} given)", node)
        arg = self.walk(node.args[0], depth + 1)
        if arg.constant:
            try:
                value = _MATH_FUNCTIONS[name](arg.value)
            except OverflowError:
                raise self.error(f"constant part '{self.source(node)}' overflows", node) from None
            except (ValueError, ZeroDivisionError):
                raise self.error(
                    f"constant part '{self.source(node)}' is undefined", node
                ) from None
            value = self._finite(node, value)
            return _Part(_number(value), value)
        return _Part(_SYMPY_FUNCTIONS[name](arg.expr), None)


class _Work(NamedTuple):
    """A syntax subtree's estimated sympy size, the size of its slope along each parameter
    it holds (upper bounds), and how deeply functions nest in it."""

    size: int
    slopes: dict[str, int]
    functions: int


def _estimate(node: ast.AST, names: frozenset[str]) -> _Work:
    """Estimate, from the syntax tree alone, what sympy will build: the expression's
    size and its slopes' sizes by the rules of differentiation (the product rule makes
    a product of k factors a sum of k products of k factors). Nodes outside the
    whitelist count as leaves: the walker refuses them afterwards."""
    if isinstance(node, ast.Name):
        return _Work(1, {node.id: 1} if node.id in names else {}, 0)
    if isinstance(node, ast.UnaryOp):
        inner = _estimate(node.operand, names)
        return _Work(inner.size + 1, {p: d + 1 for p, d in inner.slopes.items()}, inner.functions)
    if isinstance(node, ast.Call):
        if len(node.args) != 1:
            return _Work(1, {}, 0)
        arg = _estimate(node.args[0], names)
        if not arg.slopes:  # a constant: folded to a number
            return _Work(1, {}, 0)
        # f(g)' = f'(g) * g': f'(g) repeats g once, with a few nodes around it
        slopes = {p: d + arg.size + 8 for p, d in arg.slopes.items()}
        return _Work(arg.size + 1, slopes, arg.functions + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        base, power = _estimate(node.left, names), _estimate(node.right, names)
        size = base.size + power.size + 1
        if not power.slopes:  # (g**c)' = c * g**(c-1) * g'
            slopes = {p: d + size + 3 for p, d in base.slopes.items()}
            return _Work(size, slopes, base.functions)
        # (g**h)' = g**h * (h' * log(g) + h * g' / g)
        slopes = {
            p: base.slopes.get(p, 0) + power.slopes.get(p, 0) + 2 * size + 6
            for p in base.slopes.keys() | power.slopes.keys()
        }
        return _Work(size, slopes, max(base.functions, power.functions) + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        adding = isinstance(node.op, (ast.Add, ast.Sub))
        group = (ast.Add, ast.Sub) if adding else (ast.Mult, ast.Div)
        parts: list[_Work] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, group):
            right = _estimate(current.right, names)
            if isinstance(current.op, ast.Div):  # a / b is a * b**-1, and (1/b)' = -b'/b**2
                right = _Work(
                    right.size + 2,
                    {p: d + right.size + 4 for p, d in right.slopes.items()},
                    right.functions,
                )
            parts.append(right)
            current = current.left
        parts.append(_estimate(current, names))
        size = 1 + sum(part.size for part in parts)
        functions = max(part.functions for part in parts)
        slopes: dict[str, int] = {}
        for part in parts:
            for p, d in part.slopes.items():
                # a sum's slope is the sum of slopes; a product's gains one term per
                # factor that holds p: that factor's slope times all the others
                slopes[p] = slopes.get(p, 1) + (d if adding else d + size - part.size + 1)
        return _Work(size, slopes, functions)
    children = [_estimate(child, names) for child in ast.iter_child_nodes(node)]
    slopes = {}
    for child in children:
        for p, d in child.slopes.items():
            slopes[p] = slopes.get(p, 1) + d
    return _Work(
        1 + sum(c.size for c in children), slopes, max((c.functions for c in children), default=0)
    )


def _check_work(tree: ast.Expression, names: Sequence[str]) -> None:
    """Refuse, before sympy sees it, an expression whose functions nest too deeply or
    whose slopes would be too large to build and evaluate."""
    work = _estimate(tree.body, frozenset(names))
    if work.functions > MAX_FUNCTION_DEPTH:
        raise ExprError(
            f"the expression is too complex: functions are nested too deeply "
            f"({work.functions} deep; the limit is {MAX_FUNCTION_DEPTH})"
        )
    total = work.size + sum(work.slopes.values())
    if total > MAX_WORK:
        raise ExprError(_too_much_work(total, "would have about"))


def _too_much_work(parts: int, verb: str) -> str:
    return (
        f"the expression is too complex: it and its slopes {verb} {parts:,} parts "
        f"(the limit is {MAX_WORK:,}); write fewer factors in each product"
    )


def _tree_size(expr: sympy.Expr) -> int:
    """The number of nodes of ``expr`` as a tree: the operations numpy does to evaluate it."""
    return sum(1 for _ in sympy.preorder_traversal(expr))


def _syntax_error(exc: SyntaxError, text: str, shift: int) -> ExprError:
    detail = exc.msg or "invalid syntax"
    message = detail if detail.startswith("invalid syntax") else f"invalid syntax: {detail}"
    offset = None
    if exc.lineno is not None and exc.offset is not None:
        lines = text.split("\n")
        try:
            before = sum(len(line) + 1 for line in lines[: exc.lineno - 1])
            offset = shift + before + max(exc.offset - 1, 0)
            offset = min(offset, shift + len(text))
        except TypeError:
            offset = None
    return ExprError(message, offset)


def parse_expression(text: str, names: Sequence[str]) -> sympy.Expr:
    """Parse level text into a sympy expression over ``sympy.Symbol(name, real=True)``.

    Raises ExprError (with a message and, where known, a character offset) for
    anything outside the whitelist or the limits. The text is only ever parsed
    into a syntax tree, never executed or given to sympify.
    """
    symbols = _symbols(names)
    if not isinstance(text, str):
        raise ExprError(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ExprError(
            f"the expression is too long ({len(text)} characters; the limit is {MAX_TEXT_LENGTH})"
        )
    body = text.strip()
    shift = len(text) - len(text.lstrip())
    if not body:
        raise ExprError("the expression is empty: write a formula such as x**2", 0)
    too_deep = _bracket_depth_error(body, shift)
    if too_deep is not None:
        raise too_deep
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for '"a"(1)'
            tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(exc, body, shift) from None
    except (RecursionError, MemoryError):
        raise ExprError("the expression is nested too deeply or is too complex to read") from None
    except (ValueError, OverflowError) as exc:  # e.g. a null character
        raise ExprError(f"invalid syntax: {exc}") from None
    parts = sum(1 for node in ast.walk(tree) if isinstance(node, ast.expr))
    if parts > MAX_NODES:
        raise ExprError(f"the expression has too many parts ({parts}; the limit is {MAX_NODES})")
    try:
        _check_work(tree, [s.name for s in symbols])
    except RecursionError:
        raise ExprError("the expression is nested too deeply or is too complex to read") from None
    walker = _Walker(body, shift, symbols)

    def build() -> sympy.Expr:
        result = _integral_floats(walker.walk(tree.body, 1).expr)
        _check_numbers(result, "the expression")
        return result

    try:
        return _within_cpu(build, "building it")
    except ExprError:
        raise
    except (RecursionError, MemoryError):
        raise ExprError("the expression is too complex") from None
    except Exception as exc:  # a sympy failure on a strange but whitelisted input
        raise ExprError(
            f"the expression could not be built ({type(exc).__name__}: {exc})"
        ) from None


class CompiledLoss:
    """A loss expression with its exact gradient, evaluated with numpy, vectorised."""

    names: tuple[str, ...]
    expr: sympy.Expr

    def __init__(self, expr: sympy.Expr, names: Sequence[str]):
        if not isinstance(expr, sympy.Expr):
            raise TypeError(f"expected a sympy expression, got {type(expr).__name__}")
        symbols = _symbols(names)
        self.names = tuple(s.name for s in symbols)
        self.expr = expr
        unknown = expr.free_symbols - set(symbols)
        if unknown:
            shown = ", ".join(sorted(str(s) for s in unknown))
            raise ExprError(
                f"the expression uses names that are not parameters: {shown} "
                f"(parameters: {', '.join(self.names)})"
            )
        _check_numbers(expr, "the expression")
        try:
            _within_cpu(lambda: self._build(symbols), "differentiating it")
        except ExprError:
            raise
        except (RecursionError, MemoryError):
            raise ExprError("the expression is too complex to differentiate") from None
        except Exception as exc:
            raise ExprError(
                f"the expression could not be compiled ({type(exc).__name__}: {exc})"
            ) from None

    @property
    def step_work(self) -> int:
        """Operations of one evaluation of loss and gradient at a point: counted on the
        program's trees when there is one (as a cached loss counts them), else here."""
        return self.work if self.program is None else self.program.step_work

    def _build(self, symbols: tuple[sympy.Symbol, ...]) -> None:
        """Differentiate once per parameter, check the slopes, compile loss and gradient."""
        expr = self.expr
        slopes = tuple(_integral_floats(sympy.diff(expr, s)) for s in symbols)
        for name, slope in zip(self.names, slopes):
            _check_numbers(slope, f"the slope along {name}")
        #: Operations of one evaluation of loss and gradient at a point (tree nodes).
        self.work = _tree_size(expr) + sum(_tree_size(slope) for slope in slopes)
        if self.work > MAX_WORK:
            raise ExprError(_too_much_work(self.work, "have"))
        #: The exact derivative by each parameter, in the order of ``names``.
        self.slopes: tuple[sympy.Expr, ...] = slopes
        self._slopes = {name: _text(slope) for name, slope in zip(self.names, slopes)}
        self._loss_text = _text(expr)
        self._loss_fn = sympy.lambdify(symbols, expr, modules="numpy", dummify=True)
        self._grad_fn = sympy.lambdify(symbols, list(slopes), modules="numpy", dummify=True)
        #: The same code as data (see .program), for the cache; None if it cannot be.
        self.program: Program | None = None
        try:
            loss = _trees(self._loss_fn)
            grad = _trees(self._grad_fn)
            if len(loss) == 1 and len(grad) == len(self.names):
                self.program = Program(self.names, loss[0], grad, self._loss_text, self._slopes)
        except (TreeError, OSError, TypeError):
            pass

    def loss(self, P: np.ndarray) -> np.ndarray:
        """The loss at each row of ``P`` (shape (n, d)) -> float64 array of shape (n,)."""
        fn = self._loss_fn if self.program is None else self.program.loss_fn
        return evaluate_loss(fn, P, len(self.names))

    def grad(self, P: np.ndarray) -> np.ndarray:
        """The exact gradient at each row of ``P`` (shape (n, d)) -> shape (n, d)."""
        fn = self._grad_fn if self.program is None else self.program.grad_fn
        return evaluate_grad(fn, P, len(self.names))

    def slope_formulas(self) -> dict[str, str]:
        """The derivative by each parameter as text, e.g. {"x": "2*x"}."""
        return dict(self._slopes)

    def loss_text(self) -> str:
        """The expression as text, e.g. "x**2"."""
        return self._loss_text

    def __repr__(self) -> str:
        return f"CompiledLoss({self._loss_text!r}, names={self.names!r})"


def _trees(fn) -> list:
    """A lambdified function's return value as .program trees (raises TreeError)."""
    code = fn.__code__
    args = code.co_varnames[: code.co_argcount]
    return tree_from_source(inspect.getsource(fn), args, fn.__globals__)


def compile_loss(text: str, names: Sequence[str]) -> CompiledLoss:
    """Parse ``text`` (see parse_expression) and compile its loss and exact gradient.

    Building and differentiating share one CPU_LIMIT.
    """
    return _within_cpu(
        lambda: CompiledLoss(parse_expression(text, names), names),
        "building and differentiating it",
    )
