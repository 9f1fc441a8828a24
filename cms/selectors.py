"""Reads for the public site."""

from django.db.models import Q
from wagtail.documents import get_document_model
from wagtail.models import Page

from accounts.choices import Industry
from cms.models import ArticlePage
from cms.search import cjk_bigrams


def search_site(*, query, locale, industry="", topic=""):
    """
    Pages and documents matching `query` in one language.

    With an industry or topic filter only articles can match (they are the
    pages that carry those tags). Documents are matched on their titles by
    substring, which is right for Chinese titles and cheap for a library of
    hundreds of files.
    """
    query = (query or "").strip()
    if not query and not industry and not topic:
        return Page.objects.none(), get_document_model().objects.none()

    if industry or topic:
        pages = ArticlePage.objects.live().public().filter(locale=locale)
        if industry in Industry.values:
            pages = pages.filter(industry=industry)
        if topic:
            pages = pages.filter(
                id__in=ArticlePage.objects.filter(tagged_topics__tag__slug=topic).values("id")
            )
    else:
        pages = Page.objects.live().public().filter(locale=locale).exclude(depth__lte=1)

    if query:
        pages = pages.search(cjk_bigrams(query), operator="and")
        documents = (
            get_document_model()
            .objects.filter(Q(title__icontains=query) | Q(tags__name__icontains=query))
            .distinct()
        )
    else:
        pages = pages.order_by("-first_published_at")
        documents = get_document_model().objects.none()
    return pages, documents.order_by("-created_at")
