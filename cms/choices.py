from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    KNOWLEDGE = "knowledge", _("Safety knowledge")
    CASE_STUDY = "case_study", _("Case study")
    WARNING = "warning", _("Warning education")


class CampaignKind(models.TextChoices):
    """The fixed campaign days of the bureau's work plan."""

    DISASTER_PREVENTION_DAY = "5-12", _("5·12 Disaster Prevention and Reduction Day")
    SAFETY_PRODUCTION_MONTH = "safety_month", _("Safety Production Month")
    DISASTER_REDUCTION_DAY = "10-13", _("10·13 International Day for Disaster Risk Reduction")
    ANKANG_CUP = "ankang_cup", _("Ankang Cup")
    OTHER = "other", _("Other campaign")


class CampaignStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    CURRENT = "current", _("On now")
    PAST = "past", _("Ended")


class ResourceKind(models.TextChoices):
    REGULATION = "regulation", _("Law or regulation")
    LEAFLET = "leaflet", _("Leaflet")
    POSTER = "poster", _("Poster")
    GUIDE = "guide", _("Guide")
    OTHER = "other", _("Other")
