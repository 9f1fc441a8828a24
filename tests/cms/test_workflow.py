"""Publicity editors draft; nothing they write is public until a bureau admin approves it."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import ArticlePage

pytestmark = pytest.mark.django_db


def article_form(title):
    return nested_form_data(
        {
            "title": title,
            "slug": "hot-work",
            "kind": "warning",
            "industry": "",
            "date": "2026-11-29",
            "summary": "",
            "author": "",
            "topics": "",
            "body": streamfield([("paragraph", rich_text("<p>动火作业必须办理许可。</p>"))]),
        }
    )


def submit_as(client, user, parent, title, action):
    client.force_login(user)
    url = reverse("wagtailadmin_pages:add", args=["cms", "articlepage", parent.pk])
    return client.post(url, {**article_form(title), action: "on"})


def test_an_editor_submission_is_not_live_until_the_bureau_approves(
    client, knowledge, publicity_editor, bureau_admin
):
    submit_as(client, publicity_editor, knowledge, "违章动火引发火灾", "action-submit")
    page = ArticlePage.objects.get(slug="hot-work")
    assert not page.live
    client.logout()
    assert client.get("/knowledge/hot-work/").status_code == 404

    task_state = page.current_workflow_task_state
    assert task_state.task.name == "应急管理局审核"
    client.force_login(bureau_admin)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    response = client.post(url, {"comment": "同意发布"})
    assert response.status_code in (200, 302)

    page.refresh_from_db()
    assert page.live
    client.logout()
    assert "违章动火引发火灾" in client.get("/knowledge/hot-work/").content.decode()


def test_an_editor_cannot_publish_directly(client, knowledge, publicity_editor):
    submit_as(client, publicity_editor, knowledge, "违章动火引发火灾", "action-publish")
    page = ArticlePage.objects.get(slug="hot-work")
    assert not page.live


def test_a_rejected_submission_stays_unpublished(client, knowledge, publicity_editor, bureau_admin):
    submit_as(client, publicity_editor, knowledge, "违章动火引发火灾", "action-submit")
    page = ArticlePage.objects.get(slug="hot-work")
    client.force_login(bureau_admin)
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[page.pk, "reject", page.current_workflow_task_state.pk],
    )
    client.post(url, {"comment": "请补充事故原因"})
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_state.status == "needs_changes"
