"""The engine and every headless command never import Textual: they work in scripts and CI."""

import os
import subprocess
import sys

import pytest

NO_TEXTUAL = (
    "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext')];"
    "assert not bad, bad"
)

CASES = {
    "engine and play commands": (
        "import lrgame.engine, lrgame.levels, lrgame.engine.expr, lrgame.commands.levels, lrgame.commands.run, lrgame.commands.sweep, lrgame.commands.validate, lrgame.commands.range_test;"
        "assert main(['run', 'x-squared', '--lr', '0.1', '--json']) == 0;"
        "assert main(['sweep', 'stretched-bowl', '--points', '20', '--json']) == 0;"
    ),
    "authoring and classroom commands": (
        "import lrgame.commands.new, lrgame.levels.packs, lrgame.levels.watch, lrgame.commands.schema, lrgame.judging.replay,"
        " lrgame.classroom.challenge, lrgame.classroom.grade, lrgame.serve,"
        " lrgame.commands.challenge, lrgame.commands.grade, lrgame.commands.play;"
        "assert main(['new', 'lvl']) == 0;"
        "assert main(['validate', 'lvl.yaml']) == 0;"
        "assert main(['run', 'lvl.yaml', '--lr', '0.5', '--replay', 'r.json', '--player', 'a']) == 0;"
        "assert main(['grade', 'r.json', '--level', 'lvl.yaml']) == 0;"
        "assert main(['schema']) == 0;"
    ),
    "the live class's server, store, judge and client": (
        "import lrgame.classroom.server, lrgame.classroom.store, lrgame.classroom.judge,"
        " lrgame.classroom.client, lrgame.commands.classroom;"
        "from lrgame.classroom.store import ClassStore; ClassStore('class').close();"
        "assert main(['class', 'export', 'class', '--csv']) == 0;"
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_headless_modules_do_not_import_textual(case, tmp_path):
    code = "import sys; from lrgame.__main__ import main;" + CASES[case] + NO_TEXTUAL
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


NO_SYMPY = "bad = [m for m in sys.modules if m.split('.')[0] == 'sympy']; assert not bad, bad[:5]"


def test_a_sweep_needs_no_sympy_on_a_bowl_nor_on_a_loss_compiled_before(tmp_path):
    """sympy costs a fifth of a second to import: a bowl level never needs it, and a loss
    that was compiled once is read from the cache (LRGAME_CACHE_DIR) after that."""
    env = dict(os.environ, LRGAME_CACHE_DIR=str(tmp_path / "cache"))

    def sweep(level: str, check: str) -> None:
        code = (
            "import sys, io, contextlib; from lrgame.__main__ import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['sweep', {level!r}, '--points', '50', '--json']) == 0\n" + check
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr

    sweep("hundred-bowl", NO_SYMPY)
    sweep("stretched-bowl", "assert 'sympy' in sys.modules")  # the first time, compiled
    sweep("stretched-bowl", NO_SYMPY)  # then from the cache


def _import_graph() -> dict[str, set[str]]:
    """lrgame's modules and the lrgame modules each imports, at the top or inside a
    function alike (an import moved into a function to dodge a cycle still counts)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "lrgame"
    files = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                subs = {f"{module}.{a.name}" for a in node.names} & files.keys()
                # `from . import registry` imports the submodule, not its package
                targets.update(subs if len(subs) == len(node.names) else subs | {module})
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def _cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path of imports from ``start`` back to itself, if there is one."""
    seen, stack = set(), [(start, [start])]
    while stack:
        node, path = stack.pop()
        for nxt in graph[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_the_import_graph_has_the_shape_expected():
    graph = _import_graph()
    assert "lrgame.engine.descent" in graph["lrgame.engine.forecast"]
    assert "lrgame.levels.registry" in graph["lrgame.levels.campaign"]  # from . import registry
    assert "lrgame.levels" not in graph["lrgame.levels.campaign"]
    assert _cycle_from({"a": {"b"}, "b": {"c"}, "c": {"a"}}, "a") == ["a", "b", "c", "a"]


def test_no_module_of_lrgame_imports_itself_back():
    graph = _import_graph()
    cycles = [" -> ".join(c) for name in graph if (c := _cycle_from(graph, name))]
    assert not cycles, cycles[:3]
