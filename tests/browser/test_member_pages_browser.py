"""Browser tests of the member pages: sign-in and account pages, profile settings, the create
page (both tabs), delete confirmation, the report form and the rate-limit page, in English and
Simplified Chinese, with their forms' errors showing. Each runs through axe-core (both themes)
and is saved as a screenshot at phone and desktop widths in test-artifacts/."""

from __future__ import annotations

import pytest

from artworks.models import Artwork
from tests.factories import ArtworkFactory, PublishedArtworkFactory, UserFactory
from tests.page_tools import ARTIFACTS, DESKTOP, check_pages, sign_in, submit_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = ["en", "zh-hans"]
# Expected h1 of the site's own pages, by language (allauth's are checked by the Nu test).
H1 = {
    "en": {
        "login": "Sign in",
        "signup": "Create an account",
        "settings": "Profile settings",
        "create": "Create",
        "report": "Report an artwork",
        "delete": "Delete “My lantern”?",
        "429": "Too many attempts",
    },
    "zh-hans": {
        "login": "登录",
        "signup": "创建账号",
        "settings": "个人资料设置",
        "create": "创作",
        "report": "举报作品",
        "delete": "删除“My lantern”？",
        "429": "尝试次数过多",
    },
}


@pytest.fixture
def members(live_server):
    member = UserFactory(username="member", name="Member Name")
    author = UserFactory(username="author", name="林月")
    return {
        "member": member,
        "artwork": PublishedArtworkFactory(user=author, title="Harbour at dawn"),
        "own": PublishedArtworkFactory(user=member, title="My lantern"),
        "failed": ArtworkFactory(
            user=member,
            title="Failed study",
            with_file=False,
            generation_status=Artwork.GenerationStatus.FAILED,
            generation_error="The generation failed unexpectedly. Try again.",
        ),
        "url": live_server.url,
    }


def suffix(lang: str) -> str:
    return "" if lang == "en" else "-zh"


@pytest.mark.parametrize("lang", LANGS)
def test_sign_in_pages(browser, members, lang):
    h1, z = H1[lang], suffix(lang)
    pages = [
        ("/login", f"login{z}", h1["login"]),
        (
            "/login",
            f"login-errors{z}",
            h1["login"],
            submit_form(login="member", password="not-the-password"),
        ),
        ("/accounts/signup/", f"signup{z}", h1["signup"]),
        (
            "/accounts/signup/",
            f"signup-errors{z}",
            h1["signup"],
            submit_form(email="nobody", username="a", password1="x", password2="y"),
        ),
        ("/accounts/password/reset/", f"password-reset{z}", None),
        ("/accounts/password/reset/", f"password-reset-errors{z}", None, submit_form(email="x")),
        ("/accounts/password/reset/done/", f"password-reset-done{z}", None),
        ("/accounts/password/reset/key/1-bad-key/", f"password-reset-bad-key{z}", None),
    ]
    problems = check_pages(browser, members["url"], pages, lang=lang)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_too_many_attempts_page(browser, members, settings, lang):
    # Over the sign-up limit, allauth answers with the site's own 429 page.
    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/h/ip"}
    attempt = submit_form(email="nobody", username="a", password1="x", password2="y")

    def until_refused(page) -> None:
        for _ in range(2):
            if page.locator("main form").count():
                attempt(page)

    pages = [
        ("/accounts/signup/", f"too-many-attempts{suffix(lang)}", H1[lang]["429"], until_refused)
    ]
    problems = check_pages(browser, members["url"], pages, lang=lang)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_account_pages(browser, members, lang):
    h1, z = H1[lang], suffix(lang)
    pages = [
        ("/settings/profile", f"settings{z}", h1["settings"]),
        (
            "/settings/profile",
            f"settings-errors{z}",
            h1["settings"],
            submit_form("main form.form", username="no spaces allowed"),
        ),
        ("/accounts/password/change/", f"password-change{z}", None),
        (
            "/accounts/password/change/",
            f"password-change-errors{z}",
            None,
            submit_form("main form.form", oldpassword="wrong", password1="x", password2="y"),
        ),
        ("/accounts/email/", f"email-addresses{z}", None),
        ("/accounts/3rdparty/", f"connected-accounts{z}", None),
        ("/accounts/logout/", f"logout-confirmation{z}", None),
    ]
    problems = check_pages(browser, members["url"], pages, user=members["member"], lang=lang)
    assert not problems, "\n".join(problems)


def test_a_long_email_address_wraps_on_a_phone(browser, members):
    """An address has no space to break at: a long one on the email page (a member's own,
    with its badges) made the page wider than a phone's screen."""
    from allauth.account.models import EmailAddress

    from tests.page_tools import PHONE

    EmailAddress.objects.create(
        user=members["member"],
        email="christopher.montgomery.whitfield@universityhospitalofsomewhere.example.org",
    )
    context = browser.new_context(viewport=PHONE)
    sign_in(context, members["url"], members["member"])
    page = context.new_page()
    page.goto(members["url"] + "/accounts/email/")
    page.screenshot(path=str(ARTIFACTS / "email-addresses-long-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_the_confirmation_page_of_a_long_email_address_fits_a_phone(browser, members):
    """'Please confirm that <address> is an email address for user …': the address, a link
    with no space to break at, made the page wider than a phone's screen."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from django.urls import reverse

    from tests.page_tools import PHONE

    address = EmailAddress.objects.create(
        user=members["member"],
        email="christopher.montgomery.whitfield@universityhospitalofsomewhere.example.org",
    )
    key = EmailConfirmationHMAC(address).key
    context = browser.new_context(viewport=PHONE)
    sign_in(context, members["url"], members["member"])
    page = context.new_page()
    page.goto(members["url"] + reverse("account_confirm_email", args=[key]))
    page.get_by_role("link", name=address.email).wait_for()
    page.screenshot(path=str(ARTIFACTS / "email-confirm-long-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_a_toast_naming_a_long_email_address_stays_on_a_phones_screen(browser, members):
    """'Confirmation email sent to <address>.': the toast kept the address on one line, so
    most of it ran off the screen, unreadable (a toast is fixed: the page did not widen)."""
    from tests.page_tools import PHONE

    context = browser.new_context(viewport=PHONE)
    sign_in(context, members["url"], members["member"])
    page = context.new_page()
    page.goto(members["url"] + "/accounts/email/")
    page.locator("main input[type=email]").fill(
        "zhangweiqiang.longaddress@departmentofcomputerscience.example.edu"
    )
    with page.expect_navigation():
        page.locator("button[name=action_add]").click()
    toast = page.locator(".toast p", has_text="departmentofcomputerscience")
    page.screenshot(path=str(ARTIFACTS / "email-added-toast-390.png"))
    box = toast.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert toast.evaluate("p => p.scrollWidth <= p.clientWidth")
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_create_delete_and_report_pages(browser, members, lang):
    h1, z = H1[lang], suffix(lang)
    artwork, own = members["artwork"], members["own"]
    pages = [
        ("/create?tab=generate", f"create-generate{z}", h1["create"]),
        ("/create?tab=generate", f"create-generate-errors{z}", h1["create"], submit_form()),
        ("/create?tab=upload", f"create-upload{z}", h1["create"]),
        ("/create?tab=upload", f"create-upload-errors{z}", h1["create"], submit_form()),
        (f"/artwork/{own.pk}/actions/delete", f"delete-confirmation{z}", h1["delete"]),
        (f"/artwork/{artwork.pk}/report", f"report{z}", h1["report"]),
        (f"/artwork/{artwork.pk}/report", f"report-errors{z}", h1["report"], submit_form()),
        (f"/artwork/{own.pk}/report", f"report-own-artwork{z}", h1["report"]),
        (members["failed"].get_absolute_url(), f"generation-failed{z}", "Failed study"),
    ]
    problems = check_pages(browser, members["url"], pages, user=members["member"], lang=lang)
    assert not problems, "\n".join(problems)


def test_create_form_errors_are_announced_and_focus_is_visible(browser, members):
    context = browser.new_context(viewport=DESKTOP)
    sign_in(context, members["url"], members["member"])
    page = context.new_page()
    page.goto(members["url"] + "/create?tab=generate")
    # Every control of the form is reachable with Tab and shows where the focus is.
    controls = page.locator("main form :is(input, select, textarea, button):not([type=hidden])")
    page.locator("main form").evaluate("f => f.querySelector('textarea').focus()")
    seen = set()
    for _ in range(controls.count()):
        style = page.evaluate(
            "() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.name || e.textContent.trim(), s.outlineStyle, s.outlineWidth,"
            " s.boxShadow]; }"
        )
        name, outline_style, outline_width, shadow = style
        assert (outline_style != "none" and outline_width != "0px") or shadow != "none", style
        seen.add(name)
        page.keyboard.press("Tab")
    assert {"prompt", "size", "seed", "prompt_hidden"} <= seen, seen

    submit_form()(page)
    prompt = page.get_by_label("Prompt", exact=True)
    assert prompt.get_attribute("aria-invalid") == "true"
    described = prompt.get_attribute("aria-describedby").split()
    messages = [page.locator(f"#{id_}").inner_text() for id_ in described]
    assert "This field is required." in messages
    page.screenshot(path=str(ARTIFACTS / "create-errors-focus-1280.png"))
    context.close()
