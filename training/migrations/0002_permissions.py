"""
Who sees and keeps the learning record: trainers follow their learners; centre
admins enrol people (from Excel) and export the record; the bureau oversees.
Exams (what a course leads to) are set up by the bureau and centre admins.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "培训讲师": {"training": ["view_enrolment"]},
    "考点管理员": {
        "training": ["view_enrolment", "add_enrolment"],
        "exams": ["view_exam"],
    },
    "应急管理局管理员": {
        "training": ["view_enrolment", "add_enrolment"],
        "exams": ["view_exam", "add_exam", "change_exam", "delete_exam"],
    },
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
        ("training", "0001_initial"),
        ("exams", "0004_exam_required_courses"),
        ("accounts", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
