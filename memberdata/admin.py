"""The member admin's delete: a member deleted from their admin page goes as the member's own
request takes them (`account_delete_by_staff`): their artworks and files, their likes and
favorites with the counts on others' work, their comments, follows and collections, every
session; logged in the staff log. memberdata extends the member admin, as artworks does,
because it alone knows every table that holds a member's rows."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from accounts.models import User
from artworks.admin import MemberAdmin

from . import services


class LeavingMemberAdmin(MemberAdmin):
    def get_deleted_objects(
        self, objs: QuerySet[User] | list[User], request: HttpRequest
    ) -> tuple[list, dict, set, list]:
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        # Every row of theirs goes with them through the service; the read-only admins of
        # those rows (likes, comments, …) must not block deleting the member.
        return deleted, model_count, set(), protected

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        services.account_delete_by_staff(user=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.account_delete_by_staff(user=user, actor=request.user)


admin.site.unregister(User)
admin.site.register(User, LeavingMemberAdmin)
