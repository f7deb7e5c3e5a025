"""A new sciatica client from first to last page, in a real browser (headless Chromium, Debian's,
driven by Playwright): from the client's page a screening with every flag absent, a program from
the seeded template, one dose changed in the strength circuit, "Save and activate", then "Save
and print" on the print view. Each step's screenshot is kept under artifacts/new-client-flow/.

A page load is a main-frame navigation as the browser sees it (Playwright's `framenavigated` on
the main frame): a POST answered by a redirect counts once, for the page it lands on; the
builder's live plan and exercise options (fetches) load nothing. They are the therapist's
waiting time, for 15 or more clients a day.

The builder asks for a plan preview only for a real edit: not when the page opens or is
submitted (Django's and nested_admin's scripts fire "change" events then), so none races the
save; the test counts them."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from audit.models import AuditEvent
from clients.models import Screening
from exercises.models import Condition
from programs.models import Program
from programs.seeding import seed_library
from tests.browser import BROWSER_TEST, signed_in_page
from tests.factories import ClientFactory

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "new-client-flow"
PAGE_LOADS = 8
"""At most: today the path takes six (the client's page, the screening form, the client's page
after saving it, the new program's page, the program's page after activating, the print view)."""
LUNGE_REPS = "blocks-5-items-1-reps_min"
"""The strength circuit is the seeded template's sixth block, the lunge its second item."""

pytestmark = BROWSER_TEST


def test_a_new_sciatica_client_from_screening_to_printed_program(live_server, therapist):
    seed_library()
    sciatica = Condition.objects.get(slug="sciatica")
    flags = list(sciatica.red_flags.all())
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    dana = ClientFactory(therapist=therapist, first_name="Dana", last_name="Demo")
    client_page = f"{live_server.url}{reverse('admin:clients_client_change', args=[dana.pk])}"
    program_page = re.compile(r"/admin/programs/program/\d+/change/$")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import expect

    with signed_in_page(live_server, therapist, viewport={"width": 1366, "height": 900}) as page:
        errors, loads, failed = [], [], []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "response",
            lambda response: failed.append(response.url) if response.status >= 500 else None,
        )
        page.on(
            "framenavigated",
            lambda frame: loads.append(frame.url) if frame == page.main_frame else None,
        )

        previews = []
        page.on(
            "request",
            lambda request: previews.append(request.url) if "/preview/" in request.url else None,
        )

        def shot(name):
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

        page.goto(client_page)
        steps = page.locator("#next-steps")
        expect(steps).to_contain_text("Not screened")
        shot("1-client-page")

        page.get_by_role("link", name="Record a screening").click()
        expect(page.locator("#id_client")).to_have_value(str(dana.pk))
        page.locator("#id_condition").select_option(str(sciatica.pk))  # nothing to go by yet
        for flag in flags:
            page.locator(f'input[name="flag_{flag.pk}"][value="absent"]').check()
        shot("2-screening-all-absent")
        page.locator('input[name="_save"]').click()
        page.wait_for_url(client_page)
        expect(steps).to_contain_text("Clear")
        shot("3-client-page-screened")

        page.locator('select[name="template"]').select_option(str(template.pk))
        page.get_by_role("button", name="New program from template").click()
        page.wait_for_url(program_page)
        expect(page.locator("#id_title")).to_have_value(
            "Sciatic nerve pain: six movement tools – Dana Demo"
        )
        shot("4-new-program")

        page.wait_for_load_state("networkidle")  # the exercise options
        circuit = page.locator("#blocks-5")
        circuit.locator("> h3").click()
        expect(page.locator("#id_blocks-5-items-1-exercise")).to_contain_text(
            "Front foot elevated lunge"
        )
        reps = page.locator(f'input[name="{LUNGE_REPS}"]')
        expect(reps).to_have_value("8")
        reps.fill("6")
        expect(page.locator("#schedule-preview")).to_contain_text("6–10")  # the plan follows
        shot("5-lunge-reps-changed")

        with page.expect_navigation():
            page.get_by_role("button", name="Save and activate", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("Activated 1")
        page.wait_for_load_state("networkidle")
        shot("6-activated")

        with page.expect_navigation() as printed:
            page.get_by_role("button", name="Save and print", exact=True).click()
        print_status = printed.value.status
        print_url = page.url
        shot("7-print-view")

    assert (errors, failed) == ([], [])
    assert len(previews) == 1, previews  # one edit, one preview: none on load or on submit
    assert len(loads) <= PAGE_LOADS, loads
    assert Screening.objects.get(client=dana).is_clear
    program = Program.objects.get(client=dana)
    assert (program.status, program.source) == ("active", template)
    assert program.title == f"{template.title} – Dana Demo"
    lunge = program.blocks.get(kind="circuit").items.get(exercise__slug="front-foot-elevated-lunge")
    assert (lunge.reps_min, lunge.reps_max) == (6, 10)
    assert print_url == f"{live_server.url}{reverse('program-print', args=[program.pk])}"
    assert print_status == 200
    assert AuditEvent.objects.filter(
        action="read:print", object_id=str(program.pk), status_code=200
    ).exists()
