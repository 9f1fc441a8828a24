"""
Lesson blocks: what a lesson page adds to the shared vocabulary.

A lesson's video and check questions carry requirements (watch it, answer
them) that the server checks when it decides a lesson is complete, so the
lesson template wraps every block in an element carrying the block's id.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from cms.blocks import BaseStreamBlock, VideoBlock, field_error
from training.choices import CheckQuestionType
from training.media import video_seconds

# A learner who has seen this share of a video has watched it (the last
# seconds are often credits or silence).
VIDEO_WATCHED_SHARE = 0.9


class LessonVideoBlock(VideoBlock):
    """A lesson video whose watched seconds count; optionally without skipping ahead."""

    no_skipping = blocks.BooleanBlock(
        label=_("No skipping ahead"),
        required=False,
        help_text=_("Learners cannot jump past the part they have already watched (屏蔽快进)."),
    )

    def clean(self, value):
        value = super().clean(value)
        # The server measures the length the learner must watch; a file it
        # cannot read would leave the learner's page to say how long it is.
        if value.get("video") and not video_seconds(value["video"].pk):
            raise field_error(
                "video",
                _("This video cannot be read. Upload it again as an MP4 (H.264) or WebM file."),
            )
        return value

    class Meta:
        icon = "media"
        template = "training/blocks/lesson_video.html"
        label = _("Lesson video")
        description = _(
            "A video the learner must watch to finish the lesson; only watched seconds count."
        )


class CoursewareBlock(blocks.StructBlock):
    """PDF courseware (课件) shown inside the page, with a download link as a fallback."""

    document = DocumentChooserBlock(label=_("PDF document"))
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)

    def clean(self, value):
        value = super().clean(value)
        document = value.get("document")
        if document and document.file_extension.lower() != "pdf":
            raise field_error("document", _("Choose a PDF document."))
        return value

    class Meta:
        icon = "doc-full"
        template = "training/blocks/courseware.html"
        label = _("PDF courseware")
        description = _("A PDF shown in the lesson page, for reading on screen.")


class CheckOptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Option"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)

    class Meta:
        icon = "radio-full"
        label = _("Option")


class CheckQuestionBlock(blocks.StructBlock):
    """
    A short question in the middle of a lesson (随堂练习). It does not count
    toward any grade: the learner answers, sees whether it was right and why,
    and the lesson counts it as answered. The correct answer is never written
    into the page; the server reveals it after the learner answers.
    """

    question_type = blocks.ChoiceBlock(
        label=_("Question type"),
        choices=CheckQuestionType.choices,
        default=CheckQuestionType.SINGLE,
    )
    stem = blocks.TextBlock(label=_("Question"))
    options = blocks.ListBlock(
        CheckOptionBlock(),
        label=_("Options"),
        required=False,
        help_text=_("For single and multiple choice. A true/false question needs none."),
    )
    true_false_answer = blocks.BooleanBlock(
        label=_("The statement is true"),
        required=False,
        help_text=_("For a true/false question: tick if the statement is correct."),
    )
    explanation = blocks.TextBlock(
        label=_("Feedback"), help_text=_("Shown after the learner answers, right or wrong.")
    )

    def clean(self, value):
        value = super().clean(value)
        question_type = value["question_type"]
        options = value["options"]
        if question_type == CheckQuestionType.TRUE_FALSE:
            if options:
                raise field_error("options", _("A true/false question has no options."))
            return value
        correct = sum(1 for option in options if option["correct"])
        if len(options) < 2:
            message = _("A choice question needs at least two options.")
        elif question_type == CheckQuestionType.SINGLE and correct != 1:
            message = _("Mark exactly one option as correct.")
        elif question_type == CheckQuestionType.MULTIPLE and correct < 2:
            message = _("Mark at least two options as correct.")
        else:
            return value
        raise field_error("options", message)

    class Meta:
        icon = "help"
        template = "training/blocks/check_question.html"
        label = _("Check question")
        description = _("A practice question with feedback; it is not graded.")
        preview_value = {
            "question_type": CheckQuestionType.SINGLE,
            "stem": "进入有限空间作业前，首先应当做什么？",
            "options": [
                {"text": "先通风、再检测、后作业", "correct": True},
                {"text": "直接进入，边干边看", "correct": False},
            ],
            "explanation": "有限空间作业必须坚持“先通风、再检测、后作业”。",
        }


class LessonStreamBlock(BaseStreamBlock):
    """Lessons: the shared vocabulary plus videos that count, courseware and check questions."""

    lesson_video = LessonVideoBlock()
    courseware = CoursewareBlock()
    check_question = CheckQuestionBlock()


def correct_choice(value):
    """A check question's correct answer as option indexes; true/false: [0] true, [1] false."""
    if value["question_type"] == CheckQuestionType.TRUE_FALSE:
        return [0] if value["true_false_answer"] else [1]
    return [index for index, option in enumerate(value["options"]) if option["correct"]]
