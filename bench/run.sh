#!/usr/bin/env bash
# Throughput of the site against the smallest Django app, served the same way (gunicorn,
# same worker count, same machine, same run), measured with wrk.
#
#   bench/run.sh                 # uses DATABASE_URL / REDIS_URL from the environment
#   WORKERS=4 DURATION=15s bench/run.sh
#
# Needs: wrk (Debian package), a seeded database (make run / seed_demo).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
WORKERS=${WORKERS:-4}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
BASE_PORT=8301
SITE_PORT=8302
export DEBUG=false
# The write rate limit would answer 429 to a load test of one user; lift it for the run.
export RATE_LIMIT_REACTIONS_PER_MINUTE=1000000000

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
$BIN/python manage.py collectstatic --noinput -v0
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py seed_demo >/dev/null

$BIN/gunicorn bench.minimal_app:application --workers "$WORKERS" --bind 127.0.0.1:$BASE_PORT \
  --log-level warning &
BASE_PID=$!
$BIN/gunicorn aicommunity.wsgi --workers "$WORKERS" --bind 127.0.0.1:$SITE_PORT \
  --log-level warning &
SITE_PID=$!
trap 'kill $BASE_PID $SITE_PID 2>/dev/null || true' EXIT
sleep 3

# A signed-in session and its CSRF token, for the signed-in pages and POST like.
read -r SESSION CSRF ARTWORK_PATH ARTWORK_ID USERNAME < <($BIN/python manage.py shell --no-imports -v 0 -c '
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string
from artworks.selectors import artworks_public
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
user = get_user_model().objects.get(username="aurora")
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
art = artworks_public().exclude(user=user).order_by("-hot_score").first()
print(s.session_key, _get_new_csrf_string(), art.get_absolute_url(), art.pk, art.user.username)
')

cat > /tmp/aic-like.lua <<LUA
wrk.method = "POST"
wrk.headers["Cookie"] = "sessionid=$SESSION; csrftoken=$CSRF"
wrk.headers["X-CSRFToken"] = "$CSRF"
wrk.headers["Referer"] = "http://127.0.0.1:$SITE_PORT/"
LUA

run() {  # label url [extra wrk args...]
  local label=$1 url=$2; shift 2
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  printf "%-28s %10s req/s   p99 %8s   non-2xx %s\n" "$label" "$rps" "$p99" "${non2xx:-0}"
  echo "$rps" > "/tmp/aic-bench-$label"
}

echo "workers=$WORKERS connections=$CONNECTIONS duration=$DURATION"
run baseline "http://127.0.0.1:$BASE_PORT/"
run feed_anonymous "http://127.0.0.1:$SITE_PORT/feed"
run artwork_anonymous "http://127.0.0.1:$SITE_PORT$ARTWORK_PATH"
run profile_anonymous "http://127.0.0.1:$SITE_PORT/user/$USERNAME"
run feed_signed_in "http://127.0.0.1:$SITE_PORT/feed" -H "Cookie: sessionid=$SESSION"
run like_post "http://127.0.0.1:$SITE_PORT/api/artworks/$ARTWORK_ID/like" -s /tmp/aic-like.lua

base=$(cat /tmp/aic-bench-baseline)
echo
for label in feed_anonymous artwork_anonymous profile_anonymous feed_signed_in like_post; do
  awk -v l="$label" -v r="$(cat /tmp/aic-bench-$label)" -v b="$base" \
    'BEGIN { printf "%-28s %.2f of baseline\n", l, r / b }'
done
