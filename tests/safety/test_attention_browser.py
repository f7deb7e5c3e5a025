"""The therapist's admin home page in a real browser (Debian's headless Chromium, Playwright):
what needs attention is listed first, and a review mark is cleared with its button in place.
Screenshots go to artifacts/attention/."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from programs.models import Item
from tests.safety.test_attention import item_of, log, raise_flag, running

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "attention"

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


def test_a_therapist_clears_a_review_mark_from_the_home_page(live_server, client, therapist):
    marked = running(therapist)
    log(marked, pain=7)
    raise_flag(running(therapist).client, emergency=True)
    running(therapist, started_days_ago=8 * 7 - 2)  # ending
    running(therapist, screened_days_ago=45)
    client.force_login(therapist)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie,
                    "url": live_server.url,
                }
            ]
        )
        assert page.goto(f"{live_server.url}/admin/").status == 200
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
        rows = page.locator("#attention tbody tr")
        assert rows.count() == 4
        assert rows.first.locator("td.kind").inner_text() == "Emergency"
        assert page.locator("#content-main").is_visible()  # the apps, below

        page.get_by_role("button", name="Clear review mark").click()
        page.wait_for_load_state()
        page.screenshot(path=str(ARTIFACTS / "after-clear.png"), full_page=True)
        assert "Cleared the review mark of Split squat" in page.locator(".messagelist").inner_text()
        assert page.locator("#attention tbody tr").count() == 3
        assert page.locator("#attention .kind-review").count() == 0
        browser.close()
    assert Item.objects.get(pk=item_of(marked).pk).needs_review is False
