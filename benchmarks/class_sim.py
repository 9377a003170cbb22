"""A live class, simulated on 127.0.0.1: students join and submit at once, some forged.

Starts ``lrgame class start`` on a free loopback port. N students (threads, each
with its own client token) join and send each attempt's file at once; the server is
killed with SIGKILL and started again (nothing answered may be lost); then everyone
sends their last attempt, and F of them a forged file, at once, and the server is
killed in the middle of it. Started again, every client sends again all it has with
the same ids, as the outbox does. The board (``GET /api/board``) must then show N
students ranked exactly as ``lrgame grade`` ranks their files, and F refusals with
the reasons ``lrgame grade`` gives the forged files. Bounded by --deadline; the
script stops itself, and its servers with it.

    python benchmarks/class_sim.py [--students 30] [--forged 5] [--deadline 240] [--json]

Exit 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CODE = "SIMCLASS"
BOARD_KEY = "SIMTEACHER"
CHALLENGE = """\
title: Simulated class
description: |
  Two valleys. One rate per run: choose it well.
levels:
  - x-squared
  - id: tilted
    title: A tilted valley
    params: {x: 4.0}
    loss: "0.5*x**2"
    goal: {loss_below: 1e-6, max_iterations: 60}
    lr: {default: 0.1, min: 1e-3, max: 3}
rules:
  lr_changes: false
  attempts: 2
"""
#: Each student's runs: (level, rate), chosen by the student's number.
X_RATES = [0.5, 0.4, 0.3, 0.45, 0.2, 0.1, 0.55, 1.2]
T_RATES = [1.0, 2.5, 0.9, 0.5, 1.5, 0.05, 2.2, 0.8]
FORGERIES = ["score", "stars", "rate", "iterations", "level"]


@dataclass
class Student:
    player: str
    token: str
    snapshots: list[bytes] = field(default_factory=list)  # the file after each attempt
    ids: list[str] = field(default_factory=list)
    forged: bytes | None = None
    forged_id: str = ""
    answers: list[dict] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)  # seconds from sending to the answer
    answered: dict[str, dict] = field(default_factory=dict)  # id -> the answer got


def write_challenge(folder: Path) -> Path:
    path = folder / "class.yaml"
    path.write_text(CHALLENGE, encoding="utf-8")
    return path


def forge(body: bytes, how: str) -> bytes:
    data = json.loads(body)
    a = data["attempts"][0]
    if how == "score":
        a["score"] += 111
    elif how == "stars":
        a["stars"] = 3 if a["stars"] != 3 else 2
    elif how == "rate":
        a["lrs"] = [lr * 1.01 for lr in a["lrs"]]
    elif how == "iterations":
        a["iterations"] += 1
    else:
        a["level_hash"] = "sha256:" + "0" * 64
    return json.dumps(data, indent=2).encode()


def make_students(challenge_path: Path, folder: Path, n: int, forged: int) -> list[Student]:
    """N students' result files, played headless by the game's own session (the files
    the game writes), one snapshot per attempt; the first ``forged`` also forge one."""
    from lrgame.classroom.challenge import ChallengeSession, load_challenge
    from lrgame.classroom.client import file_name

    challenge = load_challenge(challenge_path)
    students = []
    for i in range(n):
        player = f"Student {i + 1:02d}"
        path = folder / file_name(player)
        session = ChallengeSession.open(challenge, player, path)
        s = Student(player, secrets.token_urlsafe(24))
        runs = [("x-squared", X_RATES[i % len(X_RATES)]), ("tilted", T_RATES[i % len(T_RATES)])]
        if i % 3 == 1:  # a second try at the tilted valley
            runs.append(("tilted", T_RATES[(i + 3) % len(T_RATES)]))
        for level, lr in runs:
            session.play(level, [lr] * challenge.levels[level].engine_goal.max_iterations)
            s.snapshots.append(path.read_bytes())
            s.ids.append(secrets.token_urlsafe(12))
        if i < forged:
            s.forged = forge(s.snapshots[-1], FORGERIES[i % len(FORGERIES)])
            s.forged_id = secrets.token_urlsafe(12)
            (folder / "forged").mkdir(exist_ok=True)
            (folder / "forged" / file_name(player)).write_bytes(s.forged)
        students.append(s)
    return students


def server_command(challenge: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "lrgame", "class", "start", str(challenge),
            "--host", "127.0.0.1", "--port", "0", "--dir", str(folder), "--code", CODE,
            "--board-key", BOARD_KEY]  # fmt: skip


def read_url(proc: subprocess.Popen, deadline: float) -> str:
    """The class's address, from the server's first lines (within the deadline)."""
    found: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            text = line.decode(errors="replace") if isinstance(line, bytes) else line
            match = re.search(r"join:\s+lrgame join (http://\S+)", text)
            if match:
                found.append(match.group(1))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(max(deadline - time.monotonic(), 0))
    if not found:
        raise TimeoutError("the class server did not say its address")
    return found[0]


def post(url: str, path: str, body: bytes, headers: dict) -> dict:
    req = urllib.request.Request(url + path, data=body, method="POST",
                                 headers={"X-Class-Code": CODE, **headers})  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return {"status": f"http {exc.code}", "reason": exc.read().decode(errors="replace")}


def send(url: str, s: Student, sid: str, body: bytes) -> dict:
    t0 = time.monotonic()
    answer = post(url, "/api/submit", body, {"X-Submission-Id": sid, "X-Client-Token": s.token})
    s.waits.append(time.monotonic() - t0)  # the board is redrawn before the answer is sent
    return answer


def join(url: str, s: Student) -> dict:
    body = json.dumps({"player": s.player, "token": s.token}).encode()
    return post(url, "/api/join", body, {})


def submissions(s: Student) -> list[tuple[str, bytes]]:
    """(id, body) of everything the student sends: each attempt's file, then any forgery."""
    forged = [(s.forged_id, s.forged)] if s.forged is not None else []
    return list(zip(s.ids, s.snapshots)) + forged


def send_until_cut(url: str, s: Student, items: list[tuple[str, bytes]]) -> None:
    """Send in order, as the outbox does: stop at the first that gets no answer (it and
    the rest are sent again later, with the same ids)."""
    for sid, body in items:
        if sid in s.answered:
            continue
        try:
            answer = send(url, s, sid, body)
        except (OSError, http.client.HTTPException):
            return  # the server is gone: keep the rest
        s.answered[sid] = answer


def play_live(url: str, s: Student) -> None:
    """One student: join, then send each attempt's file as it ends, then any forgery."""
    s.answers.append(join(url, s))
    for sid, body in submissions(s):
        s.answers.append(send(url, s, sid, body))
        s.answered[sid] = s.answers[-1]


def board(url: str) -> dict:
    req = urllib.request.Request(url + "/api/board", headers={"X-Board-Key": BOARD_KEY})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())


def graded(challenge: Path, files: list[Path]) -> list[dict]:
    """``lrgame grade --json`` on files: what the board must agree with."""
    out = subprocess.run(
        [sys.executable, "-m", "lrgame", "grade", "--challenge", str(challenge), "--json",
         *map(str, files)], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return json.loads(out.stdout)["entries"]


def standings(b: dict) -> list[tuple]:
    return [(s["player"], s["rank"], s["total_score"]) for s in b["students"]]


def check_board(b: dict, challenge: Path, folder: Path, students: list[Student]) -> list[str]:
    """What is wrong with the board, compared with ``lrgame grade`` on the same files."""
    from lrgame.classroom.client import file_name

    problems = []
    honest = graded(challenge, [folder / file_name(s.player) for s in students])
    want = [(e["player"], e["rank"], e["total_score"]) for e in honest]
    if standings(b) != want:  # the same order, ties included
        problems.append(f"board {standings(b)} is not grade's {want}")
    forged = [folder / "forged" / file_name(s.player) for s in students if s.forged]
    if forged:
        reasons = sorted((e["player"], e["reason"]) for e in graded(challenge, forged))
        got = sorted((r["player"], r["reason"]) for r in b["rejected"])
        if got != reasons:
            problems.append(f"refusals {got} are not grade's {reasons}")
    return problems


def run_class(start, challenge: Path, folder: Path, students: list[Student], deadline: float):
    """The whole check, with ``start()`` a context manager giving a server's Popen.
    Returns (problems, figures).

    1. Everyone joins and sends every attempt but their last, all at once.
    2. The server is killed (SIGKILL) and started again: nothing it answered is lost.
    3. Everyone sends their last attempt (and the forgers their forgery) at once, and
       the server is killed in the middle of it; started again, every client sends
       again all it has, with the same ids: what was answered is answered the same,
       what was not is judged now.
    4. The board must be ``lrgame grade``'s ranking of the students' files, and its
       refusals grade's reasons for the forged files."""
    problems, figures = [], {}
    late = {s.player: submissions(s)[len(s.snapshots) - 1 :] for s in students}
    with start() as proc:
        url = read_url(proc, deadline)
        t0 = time.monotonic()

        def early(s: Student) -> None:
            s.answers.append(join(url, s))
            send_until_cut(url, s, submissions(s)[: len(s.snapshots) - 1])

        with concurrent.futures.ThreadPoolExecutor(len(students)) as pool:
            list(pool.map(early, students))
        figures["submit_seconds"] = round(time.monotonic() - t0, 2)
        figures["first_round"] = sum(len(s.answered) + 1 for s in students)
        waits = sorted(w for s in students for w in s.waits)
        if waits:
            figures["answer_median_ms"] = round(1000 * waits[len(waits) // 2])
            figures["answer_max_ms"] = round(1000 * waits[-1])
        for s in students:
            got = [a.get("status") for a in [s.answers[0], *s.answered.values()]]
            if got != ["joined"] + ["accepted"] * (len(s.snapshots) - 1):
                problems.append(f"{s.player}: answers {got}")
        before = board(url)
        os.killpg(proc.pid, signal.SIGKILL)  # no goodbye
        proc.wait(timeout=30)
    with start() as proc:
        url = read_url(proc, deadline)
        after = board(url)
        if standings(after) != standings(before) or after["rejected"] != before["rejected"]:
            problems.append("the restarted class lost or changed something")
        expected = sum(len(items) for items in late.values())
        with concurrent.futures.ThreadPoolExecutor(len(students)) as pool:
            running = [pool.submit(send_until_cut, url, s, late[s.player]) for s in students]
            while time.monotonic() < deadline and sum(len(s.answered) for s in students) < sum(
                len(s.snapshots) - 1 for s in students
            ) + max(1, expected // 3):
                time.sleep(0.005)
            os.killpg(proc.pid, signal.SIGKILL)  # mid-class: some answers never arrive
            concurrent.futures.wait(running)
        proc.wait(timeout=30)
    figures["unanswered_at_the_kill"] = sum(
        sid not in s.answered for s in students for sid, _ in late[s.player]
    )
    with start() as proc:
        url = read_url(proc, deadline)
        for s in students:  # every client sends again all it has, with the same ids
            for sid, body in submissions(s):
                again = send(url, s, sid, body)
                if sid in s.answered and (
                    not again.get("resent") or again["status"] != s.answered[sid]["status"]
                ):
                    problems.append(f"{s.player}: {sid} answered {again}, before {s.answered[sid]}")
                s.answered[sid] = again
            want = ["accepted"] * len(s.snapshots) + (["refused"] if s.forged else [])
            got = [s.answered[sid].get("status") for sid, _ in submissions(s)]
            if got != want:
                problems.append(f"{s.player}: answers {got}, expected {want}")
        final = board(url)
        problems += check_board(final, challenge, folder, students)
        figures["students"] = len(final["students"])
        figures["rejected"] = len(final["rejected"])
    return problems, figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--forged", type=int, default=5)
    p.add_argument("--deadline", type=float, default=240.0, help="seconds for the whole run")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not 1 <= args.students <= 200 or not 0 <= args.forged <= args.students:
        p.error("--students 1..200, --forged 0..students")
    deadline = time.monotonic() + args.deadline
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("deadline")))
    signal.alarm(int(args.deadline) + 1)
    with tempfile.TemporaryDirectory(prefix="class-sim-") as tmp:
        folder = Path(tmp)
        os.environ["LRGAME_HOME"] = str(folder / "home")
        challenge = write_challenge(folder)
        students = make_students(challenge, folder, args.students, args.forged)

        @contextlib.contextmanager
        def start():
            proc = subprocess.Popen(server_command(challenge, folder / "class"),
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    start_new_session=True)  # fmt: skip
            try:
                yield proc
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)

        try:
            problems, figures = run_class(start, challenge, folder, students, deadline)
        except TimeoutError as exc:
            problems, figures = [f"stopped: {exc}"], {}
        finally:
            signal.alarm(0)
    report = {"ok": not problems, "problems": problems, **figures}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for line in problems:
            print("FAIL:", line)
        print(" ".join(f"{k}={v}" for k, v in figures.items()), "ok" if not problems else "")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
