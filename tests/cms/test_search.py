import pytest
from wagtail.models import Locale

from cms.search import cjk_bigrams

pytestmark = pytest.mark.django_db


def test_chinese_runs_become_overlapping_pairs():
    assert cjk_bigrams("危险化学品") == "危险 险化 化学 学品"
    assert cjk_bigrams("LNG 储罐") == "LNG 储罐"
    assert cjk_bigrams("火") == "火"
    assert cjk_bigrams("𡃁仔") == "𡃁仔"


@pytest.fixture
def articles(make_article):
    return {
        "confined": make_article(topics=["有限空间", "中毒窒息"]),
        "chemicals": make_article(
            title="危险化学品储存的五个要点",
            slug="chemicals",
            industry="hazardous_chemicals",
            text="性质相互抵触的危险化学品不得混存。",
            topics=["危险化学品"],
        ),
    }


def results(client, **params):
    return client.get("/search/", params).content.decode()


def test_a_word_inside_a_chinese_title_is_found(client, articles):
    page = results(client, q="化学品")
    assert "危险化学品储存的五个要点" in page
    assert "有限空间作业必须先通风再检测" not in page


def test_a_word_in_the_body_is_found(client, articles):
    assert "危险化学品储存的五个要点" in results(client, q="不得混存")


def test_the_industry_filter_narrows_the_results(client, articles):
    page = results(client, q="通风", industry="hazardous_chemicals")
    assert "有限空间作业必须先通风再检测" not in page
    assert "有限空间作业必须先通风再检测" in results(client, q="通风", industry="confined_spaces")


def test_a_topic_alone_lists_its_articles(client, articles):
    page = results(client, topic="中毒窒息")
    assert "有限空间作业必须先通风再检测" in page
    assert "危险化学品储存的五个要点" not in page


def test_documents_are_found_by_title(client, articles, document):
    page = results(client, q="安全生产法")
    assert "安全生产法（摘录）" in page
    assert document.url in page


def test_nothing_found_says_what_to_do(client, articles):
    assert "没有找到结果" in results(client, q="核电站")


def test_english_search_finds_only_english_pages(client, articles):
    Locale.objects.get_or_create(language_code="en")
    page = client.get("/en/search/", {"q": "化学品"}).content.decode()
    assert "危险化学品储存的五个要点" not in page
    assert "Nothing matches" in page
