"""The site speaks Simplified Chinese on every member page: no English sentence from the
templates, the forms or the services is left on the Chinese pages, and the catalog is whole."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from scripts.compile_messages import parse_po
from tests.member_pages import collect_member_pages, member_world

pytestmark = pytest.mark.django_db

CATALOG = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def page_text(document: str) -> str:
    """What a reader (or a screen reader) gets from the body: text and the attributes that
    are read out or shown."""
    body = document[document.index("<body") :]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"', body)
    text = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(re.sub(r"\s+", " ", " ".join([text, *attributes])))


def english_sentences() -> set[str]:
    """The catalog's English messages of two words or more, without placeholders."""
    sentences = set()
    for key in parse_po(CATALOG):
        msgid = key.split("\x00")[0].split("\x04")[-1]
        if " " in msgid.strip() and not PLACEHOLDER.search(msgid):
            sentences.add(msgid)
    return sentences


def english_formats() -> dict[str, re.Pattern[str]]:
    """The catalog's English messages with placeholders (both plural forms), as patterns that
    find them filled in: the English words between the placeholders, three words or more."""
    formats = {}
    for key in parse_po(CATALOG):
        for msgid in key.split("\x04")[-1].split("\x00"):
            parts = PLACEHOLDER.split(msgid)
            if len(parts) > 1 and len(re.findall(r"[A-Za-z]{2,}", "".join(parts))) >= 3:
                formats[msgid] = re.compile(".{1,200}?".join(map(re.escape, parts)))
    return formats


@pytest.fixture
def chinese_pages(db):
    pages = collect_member_pages(member_world(), "zh-hans")
    return {name.removesuffix(" [zh-hans]"): page_text(doc) for name, doc in pages.items()}


def test_no_english_message_is_left_on_the_chinese_member_pages(chinese_pages):
    sentences = english_sentences()
    leftovers = {
        name: sorted(s for s in sentences if s in text) for name, text in chinese_pages.items()
    }
    leftovers = {name: found for name, found in leftovers.items() if found}
    assert not leftovers, leftovers


def test_no_english_message_is_filled_in_on_the_chinese_member_pages(chinese_pages):
    """Messages with placeholders too: one formatted before the reader's language is known
    (at import time) stays English whatever the page's language."""
    formats = english_formats()
    leftovers = {
        name: sorted(msgid for msgid, pattern in formats.items() if pattern.search(text))
        for name, text in chinese_pages.items()
    }
    leftovers = {name: found for name, found in leftovers.items() if found}
    assert not leftovers, leftovers


KEY_STRINGS = [
    (
        "create generate",
        ["创作", "提示词", "描述你想要的画面。", "对他人隐藏提示词", "生成", "上传"],
        ["Describe the picture you want.", "Hide the prompt from others", "(optional)"],
    ),
    (
        "create generate errors",
        ["请更正以下错误。", "这个字段是必填项。"],
        ["Please correct the errors below.", "This field is required."],
    ),
    (
        "create upload",
        ["图片或视频", "你的作品会保存为草稿"],
        ["Image or video", "Images up to"],
    ),
    (
        "settings",
        ["个人资料设置", "显示名称", "头像", "保存个人资料", "电子邮箱", "关联账号"],
        ["Profile settings", "Display name", "Save profile", "Connected accounts"],
    ),
    (
        "settings errors",
        ["3–30 个字符：仅限字母、数字、下划线和连字符。"],
        ["3–30 characters"],
    ),
    (
        "login",
        ["登录", "密码", "第一次来？", "创建账号", "忘记密码？"],
        ["Sign in", "New here?", "Forgot your password?", "Remember Me"],
    ),
    (
        "signup errors",
        ["创建账号", "密码长度太短。", "输入一个有效的 Email 地址。"],
        ["This password is too short", "Create an account", "Enter a valid email"],
    ),
    (
        "report",
        ["举报作品", "这件作品有什么问题？", "垃圾信息或广告", "提交举报", "作者：Author Name"],
        ["Report an artwork", "What is wrong", "Spam or advertising", "Send report"],
    ),
    ("report errors", ["请选择一个原因。"], ["Choose a reason."]),
    ("failed generation", ["生成失败。", "生成意外失败，请重试。"], ["Generation failed"]),
    ("too many attempts", ["尝试次数过多", "返回首页"], ["Too many attempts"]),
]


def test_key_strings_are_chinese(chinese_pages):
    """Create, settings, sign-in and report pages (and their errors) in Chinese: the key
    Chinese strings are there, their English originals are not."""
    problems = []
    for page, chinese, english in KEY_STRINGS:
        text = chinese_pages[page]
        problems += [f"{page}: missing {s!r}" for s in chinese if s not in text]
        problems += [f"{page}: still English {s!r}" for s in english if s in text]
    assert not problems, "\n".join(problems)


def test_the_catalog_is_complete_and_its_placeholders_match():
    raw = CATALOG.read_text(encoding="utf-8")
    assert "#, fuzzy" not in raw
    assert "\n#~" not in raw, "obsolete entries: drop them"
    declared = len(re.findall(r"^msgid ", raw, flags=re.M))
    messages = parse_po(CATALOG)  # leaves out untranslated entries
    assert len(messages) == declared, "some messages have no translation"
    for key, value in messages.items():
        if key == "":
            continue
        msgid = key.split("\x00")[-1]
        for translation in value.split("\x00"):
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(translation)), (
                key,
                translation,
            )


CJK = re.compile(r"[\u4e00-\u9fff]")
# Names that read the same in both languages.
UNTRANSLATED_NAMES = {"UUID"}
PROJECT_APPS = {"accounts", "artworks", "social", "notifications", "moderation", "memberdata"}


def test_the_admin_names_every_app_model_and_field_in_chinese():
    """Staff who read Chinese see the project's apps, models and fields in Chinese: the
    index said ACCOUNTS, ARTWORKS, MODERATION, Likes and Favorites, and an artwork's page
    Like count, Hot score, Created at (names Django made up from the code)."""
    from django.contrib import admin
    from django.utils import translation

    english = []
    with translation.override("zh-hans"):
        apps = {model._meta.app_config for model in admin.site._registry}
        app_names = sorted(str(app.verbose_name) for app in apps)
        assert len(set(app_names)) == len(app_names), f"two apps share a name: {app_names}"
        for model in admin.site._registry:
            meta = model._meta
            if meta.app_config.name not in PROJECT_APPS:
                continue  # Django's and allauth's own: their catalogs
            names = [str(meta.app_config.verbose_name), str(meta.verbose_name_plural)]
            names += [
                str(field.verbose_name)
                for field in meta.get_fields()
                if (field.concrete or field.many_to_many)
                and not (field.auto_created or field.primary_key)
            ]
            english += [
                f"{meta.label}: {name}"
                for name in names
                if not CJK.search(name) and name not in UNTRANSLATED_NAMES
            ]
    assert not english, english


# One Chinese word for each of these, wherever the English says it.
GLOSSARY = {"moderator": "审核员", "mature": "成人向", "explicit": "限制级"}


def test_the_catalog_says_each_glossary_word_one_way():
    """'Moderators' were 审核员 on the artwork's report page and 管理员 (staff) on the
    comment's; the ratings had two sets of names."""
    mixed = []
    for key, value in parse_po(CATALOG).items():
        msgid = key.split("\x04")[-1].split("\x00")[0].lower()
        for word, chinese in GLOSSARY.items():
            if word in msgid and chinese not in value:
                mixed.append((msgid, value))
    assert not mixed, mixed
