"""A place with an open round and invitations whose tokens the tests know."""

import pytest
from sqlalchemy import Engine

from tests.support.records import Invited, make_round


@pytest.fixture
def invited(engine: Engine) -> Invited:
    return make_round(engine)
