from tests.issuance.conftest import demo, draft, people  # noqa: F401 - shared fixtures
