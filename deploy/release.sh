#!/usr/bin/env bash
# One release of AI Community on a host set up by docs/deploy.md, run as the aicommunity user
# from the checkout (/srv/aicommunity) with the production environment loaded:
#
#   sudo -u aicommunity bash -c 'set -a; . /etc/aicommunity/aicommunity.env; set +a; deploy/release.sh'
#
# then `sudo systemctl reload aicommunity-web` and restart the workers and beat (docs/operations.md
# has the order). Safe to run again: every step is idempotent.
# SKIP_INSTALL=1 skips the pip step (the test that boots the deploy topology sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

if [[ "${SKIP_INSTALL:-}" != "1" ]]; then
  [[ -x .venv/bin/python ]] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
fi
# The catalogs (.mo files are not in git): without them every page would be in English.
"$PYTHON" scripts/compile_messages.py
"$PYTHON" manage.py collectstatic --noinput -v0
"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py check --deploy --fail-level ERROR
