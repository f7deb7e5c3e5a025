"""HTML print view and PDF of a program, shared by the therapist's and the client's endpoints."""

import re

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.renderers import BaseRenderer, JSONRenderer

from ptbuilder import caching
from ptbuilder.schema import error_response

from . import printing

WEEKS_PATTERN = re.compile(r"^([0-9]{1,3})(?:-([0-9]{1,3}))?$")


class DocumentRenderer(BaseRenderer):
    """Lets a document action be negotiated; its errors still go out as JSON."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class HTMLRenderer(DocumentRenderer):
    media_type = "text/html"
    format = "html"


class PDFRenderer(DocumentRenderer):
    media_type = "application/pdf"
    format = "pdf"


class PdfUnavailableError(APIException):
    status_code = 503
    default_detail = (
        "PDF rendering is unavailable on this server: WeasyPrint's system libraries are missing "
        "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0). The print view works."
    )
    default_code = "pdf_unavailable"


class PdfRenderingError(APIException):
    """Another request is rendering this PDF and has not finished yet."""

    status_code = 503
    default_detail = "This PDF is being rendered; retry in a few seconds."
    default_code = "pdf_rendering"
    wait = 2  # DRF sends it as Retry-After


MAX_PRINTED_WEEKS = 26
"""Weeks one printout covers (by default the first ones): half a year of a program is as much as
a handout holds, and it bounds the work of a PDF."""


class PrintQuerySerializer(serializers.Serializer):
    weeks = extend_schema_field({"type": "string", "pattern": WEEKS_PATTERN.pattern})(
        serializers.CharField(
            required=False,
            trim_whitespace=False,
            help_text='A week ("3") or a range ("1-4") of at most 26 weeks; default: every '
            "week, up to week 26.",
        )
    )
    paper = serializers.ChoiceField(
        choices=list(printing.PAPER_SIZES),
        required=False,
        help_text="Default: the clinic's paper; without a clinic, US Letter for a client in "
        "imperial units and A4 otherwise.",
    )

    def validate(self, attrs):
        weeks = self.context["program"].weeks
        first, last = 1, min(weeks, MAX_PRINTED_WEEKS)
        if "weeks" in attrs:
            match = WEEKS_PATTERN.fullmatch(attrs["weeks"])
            if match:
                first = int(match[1])
                last = int(match[2] or match[1])
            if not match or not 1 <= first <= last <= weeks:
                raise serializers.ValidationError(
                    {"weeks": [f'A week or a range within 1-{weeks}, e.g. "1-4".']}
                )
            if last - first >= MAX_PRINTED_WEEKS:
                raise serializers.ValidationError(
                    {"weeks": [f"At most {MAX_PRINTED_WEEKS} weeks in one printout."]}
                )
        paper = attrs.get("paper") or printing.default_paper(self.context["program"])
        return {"first_week": first, "last_week": last, "paper": paper}


def print_options(request, program) -> dict:
    # A plain dict, so an empty `?weeks=` is an error rather than DRF's "not given" for forms.
    query = PrintQuerySerializer(data=request.query_params.dict(), context={"program": program})
    query.is_valid(raise_exception=True)
    return query.validated_data


PRINT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The print view is a static page served from the admin's origin: its own inline styles and
images, never a script, a form or a frame."""


def html_response(request, program) -> HttpResponse:
    document = printing.build_document(program, **print_options(request, program), for_pdf=False)
    response = HttpResponse(printing.render_html(document), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = PRINT_CSP
    return response


def pdf_response(request, program, load) -> HttpResponse:
    """Served from the cache once rendered; `If-None-Match` with the current ETag gives 304.

    `program` needs only its row and client; `load()` gives it with its contents to render.
    """
    options = print_options(request, program)
    cache_key = printing.pdf_cache_key(program, **options)
    etag = printing.pdf_etag(cache_key)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        try:
            pdf = printing.cached_pdf(load, cache_key, **options)
        except printing.PdfUnavailable as error:
            raise PdfUnavailableError() from error
        except caching.Busy as error:
            raise PdfRenderingError() from error
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = re.sub(r"[^A-Za-z0-9]+", "-", program.title).strip("-").lower() or "program"
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


PRINT_PARAMETERS = [PrintQuerySerializer]
PDF_ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="This rendering's version; send it as If-None-Match to get a 304 while it holds.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag of a PDF you have: a 304 (no body) if it is still the current one.",
)
html_schema = extend_schema(
    parameters=PRINT_PARAMETERS,
    responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="Print view")},
)
pdf_schema = extend_schema(
    parameters=[*PRINT_PARAMETERS, IF_NONE_MATCH, PDF_ETAG],
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
        (304, "application/pdf"): OpenApiResponse(description="Not modified"),
        (503, "application/json"): error_response(
            "PDF rendering is not installed here, or another request is rendering this PDF "
            "(then Retry-After says when to ask again)."
        ),
    },
)
