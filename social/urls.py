from django.urls import path

from . import collection_views, comment_views, views

app_name = "social"

# Under /user/<username>/…: two segments, beside the profile (/user/<username>, feed:profile).
urlpatterns = [
    path("user/<str:username>/follow", views.follow, name="follow"),
    path("user/<str:username>/unfollow", views.unfollow, name="unfollow"),
    path("user/<str:username>/followers", views.followers, name="followers"),
    path("user/<str:username>/following", views.following, name="following"),
    path("user/<str:username>/block", views.block, name="block"),
    path("user/<str:username>/unblock", views.unblock, name="unblock"),
    path("user/<str:username>/mute", views.mute, name="mute"),
    path("user/<str:username>/unmute", views.unmute, name="unmute"),
    # A member's collections; the owner's actions are POSTs under the collection's address
    # (its Atom feed, …/feed.atom, is the read side's: feed:collection_atom).
    path("user/<str:username>/collections", collection_views.collections, name="collections"),
    path(
        "user/<str:username>/collections/<str:slug>",
        collection_views.collection,
        name="collection",
    ),
    path(
        "user/<str:username>/collections/<str:slug>/edit",
        collection_views.collection_edit,
        name="collection_edit",
    ),
    path(
        "user/<str:username>/collections/<str:slug>/delete",
        collection_views.collection_delete,
        name="collection_delete",
    ),
    path(
        "user/<str:username>/collections/<str:slug>/remove",
        collection_views.collection_remove,
        name="collection_remove",
    ),
    # The artwork page's save control.
    path(
        "artwork/<int:artwork_id>/collections/save",
        collection_views.artwork_save,
        name="artwork_save",
    ),
    path(
        "artwork/<int:artwork_id>/collections/new",
        collection_views.artwork_save_new,
        name="artwork_save_new",
    ),
    # Comments on an artwork's page: three segments under /artwork/<id>/, beside the
    # author's actions (/artwork/<id>/actions/…), so no slug of the detail URL collides.
    path("artwork/<int:artwork_id>/comments/post", comment_views.comment_post, name="comment_post"),
    path(
        "artwork/<int:artwork_id>/comments/more",
        comment_views.comments_more,
        name="comments_more",
    ),
    path("comment/<int:comment_id>/delete", comment_views.comment_delete, name="comment_delete"),
    # The member's own settings, beside accounts' (/settings/profile).
    path("settings/blocked", views.settings_blocked, name="settings_blocked"),
    path("settings/muted", views.settings_muted, name="settings_muted"),
]
