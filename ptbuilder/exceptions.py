import logging

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from .domain_errors import Conflict, Invalid, Stale

logger = logging.getLogger("ptbuilder")
DOMAIN_STATUSES = {
    Conflict: status.HTTP_409_CONFLICT,
    Stale: status.HTTP_412_PRECONDITION_FAILED,
}


def api_exception_handler(exc, context):
    """DRF's documented shapes for every error; anything unexpected is a bare 500 JSON body
    (logged with its request id), never a stack trace or SQL."""
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, OperationalError | InterfaceError):
        return None  # re-raised: DatabaseUnavailableMiddleware answers 503
    if isinstance(exc, Invalid):
        exc = ValidationError(exc.errors)
    for error, code in DOMAIN_STATUSES.items():
        if isinstance(exc, error):
            set_rollback()
            return Response({"detail": exc.message}, status=code)
    if isinstance(exc, ObjectDoesNotExist):
        # Looked up afresh inside a service (e.g. under a row lock) and deleted meanwhile.
        exc = NotFound()
    response = exception_handler(exc, context)
    if response is None:
        request = context.get("request")
        logger.exception("Unhandled error (request id %s)", getattr(request, "id", "-"))
        set_rollback()
        response = Response(
            {"detail": "Server error; quote the request id to support."},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    elif isinstance(response.data, list):
        # A ValidationError raised with bare messages: the contract's 400 is always an object.
        response.data = {"non_field_errors": response.data}
    return response
