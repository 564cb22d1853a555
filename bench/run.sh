#!/usr/bin/env bash
# Throughput and latency of the site against the smallest Django app, served the same way
# (gunicorn, same worker count, same machine, same run), measured with wrk, on the embedded
# defaults and on PostgreSQL + Redis; medians of three rounds, then the cold start.
#
#   bench/run.sh                                   # both topologies, 3 rounds of 8 s a row
#   bench/run.sh --topology embedded --rounds 1    # any option of bench/bench.py
#   DURATION=15s WORKERS=4 bench/run.sh
#
# Installs wrk (Debian package) when missing and running as root; sets up .venv like `make`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is needed: apt-get install -y wrk" >&2
    exit 1
  fi
fi
make --no-print-directory install messages >/dev/null
exec .venv/bin/python bench/bench.py "$@"
