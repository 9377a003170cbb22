import pytest

from tests.serve.servers import running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One `lrgame serve` per test module: the browser tests' module runs on a worker of
    its own, beside the others."""
    yield from running_server(tmp_path_factory)
