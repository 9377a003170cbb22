"""Authoring and classroom commands stay headless: no Textual, so they work in scripts and CI."""

import subprocess
import sys


def test_authoring_and_classroom_modules_do_not_import_textual(tmp_path):
    code = (
        "import sys, os;"
        "import lrgame.authoring, lrgame.packs, lrgame.watch, lrgame.schema, lrgame.replay,"
        " lrgame.challenge, lrgame.grade, lrgame.serve;"
        "from lrgame.__main__ import main;"
        f"os.chdir({str(tmp_path)!r});"
        "assert main(['new', 'lvl']) == 0;"
        "assert main(['validate', 'lvl.yaml']) == 0;"
        "assert main(['run', 'lvl.yaml', '--lr', '0.5', '--replay', 'r.json', '--player', 'a']) == 0;"
        "assert main(['grade', 'r.json', '--level', 'lvl.yaml']) == 0;"
        "assert main(['schema']) == 0;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext')];"
        "assert not bad, bad"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
