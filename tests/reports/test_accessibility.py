"""The report pages in a real browser (Debian's chromium), each scanned with axe-core; the
fixtures are the browser tests' own (tests/browser/conftest.py)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import (  # noqa: F401  (fixtures)
    a11y,
    app,
    browser_context_args,
    browser_type_launch_args,
    live_server,
)
from tests.browser.helpers import go, sign_in

pytestmark = pytest.mark.browser


def test_report_pages_pass_axe(page, live_server, a11y, year_of_complaints):  # noqa: F811
    server = live_server
    sign_in(page, a11y, server, year_of_complaints.recovery)
    page.get_by_role("link", name="Reports").click()
    page.wait_for_load_state("load")
    a11y.scan()  # the dashboard, with its three charts
    assert page.locator("svg.casework-chart[role=img]").count() == 3
    go(page, a11y, server.url + "/reports/?year=2025&by=service_area&as_of=2026-04-10")
    go(page, a11y, server.url + "/reports/figures/timeliness?year=2025&by=month")
    go(page, a11y, server.url + "/reports/annual?year=2025")
    go(page, a11y, server.url + "/reports/annual/letter?year=2025")
    go(page, a11y, server.url + "/reports/satisfaction?year=2025")
    go(page, a11y, server.url + "/reports/committee")
    go(page, a11y, server.url + "/reports/committee/new")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("load")
    a11y.scan()  # the error summary
    assert page.get_by_role("alert").count() >= 1 or page.locator(".govuk-error-summary").count() == 1
