"""A developer deselects the browser tests, the restore drill and the tests that start real
servers or workers with `-m "not e2e and not slow"` (README); CI runs everything. This check
fails when one of those tests is collected without its mark (whatever the selection: a test
missing its mark is selected, and seen here)."""

import pytest

SLOW_FILES = ("tests/test_restore_drill.py", "tests/test_production_boot.py")


def unmarked(items: list[pytest.Item]) -> list[str]:
    missing = []
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path.startswith("tests/e2e/") and item.get_closest_marker("e2e") is None:
            missing.append(f"{item.nodeid} (e2e)")
        is_slow = path in SLOW_FILES or "live_worker" in getattr(item, "fixturenames", ())
        if is_slow and item.get_closest_marker("slow") is None:
            missing.append(f"{item.nodeid} (slow)")
    return missing


def test_browser_restore_and_live_worker_tests_carry_their_marks(request):
    assert unmarked(request.session.items) == []


def test_the_check_sees_a_browser_test_without_its_mark(request):
    # given a collected browser test that lost its mark
    class Item:
        nodeid = "tests/e2e/test_new_page.py::test_it"
        fixturenames = ("live_site",)

        def get_closest_marker(self, name):
            return None

    # then the check names it
    assert unmarked([Item()]) == ["tests/e2e/test_new_page.py::test_it (e2e)"]
