"""Display names as every door stores them: no control characters, no bidi embeddings,
overrides or isolates; a name of invisible characters alone is refused (blank is allowed).
The settings page is covered in test_settings_page.py; here the admin and the data migration
that applies the rule to names written before it."""

import importlib

import pytest
from django.apps import apps

from accounts.models import User
from common.text import title_clean
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUPERUSER_PASSWORD = "correct-horse-battery"


def _admin_change(client, member: User, name: str):
    return client.post(
        f"/admin/accounts/user/{member.pk}/change/",
        {
            "username": member.username,
            "name": name,
            "email": member.email,
            "_save": "Save",
        },
    )


def test_the_admin_stores_a_display_name_as_the_settings_page_does(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    member = UserFactory(name="Plain")
    client.force_login(admin)
    response = _admin_change(client, member, "\u202eevil\u202c\x07 name")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "evil name"
    response = _admin_change(client, member, "\u200b\u2066\u2069")
    assert response.status_code == 200  # the form again, with the reason
    assert "Use at least one visible character" in response.content.decode()
    member.refresh_from_db()
    assert member.name == "evil name"
    assert _admin_change(client, member, "").status_code == 302
    member.refresh_from_db()
    assert member.name == ""


def test_names_written_before_the_rule_follow_it():
    migration = importlib.import_module("accounts.migrations.0008_display_names_cleaned")
    samples = [
        "\u202eevil\u202c",
        "\u200b\u2060",
        " 林月 👩\u200d👩\u200d👧 e\u0301 ",
        "a\x01b",
        "",
    ]
    for sample in samples:
        assert migration.name_clean(sample) == title_clean(sample)  # display_name_clean's rule
    reversed_ = UserFactory(name="\u202eevil\u202c (@admin)")
    invisible = UserFactory(name="\u200b\ufeff")
    kept = UserFactory(name="林月 👩\u200d👩\u200d👧 café\u0301")
    blank = UserFactory(name="")
    migration.clean_display_names(apps, None)
    assert User.objects.get(pk=reversed_.pk).name == "evil (@admin)"
    assert User.objects.get(pk=invisible.pk).name == ""
    assert User.objects.get(pk=kept.pk).name == "林月 👩\u200d👩\u200d👧 café\u0301"
    assert User.objects.get(pk=blank.pk).name == ""
    (operation,) = migration.Migration.operations
    assert operation.reversible
