"""{% artwork_card artwork sizes=… eager=… hide_author=… show_owner_actions=… %}: one artwork's
card (components/card.html), from the card cache where it can be (artworks/cards.py)."""

from __future__ import annotations

from django import template
from django.template import Context
from django.utils.safestring import SafeString

from artworks.cards import render_card
from artworks.models import Artwork

register = template.Library()


@register.simple_tag(takes_context=True)
def artwork_card(
    context: Context,
    artwork: Artwork,
    sizes: str | None = None,
    eager: bool = False,
    hide_author: bool = False,
    show_owner_actions: bool = False,
) -> SafeString:
    return render_card(
        context,
        artwork,
        sizes=sizes or "grid",
        eager=bool(eager),
        hide_author=bool(hide_author),
        show_owner_actions=bool(show_owner_actions),
    )
