"""Request bodies: JSON that every later step (validation, the database, error messages) can
handle, or a 400 before any of them runs."""

import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20
"""Levels of nesting a body may have; the deepest valid body (program → blocks → items →
progressions) has 7."""


def has_lone_surrogate(text: str) -> bool:
    """JSON's \\ud800 escapes decode to halves of UTF-16 pairs that no encoding can write out."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _error_at(path: list, message: str) -> dict:
    """DRF's shape for a nested error: {"entries": {"0": {"side": ["..."]}}}."""
    error = [message]
    for key in reversed(path or ["non_field_errors"]):
        error = {str(key): error}
    return error


def check_body(data) -> None:
    """Refuses bodies nested deeper than MAX_DEPTH, text with lone surrogates and numbers too
    large for a float (1e400), naming the field. Iterative, so a deep body cannot exhaust the
    stack here either."""
    pending = [(data, [])]
    while pending:
        value, path = pending.pop()
        if len(path) > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, str):
            if has_lone_surrogate(value):
                raise ValidationError(_error_at(path, "Text must be valid Unicode."))
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(_error_at(path, "Number out of range."))
        elif isinstance(value, dict):
            for key, item in value.items():
                if has_lone_surrogate(key):
                    raise ValidationError(_error_at(path, "Field names must be valid Unicode."))
                pending.append((item, [*path, key]))
        elif isinstance(value, list):
            pending.extend((item, [*path, index]) for index, item in enumerate(value))


class StrictJSONParser(JSONParser):
    """DRF's JSON parser (no NaN or Infinity), plus check_body."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding), parse_constant=_refuse_constant)
        except RecursionError as error:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from error
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
        check_body(data)
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")
