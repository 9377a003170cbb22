"""A bowl of 3,000 parameters with four curvatures, offering momentum and the
hypergradient: its twin under them has 4 parameters (shared by the tests of big bowls)."""

import textwrap

BOWL = textwrap.dedent(
    """\
    id: big-momentum
    title: Big
    kind: bowl
    n: 3000
    curvature: [0.5, 2, 7, 20]
    start: {seed: 5, scale: 1.0}
    goal: {loss_below: 1e-4, max_iterations: 200}
    lr: {default: 0.01, min: 1e-3, max: 1}
    optimizers:
      - momentum:beta=0.9
      - hypergradient:beta=1e-8
    """
)
