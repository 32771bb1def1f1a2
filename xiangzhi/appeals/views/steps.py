"""One route per workflow step (POST only): load the appeal, run the step's service, go back.

The forms each step needs are declared once (STEPS) and shown on the appeal's page for the
steps the workflow allows the user now; a refused step answers 403 (not the user's to take)
or goes back with the reason (not in this state, a field missing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import services
from ..access import access_appeal
from ..forms import (
    AssignForm,
    CommentForm,
    DispatchForm,
    MergeForm,
    NoteForm,
    RateForm,
    ReplyForm,
    TransferForm,
)
from ..selectors import assignee_choices, department_choices, merge_choices, transfer_choices
from ..workflow import Transition, ensure_party


@dataclass(frozen=True)
class Step:
    form: type[forms.Form]
    run: Callable  # (actor, appeal, cleaned_data) -> Appeal
    choices: Callable | None = None  # (actor, appeal) -> the queryset of the form's choice


def _note(service):
    return lambda actor, appeal, d: service(actor=actor, appeal=appeal, note=d.get("note", ""))


STEPS: dict[str, Step] = {
    "accept": Step(NoteForm, _note(services.appeal_accept)),
    "assign": Step(
        AssignForm,
        lambda actor, appeal, d: services.appeal_assign(
            actor=actor, appeal=appeal, assignee=d["assignee"], note=d["note"]
        ),
        lambda actor, appeal: assignee_choices(actor=actor, appeal=appeal),
    ),
    "dispatch": Step(
        DispatchForm,
        lambda actor, appeal, d: services.appeal_dispatch(
            actor=actor, appeal=appeal, department=d["department"], note=d["note"]
        ),
        lambda actor, appeal: department_choices(),
    ),
    "start": Step(NoteForm, _note(services.appeal_start)),
    "reply": Step(ReplyForm, _note(services.appeal_reply)),
    "rate": Step(
        RateForm,
        lambda actor, appeal, d: services.appeal_rate(
            actor=actor, appeal=appeal, score=d["score"], comment=d["comment"]
        ),
    ),
    "follow_up": Step(
        RateForm,
        lambda actor, appeal, d: services.appeal_follow_up(
            actor=actor, appeal=appeal, score=d["score"], comment=d["comment"]
        ),
    ),
    "close": Step(NoteForm, _note(services.appeal_close)),
    "reopen": Step(NoteForm, _note(services.appeal_reopen)),
    "transfer": Step(
        TransferForm,
        lambda actor, appeal, d: services.appeal_transfer(
            actor=actor, appeal=appeal, node=d["node"], note=d["note"]
        ),
        lambda actor, appeal: transfer_choices(actor=actor, appeal=appeal),
    ),
    "escalate": Step(NoteForm, _note(services.appeal_escalate)),
    "merge": Step(
        MergeForm,
        lambda actor, appeal, d: services.appeal_merge(
            actor=actor, appeal=appeal, into=d["into"], note=d["note"]
        ),
        lambda actor, appeal: merge_choices(actor=actor, appeal=appeal),
    ),
    "supervise": Step(NoteForm, _note(services.appeal_supervise)),
    "comment": Step(
        CommentForm,
        lambda actor, appeal, d: services.appeal_comment(
            actor=actor, appeal=appeal, note=d["note"], internal=d["internal"]
        ),
    ),
}


def _form(name: str, actor, appeal, data=None, initial=None) -> forms.Form:
    step = STEPS[name]
    kwargs = {"prefix": name, "initial": initial}
    if step.choices is not None:
        kwargs["choices"] = step.choices(actor, appeal)
    return step.form(data, **kwargs)


def step_forms(
    actor, appeal, transitions: list[Transition], initial: dict | None = None
) -> list[tuple[Transition, forms.Form]]:
    """The form of each step the actor may take now, for the appeal's page (`initial`: the
    routing suggestion's values per step)."""
    initial = initial or {}
    return [(t, _form(t.name, actor, appeal, initial=initial.get(t.name))) for t in transitions]


@require_POST
def appeal_step_view(request, appeal_id: int, step: str):
    appeal = access_appeal(request.user, appeal_id)
    ensure_party(request.user, appeal, step)
    form = _form(step, request.user, appeal, request.POST)
    back = reverse("appeals:detail", args=[appeal.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        STEPS[step].run(request.user, appeal, form.cleaned_data)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, f"{appeal.number}：{appeal.get_state_display()}")
    return redirect(back)
