"""The built-in offline generator: an offline stand-in for a real image model.

It paints a procedural scene (sky gradient, a glowing sun or moon, stars, layered ridges,
waves, bokeh or aurora bands) whose palette, composition and details all come from a hash of
the prompt and seed. Same prompt + seed → the same pixels; different prompts → visibly
different pictures. It needs no network and no model weights, so a fresh install can create
art at once. Words in the prompt steer the palette (sunset, ocean, forest, night, neon, snow,
desert, fire, and their Chinese equivalents).
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import re

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from .base import GeneratedImage, GenerationRequest

MODEL_NAME = "procedural-v1"
MIN_SIDE, MAX_SIDE = 64, 2048

RGB = tuple[int, int, int]

# Each palette: sky top, sky middle, horizon, far ridge, near ridge, light.
PALETTES: dict[str, tuple[RGB, RGB, RGB, RGB, RGB, RGB]] = {
    "sunset": (
        (44, 26, 78),
        (214, 88, 92),
        (255, 183, 107),
        (140, 70, 110),
        (40, 20, 50),
        (255, 236, 179),
    ),
    "ocean": (
        (6, 40, 84),
        (30, 110, 160),
        (140, 210, 230),
        (40, 100, 140),
        (8, 40, 70),
        (235, 250, 255),
    ),
    "forest": (
        (28, 64, 52),
        (96, 150, 110),
        (214, 226, 170),
        (60, 110, 80),
        (16, 44, 30),
        (255, 246, 200),
    ),
    "night": ((4, 6, 24), (22, 30, 78), (70, 70, 140), (34, 36, 80), (8, 8, 26), (236, 236, 255)),
    "neon": (
        (18, 4, 40),
        (120, 20, 140),
        (255, 60, 160),
        (60, 20, 110),
        (10, 0, 30),
        (80, 255, 240),
    ),
    "snow": (
        (120, 160, 210),
        (200, 220, 240),
        (250, 250, 255),
        (160, 180, 210),
        (90, 110, 150),
        (255, 255, 240),
    ),
    "desert": (
        (90, 130, 190),
        (240, 180, 120),
        (255, 225, 170),
        (200, 120, 70),
        (120, 60, 40),
        (255, 250, 220),
    ),
    "fire": ((30, 6, 6), (160, 30, 10), (255, 140, 30), (110, 30, 20), (30, 8, 8), (255, 230, 120)),
    "lavender": (
        (60, 50, 120),
        (160, 130, 200),
        (240, 200, 220),
        (120, 100, 160),
        (50, 40, 90),
        (255, 240, 250),
    ),
    "mint": (
        (20, 80, 90),
        (80, 180, 170),
        (220, 250, 220),
        (60, 140, 130),
        (20, 60, 60),
        (255, 255, 230),
    ),
    "gold": (
        (60, 40, 20),
        (190, 130, 50),
        (250, 220, 140),
        (140, 90, 40),
        (50, 30, 15),
        (255, 250, 210),
    ),
    "dusk": (
        (30, 40, 70),
        (110, 90, 130),
        (240, 160, 140),
        (80, 70, 100),
        (25, 25, 45),
        (255, 220, 200),
    ),
}

KEYWORDS: dict[str, tuple[str, ...]] = {
    "sunset": ("sunset", "sunrise", "dawn", "evening", "日落", "黄昏", "夕阳", "晚霞", "日出"),
    "ocean": ("ocean", "sea", "wave", "water", "beach", "lake", "海", "浪", "湖", "水"),
    "forest": ("forest", "tree", "jungle", "green", "garden", "森林", "树", "绿", "花园", "竹"),
    "night": (
        "night",
        "star",
        "galaxy",
        "moon",
        "space",
        "cosmic",
        "夜",
        "星",
        "月",
        "宇宙",
        "银河",
    ),
    "neon": ("neon", "cyberpunk", "city", "synth", "霓虹", "赛博", "城市"),
    "snow": ("snow", "winter", "ice", "frost", "arctic", "雪", "冬", "冰"),
    "desert": ("desert", "dune", "sand", "canyon", "沙漠", "沙丘", "峡谷"),
    "fire": ("fire", "lava", "volcano", "dragon", "flame", "火", "熔岩", "火山", "龙"),
}

STYLES = ("ridges", "waves", "bokeh", "aurora")


def _rng_for(prompt: str, negative: str, seed: int) -> random.Random:
    digest = hashlib.sha256(f"{prompt.strip().lower()}\x00{negative}\x00{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def _mentions(text: str, word: str) -> bool:
    # Latin words must stand alone ("tree" is not in "street"); Chinese has no spaces.
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}", text) is not None
    return word in text


def _pick_palette(prompt: str, rng: random.Random) -> tuple[RGB, ...]:
    text = prompt.lower()
    for name, words in KEYWORDS.items():
        if any(_mentions(text, word) for word in words):
            return PALETTES[name]
    return PALETTES[rng.choice(sorted(PALETTES))]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _jitter(color: RGB, rng: random.Random, amount: int = 18) -> RGB:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in color)  # type: ignore[return-value]


def _sky(size: tuple[int, int], top: RGB, mid: RGB, bottom: RGB) -> Image.Image:
    ramp = Image.linear_gradient("L").resize((1, 256))
    column = ImageOps.colorize(ramp, black=top, white=bottom, mid=mid)
    return column.resize(size, Image.Resampling.BICUBIC)


def _glow(canvas: Image.Image, center: tuple[float, float], radius: float, color: RGB) -> None:
    w, h = canvas.size
    layer = Image.new("RGB", (w, h), color)
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    cx, cy = center
    draw.ellipse((cx - radius * 3, cy - radius * 3, cx + radius * 3, cy + radius * 3), fill=70)
    mask = mask.filter(ImageFilter.GaussianBlur(radius * 1.6))
    ImageDraw.Draw(mask).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=255)
    canvas.paste(layer, (0, 0), mask.filter(ImageFilter.GaussianBlur(max(1, radius * 0.08))))


def _stars(canvas: Image.Image, rng: random.Random, count: int, limit_y: float) -> None:
    draw = ImageDraw.Draw(canvas)
    w, _ = canvas.size
    for _i in range(count):
        x, y = rng.uniform(0, w), rng.uniform(0, limit_y)
        r = rng.choice((0.6, 0.8, 1.0, 1.4))
        shade = rng.randint(180, 255)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(shade, shade, min(255, shade + 10)))


def _ridge_points(
    rng: random.Random, w: int, h: int, base: float, amp: float
) -> list[tuple[float, float]]:
    waves = [
        (rng.uniform(0.5, 3.5), rng.uniform(0, math.tau), rng.uniform(0.3, 1.0)) for _ in range(4)
    ]
    sharp = rng.uniform(0.0, 0.6)
    points = []
    steps = 160
    for i in range(steps + 1):
        x = w * i / steps
        t = i / steps
        y = sum(a * math.sin(math.tau * f * t + p) for f, p, a in waves) / 2.0
        y += sharp * (abs(math.sin(math.tau * waves[0][0] * 2.3 * t + waves[1][1])) - 0.5)
        points.append((x, base - y * amp))
    return [*points, (w, h), (0, h)]


def _ridges(canvas: Image.Image, rng: random.Random, pal: tuple[RGB, ...], horizon: float) -> None:
    w, h = canvas.size
    layers = rng.randint(3, 5)
    for i in range(layers):
        t = i / max(1, layers - 1)
        color = _mix(_mix(pal[2], pal[3], 0.55), pal[4], t)
        layer = Image.new("L", (w, h), 0)
        base = horizon + (h - horizon) * (0.05 + 0.22 * t)
        amp = h * rng.uniform(0.06, 0.16) * (1.2 - 0.5 * t)
        ImageDraw.Draw(layer).polygon(_ridge_points(rng, w, h, base, amp), fill=255)
        blur = (1 - t) * w / 400
        if blur > 0.3:
            layer = layer.filter(ImageFilter.GaussianBlur(blur))
        canvas.paste(Image.new("RGB", (w, h), color), (0, 0), layer)


def _waves(canvas: Image.Image, rng: random.Random, pal: tuple[RGB, ...], horizon: float) -> None:
    w, h = canvas.size
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, horizon, w, h), fill=_mix(pal[2], pal[3], 0.5))
    rows = rng.randint(9, 15)
    for i in range(rows):
        t = (i + 1) / rows
        y0 = horizon + (h - horizon) * t**1.6
        amp = 2 + 24 * t * rng.uniform(0.6, 1.3)
        freq = rng.uniform(2, 6) / (0.4 + t)
        phase = rng.uniform(0, math.tau)
        pts = [
            (x, y0 + amp * math.sin(freq * math.tau * x / w + phase)) for x in range(0, w + 8, 8)
        ]
        color = _mix(_mix(pal[2], pal[3], 0.5), pal[4], t)
        draw.polygon([*pts, (w, h), (0, h)], fill=color)
        draw.line(pts, fill=_mix(color, pal[5], 0.35), width=max(1, round(w / 500)))


def _bokeh(canvas: Image.Image, rng: random.Random, pal: tuple[RGB, ...]) -> None:
    w, h = canvas.size
    for depth, blur in ((0, w / 60), (1, w / 160), (2, 0)):
        layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for _i in range(rng.randint(10, 22)):
            r = rng.uniform(w / 60, w / (9 + depth * 6))
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            color = _jitter(rng.choice(pal[1:]), rng, 30)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(*color, rng.randint(50, 140)))
        if blur:
            layer = layer.filter(ImageFilter.GaussianBlur(blur))
        canvas.paste(layer, (0, 0), layer)


def _aurora(canvas: Image.Image, rng: random.Random, pal: tuple[RGB, ...]) -> None:
    w, h = canvas.size
    for _band in range(rng.randint(3, 5)):
        layer = Image.new("L", (w, h), 0)
        draw = ImageDraw.Draw(layer)
        base = rng.uniform(0.15, 0.55) * h
        amp = rng.uniform(0.05, 0.15) * h
        freq = rng.uniform(0.6, 2.0)
        phase = rng.uniform(0, math.tau)
        thickness = rng.uniform(0.04, 0.12) * h
        for x in range(0, w, 3):
            y = base + amp * math.sin(math.tau * freq * x / w + phase)
            draw.line(
                (x, y, x, y + thickness * (0.6 + 0.4 * math.sin(x / w * 9 + phase))),
                fill=150,
                width=3,
            )
        layer = layer.filter(ImageFilter.GaussianBlur(w / 70))
        color = _jitter(rng.choice((pal[5], pal[2], (90, 255, 180), (140, 120, 255))), rng, 20)
        canvas.paste(Image.new("RGB", (w, h), color), (0, 0), layer)


def _vignette(canvas: Image.Image, strength: int) -> Image.Image:
    w, h = canvas.size
    mask = Image.radial_gradient("L").resize((w, h), Image.Resampling.BICUBIC)
    mask = mask.point(lambda v: max(0, min(255, (v - 110) * strength // 100)))
    return Image.composite(Image.new("RGB", (w, h), (0, 0, 0)), canvas, mask)


def render(
    prompt: str, *, width: int, height: int, seed: int, negative_prompt: str = ""
) -> Image.Image:
    """The procedural picture for (prompt, seed) at width × height, as an RGB image."""
    width = max(MIN_SIDE, min(MAX_SIDE, int(width)))
    height = max(MIN_SIDE, min(MAX_SIDE, int(height)))
    rng = _rng_for(prompt, negative_prompt, seed)
    pal = tuple(_jitter(c, rng, 14) for c in _pick_palette(prompt, rng))
    style = rng.choice(STYLES)
    horizon = height * rng.uniform(0.48, 0.68)

    canvas = _sky((width, height), pal[0], pal[1], pal[2])
    is_dark = sum(pal[0]) < 180
    if is_dark or style == "aurora":
        _stars(canvas, rng, int(width * height / 2500), horizon)
    if style == "aurora":
        _aurora(canvas, rng, pal)
    light_r = min(width, height) * rng.uniform(0.05, 0.11)
    light_at = (rng.uniform(0.18, 0.82) * width, horizon - rng.uniform(0.08, 0.32) * height)
    if style != "bokeh":
        _glow(canvas, light_at, light_r, pal[5])
    if style in ("ridges", "aurora"):
        _ridges(canvas, rng, pal, horizon)
    elif style == "waves":
        _waves(canvas, rng, pal, horizon)
    else:
        _bokeh(canvas, rng, pal)
    return _vignette(canvas, rng.randint(35, 60))


class OfflineProvider:
    """Default provider. Deterministic; see the module docstring."""

    name = "offline"
    model = MODEL_NAME

    def generate(self, request: GenerationRequest) -> GeneratedImage:
        seed = request.seed if request.seed is not None else random.SystemRandom().randrange(2**31)
        image = render(
            request.prompt,
            width=request.width,
            height=request.height,
            seed=seed,
            negative_prompt=request.negative_prompt,
        )
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=90, optimize=True, progressive=True)
        return GeneratedImage(
            data=buf.getvalue(),
            content_type="image/jpeg",
            ext="jpg",
            width=image.width,
            height=image.height,
            seed=seed,
            model=self.model,
        )
