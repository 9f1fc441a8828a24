"""
The bureau's admins edit the certificate settings (design, seal, signatory,
numbering, validity and the renewal window) in the Wagtail admin's Settings.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {"应急管理局管理员": ["change_certificatesettings"]}


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
    dependencies = [("exams", "0011_certificates")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
