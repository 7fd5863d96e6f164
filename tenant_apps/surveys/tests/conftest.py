import pytest

from tenant_apps.meetings.tests.factories import Pair, pair_create


@pytest.fixture
def pair(world) -> Pair:
    """Léa Martin (mentee) and Hugo Bernard (mentor), paired in programme A."""
    return pair_create(
        world.program_a,
        mentee=("lea.martin@a.example", "Léa", "Martin"),
        mentor=("hugo.bernard@a.example", "Hugo", "Bernard"),
    )
