"""What an upload may weigh: request bodies, files, pixels, video length; thumbnail sizes."""

from __future__ import annotations

from .base import env

# Uploaded files above 2.5 MB stream to a temporary file instead of memory; request bodies
# (other than files) are capped at 2.5 MB. Larger bodies are refused with 413 before they are
# read (common.body_limit), except on the upload endpoints in UPLOAD_BODY_LIMITS.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "common.body_limit.BodyLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_IMAGE_BYTES = env.int("UPLOAD_MAX_IMAGE_BYTES", default=20 * 1024 * 1024)
UPLOAD_MAX_VIDEO_BYTES = env.int("UPLOAD_MAX_VIDEO_BYTES", default=100 * 1024 * 1024)
# One decoded frame: 8K UHD. Pillow holds 4 bytes a pixel (133 MB here), and a worker must
# stay within 300 MB while it cleans an upload and renders its thumbnails.
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=7680 * 4320)
# WebP and AVIF cost far more memory a pixel: through Pillow, libwebp and libavif an upload's
# clean-up and thumbnails take about 35 bytes a pixel (measured with bench/upload_memory.py),
# against 4-8 for JPEG, PNG and GIF. Their frames are limited to 2048 × 2048, the largest
# size the generators make, so that any accepted upload stays within the same memory (an
# animated PNG's or AVIF's frames too: they are stored as an animated WebP).
UPLOAD_MAX_PIXELS_BY_FORMAT = {
    "WEBP": env.int("UPLOAD_MAX_WEBP_PIXELS", default=2048 * 2048),
    "AVIF": env.int("UPLOAD_MAX_AVIF_PIXELS", default=2048 * 2048),
}
# A video frame: 4K UHD. Decoding holds several frames at once, so its size bounds memory.
UPLOAD_MAX_VIDEO_PIXELS = env.int("UPLOAD_MAX_VIDEO_PIXELS", default=3840 * 2160)
# Frames × width × height of an animated image (GIF, APNG, animated WebP): its decoded size.
UPLOAD_MAX_ANIMATION_PIXELS = env.int("UPLOAD_MAX_ANIMATION_PIXELS", default=50_000_000)
# The largest file each upload endpoint takes (URL name → the settings that bound it); the
# request body may be that plus a small margin for the other form fields.
UPLOAD_BODY_LIMITS = {
    "artworks:create": ("UPLOAD_MAX_VIDEO_BYTES", "UPLOAD_MAX_IMAGE_BYTES"),
    "api:upload": ("UPLOAD_MAX_VIDEO_BYTES", "UPLOAD_MAX_IMAGE_BYTES"),
    "api:generate": ("UPLOAD_MAX_IMAGE_BYTES",),
    "accounts:settings": ("AVATAR_MAX_BYTES",),
    "admin:accounts_user_change": ("AVATAR_MAX_BYTES",),
}
UPLOAD_MAX_VIDEO_SECONDS = env.int("UPLOAD_MAX_VIDEO_SECONDS", default=60)
THUMBNAIL_WIDTHS = [320, 640, 1280]
# A PEM file of the certificate authorities whose C2PA signatures count as "Trusted" (empty:
# a manifest that validates is "Valid", its signer not checked against any list).
C2PA_TRUST_ANCHORS_FILE = env.str("C2PA_TRUST_ANCHORS_FILE", default="")
