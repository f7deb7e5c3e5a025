"""The apps stand in layers: no app imports another that imports it back, `ptbuilder/` (settings
and shared plumbing) imports app code only in urls.py, the progression engine imports no Django,
and services speak the domain (domain errors, nothing of DRF or HTTP)."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
APPS = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir() and app != "ptbuilder"]
"""The project's own apps (the installed ones that are folders here), ptbuilder aside."""
SERVICES = [
    "accounts/services.py",
    "exercises/services.py",
    "clients/services.py",
    "clients/invitations.py",
    "programs/services.py",
    "logbook/session_logging.py",
    "safety/services.py",
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_of(package: str) -> list[Path]:
    return [path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts]


def imported_apps(package: str, apps: list[str]) -> set[str]:
    found = set()
    for path in modules_of(package):
        found |= {name.split(".")[0] for name in imported_modules(path)}
    return (found & set(apps)) - {package}


def test_no_import_cycles_between_apps():
    graph = {app: imported_apps(app, [*APPS, "progression"]) for app in APPS}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"apps import each other: {error.args[1]}")
    assert set(APPS) <= set(order)


def test_ptbuilder_imports_app_code_only_in_its_urls():
    for path in modules_of("ptbuilder"):
        apps = {name.split(".")[0] for name in imported_modules(path)} & {*APPS, "progression"}
        if path.name != "urls.py":
            assert not apps, f"{path.relative_to(ROOT)} imports {apps}"


def test_the_progression_engine_imports_no_django():
    for path in modules_of("progression"):
        outside = {
            name
            for name in imported_modules(path)
            if name.split(".")[0] in {"django", "rest_framework", *APPS}
        }
        assert not outside, f"{path.relative_to(ROOT)} imports {outside}"


@pytest.mark.parametrize("module", SERVICES)
def test_services_import_nothing_of_the_web(module):
    web = {
        name
        for name in imported_modules(ROOT / module)
        if name.startswith(("rest_framework", "django.http", "ptbuilder.exceptions"))
    }
    assert not web, f"{module} imports {web}"
