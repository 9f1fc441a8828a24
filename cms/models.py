"""
The public safety-education site: page types and their parent/child rules.

    HomePage
    ├── KnowledgeIndexPage → ArticlePage (knowledge, case studies, warning education)
    ├── CampaignIndexPage  → CampaignPage (5·12, Safety Production Month, 10·13, Ankang Cup)
    ├── NewsIndexPage      → NewsPage
    ├── ResourceLibraryPage (documents to download)
    └── training.TrainingIndexPage → CoursePage → LessonPage (see training/models.py)
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from accounts.choices import Industry
from cms.blocks import BaseStreamBlock, CampaignStreamBlock
from cms.choices import ArticleKind, CampaignKind, CampaignStatus, ResourceKind
from cms.search import cjk_bigrams, streamfield_text

PAGE_SIZE = 12


def paginate(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class ContentPage(Page):
    """
    What every content page has: a summary for listings and share cards, a
    listing image, and a search text that Chinese queries can match.

    PostgreSQL's and SQLite's full-text search split words at spaces, which a
    Chinese sentence has none of; `search_text` indexes overlapping character
    pairs (bigrams), and the search view asks for the same pairs.
    """

    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences for listings, search results and share cards."),
    )
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("listing image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("search_text"),
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("listing_image")]

    class Meta:
        abstract = True

    def search_text(self):
        parts = [self.title, self.summary, *self.extra_search_text()]
        return cjk_bigrams(" ".join(part for part in parts if part))

    def extra_search_text(self):
        body = getattr(self, "body", None)
        return [streamfield_text(body)] if body is not None else []

    @property
    def share_description(self):
        return self.search_description or self.summary


class HomePage(ContentPage):
    """The front page: the bureau's welcome, current and upcoming campaigns, latest articles."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.KnowledgeIndexPage",
        "cms.CampaignIndexPage",
        "cms.NewsIndexPage",
        "cms.ResourceLibraryPage",
        "training.TrainingIndexPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        context["campaigns"] = (
            CampaignPage.objects.live()
            .public()
            .filter(locale=self.locale, end_date__gte=today)
            .select_related("listing_image")
            .order_by("start_date")[:4]
        )
        context["articles"] = (
            ArticlePage.objects.live()
            .public()
            .filter(locale=self.locale)
            .select_related("listing_image")
            .order_by("-date", "-pk")[:6]
        )
        return context


class KnowledgeIndexPage(ContentPage):
    """Safety knowledge, case studies and warning education, filterable by industry and kind."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("knowledge section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = (
            ArticlePage.objects.child_of(self)
            .live()
            .public()
            .select_related("listing_image")
            .order_by("-date", "-pk")
        )
        industry = request.GET.get("industry")
        kind = request.GET.get("kind")
        if industry in Industry.values:
            articles = articles.filter(industry=industry)
        if kind in ArticleKind.values:
            articles = articles.filter(kind=kind)
        context.update(
            articles=paginate(request, articles),
            industries=Industry.choices,
            kinds=ArticleKind.choices,
            selected_industry=industry,
            selected_kind=kind,
        )
        return context


class ArticleTopic(TaggedItemBase):
    content_object = ParentalKey(
        "cms.ArticlePage", related_name="tagged_topics", on_delete=models.CASCADE
    )


class ArticlePage(ContentPage):
    """One article: safety knowledge, a case study, or warning education (案例警示教育)."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=ArticleKind.choices, default=ArticleKind.KNOWLEDGE
    )
    industry = models.CharField(
        _("industry"),
        max_length=32,
        choices=Industry.choices,
        blank=True,
        help_text=_("Leave empty for knowledge that applies to every industry."),
    )
    topics = ClusterTaggableManager(verbose_name=_("topics"), through=ArticleTopic, blank=True)
    date = models.DateField(_("date"), default=datetime.date.today)
    author = models.CharField(_("author or source"), max_length=120, blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("industry"), FieldPanel("date")]),
        FieldPanel("topics"),
        FieldPanel("author"),
        FieldPanel("body"),
    ]
    search_fields = [
        *ContentPage.search_fields,
        index.FilterField("industry"),
        index.FilterField("kind"),
    ]
    parent_page_types = ["cms.KnowledgeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def extra_search_text(self):
        return [*super().extra_search_text(), " ".join(tag.name for tag in self.topics.all())]


class CampaignIndexPage(ContentPage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CampaignPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("campaigns section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        campaigns = (
            CampaignPage.objects.child_of(self)
            .live()
            .public()
            .select_related("listing_image")
            .order_by("-start_date")
        )
        context["items"] = paginate(request, campaigns)
        return context


class CampaignPage(ContentPage):
    """
    One campaign (宣传活动), e.g. this year's 5·12 Disaster Prevention Day, with
    its dates, theme and organiser; before it starts the page counts down.
    Editors can schedule it to go live and expire (Wagtail's go-live and
    expiry dates, on the Settings tab).
    """

    kind = models.CharField(_("campaign"), max_length=20, choices=CampaignKind.choices)
    theme = models.CharField(
        _("theme"), max_length=200, help_text=_("This year's theme, e.g. 人人讲安全、个个会应急.")
    )
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    organiser = models.CharField(_("organiser"), max_length=200)
    body = StreamField(CampaignStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("theme"),
        FieldPanel("organiser"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*ContentPage.search_fields, index.FilterField("kind")]
    parent_page_types = ["cms.CampaignIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A campaign cannot end before it starts.")})

    def extra_search_text(self):
        return [*super().extra_search_text(), self.theme, self.organiser]

    def status(self, today=None):
        today = today or timezone.localdate()
        if today < self.start_date:
            return CampaignStatus.UPCOMING
        if today > self.end_date:
            return CampaignStatus.PAST
        return CampaignStatus.CURRENT

    @property
    def days_to_start(self):
        return (self.start_date - timezone.localdate()).days


class NewsIndexPage(ContentPage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = (
            NewsPage.objects.child_of(self)
            .live()
            .public()
            .select_related("listing_image")
            .order_by("-date", "-pk")
        )
        context["items"] = paginate(request, news)
        return context


class NewsPage(ContentPage):
    date = models.DateField(_("date"), default=datetime.date.today)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")


class ResourceLibraryPage(ContentPage):
    """Documents to download: laws and regulations, leaflets, posters, guides."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("resources", label=_("Resources"), heading=_("Resources")),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("resource library")

    def extra_search_text(self):
        return [f"{r.display_title} {r.description}" for r in self.resources.all()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        resources = self.resources.select_related("document", "cover")
        kind = request.GET.get("kind")
        if kind in ResourceKind.values:
            resources = resources.filter(kind=kind)
        context.update(
            resources=paginate(request, resources, per_page=24),
            kinds=ResourceKind.choices,
            selected_kind=kind,
        )
        return context


class Resource(Orderable):
    page = ParentalKey(ResourceLibraryPage, related_name="resources", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Leave empty to use the document's.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)

    panels = [
        FieldPanel("document"),
        FieldPanel("cover"),
        MultiFieldPanel([FieldPanel("title"), FieldPanel("kind"), FieldPanel("description")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("resource")

    @property
    def display_title(self):
        return self.title or self.document.title


# The campaign quiz's models live in their own module (cms/quiz/); importing
# them here registers them with the cms app.
from cms.quiz.models import (  # noqa: E402, F401, I001
    Play,
    PlayAnswer,
    PrizeDraw,
    Quiz,
    QuizQuestion,
    QuizTheme,
    QuizTown,
)
