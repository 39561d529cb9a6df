"""Browser tests: Playwright driving Debian's chromium against the app served by a real server
thread (werkzeug on 127.0.0.1, a free port) over the test database, with CSRF on.

Every page a test reaches is scanned with axe-core (axe-playwright-python, offline); a test fails
if a scan finds a serious or critical violation, or if it navigated to a page it never scanned.
"""
from __future__ import annotations

import re
import threading
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from tests.conftest import TEST_CONFIG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB",
            "timezone_id": "Europe/London"}


@pytest.fixture
def app(database_uri):
    """The app with CSRF protection on, as in production."""
    from casework import create_app

    app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True, "SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        yield app
        from casework.extensions import db

        db.session.remove()
        db.engine.dispose()


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


SERIOUS = {"serious", "critical"}
_IDS = re.compile(r"/\d+(?=/|$)|/[A-Z]{2,5}-\d{4}-\d+")


class Accessibility:
    """axe-core over every page reached; remembers which pages it scanned."""

    def __init__(self, page):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.page = page
        self.navigated: set[str] = set()
        self.scanned: set[str] = set()
        self.reports: list[str] = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.navigated.add(self._key(frame.url)))

    @staticmethod
    def _key(url: str) -> str:
        return _IDS.sub("/ID", urlparse(url).path)

    def scan(self) -> None:
        self.page.wait_for_load_state("load")
        results = self.axe.run(self.page)
        bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
        self.scanned.add(self._key(self.page.url))
        if bad:
            lines = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
                     for v in bad]
            self.reports.append(f"{self.page.url}\n  " + "\n  ".join(lines))
        assert not bad, "axe found serious or critical violations on " + self.reports[-1]

    def check_all_scanned(self) -> None:
        missed = self.navigated - self.scanned - {"/", "about:blank", ""}
        assert not missed, f"pages reached but never scanned for accessibility: {sorted(missed)}"


@pytest.fixture
def a11y(page):
    checker = Accessibility(page)
    yield checker
    checker.check_all_scanned()


@pytest.fixture
def dialogs(page):
    """Any alert() a page raises (hostile text must never run)."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    return seen
