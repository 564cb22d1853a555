"""The "Moderators" group: staff in it can moderate artworks, suspend and restore members,
resolve reports and read the staff action log — but cannot change members' accounts or
passwords, groups, permissions, sites or any other site setting.

Members of the group must also be staff (`is_staff`) to reach the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Moderators"

PERMISSIONS = [
    ("artworks", "artwork", ["view_artwork", "change_artwork", "moderate_artwork"]),
    ("artworks", "like", ["view_like"]),
    ("artworks", "favorite", ["view_favorite"]),
    ("accounts", "user", ["view_user", "suspend_user"]),
    ("accounts", "staffaction", ["view_staffaction"]),
    ("moderation", "report", ["view_report", "resolve_report"]),
]


def _ensure_permissions(apps) -> None:
    # Permissions are normally created after all migrations (post_migrate); create them now
    # so that a fresh database gets the group complete in one `migrate`.
    for label in ("accounts", "artworks", "moderation"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_group(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, model, codenames in PERMISSIONS:
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label=app_label,
                content_type__model=model,
                codename=codename,
            )
            group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0002_staff_action_log_and_suspend_permission"),
        ("artworks", "0003_featured_at_and_moderate_permission"),
        ("moderation", "0001_reports"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
