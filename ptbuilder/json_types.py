"""Request bodies are read as the JSON types the OpenAPI schema gives them.

On its own DRF coerces: a number into a text field, "1" or 1 into true, an integer into a UUID,
"12" into a whole number. A client built from the schema never sends those, and accepting them
hides its bugs, so `JSONTypesMixin` answers 400 for a value of the wrong JSON type. Decimals are
the exception the schema documents: a decimal string ("2.5") or a JSON number.
"""

import re
from collections.abc import Mapping

from rest_framework import relations, serializers

DECIMAL_STRING = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
TEXT_FIELDS = (
    serializers.CharField,
    serializers.UUIDField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.TimeField,
    serializers.DurationField,
    relations.SlugRelatedField,
)
WHOLE_NUMBER_FIELDS = (serializers.IntegerField, relations.PrimaryKeyRelatedField)
FORMATTED_TEXT_FIELDS = (
    serializers.EmailField,
    serializers.URLField,
    serializers.RegexField,
    serializers.SlugField,
)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def type_error(field, value):
    """The messages for a value the field would coerce from another JSON type, else None."""
    if value is None or isinstance(field, serializers.BaseSerializer):
        return None  # nulls are the field's to judge; nested serializers check themselves
    if isinstance(field, (serializers.ListField, relations.ManyRelatedField)):
        if not isinstance(value, list):
            if isinstance(field, relations.ManyRelatedField):  # DRF would read a dict's keys
                return [f'Expected a list of items but got type "{type(value).__name__}".']
            return None  # DRF's own "Expected a list of items"
        child = field.child if isinstance(field, serializers.ListField) else field.child_relation
        errors = {index: type_error(child, item) for index, item in enumerate(value)}
        return {index: error for index, error in errors.items() if error} or None
    if isinstance(field, relations.RelatedField) and field.allow_null and value == "":
        return ["Send null for none, not an empty string."]  # DRF would read "" as null
    if isinstance(field, serializers.BooleanField):
        ok, expected = isinstance(value, bool), "true or false"
    elif isinstance(field, serializers.ChoiceField):
        ok, expected = isinstance(value, str), "one of the choices, as a string"
    elif isinstance(field, TEXT_FIELDS):
        ok, expected = isinstance(value, str), "a string"
    elif isinstance(field, WHOLE_NUMBER_FIELDS):
        ok, expected = isinstance(value, int) and not isinstance(value, bool), "a whole number"
    elif isinstance(field, serializers.FloatField):
        ok, expected = is_number(value), "a number"
    elif isinstance(field, serializers.DecimalField):
        ok = is_number(value) or (isinstance(value, str) and DECIMAL_STRING.fullmatch(value))
        expected = 'a number or a decimal string such as "2.5"'
    else:
        return None
    if not ok:
        return [f"Expected {expected}."]
    if isinstance(value, str) and "\x00" in value:
        return ["Null characters are not allowed."]  # PostgreSQL cannot even look them up
    return text_error(field, value) if isinstance(field, serializers.CharField) else None


def text_error(field, text: str):
    """DRF trims spaces before it checks a length or a format; the schema counts them."""
    if field.max_length is not None and len(text) > field.max_length:
        return [f"Ensure this field has no more than {field.max_length} characters."]
    if isinstance(field, FORMATTED_TEXT_FIELDS) and text != text.strip():
        return ["No spaces around the value."]
    return None


class JSONTypesMixin:
    # For serializers that read request bodies: refuse values of the wrong JSON type. (A comment,
    # not a docstring: the schema would show a docstring as every such serializer's description.)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for field in self._writable_fields:
                if field.field_name in data:
                    error = type_error(field, data[field.field_name])
                    if error:
                        errors[field.field_name] = error
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
