"""
Re-grading in the Wagtail admin, for the bureau's admins: after a question's
key is corrected (editing an active question makes its next version), grade
again with the current version the graded attempts that drew an earlier one.

The page says how many attempts that concerns, which ones are left alone and
why, and how many results would change, worked out without saving anything;
confirming with a reason runs `grading.regrade`. The re-gradings done before
on the question are listed with who, when and why.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.snippets.action_menu import ActionMenuItem

from exams import grading
from exams.models import Question, Regrading


class RegradeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What was corrected"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Kept with the re-grading and on every attempt's timeline, "
            "e.g. “the key said B; the regulation says C”."
        ),
        error_messages={"required": gettext_lazy("Say what was corrected.")},
    )


def regrade_question(request, question_id):
    if not request.user.is_bureau:
        raise PermissionDenied
    question = get_object_or_404(Question, pk=question_id)
    if not question.is_current:
        current = get_object_or_404(Question, lineage=question.lineage, is_current=True)
        return redirect("exams_regrade", current.pk)
    form = RegradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            regrading = grading.regrade(
                question=question, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = _(
                "Re-grading done. Attempts re-graded: %(attempts)s; results changed: %(changed)s."
            )
            messages.success(
                request,
                done
                % {"attempts": regrading.attempts_regraded, "changed": regrading.results_changed},
            )
            return redirect("exams_regrade", question.pk)
    return TemplateResponse(
        request,
        "exams/admin/regrade.html",
        {
            "question": question,
            "preview": grading.regrade_preview(question),
            "form": form,
            "regradings": Regrading.objects.filter(question__lineage=question.lineage)
            .select_related("by", "question")
            .order_by("-at", "-pk"),
        },
    )


class RegradeMenuItem(ActionMenuItem):
    """ "Re-grade attempts" in a question's edit screen, for the bureau's admins."""

    name = "action-regrade"
    label = gettext_lazy("Re-grade attempts")
    icon_name = "resubmit"

    def is_shown(self, context):
        return context["view"] == "edit" and context["request"].user.is_bureau

    def get_url(self, parent_context):
        return reverse("exams_regrade", args=[parent_context["instance"].pk])
