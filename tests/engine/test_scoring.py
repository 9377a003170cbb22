from lrgame.engine import score, stars


def test_stars():
    assert stars("cleared", 5, 5) == 3
    assert stars("cleared", 4, 5) == 3
    assert stars("cleared", 10, 5) == 2
    assert stars("cleared", 11, 5) == 1
    assert stars("diverged", 3, 5) == 0
    assert stars("out_of_budget", 50, 5) == 0


def test_points_reward_fewer_iterations():
    assert score("cleared", 5, 5) == 1000
    assert score("cleared", 10, 5) == 500
    assert score("cleared", 4, 5) == 1250  # beating par with a schedule earns more
    assert score("diverged", 1, 5) == 0
    assert score("cleared", 7, 5) > score("cleared", 8, 5)
