"""
The StreamField vocabulary shared by every content page.

Each block has a template in `templates/blocks/`, an icon, a description and a
preview value, so that editors see in the block picker what a block looks like
before they place it. `BaseStreamBlock` is the one shared vocabulary; campaign
pages add the campaign quiz to it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


def field_error(field, message):
    """A StructBlock validation error shown next to one of its fields."""
    return StructBlockValidationError({field: ValidationError(message)})


RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]
VIDEO_EXTENSIONS = (".mp4", ".webm")


class HeadingBlock(blocks.StructBlock):
    """A section heading; its level keeps the page outline right for screen readers."""

    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section")), ("h3", _("Subsection"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        label = _("Heading")
        description = _("A section heading.")
        preview_value = {"text": "有限空间作业“七不准”", "level": "h2"}


class RichTextBlock(blocks.RichTextBlock):
    """Paragraphs, lists and links."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "blocks/rich_text.html"
        label = _("Text")
        description = _("Paragraphs with lists and links.")
        preview_value = (
            "<p>进入有限空间作业前，必须严格执行“先通风、再检测、后作业”的原则，"
            "未经通风和检测合格，严禁作业人员进入。</p>"
        )


class ImageBlock(blocks.StructBlock):
    """One image with a caption and its source."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Description for screen readers"),
        required=False,
        help_text=_("Leave empty to use the image's own description."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)
    attribution = blocks.CharBlock(label=_("Source"), required=False, max_length=120)

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        label = _("Image")
        description = _("An image with a caption.")


class GalleryImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=120)

    class Meta:
        icon = "image"


class GalleryBlock(blocks.StructBlock):
    """A grid of photos, e.g. of an exhibition or a drill."""

    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    images = blocks.ListBlock(GalleryImageBlock(), label=_("Images"), min_num=2)

    class Meta:
        icon = "grid"
        template = "blocks/gallery.html"
        label = _("Gallery")
        description = _("A grid of photos with captions.")


class VideoBlock(blocks.StructBlock):
    """
    A video file uploaded to the document library and played by the browser
    itself: no third-party player or embed that needs the internet.
    """

    video = DocumentChooserBlock(
        label=_("Video file"), help_text=_("An MP4 or WebM file from the document library.")
    )
    poster = ImageChooserBlock(label=_("Poster image"), required=False)
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)
    transcript = blocks.TextBlock(label=_("Transcript"), required=False)

    def clean(self, value):
        value = super().clean(value)
        video = value.get("video")
        if video and not video.file.name.lower().endswith(VIDEO_EXTENSIONS):
            raise field_error("video", _("Choose an MP4 or WebM video file."))
        return value

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")
        description = _("A video file played in the page, with an optional transcript.")


class DocumentDownloadBlock(blocks.StructBlock):
    """A document to download, with its type and size shown before the click."""

    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Title"), required=False, help_text=_("Leave empty to use the document's title.")
    )
    description = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "download"
        template = "blocks/document_download.html"
        label = _("Document download")
        description = _("A link to download a document, with its file type and size.")


class CallToActionBlock(blocks.StructBlock):
    """A boxed invitation to do one thing: take a quiz, book an exam, read a guide."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=40)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.CharBlock(
        label=_("Or an address"), required=False, help_text=_("e.g. /accounts/login/")
    )

    def clean(self, value):
        value = super().clean(value)
        url = value.get("url", "")
        if url and not url.startswith(("/", "https://", "http://")) or url.startswith("//"):
            raise field_error("url", _("Enter an address starting with /, http:// or https://."))
        if bool(value.get("page")) == bool(value.get("url")):
            raise StructBlockValidationError(
                non_block_errors=[
                    ValidationError(_("Choose a page or enter an address, not both."))
                ]
            )
        return value

    class Meta:
        icon = "link"
        template = "blocks/call_to_action.html"
        label = _("Call to action")
        description = _("A highlighted box with one button.")
        preview_value = {
            "title": "参加“5·12”防灾减灾知识竞答",
            "text": "10 道题，答对 8 道即可获得“安全之星”称号。",
            "button_label": "开始答题",
            "url": "/",
        }


class ScheduleItemBlock(blocks.StructBlock):
    date = blocks.DateBlock(label=_("Date"))
    time = blocks.CharBlock(label=_("Time"), required=False, max_length=40)
    title = blocks.CharBlock(label=_("Activity"), max_length=120)
    place = blocks.CharBlock(label=_("Place"), required=False, max_length=120)

    class Meta:
        icon = "time"


class EventScheduleBlock(blocks.StructBlock):
    """The programme of a campaign: what happens when and where."""

    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    items = blocks.ListBlock(ScheduleItemBlock(), label=_("Activities"), min_num=1)

    class Meta:
        icon = "calendar-alt"
        template = "blocks/event_schedule.html"
        label = _("Event schedule")
        description = _("A dated list of activities.")
        preview_value = {
            "title": "活动安排",
            "items": [
                {
                    "date": datetime.date(2026, 5, 12),
                    "time": "9:00",
                    "title": "应急疏散演练",
                    "place": "区政府广场",
                },
                {
                    "date": datetime.date(2026, 5, 12),
                    "time": "14:00",
                    "title": "安全知识讲座",
                    "place": "区文化中心",
                },
            ],
        }


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("Figure"), max_length=20)
    label = blocks.CharBlock(label=_("What it counts"), max_length=60)

    class Meta:
        icon = "decimal"


class KeyFiguresBlock(blocks.StructBlock):
    """A few large numbers: people trained, drills held, companies inspected."""

    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    figures = blocks.ListBlock(KeyFigureBlock(), label=_("Figures"), min_num=1, max_num=6)

    class Meta:
        icon = "decimal"
        template = "blocks/key_figures.html"
        label = _("Key figures")
        description = _("Up to six large numbers with labels.")
        preview_value = {
            "title": "2025 年成效",
            "figures": [
                {"value": "12,600", "label": "从业人员参加培训"},
                {"value": "318", "label": "场应急演练"},
                {"value": "96%", "label": "考试合格率"},
            ],
        }


class QuestionAnswerBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = RichTextBlock(label=_("Answer"))

    class Meta:
        icon = "help"


class FAQBlock(blocks.StructBlock):
    """Questions people ask, each opening to its answer."""

    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    questions = blocks.ListBlock(QuestionAnswerBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        template = "blocks/faq.html"
        label = _("Questions and answers")
        description = _("Questions that open to show their answers.")
        preview_value = {
            "title": "常见问题",
            "questions": [
                {
                    "question": "发现有人在有限空间内晕倒怎么办？",
                    "answer": "<p>立即报警求救，切勿盲目施救；在做好防护的前提下实施救援。</p>",
                }
            ],
        }


class CampaignQuizBlock(blocks.StructBlock):
    """
    The campaign's knowledge quiz (a campaign quiz snippet): its dates, a
    button to play, and the compact live leaderboard.
    """

    quiz = SnippetChooserBlock("cms.Quiz", label=_("Quiz"))
    description = blocks.TextBlock(label=_("Description"), required=False)
    show_leaderboard = blocks.BooleanBlock(
        label=_("Show the leaderboard"), required=False, default=True
    )

    class Meta:
        icon = "tasks"
        template = "blocks/campaign_quiz.html"
        label = _("Campaign quiz")
        description = _(
            "The campaign's knowledge quiz: when it is open, a button to play, the leaderboard."
        )


class BaseStreamBlock(blocks.StreamBlock):
    """The shared vocabulary of every content page."""

    heading = HeadingBlock()
    paragraph = RichTextBlock()
    image = ImageBlock()
    gallery = GalleryBlock()
    video = VideoBlock()
    document = DocumentDownloadBlock()
    call_to_action = CallToActionBlock()
    event_schedule = EventScheduleBlock()
    key_figures = KeyFiguresBlock()
    faq = FAQBlock()


class CampaignStreamBlock(BaseStreamBlock):
    """Campaign pages: the shared vocabulary plus the campaign's quiz."""

    campaign_quiz = CampaignQuizBlock()
