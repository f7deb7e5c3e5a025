"""A new client's path in a real browser (headless Chromium, Debian's, driven by Playwright):
the client's page, a screening with every flag answered absent, a program from the seeded
template, and an invitation to the app with its code and QR code. A screenshot of each step is
kept under artifacts/client-path/; the page loads are counted, as they are the therapist's
waiting time."""

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clients.models import Invitation, Screening
from exercises.models import Condition
from programs.models import Program
from programs.seeding import seed_library
from tests.browser import BROWSER_TEST, signed_in_page
from tests.factories import ClientFactory, ScreeningFactory

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "client-path"
PAGE_LOADS = 8
"""Client page, screening form, saved (back on the client page), new program's page, client
page again, invitation, client page with the invitation's state, the client list."""

pytestmark = BROWSER_TEST


def test_a_new_client_from_screening_to_invitation(live_server, therapist):
    seed_library()
    sciatica = Condition.objects.get(slug="sciatica")
    dana = ClientFactory(therapist=therapist, first_name="Dana", last_name="Demo")
    ScreeningFactory(
        client=dana, condition=sciatica, performed_at=timezone.now() - timedelta(days=45)
    )
    flags = list(sciatica.red_flags.all())
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    client_page = f"{live_server.url}{reverse('admin:clients_client_change', args=[dana.pk])}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import expect

    with signed_in_page(live_server, therapist, viewport={"width": 1280, "height": 900}) as page:
        loads = []
        page.on("load", lambda loaded: loads.append(loaded.url))

        def shot(name):
            page.evaluate("window.scrollTo(0, 0)")  # the admin's sticky sidebar follows it
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

        page.goto(client_page)
        steps = page.locator("#next-steps")
        expect(steps).to_contain_text("Older than 30 days")
        expect(steps).to_contain_text("No app account yet.")
        shot("1-client-page")

        page.get_by_role("link", name="Record a screening").click()
        expect(page.locator("#id_client")).to_have_value(str(dana.pk))
        expect(page.locator("#id_condition")).to_have_value(str(sciatica.pk))
        for flag in flags:
            answer = page.locator(f'input[name="flag_{flag.pk}"][value="absent"]')
            expect(answer).not_to_be_checked()
            answer.check()
        shot("2-screening-all-absent")
        page.locator('input[name="_save"]').click()
        page.wait_for_url(client_page)
        expect(steps).to_contain_text("Clear")
        shot("3-client-page-screened")

        expect(page.locator('select[name="template"]')).to_have_value(str(template.pk))
        page.get_by_role("button", name="New program from template").click()
        page.wait_for_url(re.compile(r"/admin/programs/program/\d+/change/$"))
        program_url = page.url
        expect(page.locator("#id_title")).to_have_value(
            "Sciatic nerve pain: six movement tools – Dana Demo"
        )
        shot("4-new-program")

        page.goto(client_page)
        expect(steps).to_contain_text("No active program")
        page.get_by_role("button", name="Invite to the app").click()
        code = page.locator("#invitation-code").inner_text()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        qr = page.locator("#invitation-qr")
        assert qr.evaluate("image => image.complete && image.naturalWidth") > 100
        expires = page.locator("#invitation-expires").inner_text()
        shot("5-invitation")

        page.get_by_role("link", name="Back to Dana Demo").click()
        expect(page.locator("#app-account")).to_contain_text("Invited: the code is valid until")
        shot("6-client-page-invited")

        page.get_by_role("link", name="Clients").last.click()
        expect(page.locator("td.field-screening")).to_have_text(re.compile(r"^Clear \("))
        expect(page.locator("td.field-active_program")).to_have_text("–")
        shot("7-client-list")
    assert len(loads) == PAGE_LOADS, loads
    assert Screening.objects.get(
        client=dana, performed_at__gte=timezone.now() - timedelta(1)
    ).is_clear
    program = Program.objects.get(client=dana)
    assert program_url.endswith(reverse("admin:programs_program_change", args=[program.pk]))
    assert program.source == template
    assert expires == f"{Invitation.objects.get(client=dana).expires_at:%-d %b %Y %H:%M}"
