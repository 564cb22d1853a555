from django.apps import AppConfig


class ArtworksConfig(AppConfig):
    name = "artworks"
    verbose_name = "Artworks"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers the checks; connects the receivers)
