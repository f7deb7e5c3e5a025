"""The print view in a real browser: headless Chromium (Debian's) driven by Playwright."""

from pathlib import Path

from django.conf import settings

from programs.models import Program
from programs.seeding import seed_library
from programs.services import program_copy
from tests.browser import BROWSER_TEST, signed_in_page
from tests.factories import ClientFactory

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
A4_WIDTH_PX = 794  # 210 mm at 96 px per inch

pytestmark = BROWSER_TEST


def test_print_view_fits_the_page_width(live_server, therapist):
    seed_library()
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    program = program_copy(
        program=template, client=ClientFactory(therapist=therapist), by=therapist
    )
    item = program.blocks.last().items.last()
    item.notes = "A_very_long_unbroken_note_" * 12
    item.save()

    with signed_in_page(
        live_server,
        therapist,
        viewport={"width": A4_WIDTH_PX, "height": 1123},
        device_scale_factor=1,
    ) as page:
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
    assert overflowing == []
    assert scroll_width <= A4_WIDTH_PX
