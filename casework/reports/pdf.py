"""HTML to PDF with headless Chromium (Debian's /usr/bin/chromium), offline.

The annual report page is already written for print (templates/reports/annual.html and its
@media print rules), so the PDF is that same HTML printed by a browser: no second layout to
keep in step. Stylesheets are inlined so Chromium needs no web server and no network; the
browser runs with networking features off and a fresh profile in a temporary directory.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 90


class PdfUnavailable(RuntimeError):
    """No browser to print with, or it failed."""


def find_chromium() -> str | None:
    configured = os.environ.get("CASEWORK_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def inline_stylesheets(html: str, static_folder: str, static_url_path: str) -> str:
    """Replace <link rel="stylesheet" href="/assets/..."> with the file's text."""

    def replace(match: re.Match) -> str:
        href = match.group(1)
        if not href.startswith(static_url_path + "/"):
            return match.group(0)
        path = Path(static_folder) / href[len(static_url_path) + 1:].split("?", 1)[0]
        try:
            css = path.read_text(encoding="utf-8")
        except OSError:
            return ""
        # Fonts and images in the GOV.UK stylesheet are not needed on paper: drop their url()s
        # so Chromium does not look for them.
        css = re.sub(r"url\([^)]*\)", "none", css)
        return f"<style>{css}</style>"

    html = re.sub(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"[^>]*>', replace, html)
    # No scripts in a PDF.
    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)


def html_to_pdf(html: str, *, chromium: str | None = None) -> bytes:
    chromium = chromium or find_chromium()
    if not chromium:
        raise PdfUnavailable("No Chromium found to print the PDF (set CASEWORK_CHROMIUM or install chromium)")
    with tempfile.TemporaryDirectory(prefix="casework-pdf-") as work:
        source = Path(work) / "report.html"
        target = Path(work) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--no-first-run", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
            f"--user-data-dir={work}/profile", f"--print-to-pdf={target}", source.as_uri(),
        ]
        try:
            completed = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False,
                                       env={**os.environ, "HOME": work})
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfUnavailable(f"Chromium could not print the PDF: {error}") from error
        if not target.exists() or target.stat().st_size == 0:
            tail = completed.stderr.decode("utf-8", "replace")[-500:]
            raise PdfUnavailable(f"Chromium printed no PDF (exit {completed.returncode}): {tail}")
        return target.read_bytes()
