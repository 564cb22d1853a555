"""Remixes: the one rule (`permissions.remix_refusal`) at every door, the create form started
from the parent, `remix_of` recorded and shown, the family tree page and
GET /api/artworks/{id}/remixes, and relatives the viewer may not see leaking nothing."""

from __future__ import annotations

import json
import re

import pytest

from artworks import permissions, services
from artworks.models import Artwork
from artworks.remixes import LEVEL_LIMIT, artwork_family
from tests.common.test_pagecache import page_cache  # noqa: F401 (a fixture)
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db

PROMPT = "a lighthouse on a cliff at dusk, long exposure"


@pytest.fixture
def parent(db) -> Artwork:
    return PublishedArtworkFactory(
        title="Lighthouse",
        prompt=PROMPT,
        negative_prompt="blurry",
        seed=4242,
        size="1152x896",
        model="offline-v1",
    )


def _remix(parent: Artwork, **fields) -> Artwork:
    return PublishedArtworkFactory(remix_of=parent, **fields)


def _generate(client, **body):
    return client.post(
        "/api/artworks/generate", data=json.dumps(body), content_type="application/json"
    )


# --- the rule ------------------------------------------------------------------------------


class TestRule:
    @pytest.mark.parametrize(
        ("setup", "message"),
        [
            (dict(status="draft", published_at=None), "No such artwork."),
            (dict(moderation="hidden"), "No such artwork."),
            (dict(prompt_hidden=True), "Its author keeps the prompt private"),
            (dict(source="uploaded"), "Only artworks generated from a prompt"),
            (dict(prompt=""), "Only artworks generated from a prompt"),
        ],
    )
    def test_what_cannot_be_remixed(self, setup, message):
        artwork = PublishedArtworkFactory(**setup)
        refusal = permissions.remix_refusal(actor=UserFactory(), artwork=artwork)
        assert message in refusal
        assert not permissions.can_remix_artwork(actor=UserFactory(), artwork=artwork)
        assert not permissions.artwork_is_remixable(artwork=artwork)

    def test_the_authors_own_draft_says_why(self):
        draft = ArtworkFactory(prompt=PROMPT)
        assert "A draft cannot be remixed" in permissions.remix_refusal(
            actor=draft.user, artwork=draft
        )

    def test_a_suspended_authors_work_cannot_be_remixed(self, parent):
        type(parent.user).objects.filter(pk=parent.user_id).update(is_active=False)
        parent.user.refresh_from_db()
        assert permissions.remix_refusal(actor=make_moderator(), artwork=parent) == (
            "This artwork is not public, so it cannot be remixed."
        )

    @pytest.mark.parametrize("actor", ["author", "member", "moderator", "plain_staff"])
    def test_every_member_may_remix_public_work(self, parent, actor):
        who = {
            "author": lambda: parent.user,
            "member": UserFactory,
            "moderator": make_moderator,
            "plain_staff": lambda: UserFactory(is_staff=True),
        }[actor]()
        assert permissions.can_remix_artwork(actor=who, artwork=parent)

    def test_a_visitor_must_sign_in(self, parent):
        assert permissions.remix_refusal(actor=None, artwork=parent) == (
            "Sign in to remix an artwork."
        )
        assert permissions.artwork_is_remixable(artwork=parent)

    def test_the_service_asks_it_and_makes_nothing_when_refused(self):
        hidden_prompt = PublishedArtworkFactory(prompt_hidden=True)
        before = Artwork.objects.count()
        with pytest.raises(Exception) as caught:
            services.artwork_generate(author=UserFactory(), prompt="x", remix_of=hidden_prompt)
        assert "keeps the prompt private" in str(caught.value)
        assert Artwork.objects.count() == before

    def test_the_service_records_the_parent(self, parent):
        made = services.artwork_generate(author=UserFactory(), prompt=PROMPT, remix_of=parent)
        assert Artwork.objects.get(pk=made.pk).remix_of_id == parent.pk


# --- the create form -----------------------------------------------------------------------


class TestCreateForm:
    def test_remix_starts_from_the_parents_prompt_and_parameters(self, client, parent):
        client.force_login(UserFactory())
        response = client.get(f"/create?remix={parent.pk}")
        html = response.content.decode()
        assert response.status_code == 200
        assert re.search(rf">\s*{PROMPT}</textarea>", html)
        assert re.search(r">\s*blurry</textarea>", html)
        assert 'value="4242"' in html
        assert re.search(r'<option value="1152x896"[^>]*selected', html)
        assert f'<input type="hidden" name="remix_of" value="{parent.pk}">' in html
        assert "Remixing" in html and "Lighthouse" in html and "offline-v1" in html

    def test_an_unusual_size_is_offered_as_the_originals(self, client):
        odd = PublishedArtworkFactory(prompt=PROMPT, size="640x480")
        client.force_login(UserFactory())
        html = client.get(f"/create?remix={odd.pk}").content.decode()
        assert re.search(r'<option value="640x480"[^>]*selected', html)

    def test_submitting_records_the_parent_and_the_page_says_so(self, client, parent):
        member = UserFactory()
        client.force_login(member)
        response = client.post(
            "/create",
            {
                "tab": "generate",
                "prompt": PROMPT + ", in snow",
                "size": "1152x896",
                "remix_of": parent.pk,
                "title": "Lighthouse in snow",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        made = Artwork.objects.get(user=member)
        assert made.remix_of_id == parent.pk
        html = client.get(made.get_absolute_url()).content.decode()
        assert re.search(rf'Remix of\s*<a href="{parent.get_absolute_url()}">Lighthouse</a>', html)

    @pytest.mark.parametrize(
        ("setup", "status", "message"),
        [
            (dict(prompt_hidden=True), 403, "Its author keeps the prompt private"),
            (dict(status="draft", published_at=None), 404, "No such artwork."),
            (dict(moderation="hidden"), 404, "No such artwork."),
        ],
    )
    def test_refused_remixes_say_why_and_leak_no_prompt(self, client, setup, status, message):
        secret = PublishedArtworkFactory(prompt="secret words", negative_prompt="hush", **setup)
        member = UserFactory()
        client.force_login(member)
        response = client.get(f"/create?remix={secret.pk}")
        html = response.content.decode()
        assert response.status_code == status
        assert message in html
        assert "secret words" not in html and "hush" not in html
        response = client.post(
            "/create",
            {"tab": "generate", "prompt": "mine", "size": "1024x1024", "remix_of": secret.pk},
        )
        assert response.status_code == status
        assert message in response.content.decode()
        assert not Artwork.objects.filter(user=member).exists()

    def test_a_missing_artwork(self, client):
        client.force_login(UserFactory())
        response = client.get("/create?remix=987654")
        assert response.status_code == 404
        assert "No such artwork." in response.content.decode()
        assert client.get("/create?remix=nonsense").status_code == 404

    def test_a_visitor_is_sent_to_sign_in(self, client, parent):
        response = client.get(f"/create?remix={parent.pk}")
        assert response.status_code == 302 and response["Location"].startswith("/login")


# --- the artwork page ----------------------------------------------------------------------


class TestArtworkPage:
    def test_the_remix_button_is_offered_on_remixable_work_only(self, client, parent):
        button = f'href="/create?remix={parent.pk}"'
        assert button in client.get(parent.get_absolute_url()).content.decode()
        for setup in (dict(prompt_hidden=True), dict(source="uploaded")):
            other = PublishedArtworkFactory(**setup)
            html = client.get(other.get_absolute_url()).content.decode()
            assert f'href="/create?remix={other.pk}"' not in html
        draft = ArtworkFactory(prompt=PROMPT)
        client.force_login(draft.user)
        assert "?remix=" not in client.get(draft.get_absolute_url()).content.decode()

    def test_the_parent_lists_its_visible_remixes_and_their_number(self, client, parent):
        _remix(parent, title="Snowy lighthouse")
        _remix(parent, title="Stormy lighthouse")
        _remix(parent, title="Hidden remix", moderation="hidden")
        ArtworkFactory(remix_of=parent, title="Draft remix")
        html = client.get(parent.get_absolute_url()).content.decode()
        assert "2 remixes" in html
        assert "Snowy lighthouse" in html and "Stormy lighthouse" in html
        assert "Hidden remix" not in html and "Draft remix" not in html
        assert f'href="/artwork/{parent.pk}/lighthouse/remixes"' in html

    def test_a_remix_published_later_shows_on_the_cached_parent(
        self,
        client,
        parent,
        page_cache,  # noqa: F811
        django_capture_on_commit_callbacks,
    ):
        url = parent.get_absolute_url()
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
        draft = ArtworkFactory(remix_of=parent, title="Late remix")
        with django_capture_on_commit_callbacks(execute=True):
            services.artwork_publish(artwork=draft, actor=draft.user)
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "Late remix" in response.content.decode()
        # and a parent that is hidden later disappears from its remix's cached page
        child_url = draft.get_absolute_url()
        client.get(child_url)
        assert "Lighthouse" in client.get(child_url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            services.artwork_hide(artwork=parent, actor=make_moderator())
        html = client.get(child_url).content.decode()
        assert "Remix of an artwork that was removed" in html
        assert f"/artwork/{parent.pk}/" not in html


# --- leaks ---------------------------------------------------------------------------------

SECRET_TITLE = "Zanzibar secret title"
SECRET_PROMPT = "quokka secret prompt"
SECRET_NAME = "Ottoline Secretname"


def _secret(state: str, n: int) -> Artwork:
    author = UserFactory(name=SECRET_NAME, username=f"ottoline{n}")
    fields = dict(user=author, title=SECRET_TITLE, prompt=SECRET_PROMPT)
    if state == "draft":
        return ArtworkFactory(**fields)
    if state == "hidden":
        return PublishedArtworkFactory(moderation="hidden", **fields)
    if state == "suspended":
        type(author).objects.filter(pk=author.pk).update(is_active=False)
        return PublishedArtworkFactory(**fields)
    return PublishedArtworkFactory(**fields)  # "deleted": removed by the test


def _assert_no_leak(text: str, secret: Artwork, where: str) -> None:
    for word in (SECRET_TITLE, SECRET_PROMPT, SECRET_NAME, "ottoline", str(secret.uuid)):
        assert word not in text, f"{where} shows {word!r}"
    assert f"/artwork/{secret.pk}/" not in text and f'"id": {secret.pk},' not in text, where


@pytest.mark.parametrize("state", ["draft", "hidden", "suspended", "deleted"])
def test_a_removed_parent_and_child_leak_nothing(client, state):
    """A chain grandparent → secret → public → secret child: the secret ones (a draft, hidden,
    of a suspended author, deleted) show as removed (or not at all) in HTML and JSON."""
    top = PublishedArtworkFactory(title="Top of the family", prompt="top")
    secret = _secret(state, 1)
    Artwork.objects.filter(pk=secret.pk).update(remix_of=top)
    middle = PublishedArtworkFactory(title="Public middle", remix_of=secret, prompt="middle")
    secret_child = _secret(state, 2)
    Artwork.objects.filter(pk=secret_child.pk).update(remix_of=middle)
    if state == "deleted":
        services.artwork_delete(artwork=secret, actor=secret.user)
        services.artwork_delete(artwork=secret_child, actor=secret_child.user)
    viewer = UserFactory()
    client.force_login(viewer)
    middle.refresh_from_db()
    documents = {
        "page": client.get(middle.get_absolute_url()).content.decode(),
        "tree": client.get(f"/artwork/{middle.pk}/{middle.slug}/remixes").content.decode(),
        "top tree": client.get(f"/artwork/{top.pk}/{top.slug}/remixes").content.decode(),
        "api detail": json.dumps(client.get(f"/api/artworks/{middle.pk}").json()),
        "api remixes": json.dumps(client.get(f"/api/artworks/{middle.pk}/remixes").json()),
        "api top remixes": json.dumps(client.get(f"/api/artworks/{top.pk}/remixes").json()),
    }
    for where, text in documents.items():
        _assert_no_leak(text, secret, where)
        _assert_no_leak(text, secret_child, where)
    detail = client.get(f"/api/artworks/{middle.pk}").json()
    assert detail["remix_of"] is None
    if state != "deleted":
        assert "Remix of an artwork that was removed" in documents["page"]
        assert "Removed artwork" in documents["tree"]
        ancestors = client.get(f"/api/artworks/{middle.pk}/remixes").json()["ancestors"]
        assert ancestors[-1] == {"removed": True, "artwork": None}
        assert ancestors[0]["artwork"]["title"] == "Top of the family"
    # The public grandparent is still named, and reached through the removed one.
    assert "Top of the family" in documents["tree"] or state == "deleted"
    assert "Public middle" in documents["top tree"] or state == "deleted"


def test_the_author_sees_their_own_draft_in_the_family(client, parent):
    draft = ArtworkFactory(remix_of=parent, title="My draft remix")
    url = f"/artwork/{parent.pk}/{parent.slug}/remixes"
    assert "My draft remix" not in client.get(url).content.decode()
    client.force_login(draft.user)
    assert "My draft remix" in client.get(url).content.decode()


# --- the family tree page ------------------------------------------------------------------


def _chain(length: int) -> list[Artwork]:
    chain = [PublishedArtworkFactory(title="Generation 0")]
    for i in range(1, length):
        chain.append(_remix(chain[-1], title=f"Generation {i}"))
    return chain


class TestTreePage:
    def test_ancestors_and_descendants_as_nested_lists(self, client):
        chain = _chain(4)
        middle = chain[1]
        _remix(middle, title="Sibling of 2")
        response = client.get(f"/artwork/{middle.pk}/{middle.slug}/remixes")
        html = response.content.decode()
        assert response.status_code == 200
        tree = html[html.index('class="remix-tree family-tree"') :]
        order = [tree.index(f"Generation {i}") for i in range(4)]
        assert order == sorted(order)
        assert "Sibling of 2" in html
        assert html.count('<ul class="remix-tree') >= 4
        assert 'aria-current="page"' in html
        thumbs = re.findall(r"<img (?!class=\"media-placeholder)[^>]*>", html)
        lazy = [t for t in thumbs if 'loading="lazy"' in t]
        assert len(lazy) >= 5 and all('width="' in t and 'height="' in t for t in lazy)

    def test_depth_limits(self):
        chain = _chain(16)
        family = artwork_family(artwork=chain[12], viewer=None)
        assert len(family.ancestors) == 10 and family.ancestors_cut
        assert family.ancestors[0].artwork.title == "Generation 2"
        assert family.ancestors[-1].artwork.title == "Generation 11"
        family = artwork_family(artwork=chain[0], viewer=None)
        assert not family.ancestors
        depth, node = 0, family.remixes
        while node:
            depth, node = depth + 1, node[0].children
        assert depth == 3 and family.levels_cut

    def test_a_wide_level_is_bounded(self, parent):
        for i in range(LEVEL_LIMIT + 2):
            _remix(parent, title=f"Remix {i}")
        family = artwork_family(artwork=parent, viewer=None)
        assert len(family.remixes) == LEVEL_LIMIT and family.levels_cut

    @pytest.mark.parametrize("width", [1, 6])
    def test_queries_do_not_grow_with_the_tree(self, client, width, django_assert_max_num_queries):
        chain = _chain(3 if width == 1 else 9)
        root = chain[len(chain) // 2]
        for i in range(width):
            child = _remix(root, title=f"Child {i}")
            for j in range(width):
                _remix(child, title=f"Grandchild {i}.{j}")
        url = f"/artwork/{root.pk}/{root.slug}/remixes"
        client.get(url)
        # warm: the ancestors' ids and rows, three levels of remixes, whether it goes deeper
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200

    def test_a_chinese_title_is_its_own_address(self, client):
        art = PublishedArtworkFactory(title="星空 下的猫")
        response = client.get(f"/artwork/{art.pk}/{art.slug}/remixes")
        assert response.status_code == 200
        assert "星空 下的猫" in response.content.decode()
        _remix(art)
        html = client.get(art.get_absolute_url()).content.decode()
        link = re.search(r'href="(/artwork/\d+/[^"]+/remixes)"', html).group(1)
        assert client.get(link).status_code == 200

    def test_a_stale_slug_redirects_and_hidden_work_is_404(self, client, parent):
        response = client.get(f"/artwork/{parent.pk}/old/remixes")
        assert response.status_code == 301
        assert response["Location"] == f"/artwork/{parent.pk}/lighthouse/remixes"
        hidden = PublishedArtworkFactory(moderation="hidden")
        assert client.get(f"/artwork/{hidden.pk}/{hidden.slug}/remixes").status_code == 404


# --- the API -------------------------------------------------------------------------------


class TestApi:
    def test_generate_records_the_parent_and_shows_it(self, client, parent):
        client.force_login(UserFactory())
        response = _generate(client, prompt=PROMPT + ", at dawn", remix_of=parent.pk)
        body = response.json()
        assert response.status_code == 202, body
        assert body["remix_of"] == parent.pk
        assert Artwork.objects.get(pk=body["id"]).remix_of_id == parent.pk

    @pytest.mark.parametrize(
        ("setup", "message"),
        [
            (dict(prompt_hidden=True), "Its author keeps the prompt private"),
            (dict(status="draft", published_at=None), "No such artwork."),
            (dict(moderation="hidden"), "No such artwork."),
        ],
    )
    def test_generate_refuses_with_a_clear_400(self, client, setup, message):
        secret = PublishedArtworkFactory(prompt="secret words", **setup)
        member = UserFactory()
        client.force_login(member)
        response = _generate(client, prompt="mine", remix_of=secret.pk)
        assert response.status_code == 400
        assert message in response.json()["detail"]
        assert "secret words" not in response.content.decode()
        assert not Artwork.objects.filter(user=member).exists()

    def test_a_missing_parent_or_a_bad_id_is_400(self, client):
        client.force_login(UserFactory())
        assert _generate(client, prompt="x", remix_of=987654).json() == {
            "detail": "No such artwork."
        }
        assert _generate(client, prompt="x", remix_of=0).status_code == 400

    def test_remix_of_is_null_when_the_parent_is_not_visible(self, client, parent):
        child = _remix(parent)
        assert client.get(f"/api/artworks/{child.pk}").json()["remix_of"] == parent.pk
        Artwork.objects.filter(pk=parent.pk).update(moderation="hidden")
        from artworks.selectors import artwork_cache_invalidate

        artwork_cache_invalidate(parent.pk, child.pk)
        assert client.get(f"/api/artworks/{child.pk}").json()["remix_of"] is None
        client.force_login(make_moderator())
        assert client.get(f"/api/artworks/{child.pk}").json()["remix_of"] == parent.pk

    def test_lists_carry_remix_of(self, client, parent):
        child = _remix(parent)
        items = client.get("/api/feed?tab=new").json()["items"]
        shown = {item["id"]: item["remix_of"] for item in items}
        assert shown[child.pk] == parent.pk and shown[parent.pk] is None

    def test_remixes_are_paged_newest_first(self, client, parent):
        made = [_remix(parent, title=f"Remix {i}") for i in range(5)]
        _remix(parent, moderation="hidden")
        first = client.get(f"/api/artworks/{parent.pk}/remixes?limit=3").json()
        assert [i["id"] for i in first["items"]] == [a.pk for a in made[::-1][:3]]
        assert first["ancestors"] == [] and first["ancestors_cut"] is False
        second = client.get(
            f"/api/artworks/{parent.pk}/remixes?limit=3&cursor={first['next_cursor']}"
        ).json()
        assert [i["id"] for i in second["items"]] == [a.pk for a in made[::-1][3:]]
        assert second["next_cursor"] is None

    def test_remixes_of_a_remix_name_its_ancestors(self, client):
        chain = _chain(3)
        body = client.get(f"/api/artworks/{chain[2].pk}/remixes").json()
        assert [a["artwork"]["id"] for a in body["ancestors"]] == [chain[0].pk, chain[1].pk]
        assert body["items"] == []

    def test_remixes_refuse_a_bad_cursor_and_an_unseen_artwork(self, client, parent):
        response = client.get(f"/api/artworks/{parent.pk}/remixes?cursor=nonsense")
        assert response.status_code == 400
        draft = ArtworkFactory()
        assert client.get(f"/api/artworks/{draft.pk}/remixes").status_code == 404

    def test_the_openapi_document_describes_it(self, client):
        schema = client.get("/api/openapi.json").json()
        operation = schema["paths"]["/api/artworks/{artwork_id}/remixes"]["get"]
        assert "removed" in operation["summary"]
        generate = schema["paths"]["/api/artworks/generate"]["post"]["requestBody"]
        assert "remix_of" in json.dumps(generate)
