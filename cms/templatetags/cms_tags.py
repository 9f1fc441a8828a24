from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page, Site

register = template.Library()


def _site_root(request):
    """The home page in the current language, looked up once per request."""
    if not hasattr(request, "_ankang_site_root"):
        site = Site.find_for_request(request)
        request._ankang_site_root = site.root_page.localized if site else None
    return request._ankang_site_root


def _live_translations(page):
    """
    {language code: page} for the page and its live translations, in one query
    of plain Page rows (a specific page would load and parse its whole body).
    """
    pages = Page.objects.filter(translation_key=page.translation_key, live=True)
    return {
        translation.locale.language_code: translation
        for translation in pages.select_related("locale")
    }


@register.simple_tag(takes_context=True)
def site_home(context):
    """The home page in the current language."""
    return _site_root(context["request"])


@register.inclusion_tag("cms/includes/site_menu.html", takes_context=True)
def site_menu(context):
    """The sections under the home page that editors marked "show in menus"."""
    request = context["request"]
    root = _site_root(request)
    current = context.get("page")
    pages = root.get_children().live().public().in_menu() if root else []
    current_path = current.url_path if current else ""
    return {
        "items": [
            {"page": item, "current": current_path.startswith(item.url_path)} for item in pages
        ],
        "request": request,
    }


@register.inclusion_tag("cms/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page = context.get("page")
    ancestors = page.get_ancestors().filter(depth__gt=1) if page else []
    return {"ancestors": ancestors, "page": page, "request": context["request"]}


@register.inclusion_tag("cms/includes/language_links.html", takes_context=True)
def language_links(context):
    """
    A link per language to this page in that language: its translation if it
    has one, else that language's home page. Plain links, not a form, so that
    a cached page carries no CSRF token.
    """
    request = context["request"]
    page = context.get("page")
    if page is not None and hasattr(page, "get_translations"):
        translations = _live_translations(page)
        home = _site_root(request)
        homes = _live_translations(home) if home else {}
        urls = {}
        for code, _name in settings.LANGUAGES:
            target = translations.get(code) or homes.get(code)
            # get_url(request) reuses the site's root paths cached on the request.
            urls[code] = target.get_url(request) if target else "/"
    else:
        path = request.get_full_path()
        urls = {code: translate_url(path, code) for code, _ in settings.LANGUAGES}
    current = get_language()
    return {
        "links": [
            {"code": code, "name": name, "url": urls[code], "current": code == current}
            for code, name in settings.LANGUAGES
        ]
    }
