from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Locale, Site

register = template.Library()


def _site_root(request):
    site = Site.find_for_request(request)
    return site.root_page.localized.specific if site else None


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
    ancestors = page.get_ancestors().filter(depth__gt=1).specific() if page else []
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
    links = []
    for code, name in settings.LANGUAGES:
        if page is not None and hasattr(page, "get_translation_or_none"):
            locale = Locale.objects.filter(language_code=code).first()
            target = page.get_translation_or_none(locale) if locale else None
            if target is None or not target.live:
                home = _site_root(request)
                target = home.get_translation_or_none(locale) if home and locale else None
            url = target.url if target else "/"
        else:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url, "current": code == get_language()})
    return {"links": links}
