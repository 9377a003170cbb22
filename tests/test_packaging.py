"""The shipped levels are found after a plain (non-editable) install and from the source tree."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # see README: pytest -m "not slow"

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{proc.stderr[-2000:]}")
    return next(out.glob("lrgame-*.whl"))


def test_the_wheel_carries_every_shipped_level(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (ROOT / "levels").iterdir() if p.is_file()}
    assert {f"lrgame/_levels/{n}" for n in shipped} <= names
    assert "lrgame/_levels/campaign.yaml" in names


def test_an_installed_copy_finds_its_levels_outside_the_source_tree(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import lrgame.levels as L, json;"
        "d = L.levels_dir(); assert d.name == '_levels', d;"
        "print(json.dumps([lid for _, lid in L.campaign_ids()]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(site), "PATH": ""},
    )
    assert proc.returncode == 0, proc.stderr
    assert "x-squared" in proc.stdout


def test_the_source_tree_finds_the_top_level_levels_folder():
    from lrgame import levels as L

    assert L.levels_dir() in (ROOT / "levels", ROOT / "lrgame" / "_levels")
    assert (L.levels_dir() / "x-squared.yaml").is_file()
