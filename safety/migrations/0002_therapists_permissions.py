"""Therapists read and clear their clients' attention items and read symptom reports."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

THERAPISTS_GROUP = "Therapists"
CODENAMES = ["view_attention", "change_attention", "view_symptomreport"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("safety")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=THERAPISTS_GROUP)
    permission = apps.get_model("auth", "Permission")
    group.permissions.add(
        *permission.objects.filter(content_type__app_label="safety", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=THERAPISTS_GROUP).first()
    if group:
        permission = apps.get_model("auth", "Permission")
        group.permissions.remove(*permission.objects.filter(content_type__app_label="safety"))


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_safety"), ("exercises", "0002_therapists_group")]

    operations = [migrations.RunPython(grant, revoke)]
