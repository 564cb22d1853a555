"""Debian's nginx with deploy/nginx/aicommunity.conf, run by a test: rendered with the test's
paths and ports, wrapped in what Debian's /etc/nginx/nginx.conf provides, every file (pid,
logs, temporary bodies) under the test's own prefix, on a free loopback port.

The one way the tests boot nginx (tests/deploy/test_nginx.py in front of gunicorn,
tests/artworks/test_media_nginx.py in front of the site in a thread): `running_nginx`.
Without nginx a test is skipped, or fails when CI=true."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
CONF_TEMPLATE = ROOT / "deploy" / "nginx" / "aicommunity.conf"


def nginx_binary() -> str:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(binary, os.X_OK):
        message = "nginx is not installed (scripts/test_setup.sh installs Debian's nginx)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it")
        pytest.skip(message)
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port} after {timeout} s:\n{log.read_text()[-3000:]}")


def render_conf(
    *, listen: str, upstream: str, static_root: Path, media_root: Path, server_name: str = "_"
) -> str:
    """The template with its placeholders filled; `upstream` may name several servers
    (space-separated host:port), each then a `server` line of the upstream block."""
    text = CONF_TEMPLATE.read_text()
    line = "    server @@UPSTREAM@@ fail_timeout=0;\n"
    assert line in text, "the upstream block's server line changed"
    servers = upstream.split()
    text = text.replace(line, "".join(line.replace("@@UPSTREAM@@", s) for s in servers))
    upstream = servers[0]
    for name, value in {
        "LISTEN": listen,
        "SERVER_NAME": server_name,
        "UPSTREAM": upstream,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
    }.items():
        text = text.replace(f"@@{name}@@", value)
    assert "@@" not in text, "a placeholder the test does not know of"
    return text


def nginx_main_conf(prefix: Path, site_conf: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, with every path in prefix."""
    # As root, workers would drop to `nobody`, who cannot enter pytest's private tmp dirs.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\n"
        f"pid {prefix}/nginx.pid;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n"
        "  default_type application/octet-stream;\n"
        f"  access_log {prefix}/access.log;\n"
        f"  client_body_temp_path {prefix}/client_body;\n"
        f"  proxy_temp_path {prefix}/proxy;\n"
        f"  fastcgi_temp_path {prefix}/fastcgi;\n"
        f"  uwsgi_temp_path {prefix}/uwsgi;\n"
        f"  scgi_temp_path {prefix}/scgi;\n"
        f"  include {site_conf};\n"
        "}\n"
    )


@dataclass
class Nginx:
    port: int
    process: subprocess.Popen
    prefix: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_nginx(prefix: Path, *, upstream: str, static_root: Path, media_root: Path) -> Nginx:
    binary = nginx_binary()
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = prefix / "aicommunity.conf"
    site.write_text(
        render_conf(
            listen=f"127.0.0.1:{port}",
            upstream=upstream,
            static_root=static_root,
            media_root=media_root,
        )
    )
    main = prefix / "nginx.conf"
    main.write_text(nginx_main_conf(prefix, site))
    error_log = prefix / "error.log"
    command = [binary, "-p", str(prefix), "-c", str(main), "-e", str(error_log)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    wait_for_port(port, process, error_log)
    return Nginx(port=port, process=process, prefix=prefix)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_nginx(
    prefix: Path, *, upstream: str, static_root: Path, media_root: Path
) -> Iterator[Nginx]:
    """The deploy config in front of `upstream` (host:port), stopped on leaving."""
    nginx = start_nginx(prefix, upstream=upstream, static_root=static_root, media_root=media_root)
    try:
        yield nginx
    finally:
        stop(nginx.process)
