"""The AI provider: the built-in offline generator by default, an OpenAI-compatible Images API
or Cloudflare Workers AI by `AI_PROVIDER`."""

from __future__ import annotations

from .base import env

AI_PROVIDER = env.str("AI_PROVIDER", default="offline")  # offline | openai | workers_ai
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_IMAGE_MODEL = env.str("OPENAI_IMAGE_MODEL", default="gpt-image-1")
WORKERS_AI_ACCOUNT_ID = env.str("WORKERS_AI_ACCOUNT_ID", default="")
WORKERS_AI_API_TOKEN = env.str("WORKERS_AI_API_TOKEN", default="")
WORKERS_AI_MODEL = env.str(
    "WORKERS_AI_MODEL", default="@cf/stabilityai/stable-diffusion-xl-base-1.0"
)
# Overridable so that a proxy (or a local test server) can stand in for Cloudflare's API.
WORKERS_AI_BASE_URL = env.str("WORKERS_AI_BASE_URL", default="https://api.cloudflare.com/client/v4")
# Seconds a provider has for its whole answer (not only between two of its bytes).
AI_PROVIDER_TIMEOUT = env.float("AI_PROVIDER_TIMEOUT", default=60.0)
AI_PROVIDER_MAX_RETRIES = env.int("AI_PROVIDER_MAX_RETRIES", default=3)
# First wait before retrying a 429/5xx/timeout; doubles on every attempt (capped at 60 s).
AI_PROVIDER_BACKOFF_SECONDS = env.float("AI_PROVIDER_BACKOFF_SECONDS", default=1.0)
