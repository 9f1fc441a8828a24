import pytest
from django.core.management import call_command

from accounts.models import User
from cms.models import HomePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_seed_demo_can_run_twice_without_duplicating_anything(demo):
    counts = (User.objects.count(), HomePage.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (User.objects.count(), HomePage.objects.count()) == counts
    assert counts == (8, 2)


def test_seed_demo_prints_a_login_for_every_role(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    for username in (
        "candidate",
        "trainer",
        "proctor",
        "centre_admin",
        "publicity_editor",
        "bureau_admin",
        "admin",
    ):
        assert f"  {username} " in out


def test_the_home_page_is_chinese_by_default(client, demo):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "安全生产培训考试平台" in page
    assert "跳到正文" in page  # the layout's own strings are translated too


def test_the_english_home_page_is_under_en(client, demo):
    page = client.get("/en/").content.decode()
    assert '<html lang="en">' in page
    assert "Workplace safety training and examination" in page
    assert "Skip to content" in page


def test_the_language_switch_takes_you_to_the_same_page_in_english(client, demo):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
