"""Production mode refuses to start unconfigured, and passes `check --deploy` when configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "aB9$xZ2!qW7@eR4#tY6%uI8^oP0&" * 2


def _jwt_private_key() -> str:
    from aicommunity.jwt_keys import generate_private_key_pem

    return generate_private_key_pem()


JWT_KEY = _jwt_private_key()


def run_manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "DEBUG", "JWT_PRIVATE_KEY"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    # ...and says how to make one, as the JWT key's refusal does.
    assert "secrets.token_urlsafe(64)" in result.stderr.strip().splitlines()[-1]


def test_production_refuses_a_weak_secret_key():
    result = run_manage(
        "check", DJANGO_ENV="production", ALLOWED_HOSTS="example.com", SECRET_KEY="short"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_check_deploy_with_no_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="example.com",
        JWT_PRIVATE_KEY=JWT_KEY,
        EMAIL_HOST="smtp.example.com",
        SITE_URL="https://example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_that_production_without_smtp_sends_no_mail():
    """Without EMAIL_HOST the mails go to the log: no new member can confirm their address
    (ACCOUNT_EMAIL_VERIFICATION=mandatory) and nobody gets a password reset. The release's
    `check --deploy` says so, without refusing a site that chose it."""
    env = dict(DJANGO_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="example.com")
    env.update(JWT_PRIVATE_KEY=JWT_KEY, EMAIL_HOST="")
    result = run_manage("check", "--deploy", "--fail-level", "ERROR", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "accounts.W001" in result.stderr
    assert "EMAIL_HOST" in result.stderr and "confirm" in result.stderr
    assert "accounts.W001" not in run_manage("check", "--deploy", DJANGO_ENV="development").stderr


def test_check_deploy_warns_when_site_url_names_a_host_the_site_does_not_serve():
    """SITE_URL writes the canonical links, the sitemap, Open Graph and the mails' site name:
    left at the template's (or development's) value, every one of them points elsewhere."""
    env = dict(DJANGO_ENV="production", SECRET_KEY=STRONG_KEY, JWT_PRIVATE_KEY=JWT_KEY)
    env.update(EMAIL_HOST="smtp.example.com", ALLOWED_HOSTS="pixels.example.org")
    for forgotten in ("https://art.example.com", None):
        overrides = dict(env, SITE_URL=forgotten) if forgotten else env
        result = run_manage("check", "--deploy", "--fail-level", "ERROR", **overrides)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "common.W002" in result.stderr, result.stderr
        assert "SITE_URL" in result.stderr and "pixels.example.org" in result.stderr
    served = run_manage("check", "--deploy", **dict(env, SITE_URL="https://pixels.example.org"))
    assert "common.W002" not in served.stderr


def test_production_refuses_to_start_without_a_jwt_private_key():
    result = run_manage(
        "check", DJANGO_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="example.com"
    )
    assert result.returncode != 0
    assert "JWT_PRIVATE_KEY" in result.stderr


def test_production_accepts_a_jwt_key_with_escaped_newlines():
    """Many hosts cannot hold multi-line variables: "\\n" escapes work too."""
    result = run_manage(
        "shell",
        "-c",
        "from allauth.headless.tokens.strategies.jwt.internal import _get_jwt_config;"
        "print(_get_jwt_config().algorithm)",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="example.com",
        JWT_PRIVATE_KEY=JWT_KEY.replace("\n", "\\n"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "RS256"


def test_production_refuses_a_jwt_key_that_is_not_an_rsa_private_key():
    result = run_manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="example.com",
        JWT_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----",
    )
    assert result.returncode != 0
    assert "JWT_PRIVATE_KEY" in result.stderr


def test_env_example_names_every_variable_production_refuses_to_start_without():
    """Each is refused by a test above; the file's DJANGO_ENV line is where an operator reads
    what production needs."""
    text = (ROOT / ".env.example").read_text()
    comment = text[: text.index("\nDJANGO_ENV=")].rsplit("\n\n", 1)[-1]
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "JWT_PRIVATE_KEY"):
        assert name in comment, f".env.example's DJANGO_ENV comment leaves out {name}"


def test_a_value_that_cannot_be_read_names_its_variable_and_what_it_takes():
    """`TRUSTED_PROXY_COUNT=one` stopped every process with "invalid literal for int() with
    base 10: 'one'", and `LOG_LEVEL=verbose` with "KeyError: 'level verbose'": the operator
    had to read the traceback to learn which of the environment's lines was wrong."""
    cases = {
        "TRUSTED_PROXY_COUNT": ("one", "a whole number"),
        "PAGE_CACHE_SECONDS": ("10m", "a whole number"),
        "LOG_LEVEL": ("verbose", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
        # sentry-sdk's own: "sentry_sdk.utils.BadDsn: Unsupported scheme ''".
        "SENTRY_DSN": ("sentry.example.com/12", "https://<key>@<host>/<project>"),
    }
    for name, (value, expected) in cases.items():
        result = run_manage("check", **{name: value})
        assert result.returncode != 0
        last = result.stderr.strip().splitlines()[-1]
        assert name in last and repr(value) in last and expected in last, last


def test_comma_separated_values_may_have_spaces_after_the_commas():
    """`ALLOWED_HOSTS=art.example.com, www.art.example.com` kept " www.art.example.com", a host
    no request names: every request for www was refused (400) without a word at start."""
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS)",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        JWT_PRIVATE_KEY=JWT_KEY,
        ALLOWED_HOSTS="art.example.com, www.art.example.com ,",
        CSRF_TRUSTED_ORIGINS="https://art.example.com , https://www.art.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "['art.example.com', 'www.art.example.com'] "
        "['https://art.example.com', 'https://www.art.example.com']"
    )


SETTINGS_DUMP = """
import json
from pathlib import Path
from django.conf import settings

def plain(value):
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(plain(v)) for v in value)
    if isinstance(value, (str, Path)) and str(value) and not str(value).startswith(("/", "http")):
        candidate = Path(str(value))
        if candidate.parts and candidate.parts[0] in ("media", "staticfiles"):
            return str(Path.cwd() / candidate)  # a path relative to the checkout
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if callable(value):
        return getattr(value, "__qualname__", repr(value))
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)

names = [name for name in dir(settings) if name.isupper()]
print(json.dumps({name: plain(getattr(settings, name)) for name in names}))
"""


def test_env_example_copied_to_dot_env_gives_the_embedded_defaults(monkeypatch):
    """The README: "copy it to .env to use it". Its empty lines were read as values: the site
    refused to start (LOG_FORMAT='', then an empty SECRET_KEY), and had it started, beat's
    schedule file would have been '' and ALLOWED_HOSTS empty."""
    import re

    # The embedded defaults are those of a machine with no services named (the test pass
    # against PostgreSQL and Redis names them, and the defaults follow: tasks go to Celery).
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "S3_BUCKET", "CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)

    example = dict(
        re.findall(r"^([A-Z0-9_]+)=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    defaults = run_manage("shell", "-c", SETTINGS_DUMP, DJANGO_ENV="development")
    copied = run_manage("shell", "-c", SETTINGS_DUMP, **example)
    assert defaults.returncode == 0, defaults.stderr[-2000:]
    assert copied.returncode == 0, copied.stderr[-2000:]
    default_values = json.loads(defaults.stdout.splitlines()[-1])
    copied_values = json.loads(copied.stdout.splitlines()[-1])
    differ = {
        name: (default_values.get(name), copied_values.get(name))
        for name in default_values.keys() | copied_values.keys()
        if default_values.get(name) != copied_values.get(name)
    }
    assert differ == {}


def test_embedded_defaults_need_no_environment():
    result = run_manage("check", DJANGO_ENV="development")
    assert result.returncode == 0, result.stderr


def test_env_example_documents_every_variable_the_settings_read():
    import re

    settings_source = "\n".join(
        path.read_text() for path in sorted((ROOT / "aicommunity" / "settings").glob("*.py"))
    )
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', settings_source))
    documented = set(
        re.findall(r"^#?\s*([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    assert read, "no variables found: the pattern no longer matches aicommunity/settings/"
    assert read - documented == set()


@pytest.mark.parametrize("variable", ["SECURE_SSL_REDIRECT", "WARM_UP_ON_START"])
@pytest.mark.parametrize("value", ["yes2", "ture", "enabled", "2"])
def test_a_switch_that_is_neither_on_nor_off_is_refused_by_name(variable, value):
    """django-environ read any word it did not know as off: a typo in SECURE_SSL_REDIRECT
    served production over plain HTTP without a word."""
    env = dict(DJANGO_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="example.com")
    env.update(JWT_PRIVATE_KEY=JWT_KEY, EMAIL_HOST="smtp.example.com")
    env.update(SITE_URL="https://example.com", **{variable: value})
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert f"{variable} must be true or false, not '{value}'" in result.stderr


def test_the_words_for_on_and_off_are_read_as_before():
    from aicommunity.settings.base import env

    on = ["true", "True", "on", "yes", "y", "1", " ok "]
    off = ["false", "FALSE", "off", "no", "n", "0", ""]
    assert [env.parse_value(word, bool) for word in on] == [True] * len(on)
    assert [env.parse_value(word, bool) for word in off] == [False] * len(off)


def test_hsts_subdomains_and_preload_can_be_turned_off_and_check_deploy_says_so():
    env = dict(DJANGO_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="example.com")
    env.update(JWT_PRIVATE_KEY=JWT_KEY, EMAIL_HOST="smtp.example.com")
    env.update(SITE_URL="https://example.com")
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    shown = run_manage("shell", "--no-imports", "-c", script, **env)
    assert shown.stdout.split() == ["True", "True"], shown.stderr
    off = dict(env, SECURE_HSTS_INCLUDE_SUBDOMAINS="false", SECURE_HSTS_PRELOAD="false")
    shown = run_manage("shell", "--no-imports", "-c", script, **off)
    assert shown.stdout.split() == ["False", "False"], shown.stderr
    result = run_manage("check", "--deploy", "--fail-level", "ERROR", **off)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "security.W005" in result.stderr and "security.W021" in result.stderr
