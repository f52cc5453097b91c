from tests.issuance.conftest import draft  # noqa: F401 - shared fixture
