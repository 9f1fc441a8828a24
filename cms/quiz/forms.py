from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import mainland_mobile
from cms.quiz import guards


class JoinForm(forms.Form):
    """What a player gives before playing: as little as the quiz asks for."""

    nickname = forms.CharField(label=_("Nickname"), max_length=20, required=False)
    real_name = forms.CharField(label=_("Name"), max_length=30, required=False)
    under_14 = forms.BooleanField(
        label=_("I am under 14 and play with a parent or guardian"), required=False
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    town = forms.ChoiceField(label=_("Town"), required=False)
    employer = forms.CharField(label=_("Employer or school"), max_length=100, required=False)
    consent = forms.BooleanField(required=False)
    challenge_answer = forms.CharField(
        label=_("Anti-robot check"),
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    challenge_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, quiz, **kwargs):
        super().__init__(*args, **kwargs)
        self.quiz = quiz
        if "consent" in self.fields:
            self.fields["consent"].label = _(
                "I agree that my name, phone and employer are used only for this quiz's "
                "ranking and prizes, and erased %(days)d days after it closes."
            ) % {"days": settings.QUIZ_PERSONAL_DATA_RETENTION_DAYS}
        towns = [town.name for town in quiz.towns.all()]
        self.fields["town"].choices = [("", _("Choose your town")), *[(t, t) for t in towns]]
        if not towns:
            del self.fields["town"]
        if quiz.asks_for_identity:
            del self.fields["nickname"]
            self.fields["real_name"].required = True
            if not quiz.ask_employer:
                del self.fields["employer"]
        else:
            # `town` is gone already when the quiz lists no towns.
            for name in ("real_name", "under_14", "phone", "town", "employer", "consent"):
                self.fields.pop(name, None)
            self.fields["nickname"].required = True
        if not self.is_bound:
            question, token = guards.new_challenge()
            self.challenge_question = question
            self.initial["challenge_token"] = token
        else:
            self.challenge_question = None

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if phone:
            mainland_mobile(phone)
        return phone

    def clean(self):
        cleaned = super().clean()
        if not self.quiz.asks_for_identity:
            return self._check_challenge(cleaned)
        if cleaned.get("under_14"):
            # Children are not asked for a phone; one typed anyway is not kept.
            cleaned["phone"] = ""
        elif not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Enter your mobile phone number."))
        if "town" in self.fields and not cleaned.get("town"):
            if not cleaned.get("employer"):
                self.add_error("town", _("Choose your town, or give your employer or school."))
        elif (
            "town" not in self.fields and "employer" in self.fields and not cleaned.get("employer")
        ):
            self.add_error("employer", _("Give your employer or school."))
        if not cleaned.get("consent"):
            self.add_error("consent", _("Agree to the use of your details to take part."))
        return self._check_challenge(cleaned)

    def _check_challenge(self, cleaned):
        if not self.errors and not guards.check_challenge(
            cleaned.get("challenge_token", ""), cleaned.get("challenge_answer", "")
        ):
            self.add_error("challenge_answer", _("That is not the right sum. Try the new one."))
        return cleaned
