"""The site's own settings with its catalogs nowhere to be found (LOCALE_PATHS: the folder in
NO_CATALOG_DIR), for the test that production then refuses to start."""

import os

from aicommunity.settings import *  # noqa: F403

LOCALE_PATHS = [os.environ["NO_CATALOG_DIR"]]
