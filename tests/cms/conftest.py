import datetime
import json

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from cms.models import (
    ArticlePage,
    CampaignIndexPage,
    CampaignPage,
    KnowledgeIndexPage,
)
from tests.pages import add, publish


def body(*blocks):
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


@pytest.fixture
def knowledge(home):
    return add(home, KnowledgeIndexPage(title="安全知识", slug="knowledge", show_in_menus=True))


@pytest.fixture
def campaigns(home):
    return add(home, CampaignIndexPage(title="宣传活动", slug="campaigns", show_in_menus=True))


@pytest.fixture
def make_article(knowledge):
    def make(
        title="有限空间作业必须先通风再检测",
        slug="confined",
        industry="confined_spaces",
        topics=(),
        text="进入有限空间前必须通风和检测。",
        **fields,
    ):
        page = ArticlePage(
            title=title,
            slug=slug,
            industry=industry,
            body=body(("paragraph", f"<p>{text}</p>")),
            **fields,
        )
        knowledge.add_child(instance=page)
        if topics:
            page.topics.add(*topics)
        return publish(page)

    return make


@pytest.fixture
def make_campaign(campaigns):
    def make(title="5·12 防灾减灾日", slug="512", starts_in_days=10, days=7, **fields):
        start = datetime.date.today() + datetime.timedelta(days=starts_in_days)
        page = CampaignPage(
            title=title,
            slug=slug,
            kind="5-12",
            theme="人人讲安全、个个会应急",
            start_date=start,
            end_date=start + datetime.timedelta(days=days),
            organiser="区应急管理局",
            **fields,
        )
        return add(campaigns, page)

    return make


@pytest.fixture
def image(db):
    return get_image_model().objects.create(title="演练照片", file=get_test_image_file())


@pytest.fixture
def document(db):
    document = get_document_model()(title="安全生产法（摘录）")
    document.file = ContentFile(b"%PDF-1.4 demo", name="law.pdf")
    document.save()
    return document


@pytest.fixture
def video(db):
    document = get_document_model()(title="演练视频")
    document.file = ContentFile(b"\x1aE\xdf\xa3 webm", name="drill.webm")
    document.save()
    return document
