"""
Published pages served from the cache.

A campaign day sends thousands of phones to the same few pages. Anonymous GETs
of Wagtail pages are rendered once and kept in the cache (Redis in production,
shared by every web process) under a key that includes a *generation* number.
The `on_serve_page` hook stores a page (it knows the page may be shared: no
view restriction, no cookie set); `PageCacheMiddleware` answers from the cache
before URL resolution, because Wagtail's routing alone costs several queries.
Publishing, unpublishing, moving or deleting any page, or changing a document
or image, bumps the generation, so every cached page is replaced at once: menus,
listings and the home page depend on other pages, and a site this size is
cheap to re-render. Pages also expire after PAGE_CACHE_SECONDS, because
countdowns and "on now" listings depend on the date.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "cms:page-cache:generation"


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate_pages(**kwargs):
    """Signal receiver: every cached page becomes stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing is cached under one
        cache.add(GENERATION_KEY, 1, timeout=None)


def _key(request):
    return f"cms:page:{generation()}:{request.get_host()}:{request.get_full_path()}"


def _anonymous_read(request):
    # A session cookie means someone may be signed in: they never share pages.
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _cacheable_request(request, page):
    return (
        _anonymous_read(request)
        and not request.user.is_authenticated
        and not page.get_view_restrictions().exists()
    )


def _cached_response(key):
    cached = cache.get(key)
    if cached is None:
        return None
    response = HttpResponse(cached["content"], content_type=cached["content_type"])
    response["X-Page-Cache"] = "hit"
    return response


def _personal(request, response):
    """
    Whether the rendered page carries something for this visitor only: a
    cookie set by the view, a CSRF token (its cookie is set later, by the
    middleware, so the request's flag is what tells), or flash messages.
    """
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    storage = getattr(request, "_messages", None)
    return bool(storage and (storage._queued_messages or getattr(storage, "_loaded_data", None)))


class PageCacheMiddleware:
    """Answer anonymous reads of pages stored by `serve_from_cache`, before any routing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _anonymous_read(request):
            response = _cached_response(_key(request))
            if response is not None:
                return response
        return self.get_response(request)


def serve_from_cache(serve_page):
    """Wagtail `on_serve_page` hook: wraps the serving of every page."""

    def serve(page, request, *args, **kwargs):
        if not _cacheable_request(request, page):
            return serve_page(page, request, *args, **kwargs)
        key = _key(request)
        response = _cached_response(key)
        if response is not None:
            return response
        response = serve_page(page, request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200 and not _personal(request, response):
            cache.set(
                key,
                {"content": response.content, "content_type": response["Content-Type"]},
                settings.PAGE_CACHE_SECONDS,
            )
        response["X-Page-Cache"] = "miss"
        return response

    return serve
