"""What a visitor sees on the public site."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from wagtail.models import Locale

from cms.blocks import CallToActionBlock, CampaignQuizBlock, VideoBlock
from cms.models import CampaignPage

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_current_and_upcoming_campaigns_but_not_past_ones(
    client, make_campaign, make_article
):
    make_campaign(title="即将开始的活动", slug="soon", starts_in_days=10)
    make_campaign(title="正在进行的活动", slug="now", starts_in_days=-2)
    make_campaign(title="已经结束的活动", slug="past", starts_in_days=-30)
    make_article()
    page = client.get("/").content.decode()
    assert "即将开始的活动" in page
    assert "还有 10 天开始" in page
    assert "正在进行的活动" in page
    assert "进行中" in page
    assert "已经结束的活动" not in page
    assert "有限空间作业必须先通风再检测" in page


def test_a_campaign_page_counts_down_to_its_start(client, make_campaign):
    make_campaign(starts_in_days=3)
    page = client.get("/campaigns/512/").content.decode()
    assert "还有 3 天开始" in page
    assert 'data-countdown="' in page
    assert "/static/js/countdown.js" in page
    assert "主题: 人人讲安全、个个会应急" in page


def test_the_menu_and_breadcrumbs_come_from_the_page_tree(client, make_article):
    make_article()
    page = client.get("/knowledge/confined/").content.decode()
    assert '<a href="/knowledge/" aria-current="page">安全知识</a>' in page
    assert '<a href="/campaigns/">宣传活动</a>' not in page  # no campaigns section here
    assert 'aria-label="当前位置"' in page
    assert '<li aria-current="page">有限空间作业必须先通风再检测</li>' in page


def test_pages_carry_titles_and_share_cards(client, make_article, image):
    make_article(summary="进入有限空间前必须通风和检测。", listing_image=image)
    page = client.get("/knowledge/confined/").content.decode()
    assert "<title>有限空间作业必须先通风再检测 · 安康</title>" in page
    assert '<meta property="og:title" content="有限空间作业必须先通风再检测">' in page
    assert '<meta property="og:description" content="进入有限空间前必须通风和检测。">' in page
    assert 'property="og:image" content="http://testserver/' in page
    assert 'rel="canonical"' in page


def test_articles_have_a_print_stylesheet(client, make_article):
    make_article()
    page = client.get("/knowledge/confined/").content.decode()
    assert 'href="/static/css/print.css" media="print"' in page
    assert client.get("/static/css/print.css").status_code == 200


def test_the_sitemap_lists_the_pages(client, make_article):
    make_article()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/knowledge/confined/" in sitemap


def test_the_language_link_leads_to_the_translation_or_the_english_home(client, home, make_article):
    en = Locale.objects.create(language_code="en")
    home_en = home.copy_for_translation(en)
    home_en.title = "Ankang"
    home_en.save_revision().publish()
    article = make_article()
    page = client.get("/knowledge/confined/").content.decode()
    assert 'href="/en/" hreflang="en"' in page  # not translated: English home

    knowledge_en = article.get_parent().copy_for_translation(en)
    knowledge_en.save_revision().publish()
    article_en = article.copy_for_translation(en)
    article_en.title = "Confined spaces"
    article_en.save_revision().publish()
    page = client.get("/knowledge/confined/").content.decode()
    assert 'href="/en/knowledge/confined/" hreflang="en"' in page
    english = client.get("/en/knowledge/confined/").content.decode()
    assert "Confined spaces" in english
    assert 'href="/knowledge/confined/" hreflang="zh-hans"' in english


def test_the_knowledge_section_filters_by_industry(client, make_article):
    make_article()
    make_article(title="危险化学品储存", slug="chem", industry="hazardous_chemicals")
    page = client.get("/knowledge/", {"industry": "hazardous_chemicals"}).content.decode()
    assert "危险化学品储存" in page
    assert "有限空间作业必须先通风再检测" not in page


def test_a_scheduled_campaign_goes_live_on_time(client, campaigns):
    go_live = datetime.datetime(2027, 5, 7, 8, 0, tzinfo=datetime.UTC)
    page = CampaignPage(
        title="5·12 防灾减灾日",
        slug="512",
        kind="5-12",
        theme="主题",
        start_date=datetime.date(2027, 5, 7),
        end_date=datetime.date(2027, 5, 18),
        organiser="区应急管理局",
        go_live_at=go_live,
    )
    campaigns.add_child(instance=page)
    page.save_revision().publish()  # with a future go-live, this schedules it
    page.refresh_from_db()
    assert not page.live
    assert client.get("/campaigns/512/").status_code == 404

    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled", verbosity=0)
    page.refresh_from_db()
    assert page.live
    assert client.get("/campaigns/512/").status_code == 200


def test_blocks_refuse_what_would_break_the_page(document):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        VideoBlock().clean({"video": document, "poster": None, "caption": "", "transcript": ""})
    with pytest.raises(ValidationError):
        CallToActionBlock().clean(
            {"title": "t", "text": "", "button_label": "b", "page": None, "url": ""}
        )
    with pytest.raises(ValidationError):
        CampaignQuizBlock().clean({"quiz": None, "description": "", "show_leaderboard": True})
