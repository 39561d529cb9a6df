from __future__ import annotations

import pytest

from tests.restrictions.support import make_council, make_person


@pytest.fixture
def council(app):
    return make_council()


@pytest.fixture
def person(app):
    return make_person()
