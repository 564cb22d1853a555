"""Peak memory of the upload code path: the worst upload the site accepts, of each kind, in a
fresh process.

    .venv/bin/python bench/upload_memory.py                 # every case; exit 1 on a breach
    .venv/bin/python bench/upload_memory.py --case video    # one case
    .venv/bin/python bench/upload_memory.py --json          # machine-readable

For each case the parent makes the largest upload the settings accept of that kind (the
largest still by pixels, the largest animation by decoded size, the longest and largest
video, the largest avatar), writes it as a multipart request body to a file, and starts a
fresh Python process under `/usr/bin/time -v`. That process serves one small request of the
same kind first (as a warm server process would have), notes its resident memory (VmRSS),
serves the big request through Django's WSGI handler — multipart parsing, the upload
handlers, the view, the service, storage and, as on the embedded defaults, the thumbnails
in-process after commit — then notes its resident memory again. `time -v` gives the peak.

Bounds (issue "Safe to run in the open"): peak ≤ 300 MB, and back within 50 MB of the
resident memory before the request.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.conf import LazySettings
    from PIL.Image import Image

ROOT = Path(__file__).resolve().parents[1]
PEAK_LIMIT_MB = 300
RETURN_LIMIT_MB = 50
BOUNDARY = "----upload-memory-bench"
CSRF_SECRET = "b" * 32


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    field: str
    filename: str
    expected_status: int
    fields: tuple[tuple[str, str], ...] = ()


CASES = {
    "still-png": Case("still-png", "/api/artworks/upload", "file", "still.png", 201),
    "still-jpeg-rotated": Case(
        "still-jpeg-rotated", "/api/artworks/upload", "file", "still.jpg", 201
    ),
    "still-webp": Case("still-webp", "/api/artworks/upload", "file", "still.webp", 201),
    "still-avif": Case("still-avif", "/api/artworks/upload", "file", "still.avif", 201),
    "animation": Case("animation", "/api/artworks/upload", "file", "animation.gif", 201),
    "animation-webp": Case("animation-webp", "/api/artworks/upload", "file", "animation.webp", 201),
    "video": Case("video", "/api/artworks/upload", "file", "video.mp4", 201),
    "avatar": Case(
        "avatar", "/settings/profile", "avatar", "avatar.png", 302, (("username", "{username}"),)
    ),
}


# --- the worst accepted uploads (made in the parent) ----------------------------------------


def _settings() -> LazySettings:
    import django

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aicommunity.settings")
    django.setup()
    from django.conf import settings

    return settings


def _largest_frame(max_pixels: int, *, ratio: float = 1.6) -> tuple[int, int]:
    """The largest width × height at ≈ `ratio` within `max_pixels` (and multiples of 16, as
    video encoders want)."""
    height = int((max_pixels / ratio) ** 0.5) // 16 * 16
    width = (max_pixels // height) // 16 * 16
    return width, height


def _gradient_rgba(size: tuple[int, int]) -> Image:
    from PIL import Image

    ramp = Image.linear_gradient("L")
    across = ramp.rotate(90).resize(size)
    down = ramp.resize(size)
    return Image.merge("RGBA", (across, down, across.rotate(180), down.rotate(180)))


def _with_noise(image: Image, *, noise_bytes: int) -> Image:
    """A band of noise across the top: it does not compress, so the file gets close to the
    byte limit (and the re-encoded copy is as large)."""
    from PIL import Image

    bands = len(image.getbands())
    rows = max(1, noise_bytes // (image.width * bands))
    noise = os.urandom(image.width * rows * bands)
    image.paste(Image.frombytes(image.mode, (image.width, rows), noise), (0, 0))
    return image


def make_still_png(settings: LazySettings) -> bytes:
    """A PNG of the most pixels accepted, with an alpha channel (4 bytes a pixel decoded),
    near the byte limit."""
    image = _gradient_rgba(_largest_frame(settings.UPLOAD_MAX_PIXELS))
    image = _with_noise(image, noise_bytes=settings.UPLOAD_MAX_IMAGE_BYTES * 3 // 4)
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def make_still_jpeg_rotated(settings: LazySettings) -> bytes:
    """A JPEG of the most pixels accepted that must be turned upright (EXIF orientation 6),
    near the byte limit."""
    from PIL import Image

    image = _gradient_rgba(_largest_frame(settings.UPLOAD_MAX_PIXELS)).convert("RGB")
    # At this quality JPEG keeps noise in about a third of its raw size.
    image = _with_noise(image, noise_bytes=settings.UPLOAD_MAX_IMAGE_BYTES * 2)
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def _largest_still_of(settings: LazySettings, image_format: str) -> tuple[int, int]:
    from common.images import max_pixels_for

    return _largest_frame(max_pixels_for(image_format, max_pixels=settings.UPLOAD_MAX_PIXELS))


def make_still_webp(settings: LazySettings) -> bytes:
    """A WebP of the most pixels accepted for WebP (libwebp needs more memory a pixel)."""
    image = _gradient_rgba(_largest_still_of(settings, "WEBP"))
    buf = io.BytesIO()
    image.save(buf, "WEBP", quality=80, method=0)
    return buf.getvalue()


def make_still_avif(settings: LazySettings) -> bytes:
    """An AVIF of the most pixels accepted for AVIF (libavif needs the most memory a pixel)."""
    image = _gradient_rgba(_largest_still_of(settings, "AVIF")).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "AVIF", quality=60, speed=10)
    return buf.getvalue()


def make_animation_webp(settings: LazySettings) -> bytes:
    """An animated WebP of the largest frames accepted for WebP, as many as the animation
    limit allows."""
    from PIL import ImageDraw

    width, height = _largest_still_of(settings, "WEBP")
    frames = max(2, settings.UPLOAD_MAX_ANIMATION_PIXELS // (width * height))
    background = _gradient_rgba((width, height)).convert("RGB")

    def frame(index: int) -> Image:
        picture = background.copy()
        ImageDraw.Draw(picture).rectangle(
            (index * width // frames, 0, index * width // frames + width // 8, height),
            fill=(index * 50 % 256, 40, 200),
        )
        return picture

    buf = io.BytesIO()
    frame(0).save(
        buf,
        "WEBP",
        save_all=True,
        append_images=(frame(i) for i in range(1, frames)),
        duration=200,
        loop=0,
        quality=60,
        method=0,
    )
    return buf.getvalue()


def make_animation(settings: LazySettings) -> bytes:
    """A GIF whose frames × pixels is the most accepted, every frame different."""
    from PIL import ImageDraw

    frames = 200
    side = int((settings.UPLOAD_MAX_ANIMATION_PIXELS / frames) ** 0.5)
    # Palette frames: quantising 200 full-colour frames here would take longer than the run.
    background = _gradient_rgba((side, side)).convert("RGB").quantize(255)

    def frame(index: int) -> Image:
        # Every pixel changes from frame to frame, so the encoder keeps every frame whole.
        picture = background.point(lambda value: (value + 7 * index) % 255)
        picture.putpalette(background.getpalette())
        offset = index * side // frames
        ImageDraw.Draw(picture).rectangle((offset, 0, offset + side // 8, side), fill=255)
        return picture

    buf = io.BytesIO()
    frame(0).save(
        buf,
        "GIF",
        save_all=True,
        append_images=(frame(i) for i in range(1, frames)),
        duration=50,
        loop=0,
    )
    return buf.getvalue()


def make_video(settings: LazySettings) -> bytes:
    """An H.264 MP4 as long as accepted, with the largest accepted frames, close to the byte
    limit (a band of noise in every frame keeps it from compressing away)."""
    import av
    from PIL import Image

    width, height = _largest_frame(
        min(settings.UPLOAD_MAX_VIDEO_PIXELS, settings.UPLOAD_MAX_PIXELS), ratio=16 / 9
    )
    seconds = settings.UPLOAD_MAX_VIDEO_SECONDS
    background = _gradient_rgba((width, height)).convert("RGB")
    noise_rows = height // 9
    with tempfile.TemporaryFile() as out_file:
        with av.open(out_file, mode="w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=1, options={"preset": "ultrafast", "crf": "16"})
            stream.width, stream.height = width, height
            stream.pix_fmt = "yuv420p"
            for second in range(seconds):
                picture = background.copy()
                noise = os.urandom(width * noise_rows * 3)
                picture.paste(Image.frombytes("RGB", (width, noise_rows), noise), (0, 0))
                picture.paste((second * 4 % 256, 90, 160), (0, height - 64, width, height))
                for packet in stream.encode(av.VideoFrame.from_image(picture)):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        out_file.seek(0)
        data = out_file.read()
    if len(data) > settings.UPLOAD_MAX_VIDEO_BYTES:
        # Too much noise for this limit: keep the head only would break the file; fail loudly.
        raise SystemExit(f"the generated video is {len(data)} bytes, over the limit")
    return data


def make_avatar(settings: LazySettings) -> bytes:
    """A PNG avatar of the most pixels accepted, within the avatar byte limit."""
    image = _gradient_rgba(_largest_frame(settings.UPLOAD_MAX_PIXELS))
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=9)
    return buf.getvalue()


def make_small(case: Case) -> bytes:
    """A small upload of the same kind, to warm the process up."""
    from PIL import Image

    buf = io.BytesIO()
    if case.name == "video":
        import av

        with av.open(buf, mode="w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=10)
            stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
            for i in range(10):
                frame = av.VideoFrame.from_image(Image.new("RGB", (64, 48), (i * 20, 90, 160)))
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        return buf.getvalue()
    if case.name.startswith("animation"):
        fmt = "WEBP" if case.name == "animation-webp" else "GIF"
        frames = [Image.new("RGB", (32, 32), (i * 40, 0, 0)) for i in range(4)]
        frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], duration=80)
        return buf.getvalue()
    fmt = {"still-jpeg-rotated": "JPEG", "still-webp": "WEBP", "still-avif": "AVIF"}.get(
        case.name, "PNG"
    )
    Image.new("RGB", (64, 48), (10, 200, 30)).save(buf, fmt)
    return buf.getvalue()


MAKERS = {
    "still-png": make_still_png,
    "still-jpeg-rotated": make_still_jpeg_rotated,
    "still-webp": make_still_webp,
    "still-avif": make_still_avif,
    "animation": make_animation,
    "animation-webp": make_animation_webp,
    "video": make_video,
    "avatar": make_avatar,
}


def write_body(path: Path, case: Case, content: bytes, *, username: str) -> int:
    """The multipart body a browser would send, written to `path`; returns its length."""
    parts = []
    for name, value in case.fields:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value.format(username=username)}\r\n".encode()
        )
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{case.field}"; '
        f'filename="{case.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
    )
    with path.open("wb") as fh:
        for part in parts:
            fh.write(part)
        fh.write(content)
        fh.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return path.stat().st_size


# --- the measured process ----------------------------------------------------------------------


def _rss_mb(field: str = "VmRSS") -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1)) / 1024


def _release_freed_memory() -> None:
    gc.collect()
    # glibc keeps freed heap pages in its arenas; hand them back as a long-lived worker would
    # over time. (Not available elsewhere: then the number is simply what the heap holds.)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _serve(body_path: Path, case: Case, *, session: str) -> int:
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    statuses = []
    with body_path.open("rb") as stream:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": case.path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body_path.stat().st_size),
            "HTTP_COOKIE": f"sessionid={session}; csrftoken={CSRF_SECRET}",
            "HTTP_X_CSRFTOKEN": CSRF_SECRET,
            "wsgi.input": stream,
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        body = b"".join(response)
        if hasattr(response, "close"):
            response.close()
    status = int(statuses[0].split()[0])
    if status != case.expected_status:
        print(body[:500].decode(errors="replace"), file=sys.stderr)
    return status


def child(case_name: str, big: Path, small_body: Path, username: str) -> None:
    _settings()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    case = CASES[case_name]
    user = User.objects.create_user(username=username, email=f"{username}@example.com")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    warm_status = _serve(small_body, case, session=session.session_key)
    _release_freed_memory()
    before = _rss_mb()
    started = time.monotonic()
    status = _serve(big, case, session=session.session_key)
    seconds = time.monotonic() - started
    _release_freed_memory()
    after = _rss_mb()
    print(
        json.dumps(
            {
                "warm_status": warm_status,
                "status": status,
                "rss_before_mb": round(before, 1),
                "rss_after_mb": round(after, 1),
                "seconds": round(seconds, 2),
            }
        )
    )


# --- the parent ------------------------------------------------------------------------------


@dataclass
class Result:
    case: str
    upload_mb: float
    status: int
    expected_status: int
    peak_mb: float
    rss_before_mb: float
    rss_after_mb: float
    seconds: float

    @property
    def ok(self) -> bool:
        return (
            self.status == self.expected_status
            and self.peak_mb <= PEAK_LIMIT_MB
            and self.rss_after_mb - self.rss_before_mb <= RETURN_LIMIT_MB
        )


def _environment(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "aicommunity.settings",
            "DJANGO_ENV": "development",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "RATE_LIMIT_ARTWORK_CREATE_PER_HOUR": "1000000",
            "PYTHONPATH": str(ROOT),
        }
    )
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "S3_BUCKET"):
        env.pop(name, None)  # the embedded defaults: tasks and thumbnails run in-process
    return env


def run_case(case_name: str, workdir: Path, env: dict[str, str]) -> Result:
    case = CASES[case_name]
    settings = _settings()
    content = MAKERS[case_name](settings)
    username = f"b-{case_name[:12]}-{os.getpid()}"  # usernames are at most 30 characters
    big = workdir / f"{case_name}.body"
    small = workdir / f"{case_name}.small.body"
    write_body(big, case, content, username=username)
    write_body(small, case, make_small(case), username=username)
    upload_mb = len(content) / 1024 / 1024
    del content
    completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            case_name,
            str(big),
            str(small),
            username,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    big.unlink()
    small.unlink()
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not peak or not lines:
        raise SystemExit(f"{case_name}: the measured process failed:\n{completed.stderr[-3000:]}")
    report = json.loads(lines[-1])
    return Result(
        case=case_name,
        upload_mb=round(upload_mb, 1),
        status=report["status"],
        expected_status=case.expected_status,
        peak_mb=round(int(peak.group(1)) / 1024, 1),
        rss_before_mb=report["rss_before_mb"],
        rss_after_mb=report["rss_after_mb"],
        seconds=report["seconds"],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, big, small, username = args.child
        child(name, Path(big), Path(small), username)
        return 0
    if not Path("/usr/bin/time").exists():
        print("GNU time is needed: apt-get install -y time", file=sys.stderr)
        return 2
    results = []
    with tempfile.TemporaryDirectory(prefix="upload-memory-") as tmp:
        workdir = Path(tmp)
        env = _environment(workdir)
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "MEDIA_ROOT")})
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        for name in args.case or list(CASES):
            results.append(run_case(name, workdir, env))
    if args.json:
        print(json.dumps([asdict(r) | {"ok": r.ok} for r in results], indent=2))
    else:
        print(
            f"{'case':<20}{'upload':>9}{'status':>8}{'peak':>9}{'before':>9}{'after':>9}"
            f"{'seconds':>9}  bounds: peak ≤ {PEAK_LIMIT_MB} MB, after ≤ before + "
            f"{RETURN_LIMIT_MB} MB"
        )
        for r in results:
            print(
                f"{r.case:<20}{r.upload_mb:>7.1f}MB{r.status:>8}{r.peak_mb:>7.1f}MB"
                f"{r.rss_before_mb:>7.1f}MB{r.rss_after_mb:>7.1f}MB{r.seconds:>9.2f}"
                f"  {'ok' if r.ok else 'OVER'}"
            )
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
