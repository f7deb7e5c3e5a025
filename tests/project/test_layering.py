"""Services speak the domain: they raise domain errors (ptbuilder/domain_errors.py) and import
nothing of DRF or HTTP; the API's exception handler and the admin translate."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = [
    "programs/services.py",
    "programs/session_logging.py",
    "programs/invitations.py",
    "exercises/services.py",
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", SERVICES)
def test_services_import_nothing_of_the_web(module):
    web = {
        name
        for name in imported_modules(ROOT / module)
        if name.startswith(("rest_framework", "django.http", "ptbuilder.exceptions"))
    }
    assert not web, f"{module} imports {web}"
