"""The count of pages the browser tests check with axe-core, kept honest (a pytest plugin,
registered by the root conftest so that it also runs in pytest-xdist's controller).

The accessibility statement gives the number of distinct pages checked
(`saas.core.accessibility.AXE_CHECKED_PAGES`); a full, green run of `tests/e2e` fails when that
number is out of date. A partial run checks fewer pages and is not judged.

With pytest-xdist the browser tests are spread over the workers: each worker sends the pages
it checked to the controller (`workeroutput`), which also sees every test's report and the
collected test ids, and judges once every worker is done.
"""

import os
from typing import Any

import pytest

E2E_FOLDER = "tests/e2e/"

# The pages checked with axe-core, by URL pattern and site (a page with another id is the same
# page).
AXE_PAGES: set[str] = set()
_e2e_outcomes: dict[str, str] = {}
_e2e_collected: set[str] = set()  # under xdist: the e2e test ids the workers collected


def record_axe_page(url: str) -> None:
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.urls import resolve

    parts = urlsplit(url)
    is_public = parts.hostname == settings.BASE_DOMAIN
    urlconf = settings.PUBLIC_SCHEMA_URLCONF if is_public else settings.ROOT_URLCONF
    route = resolve(parts.path, urlconf=urlconf).route
    AXE_PAGES.add(f"{'platform' if is_public else 'programme'}:/{route}")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    is_e2e = E2E_FOLDER in report.nodeid
    counts = report.when == "call" or report.outcome != "passed"
    if is_e2e and counts and _e2e_outcomes.get(report.nodeid) in (None, "passed"):
        _e2e_outcomes[report.nodeid] = report.outcome


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    _e2e_collected.update(test_id for test_id in ids if E2E_FOLDER in test_id)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    AXE_PAGES.update(getattr(node, "workeroutput", {}).get("axe_pages", ()))


def _runs_the_whole_folder(session: pytest.Session) -> bool:
    config = session.config
    if config.getoption("keyword") or config.getoption("markexpr"):
        return False
    folder = os.path.join(str(config.rootpath), E2E_FOLDER.rstrip("/"))
    args = [os.path.abspath(arg) for arg in config.args] or [str(config.rootpath)]
    return any(
        "::" not in arg and (folder == arg or folder.startswith(arg.rstrip(os.sep) + os.sep))
        for arg in args
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller judges, with all the pages
        workeroutput["axe_pages"] = sorted(AXE_PAGES)
        return
    from saas.core.accessibility import AXE_CHECKED_PAGES

    expected = _e2e_collected or {i.nodeid for i in session.items if E2E_FOLDER in i.nodeid}
    complete = (
        _runs_the_whole_folder(session)
        and expected
        and set(_e2e_outcomes) == expected
        and all(outcome == "passed" for outcome in _e2e_outcomes.values())
    )
    if complete and len(AXE_PAGES) != AXE_CHECKED_PAGES:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            f"saas/core/accessibility.py says AXE_CHECKED_PAGES = {AXE_CHECKED_PAGES}, but the "
            f"browser tests checked {len(AXE_PAGES)} pages with axe: "
            + ", ".join(sorted(AXE_PAGES))
        )
        if reporter is not None:
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
