"""
Who works with test centres, sessions and bookings in the admin: centre
admins book and seat candidates and print their tickets; proctors see the
bookings of the sessions they run; the bureau manages all of it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def _all(*models):
    return [
        f"{action}_{model}" for model in models for action in ("add", "change", "view", "delete")
    ]


GROUPS = {
    "考点管理员": {
        "exams": [
            "view_booking",
            "add_booking",
            "change_booking",
            "view_examsession",
            "view_testcentre",
            "view_room",
        ]
    },
    "监考员": {"exams": ["view_booking", "view_examsession"]},
    "应急管理局管理员": {"exams": _all("testcentre", "room", "examsession", "booking")},
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codenames in by_app.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0006_attempts"),
        ("accounts", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
