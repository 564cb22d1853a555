"""Every saved or deleted member row is read afresh by every web process (member_cache)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import member_cache
from .models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.member_saved")
@receiver(post_delete, sender=User, dispatch_uid="accounts.member_deleted")
def member_row_changed(sender: type[User], *, instance: User, **kwargs: object) -> None:
    member_cache.forget(instance.pk)
