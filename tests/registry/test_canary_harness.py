"""The canary harness catches a leak and passes a clean body (so it cannot pass by accident)."""

import pytest

from registry.redaction import Audience, redact_record
from tests.canaries import assert_no_canaries, hidden_canaries, seed_canary_world


@pytest.fixture
def world(db):
    return seed_canary_world()


def test_it_catches_a_leaked_address(world):
    with pytest.raises(AssertionError, match="CanaryAddress1"):
        assert_no_canaries("<p>Domicilio: canaryaddress1</p>", world, Audience.PUBLIC)


def test_it_lets_the_public_see_a_consented_name(world):
    assert "Canarygiven1" not in hidden_canaries(world, Audience.PUBLIC)
    assert "Canarygiven2" in hidden_canaries(world, Audience.PUBLIC)  # a detainee's name


def test_public_redaction_of_both_records_leaks_nothing(world):
    body = repr(redact_record(world.missing_report, Audience.PUBLIC))
    body += repr(redact_record(world.detention, Audience.PUBLIC))
    assert_no_canaries(body, world, Audience.PUBLIC)
