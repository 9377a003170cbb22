"""Par found once is read back by the next process, bit for bit, and a bad file is a miss."""

from __future__ import annotations

import json
import os
import textwrap
import threading

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.levels import base, par_store

LEVEL = textwrap.dedent(
    """\
    id: stored-par
    title: Stored Par
    params: {x: 3.0, y: -2.0}
    loss: "x**2 + 4*y**2"
    goal: {loss_below: 1e-4, max_iterations: 80}
    lr: {default: 0.05, min: 1e-3, max: 0.5}
    schedules: [exponential]
    optimizers: ["momentum:beta=0.8"]
    """
)


def _load(tmp_path, text=LEVEL):
    path = tmp_path / "stored-par.yaml"
    path.write_text(text)
    return L.load_level(path)


@pytest.fixture(autouse=True)
def _own_par_dir(monkeypatch):
    """These tests look at the cache itself: each its own (the suite shares one)."""
    monkeypatch.delenv(par_store.PAR_DIR_ENV, raising=False)


@pytest.fixture
def counted(monkeypatch):
    """find_par's calls, each process's in-memory cache emptied as a new process's is."""
    calls = []
    real = base.find_par
    monkeypatch.setattr(base, "find_par", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(base, "_PAR_CACHE", {})
    return calls


def _same(a, b):
    assert (a.par, a.best_lr, a.max_stable_lr) == (b.par, b.best_lr, b.max_stable_lr)
    assert a.schedule == b.schedule and a.optimizer == b.optimizer
    assert a.sweep.start_loss == b.sweep.start_loss
    for name in ("lrs", "codes", "iterations", "final_loss", "lowest_loss"):
        got, want = getattr(b.sweep, name), getattr(a.sweep, name)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_a_second_process_reads_par_from_disk_bit_for_bit(tmp_path, counted):
    first = _load(tmp_path).compute_par()
    assert counted == [1] and first.par is not None
    base._PAR_CACHE.clear()  # a new process: nothing in memory
    again = _load(tmp_path).compute_par()
    assert counted == [1]  # read, not swept
    _same(first, again)


def test_non_finite_losses_and_no_par_read_back(tmp_path):
    from lrgame.engine.descent import RateRuns
    from lrgame.engine.optimizers import SGD
    from lrgame.engine.schedules import CONSTANT
    from lrgame.engine.sweep import Par

    runs = RateRuns(
        np.array([0.1, 1.0, 10.0]),
        np.array([1, 2, 3], dtype=np.int8),
        np.array([5, 80, 3]),
        np.array([0.5, np.inf, np.nan]),
        np.array([0.25, 1e-300, np.inf]),
        2.0,
    )
    par = Par(None, None, 0.2, runs, CONSTANT, SGD)
    par_store.save("k", par)
    _same(par, par_store.load("k", [CONSTANT], [SGD]))


def test_an_edited_level_is_swept_again(tmp_path, counted):
    _load(tmp_path).compute_par()
    base._PAR_CACHE.clear()
    edited = _load(tmp_path, LEVEL.replace("max_iterations: 80", "max_iterations: 81"))
    edited.compute_par()
    assert counted == [1, 1]


def test_other_engine_code_is_swept_again(tmp_path, counted, monkeypatch):
    _load(tmp_path).compute_par()
    base._PAR_CACHE.clear()
    monkeypatch.setattr(par_store, "code_stamp", lambda: "an edited engine")
    _load(tmp_path).compute_par()
    assert counted == [1, 1]


def _stored_file():
    files = list(par_store.folder().glob("*.json"))
    assert len(files) == 1
    return files[0]


def _spoil(data):
    """Ways a stored par can be wrong; each must be a miss, never a crash or a wrong par."""
    yield "not json at all {"
    yield json.dumps([1, 2, 3])
    yield json.dumps({**data, "format": 99})
    yield json.dumps({**data, "key": "someone else's"})
    yield json.dumps({**data, "par": -3})
    yield json.dumps({**data, "par": 2.5})
    yield json.dumps({**data, "par": None})  # a par with no rate
    yield json.dumps({**data, "best_lr": float("nan")})
    yield json.dumps({**data, "max_stable_lr": "0.2"})
    yield json.dumps({**data, "schedule": "cosine:t_max=3"})  # not offered
    yield json.dumps({**data, "optimizer": "adam"})  # not offered
    yield json.dumps({**data, "codes": data["codes"][:-1]})
    yield json.dumps({**data, "codes": [99] * len(data["codes"])})
    yield json.dumps({**data, "iterations": ["x"] * len(data["codes"])})
    yield json.dumps({**data, "lrs": []})
    yield json.dumps({k: v for k, v in data.items() if k != "lowest_loss"})
    yield "[" * 100_000 + "]" * 100_000
    # found by the red team: numbers numpy cannot hold raised OverflowError (a traceback)
    n = len(data["codes"])
    yield json.dumps({**data, "codes": [2**70] * n})
    yield json.dumps({**data, "iterations": [2**70] * n})
    yield json.dumps({**data, "iterations": [1e300] * n})
    # and a par no level has, or columns of what numpy turns into numbers, were read
    yield json.dumps({**data, "par": 10**400})
    yield json.dumps({**data, "par": 0})
    yield json.dumps({**data, "par": data["par"] + 10**6})  # beyond the budget
    yield json.dumps({**data, "lrs": [str(v) for v in data["lrs"]]})
    yield json.dumps({**data, "lrs": [[v] for v in data["lrs"]]})
    yield json.dumps({**data, "codes": [[c] for c in data["codes"]]})
    yield json.dumps({**data, "iterations": [True] * n})
    yield json.dumps({**data, "final_loss": ["nan"] * n})
    yield " " * (par_store.MAX_BYTES + 1)


def test_a_spoilt_file_is_a_miss_and_is_written_over(tmp_path, counted):
    level = _load(tmp_path)
    good = level.compute_par()
    path = _stored_file()
    data = json.loads(path.read_text())
    name = path.stem
    tools = level.schedule_tools(), [base.SGD, *level.optimizer_tools()]
    budget = level.goal.max_iterations
    assert par_store.load(name, *tools, budget) is not None
    for text in _spoil(data):
        path.write_text(text)
        assert par_store.load(name, *tools, budget) is None, text[:80]
    base._PAR_CACHE.clear()  # the last spoilt file, met by a new process
    again = _load(tmp_path).compute_par()
    assert counted == [1, 1]  # swept again
    _same(good, again)
    assert json.loads(path.read_text()) == data  # and the good par written back


def test_an_unwritable_cache_only_means_no_cache(tmp_path, counted, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("LRGAME_CACHE_DIR", str(blocker))
    first = _load(tmp_path).compute_par()
    base._PAR_CACHE.clear()
    _same(first, _load(tmp_path).compute_par())
    assert counted == [1, 1]


def test_a_fifo_in_the_cache_is_a_miss_not_a_hang(tmp_path, counted):
    # found by the red team: read_text() on a FIFO waits for a writer forever
    good = _load(tmp_path).compute_par()
    path = _stored_file()
    path.unlink()
    os.mkfifo(path)
    base._PAR_CACHE.clear()
    done = []
    reader = threading.Thread(target=lambda: done.append(_load(tmp_path).compute_par()))
    reader.start()
    reader.join(60)  # a hang guard: a miss and a sweep take about a second
    stuck = reader.is_alive()
    if stuck:  # let it go: a writer that closes at once
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join()
    assert not stuck, "the FIFO was waited on"
    assert done and len(counted) == 2
    _same(good, done[0])
