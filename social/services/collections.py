"""Collections: create, edit, delete; add and remove artworks. Each write runs in one
transaction and announces itself after commit (`collection_changed`), so the pages that show
the collection are dropped from the page cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from artworks.selectors import artwork_get_visible
from common.signals import send_on_commit

from ..collection_selectors import can_edit_collection, collection_add_refusal
from ..models import (
    COLLECTION_DESCRIPTION_MAX_LENGTH,
    COLLECTION_NAME_MAX_LENGTH,
    Collection,
    CollectionItem,
)
from ..signals import CollectionEvent, collection_changed
from ._base import CollectionRefused

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User

COLLECTIONS_PER_MEMBER = 100
ITEMS_PER_COLLECTION = 1000
_SLUG_MAX = 90  # room for a "-<n>" suffix within the column's 100


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Give the collection a name."))
    if len(name) > COLLECTION_NAME_MAX_LENGTH:
        raise ValidationError(
            _("A collection's name can be at most %(max)d characters long.")
            % {"max": COLLECTION_NAME_MAX_LENGTH}
        )
    return name


def _clean_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > COLLECTION_DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            _("A collection's description can be at most %(max)d characters long.")
            % {"max": COLLECTION_DESCRIPTION_MAX_LENGTH}
        )
    return description


def _check_text(*values: str) -> None:
    if any("\x00" in value for value in values):
        raise ValidationError(_("The text cannot contain NUL characters."))


def _free_slug(*, owner: User, name: str, exclude_id: int | None = None) -> str:
    """A slug for `name` that none of the owner's other collections has: the name's own, or
    with -2, -3… after it (a name with no letters or digits left is "collection")."""
    base = slugify(name, allow_unicode=True)[:_SLUG_MAX].strip("-") or "collection"
    taken = set(
        Collection.objects.filter(owner=owner, slug__startswith=base)
        .exclude(pk=exclude_id)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def collection_create(
    *, owner: User, name: str, description: str = "", is_public: bool = True
) -> Collection:
    """A new collection of `owner`'s. ValidationError for the name, the description, or when
    they have COLLECTIONS_PER_MEMBER already; nothing is saved then."""
    if not owner.is_active:
        raise CollectionRefused(_("No such member."))
    name, description = _clean_name(name), _clean_description(description)
    _check_text(name, description)
    with transaction.atomic():
        # One member's creations queue on their row, so the limit holds under concurrency.
        get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()
        if Collection.objects.filter(owner=owner).count() >= COLLECTIONS_PER_MEMBER:
            raise ValidationError(
                _("You can have at most %(max)d collections; delete one to make another.")
                % {"max": COLLECTIONS_PER_MEMBER}
            )
        collection = Collection.objects.create(
            owner=owner,
            name=name,
            slug=_free_slug(owner=owner, name=name),
            description=description,
            is_public=bool(is_public),
        )
        _announce(collection, CollectionEvent.CREATED)
    return collection


def _locked(actor: User, collection_id: int) -> Collection:
    """The collection, locked until the write commits; CollectionRefused unless the actor may
    change it; Collection.DoesNotExist when it is gone."""
    collection = (
        Collection.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=collection_id)
    )
    if not can_edit_collection(actor=actor, collection=collection):
        raise CollectionRefused(_("Only its owner can change this collection."))
    return collection


def collection_update(
    *,
    actor: User,
    collection: Collection,
    name: str | None = None,
    description: str | None = None,
    is_public: bool | None = None,
) -> Collection:
    """Change what is given (None: unchanged). A new name gives a new slug (and so a new
    address). CollectionRefused unless `can_edit_collection`; ValidationError for the text."""
    with transaction.atomic():
        locked = _locked(actor, collection.pk)
        was_public = locked.is_public
        if name is not None:
            name = _clean_name(name)
            _check_text(name)
            if name != locked.name:
                locked.name = name
                locked.slug = _free_slug(owner=locked.owner, name=name, exclude_id=locked.pk)
        if description is not None:
            locked.description = _clean_description(description)
            _check_text(locked.description)
        if is_public is not None:
            locked.is_public = bool(is_public)
        locked.save()
        _announce(locked, CollectionEvent.UPDATED, was_public=was_public)
    return locked


def collection_delete(*, actor: User, collection: Collection) -> None:
    """Delete the collection and its rows (never the artworks). CollectionRefused unless
    `can_edit_collection`."""
    with transaction.atomic():
        locked = _locked(actor, collection.pk)
        Collection.objects.filter(pk=locked.pk).delete()
        _announce(locked, CollectionEvent.DELETED, was_public=locked.is_public)


def collection_item_add(
    *, actor: User, collection: Collection, artwork_id: int, blocked_by: bool | None = None
) -> bool:
    """Put an artwork in the collection; True if it was added, False if it was there already.
    Artwork.DoesNotExist when the actor may not see it (the visibility rule);
    CollectionRefused when `collection_add_refusal` says no; ValidationError when the
    collection holds ITEMS_PER_COLLECTION already."""
    artwork = artwork_get_visible(artwork_id=artwork_id, viewer=actor)
    with transaction.atomic():
        locked = _locked(actor, collection.pk)
        refusal = collection_add_refusal(
            actor=actor, collection=locked, artwork=artwork, blocked_by=blocked_by
        )
        if refusal is not None:
            raise CollectionRefused(refusal)
        if CollectionItem.objects.filter(collection=locked, artwork=artwork).exists():
            return False
        if locked.item_count >= ITEMS_PER_COLLECTION:
            raise ValidationError(
                _("A collection can hold at most %(max)d artworks.") % {"max": ITEMS_PER_COLLECTION}
            )
        try:
            with transaction.atomic():
                CollectionItem.objects.create(collection=locked, artwork=artwork)
        except IntegrityError:
            return False  # added meanwhile by another request of the owner's
        _move(locked, by=1)
        _announce(locked, CollectionEvent.ITEMS, artwork_ids=[artwork.pk])
    return True


def collection_item_remove(*, actor: User, collection: Collection, artwork_id: int) -> bool:
    """Take an artwork out of the collection (whatever its state now: an artwork hidden since
    can still go); True if it was there. CollectionRefused unless `can_edit_collection`."""
    with transaction.atomic():
        locked = _locked(actor, collection.pk)
        removed, _rows = CollectionItem.objects.filter(
            collection=locked, artwork_id=artwork_id
        ).delete()
        if not removed:
            return False
        _move(locked, by=-1)
        _announce(locked, CollectionEvent.ITEMS, artwork_ids=[artwork_id])
    return True


def collection_items_by_author_remove(*, owner: User, author: User) -> None:
    """Take `author`'s artworks out of every collection of `owner`'s, who may no longer save
    them (`author` blocks them: `collection_add_refusal`), with the counts; the caller's
    transaction holds it all."""
    holding = CollectionItem.objects.filter(collection__owner=owner, artwork__user=author)
    collections = Collection.objects.select_for_update().filter(
        pk__in=holding.values("collection_id")
    )
    for collection in collections.order_by("pk"):
        rows = holding.filter(collection=collection)
        artwork_ids = list(rows.values_list("artwork_id", flat=True))
        rows.delete()
        _move(collection, by=-len(artwork_ids))
        _announce(collection, CollectionEvent.ITEMS, artwork_ids=artwork_ids)


def artwork_collections_set(
    *, actor: User, artwork_id: int, shown: Iterable[int], chosen: Iterable[int]
) -> None:
    """The save control's answer: of the actor's collections `shown` to them, the artwork is
    in those `chosen` and out of the others (ids of other members' collections are
    ignored). The same errors as `collection_item_add`; nothing is saved on one."""
    chosen_ids = set(chosen)
    collections = Collection.objects.filter(owner=actor, pk__in=set(shown) | chosen_ids)
    with transaction.atomic():
        for collection in collections:
            if collection.pk in chosen_ids:
                collection_item_add(actor=actor, collection=collection, artwork_id=artwork_id)
            else:
                collection_item_remove(actor=actor, collection=collection, artwork_id=artwork_id)


def collection_create_with(
    *, owner: User, name: str, is_public: bool, artwork_id: int
) -> Collection:
    """A new collection holding one artwork (the save control's "new collection"): both or
    neither."""
    artwork_get_visible(artwork_id=artwork_id, viewer=owner)
    with transaction.atomic():
        collection = collection_create(owner=owner, name=name, is_public=is_public)
        collection_item_add(actor=owner, collection=collection, artwork_id=artwork_id)
    return collection


def collection_row_removed(*, collection_id: int) -> None:
    """An item row went without the services (its artwork deleted): the count is set again
    from the rows left."""
    Collection.objects.filter(pk=collection_id).update(
        item_count=CollectionItem.objects.filter(collection_id=collection_id).count()
    )


def _move(collection: Collection, *, by: int) -> None:
    # `updated_at` moves too: the member's list puts the collection they just filled first.
    collection.item_count = max(0, collection.item_count + by)
    collection.save(update_fields=["item_count", "updated_at"])


def _announce(collection: Collection, event: str, **extra: object) -> None:
    send_on_commit(
        collection_changed,
        sender=Collection,
        collection_id=collection.pk,
        owner_id=collection.owner_id,
        event=event,
        is_public=collection.is_public or bool(extra.pop("was_public", False)),
        artwork_ids=list(extra.pop("artwork_ids", [])),
    )
