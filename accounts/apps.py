from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    # apps.py holds two configs: this one is what "accounts" in INSTALLED_APPS means.
    default = True
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import audit

        audit.register_models()


class AccountsUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user screens, with our fields and masked ID numbers."""

    default = False
    user_viewset = "accounts.viewsets.UserViewSet"
