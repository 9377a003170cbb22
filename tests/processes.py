"""Processes a test starts are stopped, with their children, on every path out.

Two layers:

* :func:`started` runs a command in a process group of its own and, whatever ends
  the ``with`` block (a pass, a failed assert, a timeout, ctrl+c), ends the whole
  group: SIGTERM, then SIGKILL.
* The test session makes itself a *child subreaper* (Linux): a grandchild whose
  parent died, say the server a killed load script had started, is handed to pytest
  instead of to init. So every process a test started, however deep, stays a
  descendant of the session, and :func:`descendants` can find it after the test.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux only); True when it took effect."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # gone meanwhile
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def command_line(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    return ""


def descendants(pid: int | None = None) -> dict[int, str]:
    """Every living process below ``pid`` (this one by default): pid -> command line."""
    if not os.path.isdir("/proc"):
        return {}
    tree, found, todo = _children_map(), {}, [os.getpid() if pid is None else pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found[child] = command_line(child)
                todo.append(child)
    # A zombie has an empty command line and no state left to stop.
    return {p: cmd for p, cmd in found.items() if cmd}


def kill_all(pids) -> None:
    """SIGKILL each process, then collect those that were adopted by this one.

    Only these pids are waited for: ``waitpid(-1)`` could take the exit status of a
    child that a Popen object still expects to collect.
    """
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            except ChildProcessError:
                break  # not ours to collect (its parent is alive and will)
            time.sleep(0.01)


def _reap_group(pgid: int) -> None:
    """Collect the exited members of a group that were handed to this process (it is a
    subreaper): a zombie still counts as a member, so the group would never look empty."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-pgid, os.WNOHANG)[0]:
            pass


def stop_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group led by ``proc``, then SIGKILL what remains."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            proc.poll()
            _reap_group(proc.pid)
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            continue
        break
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


@contextlib.contextmanager
def started(args: list[str], **popen) -> Iterator[subprocess.Popen]:
    """``Popen(args)`` as the leader of a new process group, ended with its group on exit."""
    proc = subprocess.Popen(args, start_new_session=True, **popen)
    try:
        yield proc
    finally:
        stop_group(proc)
