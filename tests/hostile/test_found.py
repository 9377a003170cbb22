"""Faults the hostile tests found, pinned where they were: one test each, in-process."""

from __future__ import annotations

import csv
import io
import json

from lrgame.__main__ import main


def test_a_result_file_with_no_attempts_is_graded_without_a_traceback(tmp_path, capsys):
    # found by test_fuzz: leaderboard_text called max(5, *()) on a file without levels
    path = tmp_path / "empty.json"
    path.write_text(json.dumps({"format": "lrgame-result/1", "player": "ada", "attempts": []}))
    assert main(["grade", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 accepted" in out and "ada" in out


# -- optimiser and schedule text in a result file --------------------------------------
# Found by the red team: parse_optimizer and parse_schedule forgive what the game never
# writes (surrounding and inner whitespace, line breaks, capitals, other digits), and
# grade's text, JSON and CSV showed the file's own text: a result could put blank lines
# and indents into the teacher's leaderboard, and the class feed.
FORGED_TEXT = {
    "optimizer": [
        "momentum:\n\n\n      beta=0.9",  # line breaks in the leaderboard
        "momentum:beta=0.9" + " " * 150,
        "MOMENTUM:beta=0.9",
        "momentum:beta=\u0660.\u0669",  # Arabic-Indic digits: float() reads them
        "momentum:beta=0.9\u3000",  # an ideographic space: not printable
        "momentum:beta=0.9,nesterov=FALSE",
        "momentum:beta=0.90",
        " momentum:beta=0.9",
    ],
    "schedule": ["constant\n\n\n", " constant", "CONSTANT", "constant\u2003"],
}


def _honest_momentum(tmp_path, capsys) -> dict:
    path = tmp_path / "honest.json"
    argv = ["run", "momentum-kick", "--lr", "0.17", "--optimizer", "momentum:beta=0.9"]
    assert main([*argv, "--replay", str(path), "--player", "ada"]) == 0
    capsys.readouterr()
    return json.loads(path.read_text())


def test_grade_refuses_optimizer_and_schedule_text_the_game_never_writes(tmp_path, capsys):
    honest = _honest_momentum(tmp_path, capsys)
    assert honest["attempts"][0]["optimizer"] == "momentum:beta=0.9"
    for field, texts in FORGED_TEXT.items():
        for n, text in enumerate(texts):
            data = json.loads(json.dumps(honest))
            data["attempts"][0][field] = text
            path = tmp_path / f"{field}-{n}.json"
            path.write_text(json.dumps(data))
            for extra in ([], ["--json"], ["--csv"]):
                code = main(["grade", str(path), *extra])
                out = capsys.readouterr().out
                assert code == 1, (text, extra, out)
                assert all(c.isprintable() or c == "\n" for c in out), (text, out)
                if extra == ["--csv"]:
                    rows = list(csv.reader(io.StringIO(out)))
                    assert all("\n" not in cell for row in rows for cell in row), rows
                if not extra:
                    line = out.strip().splitlines()[-1]
                    assert line.startswith(f"{path}: rejected: "), out
                    assert "not written as the game writes" in line, out
