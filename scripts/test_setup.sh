#!/usr/bin/env bash
# Tools the tests need beyond Python: Debian's Chromium (browser tests), Java (the Nu HTML
# checker), nginx (the reverse-proxy tests), redis-server (the Redis outage test) and the pinned
# npm test tools (vnu-jar, axe-core). Installs only what is missing, so a prepared machine pays
# nothing; CI runs as root and may use apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=()
[[ -x /usr/bin/chromium ]] || apt_packages+=(chromium chromium-driver)
command -v java >/dev/null 2>&1 || apt_packages+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)
# nginx in front of the site (protected media through X-Accel-Redirect).
[[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null 2>&1 || apt_packages+=(nginx)
# The Redis outage test starts (and kills) a redis-server of its own.
command -v redis-server >/dev/null 2>&1 || apt_packages+=(redis-server)
# GNU time: bench/upload_memory.py (and its slow test) reads each process's peak memory.
[[ -x /usr/bin/time ]] || apt_packages+=(time)
# Chinese glyphs for the zh-hans screenshots.
fc-list 2>/dev/null | grep -i "cjk" >/dev/null || apt_packages+=(fonts-noto-cjk)

if ((${#apt_packages[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${apt_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  else
    echo "missing ${apt_packages[*]} and cannot apt-get install (not root): page tools tests will skip or fail" >&2
  fi
fi

if [[ ! -d node_modules/vnu-jar || ! -d node_modules/axe-core ]]; then
  # --ignore-scripts: vnu-jar's postinstall would download a Java runtime; Debian's is used.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
