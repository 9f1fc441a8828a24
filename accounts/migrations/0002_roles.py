"""
The role groups and their permissions.

A data migration rather than seed_demo, because production needs the groups
too. Page permissions here are a starting point on the whole tree; the
sections that later issues add (courses, campaigns) narrow them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_GROUP_NAMES = {
    "candidate": "考生",
    "trainer": "培训讲师",
    "proctor": "监考员",
    "centre_admin": "考点管理员",
    "publicity_editor": "宣传编辑",
    "bureau_admin": "应急管理局管理员",
}

ADMIN_ACCESS = ["wagtailadmin.access_admin"]
MEDIA = [
    "wagtailimages.add_image", "wagtailimages.change_image", "wagtailimages.choose_image",
    "wagtaildocs.add_document", "wagtaildocs.change_document", "wagtaildocs.choose_document",
]
PEOPLE = ["accounts.view_user", "accounts.add_user", "accounts.change_user"]

GLOBAL_PERMISSIONS = {
    "candidate": [],
    "trainer": ADMIN_ACCESS,
    "proctor": ADMIN_ACCESS,
    # Centre admins register candidates through the centre's own screens (bulk
    # import, bookings), not the user admin, where they could grant any role.
    "centre_admin": ADMIN_ACCESS,
    "publicity_editor": ADMIN_ACCESS,
    "bureau_admin": ADMIN_ACCESS + PEOPLE,
}
COLLECTION_PERMISSIONS = {
    "trainer": MEDIA,
    "publicity_editor": MEDIA,
    "bureau_admin": MEDIA + ["wagtailimages.delete_image", "wagtaildocs.delete_document"],
}
# Editors draft; the bureau publishes (through the moderation workflow).
PAGE_PERMISSIONS = {
    "publicity_editor": ["add_page", "change_page"],
    "bureau_admin": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}


def get_permission(Permission, dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure the
    # ones we assign exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    root_collection = Collection.objects.filter(depth=1).first()
    root_page = Page.objects.filter(depth=1).first()

    for role, name in ROLE_GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[get_permission(Permission, dotted) for dotted in GLOBAL_PERMISSIONS[role]]
        )
        for dotted in COLLECTION_PERMISSIONS.get(role, []):
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=get_permission(Permission, dotted),
            )
        for codename in PAGE_PERMISSIONS.get(role, []):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root_page,
                permission=get_permission(Permission, f"wagtailcore.{codename}"),
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUP_NAMES.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
