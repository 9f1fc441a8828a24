"""The API's language."""

from django.utils import translation


class ApiLanguageMiddleware:
    """
    Pages carry their language in the address (/ is Chinese, /en/ English),
    and Django's LocaleMiddleware gives every address without a prefix the
    default language. The API has no prefix: it answers in the language the
    client asks for in Accept-Language (the site's pages send their own), and
    in Chinese otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
