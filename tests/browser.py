"""Browser tests: headless Chromium (Debian's) driven by Playwright, signed in as a user.

While a page is open, Playwright runs an event loop in this thread, so Django's ORM refuses to
be used: read or write the database before the page opens or after it closes.
"""

import shutil
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = shutil.which("chromium")
BROWSER_TEST = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
"""The marks of a browser test: the live server sees committed data; no Chromium, no test."""


@contextmanager
def browser_page(**page_options):
    """A page of a fresh headless Chromium, e.g. viewport={"width": 1366, ...}."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser.new_page(**page_options)
        finally:
            browser.close()


@contextmanager
def signed_in_page(live_server, user, **page_options):
    """A page (see browser_page) with `user`'s admin session."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    with browser_page(**page_options) as page:
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        yield page
