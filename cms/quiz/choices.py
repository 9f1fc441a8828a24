from django.db import models
from django.utils.translation import gettext_lazy as _


class PlayerDetails(models.TextChoices):
    """What a player must give before playing."""

    NICKNAME = "nickname", _("Nickname only")
    FULL = "full", _("Name, phone and town or employer")


class PlayStatus(models.TextChoices):
    ACTIVE = "active", _("Playing")
    FINISHED = "finished", _("Finished")


class PlayFlag(models.TextChoices):
    """Why a play looks suspicious: it stays on the board until an editor disqualifies it."""

    FAST_ANSWER = "fast_answer", _("Answered faster than a person can read")
    SHARED_DEVICE = "shared_device", _("Many plays today from one address and browser")
