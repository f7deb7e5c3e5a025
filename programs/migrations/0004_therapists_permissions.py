from django.contrib.auth.management import create_permissions
from django.db import migrations

THERAPISTS_GROUP = "Therapists"
EDITED = ["client", "screening", "screeninganswer", "program", "block", "item", "progressionrule"]
VIEWED = ["session", "exerciselog"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=THERAPISTS_GROUP)
    codenames = [f"{action}_{model}" for model in EDITED for action in ["view", "add", "change"]]
    codenames += [f"delete_{model}" for model in EDITED if model != "client"]
    codenames += [f"view_{model}" for model in VIEWED]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="programs", codename__in=codenames)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group").objects.filter(name=THERAPISTS_GROUP).first()
    if group:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="programs"))


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_client_app"),
        ("exercises", "0002_therapists_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
