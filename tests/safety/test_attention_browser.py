"""The therapist's admin home page in a real browser (Debian's headless Chromium, Playwright):
what needs attention is listed first, and a review mark is cleared with its button in place.
Screenshots go to artifacts/attention/."""

from pathlib import Path

from django.conf import settings

from programs.models import Item
from tests.browser import BROWSER_TEST, signed_in_page
from tests.safety.test_attention import item_of, log, raise_flag, running

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "attention"

pytestmark = BROWSER_TEST


def test_a_therapist_clears_a_review_mark_from_the_home_page(live_server, therapist):
    marked = running(therapist)
    log(marked, pain=7)
    raise_flag(running(therapist).client, emergency=True)
    running(therapist, started_days_ago=8 * 7 - 2)  # ending
    running(therapist, screened_days_ago=45)

    with signed_in_page(live_server, therapist, viewport={"width": 1280, "height": 900}) as page:
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
    assert Item.objects.get(pk=item_of(marked).pk).needs_review is False
