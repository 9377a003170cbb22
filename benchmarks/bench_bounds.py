"""CPU time and peak memory of every command at the limits a level file and the flags
allow (see README, "Reliability and security"). Each command runs in its own process;
the figures are that child's own user+system CPU time and maximum resident set size,
so a load on the machine barely moves them.

    python benchmarks/bench_bounds.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
COSTLY = HERE / "tests" / "hostile" / "corpus" / "costly"


def dogs_at_the_limits() -> str:
    features = {f"f{i}": f"feature {i}" for i in range(16)}

    def animal(name, value):
        return {"name": name, **{f: value for f in features}}

    return json.dumps(
        {
            "id": "many-dogs",
            "kind": "child-and-dogs",
            "title": "Many dogs",
            "features": features,
            "first_dogs": {"lr": 0.3, "animals": [animal(f"d{i}", 0.9) for i in range(1000)]},
            "stream": [animal(f"s{i}", 0.1 + 0.8 * (i % 2)) for i in range(1000)],
            "quiz": {
                k: animal(k, v)
                for k, v in (
                    ("black_dog", 0.9),
                    ("white_dog", 0.1),
                    ("brown_dog", 0.5),
                    ("cat", 0.0),
                )
            },
            "decision": {"threshold": 2.0, "min_spread": 0.1},
            "lr": {"default": 0.01, "min": 0.001, "max": 1},
        }
    )


def product(n: int) -> str:
    return "*".join(f"(x+{i})" for i in range(1, n + 1))


def measure(args: list[str], cwd: Path) -> tuple[int, float, float, float]:
    """exit code, CPU seconds, wall seconds, peak RSS in MB of ``lrgame ARGS``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrgame", *args], cwd=cwd,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return os.waitstatus_to_exitcode(status), cpu, wall, usage.ru_maxrss / 1024


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="lrgame-bounds-"))
    os.environ["LRGAME_HOME"] = str(work / "home")
    (work / "dogs.yaml").write_text(dogs_at_the_limits())
    (work / "wide-bowl.yaml").write_text(
        "id: wide\nkind: bowl\ntitle: t\nn: 1000\ncurvature: {min: 1, max: 1000, values: 1000}\n"
        "start: {seed: 1}\ngoal: {loss_below: 1e-300, max_iterations: 5}\n"
        "lr: {default: 1e-7, min: 1e-9, max: 1e-6}\n"
    )
    for n in (57, 80):
        (work / f"product-{n}.yaml").write_text(
            f'id: p\ntitle: t\nparams: {{x: 0.5}}\nloss: "{product(n)}"\n'
            "goal: {loss_below: 1e-300, max_iterations: 10}\nlr: {default: 1e-9, min: 1e-12, max: 1e-9}\n"
        )
    (work / "cosh.yaml").write_text(
        'id: c\ntitle: t\nparams: {x: 2.0}\nloss: "' + "cosh(" * 20 + "log(x)" + ")" * 20 + '"\n'
        "goal: {loss_below: 1e-6, max_iterations: 50}\nlr: {default: 0.1, min: 1e-5, max: 10}\n"
    )
    bowl, expression = (
        str(COSTLY / "bowl-at-the-limit.yaml"),
        str(COSTLY / "expression-at-the-limit.yaml"),
    )
    cases = [
        ("validate, the costliest expression level", ["validate", "--quiet", expression]),
        ("validate, the costliest bowl", ["validate", "--quiet", bowl]),
        ("validate, a product of 57 factors (slopes at the work limit)", ["validate", "--quiet", "product-57.yaml"]),
        ("validate, a product of 80 factors (refused)", ["validate", "product-80.yaml"]),
        ("validate, 20 nested cosh (refused)", ["validate", "cosh.yaml"]),
        ("run, the costliest expression, whole budget", ["run", expression, "--lr", "1e-9"]),
        ("run, the costliest bowl, whole budget (10^6 x 999)", ["run", bowl, "--lr", "1e-9"]),
        ("run million-bowl, whole budget", ["run", "million-bowl", "--lr", "1e-5"]),
        ("range-test million-bowl --steps 999", ["range-test", "million-bowl", "--steps", "999", "--min", "1e-9", "--max", "1e-8"]),
        ("sweep, the costliest expression, most points (2,000)", ["sweep", expression, "--points", "2000", "--json"]),
        ("sweep, the costliest bowl, most points (2,000)", ["sweep", bowl, "--points", "2000", "--json"]),
        ("sweep, a 1,000-curvature bowl --points 100000", ["sweep", "wide-bowl.yaml", "--points", "100000", "--json"]),
        ("sweep, child-and-dogs at its limits --points 2000", ["sweep", "dogs.yaml", "--points", "2000", "--json"]),
    ]  # fmt: skip
    print("| command | exit | CPU s | wall s | peak RSS MB |\n|---|---|---|---|---|")
    for name, args in cases:
        code, cpu, wall, rss = measure(args, work)
        print(f"| {name} | {code} | {cpu:.2f} | {wall:.2f} | {rss:.0f} |", flush=True)


if __name__ == "__main__":
    main()
