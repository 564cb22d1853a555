from django.contrib import admin

from .models import Artwork, Favorite, Like


@admin.register(Artwork)
class ArtworkAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "user",
        "status",
        "moderation",
        "kind",
        "source",
        "like_count",
        "favorite_count",
        "created_at",
    )
    list_filter = ("status", "moderation", "kind", "source", "created_at")
    search_fields = ("title", "prompt", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "uuid",
        "like_count",
        "favorite_count",
        "hot_score",
        "created_at",
        "updated_at",
        "published_at",
        "thumbnails",
    )


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ("user", "artwork", "created_at")
    list_select_related = ("user", "artwork")
    raw_id_fields = ("user", "artwork")


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ("user", "artwork", "created_at")
    list_select_related = ("user", "artwork")
    raw_id_fields = ("user", "artwork")
