"""The learner: gradient descent on squared errors, vectorised, deterministic."""

import numpy as np
import pytest

from lrgame import levels as L
from lrgame.engine import dogs as E
from lrgame.engine.descent import Outcome


@pytest.fixture(scope="module")
def child():
    return L.find_level("child-and-dogs").child()


def reference(child, lr):
    """A plain per-rate loop, written out the long way."""
    m = [float(v) for v in child.first_dogs[0]]
    s = [v * v for v in m]
    for x in child.first_dogs[1:]:
        for i, xi in enumerate(x):
            m[i] += child.first_lr * (xi - m[i])
            s[i] += child.first_lr * (xi * xi - s[i])
    means = [list(m)]
    for x in child.stream:
        for i, xi in enumerate(x):
            m[i] += lr * (xi - m[i])
            s[i] += lr * (xi * xi - s[i])
        means.append(list(m))
    return np.array(means), np.array(s)


def test_the_vectorised_learner_equals_a_per_rate_loop(child):
    lrs = np.geomspace(1e-3, 1.0, 37)
    b = E.learn(child, lrs)
    assert b.mean.shape == (37, child.n_steps + 1, len(child.features))
    for r, lr in enumerate(lrs):
        means, s = reference(child, lr)
        np.testing.assert_allclose(b.mean[r], means, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b.square[r, -1], s, rtol=0, atol=1e-12)


def test_the_step_by_step_run_equals_the_vectorised_learner(child):
    lrs = np.geomspace(1e-3, 1.0, 23)
    b = E.learn(child, lrs)
    said = E.says_dog(child, b.mean[:, -1], b.square[:, -1])
    for r, lr in enumerate(lrs):
        run = E.ChildRun(child)
        while not run.over:
            run.step(lr)
        np.testing.assert_allclose([s.params for s in run.steps], b.mean[r], atol=1e-12)
        assert list(run.quiz().values()) == said[r].tolist()


def test_each_update_is_a_gradient_step_on_half_the_squared_distance(child):
    scape = E.ChildLandscape(child)
    m = scape.start[None, :]
    g = scape.grad(m, 0)
    h = 1e-6
    numeric = np.array(
        [
            (scape.loss(m + h * e, 0) - scape.loss(m - h * e, 0))[0] / (2 * h)
            for e in np.eye(m.shape[1])
        ]
    )
    np.testing.assert_allclose(g[0], numeric, atol=1e-6)
    run = E.ChildRun(child)
    step = run.step(0.3)
    np.testing.assert_allclose(step.params, m[0] - 0.3 * g[0], atol=1e-12)
    np.testing.assert_allclose(step.update, -0.3 * g[0], atol=1e-12)


def test_per_step_rates_are_allowed(child):
    b = E.learn(child, np.array([[0.3, 0.3], [0.01, 1.0]]))
    np.testing.assert_allclose(b.mean[0], E.learn(child, [0.3]).mean[0])
    np.testing.assert_allclose(b.mean[1, -1], child.stream[-1])  # the last step at rate 1


def test_runs_are_deterministic(child):
    lrs = np.geomspace(1e-3, 1.0, 50)
    a, b = E.simulate(child, lrs), E.simulate(child, lrs)
    np.testing.assert_array_equal(a.codes, b.codes)
    np.testing.assert_array_equal(a.final_loss, b.final_loss)
    one = L.find_level("child-and-dogs")
    two = L.find_level("child-and-dogs")
    assert one.beliefs(0.3) == two.beliefs(0.3)
    assert one.good_window() == two.good_window()


def test_the_run_judges_the_quiz_at_the_end_and_undoes(child):
    run = E.ChildRun(child)
    assert run.loss == 2  # before the stream: the white and the brown dog are wrong
    run.step(0.8)
    assert run.loss == 0 and not run.over  # right for a moment...
    run.step(0.8)
    assert run.over and run.outcome == Outcome.OUT_OF_BUDGET  # ...then the black dog goes
    assert run.quiz()["black_dog"] is False
    after = run.current.params
    assert run.undo() and run.iteration == 1 and not run.over
    run.step(0.8)
    np.testing.assert_array_equal(run.current.params, after)
    assert run.lrs == [0.8, 0.8]
    assert E.ChildRun(child).play([0.3, 0.3]).outcome == Outcome.CLEARED


def test_a_wild_rate_blows_up_as_diverged_not_a_crash(child):
    run = E.ChildRun(child)
    run.play([1e300, 1e300])
    assert run.outcome == Outcome.DIVERGED
    assert E.simulate(child, [1e300]).diverged[0]


def test_grade_rewards_the_middle_of_the_window():
    w = E.Window(0.1, 0.4)
    assert E.grade(w, True, 0.2) == (3, 1000)
    assert E.grade(w, True, 0.1)[0] == 1 and E.grade(w, True, 0.1)[1] == 500
    assert E.grade(w, True, 0.13)[0] == 2
    assert E.grade(w, False, 0.2) == (0, 0)
    near, far = E.grade(w, True, 0.21)[1], E.grade(w, True, 0.3)[1]
    assert near > far


def test_the_engines_plain_run_on_the_adapter_walks_the_same_prototype(child):
    """The landscape adapter is honest: generic descent on it moves the mean the same way."""
    from lrgame.engine import Goal, Run

    plain = Run(E.ChildLandscape(child), Goal(1e-300, child.n_steps))
    own = E.ChildRun(child)
    for lr in (0.3, 0.05):
        plain.step(lr)
        own.step(lr)
    np.testing.assert_allclose(plain.params, own.params, atol=1e-12)
