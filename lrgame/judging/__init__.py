"""How runs are judged: the one verdict (outcome, stars, points against par) that the
game, ``lrgame run`` and the grader all give; the diagnosis of a run; the result
screen's figures; and result files, the replays a grader judges again.
"""
