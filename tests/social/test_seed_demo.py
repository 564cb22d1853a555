import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import User
from artworks.models import Artwork, Favorite, Like, Tag
from artworks.selectors import artworks_public
from notifications.models import Notification
from social.models import Collection, CollectionItem, Comment, Follow

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Artwork.objects.count(),
        Like.objects.count(),
        Favorite.objects.count(),
        Follow.objects.count(),
        Comment.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.once
def test_seed_demo_builds_a_living_community_and_is_idempotent(
    stored_files, django_capture_on_commit_callbacks, small_demo_pictures
):
    # As on the site: what each write sets off after its commit (notifications) runs.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    users, artworks, likes, favorites, follows, comments, notifications = counts()
    assert users >= 8
    assert artworks >= 60
    assert likes > 0 and favorites > 0
    # every member follows someone and is followed; the counters agree with the rows
    for member in User.objects.all():
        assert member.following_count == Follow.objects.filter(follower=member).count() >= 2
        assert member.follower_count == Follow.objects.filter(followee=member).count()
    assert User.objects.filter(follower_count__gt=0).count() >= 6
    assert Artwork.objects.filter(status="draft").exists()
    assert Artwork.objects.filter(status="published").count() >= 50
    published = Artwork.objects.filter(status="published")
    assert published.values("published_at").distinct().count() > 1  # spread over time
    # every artwork has a real original in storage
    assert all(a.original and a.width and a.height for a in Artwork.objects.all())
    assert sum(1 for f in stored_files() if f.startswith("artworks/original/")) == artworks
    # counters agree with the rows
    for artwork in published:
        assert artwork.like_count == artwork.likes.count()
        assert artwork.favorite_count == artwork.favorites.count()

    # Comments in both languages, with replies and mentions, on published work only; the
    # counts agree with the rows.
    assert comments >= 40
    bodies = list(Comment.objects.values_list("body", flat=True))
    assert any(body.isascii() for body in bodies)
    assert any(not body.isascii() for body in bodies)
    assert any(body.startswith("@") for body in bodies)
    assert Comment.objects.filter(parent__isnull=False).count() >= 10
    assert not Comment.objects.exclude(artwork__status="published").exists()

    # A few members' collections, one of them private, filled with public work; the counts
    # agree with the rows.
    assert Collection.objects.values("owner").distinct().count() >= 3
    assert Collection.objects.filter(is_public=False).count() == 1
    for collection in Collection.objects.all():
        assert collection.item_count == collection.items.count() > 0
    assert not CollectionItem.objects.exclude(artwork__status="published").exists()
    for artwork in published:
        assert artwork.comment_count == artwork.comments.count()

    # Every member hears back: follows, likes, favorites, comments, replies and mentions made
    # notifications, after commit, as they do on the live site.
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"follow", "like", "favorite", "comment", "reply", "mention"} <= kinds
    assert all(Notification.objects.filter(recipient=m).exists() for m in User.objects.all())

    # Every artwork has tags, in both languages; the tag pages have public work.
    assert all(a.tag_names for a in Artwork.objects.all())
    assert Tag.objects.filter(name="sunset").exists() and Tag.objects.filter(name="日落").exists()
    assert artworks_public().filter(tag_rows__tag__name="landscape").count() >= 3

    # Remixes: a chain of three below one artwork, and siblings beside it; one artwork was
    # edited after publishing.
    remixes = Artwork.objects.filter(remix_of__isnull=False, status="published")
    assert remixes.count() >= 5
    assert remixes.filter(remix_of__remix_of__remix_of__isnull=False).exists()
    assert remixes.values("remix_of").annotate(n=Count("pk")).filter(n__gte=3).exists()
    assert Artwork.objects.filter(status="published", edited_at__isnull=False).count() == 1

    # A few mature works and one explicit, published: only the opted-in member sees them.
    rated = published.exclude(rating="general")
    assert rated.filter(rating="mature").count() >= 3
    assert rated.filter(rating="explicit").count() == 1
    assert not artworks_public().exclude(rating="general").exists()
    opted_in = User.objects.get(username="nightowl")
    assert opted_in.age_confirmed_at is not None and opted_in.show_explicit
    assert artworks_public(viewer=opted_in).filter(rating="explicit").count() == 1

    # Demo members sign in at once: their addresses count as confirmed.
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.filter(verified=True, primary=True).count() == users

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    assert counts() == (users, artworks, likes, favorites, follows, comments, notifications)
    assert EmailAddress.objects.count() == users
