"""A demo community so that a newcomer sees a living site: 8 users, 60 artworks made by the
offline generator (some still drafts) with tags in both languages, likes, favorites, follows
and comments in both languages (with replies and mentions), a few collections (one of
them private), remixes (a chain of three and siblings) and an artwork edited after
publishing. Idempotent: running it
again adds nothing that is already there. (It lives in `social`, the highest app whose rows it
makes.)"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import User
from artworks import permissions, services
from artworks.models import Artwork
from artworks.provenance import AI_XMP
from artworks.providers import GenerationRequest, get_provider
from artworks.ranking import hot_score
from artworks.uploads import clean_image
from social import services as social_services
from social.models import Collection, Comment, Follow

DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 (documented demo accounts)

USERS = [
    ("lin_yue", "林月", "lin.yue@example.com"),
    ("aurora", "Aurora Vale", "aurora@example.com"),
    ("chen_hao", "陈昊", "chen.hao@example.com"),
    ("pixelmonk", "Pixel Monk", "pixelmonk@example.com"),
    ("su_qing", "苏晴", "su.qing@example.com"),
    ("nightowl", "Night Owl", "nightowl@example.com"),
    ("wang_lei", "王磊", "wang.lei@example.com"),
    ("mira", "Mira Kade", "mira@example.com"),
]

SUBJECTS = [
    ("Sunset over quiet mountains", "sunset over quiet mountains, golden light, wide angle"),
    ("星空下的湖", "星空下的湖, 银河倒影, 夜晚"),
    ("Neon rain district", "neon cyberpunk city street in the rain, reflections"),
    ("Forest morning", "misty forest at dawn, soft green light"),
    ("海边的黄昏", "海边的黄昏, 温柔的浪花, 晚霞"),
    ("Desert caravan", "desert dunes under a huge pale sun"),
    ("Winter silence", "snow covered peaks, winter silence, pastel sky"),
    ("Dragon's breath", "volcano fire and lava under a red sky, dragon"),
    ("Lavender dreams", "dreamy lavender fields, soft bokeh"),
    ("月下竹林", "月下竹林, 安静, 绿"),
    ("Ocean of glass", "calm ocean waves like glass, morning"),
    ("Aurora over the fjord", "aurora borealis night sky over the fjord, stars"),
    ("Golden hour city", "golden hour over the city, warm haze"),
    ("宇宙花园", "宇宙花园, 星云, 梦幻"),
    ("Mint coast", "mint coloured coast, gentle waves"),
]

SIZES = [(768, 768), (768, 1024), (1024, 768), (768, 960)]

# Work rated above general (seen only by members who opt in under /settings/content): title,
# prompt, rating, tags. Made after the comments and collections, which are everyone's.
RATED_SUBJECTS = [
    ("Battlefield at dusk", "ruined battlefield at dusk, smoke, fallen armour", "mature", ["war"]),
    ("Anatomy study", "classical figure drawing, charcoal, life study", "mature", ["figure"]),
    ("The last bite", "horror still life, dark red, unsettling", "mature", ["horror"]),
    ("Velvet night", "sensual boudoir scene, velvet, candle light", "explicit", ["boudoir"]),
]
# The demo member who opted in to see them (blurred until they choose to show each).
OPTED_IN = "nightowl"

# The tags of each subject, by its place in SUBJECTS (both languages, as members type them).
SUBJECT_TAGS = [
    ["sunset", "mountains", "landscape"],
    ["星空", "湖", "夜景"],
    ["cyberpunk", "neon", "city", "rain"],
    ["forest", "morning", "landscape"],
    ["海边", "日落", "黄昏"],
    ["desert", "landscape"],
    ["winter", "snow", "mountains"],
    ["dragon", "fantasy", "volcano"],
    ["lavender", "flowers", "dreamy"],
    ["竹林", "月亮", "夜景"],
    ["ocean", "morning"],
    ["aurora", "night", "stars"],
    ["city", "golden-hour", "sunset"],
    ["宇宙", "星云", "梦幻"],
    ["coast", "ocean", "pastel"],
]

# What the demo members say under each other's work, each in their own language.
COMMENTS_EN = [
    "The light here is wonderful.",
    "Love the colours — what model did you use?",
    "This would make a great wallpaper.",
    "The composition pulls me right in.",
    "So calm. Saving this one.",
]
COMMENTS_ZH = [
    "光影太美了！",
    "这个配色好舒服，用的什么模型？",
    "很有意境，收藏了。",
    "构图很棒，细节也很丰富。",
    "看着就很安静。",
]
REPLIES_EN = ["Thank you! It took a few tries.", "Thanks — glad you like it."]
REPLIES_ZH = ["谢谢！试了好几次才满意。", "谢谢喜欢～"]


class Command(BaseCommand):
    help = (
        "Create an idempotent demo community (8 users, 60 artworks, likes, favorites, follows "
        "and comments)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--artworks", type=int, default=60)

    def handle(self, *args: str, artworks: int, **options: object) -> None:
        rng = random.Random(2024)
        users = [self._user(username, name, email) for username, name, email in USERS]
        provider = get_provider("offline")
        now = timezone.now()
        created = 0
        demo_artworks: list[Artwork] = []
        for index in range(artworks):
            author = users[index % len(users)]
            title, prompt = SUBJECTS[index % len(SUBJECTS)]
            if index >= len(SUBJECTS):
                title = f"{title} #{index // len(SUBJECTS) + 1}"
            existing = Artwork.objects.filter(user=author, title=title).first()
            if existing:
                if not existing.tag_names:
                    self._tag(existing, index)
                demo_artworks.append(existing)
                continue
            artwork = _generated_draft(
                author, title, prompt, provider, size=SIZES[index % len(SIZES)], seed=1000 + index
            )
            self._tag(artwork, index)
            if index % 8 != 7:  # every eighth stays a draft
                artwork = services.artwork_publish(artwork=artwork, actor=author)
                self._backdate(artwork, now - timedelta(hours=index * 5 + rng.randint(0, 4)))
            demo_artworks.append(artwork)
            created += 1

        reactions = self._react(users, demo_artworks)
        follows = self._follow(users)
        comments = self._comment(users, demo_artworks)
        collections = _collect(users, demo_artworks)
        created += _remix_and_edit(users, demo_artworks, provider)
        created += self._rated(users, provider, now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo community ready: {len(users)} users, {created} new artworks "
                f"({Artwork.objects.count()} in all), {reactions} new reactions, "
                f"{follows} new follows, {comments} new comments, "
                f"{collections} new collections. "
                f"Sign in as any demo user, e.g. 'aurora', with password '{DEMO_PASSWORD}'."
            )
        )

    @staticmethod
    def _rated(users: list[User], provider: object, now: datetime) -> int:
        """A few mature works and one explicit, published; one member opted in to see them."""
        created = 0
        for index, (title, prompt, rating, tags) in enumerate(RATED_SUBJECTS):
            author = users[(index * 3 + 1) % len(users)]
            if Artwork.objects.filter(user=author, title=title).exists():
                continue
            artwork = _generated_draft(
                author,
                title,
                prompt,
                provider,
                size=(768, 960),
                seed=5000 + index,
                alt_text=title,
                rating=rating,
            )
            services.artwork_set_tags(artwork=artwork, actor=author, tags=tags)
            artwork = services.artwork_publish(artwork=artwork, actor=author)
            Command._backdate(artwork, now - timedelta(hours=index * 7 + 3))
            created += 1
        viewer = next(u for u in users if u.username == OPTED_IN)
        accounts_services.user_update_content_settings(
            user=viewer,
            age_confirmed=True,
            show_mature=True,
            show_explicit=True,
            blur_sensitive=True,
        )
        return created

    @staticmethod
    def _tag(artwork: Artwork, index: int) -> None:
        tags = SUBJECT_TAGS[index % len(SUBJECT_TAGS)]
        services.artwork_set_tags(artwork=artwork, actor=artwork.user, tags=tags)

    def _user(self, username: str, name: str, email: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, name=name, email=email)
            user.set_password(DEMO_PASSWORD)
            user.save()
        # Demo members sign in at once; nobody can open their (made-up) mailboxes.
        accounts_services.user_email_mark_verified(user=user)
        return user

    @staticmethod
    def _backdate(artwork: Artwork, published_at: datetime) -> None:
        # Demo data only: spread publication over the past days so Hot and New differ. The
        # change is announced like any other, so caches and the Redis index follow it.
        with transaction.atomic():
            services.announce_artwork_changed(artwork=artwork)
            Artwork.objects.filter(pk=artwork.pk).update(
                published_at=published_at,
                created_at=published_at - timedelta(minutes=30),
                hot_score=hot_score(
                    like_count=artwork.like_count,
                    favorite_count=artwork.favorite_count,
                    published_at=published_at,
                ),
            )

    @staticmethod
    def _react(users: list[User], artworks: list[Artwork]) -> int:
        count = 0
        for artwork in artworks:
            if artwork.status != Artwork.Status.PUBLISHED:
                continue
            # One generator per artwork: the same reactions on every run.
            rng = random.Random(f"reactions:{artwork.title}")
            popularity = rng.random()
            for user in users:
                if user.pk == artwork.user_id:
                    continue
                liked = rng.random() < popularity * 0.9
                favorited = rng.random() < popularity * 0.35
                if liked and not artwork.likes.filter(user=user).exists():
                    services.artwork_like(artwork_id=artwork.pk, user=user)
                    count += 1
                if favorited and not artwork.favorites.filter(user=user).exists():
                    services.artwork_favorite(artwork_id=artwork.pk, user=user)
                    count += 1
        return count

    @staticmethod
    def _follow(users: list[User]) -> int:
        """Each member follows a few others (the same ones on every run), so that every
        following feed has something in it and every profile has followers."""
        count = 0
        for user in users:
            rng = random.Random(f"follows:{user.username}")
            others = [other for other in users if other.pk != user.pk]
            for followee in rng.sample(others, k=rng.randint(2, 5)):
                if not Follow.objects.filter(follower=user, followee=followee).exists():
                    social_services.user_follow(follower=user, followee=followee)
                    count += 1
        return count

    @staticmethod
    def _comment(users: list[User], artworks: list[Artwork]) -> int:
        """Comments under two artworks in three, each in its commenter's language, some with
        a mention, and the author's reply under the first (the same ones on every run)."""
        count = 0
        for artwork in artworks:
            rng = random.Random(f"comments:{artwork.title}")
            if artwork.status != Artwork.Status.PUBLISHED or rng.random() < 1 / 3:
                continue
            others = [user for user in users if user.pk != artwork.user_id]
            first = None
            for commenter in rng.sample(others, k=rng.randint(1, 3)):
                body = rng.choice(COMMENTS_ZH if _speaks_chinese(commenter) else COMMENTS_EN)
                if rng.random() < 0.25:
                    body = f"@{rng.choice(others).username} {body}"
                comment, made = _comment_once(commenter, artwork, body)
                first, count = first or comment, count + made
            if first is not None and rng.random() < 0.6:
                author = next(user for user in users if user.pk == artwork.user_id)
                replies = REPLIES_ZH if _speaks_chinese(author) else REPLIES_EN
                _reply, made = _comment_once(author, artwork, rng.choice(replies), parent=first)
                count += made
        return count


# (member, name, description, public, how many artworks): a few members' collections, in
# their language.
COLLECTIONS = [
    ("aurora", "Golden hours", "Warm light at the edges of the day.", True, 6),
    ("aurora", "Studies to revisit", "Work I want to learn from.", False, 4),
    ("lin_yue", "夜色", "星空、月光与安静的夜晚。", True, 5),
    ("pixelmonk", "Cities and neon", "", True, 4),
    ("su_qing", "海与风", "关于大海的作品。", True, 3),
]


def _collect(users: list[User], artworks: list[Artwork]) -> int:
    """The collections of COLLECTIONS, each with public work of other members (the same on
    every run); one found by its name is left as it is."""
    by_name = {user.username: user for user in users}
    public = [a for a in artworks if a.status == Artwork.Status.PUBLISHED]
    count = 0
    for username, name, description, is_public, size in COLLECTIONS:
        owner = by_name[username]
        if Collection.objects.filter(owner=owner, name=name).exists():
            continue
        collection = social_services.collection_create(
            owner=owner, name=name, description=description, is_public=is_public
        )
        count += 1
        rng = random.Random(f"collection:{username}:{name}")
        candidates = [a for a in public if a.user_id != owner.pk]
        for artwork in rng.sample(candidates, k=min(size, len(candidates))):
            social_services.collection_item_add(
                actor=owner, collection=collection, artwork_id=artwork.pk
            )
    return count


def _speaks_chinese(user: User) -> bool:
    return not user.name.isascii()


def _comment_once(
    author: User, artwork: Artwork, body: str, parent: Comment | None = None
) -> tuple[Comment, int]:
    """The author's comment with this body under the artwork: found, or made (1)."""
    existing = Comment.objects.filter(author=author, artwork=artwork, body=body).first()
    if existing is not None:
        return existing, 0
    made = social_services.comment_create(
        author=author,
        artwork_id=artwork.pk,
        body=body,
        parent_id=parent.pk if parent is not None else None,
    )
    return made, 1


# (index of the parent among the demo artworks, or "previous" for the remix made just
# before, remixer, title, what the prompt gains): a chain of three and two siblings.
REMIXES = [
    (0, "chen_hao", "Sunset over quiet mountains, in winter", ", deep snow, blue hour"),
    ("previous", "mira", "Winter mountains under the aurora", ", green aurora overhead"),
    ("previous", "lin_yue", "极光下的雪山小屋", ", a small cabin with warm windows"),
    (0, "nightowl", "Sunset over quiet mountains, in watercolour", ", loose watercolour"),
    (0, "su_qing", "山间日落（水墨）", ", ink wash painting"),
]


def _remix(users: list[User], artworks: list[Artwork], provider: object) -> int:
    """The remixes of REMIXES, published, each recording its parent (found by title on a
    later run). Made as the create form's remixes are, after asking the same rule."""
    by_name = {user.username: user for user in users}
    made, previous = 0, None
    for index, (source, username, title, addition) in enumerate(REMIXES):
        parent = previous if source == "previous" else artworks[source]
        author = by_name[username]
        existing = Artwork.objects.filter(user=author, title=title).first()
        if existing is not None or parent is None:
            previous = existing
            continue
        if not permissions.can_remix_artwork(actor=author, artwork=parent):
            previous = None
            continue
        prompt = parent.prompt + addition
        width, height = (int(side) for side in parent.size.split("x"))
        remix = _generated_draft(
            author,
            title,
            prompt,
            provider,
            size=(width, height),
            seed=5000 + index,
            negative_prompt=parent.negative_prompt,
            remix_of=parent,
        )
        services.artwork_set_tags(artwork=remix, actor=author, tags=parent.tag_names)
        previous = services.artwork_publish(artwork=remix, actor=author)
        made += 1
    return made


def _remix_and_edit(users: list[User], artworks: list[Artwork], provider: object) -> int:
    made = _remix(users, artworks, provider)
    _edit_once(artworks)
    return made


def _edit_once(artworks: list[Artwork]) -> None:
    """The first published demo artwork gets a longer description from its author after
    publishing, so its page says "edited"."""
    artwork = next(a for a in artworks if a.status == Artwork.Status.PUBLISHED)
    if Artwork.objects.filter(pk=artwork.pk, edited_at__isnull=False).exists():
        return
    services.artwork_edit(
        artwork=artwork,
        actor=artwork.user,
        changes={"description": "Painted at the end of a long walk; edited to add this note."},
    )


def _generated_draft(
    author: User,
    title: str,
    prompt: str,
    provider: object,
    *,
    size: tuple[int, int],
    seed: int,
    **fields: object,
) -> Artwork:
    """A demo draft with a picture from the offline provider, labelled as made with AI in
    its file too (XMP). `fields`: what else the draft is created with (rating, remix_of, …)."""
    width, height = size
    image = provider.generate(
        GenerationRequest(prompt=prompt, width=width, height=height, seed=seed)
    )
    cleaned = clean_image(image.data, xmp=AI_XMP)
    return services.artwork_create_draft(
        author=author,
        title=title,
        source=Artwork.Source.GENERATED,
        content=cleaned.data,
        ext=cleaned.ext,
        content_type=cleaned.content_type,
        width=cleaned.width,
        height=cleaned.height,
        prompt=prompt,
        provider=provider.name,
        model=image.model,
        seed=image.seed,
        size=f"{width}x{height}",
        alt_text=fields.pop("alt_text", prompt),
        generation_status=Artwork.GenerationStatus.DONE,
        **fields,
    )
