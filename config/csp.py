"""
The Content-Security-Policy of settings.CONTENT_SECURITY_POLICY, with the two
exceptions the pages need and nothing wider.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware as BaseCSPMiddleware

# Wagtail 8's admin still writes inline <script> elements with per-widget data
# (wagtailadmin/panels/inline_panel.html and multiple_chooser_panel.html, the
# date, time and date-time widgets), so its editing forms stop working without
# 'unsafe-inline'. Only screens under this prefix, for signed-in staff, get it.
WAGTAIL_ADMIN_PREFIX = "/admin/"


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        update = dict(parts.update or {})
        replace = dict(parts.replace or {})
        if request.path_info.startswith(WAGTAIL_ADMIN_PREFIX):
            update["script-src"] = [*update.get("script-src", []), UNSAFE_INLINE]
        # A view that allows same-origin framing (Wagtail's preview in the page
        # editor, the courseware PDF in the lesson page) says so with
        # X-Frame-Options; frame-ancestors 'none' would overrule it, since
        # browsers obey CSP over X-Frame-Options.
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            replace["frame-ancestors"] = [SELF]
        parts.update = update or None
        parts.replace = replace or None
        return parts
