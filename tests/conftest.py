"""
Personas shared by the whole suite (see ../shared/STYLE.md): alice and bob are
candidates; the staff are named by what they do.
"""

import os

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from wagtail.models import Locale, Page, Site

from accounts.choices import Role
from cms.models import HomePage
from tests.factories import UserFactory
from tests.pages import publish

# Playwright's sync API runs an event loop in the test thread, which makes
# Django refuse ORM calls from that thread unless told it is safe (it is: the
# loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Keep the copy of what the migrations put in the test database (see below)."""
    connection = connections[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        MIGRATED_DATA["json"] = (
            getattr(connection, "_test_serialized_contents", None)
            or connection.creation.serialize_db_to_string()
        )


MIGRATED_DATA = {}


@pytest.fixture(autouse=True)
def keep_migrated_data(request):
    """
    Transactional tests (browser, integration; marked `serialized_rollback`)
    end by emptying every table, and Django puts back what the migrations
    created (role groups, Wagtail's root page, locale, collection) from a copy
    it keeps on the connection object. Playwright's sync API runs an event
    loop in the test thread, which makes asgiref give Django a different
    connection object, without the copy; hand it the copy so that the flush
    and the restore work there too.
    """
    marker = request.node.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction"):
        return
    restorable = hasattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents")
    request.getfixturevalue("transactional_db")
    connection = connections[DEFAULT_DB_ALIAS]
    if not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = MIGRATED_DATA["json"]
    if not restorable:
        # Playwright started before this test's setup, so Django could not put
        # the rows back after the previous transactional test's flush: do it
        # now (saving by primary key, so rows still there are left as they are).
        connection.creation.deserialize_db_from_string(MIGRATED_DATA["json"])


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (Redis in CI is shared by the whole run)."""
    cache.clear()


@pytest.fixture
def home(db):
    """The site's home page, in place of Wagtail's welcome page."""
    Page.objects.filter(depth=2).delete()
    page = Page.get_first_root_node().add_child(
        instance=HomePage(title="安康", slug="home", locale=Locale.get_default())
    )
    publish(page)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": page}
    )
    return page


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", real_name="王建国")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", real_name="李秀英")


@pytest.fixture
def trainer(db):
    return UserFactory(username="trainer", real_name="陈志强", roles=[Role.TRAINER])


@pytest.fixture
def proctor(db):
    return UserFactory(username="proctor", real_name="赵丽华", roles=[Role.PROCTOR])


@pytest.fixture
def centre_admin(db):
    return UserFactory(username="centre_admin", real_name="孙伟", roles=[Role.CENTRE_ADMIN])


@pytest.fixture
def publicity_editor(db):
    return UserFactory(username="editor", real_name="周敏", roles=[Role.PUBLICITY_EDITOR])


@pytest.fixture
def bureau_admin(db):
    return UserFactory(username="bureau", real_name="吴国平", roles=[Role.BUREAU_ADMIN])


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root", real_name="系统管理员", roles=[])
    user.is_staff = user.is_superuser = True
    user.save()
    return user
