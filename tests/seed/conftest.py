from tests.bench.fixtures import session_db  # noqa: F401 - a fixture
