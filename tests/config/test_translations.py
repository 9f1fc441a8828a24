"""
zh-Hans is the default language and its catalogue stays complete.

The test extracts the strings from the code as `make makemessages` would, into
a copy of the catalogues, and fails listing every msgid without a Chinese
translation (or marked fuzzy).
"""

import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command

SOURCE_DIRS = [
    "config",
    "accounts",
    "cms",
    "training",
    "exams",
    "proctoring",
    "templates",
    "static",
]
DOMAINS = ["django", "djangojs"]


@pytest.fixture
def fresh_catalogue(tmp_path, monkeypatch):
    for name in SOURCE_DIRS:
        (tmp_path / name).symlink_to(settings.BASE_DIR / name)
    shutil.copytree(settings.BASE_DIR / "locale", tmp_path / "locale")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [tmp_path / "locale"])
    for domain in DOMAINS:
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            domain=domain,
            symlinks=True,
            no_obsolete=True,
            verbosity=0,
        )
    folder = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    return {domain: folder / f"{domain}.po" for domain in DOMAINS}


def entries(po, *flags):
    result = subprocess.run(
        ["msgattrib", *flags, "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if line.startswith("msgid ")]


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_in_the_code_has_a_chinese_translation(fresh_catalogue, domain):
    assert entries(fresh_catalogue[domain], "--untranslated") == []
    assert entries(fresh_catalogue[domain], "--only-fuzzy") == []


def test_the_catalogue_is_not_empty(fresh_catalogue):
    assert len(entries(fresh_catalogue["django"], "--translated")) > 200
    assert len(entries(fresh_catalogue["djangojs"], "--translated")) >= 2
