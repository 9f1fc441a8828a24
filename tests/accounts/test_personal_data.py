"""ID numbers are encrypted at rest, found by digest, and never shown in full by the admins."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from accounts.models import User
from accounts.services import user_find_by_id_number
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db


def test_it_stores_the_id_number_encrypted(alice):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM accounts_user WHERE id = %s", [alice.pk])
        (stored,) = cursor.fetchone()
    assert alice.id_number not in stored
    assert User.objects.get(pk=alice.pk).id_number == alice.id_number


def test_it_finds_a_person_by_id_number_in_any_spelling(alice):
    spelled_differently = alice.id_number.lower().replace("1", "１", 2)
    assert user_find_by_id_number(spelled_differently) == alice
    assert user_find_by_id_number("not a number") is None


@pytest.fixture
def django_admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(
    "url", ["/django-admin/accounts/user/", "/admin/users/"], ids=["django-admin", "wagtail"]
)
def test_it_never_shows_the_full_id_number_in_the_user_lists(django_admin_client, alice, url):
    response = django_admin_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert alice.id_number_masked in page
    assert alice.id_number not in page


@pytest.mark.parametrize(
    "url",
    ["/django-admin/accounts/user/{pk}/change/", "/admin/users/edit/{pk}/"],
    ids=["django-admin", "wagtail"],
)
def test_it_never_puts_the_full_id_number_into_the_edit_forms(django_admin_client, alice, url):
    page = django_admin_client.get(url.format(pk=alice.pk)).content.decode()
    assert alice.id_number_masked in page
    assert alice.id_number not in page


@pytest.mark.parametrize(
    "url", ["/django-admin/accounts/user/", "/admin/users/"], ids=["django-admin", "wagtail"]
)
def test_both_admins_find_a_person_by_full_id_number(django_admin_client, alice, bob, url):
    page = django_admin_client.get(url, {"q": alice.id_number}).content.decode()
    assert "王建国" in page
    assert "李秀英" not in page


def edit_form_data(user, **changes):
    data = {
        "username": user.username,
        "real_name": user.real_name,
        "email": "",
        "phone": user.phone,
        "employer": user.employer,
        "industry": "",
        "town": "",
        "is_active": "on",
        "new_id_number": "",
        "password1": "",
        "password2": "",
    }
    data.update(changes)
    return data


def test_an_edit_that_leaves_the_id_number_empty_keeps_it(django_admin_client, alice):
    number = alice.id_number
    response = django_admin_client.post(f"/admin/users/edit/{alice.pk}/", edit_form_data(alice))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.id_number == number


def test_an_edit_with_a_bad_checksum_is_refused_and_nothing_changes(django_admin_client, alice):
    number = alice.id_number
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    response = django_admin_client.post(
        f"/admin/users/edit/{alice.pk}/", edit_form_data(alice, new_id_number=bad, real_name="改名")
    )
    assert response.status_code == 200
    assert "校验位与前 17 位不符" in response.content.decode()
    alice.refresh_from_db()
    assert alice.id_number == number
    assert alice.real_name == "王建国"


def test_an_id_number_held_by_someone_else_is_refused(django_admin_client, alice, bob):
    response = django_admin_client.post(
        f"/admin/users/edit/{alice.pk}/", edit_form_data(alice, new_id_number=bob.id_number)
    )
    assert "该身份证号码已被其他账户使用。" in response.content.decode()


def test_a_new_id_number_is_saved_with_its_digest(django_admin_client, alice):
    new_number = valid_id_number(777)
    django_admin_client.post(
        f"/admin/users/edit/{alice.pk}/", edit_form_data(alice, new_id_number=new_number)
    )
    assert user_find_by_id_number(new_number) == alice


def jpeg_with_exif():
    image = Image.new("RGB", (1200, 1600), (200, 180, 160))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_a_registered_photo_is_re_encoded_without_exif_and_kept_private(
    django_admin_client, alice, settings
):
    upload = SimpleUploadedFile("me.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = django_admin_client.post(
        f"/admin/users/edit/{alice.pk}/", {**edit_form_data(alice), "photo": upload}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    with alice.photo.open("rb") as stored:
        data = stored.read()
    assert b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as photo:
        assert photo.format == "JPEG"
        assert photo.size == (600, 800)
    assert str(settings.PRIVATE_MEDIA_ROOT) in alice.photo.path
    assert str(settings.MEDIA_ROOT) not in alice.photo.path


def test_an_html_file_renamed_jpg_is_refused_as_a_photo(django_admin_client, alice):
    upload = SimpleUploadedFile("me.jpg", b"<html><script>alert(1)</script></html>")
    response = django_admin_client.post(
        f"/admin/users/edit/{alice.pk}/", {**edit_form_data(alice), "photo": upload}
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.photo
