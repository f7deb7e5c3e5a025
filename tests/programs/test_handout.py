"""The whole handout of the seeded template, read back from the PDF (pypdf) as a client gets it,
for a metric and an imperial client. CI keeps a PNG of every page under artifacts/handout/."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import segno
from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from clinics.models import Clinic, Membership
from exercises.models import Exercise
from programs import printing, selectors
from programs.models import Program
from programs.seeding import seed_library
from programs.services import program_copy
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

VIDEO = "https://videos.example.org/sciatic-nerve-glide"
CLINICS = {  # units: (country, emergency number, page width x height in points)
    "metric": ("DE", "112", (595, 842)),
    "imperial": ("US", "911", (612, 792)),
}
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "handout"


def png(size, color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(params=["metric", "imperial"])
def handout(request, therapist, as_therapist, settings, tmp_path):
    """The seeded template for a client of `therapist`, whose clinic has a logo; the nerve glide
    has a video and an image. Yields (units, program, pages of text, reader)."""
    settings.MEDIA_ROOT = tmp_path
    units = request.param
    country, _, _ = CLINICS[units]
    seed_library()
    therapist.first_name, therapist.last_name, therapist.email = "Dana", "Demo", "dana@rp.example"
    therapist.save()
    clinic = Clinic(
        name="Riverside Physio",
        country=country,
        address="12 River Road",
        phone="+1 555 0100",
        email="desk@rp.example",
    )
    clinic.logo.save("logo.png", ContentFile(png((300, 120), "navy")), save=False)
    clinic.save()
    Membership.objects.create(user=therapist, clinic=clinic)
    glide = Exercise.objects.get(slug="sciatic-nerve-glide")
    glide.video_url = VIDEO
    glide.image.save("glide.png", ContentFile(png((200, 150), "darkgreen")), save=False)
    glide.save()
    client = ClientFactory(therapist=therapist, first_name="Robin", last_name="Hart", units=units)
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    program = program_copy(program=template, client=client, by=therapist)
    response = as_therapist.get(f"/api/v1/programs/{program.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    keep_pictures(response.content, units)
    reader = PdfReader(io.BytesIO(response.content))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    return units, program, pages, reader


def keep_pictures(pdf: bytes, units: str) -> None:
    """A PNG of every page, to look at (CI keeps them as artifacts)."""
    if shutil.which("pdftoppm") is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{units}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-", str(ARTIFACTS / units)], input=pdf, check=True
    )


def test_header_names_the_clinic_therapist_and_client_with_the_date_and_no_version(handout):
    units, program, pages, reader = handout
    first = pages[0]
    for text in ["Riverside Physio", "12 River Road", "+1 555 0100", "desk@rp.example"]:
        assert text in first, text
    assert "Dana Demo · dana@rp.example" in first and "Robin Hart" in first
    assert re.search(r"printed \d{1,2} \w{3} \d{4}", first)
    assert not re.search(r"\bv(ersion)?\s?\d", " ".join(pages), re.IGNORECASE)
    logo = [image for image in reader.pages[0].images if image.image.size == (300, 120)]
    assert logo, "the clinic's logo is not in the header"
    _, _, paper = CLINICS[units]
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == paper


def test_safety_box_stop_rules_then_emergencies_then_stop_and_contact(handout):
    units, program, pages, _ = handout
    text = " ".join(pages)
    _, number, _ = CLINICS[units]
    order = [
        "When to stop",
        "your symptoms spread further down your leg",
        "you feel new numbness, tingling or weakness",
        "you feel a sharp pain",
        "has not settled by the next morning",
        f"Call emergency services now ({number}) if:",
        "you lose control of your bowel or bladder",
        "you have numbness in your groin, inner thighs or buttocks",
        "Stop the exercises and contact your therapist or doctor before going on if:",
        "you have a fever or other signs of infection",
        "your pain does not ease with rest",
        "you fall or hurt yourself (a new injury)",
    ]
    positions = [text.find(phrase) for phrase in order]
    assert -1 not in positions, [p for p, at in zip(order, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    assert "you have had cancer" not in text and "broken bones" not in text  # history


def test_every_card_prints_its_dose_precautions_and_steps_without_counts(handout):
    units, program, pages, _ = handout
    text = " ".join(pages)
    compact = "".join(text.split())  # a line may break after a hyphen

    def printed(phrase):
        return "".join(phrase.split()) in compact

    for block in program.blocks.all():
        for item in block.items.all():
            exercise = item.exercise
            assert exercise.name in text
            for precaution in exercise.precautions:
                assert printed(precaution), precaution
            for step in exercise.steps:  # printed, with no count a dose could contradict
                assert printed(step), step
                assert not re.search(r"\d", re.sub(r"\d+ degrees", "", step)), step
    assert text.count("Part of the circuit: this dose is for each round.") == 3
    if units == "imperial":
        assert "5–8 reps each side · 6 in step" in text and "5 lb" in text
        assert not re.search(r"\d (kg|cm)\b", text.replace("Based on", ""))
    else:
        assert "5–8 reps each side · 15 cm step" in text and "2.5 kg" in text
        assert " lb" not in text


def test_strength_cards_say_how_they_progress_and_the_plan_marks_when_ready(handout):
    units, program, pages, _ = handout
    text = " ".join(pages)
    load, step, cap = (
        ("5 lb", "2 in", "12 in") if units == "imperial" else ("2.5 kg", "5 cm", "30 cm")
    )
    assert f"then {load} more with the reps back to 8 (at most {load})" in text
    assert f"a step {step} higher (at most {cap})" in text
    assert "How your program progresses" in text
    assert f"{load} when ready" in text
    assert "Adjust them to the client" not in text  # the therapist's rationale stays private


def test_the_video_prints_as_a_link_and_a_qr_code_and_the_image_is_shown(handout):
    _, program, pages, reader = handout
    [index] = [n for n, page in enumerate(pages) if "Sciatic nerve glide" in page]
    assert VIDEO in pages[index]
    images = [image.image for image in reader.pages[index].images]
    assert any(image.size == (200, 150) for image in images), "the exercise image is missing"
    matrix = segno.make_qr(VIDEO, error="m").matrix
    side = (len(matrix) + 2) * printing.QR_SCALE
    [qr] = [image.convert("L") for image in images if image.size == (side, side)]
    for row, modules in enumerate(matrix, start=1):
        for column, dark in enumerate(modules, start=1):
            centre = (column * printing.QR_SCALE + 1, row * printing.QR_SCALE + 1)
            assert (qr.getpixel(centre) < 128) == bool(dark), (row, column)
    links = [
        annotation.get_object()["/A"]["/URI"]
        for annotation in reader.pages[index].get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert VIDEO in links


def test_education_with_the_sources_attribution_equipment_and_session_length(handout):
    _, program, pages, _ = handout
    text = " ".join(pages)
    assert "You will need" in text and "Foam roller" in text and "Step or box" in text
    assert re.search(r"about \d+–\d+ minutes a session", text)
    assert "About your condition" in text and "largest nerve in your body" in text
    assert (
        "Based on “Sciatic Nerve Pain 101: Why It Hurts and How to Help”, updated 25 Jul 2025."
        " The post names no author and states no professional role." in text
    )


def test_the_attribution_gives_the_authors_stated_role(as_therapist, therapist):
    seed_library()
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    program = program_copy(
        program=template, client=ClientFactory(therapist=therapist), by=therapist
    )
    source = template.condition.source
    source.author, source.author_role = "A. Writer", "Pilates instructor"
    source.save()
    page = as_therapist.get(f"/api/v1/programs/{program.pk}/print/").content.decode()
    assert "updated 25 Jul 2025 by A. Writer, Pilates instructor." in page


def test_headings_keep_their_first_card_and_tracking_has_a_row_per_session(handout):
    _, program, pages, _ = handout
    for block in program.blocks.all():
        first = block.items.order_by("position").first().exercise.name
        assert any(block.title in page and first in page for page in pages), block.title
    start = next(n for n, page in enumerate(pages) if "Tracking Write the date" in page)
    assert "Pain before Pain after Differences between sides" in pages[start]
    rows_per_page = [
        re.findall(r"Week (\d+) (\d)\b", page.split("Tracking Write the date")[-1])
        for page in pages[start:]
    ]
    rows = [(int(week), int(session)) for page in rows_per_page for week, session in page]
    expected = [
        (week, session)
        for week in range(1, program.weeks + 1)
        for session in range(1, program.sessions_per_week + 1)
    ]
    assert rows == expected
    assert all(len(page) != 1 for page in rows_per_page), "a page holds a single row"


@pytest.mark.parametrize("sessions", [1, 2, 3, 5])
def test_tracking_rows_come_in_groups_of_at_least_two(sessions):
    for weeks in range(1, 10):
        groups = printing.tracking_groups(1, weeks, sessions)
        rows = [(row.week, row.session) for group in groups for row in group]
        assert len(rows) == weeks * sessions
        if len(rows) > 1:
            assert min(len(group) for group in groups) >= 2


def raster(pdf: bytes, directory: Path) -> list[bytes]:
    """Each page's pixels (pdftoppm, 50 dpi), the PNGs left in `directory`."""
    directory.mkdir()
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-", str(directory / "p")], input=pdf, check=True
    )
    return [Image.open(page).tobytes() for page in sorted(directory.glob("p-*.png"))]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_trimmed_default_styles_render_the_same_pages_as_weasyprints_own(handout, tmp_path):
    """handout_defaults.css stands in for WeasyPrint's HTML stylesheet to save cascade time;
    a rule the handout needs and it lacks shows up here as a changed page."""
    from weasyprint import HTML

    _, program, _, _ = handout
    program.notes = "Morning and evening.\nStop if the pain spreads."
    program.save()
    program = selectors.program_detail_qs(user=program.owner).get(pk=program.pk)
    document = printing.build_document(
        program, first_week=1, last_week=program.weeks, paper="a4", for_pdf=True
    )
    default = HTML(string=printing.render_html(document)).write_pdf()
    ours = raster(printing.render_pdf(document), tmp_path / "ours")
    assert len(ours) > 5
    assert ours == raster(default, tmp_path / "default")
