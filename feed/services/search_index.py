"""Writing the search documents (feed.models) from the rows they describe: after every
announced change of an artwork, and after every save of a member (feed.receivers). Each write
reads the current row, so running one twice, or late, leaves the right document."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.db import transaction

from artworks.models import Artwork

from ..models import ArtworkSearch, MemberSearch
from ..search_text import index_text

_ARTWORK_FIELDS = ["title", "tags", "body", "prompt_included"]
_BATCH = 1000


def artwork_search_document(artwork: Artwork) -> ArtworkSearch:
    """The document of `artwork`. Its prompt is in it only while the prompt is public: a
    hidden prompt is never indexed, so it can never be matched or shown as a match."""
    visible_prompt = "" if artwork.prompt_hidden else artwork.prompt.strip()
    return ArtworkSearch(
        artwork_id=artwork.pk,
        title=index_text(artwork.title),
        tags=index_text(" ".join(artwork.tag_names or [])),
        body=index_text(f"{artwork.description}\n{visible_prompt}"),
        prompt_included=bool(visible_prompt),
    )


def member_search_document(user: object) -> MemberSearch:
    return MemberSearch(user_id=user.pk, names=index_text(f"{user.username} {user.name}"))


def _upsert_artworks(documents: list[ArtworkSearch]) -> None:
    ArtworkSearch.objects.bulk_create(
        documents, update_conflicts=True, unique_fields=["artwork"], update_fields=_ARTWORK_FIELDS
    )


def _upsert_members(documents: list[MemberSearch]) -> None:
    MemberSearch.objects.bulk_create(
        documents, update_conflicts=True, unique_fields=["user"], update_fields=["names"]
    )


def search_index_artwork(*, artwork_id: int) -> None:
    """Write (or drop, for a deleted artwork) the artwork's search document."""
    artwork = Artwork.objects.filter(pk=artwork_id).first()
    if artwork is None:
        ArtworkSearch.objects.filter(artwork_id=artwork_id).delete()
        return
    _upsert_artworks([artwork_search_document(artwork)])


def search_index_member(*, user_id: int) -> None:
    """Write the member's search document (their row's deletion takes it with it)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        _upsert_members([member_search_document(user)])


def _in_batches(rows: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def search_rebuild(*, batch_size: int = _BATCH) -> tuple[int, int]:
    """Write every artwork's and every member's document again, in batches (after a bulk
    import, or to repair documents a failed write left behind). Returns the counts."""
    artworks = members = 0
    rows = Artwork.objects.only(*_SOURCE_FIELDS).order_by("pk").iterator(chunk_size=batch_size)
    for batch in _in_batches(rows, batch_size):
        with transaction.atomic():
            _upsert_artworks([artwork_search_document(artwork) for artwork in batch])
        artworks += len(batch)
    users = get_user_model().objects.only("pk", "username", "name").order_by("pk")
    for batch in _in_batches(users.iterator(chunk_size=batch_size), batch_size):
        _upsert_members([member_search_document(user) for user in batch])
        members += len(batch)
    return artworks, members


_SOURCE_FIELDS = ("pk", "title", "description", "prompt", "prompt_hidden", "tag_names")
