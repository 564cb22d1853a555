import io
import random

import pytest
from PIL import Image, ImageChops, ImageStat

from artworks.providers import GenerationRequest, get_provider
from artworks.providers.offline import render


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def test_the_default_provider_is_the_offline_generator(settings):
    settings.AI_PROVIDER = "offline"
    assert get_provider().name == "offline"


def test_same_prompt_and_seed_give_the_same_image():
    provider = get_provider("offline")
    request = GenerationRequest(prompt="a lighthouse at dusk", width=256, height=192, seed=42)
    first, second = provider.generate(request), provider.generate(request)
    assert first.data == second.data
    assert first.seed == 42


def test_different_prompts_give_visibly_different_images():
    prompts = ["sunset over mountains", "深夜的星空", "neon city in the rain", "snowy peaks"]
    images = [render(p, width=160, height=160, seed=1) for p in prompts]
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            assert mean_difference(images[i], images[j]) > 8, (prompts[i], prompts[j])


def test_different_seeds_give_different_images():
    a = render("a quiet forest", width=160, height=160, seed=1)
    b = render("a quiet forest", width=160, height=160, seed=2)
    assert mean_difference(a, b) > 4


@pytest.mark.parametrize("size", [(512, 512), (640, 360), (300, 700)])
def test_a_valid_image_of_the_requested_size(size):
    result = get_provider("offline").generate(
        GenerationRequest(prompt="ocean waves", width=size[0], height=size[1], seed=7)
    )
    image = decode(result.data)
    assert image.format == "JPEG"
    assert image.size == size == (result.width, result.height)
    assert result.content_type == "image/jpeg" and result.ext == "jpg"
    # not a flat colour: a real picture has spread in every channel
    assert all(stddev > 10 for stddev in ImageStat.Stat(image).stddev)


def test_a_missing_seed_is_chosen_and_reported():
    result = get_provider("offline").generate(GenerationRequest(prompt="x", width=64, height=64))
    assert isinstance(result.seed, int)
    again = get_provider("offline").generate(
        GenerationRequest(prompt="x", width=64, height=64, seed=result.seed)
    )
    assert again.data == result.data


def test_unknown_provider_is_a_clear_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="Unknown AI_PROVIDER"):
        get_provider("dall-e-42")


def test_palette_words_match_whole_words_only():
    from artworks.providers.offline import PALETTES, _pick_palette

    rng = random.Random(0)
    assert _pick_palette("neon street at night", rng) == PALETTES["night"]  # not "tree"
    assert _pick_palette("a tall tree", rng) == PALETTES["forest"]
    assert _pick_palette("雪山", rng) == PALETTES["snow"]
