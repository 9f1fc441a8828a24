"""Published pages come from the cache, and publishing replaces them at once."""

import pytest

from tests.pages import publish

pytestmark = pytest.mark.django_db


def test_a_second_anonymous_view_comes_from_the_cache(client, make_article):
    make_article()
    assert client.get("/knowledge/confined/")["X-Page-Cache"] == "miss"
    assert client.get("/knowledge/confined/")["X-Page-Cache"] == "hit"


def test_publishing_a_change_is_visible_on_the_next_view(client, make_article):
    article = make_article(title="旧标题")
    assert "旧标题" in client.get("/knowledge/confined/").content.decode()
    assert "旧标题" in client.get("/knowledge/").content.decode()

    article.title = "新标题"
    publish(article)

    response = client.get("/knowledge/confined/")
    assert response["X-Page-Cache"] == "miss"
    assert "新标题" in response.content.decode()
    # Listings that show the page are replaced too.
    assert "新标题" in client.get("/knowledge/").content.decode()


def test_unpublishing_removes_the_page_at_once(client, make_article):
    article = make_article()
    assert client.get("/knowledge/confined/").status_code == 200
    article.unpublish()
    assert client.get("/knowledge/confined/").status_code == 404


def test_signed_in_people_are_never_served_from_the_cache(client, make_article, alice):
    make_article()
    client.get("/knowledge/confined/")
    client.force_login(alice)
    response = client.get("/knowledge/confined/")
    assert response.get("X-Page-Cache") != "hit"
    assert "王建国" in response.content.decode()


def test_a_page_behind_a_password_is_never_cached(client, make_article):
    from wagtail.models import PageViewRestriction

    article = make_article()
    PageViewRestriction.objects.create(page=article, restriction_type="password", password="x")
    client.get("/knowledge/confined/")
    assert client.get("/knowledge/confined/").get("X-Page-Cache") != "hit"


def test_protecting_a_cached_page_takes_it_out_of_the_cache(client, make_article):
    from wagtail.models import PageViewRestriction

    article = make_article()
    client.get("/knowledge/confined/")
    assert client.get("/knowledge/confined/")["X-Page-Cache"] == "hit"
    PageViewRestriction.objects.create(page=article, restriction_type="password", password="x")
    response = client.get("/knowledge/confined/")
    assert response.get("X-Page-Cache") != "hit"
    assert "有限空间作业必须先通风再检测" not in response.content.decode()


def test_a_cached_page_keeps_its_security_and_language_headers(client, make_article):
    make_article()
    client.get("/knowledge/confined/")
    hit = client.get("/knowledge/confined/")
    assert hit["X-Page-Cache"] == "hit"
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["Content-Language"] == "zh-hans"
