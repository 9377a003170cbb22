"""What each part of the game may import: the pure parts never Textual, and the title
screen (the first frame) never the heavy level and engine libraries."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys; print('\\n'.join(sorted(sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return {m.split(".")[0] for m in proc.stdout.split()}


def test_the_engine_cli_levels_and_pure_game_modules_leave_textual_out():
    loaded = _modules_after(
        "import lrgame.engine, lrgame.commands.levels, lrgame.commands.run, lrgame.commands.sweep, lrgame.commands.validate, lrgame.commands.range_test, lrgame.levels, lrgame.store, "
        "lrgame.judging.diagnose, lrgame.judging.results"
    )
    assert not loaded & {"textual", "textual_plotext", "plotext", "rich"}


def test_the_app_module_loads_no_numpy_pydantic_or_sympy():
    # the title screen paints before any level is loaded: keep its imports light
    loaded = _modules_after("from lrgame.ui.app import make_app; make_app()")
    assert not loaded & {"numpy", "pydantic", "sympy", "plotext", "textual_plotext", "yaml"}
