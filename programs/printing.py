"""The printable program: one document, rendered by one template to HTML and, by WeasyPrint, PDF.

`build_document` gathers everything the handout shows into plain dataclasses; the template
`programs/print.html` only lays it out, so the HTML view and the PDF cannot drift apart.
"""

import base64
import functools
import hashlib
import mimetypes
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from clinics.models import clinic_of, emergency_number_for
from exercises.models import Equipment, RedFlag
from progression import plan, session_time
from ptbuilder import caching

from . import dosing
from .models import Block, Program

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
WEEKS_PER_TABLE = 6
ADVICE = (
    "These exercises were chosen for you by your physical therapist. They are a starting point, "
    "not a diagnosis: keep in touch with a medical professional, and get assessed by a licensed "
    "physical therapist for individualised care and treatment."
)
STOP_RULES = [
    "your symptoms spread further down your leg",
    "you feel new numbness, tingling or weakness",
    "you feel a sharp pain",
    "your pain goes above the level your therapist agreed with you and has not settled by the "
    "next morning",
]
"""When to stop an exercise session: the handout says these first, before the red flags."""
NEW_INJURY = "you fall or hurt yourself (a new injury), even if it seems minor"
"""Said with the condition's stop-and-contact flags: the seed's trauma flag is screening history,
but an injury during the program also means stopping until the therapist has seen it."""


@dataclass(frozen=True)
class PrintExercise:
    name: str
    image_src: str
    steps: list[str]
    cues: list[str]
    precautions: list[str]
    dose_text: str
    progression: list[str]
    notes: str
    in_circuit: bool
    video_url: str
    video_qr: str  # a data URI of the video link's QR code, empty without a video


@dataclass(frozen=True)
class PrintBlock:
    title: str
    structure: str
    notes: str
    exercises: list[PrintExercise]


@dataclass(frozen=True)
class TrackingRow:
    week: int
    session: int


@dataclass(frozen=True)
class PrintDocument:
    title: str
    therapist_name: str
    clinic: dict
    therapist_contact: str
    client_name: str
    start_date: date | None
    weeks: int
    sessions_per_week: int
    session_minutes: tuple[int, int]
    printed_on: date
    first_week: int
    last_week: int
    paper: str
    goal: str
    notes: str
    equipment: list[str]
    education: list[str]
    attribution: str
    stop_rules: list[str]
    emergency_flags: list[str]
    stop_flags: list[str]
    emergency_number: str
    advice: str
    blocks: list[PrintBlock]
    progression_tables: list[plan.Table]
    tracking_groups: list[list[TrackingRow]]


def build_document(
    program: Program, *, first_week: int, last_week: int, paper: str, for_pdf: bool
) -> PrintDocument:
    """Everything the handout shows; `program` comes with blocks, items and rules prefetched."""
    units = program.client.units if program.client else "metric"
    owner = program.owner
    schedules = {
        item.pk: dosing.item_schedule(item, last_week, dosing.ready_every_week(last_week))
        for block in program.blocks.all()
        for item in block.items.all()
    }
    return PrintDocument(
        title=program.title,
        therapist_name=(owner.get_full_name() or owner.username) if owner else "",
        clinic=_clinic(owner),
        therapist_contact=owner.email if owner else "",
        client_name=str(program.client) if program.client else "",
        start_date=program.start_date,
        weeks=program.weeks,
        sessions_per_week=program.sessions_per_week,
        session_minutes=_session_minutes(program, schedules, first_week),
        printed_on=timezone.localdate(),
        first_week=first_week,
        last_week=last_week,
        paper=PAPER_SIZES[paper],
        goal=program.goal,
        notes=program.notes,
        equipment=_equipment(program),
        education=program.condition.education.split("\n\n") if program.condition else [],
        attribution=_attribution(program),
        stop_rules=STOP_RULES,
        emergency_flags=_client_texts(program, RedFlag.Kind.EMERGENCY),
        stop_flags=[*_client_texts(program, RedFlag.Kind.STOP), NEW_INJURY],
        emergency_number=emergency_number_for(owner),
        advice=ADVICE,
        blocks=[
            _block(block, schedules, first_week, units, for_pdf) for block in program.blocks.all()
        ],
        progression_tables=_progression_tables(program, schedules, first_week, last_week, units),
        tracking_groups=tracking_groups(first_week, last_week, program.sessions_per_week),
    )


def default_paper(program: Program) -> str:
    clinic = clinic_of(program.owner)
    if clinic is not None:
        return clinic.paper_size
    imperial = program.client is not None and program.client.units == "imperial"
    return "letter" if imperial else "a4"


def _clinic(owner) -> dict:
    """What the handout's header shows of the therapist's clinic (nothing without one)."""
    clinic = clinic_of(owner)
    if clinic is None:
        return {}
    return {
        "name": clinic.name,
        "address": clinic.address,
        "contact": " · ".join(part for part in (clinic.phone, clinic.email) if part),
        "logo_src": _data_uri(clinic.logo),
    }


def _data_uri(image) -> str:
    """An uploaded image inlined, so the HTML view and the PDF show it without a media server
    (and within the print view's Content-Security-Policy); empty when there is none."""
    if not image:
        return ""
    try:
        with image.open("rb") as file:
            content = file.read()
    except OSError:  # a file gone from storage must not stop the handout
        return ""
    mime = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


QR_SCALE = 4
"""Pixels per QR module: the PNG stays small and is printed without smoothing."""


def _qr_code(url: str) -> str:
    """The link as a QR code (never a Micro QR, which phone cameras do not read; PNG data URI,
    a one-module quiet zone), empty without a link."""
    return segno.make_qr(url, error="m").png_data_uri(scale=QR_SCALE, border=1) if url else ""


def _session_minutes(program: Program, schedules, first_week: int) -> tuple[int, int]:
    """How long a session of the first printed week takes, from its doses (an estimate)."""
    parts = []
    for block in program.blocks.all():
        exercises = [
            session_time.Exercise(
                dose=schedules[item.pk][first_week - 1].dose,
                dosing=item.exercise.dosing,
                side=item.side,
                rest_seconds=item.rest_seconds,
            )
            for item in block.items.all()
        ]
        circuit = block.kind == Block.Kind.CIRCUIT
        rounds = (block.rounds_min, block.rounds_max or block.rounds_min) if circuit else (1, 1)
        rest = (block.rest_between_rounds_seconds or 0) if circuit else 0
        parts.append(session_time.Part(exercises, rounds, rest))
    return session_time.session_minutes(parts)


def _equipment(program: Program) -> list[str]:
    """What the client needs at home for the program's exercises, by name."""
    exercises = [item.exercise_id for block in program.blocks.all() for item in block.items.all()]
    names = Equipment.objects.filter(exercises__in=exercises).distinct().values_list("name")
    return [name for (name,) in names]


def _attribution(program: Program) -> str:
    """Title, date and who wrote it in the source's own terms; a source that names no author or
    role is said to be so, so the client does not take it for a clinician's text."""
    source = program.condition.source if program.condition else None
    if source is None:
        return ""
    role = f", {source.author_role}" if source.author_role else ""
    if source.author:
        by = f" by {source.author}{role}."
    elif source.author_role:
        by = f" by its author{role}."
    else:
        by = ". The post names no author and states no professional role."
    return f"Based on “{source.title}”, updated {source.published:%d %b %Y}{by}"


def _client_texts(program: Program, kind: str) -> list[str]:
    """The condition's red flags of one kind, in the client's words; history asked at screening
    is never printed."""
    if program.condition is None:
        return []
    return [flag.client_text for flag in program.condition.red_flags.all() if flag.kind == kind]


def _structure(block: Block) -> str:
    if block.kind != Block.Kind.CIRCUIT:
        return ""
    low, high = block.rounds_min, block.rounds_max
    rounds = f"{low}–{high}" if high and high != low else str(low)
    rest = block.rest_between_rounds_seconds
    return f"Circuit: {rounds} rounds" + (f", rest {rest} s between rounds" if rest else "")


def _block(block, schedules, first_week, units, for_pdf) -> PrintBlock:
    exercises = []
    for item in block.items.all():
        exercise = item.exercise
        image = exercise.image
        image_src = (image.path if for_pdf else image.url) if image else ""
        dose = schedules[item.pk][first_week - 1].dose
        exercises.append(
            PrintExercise(
                name=exercise.name,
                image_src=f"file://{image_src}" if image and for_pdf else image_src,
                steps=exercise.steps,
                cues=exercise.cues,
                precautions=exercise.precautions,
                dose_text=dosing.item_dose_text(item, dose, units),
                progression=dosing.item_progression_texts(item, units),
                notes=item.notes,
                in_circuit=block.kind == Block.Kind.CIRCUIT,
                video_url=exercise.video_url,
                video_qr=_qr_code(exercise.video_url),
            )
        )
    return PrintBlock(block.title, _structure(block), block.notes, exercises)


def tracking_groups(first_week: int, last_week: int, sessions: int) -> list[list[TrackingRow]]:
    """One row per session, in groups the PDF keeps on one page: a week's sessions, and never a
    group of one row (so no page holds a single row)."""
    rows = [
        TrackingRow(week, session)
        for week in range(first_week, last_week + 1)
        for session in range(1, sessions + 1)
    ]
    size = max(sessions, 2)
    groups = [rows[start : start + size] for start in range(0, len(rows), size)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2].extend(groups.pop())
    return groups


def _progression_tables(program, schedules, first_week, last_week, units) -> list[plan.Table]:
    entries = [
        plan.Entry(item.exercise.name, schedules[item.pk], dosing.engine_rules(item))
        for block in program.blocks.all()
        for item in block.items.all()
    ]
    return plan.plan_tables(
        entries,
        first_week=first_week,
        last_week=last_week,
        units=units,
        per_table=WEEKS_PER_TABLE,
    )


def render_html(document: PrintDocument) -> str:
    return render_to_string("programs/print.html", {"document": document})


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) are not installed."""


_fonts = threading.local()
"""Each thread's WeasyPrint FontConfiguration (Pango's objects are not thread-safe)."""


def _font_config():
    """Fontconfig's fonts and Pango's font map loaded once per thread, not on every render."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


DEFAULTS_CSS = Path(__file__).with_name("handout_defaults.css")


@functools.cache
def _handout_html(html, css):
    """WeasyPrint's `html` class with the handout's trimmed default styles (handout_defaults.css)
    in place of its full HTML stylesheet; built once per process, as it holds only that file."""
    defaults = css(filename=DEFAULTS_CSS)

    class HandoutHTML(html):
        def _ua_stylesheets(self, forms=False):
            return [defaults]

    return HandoutHTML


def render_pdf(document: PrintDocument) -> bytes:
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    html = _handout_html(HTML, CSS)(string=render_html(document), base_url=None)
    return html.write_pdf(font_config=_font_config())


def pdf_cache_key(program: Program, *, first_week: int, last_week: int, paper: str) -> str:
    """What the printout shows: a changed plan (or library exercise, client record, therapist
    or clinic), other units, paper or weeks, or another day (it is dated) render anew; a logged
    session does not, since the handout shows the plan only."""
    units = program.client.units if program.client else "metric"
    day = timezone.localdate()
    return caching.program_key(program, "pdf", paper, first_week, last_week, units, day)


def pdf_etag(cache_key: str) -> str:
    return '"' + hashlib.sha256(cache_key.encode()).hexdigest()[:32] + '"'


RENDER_WAIT_SECONDS = 10
"""How long a request waits for the PDF another request is rendering before a 503."""


def cached_pdf(
    load: Callable[[], Program], cache_key: str, *, first_week: int, last_week: int, paper: str
) -> bytes:
    """Rendered once per `cache_key` (see pdf_cache_key), by one process at a time, then served
    from the cache; `load` fetches the program with its contents only when it must be rendered.
    Raises caching.Busy when another request's render did not end within RENDER_WAIT_SECONDS."""

    def build() -> bytes:
        document = build_document(
            load(), first_week=first_week, last_week=last_week, paper=paper, for_pdf=True
        )
        return render_pdf(document)

    return caching.rendered_once(cache_key, build, wait_seconds=RENDER_WAIT_SECONDS)
