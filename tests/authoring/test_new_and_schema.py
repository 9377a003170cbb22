"""`lrgame new` writes a good commented level; `lrgame schema` is generated and shipped."""

import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from lrgame import levels as L
from lrgame.__main__ import main
from lrgame.commands.new import new_level_text
from lrgame.commands.schema import REGENERATE, dumps, level_schema, shipped_schema_path
from lrgame.commands.validate import validate_one
from lrgame.yamlsafe import load_yaml_text


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_a_valid_solvable_level_with_the_schema_on_its_first_line(capsys, tmp_path):
    code, out, err = run(capsys, "new", "my-valley", "--dir", str(tmp_path))
    assert code == 0, err
    path = tmp_path / "my-valley.yaml"
    assert f"wrote {path}" in out
    first = path.read_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema_file = first.split("$schema=", 1)[1]
    assert json.loads(Path(schema_file).read_text(encoding="utf-8")) == level_schema()

    level = L.load_level(path)
    assert level.id == "my-valley" and level.title == "My valley"
    assert validate_one(level) == []
    assert level.compute_par().par == 1  # lr = 0.5 lands on x = 3 in one step


def _keys_of(model: type[BaseModel]) -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        keys.add(name)
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            keys |= _keys_of(field.annotation)
    return keys


# An optional key the template shows commented out: "# key: value" (indented or not).
COMMENTED_KEY = re.compile(r"^(\s*)# ([a-z_]+: .*)$", flags=re.M)


def test_the_template_shows_every_key_of_a_landscape_level():
    text = new_level_text("x")
    written = set(re.findall(r"^\s*(?:# )?([a-z_]+):", text, flags=re.M))
    # accuracy_at_least is a network level's goal (a landscape level refuses it)
    missing = _keys_of(L.LandscapeLevel) - written - {"accuracy_at_least"}
    assert not missing, f"lrgame new's template does not show: {sorted(missing)}"


def test_uncommenting_the_optional_keys_still_gives_a_good_level():
    text = COMMENTED_KEY.sub(r"\1\2", new_level_text("x"))
    level = L.parse_level(load_yaml_text(text, "x.yaml"))
    assert level.trials is not None and level.range_test is not None and level.schedules
    assert validate_one(level) == []


def test_new_refuses_to_overwrite_and_bad_names(capsys, tmp_path):
    (tmp_path / "taken.yaml").write_text("mine\n")
    code, _, err = run(capsys, "new", "taken", "--dir", str(tmp_path))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "already exists" in err
    assert (tmp_path / "taken.yaml").read_text() == "mine\n"
    for name, message in [
        ("My Level", "not a level id"),
        ("-x", "not a level id"),
        ("valley.yaml", "without .yaml: try `lrgame new valley`"),
        ("../escape", "not a level id"),
    ]:
        code, _, err = run(capsys, "new", "--dir", str(tmp_path), "--", name)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "new", "ok", "--dir", str(tmp_path / "nope"))
    assert code == 2 and "no such folder" in err


def test_new_in_the_current_folder_with_a_given_schema_reference(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "new", "here", "--schema", "https://example.org/lrgame.json")
    assert code == 0
    assert (
        (tmp_path / "here.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=https://example.org/lrgame.json\n")
    )


def test_the_shipped_schema_is_the_generated_one():
    shipped = json.loads(shipped_schema_path().read_text(encoding="utf-8"))
    assert shipped == level_schema(), (
        f"levels/schema.json is out of date with the level models: run `{REGENERATE}`"
    )


def test_the_schema_covers_every_level_kind_and_forbids_unknown_keys():
    schema = level_schema()
    text = json.dumps(schema)
    for kind in L.LEVEL_KINDS:
        assert f'"const": "{kind}"' in text, kind
    assert '"additionalProperties": false' in text
    assert "loss_below" in text and "max_iterations" in text


@pytest.mark.parametrize("fmt", ["level", "pack", "challenge"])
def test_schema_command_prints_json(capsys, fmt):
    code, out, _ = run(capsys, "schema", fmt)
    assert code == 0
    data = json.loads(out)
    assert data["title"].startswith("lrgame")
    if fmt == "level":
        assert out == dumps(level_schema())
