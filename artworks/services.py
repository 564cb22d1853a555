"""Writes of artworks: create, publish, unpublish, delete, react, media, moderation.

Every write runs in a transaction; files are written before the row and removed again if the
transaction fails, so nothing is left half-written. Changes are announced after commit
through `artworks.signals.artwork_changed`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import StaffAction
from accounts.services import staff_action_record
from common.exceptions import StateConflict
from common.tasks import enqueue, enqueue_on_commit

from . import permissions, storage_keys, uploads
from .models import Artwork, Favorite, Like
from .providers import GenerationRequest, ProviderError, get_provider
from .ranking import hot_score
from .selectors import artwork_is_visible_to
from .signals import ArtworkEvent, artwork_changed

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


# --- announcements ------------------------------------------------------------------------


def _announce(*, artwork_id: int, user_id: int, event: str) -> None:
    """Send `artwork_changed` once the surrounding transaction commits."""

    def send() -> None:
        for receiver, result in artwork_changed.send_robust(
            sender=Artwork, artwork_id=artwork_id, user_id=user_id, event=event
        ):
            if isinstance(result, Exception):
                logger.error(
                    "artwork_changed receiver %r failed for artwork %s (%s): %r",
                    receiver,
                    artwork_id,
                    event,
                    result,
                )

    transaction.on_commit(send)


def announce_artwork_changed(*, artwork: Artwork) -> None:
    """For writes outside these services (demo data): announce an update after commit."""
    _announce(artwork_id=artwork.pk, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)


def _delete_files_on_commit(names: list[str]) -> None:
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: storage_delete_quietly(names))


def storage_delete_quietly(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # the orphan sweep removes what is left behind
            logger.warning("could not delete %s from storage", name, exc_info=True)


def artwork_file_names(artwork: Artwork) -> list[str]:
    names = [artwork.original.name if artwork.original else ""]
    names += [t.get("name", "") for t in artwork.thumbnails or []]
    names.append(artwork.poster)
    if artwork.source == Artwork.Source.GENERATED:
        # Deleting a key that does not exist is a no-op on every backend.
        names.append(storage_keys.reference_key(artwork.uuid))
    return [n for n in names if n]


_AUTHOR_ONLY_RULES = (permissions.can_publish_artwork, permissions.can_retry_generation)


def _require(rule: Callable[..., bool], *, artwork: Artwork, actor: User | None) -> None:
    """Raise PermissionDenied unless `rule` (a predicate of `artworks.permissions`) allows."""
    if not rule(actor=actor, artwork=artwork):
        if rule in _AUTHOR_ONLY_RULES:
            raise PermissionDenied(_("Only the author can do that."))
        raise PermissionDenied(_("You do not have permission to do that."))


def _is_author(*, artwork: Artwork, actor: User | None) -> bool:
    return actor is not None and actor.is_authenticated and artwork.user_id == actor.pk


def artwork_default_title(*, prompt: str) -> str:
    """The title of a generation that was given none: the start of its prompt."""
    return prompt.strip()[:80].strip()


def _derived_from_prompt(text: str, *, prompt: str) -> bool:
    """Whether `text` (a title, an alt text) is the prompt or the default title made from it,
    which would give a hidden prompt away."""
    text, prompt = (text or "").strip(), (prompt or "").strip()
    return bool(text and prompt) and text in (prompt, artwork_default_title(prompt=prompt))


# --- create -------------------------------------------------------------------------------


def artwork_create_draft(
    *,
    author: User,
    title: str,
    source: str,
    kind: str = Artwork.Kind.IMAGE,
    content: bytes | File | None = None,
    ext: str = "",
    content_type: str = "",
    width: int | None = None,
    height: int | None = None,
    duration_seconds: float | None = None,
    description: str = "",
    alt_text: str = "",
    prompt: str = "",
    negative_prompt: str = "",
    prompt_hidden: bool = False,
    provider: str = "",
    model: str = "",
    seed: int | None = None,
    size: str = "",
    generation_status: str = Artwork.GenerationStatus.NONE,
) -> Artwork:
    """A new draft. With `content`, the original is stored at artworks/original/<uuid>.<ext>
    first; if the row cannot be written the file is removed again."""
    title = (title or "").strip() or artwork_default_title(prompt=prompt) or _("Untitled")
    artwork = Artwork(
        user=author,
        title=title[:200],
        slug=Artwork.slug_for(title),
        source=source,
        kind=kind,
        description=description,
        alt_text=alt_text,
        prompt=prompt,
        negative_prompt=negative_prompt,
        prompt_hidden=prompt_hidden,
        provider=provider,
        model=model,
        seed=seed,
        size=size,
        generation_status=generation_status,
        status=Artwork.Status.DRAFT,
    )
    stored_name = ""
    try:
        if content is not None:
            stored_name = _store_original(artwork=artwork, content=content, ext=ext)
            artwork.original.name = stored_name
            artwork.content_type = content_type
            artwork.file_size = content.size if isinstance(content, File) else len(content)
            artwork.width, artwork.height = width, height
            artwork.duration_seconds = duration_seconds
        with transaction.atomic():
            artwork.full_clean(exclude=["original", "user"])
            artwork.save()
            if content is not None:
                _enqueue_media(artwork.id)
            _announce(artwork_id=artwork.id, user_id=author.pk, event=ArtworkEvent.CREATED)
    except Exception:
        if stored_name:
            storage_delete_quietly([stored_name])
        raise
    return artwork


def _store_original(*, artwork: Artwork, content: bytes | File, ext: str) -> str:
    key = storage_keys.original_key(artwork.uuid, ext)
    # A File (an upload's temporary file) is copied in chunks, never read whole.
    return default_storage.save(key, content if isinstance(content, File) else ContentFile(content))


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
                storage_delete_quietly([stored])
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
            _enqueue_media(locked.id)
            _announce(artwork_id=locked.id, user_id=locked.user_id, event=ArtworkEvent.UPDATED)
    except Exception:
        storage_delete_quietly([stored])
        raise
    return locked


def _enqueue_media(artwork_id: int) -> None:
    from .tasks import make_thumbnails  # tasks import services; import here to avoid a cycle

    enqueue_on_commit(make_thumbnails, artwork_id)


# --- upload -------------------------------------------------------------------------------


def artwork_upload(
    *,
    author: User,
    file: IO[bytes],
    title: str = "",
    description: str = "",
    alt_text: str = "",
) -> Artwork:
    """A draft from an uploaded image or video. The file is validated and cleaned first
    (`artworks.uploads`); a refused file raises ValidationError and leaves nothing behind."""
    with uploads.clean_upload(file) as cleaned:
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
            description=description,
            alt_text=alt_text,
        )


# --- generation ---------------------------------------------------------------------------

GENERATION_MIN_SIDE, GENERATION_MAX_SIDE = 64, 2048
MAX_SEED = 2**53 - 1  # exact in JavaScript too
REFERENCE_MAX_SIDE = 2048


def _validate_generation(
    *, prompt: str, negative_prompt: str, width: int, height: int, seed: int | None
) -> None:
    errors: dict[str, str] = {}
    if not prompt.strip():
        errors["prompt"] = _("Describe the picture you want.")
    elif len(prompt) > 2000:
        errors["prompt"] = _("The prompt may be at most 2000 characters.")
    if len(negative_prompt) > 2000:
        errors["negative_prompt"] = _("The negative prompt may be at most 2000 characters.")
    for name, value in (("width", width), ("height", height)):
        if not GENERATION_MIN_SIDE <= value <= GENERATION_MAX_SIDE:
            errors[name] = _("Sizes go from %(min)s to %(max)s pixels.") % {
                "min": GENERATION_MIN_SIDE,
                "max": GENERATION_MAX_SIDE,
            }
    if seed is not None and not 0 <= seed <= MAX_SEED:
        errors["seed"] = _("The seed must be a whole number from 0 to %(max)s.") % {"max": MAX_SEED}
    if errors:
        raise ValidationError(errors)


def _reference_png(file: IO[bytes]) -> bytes:
    """A reference image, validated like an upload, as a PNG no larger than 2048 px."""
    import io

    from PIL import Image

    with uploads.clean_upload(file, allow_video=False) as cleaned:
        image = Image.open(cleaned.file)
        # thumbnail() decodes a JPEG at a reduced scale where it can.
        image.thumbnail((REFERENCE_MAX_SIDE, REFERENCE_MAX_SIDE))
        image.load()  # a small image is left untouched, still lazy
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def artwork_generate(
    *,
    author: User,
    prompt: str,
    negative_prompt: str = "",
    width: int = 1024,
    height: int = 1024,
    seed: int | None = None,
    reference_image: IO[bytes] | None = None,
    title: str = "",
    description: str = "",
    alt_text: str = "",
    prompt_hidden: bool = False,
) -> Artwork:
    """A draft whose picture is generated by a task. Returns at once with the draft
    (generation_status "queued"); the task starts after commit."""
    prompt, negative_prompt = (prompt or "").strip(), (negative_prompt or "").strip()
    _validate_generation(
        prompt=prompt, negative_prompt=negative_prompt, width=width, height=height, seed=seed
    )
    reference = _reference_png(reference_image) if reference_image is not None else None
    provider = get_provider()
    if prompt_hidden and not (title or "").strip():
        title = _("Untitled")  # the default title is the prompt, which must stay private
    reference_name = ""
    try:
        with transaction.atomic():
            artwork = artwork_create_draft(
                author=author,
                title=title,
                source=Artwork.Source.GENERATED,
                kind=Artwork.Kind.IMAGE,
                description=description,
                alt_text=alt_text,
                prompt=prompt,
                negative_prompt=negative_prompt,
                prompt_hidden=prompt_hidden,
                provider=provider.name,
                model=provider.model,
                seed=seed,
                size=f"{width}x{height}",
                generation_status=Artwork.GenerationStatus.QUEUED,
            )
            if reference is not None:
                reference_name = default_storage.save(
                    storage_keys.reference_key(artwork.uuid), ContentFile(reference)
                )
            _enqueue_generation(artwork.id)
    except Exception:
        if reference_name:
            storage_delete_quietly([reference_name])
        raise
    return artwork


def _enqueue_generation(artwork_id: int) -> None:
    from .tasks import generate_artwork  # tasks import services; import here to avoid a cycle

    def send() -> None:
        try:
            if (
                settings.GENERATION_IN_BACKGROUND_THREAD
                and generate_artwork.app.conf.task_always_eager
            ):
                # No broker: run beside the request so that it returns at once with the draft.
                _start_generation_thread(artwork_id)
            elif not enqueue(generate_artwork, artwork_id):
                # The broker is down: generate here, beside the request, as without a broker,
                # rather than fail the member's draft or keep them waiting.
                _start_generation_thread(artwork_id)
        except Exception:
            # Not even a thread: the draft must not wait forever for a task that never comes.
            logger.exception("could not start the generation of artwork %s", artwork_id)
            _mark_generation_failed(
                artwork_id=artwork_id,
                reason=gettext_noop("The generation queue is unavailable. Try again in a moment."),
            )

    transaction.on_commit(send)


def _start_generation_thread(artwork_id: int) -> None:
    threading.Thread(target=_generate_in_thread, args=(artwork_id,), daemon=True).start()


def _generate_in_thread(artwork_id: int) -> None:
    from django.db import connection

    try:
        artwork_run_generation(artwork_id=artwork_id)
    except Exception:
        logger.exception("background generation of artwork %s crashed", artwork_id)
    finally:
        connection.close()


def _mark_generation_failed(*, artwork_id: int, reason: str) -> None:
    # `reason` is stored in English (the site's own reasons are gettext_noop message ids) and
    # translated when shown, in the reader's language.
    with transaction.atomic():
        artwork = Artwork.objects.select_for_update().filter(pk=artwork_id).first()
        if artwork is None or artwork.original:
            return
        artwork.generation_status = Artwork.GenerationStatus.FAILED
        artwork.generation_error = reason[:1000]
        artwork.save(update_fields=["generation_status", "generation_error", "updated_at"])
        _announce(artwork_id=artwork.pk, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)


def artwork_run_generation(*, artwork_id: int) -> Artwork | None:
    """Run one generation: queued/running/failed → running → done (original attached) or
    failed (with a reason the author can read). Idempotent: a finished draft is left alone.
    A failure leaves no file behind."""
    with transaction.atomic():
        artwork = Artwork.objects.select_for_update().filter(pk=artwork_id).first()
        if artwork is None or artwork.original:
            return artwork
        if artwork.generation_status == Artwork.GenerationStatus.DONE:
            return artwork
        artwork.generation_status = Artwork.GenerationStatus.RUNNING
        artwork.generation_error = ""
        artwork.save(update_fields=["generation_status", "generation_error", "updated_at"])
        _announce(artwork_id=artwork.pk, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)

    reference_name = storage_keys.reference_key(artwork.uuid)
    reference = None
    if default_storage.exists(reference_name):
        with default_storage.open(reference_name, "rb") as fh:
            reference = fh.read()
    width, _sep, height = (artwork.size or "1024x1024").partition("x")
    try:
        provider = get_provider()
        result = provider.generate(
            GenerationRequest(
                prompt=artwork.prompt,
                negative_prompt=artwork.negative_prompt,
                width=int(width),
                height=int(height),
                seed=artwork.seed,
                reference_image=reference,
            )
        )
        cleaned = uploads.clean_image(result.data)
    except ProviderError as exc:
        logger.info("generation of artwork %s failed: %s", artwork_id, exc.reason)
        _mark_generation_failed(artwork_id=artwork_id, reason=exc.reason)
        return Artwork.objects.filter(pk=artwork_id).first()
    except ValidationError:
        _mark_generation_failed(
            artwork_id=artwork_id,
            reason=gettext_noop("The image service returned a picture that could not be read."),
        )
        return Artwork.objects.filter(pk=artwork_id).first()
    except Exception:
        logger.exception("generation of artwork %s crashed", artwork_id)
        _mark_generation_failed(
            artwork_id=artwork_id,
            reason=gettext_noop("The generation failed unexpectedly. Try again."),
        )
        return Artwork.objects.filter(pk=artwork_id).first()
    try:
        done = artwork_attach_original(
            artwork_id=artwork_id,
            content=cleaned.data,
            ext=cleaned.ext,
            content_type=cleaned.content_type,
            width=cleaned.width,
            height=cleaned.height,
            provider=provider.name,
            model=result.model,
            seed=result.seed,
        )
    except Exception:
        logger.exception("storing the generated image of artwork %s failed", artwork_id)
        _mark_generation_failed(
            artwork_id=artwork_id,
            reason=gettext_noop("The picture could not be stored. Try again."),
        )
        return Artwork.objects.filter(pk=artwork_id).first()
    if done is not None and reference is not None:
        storage_delete_quietly([reference_name])
    return done


GENERATION_STALE_AFTER = timedelta(minutes=15)


def generation_can_retry(artwork: Artwork) -> bool:
    """A failed generation, or one that has been queued or running for so long that its
    worker is surely gone (a restart, a lost message)."""
    if artwork.source != Artwork.Source.GENERATED or artwork.original:
        return False
    if artwork.generation_status == Artwork.GenerationStatus.FAILED:
        return True
    pending = (Artwork.GenerationStatus.QUEUED, Artwork.GenerationStatus.RUNNING)
    return (
        artwork.generation_status in pending
        and artwork.updated_at is not None
        and timezone.now() - artwork.updated_at > GENERATION_STALE_AFTER
    )


def artwork_retry_generation(*, artwork: Artwork, actor: User) -> Artwork:
    """failed → queued, and run again. The author only."""
    _require(permissions.can_retry_generation, artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if not generation_can_retry(locked):
            raise StateConflict(_("Only a failed generation can be retried."))
        locked.generation_status = Artwork.GenerationStatus.QUEUED
        locked.generation_error = ""
        locked.save(update_fields=["generation_status", "generation_error", "updated_at"])
        _enqueue_generation(locked.pk)
        _announce(artwork_id=locked.pk, user_id=locked.user_id, event=ArtworkEvent.UPDATED)
    return locked


# --- publish ------------------------------------------------------------------------------


def artwork_publish(*, artwork: Artwork, actor: User) -> Artwork:
    """draft → published; `published_at` is set on the first publication and kept after, so
    unpublishing and publishing again cannot push an old artwork to the top of New."""
    _require(permissions.can_publish_artwork, artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if not locked.original:
            raise StateConflict(_("This artwork has no image yet; wait for it to finish."))
        if locked.status == Artwork.Status.PUBLISHED:
            return locked
        locked.status = Artwork.Status.PUBLISHED
        locked.published_at = locked.published_at or timezone.now()
        locked.hot_score = hot_score(
            like_count=locked.like_count,
            favorite_count=locked.favorite_count,
            published_at=locked.published_at,
        )
        locked.save(update_fields=["status", "published_at", "hot_score", "updated_at"])
        _announce(artwork_id=locked.pk, user_id=locked.user_id, event=ArtworkEvent.PUBLISHED)
    return locked


def artwork_unpublish(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """published → draft, by its author, or by staff who may moderate (logged as a
    moderation action)."""
    _require(permissions.can_unpublish_artwork, artwork=artwork, actor=actor)
    by_staff = not _is_author(artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if locked.status == Artwork.Status.DRAFT:
            return locked
        locked.status = Artwork.Status.DRAFT
        locked.save(update_fields=["status", "updated_at"])
        if by_staff:
            _log(
                actor=actor,
                artwork=locked,
                action=StaffAction.Action.ARTWORK_UNPUBLISH,
                reason=reason,
            )
        _announce(artwork_id=locked.pk, user_id=locked.user_id, event=ArtworkEvent.UNPUBLISHED)
    return locked


def artwork_delete(*, artwork: Artwork, actor: User, reason: str = "") -> None:
    """Delete the row and, after commit, its files: by its author, or by staff with
    `artworks.delete_artwork` (logged)."""
    _require(permissions.can_delete_artwork, artwork=artwork, actor=actor)
    by_staff = not _is_author(artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if by_staff:
            _log(
                actor=actor, artwork=locked, action=StaffAction.Action.ARTWORK_DELETE, reason=reason
            )
        _delete_artwork_row(locked)


def _delete_artwork_row(locked: Artwork) -> None:
    """Delete a locked row; its files go after commit (read from the row: a task may have
    added thumbnails since the caller loaded it)."""
    names = artwork_file_names(locked)
    artwork_id, user_id = locked.pk, locked.user_id
    locked.delete()
    _delete_files_on_commit(names)
    _announce(artwork_id=artwork_id, user_id=user_id, event=ArtworkEvent.DELETED)


# --- moderation (staff only; each writes one staff-log entry in its transaction) ----------


def _log(*, actor: User, artwork: Artwork, action: str, reason: str = "") -> None:
    staff_action_record(
        actor=actor,
        action=action,
        target_type=StaffAction.TargetType.ARTWORK,
        target_id=artwork.pk,
        target_repr=f"#{artwork.pk} {artwork.title}",
        reason=reason,
    )


def _moderate(
    *,
    artwork: Artwork,
    actor: User,
    changes: dict | Callable[[Artwork], dict],
    action: str,
    event: str,
    rule: Callable[..., bool],
    reason: str = "",
    check=None,
) -> Artwork:
    """Check `rule`, lock, apply `changes` unless already in place (idempotent: no log, no
    event then), log, announce after commit."""
    _require(rule, artwork=artwork, actor=actor)
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        if callable(changes):
            changes = changes(locked)
        if all(getattr(locked, field) == value for field, value in changes.items()):
            return locked
        if check is not None:
            check(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*changes, "updated_at"])
        _log(actor=actor, artwork=locked, action=action, reason=reason)
        _announce(artwork_id=locked.pk, user_id=locked.user_id, event=event)
    return locked


def artwork_hide(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """Hide an artwork from everyone but staff — its author included — wherever it appears."""
    return _moderate(
        artwork=artwork,
        actor=actor,
        changes={"moderation": Artwork.Moderation.HIDDEN},
        action=StaffAction.Action.ARTWORK_HIDE,
        event=ArtworkEvent.HIDDEN,
        rule=permissions.can_hide_artwork,
        reason=reason,
    )


def artwork_restore(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """Undo `artwork_hide`: the artwork is back wherever its status allows."""
    return _moderate(
        artwork=artwork,
        actor=actor,
        changes={"moderation": Artwork.Moderation.VISIBLE},
        action=StaffAction.Action.ARTWORK_RESTORE,
        event=ArtworkEvent.RESTORED,
        rule=permissions.can_restore_artwork,
        reason=reason,
    )


def _require_featurable(artwork: Artwork) -> None:
    if artwork.status != Artwork.Status.PUBLISHED or artwork.is_hidden:
        raise ValidationError(_("Only published, visible artworks can be featured."))


def artwork_feature(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    """Pin an artwork first on the landing page (`artworks_featured`). Featuring an artwork
    that is already featured keeps its original date."""
    return _moderate(
        artwork=artwork,
        actor=actor,
        changes=lambda locked: {"featured_at": locked.featured_at or timezone.now()},
        action=StaffAction.Action.ARTWORK_FEATURE,
        event=ArtworkEvent.FEATURED,
        rule=permissions.can_feature_artwork,
        reason=reason,
        check=_require_featurable,
    )


def artwork_unfeature(*, artwork: Artwork, actor: User, reason: str = "") -> Artwork:
    return _moderate(
        artwork=artwork,
        actor=actor,
        changes={"featured_at": None},
        action=StaffAction.Action.ARTWORK_UNFEATURE,
        event=ArtworkEvent.UNFEATURED,
        rule=permissions.can_feature_artwork,
        reason=reason,
    )


TEXT_FIELDS = permissions.TEXT_FIELDS
# What `artwork_edit` changes: the text, and the author's choice to show the prompt.
EDITABLE_FIELDS = (*TEXT_FIELDS, "prompt_hidden")


def artwork_edit(*, artwork: Artwork, actor: User, changes: dict, reason: str = "") -> Artwork:
    """Change an artwork's text (the author; staff correcting e.g. an abusive title, logged)
    and whether its prompt is shown (the author alone).

    Hiding the prompt also replaces what was made from it — a default title (and the slug
    made from it; the old slug then redirects to the new one) or an alt text that repeats it
    — unless this same edit sets them: otherwise the words would stay on every page, in the
    API, the sitemap and link previews. The change is announced, so caches drop the old text.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %s") % ", ".join(sorted(unknown))
        )
    if not permissions.can_change_fields(actor=actor, artwork=artwork, fields=changes):
        raise PermissionDenied(_("You do not have permission to do that."))
    with transaction.atomic():
        locked = Artwork.objects.select_for_update().get(pk=artwork.pk)
        changed = {f: v for f, v in changes.items() if getattr(locked, f) != v}
        if not changed:
            return locked
        for field, value in changed.items():
            setattr(locked, field, value)
        if "title" in changed:
            locked.title = (locked.title or "").strip()[:200] or locked.title
        if changed.get("prompt_hidden"):
            if "title" not in changes and _derived_from_prompt(locked.title, prompt=locked.prompt):
                locked.title = _("Untitled")
                changed["title"] = locked.title
            if "alt_text" not in changes and _derived_from_prompt(
                locked.alt_text, prompt=locked.prompt
            ):
                locked.alt_text = ""  # pages fall back to the (neutral) title
                changed["alt_text"] = locked.alt_text
        if "title" in changed:
            locked.slug = Artwork.slug_for(locked.title)
            changed["slug"] = locked.slug
        locked.full_clean(exclude=["original", "user"])
        locked.save(update_fields=[*changed, "updated_at"])
        if not _is_author(artwork=locked, actor=actor):
            _log(
                actor=actor,
                artwork=locked,
                action=StaffAction.Action.ARTWORK_EDIT,
                reason=reason or _("Changed: %s") % ", ".join(sorted(set(changed) - {"slug"})),
            )
        _announce(artwork_id=locked.pk, user_id=locked.user_id, event=ArtworkEvent.UPDATED)
    return locked


# --- reactions ----------------------------------------------------------------------------


def _lock_reactable(*, artwork_id: int) -> Artwork:
    """Lock the artwork row so concurrent reactions serialise on it (no lost updates); only
    public artworks take reactions."""
    # of=("self",): lock the artwork only. Locking the joined author row too would make every
    # reaction to any of an author's artworks wait on one row (and block the author's own
    # account writes, such as a sign-in).
    artwork = (
        Artwork.objects.select_for_update(of=("self",)).select_related("user").get(pk=artwork_id)
    )
    if not artwork_is_visible_to(artwork=artwork, viewer=None):
        raise Artwork.DoesNotExist
    return artwork


def _store_counts(artwork: Artwork) -> None:
    artwork.hot_score = hot_score(
        like_count=artwork.like_count,
        favorite_count=artwork.favorite_count,
        published_at=artwork.published_at,
    )
    Artwork.objects.filter(pk=artwork.pk).update(
        like_count=artwork.like_count,
        favorite_count=artwork.favorite_count,
        hot_score=artwork.hot_score,
    )


def _react(
    *, model, user: User, artwork_id: int, add: bool, counter: str, events
) -> tuple[Artwork, bool]:
    with transaction.atomic():
        artwork = _lock_reactable(artwork_id=artwork_id)
        if add:
            try:
                with transaction.atomic():
                    _, changed = model.objects.get_or_create(user=user, artwork=artwork)
            except IntegrityError:  # a concurrent duplicate: it already counts once
                changed = False
        else:
            changed = model.objects.filter(user=user, artwork=artwork).delete()[0] > 0
        if changed:
            # Recount from the rows: exact, and the row lock makes it race-free.
            setattr(artwork, counter, model.objects.filter(artwork=artwork).count())
            _store_counts(artwork)
            _announce(artwork_id=artwork.pk, user_id=user.pk, event=events[0] if add else events[1])
    return artwork, changed


def artwork_like(*, artwork_id: int, user: User) -> Artwork:
    artwork, _ = _react(
        model=Like,
        user=user,
        artwork_id=artwork_id,
        add=True,
        counter="like_count",
        events=(ArtworkEvent.LIKED, ArtworkEvent.UNLIKED),
    )
    return artwork


def artwork_unlike(*, artwork_id: int, user: User) -> Artwork:
    artwork, _ = _react(
        model=Like,
        user=user,
        artwork_id=artwork_id,
        add=False,
        counter="like_count",
        events=(ArtworkEvent.LIKED, ArtworkEvent.UNLIKED),
    )
    return artwork


def artwork_favorite(*, artwork_id: int, user: User) -> Artwork:
    artwork, _ = _react(
        model=Favorite,
        user=user,
        artwork_id=artwork_id,
        add=True,
        counter="favorite_count",
        events=(ArtworkEvent.FAVORITED, ArtworkEvent.UNFAVORITED),
    )
    return artwork


def artwork_unfavorite(*, artwork_id: int, user: User) -> Artwork:
    artwork, _ = _react(
        model=Favorite,
        user=user,
        artwork_id=artwork_id,
        add=False,
        counter="favorite_count",
        events=(ArtworkEvent.FAVORITED, ArtworkEvent.UNFAVORITED),
    )
    return artwork


# --- media --------------------------------------------------------------------------------


def artwork_make_thumbnails(*, artwork_id: int) -> Artwork | None:
    """Render the thumbnails and placeholder of an artwork's original. Idempotent: existing
    thumbnails are overwritten in place at the same keys, never duplicated."""
    from .media import render_image_derivatives, video_poster_jpeg

    try:
        artwork = Artwork.objects.get(pk=artwork_id)
    except Artwork.DoesNotExist:
        return None  # deleted meanwhile: nothing to do
    if not artwork.original:
        return artwork
    Artwork.objects.filter(pk=artwork_id).update(thumb_attempts=F("thumb_attempts") + 1)
    poster_name = ""
    try:
        # Read from the open file, never whole into memory (a video may be 100 MB).
        with default_storage.open(artwork.original.name, "rb") as original:
            if artwork.kind == Artwork.Kind.VIDEO:
                # Thumbnails of a video are made from its poster frame.
                poster = video_poster_jpeg(original)
                poster_name = _save_replacing(storage_keys.poster_key(artwork.uuid), poster)
                derivatives = render_image_derivatives(poster)
            else:
                derivatives = render_image_derivatives(original)
    except Exception as exc:
        with transaction.atomic():
            Artwork.objects.filter(pk=artwork_id).update(thumb_status=Artwork.ThumbStatus.FAILED)
            _announce(artwork_id=artwork_id, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)
        logger.warning("thumbnails failed for artwork %s: %s", artwork_id, exc)
        raise
    thumbnails = []
    for thumb in derivatives.thumbnails:
        key = storage_keys.thumb_key(artwork.uuid, thumb.width, thumb.format)
        name = _save_replacing(key, thumb.data)
        thumbnails.append(
            {"width": thumb.width, "height": thumb.height, "format": thumb.format, "name": name}
        )
    with transaction.atomic():
        updated = Artwork.objects.filter(pk=artwork_id).update(
            thumbnails=thumbnails,
            thumb_status=Artwork.ThumbStatus.READY,
            placeholder_color=derivatives.dominant_color,
            placeholder_data=derivatives.placeholder_data_uri,
            width=artwork.width or derivatives.width,
            height=artwork.height or derivatives.height,
            **({"poster": poster_name} if poster_name else {}),
        )
        if not updated:  # deleted while rendering: remove what was just written
            _delete_files_on_commit([t["name"] for t in thumbnails] + [poster_name])
            return None
        _announce(artwork_id=artwork_id, user_id=artwork.user_id, event=ArtworkEvent.MEDIA_READY)
    artwork.refresh_from_db()
    return artwork


def _save_replacing(key: str, data: bytes) -> str:
    """Write `data` at exactly `key` (a re-run overwrites instead of adding a suffix)."""
    if default_storage.exists(key):
        default_storage.delete(key)
    return default_storage.save(key, ContentFile(data))


# --- maintenance (run by beat) ------------------------------------------------------------


def artworks_retry_stale_media(
    *, older_than: timedelta, max_attempts: int, batch: int = 200
) -> list[int]:
    """Enqueue thumbnail work that was lost (still pending: the broker was down when it was
    due) or failed fewer than `max_attempts` times. Returns the artwork ids enqueued."""
    from .tasks import make_thumbnails

    cutoff = timezone.now() - older_than
    stale = (
        Artwork.objects.exclude(original="")
        .filter(
            Q(thumb_status=Artwork.ThumbStatus.PENDING, updated_at__lt=cutoff)
            | Q(thumb_status=Artwork.ThumbStatus.FAILED, thumb_attempts__lt=max_attempts)
        )
        .order_by("updated_at")
        .values_list("id", flat=True)[:batch]
    )
    ids = list(stale)
    for artwork_id in ids:
        enqueue(make_thumbnails, artwork_id)
    return ids


def media_sweep_orphans(*, older_than: timedelta) -> list[str]:
    """Delete files under artworks/ that no artwork row owns any more (a crash between writing
    a file and its row, or a delete whose file removal failed), once they are older than the
    grace period — so an upload in progress is never touched."""
    cutoff = timezone.now() - older_than
    candidates: dict[str, str] = {}
    for folder in ("artworks/original", "artworks/thumb"):
        try:
            _dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for filename in files:
            candidates[f"{folder}/{filename}"] = filename[:36]
    known = {
        str(u)
        for u in Artwork.objects.filter(
            uuid__in=[u for u in set(candidates.values()) if _is_uuid(u)]
        ).values_list("uuid", flat=True)
    }
    removed = []
    for name, file_uuid in candidates.items():
        if file_uuid in known:
            continue
        try:
            if default_storage.get_modified_time(name) >= cutoff:
                continue
        except (FileNotFoundError, NotImplementedError):
            continue
        storage_delete_quietly([name])
        removed.append(name)
    return removed


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def artworks_purge_abandoned_drafts(*, older_than: timedelta) -> int:
    """Delete drafts whose generation failed and that nobody touched for `older_than`."""
    cutoff = timezone.now() - older_than
    abandoned = Artwork.objects.filter(
        status=Artwork.Status.DRAFT,
        generation_status=Artwork.GenerationStatus.FAILED,
        updated_at__lt=cutoff,
    ).values_list("id", flat=True)
    count = 0
    for artwork_id in list(abandoned):
        with transaction.atomic():
            artwork = Artwork.objects.select_for_update().filter(pk=artwork_id).first()
            if artwork is None:
                continue
            _delete_artwork_row(artwork)
            count += 1
    return count
