"""
Playwright on Debian's chromium. A missing browser is a failure, never a skip: the journeys are
part of the suite.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's chromium is needed for the browser tests and is not at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _live_server_settings():
    """
    Settings the live server needs before it starts (its middleware reads them once): plain
    HTTP on localhost, and static files by their source names, which its static handler finds
    (the manifest storage's hashed names are covered by the other tests).
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


class PageProblems:
    """Console errors and CSP violations seen by a page, to assert there are none."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))

    def _on_console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.messages.append(f"{message.type}: {message.text}")


class ForeignRequests(list):
    """Every request a page makes to anywhere but our own server."""

    def __init__(self, page, origin: str):
        super().__init__()
        page.on("request", lambda request: self._check(request.url, origin))

    def _check(self, url: str, origin: str) -> None:
        if not (url.startswith(origin + "/") or url.startswith(("data:", "about:"))):
            self.append(url)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.problems = PageProblems(page)
    page.foreign_requests = ForeignRequests(page, live_server.url)
    yield page
    context.close()


@pytest.fixture
def audit_page(browser, live_server):
    """
    A page whose context ignores our Content-Security-Policy, so that a checker such as axe can
    be injected; console and CSP problems are looked for with the normal `page` instead.
    """
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def add_session_cookie(context, live_server, client) -> None:
    """
    Give a browser context the session of a logged-in test `client`, with the attributes the
    server sets: the production name is "__Host-sessionid", which a browser accepts only as a
    Secure host-only cookie with Path=/ (on http://localhost too, a secure context for
    Chromium). Playwright makes any cookie given by "url" on http:// not Secure, so it is given
    by host and path.
    """
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlsplit(live_server.url).hostname,
                "path": "/",
                "secure": settings.SESSION_COOKIE_SECURE,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def log_in(context, live_server, user) -> None:
    """Give a browser context a session of `user`, past two-factor authentication for staff."""
    from django.test import Client

    from tests.conftest import mfa_client

    if user.is_staff:
        client = mfa_client(user)  # staff reach the admin only past two-factor authentication
    else:
        client = Client()
        client.force_login(user)
    add_session_cookie(context, live_server, client)


@pytest.fixture
def logged_in_page(browser, live_server):
    """
    `logged_in_page(user)`: a page of a new browser context logged in as `user`, recording its
    console problems (`page.problems.messages`) and requests to other sites; every context is
    closed after the test.
    """
    contexts = []

    def make(user):
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        log_in(context, live_server, user)
        page = context.new_page()
        page.problems = PageProblems(page)
        page.foreign_requests = ForeignRequests(page, live_server.url)
        return page

    yield make
    for context in contexts:
        context.close()
