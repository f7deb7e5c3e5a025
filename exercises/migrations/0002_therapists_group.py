from django.contrib.auth.management import create_permissions
from django.db import migrations

THERAPISTS_GROUP = "Therapists"
PERMISSIONS = [
    "view_exercise",
    "add_exercise",
    "change_exercise",
    "view_category",
    "view_equipment",
    "view_bodyregion",
    "view_tissue",
    "view_source",
    "view_condition",
    "view_redflag",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=THERAPISTS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="exercises", codename__in=PERMISSIONS)
    )


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=THERAPISTS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
