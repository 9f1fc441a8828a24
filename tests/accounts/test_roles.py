import pytest
from django.contrib.auth.models import Group

from accounts.choices import ROLE_GROUP_NAMES, Role
from cms.demo import seed_site

pytestmark = pytest.mark.django_db


def test_every_role_has_its_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUP_NAMES.values())
    assert set(ROLE_GROUP_NAMES) == set(Role)


@pytest.mark.parametrize(
    "persona", ["trainer", "proctor", "centre_admin", "publicity_editor", "bureau_admin"]
)
def test_staff_roles_reach_the_wagtail_admin(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/admin/")
    assert response.status_code == 200


def test_a_candidate_is_sent_away_from_the_wagtail_admin(client, alice):
    client.force_login(alice)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_candidate_cannot_open_the_django_admin(client, alice):
    client.force_login(alice)
    assert client.get("/django-admin/").status_code == 302


def test_only_the_bureau_can_publish_pages(publicity_editor, bureau_admin):
    home = seed_site()
    assert not home.permissions_for_user(publicity_editor).can_publish()
    assert home.permissions_for_user(publicity_editor).can_edit()
    assert home.permissions_for_user(bureau_admin).can_publish()
