"""The engine and every headless command never import Textual: they work in scripts and CI."""

import subprocess
import sys

import pytest

NO_TEXTUAL = (
    "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext')];"
    "assert not bad, bad"
)

CASES = {
    "engine and play commands": (
        "import lrgame.engine, lrgame.cli, lrgame.levels, lrgame.engine.expr;"
        "assert main(['run', 'x-squared', '--lr', '0.1', '--json']) == 0;"
        "assert main(['sweep', 'stretched-bowl', '--points', '20', '--json']) == 0;"
    ),
    "authoring and classroom commands": (
        "import lrgame.authoring, lrgame.packs, lrgame.watch, lrgame.schema, lrgame.replay,"
        " lrgame.challenge, lrgame.grade, lrgame.serve;"
        "assert main(['new', 'lvl']) == 0;"
        "assert main(['validate', 'lvl.yaml']) == 0;"
        "assert main(['run', 'lvl.yaml', '--lr', '0.5', '--replay', 'r.json', '--player', 'a']) == 0;"
        "assert main(['grade', 'r.json', '--level', 'lvl.yaml']) == 0;"
        "assert main(['schema']) == 0;"
    ),
    "the live class's server, store, judge and client": (
        "import lrgame.classroom.server, lrgame.classroom.store, lrgame.classroom.judge,"
        " lrgame.classroom.client, lrgame.classroom.commands;"
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
