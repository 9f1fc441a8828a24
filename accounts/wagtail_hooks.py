"""The bureau's screens on people in the Wagtail admin: the audit log and personal data (PIPL)."""

from wagtail import hooks

from accounts import audit_views, privacy_views


@hooks.register("register_admin_urls")
def audit_log_urls():
    return audit_views.urls()


@hooks.register("register_admin_menu_item")
def audit_log_menu_item():
    return audit_views.menu_item()


@hooks.register("register_admin_urls")
def personal_data_urls():
    return privacy_views.urls()


@hooks.register("register_user_listing_buttons")
def personal_data_button(user, request_user):
    return privacy_views.listing_buttons(user, request_user)
