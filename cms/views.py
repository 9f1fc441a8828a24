from django.core.paginator import Paginator
from django.shortcuts import render
from taggit.models import Tag
from wagtail.models import Locale

from accounts.choices import Industry
from cms.models import ArticleTopic
from cms.selectors import search_site

RESULTS_PER_PAGE = 10


def search(request):
    """Site search across pages and documents, with filters by industry and topic."""
    query = request.GET.get("q", "")[:100]
    industry = request.GET.get("industry", "")
    topic = request.GET.get("topic", "")
    locale = Locale.get_active()
    pages, documents = search_site(query=query, locale=locale, industry=industry, topic=topic)
    topics = Tag.objects.filter(pk__in=ArticleTopic.objects.values("tag_id")).order_by("name")
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "selected_industry": industry,
            "selected_topic": topic,
            "industries": Industry.choices,
            "topics": topics,
            "results": Paginator(pages, RESULTS_PER_PAGE).get_page(request.GET.get("page")),
            "documents": documents[:20],
            "searched": bool(query or industry or topic),
        },
    )
