"""Par kept on disk from one process to the next.

A level's par is thousands of runs (about 2 to 11 seconds of CPU on a network level),
and it is the same every time for the same level, the same code and the same numpy. So
the first process to find it writes it to the user cache folder, next to the compiled
losses, and later ones (the game opened again, each game ``lrgame serve`` forks for a
class) read it instead of sweeping again.

A stored par is keyed by the level's whole content, the tools it offers, numpy's version
and a stamp of the engine's and the levels' source files, so an edited level or an
edited engine is swept afresh. A file that is missing, unreadable, too big, not a
regular file (a FIFO would block the read), of another format or wrong in any way (a
number numpy cannot hold, a par no level has) is a miss, never an error nor a wait: par
is found again and written over it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..engine.descent import _OUTCOMES, RateRuns
from ..engine.optimizers import Optimizer
from ..engine.program import cache_root, write_cached
from ..engine.schedules import Schedule
from ..engine.sweep import Par
from ..errors import InputError
from ..yamlsafe import read_capped

FORMAT = 1
#: A stored par holds the coarse sweep (at most 4,000 rates): far below this.
MAX_BYTES = 4_000_000
#: The folder stops growing past this many pars.
MAX_STORED = 2000
_ARRAYS = ("lrs", "codes", "iterations", "final_loss", "lowest_loss")
#: No count in a stored par is above this (levels allow budgets of 100,000 steps).
MAX_STEPS = 10**9


#: Where par is kept, when set; else ``par/`` in the cache folder (``LRGAME_CACHE_DIR``).
PAR_DIR_ENV = "LRGAME_PAR_CACHE_DIR"


def folder() -> Path:
    given = os.environ.get(PAR_DIR_ENV)
    return Path(given) if given else cache_root() / "par"


@functools.cache
def code_stamp() -> str:
    """The engine's and the levels' source files (names, sizes, times), so that par found
    by other code is never read back."""
    here = Path(__file__).resolve().parent
    files = sorted([*here.rglob("*.py"), *(here.parent / "engine").rglob("*.py")])
    parts = []
    for path in files:
        with contextlib.suppress(OSError):
            st = path.stat()
            parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def key(level_json: str, tools: Sequence[str]) -> str:
    payload = json.dumps([FORMAT, code_stamp(), np.__version__, level_json, list(tools)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def load(
    name: str,
    schedules: Sequence[Schedule],
    optimizers: Sequence[Optimizer],
    budget: int = MAX_STEPS,
) -> Par | None:
    """The par stored under ``name`` (a :func:`key`), its schedule and optimiser being
    among those offered and par within ``budget`` steps; None if there is no good one."""
    try:
        # read_capped: a FIFO or a device in a file's place must not hang the game
        raw = read_capped(folder() / f"{name}.json", MAX_BYTES)
        if len(raw) > MAX_BYTES:
            return None
        data = json.loads(raw.decode("utf-8"))
        return _from_data(data, name, schedules, optimizers, budget)
    except (InputError, ValueError, TypeError, KeyError, RecursionError):
        return None


def save(name: str, par: Par) -> None:
    """Keep ``par`` for the next process; any failure only means it is found again."""
    with contextlib.suppress(OSError, ValueError):
        write_cached(folder(), f"{name}.json", json.dumps(_to_data(name, par)), MAX_STORED)


def _to_data(name: str, par: Par) -> dict:
    runs = par.sweep
    return {
        "format": FORMAT,
        "key": name,
        "par": par.par,
        "best_lr": par.best_lr,
        "max_stable_lr": par.max_stable_lr,
        "schedule": par.schedule.spec(),
        "optimizer": par.optimizer.spec(),
        "start_loss": runs.start_loss,
        # json writes floats by repr: every number reads back bit for bit (inf and nan too)
        **{a: getattr(runs, a).tolist() for a in _ARRAYS},
    }


def _from_data(
    data,
    name: str,
    schedules: Sequence[Schedule],
    optimizers: Sequence[Optimizer],
    budget: int = MAX_STEPS,
) -> Par | None:
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != name:
        return None
    schedule = next((s for s in schedules if s.spec() == data["schedule"]), None)
    optimizer = next((o for o in optimizers if o.spec() == data["optimizer"]), None)
    if schedule is None or optimizer is None:
        return None
    par, best_lr, stable = data["par"], data["best_lr"], data["max_stable_lr"]
    if not (par is None or (type(par) is int and 1 <= par <= budget)):
        return None
    if (par is None) != (best_lr is None) or not all(map(_rate, (best_lr, stable))):
        return None
    columns = [data[a] for a in _ARRAYS]
    if not all(isinstance(c, list) for c in columns) or len({len(c) for c in columns}) != 1:
        return None
    # exactly what _to_data writes: floats, and ints numpy holds (no strings, lists, bools)
    floats, ints = [columns[0], *columns[3:]], columns[1:3]
    if not all(type(v) is float for c in floats for v in c):
        return None
    if not all(type(v) is int and 0 <= v <= MAX_STEPS for c in ints for v in c):
        return None
    lrs = np.array(columns[0], dtype=float)
    codes = np.array(columns[1], dtype=np.int64)
    iterations = np.array(columns[2], dtype=np.int64)
    final, lowest = (np.array(c, dtype=float) for c in columns[3:])
    if lrs.size == 0 or not np.isin(codes, list(_OUTCOMES)).all():
        return None
    if iterations.min() < 0 or not np.all(np.isfinite(lrs)):
        return None
    start = data["start_loss"]
    if not isinstance(start, float):
        return None
    runs = RateRuns(lrs, codes.astype(np.int8), iterations, final, lowest, start)
    return Par(par, best_lr, stable, runs, schedule, optimizer)


def _rate(value) -> bool:
    """None or a finite positive float (as par's rates are)."""
    return value is None or (isinstance(value, float) and math.isfinite(value) and value > 0)
