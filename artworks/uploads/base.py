"""What every kind of upload shares: the cleaned file, the refusal, the accepted formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File

if TYPE_CHECKING:
    pass


# Besides the decoded-size limit (UPLOAD_MAX_ANIMATION_PIXELS), a cap on the frame count:
# each frame costs a seek and an encode however small it is.
MAX_ANIMATION_FRAMES = 600
PROGRESSIVE_JPEG_MAX_PIXELS = 8_000_000
IMAGE_FORMATS = {
    # Pillow format → (extension, content type)
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
    "AVIF": ("avif", "image/avif"),
}
VIDEO_CODECS = {
    "mp4": {"h264", "hevc", "av1", "mpeg4", "vp9"},
    "webm": {"vp8", "vp9", "av1"},
}
AUDIO_CODECS = {
    "mp4": {"aac", "mp3", "opus", "alac", "flac"},
    "webm": {"opus", "vorbis"},
}
ACCEPTED_HELP = "JPEG, PNG, WebP, GIF, AVIF, MP4, WebM"


@dataclass(frozen=True)
class CleanFile:
    """A cleaned upload. `file` holds the content at position 0: in memory for images (they
    are re-encoded from decoded pixels anyway), a temporary file on disk for videos, so that a
    video never sits whole in memory. Close it (or use `with`) once stored."""

    file: IO[bytes]
    size: int
    kind: str  # "image" | "video"
    ext: str
    content_type: str
    width: int
    height: int
    duration_seconds: float | None = None
    animated: bool = False  # an image of more than one frame
    codec: str = ""
    # The summary of the C2PA manifest the upload carried ({} for none): see `credentials`.
    content_credentials: dict = field(default_factory=dict)

    @property
    def data(self) -> bytes:
        """The whole content (small files and tests; storage reads `file` in chunks)."""
        self.file.seek(0)
        try:
            return self.file.read()
        finally:
            self.file.seek(0)

    def as_file(self) -> File:
        self.file.seek(0)
        django_file = File(self.file)
        django_file.size = self.size
        return django_file

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> CleanFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_upload")
