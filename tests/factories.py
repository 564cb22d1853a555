from __future__ import annotations

import functools
import io

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone
from PIL import Image

from accounts.models import User
from artworks import storage_keys
from artworks.models import Artwork, Favorite, Like
from artworks.ranking import hot_score


@functools.cache
def tiny_jpeg(width: int = 64, height: int = 48, color=(200, 80, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG", quality=80)
    return buf.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def email_verified(obj, create, extracted, **kwargs):
        # Members have confirmed their address (sign-in requires it); pass
        # email_verified=False for one who has not.
        if create and extracted is not False:
            from accounts.services import user_email_mark_verified

            user_email_mark_verified(user=obj)


class ArtworkFactory(factory.django.DjangoModelFactory):
    """A draft with a real (tiny) original in storage."""

    class Meta:
        model = Artwork

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Artwork {n}")
    slug = factory.LazyAttribute(lambda o: Artwork.slug_for(o.title))
    source = Artwork.Source.GENERATED
    kind = Artwork.Kind.IMAGE
    prompt = factory.Faker("sentence")
    width = 64
    height = 48
    content_type = "image/jpeg"
    generation_status = Artwork.GenerationStatus.DONE

    @classmethod
    def _create(cls, model_class, *args, with_file: bool = True, **kwargs):
        artwork = model_class(*args, **kwargs)
        if with_file and not artwork.original:
            data = tiny_jpeg()
            key = storage_keys.original_key(artwork.uuid, "jpg")
            artwork.original.name = default_storage.save(key, ContentFile(data))
            artwork.file_size = len(data)
        artwork.save()
        return artwork


class PublishedArtworkFactory(ArtworkFactory):
    status = Artwork.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    hot_score = factory.LazyAttribute(
        lambda o: hot_score(like_count=0, favorite_count=0, published_at=o.published_at)
    )


class _ReactionFactory(factory.django.DjangoModelFactory):
    """A reaction row, counted on its artwork as the reaction services count it (the counter
    moves by one with each row); the artwork instance given keeps its old counts."""

    class Meta:
        abstract = True

    user = factory.SubFactory(UserFactory)
    artwork = factory.SubFactory(PublishedArtworkFactory)

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> object:
        reaction = super()._create(model_class, *args, **kwargs)
        counter = "like_count" if model_class is Like else "favorite_count"
        Artwork.objects.filter(pk=reaction.artwork_id).update(**{counter: F(counter) + 1})
        return reaction


class LikeFactory(_ReactionFactory):
    class Meta:
        model = Like


class FavoriteFactory(_ReactionFactory):
    class Meta:
        model = Favorite


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "moderation.Report"

    reporter = factory.SubFactory(UserFactory)
    artwork = factory.SubFactory(PublishedArtworkFactory)
    reason = "spam"
    details = ""


def make_moderator(*, extra_perms: tuple[str, ...] = (), **kwargs) -> User:
    """A staff member in the "Moderators" group (created by a data migration), optionally
    granted more permissions ("app_label.codename")."""
    from django.contrib.auth.models import Group

    moderator = UserFactory(is_staff=True, **kwargs)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    grant_perms(moderator, *extra_perms)
    return moderator


def grant_perms(user: User, *perms: str) -> None:
    """Give `user` model permissions ("app_label.codename") directly."""
    from django.contrib.auth.models import Permission

    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # has_perm caches a user's permissions on the object.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
