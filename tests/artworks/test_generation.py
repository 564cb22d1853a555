"""Generation: a queued draft, a task that runs the provider, clear failure states, retry,
idempotency, and no orphan files."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from artworks import services
from artworks.models import Artwork
from artworks.providers import ProviderError, register_provider
from artworks.providers.base import GeneratedImage
from tests.artworks.samples import image_bytes

pytestmark = pytest.mark.django_db


class RecordingProvider:
    """Stands in for a remote image service: records requests, answers from a script."""

    name = "scripted"
    model = "scripted-1"
    script: list = []
    seen: list = []

    def generate(self, request):
        RecordingProvider.seen.append(request)
        outcome = RecordingProvider.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def png_result(seed=7) -> GeneratedImage:
    return GeneratedImage(
        data=image_bytes("PNG", size=(96, 64)),
        content_type="image/png",
        ext="png",
        width=96,
        height=64,
        seed=seed,
        model="scripted-1",
    )


@pytest.fixture
def scripted(settings):
    register_provider("scripted", RecordingProvider)
    settings.AI_PROVIDER = "scripted"
    RecordingProvider.script = []
    RecordingProvider.seen = []
    return RecordingProvider


def generate(user, **overrides):
    kwargs = {
        "author": user,
        "prompt": "a red lighthouse at dusk",
        "negative_prompt": "people",
        "width": 512,
        "height": 256,
        "seed": 42,
        "reference_image": None,
        "title": "",
        "description": "",
        "alt_text": "",
        "prompt_hidden": False,
    }
    kwargs.update(overrides)
    return services.artwork_generate(**kwargs)


def test_generate_returns_a_queued_draft_and_the_task_finishes_it(
    user, django_capture_on_commit_callbacks, stored_files
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        artwork = generate(user)
    # the request returns with the draft before anything ran
    assert artwork.status == Artwork.Status.DRAFT
    assert artwork.generation_status == Artwork.GenerationStatus.QUEUED
    assert artwork.provider == "offline"
    assert artwork.size == "512x256"
    assert artwork.title == "a red lighthouse at dusk"
    assert stored_files() == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.DONE
    assert artwork.original.name == f"artworks/original/{artwork.uuid}.jpg"
    assert (artwork.width, artwork.height) == (512, 256)
    assert artwork.seed == 42
    assert artwork.model == "procedural-v1"
    assert artwork.thumb_status == Artwork.ThumbStatus.READY
    assert f"artworks/original/{artwork.uuid}.jpg" in stored_files()


def test_the_task_is_routed_to_the_generation_queue(settings):
    from aicommunity.celery import app

    route = app.amqp.router.route({}, "artworks.tasks.generate_artwork")
    assert route["queue"].name == "generation"


def test_generation_parameters_are_validated(user, stored_files):
    with pytest.raises(ValidationError) as info:
        generate(user, prompt="   ", width=5000, seed=-1)
    assert set(info.value.message_dict) == {"prompt", "width", "seed"}
    assert Artwork.objects.count() == 0


def test_a_provider_failure_marks_the_draft_failed_with_the_reason_and_no_files(
    user, scripted, django_capture_on_commit_callbacks, stored_files
):
    scripted.script = [ProviderError("The image service is busy. Try again later.")]
    with django_capture_on_commit_callbacks(execute=True):
        artwork = generate(user)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.FAILED
    assert artwork.generation_error == "The image service is busy. Try again later."
    assert not artwork.original
    assert stored_files() == []


def test_a_crashing_provider_is_a_failure_too(
    user, scripted, django_capture_on_commit_callbacks, stored_files
):
    scripted.script = [RuntimeError("segfault in the GPU driver")]
    with django_capture_on_commit_callbacks(execute=True):
        artwork = generate(user)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.FAILED
    assert "unexpectedly" in artwork.generation_error
    assert "GPU" not in artwork.generation_error  # internals are logged, not shown
    assert stored_files() == []


def test_an_unreadable_generated_image_is_a_failure(
    user, scripted, django_capture_on_commit_callbacks, stored_files
):
    bad = GeneratedImage(b"\x89PNG\r\n\x1a\nbroken", "image/png", "png", 1, 1, None, "m")
    scripted.script = [bad]
    with django_capture_on_commit_callbacks(execute=True):
        artwork = generate(user)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.FAILED
    assert "could not be read" in artwork.generation_error
    assert stored_files() == []


def test_a_storage_failure_while_attaching_leaves_no_file(
    user, scripted, django_capture_on_commit_callbacks, stored_files, monkeypatch
):
    scripted.script = [png_result()]

    def broken_attach(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services.generation_run, "artwork_attach_original", broken_attach)
    with django_capture_on_commit_callbacks(execute=True):
        artwork = generate(user)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.FAILED
    assert "could not be stored" in artwork.generation_error
    assert stored_files() == []


def test_retry_after_failure_runs_again_and_succeeds(
    user, other_user, scripted, django_capture_on_commit_callbacks
):
    scripted.script = [ProviderError("refused"), png_result(seed=9)]
    with django_capture_on_commit_callbacks(execute=True):
        artwork = generate(user, seed=None)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.FAILED
    with pytest.raises(PermissionDenied):
        services.artwork_retry_generation(artwork=artwork, actor=other_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_retry_generation(artwork=artwork, actor=user)
    artwork.refresh_from_db()
    assert artwork.generation_status == Artwork.GenerationStatus.DONE
    assert artwork.generation_error == ""
    assert artwork.provider == "scripted"
    assert artwork.seed == 9  # the seed the provider chose is recorded
    assert artwork.original.name == f"artworks/original/{artwork.uuid}.png"


def test_only_a_failed_generation_can_be_retried(user):
    from tests.factories import ArtworkFactory

    done = ArtworkFactory(user=user)
    with pytest.raises(ValidationError):
        services.artwork_retry_generation(artwork=done, actor=user)


def test_running_twice_is_harmless(user, scripted, django_capture_on_commit_callbacks):
    scripted.script = [png_result()]
    with django_capture_on_commit_callbacks(execute=True):
        artwork = generate(user)
    artwork.refresh_from_db()
    original = artwork.original.name
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_run_generation(artwork_id=artwork.pk)
    artwork.refresh_from_db()
    assert artwork.original.name == original
    assert len(scripted.seen) == 1  # the provider was not called again


def test_a_draft_deleted_before_its_generation_runs_is_skipped(user, scripted, stored_files):
    artwork = generate(user)  # callbacks not run
    services.artwork_delete(artwork=artwork, actor=user)
    assert services.artwork_run_generation(artwork_id=artwork.pk) is None
    assert scripted.seen == []
    assert stored_files() == []


def test_the_reference_image_reaches_the_provider_and_is_removed_after_success(
    user, scripted, django_capture_on_commit_callbacks, stored_files
):
    scripted.script = [png_result()]
    reference = SimpleUploadedFile("ref.jpg", image_bytes("JPEG", size=(30, 20)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        artwork = generate(user, reference_image=reference)
    assert f"artworks/reference/{artwork.uuid}.png" in stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    sent = scripted.seen[0].reference_image
    assert sent.startswith(b"\x89PNG")
    assert f"artworks/reference/{artwork.uuid}.png" not in stored_files()


def test_a_16_bit_greyscale_reference_image_reaches_the_provider_in_its_tones(
    user, scripted, django_capture_on_commit_callbacks
):
    # Dark grey on the left, light grey on the right: clipped to 8 bits, both were white.
    row = b"\x00\x20" * 40 + b"\x00\xc0" * 40
    buf = io.BytesIO()
    Image.frombytes("I;16", (80, 20), row * 20).save(buf, "PNG")
    scripted.script = [png_result()]
    with django_capture_on_commit_callbacks(execute=True):
        generate(user, reference_image=SimpleUploadedFile("scan.png", buf.getvalue()))
    sent = Image.open(io.BytesIO(scripted.seen[0].reference_image)).convert("L")
    assert 20 < sent.getpixel((10, 10)) < 45 and 180 < sent.getpixel((70, 10)) < 205


def test_the_reference_image_is_deleted_with_a_failed_draft(
    user, scripted, django_capture_on_commit_callbacks, stored_files
):
    scripted.script = [ProviderError("no")]
    reference = SimpleUploadedFile("ref.png", image_bytes("PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        artwork = generate(user, reference_image=reference)
    assert stored_files() == [f"artworks/reference/{artwork.uuid}.png"]  # kept for a retry
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_delete(artwork=artwork, actor=user)
    assert stored_files() == []


def test_without_a_broker_the_generation_runs_beside_the_request(
    user, settings, scripted, transactional_db
):
    """The embedded default: the create request returns with the queued draft while a
    background thread generates."""
    import threading

    settings.GENERATION_IN_BACKGROUND_THREAD = True
    gate = threading.Event()

    class SlowProvider(RecordingProvider):
        def generate(self, request):
            gate.wait(10)
            return png_result()

    register_provider("scripted", SlowProvider)
    try:
        artwork = generate(user)
        artwork.refresh_from_db()
        assert artwork.generation_status in {"queued", "running"}  # returned before it finished
        gate.set()
        for _ in range(100):
            artwork.refresh_from_db()
            if artwork.generation_status == "done":
                break
            threading.Event().wait(0.05)
        assert artwork.generation_status == "done"
        assert default_storage.exists(artwork.original.name)
    finally:
        gate.set()
        register_provider("scripted", RecordingProvider)


def test_a_hidden_prompt_does_not_become_the_title(user):
    artwork = generate(user, prompt="my secret recipe", prompt_hidden=True)
    assert artwork.title == "Untitled"
    assert "secret" not in artwork.slug
    shown = generate(user, prompt="an open recipe")
    assert shown.title == "an open recipe"


def test_a_failure_is_stored_in_english_and_shown_in_the_readers_language(
    user, scripted, django_capture_on_commit_callbacks, client
):
    from django.utils import translation

    scripted.script = [RuntimeError("driver crash")]
    # The generation runs in whatever language the request that queued it had.
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        artwork = generate(user)
    artwork.refresh_from_db()
    assert artwork.generation_error == "The generation failed unexpectedly. Try again."

    client.force_login(user)
    page = client.get(artwork.get_absolute_url() + "?lang=zh-hans").content.decode()
    assert "生成意外失败，请重试。" in page
    assert "failed unexpectedly" not in page
    english = client.get(artwork.get_absolute_url() + "?lang=en").content.decode()
    assert "The generation failed unexpectedly. Try again." in english
    api = client.get(f"/api/artworks/{artwork.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert api.json()["generation_error"] == "生成意外失败，请重试。"
