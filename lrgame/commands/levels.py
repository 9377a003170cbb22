"""`lrgame levels`: the shipped campaign, each level with its par and best rate."""

from __future__ import annotations

from typing import Any

from .. import levels as L
from ..text import finite_or_none, num
from .common import goal_json, print_json


def level_summary(level: L.Level, chapter: str | None = None) -> dict[str, Any]:
    par = level.compute_par()
    goal = level.engine_goal
    return {
        "id": level.id,
        "title": level.title,
        "kind": level.kind,
        "chapter": chapter,
        "story": level.story,
        "n_params": level.n_params,
        "stochastic": level.stochastic,
        "par": par.par,
        "best_lr": finite_or_none(par.best_lr),
        "best_schedule": par.schedule.spec(),
        "best_optimizer": par.optimizer.spec(),
        "max_stable_lr": finite_or_none(par.max_stable_lr),
        "goal": goal_json(goal),
        "lr": {"default": level.lr.default, "min": level.lr.min, "max": level.lr.max},
        "schedules": [s.spec() for s in level.schedule_tools()],
        "optimizers": [o.spec() for o in level.optimizer_tools()],
        "trials": level.trials.model_dump() if level.trials else None,
        "range_test": level.range_test.model_dump() if level.range_test else None,
    }


def cmd_levels(args) -> int:
    rows = []
    for chapter, lid in L.campaign_ids():
        rows.append(level_summary(L.load_level(L.shipped_path(lid)), chapter))
    if args.json:
        print_json(rows)
        return 0
    chapter = None
    for r in rows:
        if r["chapter"] != chapter:
            chapter = r["chapter"]
            print(f"\n{chapter}")
        par = "unsolvable" if r["par"] is None else f"par {r['par']}"
        best = f"best lr {num(r['best_lr'])}"
        if r["best_schedule"] != "constant":
            best += f" with {r['best_schedule']}"
        if r["best_optimizer"] != "sgd":
            best += f" by {r['best_optimizer']}"
        print(f"  {r['id']:<22} {r['title']:<32} {r['n_params']:>9} params  {par}, {best}")
    return 0
