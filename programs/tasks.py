"""Work on programs done off the request, on the task queue (ptbuilder/celery.py).

Each task is logged when queued, when it ran and when it is retried or fails, with its id (the
load test checks from these lines that every queued task ran exactly once)."""

import logging

from celery import Task, shared_task
from django.db import transaction

from ptbuilder import caching

from . import printing, selectors
from .models import Program
from .print_views import PrintQuerySerializer

log = logging.getLogger("ptbuilder.tasks")

MAX_RETRIES = 3


class LoggedTask(Task):
    def on_retry(self, exc, task_id, args, kwargs, einfo):
        log.warning("task %s retried: %s%r after %r", task_id, self.name, tuple(args), exc)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        log.error("task %s failed: %s%r after %r", task_id, self.name, tuple(args), exc)


@shared_task(
    base=LoggedTask,
    bind=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(printing.PdfUnavailable,),
    max_retries=MAX_RETRIES,
    retry_backoff=2,
)
def render_pdf(self, program_id: int) -> None:
    """The PDF a client downloads by default rendered into the cache, so that download is a hit.
    A program no longer active is skipped; when this fails, the download renders it instead."""
    program = (
        Program.objects.select_related("client", "owner")
        .filter(pk=program_id, status=Program.Status.ACTIVE, client__isnull=False)
        .first()
    )
    if program is not None:
        query = PrintQuerySerializer(data={}, context={"program": program})
        query.is_valid(raise_exception=True)
        options = query.validated_data
        contents = selectors.program_detail_qs(user=None).filter(pk=program_id)
        try:
            printing.cached_pdf(contents.get, printing.pdf_cache_key(program, **options), **options)
        except caching.Busy:
            pass  # a download is rendering the same PDF
    log.info("task %s ran: %s(%r)", self.request.id, self.name, program_id)


def render_pdf_after_commit(program: Program) -> None:
    """Queue the render of an active program's PDF once the change is committed. A queue that
    cannot be reached is logged, not raised: the change stands and the PDF renders on request."""
    if program.client_id is not None and program.status == Program.Status.ACTIVE:
        transaction.on_commit(lambda: _queue(render_pdf, program.pk), robust=True)


def _queue(task, *args) -> None:
    result = task.delay(*args)
    log.info("task %s queued: %s%r", result.id, task.name, args)
