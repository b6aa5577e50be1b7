"""Two roles: editors write drafts; publishers also publish, unpublish and delete."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "编辑"
PUBLISHERS = "发布者"

EDITOR_PERMISSIONS = [
    "add_notice", "change_notice", "view_notice",
    "add_section", "change_section", "delete_section", "view_section",
    "add_attachment", "change_attachment", "delete_attachment", "view_attachment",
    "add_coissuer", "change_coissuer", "delete_coissuer", "view_coissuer",
    "add_issuingbody", "change_issuingbody", "view_issuingbody",
    "view_category",
]
PUBLISHER_PERMISSIONS = EDITOR_PERMISSIONS + ["publish_notice", "delete_notice"]


def add_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [(EDITORS, EDITOR_PERMISSIONS), (PUBLISHERS, PUBLISHER_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="documents", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, PUBLISHERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_publish_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_roles, remove_roles)]
