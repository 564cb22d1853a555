import pytest

from tests.factories import make_moderator


@pytest.fixture
def moderator(db):
    return make_moderator()


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client
