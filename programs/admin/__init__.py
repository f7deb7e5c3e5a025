"""The therapists' everyday tool: their clients, red-flag screenings and programs.

A therapist sees only their own clients, screenings and programs, plus the shared templates
(no owner, no client), which open read-only; superusers see and change everything. A program is
edited on one page: its blocks, their items and each item's progression rules are nested inlines
(django-nested-admin), checked by the same rules as the API (programs/validation.py, wired in
programs/forms.py). Every admin save of a program raises its version, so API clients' If-Match
notices the edit.
"""

from . import audit_log, clients, program_editor  # noqa: F401 - each registers its pages
