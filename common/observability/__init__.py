"""Watching the site run: JSON logs with a request id (`logs`, `requests`), the id carried into
tasks and the tasks' metrics (`tasks`), error reports to Sentry (`errors`), Prometheus
metrics and `/metrics` (`metrics`). Settings: aicommunity/settings/observability.py."""
