from wagtail import hooks

from cms.cache import serve_from_cache

hooks.register("on_serve_page", serve_from_cache)
