"""The program page as a therapist uses it, in a real browser (headless Chromium, Debian's,
driven by Playwright) at 1366×900: compact, offering only what fits the exercise, saving before
it acts, and showing the first error. Screenshots are kept under artifacts/builder/."""

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from exercises.models import Exercise
from programs.models import Program
from programs.seeding import seed_library
from programs.services import program_copy
from tests.browser import BROWSER_TEST, signed_in_page
from tests.factories import ClientFactory, ScreeningFactory

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "builder"
WIDTH, HEIGHT = 1366, 900
SCREENS = 4
"""The seeded template's page, as it opens (blocks folded), is at most this many screens tall."""

pytestmark = BROWSER_TEST

ITEM = '[data-inline-model="programs-item"]'
RULE = '[data-inline-model="programs-progressionrule"]'
VISIBLE_OPTIONS = "select => [...select.options].filter(o => !o.hidden).map(o => o.value)"


def test_the_builder_fits_offers_what_fits_and_saves_before_it_acts(live_server, therapist):
    seed_library()
    dana = ClientFactory(therapist=therapist, first_name="Dana", last_name="Demo")
    ScreeningFactory(client=dana)  # clear: the program may be activated
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    program = program_copy(program=template, client=dana, by=therapist)
    glide_can = Exercise.objects.get(slug="sciatic-nerve-glide").progressable
    url = f"{live_server.url}{reverse('admin:programs_program_change', args=[program.pk])}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import expect

    with signed_in_page(
        live_server, therapist, viewport={"width": WIDTH, "height": HEIGHT}
    ) as page:
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        folded = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(SCREENSHOTS / "1-folded.png"), full_page=True)

        circuit = page.locator("#blocks-5")  # the sixth block, the strength circuit
        circuit.locator("> h3").click()
        lunge_rule = page.locator("#id_blocks-5-items-1-progressions-0-parameter")  # 6th, 2nd
        assert (
            "Front foot elevated lunge"
            in page.locator("#id_blocks-5-items-1-exercise").inner_text()
        )
        assert sorted(lunge_rule.evaluate(VISIBLE_OPTIONS)) == ["load_kg", "reps"]

        circuit.locator("#blocks-5-items-group").get_by_text("Add another Exercise").last.click()
        added = page.locator("#blocks-5-items-3")  # after the circuit's three
        added.locator(".select2-selection").click()
        page.locator(".select2-search__field").fill("sciatic nerve glide")
        page.locator(".select2-results__option", has_text="Sciatic nerve glide").click()
        side = added.locator('select[name$="-side"]')
        expect(side.locator('option[value="both"]')).to_be_hidden()
        assert side.evaluate(VISIBLE_OPTIONS) == ["", "each", "left", "right"]
        added.get_by_text("Add another Rule").last.click()
        parameter = added.locator(f'{RULE}.djn-item select[name$="-parameter"]')
        parameter.focus()
        offered = [value for value in parameter.evaluate(VISIBLE_OPTIONS) if value]
        assert sorted(offered) == sorted(glide_can) and "load_kg" not in offered
        added.locator('input[name$="-reps_min"]').fill("12")
        opened_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(SCREENSHOTS / "2-circuit-open.png"), full_page=True)

        # the plan follows the unsaved rule at once, and shows only what changes
        parameter.select_option("reps")
        added.locator(f'{RULE}.djn-item input[name$="-amount"]').fill("1")
        plan = page.locator("#schedule-preview")
        expect(plan).to_contain_text("Sciatic nerve glide: reps")
        expect(plan.locator("th", has_text="Week 8")).to_be_visible()
        plan.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "3-live-plan.png"))

        # a refused save: the page comes back with the invalid field opened and in view
        page.locator('input[name="weeks"]').fill("0")
        with page.expect_navigation():
            page.get_by_role("button", name="Save and activate", exact=True).click()
        first_error = page.locator("#program_form .errorlist").first
        expect(first_error).to_be_in_viewport()
        page.screenshot(path=str(SCREENSHOTS / "4-first-error.png"))
        expect(page.locator(".errornote")).to_be_visible()  # refused: nothing saved or activated

        # corrected, "Save and activate" keeps every edit and then activates
        page.locator('input[name="weeks"]').fill("8")
        page.locator('input[name="title"]').fill("Dana's sciatica plan")
        with page.expect_navigation():
            page.get_by_role("button", name="Save and activate", exact=True).click()
        page.screenshot(path=str(SCREENSHOTS / "5-activated.png"), full_page=True)

    assert errors == []
    assert folded <= SCREENS * HEIGHT, f"{folded} px tall"
    assert opened_width <= WIDTH, f"{opened_width} px wide"
    program.refresh_from_db()
    assert (program.title, program.status) == ("Dana's sciatica plan", "active")
    glide = program.blocks.get(kind="circuit").items.get(exercise__slug="sciatic-nerve-glide")
    assert (glide.side, glide.reps_min) == ("each", 12)
    assert glide.progressions.get().parameter == "reps"
