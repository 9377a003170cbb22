"""`lrgame practice [--seed N] [--yaml]`: a level made from a seed (``levels/practice.py``)."""

from __future__ import annotations

from ..levels.practice import fresh_seed, generate


def cmd_practice(args) -> int:
    """`lrgame practice [--seed N] [--yaml]`."""
    import sys

    seed = args.seed if args.seed is not None else fresh_seed()
    try:
        practice = generate(seed)
    except ValueError as exc:
        print(f"lrgame practice: {exc}", file=sys.stderr)
        return 2
    if args.yaml:
        sys.stdout.write(practice.yaml)
        return 0
    from ..ui.practice_app import play_practice

    return play_practice(seed)
