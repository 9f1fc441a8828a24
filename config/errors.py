"""
Domain errors.

A service raises one of these when a rule of the domain forbids what was
asked (`NotEligible`, `AttemptClosed`, …). Views never build error responses
themselves: the API's exception handler (`config.api`) turns a DomainError
into one response shape, in the user's language.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base class. Subclasses set a stable `code`, an HTTP `status` and a message."""

    code = "domain_error"
    status = 409
    default_message = _("This action is not allowed in the current state.")

    def __init__(self, message=None, *, details=None):
        self.message = message if message is not None else self.default_message
        self.details = details or {}
        super().__init__(str(self.message))
