"""Browser tests: Playwright drives Debian's chromium (no browser downloads) against pytest-django's live server
with the demo data. xdist-safe: each worker has its own test database, live server port, media and PKI folders."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
SCREENSHOTS = Path(os.environ.get("TAICHO_SCREENSHOTS", "/tmp"))  # noqa: S108 - screenshots to look at


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event loop running in
    this thread while it is open, and every later test of the worker that calls `asyncio.run` (pyHanko's
    signing and validation) would fail with "cannot be called from a running event loop"."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Không có Chromium của Debian (/usr/bin/chromium): cài bằng `apt-get install -y chromium`; "
            "bỏ qua kiểm thử trình duyệt."
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Chưa cài gói Python playwright (pip install -e '.[test]')."
    )
    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def demo_site(transactional_db, live_server, settings, tmp_path, browser):
    """The demo installation behind a live server, with its PKI and media in this test's folders."""
    settings.PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    from taicho.demo import build_demo

    build_demo()
    return live_server.url


class Counter:
    """Counts what a person does: clicks (and Enter presses) and the distinct screens visited."""

    def __init__(self) -> None:
        self.clicks = 0
        self.screens: list[str] = []

    def screen(self, url: str) -> None:
        path = re.sub(r"\?.*$", "", url)
        if not self.screens or self.screens[-1] != path:
            self.screens.append(path)


@pytest.fixture
def as_user(browser, demo_site):
    """Open a fresh browser context signed in as a demo account."""
    contexts = []

    def login(username: str):
        from taicho.demo import DEMO_PASSWORD

        context = browser.new_context(viewport=VIEWPORT, locale="vi-VN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{demo_site}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{demo_site}/")
        return page

    yield login
    for context in contexts:
        context.close()
