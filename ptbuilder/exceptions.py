from rest_framework import status
from rest_framework.exceptions import APIException


class Conflict(APIException):
    """The request is valid but the object's state forbids it (e.g. activating unscreened)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state of the object."
    default_code = "conflict"


class PreconditionFailed(APIException):
    """`If-Match` names a version that is no longer current."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object has changed since you read it; fetch it again and retry."
    default_code = "precondition_failed"
