"""`User.objects.get(pk=…)`, how Django's authentication finds the signed-in member on every
request, runs a SELECT compiled once (accounts.models): it must answer exactly as the ORM."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.forms.models import model_to_dict

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _orm_get(**kwargs: object) -> User:
    return QuerySet(model=User).get(**kwargs)


def test_the_member_is_the_one_the_orm_gives_in_one_query(django_assert_num_queries):
    member = UserFactory(name="Exact Copy", is_staff=True)
    with django_assert_num_queries(1):
        found = User.objects.get(pk=member.pk)
    expected = _orm_get(pk=member.pk)
    assert found == expected
    assert found._state.db == expected._state.db and not found._state.adding
    for field in User._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert model_to_dict(found) == model_to_dict(expected)
    assert User.objects.get(pk=str(member.pk)) == member  # as a session stores it


def test_a_missing_or_malformed_pk_fails_as_the_orm_fails():
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=987654)
    with pytest.raises(ValueError) as ours:
        User.objects.get(pk="not-a-number")
    with pytest.raises(ValueError) as orm:
        _orm_get(pk="not-a-number")
    assert str(ours.value) == str(orm.value)


def test_every_other_lookup_and_related_managers_keep_their_filters():
    inside, outside = UserFactory(), UserFactory()
    group = Group.objects.create(name="Lookup test group")
    group.user_set.add(inside)
    assert group.user_set.get(pk=inside.pk) == inside
    with pytest.raises(User.DoesNotExist):
        group.user_set.get(pk=outside.pk)  # the group's own filter still applies
    assert User.objects.get(pk=inside.pk, is_active=True) == inside
    assert User.objects.get(username__iexact=inside.username.upper()) == inside
    assert User.objects.filter(is_active=True).get(pk=outside.pk) == outside
