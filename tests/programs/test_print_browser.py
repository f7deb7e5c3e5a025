"""The print view in a real browser: headless Chromium (Debian's) driven by Playwright."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from programs.models import Program
from programs.seeding import seed_library
from programs.services import program_copy
from tests.factories import ClientFactory

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


def test_print_view_fits_the_page_width(live_server, client, therapist):
    seed_library()
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    program = program_copy(
        program=template, client=ClientFactory(therapist=therapist), by=therapist
    )
    item = program.blocks.last().items.last()
    item.notes = "A_very_long_unbroken_note_" * 12
    item.save()
    client.force_login(therapist)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(
            viewport={"width": A4_WIDTH_PX, "height": 1123}, device_scale_factor=1
        )
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie,
                    "url": live_server.url,
                }
            ]
        )
        response = page.goto(f"{live_server.url}/api/v1/programs/{program.pk}/print/")
        assert response.status == 200
        page.emulate_media(media="print")
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                              || el.scrollWidth > el.clientWidth + 1)
                .map(el => el.tagName + '.' + el.className)"""
        )
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "print-view.png"), full_page=True)
        assert page.locator("h1").inner_text() == program.title
        assert page.locator("article.card").count() == 11
        browser.close()
    assert overflowing == []
    assert scroll_width <= A4_WIDTH_PX
