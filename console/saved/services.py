"""Saving, changing and deleting saved requests.

Any member saves; the member who saved a request and the team's admins change or
delete it. Values are redacted as the history redacts them (cookies, credential
headers, fields named like a secret), so a saved request never shows a secret to
the rest of the team.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from console.explorer.reopen import FormState
from console.history.redaction import redact_form_values, redact_json_text
from console.saved.models import SavedRequest
from console.specs.models import Operation, SpecVersion
from console.teams.models import Role
from console.teams.scoping import TeamScope

MAX_NAME = 200


class SavedRequestError(Exception):
    """A change that cannot be made, with one message for a person."""


def can_edit(scope: TeamScope, saved: SavedRequest) -> bool:
    """The member who saved it (while still a member or above) and admins may change it."""
    if scope.membership.has_role(Role.ADMIN):
        return True
    return scope.membership.can_send and saved.created_by_id == scope.user.pk


def _require_edit(scope: TeamScope, saved: SavedRequest) -> None:
    if saved.team_id != scope.team.pk:
        raise Http404("No such saved request.")
    if not can_edit(scope, saved):
        raise PermissionDenied("Only the member who saved it and admins can change it.")


def clean_name(name: str) -> str:
    """The name as stored: one line, trimmed; an error when empty or too long."""
    name = " ".join(str(name or "").split())
    if not name:
        raise SavedRequestError("Give the saved request a name.")
    if len(name) > MAX_NAME:
        raise SavedRequestError(f"Names have at most {MAX_NAME} characters.")
    return name


def _stored(state: FormState) -> dict[str, object]:
    """The model fields that hold a form state, secrets redacted."""
    return {
        "values": redact_form_values(state.values),
        "body": redact_json_text(state.body or ""),
        "body_content_type": state.body_type[:200],
        "body_view": state.body_view,
        "variant": state.variant,
    }


def _operation_fields(scope: TeamScope, operation: Operation) -> dict[str, object]:
    if operation.team_id != scope.team.pk:
        raise Http404("No such operation.")
    spec_id = SpecVersion.objects.values_list("spec_id", flat=True).get(pk=operation.version_id)
    return {
        "spec_id": spec_id,
        "operation": operation,
        "operation_key": operation.operation_id,
        "method": operation.method,
        "path": operation.path,
        "operation_label": operation.label[:500],
    }


def saved_create(
    *, scope: TeamScope, operation: Operation, name: str, state: FormState
) -> SavedRequest:
    """Save `state` of `operation`'s form as a request named `name`, shared with the team."""
    scope.require(Role.MEMBER)
    return SavedRequest.objects.create(
        team=scope.team,
        name=clean_name(name),
        created_by=scope.user,
        **_operation_fields(scope, operation),
        **_stored(state),
    )


def saved_update(
    *, scope: TeamScope, saved: SavedRequest, operation: Operation, state: FormState
) -> SavedRequest:
    """Replace the values of `saved` with `state` of `operation`'s form.

    `operation` is the one the form was opened as (the newest version's), so a saved
    request marked as changed is no longer marked once its values are saved again.
    """
    scope.require(Role.MEMBER)
    _require_edit(scope, saved)
    fields = {**_operation_fields(scope, operation), **_stored(state)}
    if fields["spec_id"] != saved.spec_id:
        raise SavedRequestError("The form is of an operation of another spec.")
    for key, value in fields.items():
        setattr(saved, key, value)
    saved.save()
    return saved


def saved_rename(*, scope: TeamScope, saved: SavedRequest, name: str) -> SavedRequest:
    """Give `saved` a new name."""
    scope.require(Role.MEMBER)
    _require_edit(scope, saved)
    saved.name = clean_name(name)
    saved.save(update_fields=["name", "updated_at"])
    return saved


def saved_delete(*, scope: TeamScope, saved: SavedRequest) -> None:
    """Delete `saved` (the history of calls sent with it stays)."""
    scope.require(Role.MEMBER)
    _require_edit(scope, saved)
    saved.delete()


def state_of(saved: SavedRequest) -> FormState:
    """The form state a saved request opens with.

    A body saved from a form view has no editor text: should the operation now need
    the editor, it starts from the spec's example rather than empty.
    """
    from_form = any(name.startswith("body:") for name in saved.values)
    return FormState.from_options(
        {
            "values": saved.values,
            "body_type": saved.body_content_type,
            "body_view": saved.body_view,
            "variant": saved.variant,
        },
        body=None if from_form and not saved.body else saved.body,
    )
