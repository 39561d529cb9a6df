#!/usr/bin/env python
"""Regenerate docs/screenshots/*.png: the main pages of the staff web app, on demo data.

    .venv/bin/python scripts/screenshots.py [--cases 400] [--out docs/screenshots]

Builds a throwaway SQLite database with the real migrations and the demo council (fixed seed, as
of an hour ago, so deadlines look current), serves the app on a free port and drives
Debian's chromium with Playwright (never `playwright install`; see ../shared/TOOLCHAIN.md).
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def build_app(db_path: Path, n_cases: int):
    from flask_migrate import upgrade

    from casework import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "CASEWORK_SCHEDULER": False,
                      "MAIL_BACKEND": "outbox", "SECRET_KEY": "screenshots-only-" + "x" * 32})
    with app.app_context():
        upgrade()
        from casework.demo import load_demo

        load_demo(n_cases=n_cases, seed=2026, echo=lambda *_: None, workers=0,
                  now=datetime.now(timezone.utc) - timedelta(hours=1))
    return app


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    from casework.demo import DEMO_PASSWORD

    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "screenshots.sqlite3", args.cases)
        server, url = serve(app)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                        timezone_id="Europe/London")

                def shot(name: str, full_page: bool = True):
                    page.wait_for_load_state("load")
                    page.screenshot(path=str(out / f"{name}.png"), full_page=full_page)
                    print(f"  {name}.png  {page.url.replace(url, '')}")

                def sign_in(email: str):
                    page.goto(url + "/sign-in")
                    page.get_by_label("Email address").fill(email)
                    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url("**/home")

                page.goto(url + "/sign-in")
                shot("01-sign-in", full_page=False)
                sign_in("recovery@demo.casework.test")
                shot("02-home", full_page=False)
                page.goto(url + "/cases?queue=all")
                shot("03-queue-all-open")
                page.goto(url + "/cases?queue=all&due=overdue")
                shot("04-queue-overdue")

                # a formal complaint at Stage 1, with its deadlines explained
                page.goto(url + "/cases?queue=all&procedure=corporate&stage=stage1")
                first = page.locator("table.casework-queue tbody a.govuk-link").first
                reference = first.inner_text()
                first.click()
                for summary in page.locator("#deadlines ~ table details summary").all()[:2]:
                    summary.click()
                shot("05-case-page")
                actions = page.locator(".casework-actions a")
                respond = [a for a in actions.all() if a.inner_text().startswith("Send the Stage")]
                if respond:
                    respond[0].click()
                    shot("06-action-respond")
                    page.get_by_role("button", name=re.compile("^Send the Stage")).click()
                    shot("07-action-errors")
                page.goto(f"{url}/cases/{reference}/letters/new?template=acknowledgement")
                shot("08-letter-compose")

                page.goto(f"{url}/cases/{reference}")
                link = page.locator("#person ~ dl a.govuk-link").first
                if link.count():
                    person_link = link.get_attribute("href")
                    name = link.inner_text().split()[-1]  # their surname
                    page.goto(url + "/search?q=" + name)
                    shot("09-search")
                    page.goto(url + person_link)
                    shot("10-person")

                # the front door
                page.goto(url + "/home")
                page.get_by_role("button", name="Sign out").click()
                sign_in("frontdoor@demo.casework.test")
                page.goto(url + "/contacts/new/")
                page.get_by_label("Name").fill("Smith")
                page.get_by_role("button", name="Search").click()
                shot("11-contact-find")
                page.get_by_role("link", name="None of these: add a new person").click()
                page.get_by_label("Full name").fill("Jo Bloggs")
                page.get_by_label("Email address (optional)").fill("jo.bloggs@example.com")
                page.get_by_role("button", name="Continue").click()
                page.get_by_label("The person themselves").check()
                page.get_by_role("button", name="Continue").click()
                page.get_by_label("Telephone", exact=True).check()
                page.get_by_role("button", name="Continue").click()
                page.get_by_label("Summary").fill("Bin missed three weeks running")
                page.get_by_role("button", name="Continue").click()
                shot("12-contact-kind")
                page.get_by_label("Complaint", exact=True).check()
                page.get_by_role("button", name="Continue").click()
                shot("13-contact-out-of-scope")
                page.get_by_label("None of these: it can be considered as a complaint").check()
                page.get_by_role("button", name="Continue").click()
                page.get_by_label("No, within the last 12 months").check()
                page.get_by_role("button", name="Continue").click()
                page.get_by_label("Corporate complaints").check()
                page.get_by_role("button", name="Continue").click()
                shot("14-contact-preferences")
                page.get_by_role("button", name="Continue").click()
                shot("15-contact-equality")
                page.get_by_label("Not asked this time").check()
                page.get_by_role("button", name="Continue").click()
                shot("16-contact-check-answers")
                page.get_by_role("button", name="Log the contact").click()
                shot("17-contact-logged")

                # the councillor's own pages (issue 5)
                page.goto(url + "/home")
                page.get_by_role("button", name="Sign out").click()
                sign_in("councillor@demo.casework.test")
                shot("18-councillor-home", full_page=False)
                page.goto(url + "/councillor/enquiries")
                shot("19-councillor-enquiries")
                first = page.locator("table tbody a.govuk-link").first
                if first.count():
                    first.click()
                    shot("20-councillor-enquiry")
                page.goto(url + "/councillor/enquiries/new")
                shot("21-councillor-raise")

                # reports, the weekly enquiry monitoring and the restrictions register
                page.goto(url + "/home")
                page.get_by_role("button", name="Sign out").click()
                sign_in("director@demo.casework.test")
                page.goto(url + "/reports/dashboard")
                shot("22-reports-dashboard")
                page.goto(url + "/enquiries/weekly")
                shot("23-mp-weekly")
                page.goto(url + "/restrictions")
                shot("24-restrictions-register")
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
