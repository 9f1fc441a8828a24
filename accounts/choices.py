"""Vocabularies shared across Ankang: roles and industries."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """
    What a person does on Ankang. Each role is a Django group (created by
    migration 0002) whose name is the Chinese title staff know it by.
    """

    CANDIDATE = "candidate", _("Candidate")
    TRAINER = "trainer", _("Trainer")
    PROCTOR = "proctor", _("Proctor")
    CENTRE_ADMIN = "centre_admin", _("Centre admin")
    PUBLICITY_EDITOR = "publicity_editor", _("Publicity editor")
    BUREAU_ADMIN = "bureau_admin", _("Bureau admin")


# Group names are data, shown as-is in both admins; they are the titles the
# bureau uses. Migration 0002 copies this table: keep the two in step.
ROLE_GROUP_NAMES = {
    Role.CANDIDATE: "考生",
    Role.TRAINER: "培训讲师",
    Role.PROCTOR: "监考员",
    Role.CENTRE_ADMIN: "考点管理员",
    Role.PUBLICITY_EDITOR: "宣传编辑",
    Role.BUREAU_ADMIN: "应急管理局管理员",
}


class Industry(models.TextChoices):
    """The key industries of the bureau's training plan (重点行业)."""

    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("Hazardous chemicals")
    COMBUSTIBLE_DUST = "combustible_dust", _("Combustible dust")
    AMMONIA_REFRIGERATION = "ammonia_refrigeration", _("Ammonia refrigeration")
    METALLURGY = "metallurgy", _("Metallurgy and non-ferrous metals")
    CONFINED_SPACES = "confined_spaces", _("Confined spaces")
    OTHER = "other", _("Other industries")


class TargetRole(models.TextChoices):
    """
    The four kinds of people the safety-training rules name. A course is
    written for some of them; an exam is set for one.
    """

    PRINCIPAL = "principal", _("Principal person in charge")
    SAFETY_MANAGER = "safety_manager", _("Safety manager")
    SPECIAL_OPERATIONS = "special_operations", _("Special-operations worker")
    PRACTITIONER = "practitioner", _("General practitioner")
