import pytest


@pytest.fixture(autouse=True)
def _lrgame_home(tmp_path, monkeypatch):
    """Every test keeps its progress and settings in its own folder."""
    home = tmp_path / "lrgame-home"
    monkeypatch.setenv("LRGAME_HOME", str(home))
    return home
