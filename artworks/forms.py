"""The create page's forms. They only parse input; validation of files and generation
parameters happens in the services, whose errors the views attach to these forms."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .models import TAGS_PER_ARTWORK
from .services import MAX_SEED
from .tags import tags_clean, tags_split
from .uploads import ACCEPTED_HELP

# Sizes most image models are trained on, by aspect ratio.
SIZE_CHOICES = [
    ("1024x1024", _("Square 1:1 (1024 × 1024)")),
    ("1152x896", _("Landscape 4:3 (1152 × 896)")),
    ("1216x832", _("Landscape 3:2 (1216 × 832)")),
    ("1344x768", _("Widescreen 16:9 (1344 × 768)")),
    ("896x1152", _("Portrait 3:4 (896 × 1152)")),
    ("832x1216", _("Portrait 2:3 (832 × 1216)")),
    ("768x1344", _("Tall 9:16 (768 × 1344)")),
]


class _ArtworkDetailsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Optional. Generated works are titled after the prompt."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    alt_text = forms.CharField(
        label=_("Alt text"),
        max_length=300,
        required=False,
        help_text=_("Describe the picture for people who cannot see it."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=600,
        required=False,
        help_text=_("Optional. Up to %(max)d, separated by commas: landscape, 日落, neon city.")
        % {"max": TAGS_PER_ARTWORK},
        # With JavaScript, the tags in use that start with the last one typed are offered.
        widget=forms.TextInput(
            attrs={
                "list": "tag-suggestions",
                "autocomplete": "off",
                "data-hx-get": reverse_lazy("artworks:tag_suggestions"),
                "data-hx-trigger": "input changed delay:250ms",
                "data-hx-target": "#tag-suggestions",
                "data-hx-swap": "innerHTML",
            }
        ),
    )

    def clean_tags(self) -> list[str]:
        return tags_clean(tags_split(self.cleaned_data.get("tags", "")))


class GenerateForm(_ArtworkDetailsForm):
    prompt = forms.CharField(
        label=_("Prompt"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Describe the picture you want."),
    )
    negative_prompt = forms.CharField(
        label=_("Negative prompt"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: what the picture should not contain."),
    )
    size = forms.ChoiceField(label=_("Size"), choices=SIZE_CHOICES, initial="1024x1024")
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text=_("Optional: the same prompt and seed give the same picture."),
    )
    reference_image = forms.FileField(
        label=_("Reference image"),
        required=False,
        help_text=_("Optional: an image to start from (JPEG, PNG, WebP, GIF or AVIF)."),
    )
    prompt_hidden = forms.BooleanField(
        label=_("Hide the prompt from others"),
        required=False,
        help_text=_("Only you will see the prompt, negative prompt and seed."),
    )

    field_order = [
        "prompt",
        "negative_prompt",
        "size",
        "seed",
        "reference_image",
        "title",
        "description",
        "alt_text",
        "prompt_hidden",
    ]

    def dimensions(self) -> tuple[int, int]:
        width, _sep, height = self.cleaned_data["size"].partition("x")
        return int(width), int(height)


AI_USE_CHOICES = [
    ("yes", _("Yes, it was made with AI")),
    ("no", _("No, it was made without AI")),
]


class UploadForm(_ArtworkDetailsForm):
    file = forms.FileField(
        label=_("Image or video"),
        # An empty upload reaches the service, which answers with the same message as the API.
        allow_empty_file=True,
    )
    # A choice the uploader must make (no default): the page, the API and the files say it.
    ai_used = forms.ChoiceField(
        label=_("Was AI used to make it?"),
        choices=AI_USE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("Work made with AI is labelled “Made with AI” on its page and in its files."),
        error_messages={"required": _("Say whether AI was used to make it.")},
    )

    field_order = ["file", "ai_used", "title", "description", "alt_text"]

    def clean_ai_used(self) -> bool:
        return self.cleaned_data["ai_used"] == "yes"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request: formatting at import time would freeze it in one language.
        self.fields["file"].help_text = _(
            "%(types)s. Images up to the size limit; videos up to a minute."
        ) % {"types": ACCEPTED_HELP}
