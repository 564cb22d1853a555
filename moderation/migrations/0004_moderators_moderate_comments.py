"""The "Moderators" group moderates comments too: it reads them in the admin and hides,
unhides and deletes any of them (`social.moderate_comment`), and resolves reports on them.
Reversible: going back takes these permissions from the group again."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Moderators"

PERMISSIONS = [
    ("social", "comment", ["view_comment", "change_comment", "moderate_comment"]),
]


def _permissions(apps) -> list:
    # Normally created after all migrations (post_migrate): create them now, so a fresh
    # database gets the group complete in one `migrate`.
    app_config = apps.get_app_config("social")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        )
        for app_label, model, codenames in PERMISSIONS
        for codename in codenames
    ]


def grant(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_report_comment"),
        ("social", "0003_comment"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
