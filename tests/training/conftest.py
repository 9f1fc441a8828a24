"""A course with two lessons: one with a video and a check question, one of text."""

import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from wagtail.documents import get_document_model

from tests.pages import add
from training import services
from training.models import CoursePage, LessonPage, TrainingIndexPage


def stream(*blocks):
    return json.dumps(
        [{"type": kind, "value": value, "id": block_id} for block_id, kind, value in blocks]
    )


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English: reverse() gives /en/ addresses, services speak English."""
    with translation.override("en"):
        yield


VIDEO_ID = "video-1"
QUESTION_ID = "question-1"


@pytest.fixture
def training_index(home):
    return add(home, TrainingIndexPage(title="培训课程", slug="courses"))


@pytest.fixture
def video_document(db):
    return get_document_model().objects.create(
        title="示意动画", file=ContentFile(b"not really a video", name="drill.webm")
    )


@pytest.fixture
def course(training_index):
    # One learning hour of 45 minutes.
    return add(
        training_index,
        CoursePage(
            title="有限空间作业安全",
            slug="confined",
            target_roles=["special_operations"],
            industries=["confined_spaces"],
            required_hours=Decimal("1.0"),
        ),
    )


@pytest.fixture
def video_lesson(course, video_document):
    return add(
        course,
        LessonPage(
            title="第一课　先通风、再检测、后作业",
            slug="procedure",
            body=stream(
                ("text-1", "paragraph", "<p>有限空间作业必须先通风、再检测、后作业。</p>"),
                (
                    VIDEO_ID,
                    "lesson_video",
                    {"video": video_document.pk, "caption": "", "no_skipping": True},
                ),
                (
                    QUESTION_ID,
                    "check_question",
                    {
                        "question_type": "single",
                        "stem": "进入有限空间前首先要做什么？",
                        "options": [
                            {"text": "直接进入", "correct": False},
                            {"text": "先通风、再检测", "correct": True},
                        ],
                        "true_false_answer": False,
                        "explanation": "气体检测合格后方可进入。",
                    },
                ),
            ),
        ),
    )


@pytest.fixture
def text_lesson(course, video_lesson):
    return add(
        course,
        LessonPage(
            title="第二课　监护人员的职责",
            slug="guard",
            body=stream(("text-2", "paragraph", "<p>监护人员不得离开作业现场。</p>")),
        ),
    )


@pytest.fixture
def alice_enrolled(alice, course):
    return services.enrol(learner=alice, course=course)
