"""The deploy kit as an operator installs it: deploy/systemd's units, deploy/aicommunity.env and
deploy/release.sh, with nginx (deploy/nginx) in front. The first tests read the files; the
last boots the whole topology on this machine (not systemd itself: each unit's ExecStart as it
is written, with the environment file's values) — nginx → gunicorn, the generation pool, the
media/feed/default pool and beat, on PostgreSQL, Redis and an S3 bucket (moto) — and then a
member creates, generates, publishes, another likes, and a visitor reads, all through nginx."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from tests.conftest import IN_CI, require_service
from tests.deploy.nginx import free_port, nginx_binary, running_nginx, stop, wait_for_port
from tests.deploy.topology import (
    PG_SERVER,
    REDIS_BROKER_DB,
    REDIS_CACHE_DB,
    REDIS_SERVER,
    flush_redis,
    fresh_database,
    member_token,
    release,
    s3_bucket,
    services_env,
    start,
    wait_until,
)
from tests.deploy.units import (
    ENV_FILE,
    ENV_TEMPLATE,
    INSTALL_DIR,
    SERVICES,
    command,
    production_env,
    read_env_file,
    read_unit,
)

# --- the files --------------------------------------------------------------------------------


def test_every_service_runs_the_release_as_its_own_user_with_the_environment_file():
    for name in SERVICES:
        unit = read_unit(f"{name}.service")
        assert unit.get("Service", "User") == "aicommunity", name
        assert unit.get("Service", "WorkingDirectory") == INSTALL_DIR, name
        assert unit.get("Service", "EnvironmentFile") == ENV_FILE, name
        assert unit.get("Service", "Restart") == "on-failure", name
        assert unit.get("Install", "WantedBy") == "aicommunity.target", name
    wanted = read_unit("aicommunity.target").get("Unit", "Wants").split()
    assert sorted(wanted) == sorted(f"{name}.service" for name in SERVICES)


def test_the_environment_file_defines_what_every_unit_reads_and_is_production():
    values = read_env_file()
    for name in SERVICES:
        missing = read_unit(f"{name}.service").variables() - set(values)
        assert not missing, f"{name} reads {missing}, which {ENV_TEMPLATE.name} does not set"
    assert values["DJANGO_ENV"] == "production"
    assert values["TRUSTED_PROXY_COUNT"] == "1"  # the nginx of deploy/nginx, and nothing else
    for secret in ("SECRET_KEY", "JWT_PRIVATE_KEY", "S3_SECRET_ACCESS_KEY", "OPENAI_API_KEY"):
        assert values[secret] == "", f"the template must not ship a {secret}"


def test_the_two_worker_pools_split_the_queues_and_together_take_every_one():
    from aicommunity.settings import CELERY_QUEUES_ALL

    env = {**read_env_file(), "GENERATION_CONCURRENCY": "1", "WORKER_CONCURRENCY": "1"}
    pools = {}
    for name in ("aicommunity-worker-generation", "aicommunity-worker"):
        argv = command(read_unit(f"{name}.service"), env, hostname="h")
        pools[name] = set(argv[argv.index("--queues") + 1].split(","))
    assert pools["aicommunity-worker-generation"] == {"generation"}
    assert "generation" not in pools["aicommunity-worker"]
    assert pools["aicommunity-worker-generation"] | pools["aicommunity-worker"] == set(
        CELERY_QUEUES_ALL
    )


def test_a_stopping_worker_has_the_task_time_limit_to_finish_what_it_runs():
    """systemd kills a worker still running after TimeoutStopSec: a task its time limit still
    allows (a slow generation) would be cut off and delivered again from the start."""
    from aicommunity.settings import CELERY_TASK_TIME_LIMIT

    limit = int(read_env_file().get("CELERY_TASK_TIME_LIMIT", CELERY_TASK_TIME_LIMIT))
    for name in ("aicommunity-worker-generation", "aicommunity-worker"):
        unit = read_unit(f"{name}.service")
        assert unit.get("Service", "KillSignal") == "SIGTERM"
        assert int(unit.get("Service", "TimeoutStopSec")) > limit, name


def test_every_service_shares_the_page_cache_change_mark():
    """A change made by a worker (a generation done, a task's moderation) or by an operator's
    command moves a mark that the web processes read before reusing a page they found a
    moment ago (common/host_changes.py). By default its file is in the temporary folder,
    which PrivateTmp= makes each unit's own: the web unit never saw the other units' changes."""
    values = read_env_file()
    private = [n for n in SERVICES if read_unit(f"{n}.service").get("Service", "PrivateTmp")]
    if private:
        mark = values.get("PAGE_CACHE_LOCAL_FILE", "")
        assert mark.startswith("/var/cache/aicommunity/"), f"{private} keep /tmp to themselves"


def test_the_beat_schedule_is_kept_out_of_temporary_folders():
    schedule = read_env_file()["BEAT_SCHEDULE_FILE"]
    assert schedule.startswith("/var/lib/aicommunity/")
    beat = read_unit("aicommunity-beat.service")
    assert "${BEAT_SCHEDULE_FILE}" in beat.get("Service", "ExecStart")
    assert "/var/lib/aicommunity" in beat.get("Service", "ReadWritePaths")


def _deploy_md_commands() -> list[list[str]]:
    """The shell commands of docs/deploy.md's ```sh blocks, continuation lines joined."""
    import shlex

    docs = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", docs, re.DOTALL)
    lines = "\n".join(blocks).replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True) for line in lines if line.strip()]


def test_deploy_md_makes_every_folder_the_services_and_the_backups_write_to():
    """Each service runs as `aicommunity`, and so does the nightly backup (deploy/backup.sh's
    cron line): none of them may create a folder under /var, so step 2 makes them all."""
    commands = _deploy_md_commands()
    made = {
        folder
        for argv in commands
        if argv[:2] == ["install", "-d"] and "aicommunity" in argv
        for folder in argv
        if folder.startswith("/var/")
    }
    # The user's home, which adduser makes.
    made |= {argv[argv.index("--home") + 1] for argv in commands if argv[0] == "adduser"}
    values = read_env_file()
    backup = (Path(__file__).resolve().parents[2] / "deploy" / "backup.sh").read_text()
    [backup_dir] = re.findall(r"BACKUP_DIR=\$\{BACKUP_DIR:-([^}]+)\}", backup)
    needed = {
        "MEDIA_ROOT": values["MEDIA_ROOT"],
        "PROMETHEUS_MULTIPROC_DIR": values["PROMETHEUS_MULTIPROC_DIR"],
        "BEAT_SCHEDULE_FILE's folder": str(Path(values["BEAT_SCHEDULE_FILE"]).parent),
        "backup.sh's BACKUP_DIR": backup_dir,
    }
    for what, folder in needed.items():
        assert folder in made, f"{what} ({folder}) is not made by docs/deploy.md's step 2"


def test_deploy_md_installs_every_program_the_deploy_scripts_run():
    """A minimal Debian has neither rsync nor the PostgreSQL client unless step 1 installs
    them; backup.sh stops at the first program that is missing."""
    [packages] = [
        argv[argv.index("install") + 1 :]
        for argv in _deploy_md_commands()
        if argv[:2] == ["apt-get", "install"] and "postgresql" in argv
    ]
    backup = (Path(__file__).resolve().parents[2] / "deploy" / "backup.sh").read_text()
    provided_by = {"pg_dump": "postgresql", "rsync": "rsync"}
    for program, package in provided_by.items():
        runs = re.search(rf"^\s*{program} ", backup, re.MULTILINE)
        assert runs, f"backup.sh no longer runs {program}"
        assert package in packages, f"backup.sh runs {program}: step 1 must install {package}"


def test_operations_md_runs_the_release_as_aicommunity_beside_root_only_commands():
    """operations.md's commands run as `aicommunity`, but a block that also stops services or
    drops the database is typed as root: there each of the site's commands must say so, or
    release.sh leaves root-owned files (.venv, static files, catalogs) that the next release,
    run as `aicommunity`, cannot replace, and $DATABASE_URL is not root's."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    site_command = re.compile(r"deploy/release\.sh|manage\.py|pg_restore|\$DATABASE_URL")
    for block in re.findall(r"```sh\n(.*?)```", docs, re.DOTALL):
        if not re.search(r"^(systemctl|sudo -u postgres) ", block, re.MULTILINE):
            continue
        as_root = [
            line
            for line in block.splitlines()
            if site_command.search(line) and not line.lstrip().startswith("sudo -u aicommunity")
        ]
        assert as_root == [], "run as root in a block of root's commands"


def test_operations_md_names_the_metrics_folder_the_services_share():
    """Web and both worker pools must share one PROMETHEUS_MULTIPROC_DIR, which the
    environment file sets and deploy.md's step 2 makes. A folder of systemd's
    RuntimeDirectory= would be each unit's own, and removed when that unit stops."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    paragraph = docs[docs.index("**Several processes.**") :].split("\n\n", 1)[0]
    named = re.findall(r"`(/[^`/]+/[^`]+)`", paragraph)  # folders, not the /metrics URL
    assert named == [read_env_file()["PROMETHEUS_MULTIPROC_DIR"]], named
    for name in SERVICES:
        assert not read_unit(f"{name}.service").get("Service", "RuntimeDirectory"), name


def test_the_database_role_of_deploy_md_may_run_the_restore_check():
    """operations.md has `aicommunity` run deploy/restore_check.py, which creates and drops a
    database of its own: a role made without CREATEDB gets "permission denied to create
    database" at its first step."""
    script = Path(__file__).resolve().parents[2] / "deploy" / "restore_check.py"
    assert "CREATE DATABASE" in script.read_text()
    [createuser] = [argv for argv in _deploy_md_commands() if "createuser" in argv]
    role = createuser[createuser.index("createuser") + 1]
    assert role == "aicommunity"
    assert "--createdb" in createuser or "-d" in createuser, " ".join(createuser)


def test_operations_md_restore_reads_the_sites_variables_only_with_its_environment():
    """The restore is typed as root, whose shell has none of the environment file's values:
    `rsync … "$MEDIA_ROOT/"` there copied the media backup into / itself."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    section = docs[docs.index("**Restore for real**") : docs.index("## Upgrades")]
    loads = "sudo -u aicommunity bash -c 'set -a; . /etc/aicommunity/aicommunity.env; set +a;"
    names = "|".join(read_env_file())
    uses = [line for line in section.splitlines() if re.search(rf'"\$\{{?({names})\b', line)]
    assert uses, "the restore no longer uses the site's variables: nothing to check"
    for line in uses:
        assert line.lstrip("`").startswith(loads), line


def test_operations_md_flushes_the_redis_of_redis_url():
    """deploy.md allows a managed Redis elsewhere, with a password: `redis-cli -n 0` flushes
    database 0 of the Redis on this host, which is not the site's then (or is, unasked)."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    flushes = re.findall(r"redis-cli[^`'\n]*FLUSH\w*", docs)
    assert flushes, "operations.md no longer says how to flush the cache"
    for flush in flushes:
        assert '-u "$REDIS_URL"' in flush, flush


@pytest.mark.django_db
def test_deploy_md_health_check_answers_from_gunicorn_as_production_runs_it(client, settings):
    """Step 6 asks gunicorn for /healthz before nginx is set up. Production gunicorn answers
    only the site's host names (ALLOWED_HOSTS) and sends plain HTTP to HTTPS unless a proxy
    says it was HTTPS: the command has to say both, or it gets a 400 or a 301."""
    import shlex

    values = read_env_file()
    settings.ALLOWED_HOSTS = values["ALLOWED_HOSTS"].split(",")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    docs = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text()
    [line] = [line for line in docs.splitlines() if line.startswith("curl ") and "/healthz" in line]
    argv = shlex.split(line)
    headers = dict(
        argv[i + 1].split(": ", 1) for i, arg in enumerate(argv) if arg in ("-H", "--header")
    )
    url = urlparse(next(arg for arg in argv if arg.startswith("http")))
    assert (url.hostname, url.port) == ("127.0.0.1", int(values["WEB_BIND"].rpartition(":")[2]))
    headers.setdefault("Host", url.netloc)
    response = client.get(url.path, headers=headers, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200, response
    assert response.json()["checks"]["database"] == {"ok": True}


# --- the topology -----------------------------------------------------------------------------


def topology_env(base: Path, *, database: str, s3: str, web_port: int) -> dict[str, str]:
    """deploy/aicommunity.env with this machine's services and this test's paths filled in."""
    return production_env(
        base, **services_env(database=database, s3=s3), WEB_BIND=f"127.0.0.1:{web_port}"
    )


@dataclass
class Topology:
    url: str
    logs: Path
    env: dict[str, str]

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def topology(tmp_path_factory) -> Iterator[Topology]:
    nginx_binary()
    require_service("PostgreSQL", PG_SERVER)
    require_service("Redis", REDIS_SERVER)
    base = tmp_path_factory.mktemp("deploy-topology")
    logs = base / "logs"
    logs.mkdir()
    web_port = free_port()
    flush_redis(REDIS_CACHE_DB, REDIS_BROKER_DB)
    with ExitStack() as stack:
        database = stack.enter_context(fresh_database())
        s3 = stack.enter_context(s3_bucket())
        env = topology_env(base, database=database, s3=s3, web_port=web_port)
        release(env)
        processes = [start(name, env, logs) for name in SERVICES]
        stack.callback(lambda: [stop(p) for p in processes])
        wait_for_port(web_port, processes[0], logs / "aicommunity-web.log", timeout=60)
        nginx = stack.enter_context(
            running_nginx(
                base / "nginx",
                upstream=f"127.0.0.1:{web_port}",
                static_root=Path(env["STATIC_ROOT"]),
                media_root=Path(env["MEDIA_ROOT"]),
            )
        )
        yield Topology(url=nginx.url, logs=logs, env=env)
    flush_redis(REDIS_CACHE_DB, REDIS_BROKER_DB)


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_a_member_creates_generates_publishes_and_others_like_and_read_through_nginx(topology):
    author, fan = member_token(topology.env, "maker"), member_token(topology.env, "fan")
    api = requests.Session()
    as_author = {"Authorization": f"Bearer {author}"}
    created = api.post(
        f"{topology.url}/api/artworks/generate",
        json={"prompt": "a lighthouse at dusk, oil on canvas", "title": "Lighthouse at dusk"},
        headers=as_author,
        timeout=30,
    )
    assert created.status_code == 202, topology.log("aicommunity-web")[-4000:]
    artwork_id = created.json()["id"]

    def detail() -> dict:
        answer = api.get(f"{topology.url}/api/artworks/{artwork_id}", headers=as_author, timeout=30)
        assert answer.status_code == 200, answer.text[:2000]
        return answer.json()

    # The generation pool makes the image; the other pool makes the thumbnails.
    wait_until(
        lambda: detail()["generation_status"] == "done" and detail()["thumbnails"],
        timeout=90,
        what="generation and thumbnails",
        logs=topology.logs,
    )
    generation, other = (
        topology.log("aicommunity-worker-generation"),
        topology.log("aicommunity-worker"),
    )
    assert re.search(r"Task artworks\.tasks\.generate_\w+\[", generation)
    assert re.search(r"Task artworks\.tasks\.make_\w+\[", other)
    assert not re.search(r"Task artworks\.tasks\.make_\w+\[", generation)
    assert not re.search(r"Task artworks\.tasks\.generate_\w+\[", other)

    published = api.post(
        f"{topology.url}/api/artworks/{artwork_id}/publish", headers=as_author, timeout=30
    )
    assert published.status_code == 200, published.text[:2000]
    liked = api.post(
        f"{topology.url}/api/artworks/{artwork_id}/like",
        headers={"Authorization": f"Bearer {fan}"},
        timeout=30,
    )
    assert liked.status_code == 200, liked.text[:2000]
    assert liked.json()["like_count"] == 1

    # A visitor reads it through nginx: the feed, the page, and its image from the bucket.
    visitor = requests.Session()
    wait_until(
        lambda: any(
            item["id"] == artwork_id and item["like_count"] == 1
            for item in visitor.get(f"{topology.url}/api/feed?tab=new", timeout=30).json()["items"]
        ),
        timeout=30,
        what="the published artwork in the feed",
        logs=topology.logs,
    )
    page = visitor.get(f"{topology.url}{detail()['page_url']}", timeout=30)
    assert page.status_code == 200
    assert "Lighthouse at dusk" in page.text
    thumbnail = detail()["thumbnails"][0]["url"]
    image = visitor.get(
        thumbnail if urlparse(thumbnail).netloc else f"{topology.url}{thumbnail}", timeout=30
    )
    assert image.status_code == 200, image.url
    assert image.content[:4] in (b"RIFF", b"\xff\xd8\xff\xe0", b"\x89PNG", b"\xff\xd8\xff\xdb")
    assert urlparse(image.url).port == urlparse(topology.env["S3_ENDPOINT_URL"]).port

    # The operator's view: the requests are in /metrics (asked from loopback, through nginx,
    # whatever X-Forwarded-For the client sends: nginx replaces it).
    metrics = visitor.get(f"{topology.url}/metrics", timeout=30)
    assert metrics.status_code == 200
    assert 'aic_http_responses_total{method="POST",status="202"}' in metrics.text
    assert 'aic_celery_queue_length{queue="generation"}' in metrics.text

    # The workers' tasks too (their processes write to the same metrics folder; a task's
    # duration is recorded once it has returned, a moment after its work is visible).
    def tasks_counted() -> bool:
        text = visitor.get(f"{topology.url}/metrics", timeout=30).text
        return all(
            marker in text
            for marker in (
                'task="artworks.tasks.generate_artwork"',
                'task="artworks.tasks.make_thumbnails"',
                'aic_generations_total{outcome="done",provider="offline"}',
            )
        )

    wait_until(tasks_counted, timeout=20, what="task metrics", logs=topology.logs)
    forged = {"X-Forwarded-For": "10.0.0.1"}
    assert visitor.get(f"{topology.url}/metrics", headers=forged, timeout=30).status_code == 200
    # Beat runs, from its schedule file outside any temporary folder.
    assert Path(topology.env["BEAT_SCHEDULE_FILE"]).exists() or any(
        Path(topology.env["BEAT_SCHEDULE_FILE"]).parent.glob("celerybeat-schedule*")
    )
    assert "beat: Starting" in topology.log("aicommunity-beat")
    assert not IN_CI or "Traceback" not in topology.log("aicommunity-web")


def test_a_release_with_an_unknown_ai_provider_is_refused_by_the_check(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.AI_PROVIDER = "builtin"
    with pytest.raises(SystemCheckError, match=r"artworks\.E001"):
        call_command("check")
    settings.AI_PROVIDER = "offline"
    call_command("check")


def test_a_release_whose_ai_provider_has_no_credentials_is_refused_by_the_check(settings):
    """Workers AI without its account and token, or OpenAI's own API without a key, fails
    every generation (the member sees a failed draft); release.sh's `check --deploy` says so
    first. A self-hosted OpenAI-compatible server may need no key."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.AI_PROVIDER = "workers_ai"
    settings.WORKERS_AI_ACCOUNT_ID, settings.WORKERS_AI_API_TOKEN = "abc123", ""
    with pytest.raises(SystemCheckError, match=r"artworks\.E002.*WORKERS_AI_API_TOKEN"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
    settings.WORKERS_AI_API_TOKEN = "token"
    call_command("check", "--deploy", "--fail-level", "ERROR")
    settings.AI_PROVIDER = "openai"
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = "https://api.openai.com/v1", ""
    with pytest.raises(SystemCheckError, match=r"artworks\.E002.*OPENAI_API_KEY"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
    settings.OPENAI_BASE_URL = ""  # no address at all
    with pytest.raises(SystemCheckError, match=r"artworks\.E002.*OPENAI_BASE_URL"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
    settings.OPENAI_BASE_URL = "http://127.0.0.1:8188/v1"  # a local server of one's own
    call_command("check", "--deploy", "--fail-level", "ERROR")


def test_operations_md_says_when_a_reload_is_not_enough():
    """A reload forks new workers from gunicorn's master, which keeps every module it imported
    when it started: those of its config are the old ones after an upgrade."""
    import subprocess
    import sys

    probe = (
        "import sys, aicommunity.gunicorn_conf;"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", probe],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    assert {"celery", "django", "structlog"} <= loaded
    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    web = docs[docs.index("- **Web**: `reload`") :].split("\n- ", 1)[0]
    for named in ("requirements.txt", "aicommunity/celery.py", "common/observability/logs.py"):
        assert named in web, f"the upgrade notes do not say a change to {named} needs a restart"
    assert "systemctl restart aicommunity-web" in " ".join(web.split())
