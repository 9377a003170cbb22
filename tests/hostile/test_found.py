"""Faults the hostile tests found, pinned where they were: one test each, in-process."""

from __future__ import annotations

import json

from lrgame.__main__ import main


def test_a_result_file_with_no_attempts_is_graded_without_a_traceback(tmp_path, capsys):
    # found by test_fuzz: leaderboard_text called max(5, *()) on a file without levels
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"format": "lrgame-result/1", "player": "ada", "attempts": []}))
    assert main(["grade", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 accepted" in out and "ada" in out
