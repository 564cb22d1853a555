"""Running one generation: in the task, or beside the request when there is no broker.

The draft goes running → done (its original attached) or failed, with a reason the author
can read (stored in English, translated when shown), and no file left behind. A transient
provider failure (429, 5xx, a timeout) with attempts left puts it back to queued and raises
`GenerationRetry`: the task retries later with a countdown (a Celery retry), the thread
beside the request with a timer — nothing sleeps in a worker. At most
1 + AI_PROVIDER_MAX_RETRIES attempts; the last failure is recorded with its reason."""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from common.observability.metrics import count_generation
from common.storage import delete_quietly
from common.tasks import run_beside_requests

from .. import storage_keys, uploads
from ..models import Artwork
from ..provenance import AI_XMP
from ..providers import GenerationRequest, ProviderError, get_provider
from ..providers.http import retry_delay
from ..signals import ArtworkEvent
from ._base import announce
from .creation import artwork_attach_original

if TYPE_CHECKING:
    from artworks.uploads import CleanFile

logger = logging.getLogger(__name__)


class _Generated(NamedTuple):
    image: CleanFile
    provider: str
    model: str
    seed: int | None


class GenerationRetry(Exception):
    """The provider failed for now and attempts are left: the draft is queued again; run
    `artwork_run_generation` with `attempt + 1` in `delay` seconds."""

    def __init__(self, *, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay
        self.reason = reason


def artwork_run_generation(*, artwork_id: int, attempt: int = 0) -> Artwork | None:
    """Run one generation: queued/running/failed → running → done (original attached) or
    failed (with a reason the author can read). Idempotent: a finished draft is left alone.
    A failure leaves no file behind. `attempt` (0-based): a transient failure before the
    last one raises GenerationRetry, the draft queued again."""
    artwork, started = _start_running(artwork_id)
    if not started:
        return artwork
    reference_name = storage_keys.reference_key(artwork.uuid)
    reference = None
    if default_storage.exists(reference_name):
        with default_storage.open(reference_name, "rb") as fh:
            reference = fh.read()
    generated = _generate_image(artwork, reference=reference)
    if isinstance(generated, ProviderError):
        if generated.retryable and attempt < settings.AI_PROVIDER_MAX_RETRIES:
            _queue_again(artwork_id)
            raise GenerationRetry(
                delay=retry_delay(generated, attempt=attempt), reason=generated.reason
            )
        return _fail(artwork_id, reason=generated.reason)
    try:
        done = artwork_attach_original(
            artwork_id=artwork_id,
            content=generated.image.data,
            ext=generated.image.ext,
            content_type=generated.image.content_type,
            width=generated.image.width,
            height=generated.image.height,
            provider=generated.provider,
            model=generated.model,
            seed=generated.seed,
        )
    except Exception:
        logger.exception("storing the generated image of artwork %s failed", artwork_id)
        return _fail(artwork_id, reason=gettext_noop("The picture could not be stored. Try again."))
    if done is not None and reference is not None:
        delete_quietly([reference_name])
    return done


def _start_running(artwork_id: int) -> tuple[Artwork | None, bool]:
    """Mark the draft running (announced): (the draft, True). A deleted or finished draft is
    left as it is: (it or None, False)."""
    with transaction.atomic():
        artwork = Artwork.objects.select_for_update().filter(pk=artwork_id).first()
        if artwork is None or artwork.original:
            return artwork, False
        if artwork.generation_status == Artwork.GenerationStatus.DONE:
            return artwork, False
        artwork.generation_status = Artwork.GenerationStatus.RUNNING
        artwork.generation_error = ""
        artwork.save(update_fields=["generation_status", "generation_error", "updated_at"])
        announce(artwork_id=artwork.pk, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)
    return artwork, True


def _queue_again(artwork_id: int) -> None:
    """running → queued, while the retry waits (a finished or deleted draft is left alone)."""
    with transaction.atomic():
        updated = Artwork.objects.filter(
            pk=artwork_id, original="", generation_status=Artwork.GenerationStatus.RUNNING
        ).update(generation_status=Artwork.GenerationStatus.QUEUED, updated_at=timezone.now())
        if updated:
            artwork = Artwork.objects.only("user_id").get(pk=artwork_id)
            announce(artwork_id=artwork_id, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)


def _generate_image(artwork: Artwork, *, reference: bytes | None) -> _Generated | ProviderError:
    """The provider's picture, cleaned like an upload; or why there is none (its reason an
    English message id; `retryable` for a transient failure)."""
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
        # A generated picture says so inside its file (IPTC digital source type, as XMP).
        cleaned = uploads.clean_image(result.data, xmp=AI_XMP)
    except ProviderError as exc:
        logger.info("generation of artwork %s failed: %s", artwork.pk, exc.reason)
        return exc
    except ValidationError:
        return ProviderError(
            gettext_noop("The image service returned a picture that could not be read.")
        )
    except Exception:
        logger.exception("generation of artwork %s crashed", artwork.pk)
        return ProviderError(gettext_noop("The generation failed unexpectedly. Try again."))
    return _Generated(image=cleaned, provider=provider.name, model=result.model, seed=result.seed)


def _fail(artwork_id: int, *, reason: str) -> Artwork | None:
    mark_generation_failed(artwork_id=artwork_id, reason=reason)
    return Artwork.objects.filter(pk=artwork_id).first()


def mark_generation_failed(*, artwork_id: int, reason: str) -> None:
    """Failed, with `reason` (an English message id: the site's own reasons are gettext_noop
    ids, translated when shown in the reader's language). A draft with its original is left
    alone."""
    with transaction.atomic():
        artwork = Artwork.objects.select_for_update().filter(pk=artwork_id).first()
        if artwork is None or artwork.original:
            return
        artwork.generation_status = Artwork.GenerationStatus.FAILED
        artwork.generation_error = reason[:1000]
        artwork.save(update_fields=["generation_status", "generation_error", "updated_at"])
        announce(artwork_id=artwork.pk, user_id=artwork.user_id, event=ArtworkEvent.UPDATED)
        provider = artwork.provider
        transaction.on_commit(lambda: count_generation(provider=provider, outcome="failed"))


def generate_beside_request(artwork_id: int, *, attempt: int = 0, delay: float = 0) -> None:
    """Run the generation in a thread of this process (`delay` seconds from now), so that the
    request returns at once; a retry is a new timer, not a sleep."""
    try:
        run_beside_requests(
            partial(_generate_in_thread, artwork_id, attempt),
            what=f"the generation of artwork {artwork_id}",
            delay=delay,
        )
    except Exception:
        # Not even a thread: the draft must not wait forever for a task that never comes.
        logger.exception("could not start the generation of artwork %s", artwork_id)
        mark_generation_failed(
            artwork_id=artwork_id,
            reason=gettext_noop("The generation queue is unavailable. Try again in a moment."),
        )


def _generate_in_thread(artwork_id: int, attempt: int) -> None:
    try:
        artwork_run_generation(artwork_id=artwork_id, attempt=attempt)
    except GenerationRetry as retry:
        generate_beside_request(artwork_id, attempt=attempt + 1, delay=retry.delay)
