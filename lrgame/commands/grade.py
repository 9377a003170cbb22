"""`lrgame grade FILE...`: replay every attempt of result files and rank the players."""

from __future__ import annotations

import json
import sys

from .. import levels as L
from ..classroom.challenge import load_challenge
from ..classroom.grade import Grader, entries_json, flag_names, leaderboard_text, rank, write_csv
from ..errors import UsageError


def cmd_grade(args) -> int:
    if args.json and args.csv:
        raise UsageError("choose one of --json and --csv")
    challenge = None
    if args.challenge:
        challenge = load_challenge(args.challenge)  # a LevelError exits 1 with its lines
    extra = []
    for ref in args.level or []:
        try:
            extra.append(L.find_level(ref))
        except L.LevelNotFound as exc:
            raise UsageError(str(exc)) from None
    grader = Grader(challenge, extra)
    entries = rank(flag_names([grader.grade(path) for path in args.files]))
    if args.json:
        sys.stdout.write(json.dumps(entries_json(entries), indent=2, allow_nan=False) + "\n")
    elif args.csv:
        write_csv(entries, sys.stdout)
    else:
        print(leaderboard_text(entries))
    return 0 if all(e.status == "accepted" and not e.flags for e in entries) else 1
