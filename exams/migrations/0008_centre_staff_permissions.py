"""
What the test-centre screens need beyond 0007: centre admins keep their
centre (its details and proctors), its rooms and its sessions; proctors see
the centres and rooms they work in. Which centres each person reaches is
decided by exams.centre_selectors, not here.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "考点管理员": [
        "change_testcentre",
        "add_room", "change_room", "delete_room",
        "add_examsession", "change_examsession", "delete_examsession",
    ],
    "监考员": ["view_testcentre", "view_room"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="exams", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("exams", "0007_booking_permissions")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
