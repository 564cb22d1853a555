from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArtworksConfig(AppConfig):
    name = "artworks"
    verbose_name = _("Artworks")

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers the checks; connects the receivers)
