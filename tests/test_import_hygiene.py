"""The engine and the headless commands never import Textual."""

import subprocess
import sys


def test_headless_modules_do_not_import_textual():
    code = (
        "import sys, lrgame.engine, lrgame.cli, lrgame.levels, lrgame.engine.expr;"
        "from lrgame.__main__ import main;"
        "main(['run', 'x-squared', '--lr', '0.1', '--json']);"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext')];"
        "assert not bad, bad"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
