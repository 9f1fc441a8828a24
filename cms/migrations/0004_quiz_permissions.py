"""
Who runs the campaign quizzes: publicity editors create and change quizzes,
see the plays and results, disqualify suspicious plays and draw prizes; the
bureau sees everything too. Prize draws are never changed or deleted: they
are the record anyone can re-run.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

QUIZ_STAFF = [
    "add_quiz",
    "change_quiz",
    "view_quiz",
    "delete_quiz",
    "view_play",
    "change_play",
    "view_prizedraw",
    "add_prizedraw",
]
GROUPS = {"宣传编辑": QUIZ_STAFF, "应急管理局管理员": QUIZ_STAFF}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="cms", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_campaign_quiz"),
        ("accounts", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
