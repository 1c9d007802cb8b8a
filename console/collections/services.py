"""Collections: making and arranging them, and running one as a sequence.

Viewers read collections; members make and run them; the member who made a collection
(while a member or above) and the team's admins change it (rename, folders, steps, the
variables a step sets) and delete it: one rule for the whole collection, as for free and
saved requests. A run sends the steps in order, in the web
request (at most `MAX_RUN_STEPS`): a saved request is reopened on the newest version of
its operation (as Open does) and sent through `run_operation`, a free request through
`free_send`. After each step its captures set variables from the answer (for the
access's environment) so later steps use them. A step fails when it was not sent, its
status is 400 or more, or a capture finds nothing: the run stops there with the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import Http404

from console.collections.models import Collection, CollectionFolder, CollectionItem
from console.core.http import MUTATING_METHODS
from console.core.text import clean_name as _clean_name
from console.core.text import clean_text
from console.explorer.services import CallOutcome, operation_open, run_operation
from console.freeform.models import FreeRequest
from console.freeform.services import free_send
from console.history.models import CallRecord
from console.saved.models import SavedRequest
from console.saved.selectors import saved_items
from console.saved.services import state_of
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.variables.models import NAME_PATTERN
from console.vault.models import ApplicationAccess

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_CAPTURES = 20
MAX_FOLDER_DEPTH = 5
# A run happens inside one web request: bounded so that it cannot hold a worker for long.
MAX_RUN_STEPS = 50
# ...and its total time: no further step starts once a run has taken longer than this.
DEFAULT_RUN_SECONDS = 120
MUTATING = MUTATING_METHODS
_VARIABLE = re.compile(NAME_PATTERN)


class CollectionError(Exception):
    """A change that cannot be made, with one message for a person."""


def clean_name(name: str, what: str = "collection") -> str:
    """The name as stored: one line, trimmed; an error when empty, too long or holding
    a character that cannot be stored."""
    return _clean_name(name, what, CollectionError, MAX_NAME)


def clean_description(description: str) -> str:
    """The description as stored: trimmed and cut to `MAX_DESCRIPTION`."""
    text = clean_text(description, "the description", CollectionError)
    return text.strip()[:MAX_DESCRIPTION]


def clean_captures(captures: Iterable[Any]) -> list[dict[str, str]]:
    """Captures as stored: ``{"variable", "pointer"}`` each, both checked.

    Rows with neither part are dropped; a variable name like Postman's (letters, digits,
    ``_ . -``) and a JSON Pointer (``/id``, ``/items/0/id``, or empty for the whole body).
    """
    out: list[dict[str, str]] = []
    for capture in captures or ():
        if isinstance(capture, dict):
            variable, pointer = capture.get("variable", ""), capture.get("pointer", "")
        elif isinstance(capture, list | tuple) and len(capture) == 2:
            variable, pointer = capture
        else:
            continue
        variable = clean_text(variable, "a variable name", CollectionError).strip()
        pointer = clean_text(pointer, "a JSON Pointer", CollectionError).strip()
        if not variable and not pointer:
            continue
        if not _VARIABLE.fullmatch(variable) or len(variable) > 100:
            raise CollectionError(
                f"“{variable[:60]}” is not a variable name: letters, digits, _ . and -, "
                "starting with a letter."
            )
        if pointer and not pointer.startswith("/"):
            raise CollectionError(
                f"“{pointer[:60]}” is not a JSON Pointer: it starts with /, such as /id."
            )
        out.append({"variable": variable, "pointer": pointer[:500]})
    if len(out) > MAX_CAPTURES:
        raise CollectionError(f"A step sets at most {MAX_CAPTURES} variables.")
    return out


# ---------------------------------------------------------------- who may do what


def can_edit(scope: TeamScope, collection: Collection) -> bool:
    """The member who made it (while a member or above) and admins change a collection:
    its name, folders, steps and captures, and delete it (other members read and run it)."""
    if scope.membership.has_role(Role.ADMIN):
        return True
    return scope.membership.can_send and collection.created_by_id == scope.user.pk


# Deleting follows the same rule as every other change (removing each step would be the same).
can_delete = can_edit


def _mine(scope: TeamScope, collection: Collection) -> None:
    if collection.team_id != scope.team.pk:
        raise Http404("No such collection.")


def _edit(scope: TeamScope, collection: Collection) -> None:
    scope.require(Role.MEMBER)
    _mine(scope, collection)
    if not can_edit(scope, collection):
        raise PermissionDenied("Only the member who made it and admins can change it.")


# ---------------------------------------------------------------- collections


def collection_create(*, scope: TeamScope, name: str, description: str = "") -> Collection:
    """Make an empty collection, shared with the team (members and above)."""
    scope.require(Role.MEMBER)
    return Collection.objects.create(
        team=scope.team,
        name=clean_name(name),
        description=clean_description(description),
        created_by=scope.user,
    )


def collection_update(
    *, scope: TeamScope, collection: Collection, name: str, description: str = ""
) -> Collection:
    """Rename a collection and change its description."""
    _edit(scope, collection)
    collection.name = clean_name(name)
    collection.description = clean_description(description)
    collection.save(update_fields=["name", "description", "updated_at"])
    return collection


def collection_delete(*, scope: TeamScope, collection: Collection) -> None:
    """Delete a collection with its folders and steps (the requests themselves stay)."""
    _edit(scope, collection)
    collection.delete()


def _touch(collection: Collection) -> None:
    collection.save(update_fields=["updated_at"])


# ---------------------------------------------------------------- folders


def _next_position(collection: Collection, folder: CollectionFolder | None) -> int:
    """One past the last position among the items and folders directly in `folder`."""
    items = collection.items.filter(folder=folder).aggregate(m=Max("position"))["m"]
    folders = collection.folders.filter(parent=folder).aggregate(m=Max("position"))["m"]
    return max(items if items is not None else -1, folders if folders is not None else -1) + 1


def _depth(folder: CollectionFolder | None) -> int:
    depth = 0
    while folder is not None:
        depth += 1
        folder = folder.parent
    return depth


def own_folder(
    collection: Collection, folder: CollectionFolder | int | str | None
) -> CollectionFolder | None:
    """`folder` (or its id) when it is a folder of `collection`; 404 otherwise."""
    if folder in (None, ""):
        return None
    pk = folder.pk if isinstance(folder, CollectionFolder) else folder
    try:
        return collection.folders.get(pk=pk)
    except (CollectionFolder.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such folder.") from exc


def folder_add(
    *,
    scope: TeamScope,
    collection: Collection,
    name: str,
    parent: CollectionFolder | None = None,
) -> CollectionFolder:
    """Add a folder at the end of `parent` (or of the collection's top level)."""
    _edit(scope, collection)
    parent = own_folder(collection, parent)
    if _depth(parent) >= MAX_FOLDER_DEPTH:
        raise CollectionError(f"Folders nest at most {MAX_FOLDER_DEPTH} deep.")
    folder = CollectionFolder.objects.create(
        collection=collection,
        parent=parent,
        name=clean_name(name, "folder"),
        position=_next_position(collection, parent),
    )
    _touch(collection)
    return folder


def folder_rename(
    *, scope: TeamScope, collection: Collection, folder: CollectionFolder, name: str
) -> CollectionFolder:
    """Give a folder a new name."""
    _edit(scope, collection)
    folder = own_folder(collection, folder)
    assert folder is not None
    folder.name = clean_name(name, "folder")
    folder.save(update_fields=["name"])
    _touch(collection)
    return folder


def folder_remove(*, scope: TeamScope, collection: Collection, folder: CollectionFolder) -> None:
    """Remove a folder with the folders and steps in it."""
    _edit(scope, collection)
    folder = own_folder(collection, folder)
    assert folder is not None
    folder.delete()
    _touch(collection)


# ---------------------------------------------------------------- items


def item_add(
    *,
    scope: TeamScope,
    collection: Collection,
    name: str,
    saved_request: SavedRequest | None = None,
    free_request: FreeRequest | None = None,
    folder: CollectionFolder | None = None,
    captures: Iterable[Any] = (),
) -> CollectionItem:
    """Add a step (a saved request or a free request, exactly one) at the end of `folder`
    (or of the top level); `captures` set variables from its answer when it is run."""
    _edit(scope, collection)
    if (saved_request is None) == (free_request is None):
        raise CollectionError("A step is either a saved request or a free request.")
    request = saved_request or free_request
    if request is None or request.team_id != scope.team.pk:
        raise Http404("No such request.")
    folder = own_folder(collection, folder)
    item = CollectionItem.objects.create(
        collection=collection,
        folder=folder,
        name=clean_name(name or request.name, "step"),
        saved_request=saved_request,
        free_request=free_request,
        captures=clean_captures(captures),
        position=_next_position(collection, folder),
    )
    _touch(collection)
    return item


def own_item(collection: Collection, item: CollectionItem | int | str) -> CollectionItem:
    """`item` (or its id) when it is a step of `collection`; 404 otherwise."""
    pk = item.pk if isinstance(item, CollectionItem) else item
    try:
        return collection.items.select_related("saved_request", "free_request").get(pk=pk)
    except (CollectionItem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such step.") from exc


def item_update(
    *,
    scope: TeamScope,
    collection: Collection,
    item: CollectionItem,
    name: str | None = None,
    captures: Iterable[Any] | None = None,
) -> CollectionItem:
    """Rename a step and/or replace the variables it sets from its answer."""
    _edit(scope, collection)
    item = own_item(collection, item)
    if name is not None:
        item.name = clean_name(name, "step")
    if captures is not None:
        item.captures = clean_captures(captures)
    item.save(update_fields=["name", "captures"])
    _touch(collection)
    return item


def item_remove(*, scope: TeamScope, collection: Collection, item: CollectionItem) -> None:
    """Remove a step (the saved or free request itself stays)."""
    _edit(scope, collection)
    own_item(collection, item).delete()
    _touch(collection)


def _renumber(rows: list[Any]) -> None:
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def _siblings(collection: Collection, folder: CollectionFolder | None) -> list[Any]:
    """The folders and items directly in `folder`, in order (folders first on a tie)."""
    folders = list(collection.folders.filter(parent=folder))
    items = list(collection.items.filter(folder=folder))
    return sorted([*folders, *items], key=_sort_key)


def _sort_key(row: Any) -> tuple[int, int, int]:
    return (row.position, 0 if isinstance(row, CollectionFolder) else 1, row.pk)


@transaction.atomic
def item_move(
    *,
    scope: TeamScope,
    collection: Collection,
    item: CollectionItem,
    direction: str = "",
    folder: CollectionFolder | int | str | None = "keep",
) -> CollectionItem:
    """Move a step one place ``up`` or ``down`` among its siblings, or into `folder`
    (None: the top level), where it goes last."""
    _edit(scope, collection)
    item = own_item(collection, item)
    if folder != "keep":
        target = own_folder(collection, folder)  # type: ignore[arg-type]
        if target != item.folder:
            old = item.folder
            item.folder = target
            item.position = _next_position(collection, target)
            item.save(update_fields=["folder", "position"])
            _renumber(_siblings(collection, old))
            _touch(collection)
            return item
    if direction in ("up", "down"):
        rows = _siblings(collection, item.folder)
        index = next(i for i, row in enumerate(rows) if row is not None and _same(row, item))
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
            _renumber(rows)
            _touch(collection)
        item.refresh_from_db(fields=["position"])
    return item


def _same(row: Any, item: CollectionItem) -> bool:
    return isinstance(row, CollectionItem) and row.pk == item.pk


@transaction.atomic
def folder_move(
    *, scope: TeamScope, collection: Collection, folder: CollectionFolder, direction: str
) -> CollectionFolder:
    """Move a folder one place ``up`` or ``down`` among its siblings."""
    _edit(scope, collection)
    folder = own_folder(collection, folder)
    assert folder is not None
    rows = _siblings(collection, folder.parent)
    index = next(
        i for i, r in enumerate(rows) if isinstance(r, CollectionFolder) and r.pk == folder.pk
    )
    other = index - 1 if direction == "up" else index + 1
    if direction in ("up", "down") and 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
        _renumber(rows)
        _touch(collection)
    folder.refresh_from_db(fields=["position"])
    return folder


# ---------------------------------------------------------------- reading


@dataclass
class Node:
    """A folder or a step in the collection's tree, with its depth (for indenting)."""

    kind: str  # "folder" or "item"
    obj: Any
    depth: int
    first: bool = False
    last: bool = False


def collection_tree(collection: Collection) -> list[Node]:
    """The collection's folders and steps in order, depth first (the run's order for
    steps), each marked first or last among its siblings (for the move buttons)."""
    folders = list(collection.folders.all())
    items = list(collection.items.select_related("saved_request", "free_request"))
    children: dict[int | None, list[Any]] = {}
    for folder in folders:
        children.setdefault(folder.parent_id, []).append(folder)
    for item in items:
        children.setdefault(item.folder_id, []).append(item)
    out: list[Node] = []

    def walk(parent: int | None, depth: int) -> None:
        rows = sorted(children.get(parent, []), key=_sort_key)
        for index, row in enumerate(rows):
            is_folder = isinstance(row, CollectionFolder)
            out.append(
                Node(
                    "folder" if is_folder else "item",
                    row,
                    depth,
                    first=index == 0,
                    last=index == len(rows) - 1,
                )
            )
            if is_folder and depth < MAX_FOLDER_DEPTH + 1:
                walk(row.pk, depth + 1)

    walk(None, 0)
    return out


def run_order(collection: Collection) -> list[CollectionItem]:
    """The steps in the order a run sends them: depth first, by position."""
    return [node.obj for node in collection_tree(collection) if node.kind == "item"]


# ---------------------------------------------------------------- running


@dataclass
class StepResult:
    """One step of a run: what was sent, what came back, and why it failed (if it did)."""

    item: CollectionItem
    name: str
    method: str = ""
    url: str = ""
    status: int | None = None
    duration_ms: float = 0.0
    record: CallRecord | None = None
    ok: bool = False
    reason: str = ""
    captured: list[tuple[str, str]] = field(default_factory=list)  # (variable, pointer)


@dataclass
class CollectionRunResult:
    """A run of a collection: its steps in order, and whether it went through.

    `needs_confirmation` means nothing was sent: the collection has steps that change
    things and the environment is production (the page asks once for the whole run).
    """

    collection: Collection
    access: ApplicationAccess
    steps: list[StepResult] = field(default_factory=list)
    total: int = 0
    needs_confirmation: bool = False
    mutating_steps: int = 0
    # The collection's state the confirmation is for (steps and their methods): the
    # page posts it back, and a run whose collection changed since is asked again.
    digest: str = ""
    changed_since_asked: bool = False
    error: str = ""
    # Why the run stopped before a step without that step failing (the time budget).
    stopped: str = ""
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """Every step ran and passed."""
        return (
            not self.error
            and not self.stopped
            and not self.needs_confirmation
            and len(self.steps) == self.total
            and all(step.ok for step in self.steps)
        )

    @property
    def failed(self) -> StepResult | None:
        """The step that stopped the run, if one did."""
        return next((step for step in self.steps if not step.ok), None)

    @property
    def not_run(self) -> int:
        """How many steps were not reached."""
        return max(0, self.total - len(self.steps))


@dataclass
class _Step:
    """A step as the run will send it: a saved request's target is the newest version of
    its operation (whose method may differ from the one saved), resolved once."""

    item: CollectionItem
    method: str
    target: Any = None  # the Operation a saved request is sent to (None: gone)


def _plan(scope: TeamScope, items: list[CollectionItem]) -> list[_Step]:
    # Every saved request's state in one batch (its queries do not grow with the steps).
    saved_pks = {item.saved_request_id for item in items if item.saved_request_id}
    listed_by_pk = (
        {i.saved.pk: i for i in saved_items(scope, SavedRequest.objects.filter(pk__in=saved_pks))}
        if saved_pks
        else {}
    )
    steps = []
    for item in items:
        if item.saved_request_id:
            listed = listed_by_pk[item.saved_request_id]
            target = None if listed.state.gone else listed.state.target
            method = target.method if target is not None else item.saved_request.method
            steps.append(_Step(item, (method or "").upper(), target))
        else:
            steps.append(_Step(item, (item.free_request.method or "").upper()))
    return steps


def _digest(access: ApplicationAccess, steps: list[_Step]) -> str:
    """What a production confirmation is for: the environment, and each step's id and
    method in order (a step added, removed, moved or changed in method asks again)."""
    state = [access.environment_id, [[s.item.pk, s.method] for s in steps]]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


def run_seconds() -> float:
    """The run's time budget (CONSOLE_COLLECTION_RUN_SECONDS, 120 by default)."""
    return float(getattr(settings, "CONSOLE_COLLECTION_RUN_SECONDS", DEFAULT_RUN_SECONDS))


def _send_saved(
    scope: TeamScope,
    access: ApplicationAccess,
    saved: SavedRequest,
    target: Any,
    confirmed: bool,
) -> tuple[CallOutcome | None, str]:
    """A saved request reopened on its operation's newest version (`target`) and sent;
    or why it cannot be sent. `confirmed`: the run was confirmed for production."""
    if target is None:
        return None, "Its operation is no longer in the spec."
    state = state_of(saved)
    redacted = state.redacted_fields()
    if redacted:
        shown = ", ".join(name.partition(":")[2] or name for name in redacted)
        return None, (
            f"It holds a value redacted when it was saved ({shown}): open it, type the "
            "value or use a secret variable, and save it again."
        )
    values = state.as_data()
    body = state.body
    if body is None:  # "the page's example", as Open fills it in
        body = operation_open(scope=scope, operation=target, choice=state.choice).body_example
    outcome = run_operation(
        scope=scope,
        access=access,
        operation=target,
        values=values,
        body=body,
        confirm_production=confirmed,
        confirmed_environment=str(access.environment_id),
    )
    return outcome, ""


def _send_free(
    scope: TeamScope, access: ApplicationAccess, free: FreeRequest, confirmed: bool
) -> CallOutcome:
    return free_send(
        scope=scope,
        access=access,
        method=free.method,
        path=free.path,
        query=free.query,
        headers=free.headers,
        body=free.body,
        body_content_type=free.body_content_type,
        confirm_production=confirmed,
        confirmed_environment=str(access.environment_id),
        label=free.name,
    )


def _not_sent_reason(outcome: CallOutcome) -> str:
    if outcome.needs_confirmation:  # its method changed after the run was confirmed
        return (
            f"Not sent: {outcome.method} changes things on {outcome.environment_name}, and "
            "this run was not confirmed for it. Run the collection again to be asked."
        )
    if outcome.field_errors:
        return "Not sent: " + " ".join(outcome.field_errors.values())
    return "Not sent: " + (outcome.error or "the console refused it.")


def _apply_captures(
    scope: TeamScope, access: ApplicationAccess, step: StepResult, captures: list[dict[str, str]]
) -> str:
    """Set each capture's variable from the step's recorded answer; the reason of the
    first that finds nothing ("" when all went well)."""
    if not captures:
        return ""
    from console.variables.services import VariableError, set_from_response

    if step.record is None:
        return "Nothing was recorded to set variables from."
    for capture in captures:
        try:
            set_from_response(
                scope=scope,
                record=step.record,
                pointer=capture["pointer"],
                name=capture["variable"],
                environment=access.environment,
            )
        except VariableError as exc:
            return f"Could not set {{{{{capture['variable']}}}}}: {exc}"
        step.captured.append((capture["variable"], capture["pointer"]))
    return ""


def collection_run(
    *,
    scope: TeamScope,
    collection: Collection,
    access: ApplicationAccess,
    confirm_production: bool = False,
    confirmed_digest: str = "",
) -> CollectionRunResult:
    """Send the collection's steps in order with `access`, applying each step's captures
    before the next; stop at the first step that fails, with its reason.

    On a production environment a collection with steps that change things (by each
    step's method as it would be sent) is sent only with `confirm_production` and the
    `confirmed_digest` of the result that asked (one confirmation for the whole run, for
    the collection as it was then); otherwise nothing is sent and the result asks. At
    most `MAX_RUN_STEPS` steps are run, and no step starts after `run_seconds()`.
    """
    started = time.perf_counter()
    scope.require(Role.MEMBER)
    _mine(scope, collection)
    if access.team_id != scope.team.pk:
        raise Http404("No such Application Access.")
    items = run_order(collection)
    result = CollectionRunResult(collection=collection, access=access, total=len(items))
    if not items:
        result.error = "The collection has no steps to run."
        return result
    if len(items) > MAX_RUN_STEPS:
        result.error = (
            f"A run sends at most {MAX_RUN_STEPS} steps; this collection has {len(items)}. "
            "Split it into smaller collections."
        )
        return result
    plan = _plan(scope, items)
    result.mutating_steps = sum(1 for step in plan if step.method in MUTATING)
    result.digest = _digest(access, plan)
    from console.vault.services import access_refusal

    refusal = access_refusal(scope, access)
    if refusal:
        result.error = refusal
        return result
    confirmed = confirm_production and confirmed_digest == result.digest
    if access.environment.is_production and result.mutating_steps and not confirmed:
        result.needs_confirmation = True
        result.changed_since_asked = confirm_production
        return result
    budget = run_seconds()
    for index, planned in enumerate(plan):
        elapsed = time.perf_counter() - started
        if index and elapsed > budget:
            result.stopped = (
                f"The run stopped after {elapsed:.0f} s: a run takes at most {budget:g} s "
                f"(CONSOLE_COLLECTION_RUN_SECONDS). {len(plan) - index} step"
                f"{'s' if len(plan) - index != 1 else ''} did not run."
            )
            break
        item = planned.item
        step = StepResult(item=item, name=item.name, method=planned.method)
        result.steps.append(step)
        if item.saved_request_id:
            outcome, reason = _send_saved(
                scope, access, item.saved_request, planned.target, confirmed
            )
        else:
            outcome, reason = _send_free(scope, access, item.free_request, confirmed), ""
        if outcome is not None:
            step.url, step.status = outcome.url, outcome.status
            step.method = outcome.method or step.method
            step.record = outcome.record
            step.duration_ms = outcome.duration_ms
        if outcome is None:
            step.reason = reason
        elif not outcome.sent:
            step.reason = _not_sent_reason(outcome)
        elif outcome.status is None:
            step.reason = outcome.error or "No answer came back."
        elif outcome.status >= 400:
            step.reason = f"The API answered {outcome.status} {outcome.reason}".rstrip() + "."
        else:
            step.reason = _apply_captures(scope, access, step, list(item.captures or []))
        step.ok = not step.reason
        if not step.ok:
            break
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result
