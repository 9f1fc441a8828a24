"""Each page type can be created only where it belongs, with every block in its body."""

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import (
    ArticlePage,
    CampaignIndexPage,
    CampaignPage,
    HomePage,
    KnowledgeIndexPage,
    NewsIndexPage,
    NewsPage,
    ResourceLibraryPage,
)
from tests.cms.test_quiz import make_bank_questions, make_quiz
from training.models import CoursePage, LessonPage, TrainingIndexPage


def list_block(items):
    return {
        "count": len(items),
        **{
            str(i): {"value": item, "deleted": "", "order": i, "id": ""}
            for i, item in enumerate(items)
        },
    }


def every_block(image, document, video, page):
    """Form data for one of each block of the shared vocabulary."""
    return [
        ("heading", {"text": "作业前", "level": "h2"}),
        ("paragraph", rich_text("<p>先通风、再检测、后作业。</p>")),
        ("image", {"image": image.pk, "alt_text": "", "caption": "演练", "attribution": ""}),
        (
            "gallery",
            {
                "title": "图集",
                "images": list_block(
                    [{"image": image.pk, "caption": "一"}, {"image": image.pk, "caption": "二"}]
                ),
            },
        ),
        ("video", {"video": video.pk, "poster": image.pk, "caption": "演练", "transcript": ""}),
        ("document", {"document": document.pk, "title": "", "description": ""}),
        (
            "call_to_action",
            {"title": "学习", "text": "", "button_label": "去学习", "page": page.pk, "url": ""},
        ),
        (
            "event_schedule",
            {
                "title": "安排",
                "items": list_block(
                    [{"date": "2027-05-12", "time": "9:00", "title": "演练", "place": "广场"}]
                ),
            },
        ),
        ("key_figures", {"title": "", "figures": list_block([{"value": "42", "label": "场演练"}])}),
        (
            "faq",
            {
                "title": "",
                "questions": list_block(
                    [{"question": "怎么办？", "answer": rich_text("<p>报警。</p>")}]
                ),
            },
        ),
    ]


@pytest.mark.usefixtures("home")
class TestPageTypes(WagtailPageTestCase):
    @pytest.fixture(autouse=True)
    def _fixtures(self, home, image, document, video):
        self.home, self.image, self.document, self.video = home, image, document, video

    def setUp(self):
        self.login()

    def test_the_tree_rules(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage,
            {
                KnowledgeIndexPage,
                CampaignIndexPage,
                NewsIndexPage,
                ResourceLibraryPage,
                TrainingIndexPage,
            },
        )
        self.assertAllowedSubpageTypes(KnowledgeIndexPage, {ArticlePage})
        self.assertAllowedSubpageTypes(CampaignIndexPage, {CampaignPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertAllowedSubpageTypes(TrainingIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {LessonPage})
        for leaf in (ArticlePage, CampaignPage, NewsPage, ResourceLibraryPage, LessonPage):
            self.assertAllowedSubpageTypes(leaf, set())

    def test_pages_cannot_be_created_elsewhere(self):
        self.assertCanNotCreateAt(HomePage, ArticlePage)
        self.assertCanNotCreateAt(HomePage, CampaignPage)
        self.assertCanNotCreateAt(KnowledgeIndexPage, CampaignPage)
        self.assertCanNotCreateAt(CampaignIndexPage, ArticlePage)
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(HomePage, CoursePage)
        self.assertCanNotCreateAt(TrainingIndexPage, LessonPage)

    def test_an_article_with_every_block(self):
        knowledge = self.home.add_child(instance=KnowledgeIndexPage(title="安全知识", slug="k"))
        self.assertCanCreate(
            knowledge,
            ArticlePage,
            nested_form_data(
                {
                    "title": "有限空间作业",
                    "slug": "confined",
                    "kind": "knowledge",
                    "industry": "confined_spaces",
                    "date": "2026-11-29",
                    "summary": "",
                    "author": "",
                    "topics": "有限空间, 中毒窒息",
                    "body": streamfield(
                        every_block(self.image, self.document, self.video, knowledge)
                    ),
                }
            ),
        )

    def test_a_campaign_with_every_block_and_the_quiz(self):
        campaigns = self.home.add_child(instance=CampaignIndexPage(title="宣传活动", slug="c"))
        blocks = every_block(self.image, self.document, self.video, campaigns)
        blocks.append(
            (
                "campaign_quiz",
                {
                    "quiz": make_quiz(make_bank_questions(3)).pk,
                    "description": "",
                    "show_leaderboard": "on",
                },
            )
        )
        self.assertCanCreate(
            campaigns,
            CampaignPage,
            nested_form_data(
                {
                    "title": "5·12 防灾减灾日",
                    "slug": "512",
                    "kind": "5-12",
                    "theme": "人人讲安全、个个会应急",
                    "start_date": "2027-05-07",
                    "end_date": "2027-05-18",
                    "organiser": "区应急管理局",
                    "summary": "",
                    "body": streamfield(blocks),
                }
            ),
        )

    def test_a_news_item_and_the_other_sections(self):
        news = self.home.add_child(instance=NewsIndexPage(title="新闻", slug="news"))
        self.assertCanCreate(
            news,
            NewsPage,
            nested_form_data(
                {
                    "title": "培训举办",
                    "slug": "training",
                    "date": "2026-11-29",
                    "summary": "",
                    "body": streamfield([("paragraph", rich_text("<p>近日……</p>"))]),
                }
            ),
        )
        self.assertCanCreateAt(HomePage, ResourceLibraryPage)
        self.assertCanCreateAt(HomePage, NewsIndexPage)
