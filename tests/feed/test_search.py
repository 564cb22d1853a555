"""Search (feed.search): what it finds, in English and Chinese, what it never finds, and that
its documents follow every change. Runs on the database of the run: SQLite (FTS5) in the
first CI pass, PostgreSQL (full-text search) in the second."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts import services as accounts_services
from artworks import services
from artworks.models import Artwork
from feed.models import ArtworkSearch
from feed.search import search_page
from feed.search_text import search_query_parse
from feed.selectors import InvalidCursor
from feed.services import search_rebuild
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

SECRET = "zanzibarquokka"


def titles(page) -> list[str]:
    return [a.title for a in page.items]


def find(q: str, **kwargs) -> list[str]:
    return titles(search_page(q=q, **kwargs))


@pytest.fixture
def world():
    """Public work in both languages, and work that must never be found."""
    # Names no generated member has (the factory's are random: "Alice …" is one of them).
    alice = UserFactory(username="zephyrine_paints", name="Zephyrine Quillwonder")
    made = {
        "sunset": PublishedArtworkFactory(
            user=alice, title="Sunset over the sea", prompt="warm light", hot_score=5.0
        ),
        "cat": PublishedArtworkFactory(
            title="一只猫", prompt="一只猫在日落时分的屋顶上", description="", hot_score=3.0
        ),
        "beach": PublishedArtworkFactory(
            title="海边日落", prompt="calm water", tag_names=["watercolour", "海"], hot_score=1.0
        ),
        "described": PublishedArtworkFactory(
            title="Evening", description="many sunsets at once", prompt="", hot_score=9.0
        ),
        "secret": PublishedArtworkFactory(
            title="Quiet room", prompt=f"a {SECRET} in a quiet room", prompt_hidden=True
        ),
        "draft": ArtworkFactory(title="Sunset draft", prompt="日落 sunset"),
        "hidden": PublishedArtworkFactory(
            title="Sunset hidden", moderation=Artwork.Moderation.HIDDEN
        ),
        "suspended": PublishedArtworkFactory(
            title="Sunset by a suspended member", user=UserFactory(is_active=False)
        ),
    }
    search_rebuild()
    return made


def test_english_stems_and_prefixes_match(world):
    assert "Sunset over the sea" in find("sunsets")
    assert "Sunset over the sea" in find("SUNSET")
    assert "Sunset over the sea" in find("suns")  # a prefix of the word
    assert find("many sunsets") == ["Evening"]  # every word must match


def test_title_matches_rank_above_description_matches_then_hot_score(world):
    # "Evening" is hotter, but matches in its description only.
    assert find("sunset") == ["Sunset over the sea", "Evening"]


def test_chinese_is_found_by_bigrams_and_single_characters(world):
    assert set(find("日落")) == {"一只猫", "海边日落"}  # in a prompt, in a title
    assert find("猫") == ["一只猫"]
    assert find("日落时分") == ["一只猫"]
    assert find("海边") == ["海边日落"]


def test_tags_match(world):
    assert find("watercolour") == ["海边日落"]
    assert find("海") == ["海边日落"]


def test_drafts_hidden_work_and_suspended_members_work_are_never_found(world):
    staff = make_moderator()
    for viewer in (None, world["draft"].user, staff):
        found = find("sunset", viewer=viewer)
        assert found == ["Sunset over the sea", "Evening"]


def test_a_hidden_prompt_is_never_searchable(world):
    assert find(SECRET) == []
    assert find(SECRET, viewer=world["secret"].user) == []
    assert find(SECRET, kind="users") == []
    assert find("quiet") == ["Quiet room"]  # the title is public
    document = ArtworkSearch.objects.get(artwork=world["secret"])
    assert SECRET not in f"{document.title} {document.tags} {document.body}"


def test_hiding_a_prompt_takes_it_out_of_search_at_once(world, django_capture_on_commit_callbacks):
    artwork = world["sunset"]
    assert find("warm") == ["Sunset over the sea"]
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_edit(artwork=artwork, actor=artwork.user, changes={"prompt_hidden": True})
    assert find("warm") == []
    assert "Sunset over the sea" in find("sunset")  # its title still is


def test_a_document_written_before_the_prompt_was_hidden_is_left_out(world):
    # The document is rewritten after commit; until then the stale row must not match.
    Artwork.objects.filter(pk=world["sunset"].pk).update(prompt_hidden=True)
    assert "Sunset over the sea" not in find("warm")
    assert "Sunset over the sea" not in find("sunset")


def test_documents_follow_edits_tags_publication_and_deletion(
    django_capture_on_commit_callbacks,
):
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        artwork = services.artwork_create_draft(
            author=author, title="Lighthouse", source="uploaded", prompt="stormy"
        )
    Artwork.objects.filter(pk=artwork.pk).update(
        original="artworks/original/x.jpg", thumb_status="ready"
    )
    assert find("lighthouse") == []  # a draft
    with django_capture_on_commit_callbacks(execute=True):
        Artwork.objects.filter(pk=artwork.pk).update(
            status=Artwork.Status.PUBLISHED, published_at=timezone.now()
        )
        services.artwork_edit(artwork=artwork, actor=author, changes={"title": "灯塔 Lighthouse"})
        services.artwork_set_tags(artwork=artwork, actor=author, tags=["Seascape"])
    assert find("灯塔") == ["灯塔 Lighthouse"]
    assert find("seascape") == ["灯塔 Lighthouse"]
    assert find("stormy") == ["灯塔 Lighthouse"]
    with django_capture_on_commit_callbacks(execute=True):
        services.artwork_delete(artwork=Artwork.objects.get(pk=artwork.pk), actor=author)
    assert find("lighthouse") == []
    assert not ArtworkSearch.objects.filter(artwork_id=artwork.pk).exists()


def test_members_are_found_by_username_and_display_name(world, django_capture_on_commit_callbacks):
    def members(q):
        return [u.username for u in search_page(q=q, kind="users").items]

    assert members("zephyrine") == ["zephyrine_paints"]
    assert members("quillwonder") == ["zephyrine_paints"]
    with django_capture_on_commit_callbacks(execute=True):
        bo = UserFactory(username="bo_li", name="李波")
    assert members("李波") == ["bo_li"]
    with django_capture_on_commit_callbacks(execute=True):
        bo.name = "Painter Bo"
        bo.save()
    assert members("李波") == []
    assert members("painter") == ["bo_li"]
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.user_suspend(user=bo, actor=make_moderator(), reason="spam")
    assert members("painter") == []


def test_members_named_as_common_english_words_are_found(django_capture_on_commit_callbacks):
    # Names are not English prose: "Will", "Don" or "Can" are stop words to English
    # full-text search, which left such members unfindable on PostgreSQL.
    with django_capture_on_commit_callbacks(execute=True):
        UserFactory(username="don", name="Don Can")
        UserFactory(username="will_paints", name="Will")
    for q, username in [("don", "don"), ("can", "don"), ("will", "will_paints")]:
        assert [u.username for u in search_page(q=q, kind="users").items] == [username], q


def test_pages_walk_every_result_once():
    PublishedArtworkFactory.create_batch(7, title="Forest", hot_score=1.0)
    PublishedArtworkFactory.create_batch(3, title="Forest forest", hot_score=2.0)
    search_rebuild()
    seen, cursor = [], None
    while True:
        page = search_page(q="forest", cursor=cursor, limit=3)
        seen += [a.pk for a in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 10
    with pytest.raises(InvalidCursor):
        search_page(q="forest", cursor="bogus")


def test_muted_members_work_is_left_out_for_who_mutes_them(world):
    from social import services as social_services

    viewer = UserFactory()
    social_services.user_mute(muter=viewer, muted=world["sunset"].user)
    viewer.refresh_from_db()
    assert find("sunset", viewer=viewer) == ["Evening"]


BAD_QUERIES = [
    "",
    " ",
    "a",
    "x" * 500,
    '" * ( ) : NEAR OR -',
    'title:sunset OR "unclosed',
    "sunset*",
    "NEAR(sunset sea)",
    "\x00sunset\x1f",
    "\x00",
    "'; DROP TABLE artworks; --",
    "a & b | !c <-> d",
    "²³ ½ ℃ ① ❤ 🙂",
    "日",
    "-sunset",
    "\\",
]


@pytest.mark.parametrize("raw", BAD_QUERIES)
def test_bad_input_never_fails(world, raw):
    for kind in ("artworks", "users"):
        page = search_page(q=raw, kind=kind)
        assert isinstance(page.items, list)


def test_queries_say_what_is_wrong_with_them():
    assert search_query_parse("").problem == "empty"
    assert search_query_parse("a").problem == "too_short"
    assert search_query_parse('" * ( ) :').problem == "too_short"
    assert search_query_parse("x" * 500).problem == "too_long"
    assert search_query_parse("猫").searchable
    assert search_query_parse("\x00sunset\x1f").text == "sunset"
    assert [t.text for t in search_query_parse("NEAR OR sunsets").terms] == [
        "near",
        "or",
        "sunsets",
    ]


def test_the_rebuild_command_writes_every_document(world):
    from django.core.management import call_command

    ArtworkSearch.objects.all().delete()
    assert find("sunset") == []
    call_command("search_rebuild", verbosity=0)
    assert find("sunset") == ["Sunset over the sea", "Evening"]


def test_the_demo_community_is_searchable(django_capture_on_commit_callbacks, small_demo_pictures):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    assert ArtworkSearch.objects.count() == Artwork.objects.count()
    public = Artwork.objects.filter(status=Artwork.Status.PUBLISHED, rating="general").first()
    word = public.title.split()[0]
    assert public.title in find(word, limit=60)


def test_pages_walk_across_the_tiers_in_order():
    for i in range(3):
        PublishedArtworkFactory(title=f"Glacier {i}", hot_score=i)
        PublishedArtworkFactory(title=f"Tagged {i}", tag_names=["glacier"], hot_score=10 + i)
        PublishedArtworkFactory(title=f"Told {i}", prompt="a glacier", hot_score=20 + i)
    search_rebuild()
    seen, cursor = [], None
    while True:
        page = search_page(q="glacier", cursor=cursor, limit=2)
        seen += titles(page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [
        *["Glacier 2", "Glacier 1", "Glacier 0"],
        *["Tagged 2", "Tagged 1", "Tagged 0"],
        *["Told 2", "Told 1", "Told 0"],
    ]
