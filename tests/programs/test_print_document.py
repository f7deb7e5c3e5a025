import html
import io
import re
import sys

import pytest
from pypdf import PdfReader

from programs import printing
from programs.models import Program, ProgressionRule
from programs.seeding import seed_library
from programs.services import program_activate, program_copy
from tests.conftest import client_for
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db
TEMPLATE = "sciatic-nerve-pain-six-movement-tools"


@pytest.fixture
def program(therapist):
    """The seeded template copied to an imperial client of `therapist`, activated."""
    seed_library()
    client = ClientFactory(
        therapist=therapist, first_name="Robin", last_name="Hart", units="imperial"
    )
    client.user = UserFactory()
    client.save()
    therapist.first_name, therapist.last_name = "Dana", "Demo"
    therapist.save()
    template = Program.objects.get(slug=TEMPLATE)
    copy = program_copy(program=template, client=client, by=therapist)
    return program_activate(program=copy, by=therapist, override_reason="Medical clearance")


def url(program, kind, **query):
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/api/v1/programs/{program.pk}/{kind}/" + (f"?{params}" if params else "")


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def html_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.mark.parametrize("kind", ["print", "pdf"])
def test_printout_holds_names_exercises_doses_red_flags_and_progression(
    as_therapist, program, kind
):
    response = as_therapist.get(url(program, kind))
    text = pdf_text(response) if kind == "pdf" else html_text(response)
    flat = " ".join(text.split())
    for expected in [
        "Robin Hart",
        "Dana Demo",
        "Sciatic nerve pain: six movement tools",
        "Sciatic nerve glide",
        "Step up to knee drive",
        "10 reps each side",
        "5–8 reps each side · 6 in step",  # 15 cm in inches, week 1
        "you lose control of your bowel or bladder",
        "licensed physical therapist",
        "Circuit: 3–5 rounds",
        "5 lb",  # lunge load from week 6 (2.5 kg: 5.5 lb, to the nearest 2.5 lb)
        "8 in",  # step height from week 3 (20 cm)
        "12 in",  # step height at its cap (30 cm)
    ]:
        assert expected in flat, expected
    assert "5–8 reps each side · 15 cm step" not in flat  # imperial: the metric dose is not shown
    assert "5.5 lb" not in flat and "16.5 lb" not in flat  # no dumbbell weighs that


def test_metric_client_sees_kilograms_and_centimetres(as_therapist, program):
    program.client.units = "metric"
    program.client.save()
    flat = " ".join(pdf_text(as_therapist.get(url(program, "pdf"))).split())
    assert "2.5 kg" in flat and "15 cm step" in flat and "30 cm" in flat
    assert " lb" not in flat


def page_size(response) -> tuple[int, int]:
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    return round(page.mediabox.width), round(page.mediabox.height)


def test_pdf_has_page_x_of_y_on_every_page_and_a4_or_letter(as_therapist, therapist, program):
    from clinics.models import Clinic, Membership

    reader = PdfReader(io.BytesIO(as_therapist.get(url(program, "pdf")).content))
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {pages}" in page.extract_text()
    assert page_size(as_therapist.get(url(program, "pdf"))) == (612, 792)  # imperial: Letter
    assert page_size(as_therapist.get(url(program, "pdf", paper="a4"))) == (595, 842)
    clinic = Clinic.objects.create(name="Praxis Nord", country="DE")
    Membership.objects.create(user=therapist, clinic=clinic)
    assert page_size(as_therapist.get(url(program, "pdf"))) == (595, 842)  # the clinic's A4
    clinic.country = "US"
    clinic.save()
    assert page_size(as_therapist.get(url(program, "pdf"))) == (612, 792)


def test_the_header_names_the_clinic_and_no_version(as_therapist, therapist, program):
    from clinics.models import Clinic, Membership

    clinic = Clinic.objects.create(
        name="Northside Physio", country="US", phone="555-0100", email="desk@northside.test"
    )
    Membership.objects.create(user=therapist, clinic=clinic)
    flat = " ".join(pdf_text(as_therapist.get(url(program, "pdf"))).split())
    assert "Northside Physio · 555-0100 · desk@northside.test" in flat
    assert "version" not in flat.lower()


def test_weeks_range_limits_tracking_and_progression(as_therapist, program):
    html = html_text(as_therapist.get(url(program, "print", weeks="2-5")))
    assert "Week 2" in html and "Week 5" in html
    assert "Week 1<" not in html and "Week 6" not in html
    assert as_therapist.get(url(program, "print", weeks="0-3")).status_code == 400
    assert as_therapist.get(url(program, "pdf", weeks="5-2")).json() == {
        "weeks": ['A week or a range within 1-8, e.g. "1-4".']
    }
    assert "paper" in as_therapist.get(url(program, "pdf", paper="a3")).json()


def test_user_text_is_escaped(as_therapist, program):
    item = program.blocks.first().items.first()
    item.notes = "<script>alert('x')</script> & more"
    item.save()
    html = html_text(as_therapist.get(url(program, "print")))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in html
    assert "<script>alert('x')</script>" in pdf_text(as_therapist.get(url(program, "pdf")))


def test_pdf_is_cached_per_version_and_rerendered_after_a_change(
    as_therapist, program, monkeypatch
):
    renders = []
    real_render = printing.render_pdf
    monkeypatch.setattr(printing, "render_pdf", lambda doc: renders.append(doc) or real_render(doc))

    first = as_therapist.get(url(program, "pdf"))
    second = as_therapist.get(url(program, "pdf"))
    assert len(renders) == 1 and first.content == second.content
    assert first["ETag"] == second["ETag"]

    as_therapist.patch(f"/api/v1/programs/{program.pk}/", {"title": "Renamed"})
    third = as_therapist.get(url(program, "pdf"))
    assert len(renders) == 2 and third["ETag"] != first["ETag"]
    assert "Renamed" in pdf_text(third)


def test_matching_if_none_match_gets_304(as_therapist, program):
    etag = as_therapist.get(url(program, "pdf"))["ETag"]
    response = as_therapist.get(url(program, "pdf"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert as_therapist.get(url(program, "pdf"), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_missing_weasyprint_gives_503_and_the_html_view_still_works(
    as_therapist, program, monkeypatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    response = as_therapist.get(url(program, "pdf"))
    assert response.status_code == 503
    assert "libpango" in response.json()["detail"]
    assert as_therapist.get(url(program, "print")).status_code == 200


def test_client_downloads_their_own_pdf(program):
    response = client_for(program.client.user).get(f"/api/v1/me/programs/{program.pk}/pdf/")
    assert "Robin Hart" in pdf_text(response)


class TestPermissions:
    @pytest.mark.parametrize("kind", ["print", "pdf"])
    def test_from_the_outside(
        self, api, as_other_therapist, as_client, as_superuser, program, kind
    ):
        assert api.get(url(program, kind)).status_code == 401
        assert as_client.get(url(program, kind)).status_code == 403
        assert as_other_therapist.get(url(program, kind)).status_code == 404
        assert as_superuser.get(url(program, kind)).status_code == 200

    def test_another_client_gets_404_for_the_client_pdf(self, api, program):
        stranger = ClientFactory(user=UserFactory())
        response = client_for(stranger.user).get(f"/api/v1/me/programs/{program.pk}/pdf/")
        assert response.status_code == 404
        assert api.get(f"/api/v1/me/programs/{program.pk}/pdf/").status_code == 401

    def test_therapist_reads_shared_template_printout(self, as_other_therapist, program):
        template = Program.objects.get(slug=TEMPLATE)
        assert as_other_therapist.get(url(template, "print")).status_code == 200


def test_admin_program_page_links_to_print_and_pdf(client, therapist, program):
    """A shared template opens read-only, with links; an editable program saves first (see
    tests/programs/test_admin_actions.py)."""
    from django.urls import reverse

    client.force_login(therapist)
    template = Program.objects.get(slug=TEMPLATE)
    page = client.get(reverse("admin:programs_program_change", args=[template.pk]))
    html = page.content.decode()
    print_url, pdf_url = url(template, "print"), url(template, "pdf")
    assert f'href="{print_url}"' in html and f'href="{pdf_url}"' in html
    assert client.get(print_url)["Content-Type"].startswith("text/html")
    assert client.get(pdf_url)["Content-Type"] == "application/pdf"


def test_an_edited_library_exercise_renders_a_fresh_pdf(as_therapist, as_superuser, program):
    first = as_therapist.get(url(program, "pdf"))
    exercise = program.blocks.first().items.first().exercise
    as_superuser.patch(f"/api/v1/exercises/{exercise.pk}/", {"name": "Renamed release"})
    second = as_therapist.get(url(program, "pdf"))
    assert second["ETag"] != first["ETag"]
    assert "Renamed release" in pdf_text(second)


def test_a_renamed_therapist_renders_a_fresh_pdf(as_therapist, therapist, program, monkeypatch):
    renders = []
    real_render = printing.render_pdf
    monkeypatch.setattr(printing, "render_pdf", lambda doc: renders.append(doc) or real_render(doc))
    first = as_therapist.get(url(program, "pdf"))

    therapist.save(update_fields=["last_login"])  # every log-in; the printout shows no such thing
    assert as_therapist.get(url(program, "pdf"))["ETag"] == first["ETag"] and len(renders) == 1

    therapist.first_name, therapist.last_name = "Robin", "Renamed"
    therapist.save()
    second = as_therapist.get(url(program, "pdf"))
    assert second["ETag"] != first["ETag"] and len(renders) == 2
    assert "Robin Renamed" in pdf_text(second)


@pytest.mark.parametrize("kind", ["print", "pdf"])
def test_the_safety_box_has_stop_rules_then_red_flags_by_kind(as_therapist, program, kind):
    response = as_therapist.get(url(program, kind))
    text = pdf_text(response) if kind == "pdf" else re.sub("<[^>]+>", " ", html_text(response))
    flat = " ".join(text.split())
    rules = flat.index("your symptoms spread further down your leg")
    emergency = flat.index("Call emergency services now (911) if")
    stop = flat.index("contact your therapist or doctor before going on if")
    assert rules < emergency < stop
    assert flat.index("you lose control of your bowel or bladder") < stop
    assert flat.index("you have a fever or other signs of infection") > stop
    # history the therapist screened for is not the client's to act on
    assert "you have had cancer" not in flat and "risk of broken bones" not in flat
    assert "emergency: call now" not in flat


def test_the_clinics_emergency_number_is_printed(as_therapist, therapist, program):
    from clinics.models import Clinic, Membership

    def printed() -> str:
        return " ".join(pdf_text(as_therapist.get(url(program, "pdf"))).split())

    assert "Call emergency services now (911)" in printed()  # no clinic: CLINIC_COUNTRY (US)
    clinic = Clinic.objects.create(name="Praxis Nord", country="DE")
    Membership.objects.create(user=therapist, clinic=clinic)
    assert "Call emergency services now (112)" in printed()
    clinic.emergency_number = "000"
    clinic.save()
    assert "Call emergency services now (000)" in printed()


def test_every_exercise_card_prints_its_precautions(as_therapist, program):
    flat = " ".join(pdf_text(as_therapist.get(url(program, "pdf"))).split())
    exercises = [item.exercise for block in program.blocks.all() for item in block.items.all()]
    assert flat.count("Take care") == sum(1 for exercise in exercises if exercise.precautions)
    for exercise in exercises:
        for precaution in exercise.precautions:
            assert precaution in flat, (exercise.slug, precaution)


def test_the_therapists_rationale_is_never_shown_to_the_client(as_therapist, program):
    program.rationale = "Chose a low step: knee surgery in 2019."
    program.save()
    assert as_therapist.get(f"/api/v1/programs/{program.pk}/").json()["rationale"] == (
        program.rationale
    )
    app = client_for(program.client.user)
    [mine] = app.get("/api/v1/me/programs/").json()["results"]
    assert "rationale" not in mine and "knee surgery" not in str(mine)
    assert "knee surgery" not in html_text(as_therapist.get(url(program, "print")))
    assert "knee surgery" not in pdf_text(as_therapist.get(url(program, "pdf")))
    assert "knee surgery" not in pdf_text(app.get(f"/api/v1/me/programs/{program.pk}/pdf/"))


def test_the_seeded_templates_client_notes_hold_no_reasoning_or_numbers(program):
    assert "clinical choices" not in program.notes and "clinical choices" in program.rationale
    assert not any(character.isdigit() for character in program.notes)


def test_a_block_heading_never_ends_a_page_without_its_first_card(as_therapist, program):
    pages = [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(as_therapist.get(url(program, "pdf")).content)).pages
    ]
    for block in program.blocks.all():
        first = block.items.order_by("position").first()
        [page] = [page for page in pages if block.title in page]
        assert first.exercise.name in page, block.title


@pytest.mark.parametrize("units", ["metric", "imperial"])
def test_the_handout_lists_equipment_explains_the_condition_and_names_its_source(
    as_therapist, program, units
):
    program.client.units = units
    program.client.save()
    flat = " ".join(pdf_text(as_therapist.get(url(program, "pdf"))).split())
    equipment = sorted(
        {
            equipment.name
            for block in program.blocks.all()
            for item in block.items.all()
            for equipment in item.exercise.equipment.all()
        }
    )
    assert equipment and f"You will need {', '.join(equipment)}" in flat
    assert "About your condition" in flat and "largest nerve in your body" in flat
    assert (
        "Based on “Sciatic Nerve Pain 101: Why It Hurts and How to Help”, updated 25 Jul 2025"
        in flat
    )
    circuit = program.blocks.get(kind="circuit")
    assert flat.count("Part of the circuit: this dose is for each round.") == circuit.items.count()


def test_the_plan_labels_the_weeks_a_when_ready_rule_rises(as_therapist, program):
    html = html_text(as_therapist.get(url(program, "print")))
    assert "8 in when ready" in html  # 20 cm, the step's first rise
    assert "6 in when ready" not in html  # week 1's height is where it starts
    assert "5 lb when ready" in html  # the lunge's first load, with the reps back to 8
    rules = ProgressionRule.objects.filter(item__block__program=program)
    rules.update(trigger="scheduled")
    assert "when ready" not in html_text(as_therapist.get(url(program, "print")))


@pytest.mark.parametrize("kind", ["print", "pdf"])
def test_each_card_says_how_its_dose_progresses_from_its_rules(as_therapist, program, kind):
    def flat():
        response = as_therapist.get(url(program, kind))
        if kind == "pdf":
            text = pdf_text(response)
        else:
            text = html.unescape(re.sub(r"<[^>]+>", " ", html_text(response)))
        return " ".join(text.split())

    text = flat()
    assert (
        "How it progresses: Every 2 weeks from week 3, once you are ready: a step 2 in higher "
        "(at most 12 in). Ready means last week's dose done with pain at most 3/10;" in text
    )
    assert "then 5 lb more with the reps back to 8 (at most 5 lb)" in text
    ProgressionRule.objects.filter(item__block__program=program, parameter="step_height_cm").update(
        cap=25, every_weeks=1
    )
    text = flat()
    assert "Every week from week 3, once you are ready" in text and "(at most 10 in)" in text


def test_the_header_estimates_a_sessions_length_from_the_doses(as_therapist, program):
    flat = " ".join(pdf_text(as_therapist.get(url(program, "pdf"))).split())
    match = re.search(r"about (\d+)–(\d+) minutes a session", flat)
    assert match, "no estimate of a session's length"
    shortest, longest = int(match[1]), int(match[2])
    assert 10 <= shortest < longest <= 90  # six tools and a 3–5 round circuit
