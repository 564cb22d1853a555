"""The create page's forms. They only parse input; validation of files and generation
parameters happens in the services, whose errors the views attach to these forms."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.text import title_clean

from .models import TAGS_PER_ARTWORK, Artwork
from .services import MAX_SEED, TEXT_FIELDS, text_clean
from .tags import tags_clean, tags_split
from .uploads import ACCEPTED_HELP, IMAGE_FORMATS

# What the file pickers offer (a phone's picker and a desktop's dialog keep to these): the
# formats the upload services take.
IMAGE_ACCEPT = ",".join(content_type for _ext, content_type in IMAGE_FORMATS.values())
UPLOAD_ACCEPT = f"{IMAGE_ACCEPT},video/mp4,video/webm"

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
    # What a member types. Without control characters before anything reads it, as the
    # services store it: a form shown again with an error repeats it into the page.
    TYPED = ("title", "description", "alt_text", "tags", "prompt", "negative_prompt")

    def __init__(self, data: QueryDict | None = None, *args: object, **kwargs: object) -> None:
        if data is not None:
            data = data.copy()
            for name in self.TYPED:
                if name in data:
                    data.setlist(name, [text_clean(value) for value in data.getlist(name)])
        super().__init__(data, *args, **kwargs)
        # Formatted per request: formatting at import time would freeze it in one language.
        self.fields["tags"].help_text = _(
            "Optional. Up to %(max)d, separated by commas: landscape, 日落, neon city."
        ) % {"max": TAGS_PER_ARTWORK}

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

    rating = forms.ChoiceField(
        label=_("Rating"),
        choices=Artwork.Rating.choices,
        initial=Artwork.Rating.GENERAL,
        required=False,  # left out (an older client): general
        help_text=_(
            "General: fine for everyone. Mature: nudity that is not sexual, strong violence. "
            "Explicit: sexual content, graphic violence. Only members who opt in see mature "
            "and explicit work."
        ),
        error_messages={"invalid_choice": _("Choose a rating: general, mature or explicit.")},
    )

    def clean_rating(self) -> str:
        return self.cleaned_data.get("rating") or Artwork.Rating.GENERAL

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
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("Optional: an image to start from (JPEG, PNG, WebP, GIF or AVIF)."),
    )
    prompt_hidden = forms.BooleanField(
        label=_("Hide the prompt from others"),
        required=False,
        help_text=_("Only you will see the prompt, negative prompt and seed."),
    )

    # The artwork this one remixes (its id), carried from /create?remix=<id> to the POST.
    remix_of = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    field_order = [
        "prompt",
        "negative_prompt",
        "size",
        "seed",
        "reference_image",
        "title",
        "description",
        "alt_text",
        "rating",
        "prompt_hidden",
    ]

    def __init__(self, *args: object, remix: Artwork | None = None, **kwargs: object) -> None:
        """`remix`: the artwork being remixed (allowed by the view): the form starts from its
        prompt and parameters, and offers its size when that is none of the usual ones."""
        if remix is not None:
            kwargs["initial"] = {
                "prompt": remix.prompt,
                "negative_prompt": remix.negative_prompt,
                "size": remix.size or "1024x1024",
                "seed": remix.seed,
                "remix_of": remix.pk,
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        if remix is not None and remix.size and remix.size not in dict(SIZE_CHOICES):
            width, _sep, height = remix.size.partition("x")
            label = _("As the original (%(width)s × %(height)s)") % {
                "width": width,
                "height": height,
            }
            self.fields["size"].choices = [(remix.size, label), *SIZE_CHOICES]

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
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )
    # A choice the uploader must make (no default): the page, the API and the files say it.
    ai_used = forms.ChoiceField(
        label=_("Was AI used to make it?"),
        choices=AI_USE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("Work made with AI is labelled “Made with AI” on its page and in its files."),
        error_messages={"required": _("Say whether AI was used to make it.")},
    )

    field_order = ["file", "ai_used", "title", "description", "alt_text", "rating"]

    def clean_ai_used(self) -> bool:
        return self.cleaned_data["ai_used"] == "yes"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request: formatting at import time would freeze it in one language
        # (and the limits are the site's settings).
        seconds = settings.UPLOAD_MAX_VIDEO_SECONDS
        self.fields["file"].help_text = ngettext(
            "%(types)s. Images up to %(image_size)s; videos up to %(video_size)s and "
            "%(seconds)s second.",
            "%(types)s. Images up to %(image_size)s; videos up to %(video_size)s and "
            "%(seconds)s seconds.",
            seconds,
        ) % {
            "types": ACCEPTED_HELP,
            "image_size": filesizeformat(settings.UPLOAD_MAX_IMAGE_BYTES),
            "video_size": filesizeformat(settings.UPLOAD_MAX_VIDEO_BYTES),
            "seconds": seconds,
        }
        # An upload has no prompt to be titled after.
        self.fields["title"].help_text = _("Optional. Left blank, the work is called “Untitled”.")


class ArtworkEditForm(_ArtworkDetailsForm):
    """What the author changes after publishing (or on a draft): the text, the tags, the
    rating, and whether the prompt is shown — the last only for whoever may choose it
    (`show_prompt_choice`: the author of an artwork with a prompt)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    rating = forms.ChoiceField(
        label=_("Rating"),
        choices=Artwork.Rating.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "General is for everyone; mature and explicit work is shown only to members "
            "who choose to see it."
        ),
        error_messages={"invalid_choice": _("Choose a rating: general, mature or explicit.")},
    )
    prompt_hidden = forms.BooleanField(
        label=_("Hide the prompt from others"),
        required=False,
        help_text=_("Only you will see the prompt, negative prompt and seed."),
    )

    field_order = ["title", "description", "alt_text", "tags", "rating", "prompt_hidden"]

    def __init__(
        self, *args: object, artwork: Artwork, show_prompt_choice: bool, **kwargs: object
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": artwork.title,
                "description": artwork.description,
                "alt_text": artwork.alt_text,
                "tags": ", ".join(artwork.tag_names or []),
                "rating": artwork.rating,
                "prompt_hidden": artwork.prompt_hidden,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["tags"].help_text = _("Up to %(max)d, separated by commas.") % {
            "max": TAGS_PER_ARTWORK
        }
        if not show_prompt_choice:
            del self.fields["prompt_hidden"]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the artwork a title."))
        return title

    def changes(self) -> dict[str, object]:
        """The fields for `artwork_edit` (the tags go to `artwork_set_tags`)."""
        return {
            name: self.cleaned_data[name]
            for name in ("title", "description", "alt_text", "rating", "prompt_hidden")
            if name in self.fields
        }


class ArtworkAdminForm(forms.ModelForm):
    """The admin's artwork form. A title is checked as `artwork_edit` stores it
    (`title_clean`), so one of control or invisible characters alone is a form error, as a
    blank one is, not a failure of the service after the form was accepted."""

    class Meta:
        model = Artwork
        fields = TEXT_FIELDS  # what staff may correct; the rest goes through actions

    def clean_title(self) -> str:
        title = title_clean(self.cleaned_data.get("title") or "")
        if not title:
            raise forms.ValidationError(_("Give the artwork a title."))
        return title
