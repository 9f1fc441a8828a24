"""Who authors the question bank: trainers and centre admins; the bureau oversees all."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHORING = [
    "add_question", "change_question", "view_question",
    "view_questionbank", "add_paper", "change_paper", "view_paper",
    "add_importjob", "view_importjob",
]
GROUPS = {
    "培训讲师": AUTHORING,
    "考点管理员": AUTHORING,
    "应急管理局管理员": [*AUTHORING, "add_questionbank", "change_questionbank",
                         "delete_questionbank", "delete_paper", "delete_question"],
    "宣传编辑": ["view_question", "view_questionbank"],
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
    dependencies = [("exams", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
