from django.urls import path

from . import edit_views, editor_views, reaction_views, views

app_name = "artworks"

# The author's actions live under /artwork/<id>/actions/…: three segments, so that no slug of
# the two-segment detail URL can ever collide with them.
urlpatterns = [
    path("create", editor_views.create, name="create"),
    path("tags/suggest", views.tag_suggestions, name="tag_suggestions"),
    path("artwork/<int:artwork_id>", views.artwork_detail, name="detail_short"),
    path("artwork/<int:artwork_id>/<str:slug>", views.artwork_detail, name="detail"),
    # Pages of one artwork, under its address (a wrong slug redirects to the right one).
    path("artwork/<int:artwork_id>/<str:slug>/edit", edit_views.edit, name="edit"),
    path("artwork/<int:artwork_id>/<str:slug>/remixes", views.artwork_remixes, name="remixes"),
    path("artwork/<int:artwork_id>/actions/publish", editor_views.publish, name="publish"),
    path("artwork/<int:artwork_id>/actions/unpublish", editor_views.unpublish, name="unpublish"),
    path("artwork/<int:artwork_id>/actions/delete", editor_views.delete, name="delete"),
    path(
        "artwork/<int:artwork_id>/actions/prompt",
        editor_views.prompt_visibility,
        name="prompt_visibility",
    ),
    path(
        "artwork/<int:artwork_id>/actions/download",
        views.download_original,
        name="download_original",
    ),
    path("artwork/<int:artwork_id>/actions/retry", editor_views.retry_generation, name="retry"),
    path("artwork/<int:artwork_id>/actions/like", reaction_views.like, name="like"),
    path("artwork/<int:artwork_id>/actions/unlike", reaction_views.unlike, name="unlike"),
    path("artwork/<int:artwork_id>/actions/favorite", reaction_views.favorite, name="favorite"),
    path(
        "artwork/<int:artwork_id>/actions/unfavorite",
        reaction_views.unfavorite,
        name="unfavorite",
    ),
    path(
        "artwork/<int:artwork_id>/actions/status",
        editor_views.generation_status,
        name="generation_status",
    ),
]
