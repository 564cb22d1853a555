"""Follow / unfollow from the pages: plain POST forms without JavaScript, htmx swaps of the
follow button (and of the profile's follower count), sign-in and back for anonymous visitors,
CSRF, `next` safety, 404 for a missing or suspended member, the refusal of following oneself,
and the rate limit. Every entry point × actor: anonymous, a member, the member themselves,
staff, and a suspended target."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from social.models import Follow
from social.services import user_follow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
VERBS = ("follow", "unfollow")


@pytest.fixture
def star(db):
    return UserFactory(username="star", name="Stella Ray")


@pytest.fixture
def member(client, user) -> Client:
    client.force_login(user)
    return client


def action(person, verb: str) -> str:
    return f"/user/{person.username}/{verb}"


def follow_block(html: str, person) -> str:
    match = re.search(rf'<div class="follow[^"]*" id="follow-{person.pk}">.*?</div>', html, re.S)
    assert match, "no follow block for the member"
    return match.group(0)


def pressed(block: str) -> bool:
    button = re.search(r"<button[^>]*follow-btn[^>]*>", block)
    assert button, "no follow button"
    return 'aria-pressed="true"' in button.group(0)


def counts(person) -> tuple[int, int]:
    person.refresh_from_db()
    return person.follower_count, person.following_count


class TestWithoutJavaScript:
    def test_follow_redirects_back_and_the_profile_shows_it(self, member, user, star):
        response = member.post(action(star, "follow"), {"next": "/feed?tab=new"})
        assert response.status_code == 302
        assert response["Location"] == f"/feed?tab=new#follow-{star.pk}"
        assert Follow.objects.filter(follower=user, followee=star).exists()
        assert counts(star) == (1, 0) and counts(user) == (0, 1)

        html = member.get(star.get_absolute_url()).content.decode()
        block = follow_block(html, star)
        assert pressed(block) and ">Following<" in block
        assert f'action="{action(star, "unfollow")}"' in block  # the next press takes it back
        assert 'id="follower-stat-' in html and "<strong>1</strong><span>follower</span>" in html

    def test_unfollow_takes_it_back(self, member, user, star):
        user_follow(follower=user, followee=star)
        response = member.post(action(star, "unfollow"), {"next": star.get_absolute_url()})
        assert response["Location"] == f"{star.get_absolute_url()}#follow-{star.pk}"
        assert not Follow.objects.exists()
        assert counts(star) == (0, 0) and counts(user) == (0, 0)
        block = follow_block(member.get(star.get_absolute_url()).content.decode(), star)
        assert not pressed(block) and ">Follow<" in block

    def test_twice_counts_once(self, member, user, star):
        for verb in ("follow", "follow"):
            member.post(action(star, verb))
        assert Follow.objects.count() == 1 and counts(star) == (1, 0)
        for verb in ("unfollow", "unfollow"):  # unfollowing whom one does not follow: nothing
            member.post(action(star, verb))
        assert not Follow.objects.exists() and counts(star) == (0, 0)

    def test_without_next_it_comes_back_to_the_profile(self, member, star):
        response = member.post(action(star, "follow"))
        assert response["Location"] == f"{star.get_absolute_url()}#follow-{star.pk}"
        # The swapped-in button, too, comes back to the profile (never to the POST URL).
        block = follow_block(member.post(action(star, "unfollow"), **HTMX).content.decode(), star)
        assert 'name="next" value="/user/star"' in block

    @pytest.mark.parametrize(
        "unsafe", ["https://evil.example/", "//evil.example/feed", "javascript:alert(1)"]
    )
    def test_an_off_site_next_is_ignored(self, member, star, unsafe):
        response = member.post(action(star, "follow"), {"next": unsafe})
        assert response["Location"] == f"{star.get_absolute_url()}#follow-{star.pk}"
        htmx = member.post(action(star, "unfollow"), {"next": unsafe}, **HTMX).content.decode()
        assert unsafe not in htmx

    def test_the_username_is_found_in_any_case(self, member, user, star):
        assert member.post("/user/STAR/follow").status_code == 302
        assert Follow.objects.filter(follower=user, followee=star).exists()

    @pytest.mark.parametrize("verb", VERBS)
    def test_get_is_not_allowed(self, member, star, verb):
        assert member.get(action(star, verb)).status_code == 405
        assert not Follow.objects.exists()

    def test_staff_follow_like_anyone(self, client, staff_user, star):
        client.force_login(staff_user)
        assert client.post(action(star, "follow")).status_code == 302
        assert Follow.objects.filter(follower=staff_user, followee=star).exists()
        block = follow_block(client.get(star.get_absolute_url()).content.decode(), star)
        assert pressed(block)
        block = follow_block(client.post(action(star, "unfollow"), **HTMX).content.decode(), star)
        assert not pressed(block) and not Follow.objects.exists()


class TestWithHtmx:
    def test_follow_and_unfollow_swap_the_button_in_place(self, member, star):
        response = member.post(action(star, "follow"), {"next": "/feed"}, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        block = follow_block(html, star)
        assert pressed(block) and ">Following<" in block
        assert 'title="Unfollow @star"' in block
        assert f'data-hx-post="{action(star, "unfollow")}"' in block
        assert 'name="next" value="/feed"' in block  # still comes back to the page it is on
        assert "data-hx-swap-oob" not in html  # not on the profile: no count to update
        assert response["Cache-Control"] == "no-store"

        block = follow_block(
            member.post(action(star, "unfollow"), {"next": "/feed"}, **HTMX).content.decode(),
            star,
        )
        assert not pressed(block) and ">Follow<" in block
        assert f'data-hx-post="{action(star, "follow")}"' in block

    def test_on_the_profile_the_follower_count_moves_with_it(self, member, star):
        UserFactory().following_rows.create(followee=star)
        star.follower_count = 1
        star.save(update_fields=["follower_count"])
        html = member.post(
            action(star, "follow"), {"next": star.get_absolute_url(), "stats": "1"}, **HTMX
        ).content.decode()
        assert 'name="stats" value="1"' in follow_block(html, star)
        stat = re.search(
            rf'<a class="stat-link"[^>]*id="follower-stat-{star.pk}"[^>]*>.*?</a>', html
        )
        assert stat and 'data-hx-swap-oob="true"' in stat.group(0)
        assert "<strong>2</strong><span>followers</span>" in stat.group(0)


class TestTheMemberThemselves:
    def test_the_profile_has_no_follow_button_for_its_owner(self, member, user):
        html = member.get(user.get_absolute_url()).content.decode()
        assert f'id="follow-{user.pk}"' not in html
        assert "Edit profile" in html

    def test_following_oneself_is_refused_with_the_reason(self, member, user):
        response = member.post(action(user, "follow"), {"next": "/feed"}, follow=True)
        assert response.redirect_chain[0] == (f"/feed#follow-{user.pk}", 302)
        assert "You cannot follow yourself." in response.content.decode()
        assert not Follow.objects.exists() and counts(user) == (0, 0)

    def test_with_htmx_it_is_403_with_the_reason_in_place(self, member, user):
        response = member.post(action(user, "follow"), **HTMX)
        assert response.status_code == 403
        block = follow_block(response.content.decode(), user)
        assert 'role="alert"' in block and "You cannot follow yourself." in block
        assert "<form" not in block
        assert not Follow.objects.exists()

    def test_unfollowing_oneself_changes_nothing(self, member, user):
        assert member.post(action(user, "unfollow")).status_code == 302
        assert not Follow.objects.exists()


class TestCsrf:
    def test_a_post_without_the_token_is_refused(self, user, star):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        assert browser.post(action(star, "follow")).status_code == 403
        assert browser.post(action(star, "follow"), **HTMX).status_code == 403
        assert not Follow.objects.exists()

    def test_the_token_of_the_page_form_is_accepted(self, user, star):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        html = browser.get(star.get_absolute_url()).content.decode()
        block = follow_block(html, star)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', block).group(1)
        response = browser.post(action(star, "follow"), {"csrfmiddlewaretoken": token}, **HTMX)
        assert response.status_code == 200
        # htmx also sends the page's token as a header (static/js/app.js).
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        response = browser.post(action(star, "unfollow"), HTTP_X_CSRFTOKEN=meta, **HTMX)
        assert response.status_code == 200
        assert not Follow.objects.exists()


class TestAnonymous:
    def test_the_profile_offers_a_sign_in_link_that_comes_back(self, client, star):
        block = follow_block(client.get(star.get_absolute_url()).content.decode(), star)
        assert "<form" not in block and "csrfmiddlewaretoken" not in block
        assert f'href="/login?next={star.get_absolute_url()}"' in block
        assert 'title="Sign in to follow"' in block

    @pytest.mark.parametrize("verb", VERBS)
    def test_a_post_leads_to_sign_in_and_back(self, client, star, verb):
        response = client.post(action(star, verb), {"next": "/feed?tab=new"})
        assert response.status_code == 302
        location = urlparse(response["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == ["/feed?tab=new"]
        response = client.post(action(star, verb), {"next": "https://evil.example/"})
        assert parse_qs(urlparse(response["Location"]).query)["next"] == ["/user/star"]
        assert not Follow.objects.exists()

    def test_an_htmx_post_redirects_the_whole_page(self, client, star):
        response = client.post(action(star, "follow"), {"next": "/feed"}, **HTMX)
        assert response.status_code == 204
        assert response["HX-Redirect"] == "/login?next=%2Ffeed"
        assert not Follow.objects.exists()


class TestNoSuchMember:
    @pytest.mark.parametrize("verb", VERBS)
    def test_missing_and_suspended_members_are_404(self, member, user, verb):
        suspended = UserFactory(username="gone", is_active=False)
        for path in (action(suspended, verb), f"/user/nobody-here/{verb}"):
            assert member.post(path).status_code == 404
            assert member.post(path, **HTMX).status_code == 404
            assert Client().post(path).status_code == 404
        assert not Follow.objects.exists() and counts(suspended) == (0, 0)


class TestRateLimit:
    @pytest.fixture(autouse=True)
    def _tight_limit(self, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "follow": (2, 3600)}

    def test_over_the_limit_is_429_without_javascript(self, member, star):
        assert member.post(action(star, "follow")).status_code == 302
        assert member.post(action(star, "unfollow")).status_code == 302
        response = member.post(action(star, "follow"))
        assert response.status_code == 429
        assert "Too many attempts" in response.content.decode()
        assert not Follow.objects.exists()

    def test_over_the_limit_is_429_with_the_button_and_a_message(self, member, user, star):
        member.post(action(star, "follow"), **HTMX)
        member.post(action(star, "unfollow"), **HTMX)
        member.post(action(star, "follow"))  # the third: refused already
        response = member.post(action(star, "follow"), **HTMX)
        assert response.status_code == 429
        block = follow_block(response.content.decode(), star)
        assert 'role="alert"' in block and "Too many follows" in block
        assert not pressed(block)  # the real state: not following
        assert not Follow.objects.exists()

    def test_the_limit_is_per_member(self, member, star):
        for verb in ("follow", "unfollow", "follow"):
            member.post(action(star, verb))
        other = Client()
        other.force_login(UserFactory())
        assert other.post(action(star, "follow")).status_code == 302
