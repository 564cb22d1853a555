from django.apps import AppConfig


class ArtworksConfig(AppConfig):
    name = "artworks"
    verbose_name = "Artworks"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the cache invalidation receivers)
