from django.urls import path

from . import comment_views, views

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
