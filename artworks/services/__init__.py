"""Writes of artworks, by concern: creation (drafts, uploads), generation (asking) and
generation_run (running), media (thumbnails), publishing (publish, unpublish, delete),
editing, reactions (likes, favorites), moderation (staff) and maintenance (beat).

Every write runs in a transaction; files are written before the row and removed again if the
transaction fails, so nothing is left half-written. Changes are announced after commit
through `artworks.signals.artwork_changed`. Callers import from here."""

from ._base import announce_artwork_changed, artwork_default_title, rating_clean, text_clean
from .creation import artwork_attach_original, artwork_create_draft, artwork_upload
from .editing import EDITABLE_FIELDS, TEXT_FIELDS, artwork_edit
from .generation import (
    GENERATION_MAX_SIDE,
    GENERATION_MIN_SIDE,
    MAX_SEED,
    artwork_generate,
    artwork_retry_generation,
    generation_can_retry,
)
from .generation_run import GenerationRetry, artwork_run_generation, generate_beside_request
from .maintenance import (
    artworks_purge_abandoned_drafts,
    artworks_requeue_stuck_generations,
    media_sweep_orphans,
)
from .media import artwork_file_names, artwork_make_thumbnails, artworks_retry_stale_media
from .moderation import (
    artwork_feature,
    artwork_hide,
    artwork_rate,
    artwork_restore,
    artwork_unfeature,
)
from .publishing import artwork_delete, artwork_publish, artwork_unpublish, delete_artwork_row
from .reactions import (
    artwork_favorite,
    artwork_like,
    artwork_unfavorite,
    artwork_unlike,
    member_reactions_remove,
)
from .tagging import artwork_set_tags, artwork_update

__all__ = [
    "EDITABLE_FIELDS",
    "GENERATION_MAX_SIDE",
    "GENERATION_MIN_SIDE",
    "MAX_SEED",
    "TEXT_FIELDS",
    "GenerationRetry",
    "announce_artwork_changed",
    "artwork_attach_original",
    "artwork_create_draft",
    "artwork_default_title",
    "artwork_delete",
    "artwork_edit",
    "artwork_favorite",
    "artwork_feature",
    "artwork_file_names",
    "artwork_generate",
    "artwork_hide",
    "artwork_like",
    "artwork_make_thumbnails",
    "artwork_publish",
    "artwork_rate",
    "artwork_restore",
    "artwork_retry_generation",
    "artwork_run_generation",
    "artwork_set_tags",
    "artwork_unfavorite",
    "artwork_unfeature",
    "artwork_unlike",
    "artwork_unpublish",
    "artwork_update",
    "artwork_upload",
    "artworks_purge_abandoned_drafts",
    "artworks_requeue_stuck_generations",
    "artworks_retry_stale_media",
    "delete_artwork_row",
    "generate_beside_request",
    "generation_can_retry",
    "media_sweep_orphans",
    "member_reactions_remove",
    "rating_clean",
    "text_clean",
]
