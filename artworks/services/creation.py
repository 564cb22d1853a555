"""Creating drafts: from an upload, for a generation, and attaching a generated original.

Files are written before the row and removed again if the row cannot be written, so nothing
is left half-written."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, TypedDict, Unpack

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from common.observability.metrics import count_generation
from common.storage import delete_quietly

from .. import storage_keys, uploads
from ..models import Artwork
from ..signals import ArtworkEvent
from ._base import (
    TYPED_TEXTS,
    announce,
    artwork_default_title,
    rating_clean,
    text_strip,
    title_clean,
)
from .media import enqueue_thumbnails

if TYPE_CHECKING:
    from accounts.models import User


class DraftDetails(TypedDict, total=False):
    """What a draft may be created with besides its title and file (else the model's
    defaults: an image, no text, no generation)."""

    kind: str
    description: str
    alt_text: str
    # What a generation was asked for, and who made it.
    prompt: str
    negative_prompt: str
    prompt_hidden: bool
    rating: str
    seed: int | None
    size: str
    provider: str
    model: str
    generation_status: str
    # The artwork whose prompt and parameters this one started from.
    remix_of: Artwork | None
    # Made with AI (every generation; an upload as its author declares it).
    ai_generated: bool
    # The summary of an upload's C2PA manifest (uploads.credentials).
    content_credentials: dict


def artwork_create_draft(
    *,
    author: User,
    title: str,
    source: str,
    content: bytes | File | None = None,
    ext: str = "",
    content_type: str = "",
    width: int | None = None,
    height: int | None = None,
    duration_seconds: float | None = None,
    animated: bool = False,
    **details: Unpack[DraftDetails],
) -> Artwork:
    """A new draft. With `content`, the original is stored at artworks/original/<uuid>.<ext>
    first; if the row cannot be written the file is removed again."""
    details = {**details, **{f: text_strip(details[f]) for f in TYPED_TEXTS if f in details}}
    prompt = details.get("prompt", "")
    title = title_clean(title) or artwork_default_title(prompt=prompt) or _("Untitled")
    # A generation is made with AI whoever creates it; an upload as its author declares.
    made_with_ai = details.pop("ai_generated", False) or source == Artwork.Source.GENERATED
    artwork = Artwork(
        user=author,
        title=title[:200],
        slug=Artwork.slug_for(title),
        source=source,
        status=Artwork.Status.DRAFT,
        ai_generated=made_with_ai,
        **details,
    )
    if content is None:
        _save_new_draft(artwork)
        return artwork
    stored_name = _store_original(artwork=artwork, content=content, ext=ext)
    try:
        artwork.original.name = stored_name
        artwork.content_type = content_type
        artwork.file_size = content.size if isinstance(content, File) else len(content)
        artwork.width, artwork.height = width, height
        artwork.duration_seconds = duration_seconds
        artwork.animated = animated
        _save_new_draft(artwork)
    except Exception:
        delete_quietly([stored_name])
        raise
    return artwork


def _save_new_draft(artwork: Artwork) -> None:
    with transaction.atomic():
        artwork.full_clean(exclude=["original", "user"])
        artwork.save()
        if artwork.original:
            enqueue_thumbnails(artwork_id=artwork.id)
        announce(artwork_id=artwork.id, user_id=artwork.user_id, event=ArtworkEvent.CREATED)


def _store_original(*, artwork: Artwork, content: bytes | File, ext: str) -> str:
    key = storage_keys.original_key(artwork.uuid, ext)
    # A File (an upload's temporary file) is copied in chunks, never read whole.
    return default_storage.save(key, content if isinstance(content, File) else ContentFile(content))


def artwork_upload(
    *,
    author: User,
    file: IO[bytes],
    title: str = "",
    description: str = "",
    alt_text: str = "",
    rating: str = Artwork.Rating.GENERAL,
    ai_generated: bool = False,
) -> Artwork:
    """A draft from an uploaded image or video. The file is validated and cleaned first
    (`artworks.uploads`); a refused file (or rating) raises ValidationError and leaves
    nothing behind. `ai_generated`: the author declares that AI was used (the files then say
    so too). An image's C2PA manifest is summarised, and kept in the stored original when it
    validates."""
    rating = rating_clean(rating)
    with uploads.clean_upload(file, ai_generated=ai_generated, with_credentials=True) as cleaned:
        return artwork_create_draft(
            author=author,
            title=title,
            source=Artwork.Source.UPLOADED,
            kind=cleaned.kind,
            content=cleaned.as_file(),
            ext=cleaned.ext,
            content_type=cleaned.content_type,
            width=cleaned.width,
            height=cleaned.height,
            duration_seconds=cleaned.duration_seconds,
            animated=cleaned.animated,
            description=description,
            alt_text=alt_text,
            rating=rating,
            ai_generated=ai_generated,
            content_credentials=cleaned.content_credentials,
        )


def artwork_attach_original(
    *,
    artwork_id: int,
    content: bytes,
    ext: str,
    content_type: str,
    width: int | None,
    height: int | None,
    provider: str = "",
    model: str = "",
    seed: int | None = None,
) -> Artwork | None:
    """Attach a generated original to a draft (generation finished). Idempotent: a draft that
    already has its original keeps it. None when the draft was deleted meanwhile."""
    artwork = Artwork.objects.filter(pk=artwork_id).first()
    if artwork is None or artwork.original:
        return artwork
    stored = _store_original(artwork=artwork, content=content, ext=ext)
    try:
        with transaction.atomic():
            locked = Artwork.objects.select_for_update().filter(pk=artwork_id).first()
            if locked is None or locked.original:
                delete_quietly([stored])
                return locked
            locked.original.name = stored
            locked.content_type = content_type
            locked.file_size = len(content)
            locked.width, locked.height = width, height
            locked.provider = provider or locked.provider
            locked.model = model or locked.model
            locked.seed = seed if seed is not None else locked.seed
            locked.generation_status = Artwork.GenerationStatus.DONE
            locked.generation_error = ""
            locked.save()
            enqueue_thumbnails(artwork_id=locked.id)
            announce(artwork_id=locked.id, user_id=locked.user_id, event=ArtworkEvent.UPDATED)
            provider = locked.provider
            transaction.on_commit(lambda: count_generation(provider=provider, outcome="done"))
    except Exception:
        delete_quietly([stored])
        raise
    return locked
