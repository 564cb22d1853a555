"""deploy/nginx/aicommunity.conf as a file: it renders to a configuration Debian's nginx
accepts, and its body cap fits the largest upload the site accepts."""

from __future__ import annotations

import re
import subprocess

from django.conf import settings

from tests.deploy.nginx import CONF_TEMPLATE, nginx_binary, nginx_main_conf, render_conf

UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def test_the_body_cap_admits_the_largest_upload_and_little_more():
    match = re.search(r"^\s*client_max_body_size\s+(\d+)([kmg]?);", CONF_TEMPLATE.read_text(), re.M)
    assert match, "the config sets no client_max_body_size"
    cap = int(match.group(1)) * UNITS[match.group(2)]
    # Room for the multipart envelope around the largest video, and not much more.
    assert settings.UPLOAD_MAX_VIDEO_BYTES < cap <= settings.UPLOAD_MAX_VIDEO_BYTES + 2 * 1024**2


def test_the_client_sent_forwarded_for_is_replaced_not_appended():
    text = CONF_TEMPLATE.read_text()
    assert re.search(r"^\s*proxy_set_header X-Forwarded-For \$remote_addr;", text, re.M)
    assert not re.search(r"^\s*proxy_set_header[^#\n]*\$proxy_add_x_forwarded_for", text, re.M)


def test_the_rendered_config_passes_nginx_t(tmp_path):
    binary = nginx_binary()
    site = tmp_path / "aicommunity.conf"
    site.write_text(
        render_conf(
            listen="127.0.0.1:8080",
            upstream="unix:/run/aicommunity/gunicorn.sock",
            server_name="art.example.com",
            static_root=tmp_path / "static",
            media_root=tmp_path / "media",
        )
    )
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main_conf(tmp_path, site))
    result = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_shown_way_of_filling_the_config_points_nginx_at_the_gunicorn_the_units_run():
    """The config's header and docs/deploy.md each show the sed line that fills it: nginx's
    upstream must be where the web unit binds gunicorn (WEB_BIND of the environment file), or
    every request is a 502."""
    from pathlib import Path

    from tests.deploy.units import read_env_file, read_unit

    root = Path(__file__).resolve().parents[2]
    bind = read_env_file()["WEB_BIND"]
    assert "${WEB_BIND}" in read_unit("aicommunity-web.service").get("Service", "ExecStart")
    for source in (CONF_TEMPLATE, root / "docs" / "deploy.md"):
        upstreams = re.findall(r"s\|@@UPSTREAM@@\|([^|]+)\|g", source.read_text())
        assert upstreams, f"{source.name} shows no sed line for @@UPSTREAM@@"
        for upstream in upstreams:
            assert upstream == bind, f"{source.name}: nginx to {upstream}, gunicorn on {bind}"
