"""Hostile specs: how far a spec built to hurt the console gets, and what it costs.

    .venv/bin/python bench/hostile_specs.py [--samples 5] [--parts a,b,c,d,e]

Generates synthetic OpenAPI documents in memory (nothing is downloaded) and runs them
through the real code: `console.specs.services.spec_import` (the function the web
import calls), the engine (`load_document`, `load_operation`, the explorer's
`operation_open`) and the operation page through Django's test Client, signed in as a
team member. Prints Markdown tables (medians of `--samples` runs; a step slower than
`--budget` seconds is run fewer times), asserts nothing. Progress goes to stderr.

Parts:

* (a) a request body that is a tree of ``$ref`` (10 properties a level, each a reference
  to the next level) from 355 to 3.6 million potential values, where the
  resolver's cut (`FORM_MAX_NODES` for bodies, `DEFAULT_MAX_NODES` for responses)
  falls; and inline bodies (no references) of 0.1 to 24 MB, cut by the same limit;
* (b) ``allOf`` chains 4 to 1,000 deep, written inline (nested) and as a chain of
  ``$ref``;
* (c) a ``oneOf`` of 10 to 5,000 shapes, inline and as references; a query parameter
  whose ``enum`` has 1,000 to 1,000,000 values;
* (d) a document just under the 25 MB limit (many operations with big schemas): import
  time, the import's peak memory (tracemalloc, and the peak RSS above what the process
  held before), the first operation page after the process starts (which reads and
  parses the document) and later ones; and a 26 MB document, to show the refusal;
* (e) `validate_value(schema, value, direction="request")` on the widest ``oneOf`` and
  the deepest ``allOf`` bodies (a value matching the last shape, one matching none).

Each part runs in its own child process (fresh SQLite database in a temporary
directory, never `.local/`): (d)'s import and its first page each get a fresh process,
so their peak RSS is their own. A baseline in the same process, a body of 10 plain
properties, gives the ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

from common import log, run_world, setup_django, table  # bench/ is on sys.path as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REF_TREE_WIDTH = 10
REF_TREE_DEPTHS = (2, 3, 4, 5, 6)
INLINE_BODY_MB = (0.1, 1.0, 5.0, 24.0)
# 95: the deepest inline chain a document may hold (MAX_DEPTH 200 levels).
ALL_OF_DEPTHS = (4, 8, 16, 64, 95, 150, 1000)
ONE_OF_WIDTHS = (10, 50, 500, 5000)
ENUM_WIDTHS = (1_000, 100_000, 1_000_000)
MIB = 1024 * 1024

# --- documents ----------------------------------------------------------------------------


def document(
    body: dict[str, Any] | None,
    components: dict[str, Any] | None = None,
    *,
    response: dict[str, Any] | None = None,
    description: str = "",
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An OpenAPI 3.1 document with one operation, POST /hostile, taking `body` as JSON."""
    operation: dict[str, Any] = {
        "operationId": "hostile",
        "summary": "A hostile body",
        "responses": {"200": {"description": "OK"}},
    }
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    if response is not None:
        operation["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hostile", "version": "1", "description": description},
        "servers": [{"url": "http://127.0.0.1:9"}],
        "paths": {"/hostile": {"post": operation}},
        "components": {"schemas": components or {}},
    }


def baseline_body() -> dict[str, Any]:
    """An ordinary body: an object of 10 plain properties (the ratios' baseline)."""
    props = {f"field{i}": {"type": "string", "maxLength": 40} for i in range(10)}
    return {"type": "object", "required": ["field0"], "properties": props}


def ref_tree(width: int, depth: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A body whose level i has `width` properties, each a ``$ref`` to level i + 1; the
    last level is a string. Written once per level, it expands to width**depth leaves."""
    components: dict[str, Any] = {f"L{depth}": {"type": "string", "maxLength": 20}}
    for level in range(depth - 1, -1, -1):
        ref = {"$ref": f"#/components/schemas/L{level + 1}"}
        components[f"L{level}"] = {
            "type": "object",
            "required": ["c0"],
            "properties": {f"c{i}": dict(ref) for i in range(width)},
        }
    return {"$ref": "#/components/schemas/L0"}, components


def inline_object(target_bytes: int) -> dict[str, Any]:
    """An object body written out in full (no references), about `target_bytes` long."""
    one = {"type": "string", "maxLength": 40, "description": "A property. " * 6}
    count = max(1, target_bytes // (len(json.dumps(one)) + 16))
    return {"type": "object", "properties": {f"p{i}": dict(one) for i in range(count)}}


def all_of_inline(depth: int) -> dict[str, Any]:
    """``allOf`` nested `depth` deep, each level adding one property."""
    schema: dict[str, Any] = {"type": "object", "properties": {"leaf": {"type": "string"}}}
    for level in range(depth - 1, -1, -1):
        own = {"type": "object", "properties": {f"f{level}": {"type": "string"}}}
        schema = {"allOf": [schema, own]}
    return schema


def all_of_refs(depth: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A chain of `depth` schemas, each ``allOf`` of a ``$ref`` to the next and one property."""
    components: dict[str, Any] = {}
    for level in range(depth):
        own = {"type": "object", "properties": {f"f{level}": {"type": "string"}}}
        parts = [own]
        if level + 1 < depth:
            parts.insert(0, {"$ref": f"#/components/schemas/A{level + 1}"})
        components[f"A{level}"] = {"allOf": parts}
    return {"$ref": "#/components/schemas/A0"}, components


def one_of_shape(index: int) -> dict[str, Any]:
    """The oneOf's shape `index`: an object told apart by its ``kind``."""
    return {
        "title": f"Shape {index}",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"const": f"k{index}"}, f"value{index}": {"type": "integer"}},
        "additionalProperties": False,
    }


def one_of(width: int, *, refs: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ``oneOf`` of `width` shapes, written inline or as references to components."""
    if not refs:
        return {"oneOf": [one_of_shape(i) for i in range(width)]}, {}
    components = {f"Shape{i}": one_of_shape(i) for i in range(width)}
    return {"oneOf": [{"$ref": f"#/components/schemas/Shape{i}"} for i in range(width)]}, components


def big_operation(index: int) -> tuple[str, dict[str, Any]]:
    """One of the big spec's operations: an inline body of 40 described properties, a
    shared component in it, and a response that references another."""
    props = {
        f"attribute{n}": {
            "type": "string",
            "maxLength": 200,
            "description": f"Attribute {n} of resource {index}: a value that means something.",
            "example": f"value-{index}-{n}",
        }
        for n in range(40)
    }
    props["owner"] = {"$ref": f"#/components/schemas/Shared{index % 50}"}
    return f"/resources{index}/{{id}}", {
        "post": {
            "operationId": f"updateResource{index}",
            "summary": f"Update resource {index}",
            "tags": [f"group{index % 40}"],
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "dryRun", "in": "query", "schema": {"type": "boolean"}},
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["attribute0"],
                            "properties": props,
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "The resource",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/Shared{(index + 1) % 50}"}
                        }
                    },
                }
            },
        }
    }


def big_spec(target_bytes: int) -> bytes:
    """A document of many big operations, its JSON text `target_bytes` long (padded with
    the info description to the byte)."""
    shared = {
        f"Shared{n}": {
            "type": "object",
            "properties": {
                f"s{k}": {"type": "integer", "description": "x" * 40} for k in range(30)
            },
        }
        for n in range(50)
    }
    doc = document(None, shared)
    doc["paths"] = {}
    size = len(json.dumps(doc))
    index = 0
    while True:
        path, item = big_operation(index)
        extra = len(json.dumps({path: item})) + 2
        if size + extra > target_bytes - 200:
            break
        doc["paths"][path] = item
        size += extra
        index += 1
    text = json.dumps(doc)
    doc["info"]["description"] = "p" * (target_bytes - len(text))
    raw = json.dumps(doc).encode()
    return raw[:target_bytes] if len(raw) > target_bytes else raw


def dense_spec(target_bytes: int) -> bytes:
    """One operation whose request body's ``example`` is a list of empty objects, the
    document `target_bytes` long: the most Python objects a byte of JSON can make (an
    example is data: the resolver and the example builder copy it on every page)."""
    doc = document({"type": "array", "items": {"type": "object"}, "example": []})
    base = len(json.dumps(doc))
    count = (target_bytes - base - 200) // 4  # "{}, " a value
    doc["paths"]["/hostile"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "example"
    ] = [{} for _ in range(count)]
    text = json.dumps(doc)
    doc["info"]["description"] = "p" * (target_bytes - len(text))
    return json.dumps(doc).encode()


# --- measuring ----------------------------------------------------------------------------


def runs(fn: Callable[[], Any], samples: int, budget_s: float) -> tuple[list[float], Any]:
    """Run `fn` up to `samples` times (at least once; no more once `budget_s` is spent);
    the seconds each took and the last value."""
    times: list[float] = []
    value: Any = None
    while len(times) < samples and sum(times) < budget_s:
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return times, value


def median_ms(times: list[float]) -> str:
    """The median in ms (with how many runs when fewer than asked)."""
    if not times:
        return "-"
    value = statistics.median(times) * 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:,.1f} ms"


def rss_mb() -> float:
    """The process's resident set now, MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """The process's highest resident set since the last `reset_peak_rss`, MB (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e3
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def reset_peak_rss() -> None:
    """Start the high-water mark again from the RSS now (a child's ru_maxrss starts at its
    parent's, so it cannot be used)."""
    Path("/proc/self/clear_refs").write_text("5")


def walk(node: Any) -> tuple[int, int]:
    """Values in `node` (every dict, list and scalar) and its deepest nesting, iteratively."""
    values, deepest = 0, 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        values += 1
        deepest = max(deepest, depth)
        if isinstance(current, dict):
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list):
            stack.extend((v, depth + 1) for v in current)
    return values, deepest


def cuts(node: Any, marker: str = "x-truncated-ref") -> tuple[int, str]:
    """How many `marker` objects `node` holds, and where the first is (breadth first)."""
    found, first = 0, ""
    queue = deque([(node, "")])
    while queue:
        current, where = queue.popleft()
        if isinstance(current, dict):
            if marker in current:
                found += 1
                first = first or where or "(root)"
            for key, value in current.items():
                if key != "properties":
                    queue.append((value, f"{where}.{key}" if key in ("allOf", "oneOf") else where))
            for key, value in (current.get("properties") or {}).items():
                queue.append((value, f"{where}.{key}"))
        elif isinstance(current, list):
            queue.extend((v, f"{where}[{i}]") for i, v in enumerate(current))
    return found, first


def short_path(where: str) -> str:
    """A cut's path with repeats folded: ``.allOf[0].allOf[0].allOf[0]`` → ``(.allOf[0])x3``."""
    parts = re.findall(r"\.[^.\[]+(?:\[\d+\])?|\[\d+\]|^[^.\[]+", where)
    out: list[str] = []
    index = 0
    while index < len(parts):
        run = 1
        while index + run < len(parts) and parts[index + run] == parts[index]:
            run += 1
        out.append(f"({parts[index]})x{run}" if run > 2 else parts[index] * run)
        index += run
    return "".join(out) or where


def potential_values(document_: dict[str, Any], node: Any, memo: dict[str, int]) -> int:
    """Values (as `walk` counts them) that resolving `node` with no limit would produce."""
    if isinstance(node, list):
        return 1 + sum(potential_values(document_, item, memo) for item in node)
    if not isinstance(node, dict):
        return 1
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        if ref not in memo:
            memo[ref] = 0  # a cycle counts once
            from console.specs.engine.refs import lookup

            memo[ref] = potential_values(document_, lookup(document_, ref), memo)
        return memo[ref]
    return 1 + sum(potential_values(document_, v, memo) for v in node.values())


def shown_text(html: str, pattern: str) -> list[str]:
    """The texts `pattern` (one group) finds in a page, unescaped."""
    return [unescape(m).strip() for m in re.findall(pattern, html, re.S)]


# --- a throwaway console ------------------------------------------------------------------


@dataclass
class Console:
    """The team, its owner (who imports) and a member (who opens pages)."""

    team: Any
    owner_scope: Any
    member: Any
    owner: Any

    @classmethod
    def create(cls) -> Console:
        """A team with an owner and a member, as tests/conftest.py makes them."""
        from django.contrib.auth import get_user_model

        from console.teams.models import Membership, Role, Team
        from console.teams.scoping import TeamScope

        team = Team.objects.create(name="Hostile", slug="hostile")
        users = get_user_model().objects
        owner = users.create_user("olivia", password="pw-olivia-bench")
        member = users.create_user("mia", password="pw-mia-bench")
        membership = Membership.objects.create(team=team, user=owner, role=Role.OWNER)
        Membership.objects.create(team=team, user=member, role=Role.MEMBER)
        return cls(team, TeamScope(membership), member, owner)

    @classmethod
    def existing(cls) -> Console:
        """The console an earlier process created in the same database."""
        from django.contrib.auth import get_user_model

        from console.teams.models import Membership, Team
        from console.teams.scoping import TeamScope

        team = Team.objects.get(slug="hostile")
        users = get_user_model().objects
        owner = users.get(username="olivia")
        scope = TeamScope(Membership.objects.get(team=team, user=owner))
        return cls(team, scope, users.get(username="mia"), owner)

    def client(self, user: Any = None) -> Any:
        """A test client signed in as the member (or `user`)."""
        from django.test import Client

        client = Client()
        client.force_login(user or self.member)
        return client

    def page_url(self, operation_pk: int, query: str = "") -> str:
        """The operation page's URL."""
        from django.urls import reverse

        return reverse("explorer:operation", args=[self.team.slug, operation_pk]) + query


_names = iter(range(1, 1_000_000))


def import_doc(console: Console, raw: bytes) -> tuple[Any, str]:
    """Import `raw` as a new spec; the ImportResult (None when refused) and the message
    the import page shows."""
    from console.specs.services import SpecImportError, spec_import

    try:
        result = spec_import(
            scope=console.owner_scope,
            name=f"Hostile {next(_names)}",
            data=raw,
            filename="hostile.json",
        )
    except SpecImportError as exc:
        return None, str(exc)
    return result, result.summary()


# --- one hostile document, measured ------------------------------------------------------


def measure_case(
    console: Console,
    label: str,
    doc: dict[str, Any],
    args: argparse.Namespace,
    *,
    form_view: bool = False,
) -> dict[str, Any]:
    """Import `doc`, then time its operation: resolve, form and example, the page (and
    the page asked for the form view when the body is flat, or with `form_view`)."""
    from console.explorer import services as explorer
    from console.specs.engine.examples import variants_for_schema
    from console.specs.engine.loading import load_document
    from console.specs.engine.operation import load_operation
    from console.specs.engine.schemas import merge_all_of
    from console.specs.models import Operation

    raw = json.dumps(doc).encode()
    row: dict[str, Any] = {"label": label, "bytes": len(raw)}
    started = time.perf_counter()
    result, message = import_doc(console, raw)
    row["import_s"] = time.perf_counter() - started
    row["told_import"] = message
    if result is None:
        log(f"{label}: refused: {message}")
        return row
    load_s, parsed = runs(
        lambda: load_document(raw, filename="hostile.json"), args.samples, args.budget
    )
    row["load"] = load_s
    resolve_s, op = runs(
        lambda: load_operation(parsed, "POST", "/hostile"), args.samples, args.budget
    )
    row["resolve"] = resolve_s
    row["warnings"] = list(op.warnings)
    schema = op.request_body.content["application/json"].schema if op.request_body else {}
    row["body_values"], row["body_nesting"] = walk(schema)
    row["cut"], first_cut = cuts(schema)
    row["first_cut"] = short_path(first_cut)
    row["nested_cut"], first_nested = cuts(schema, "x-truncated")
    row["first_cut"] = row["first_cut"] or short_path(first_nested)
    merged = merge_all_of(schema)
    row["merged_properties"] = len(merged.get("properties") or {})
    row["variants"] = len(variants_for_schema(schema))
    operation = Operation.objects.get(version=result.version)
    explorer._document(operation.version_id)  # read from the database once, outside the times
    form_s, form = runs(
        lambda: explorer.operation_open(scope=console.owner_scope, operation=operation),
        args.samples,
        args.budget,
    )
    row["form"] = form_s
    example = json.loads(form.body_example) if form.body_example else None
    row["example_keys"] = len(example) if isinstance(example, dict) else 0
    row["example_bytes"] = len(form.body_example)
    row["flat"] = bool(form.body_flat) if hasattr(form, "body_flat") else False
    client = console.client()
    url = console.page_url(operation.pk)

    def page(query: str = "") -> Any:
        return client.get(url + query)

    row["page"], response = runs(page, args.samples, args.budget)
    row["status"] = response.status_code
    html = response.content.decode()
    row["page_kb"] = len(response.content) / 1000
    select = re.search(r'<select id="variant-select".*?</select>', html, re.S)
    row["options"] = select.group(0).count("<option") if select else 0
    row["recursive_shown"] = html.count("&lt;recursive:")
    notice = re.search(r"<div[^>]*data-operation-warnings>(.*?)</div>", html, re.S)
    row["page_warnings"] = shown_text(notice.group(1), r"<li>(.*?)</li>") if notice else []
    row["_options"] = html.count("<option")
    if row["flat"] or form_view:
        row["form_page"], response = runs(
            lambda: page("?body_view=form"), args.samples, args.budget
        )
        row["form_page_kb"] = len(response.content) / 1000
        row["form_fields"] = response.content.decode().count('name="body:')
    row["_schema"] = schema
    row["_example"] = example
    log(
        f"{label}: {len(raw) / 1000:,.0f} KB, resolve {median_ms(resolve_s)}, form "
        f"{median_ms(form_s)}, page {median_ms(row['page'])} ({row['status']}, "
        f"{row['page_kb']:,.0f} KB), {row['body_values']:,} values, {row['cut']} cut"
    )
    return row


def public(row: dict[str, Any]) -> dict[str, Any]:
    """The row without the objects kept for later parts (not JSON)."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


# --- (a) body size, (b) allOf depth, (c) oneOf width, (e) validation ---------------------


def part_a(console: Console, args: argparse.Namespace) -> dict[str, Any]:
    """A ``$ref`` tree of growing size as a request body, then as a response; inline bodies."""
    from console.specs.engine.loading import load_document
    from console.specs.engine.operation import FORM_MAX_NODES, load_operation
    from console.specs.engine.refs import DEFAULT_MAX_NODES, resolve

    rows = []
    for depth in REF_TREE_DEPTHS:
        body, components = ref_tree(REF_TREE_WIDTH, depth)
        doc = document(body, components)
        row = measure_case(console, f"$ref tree {REF_TREE_WIDTH}^{depth}", doc, args)
        row["potential"] = potential_values(doc, body, {})
        row["leaves"] = REF_TREE_WIDTH**depth
        if row["potential"] <= 400_000:  # what no limit would cost (beyond: seconds, GBs)
            unlimited, value = runs(
                lambda d=doc, b=body: resolve(d, b, max_nodes=10**9), 3, args.budget
            )
            row["unlimited"] = unlimited
            row["unlimited_values"] = walk(value)[0]
        rows.append(public(row))
    # The same tree as a response: resolved only when a Send's answer is checked.
    body, components = ref_tree(REF_TREE_WIDTH, REF_TREE_DEPTHS[-1])
    doc = load_document(json.dumps(document(None, components, response=body)).encode())
    op = load_operation(doc, "POST", "/hostile")
    response_s, response = runs(
        lambda: load_operation(doc, "POST", "/hostile").responses["200"], args.samples, args.budget
    )
    schema = response.content["application/json"].schema
    values, nesting = walk(schema)
    cut, first = cuts(schema)
    first = short_path(first)
    response_row = {
        "label": f"$ref tree {REF_TREE_WIDTH}^{REF_TREE_DEPTHS[-1]} as a 200 response",
        "resolve": response_s,
        "body_values": values,
        "body_nesting": nesting,
        "cut": cut,
        "first_cut": first,
        "warnings": list(op.warnings),
    }
    log(f"response tree: {median_ms(response_s)}, {values:,} values, {cut} cut")
    inline = []
    for mb in INLINE_BODY_MB:
        doc = document(inline_object(int(mb * MIB)))
        row = measure_case(console, f"inline object {mb:g} MB", doc, args, form_view=True)
        inline.append(public(row))
    return {
        "tree": rows,
        "response": response_row,
        "inline": inline,
        "form_max_nodes": FORM_MAX_NODES,
        "default_max_nodes": DEFAULT_MAX_NODES,
    }


def part_b(console: Console, args: argparse.Namespace) -> list[dict[str, Any]]:
    """``allOf`` chains, inline and by reference."""
    rows = []
    for depth in ALL_OF_DEPTHS:
        rows.append(
            measure_case(console, f"allOf {depth} inline", document(all_of_inline(depth)), args)
        )
        body, components = all_of_refs(depth)
        rows.append(measure_case(console, f"allOf {depth} $ref", document(body, components), args))
    return rows


def part_c(console: Console, args: argparse.Namespace) -> list[dict[str, Any]]:
    """``oneOf`` of growing width, inline and by reference."""
    rows = []
    for width in ONE_OF_WIDTHS:
        for refs in (False, True):
            body, components = one_of(width, refs=refs)
            label = f"oneOf {width} {'$ref' if refs else 'inline'}"
            row = measure_case(console, label, document(body, components), args)
            row["width"] = width
            rows.append(row)
    return rows


def part_enum(console: Console, args: argparse.Namespace) -> list[dict[str, Any]]:
    """A query parameter whose ``enum`` has many values (a select up to MAX_CHOICES)."""
    rows = []
    for width in ENUM_WIDTHS:
        values = [f"v{i}" for i in range(width)]
        param = {"name": "pick", "in": "query", "schema": {"type": "string", "enum": values}}
        row = measure_case(console, f"enum of {width:,}", document(None, parameters=[param]), args)
        html_options = row.pop("_options", None)
        row["width"], row["select_options"] = width, html_options
        rows.append(public(row))
    return rows


def part_e(
    rows_b: list[dict[str, Any]], rows_c: list[dict[str, Any]], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """`validate_value` on the resolved bodies of the widest oneOf and deepest allOf."""
    out = []
    try:
        from console.specs.engine.validation import validate_value
    except Exception as exc:  # the module may be mid-rewrite: say so, run again later
        return [{"label": "validation", "error": f"{type(exc).__name__}: {exc}"}]

    def check(label: str, schema: dict[str, Any], value: Any) -> None:
        try:
            times, messages = runs(
                lambda: validate_value(schema, value, direction="request"),
                args.samples,
                args.budget,
            )
        except Exception as exc:
            out.append({"label": label, "error": f"{type(exc).__name__}: {exc}"[:300]})
            log(f"validation {label}: {type(exc).__name__}: {exc}")
            return
        out.append(
            {
                "label": label,
                "validate": times,
                "messages": len(messages),
                "first": messages[0] if messages else "",
            }
        )
        log(f"validation {label}: {median_ms(times)}, {len(messages)} messages")

    for row in rows_c:
        if row.get("width") not in (ONE_OF_WIDTHS[0], ONE_OF_WIDTHS[-1]) or "_schema" not in row:
            continue
        last = row["width"] - 1
        check(
            f"{row['label']}, the last shape",
            row["_schema"],
            {"kind": f"k{last}", f"value{last}": 1},
        )
        check(f"{row['label']}, no shape", row["_schema"], {"kind": "none"})
    for row in rows_b:
        if "_schema" not in row or row["label"].split()[1] not in ("64", "95", "1000"):
            continue
        example = row["_example"] if isinstance(row["_example"], dict) else {}
        check(f"{row['label']}, its example", row["_schema"], example)
        check(f"{row['label']}, every property wrong", row["_schema"], dict.fromkeys(example, 1))
    return out


def engine_world(args: argparse.Namespace) -> dict[str, Any]:
    """Parts a, b, c and e in this process (Django already set up and migrated)."""
    console = Console.create()
    parts = args.parts
    result: dict[str, Any] = {}
    measure_case(console, "warm-up", document(baseline_body()), args)  # first-request setup
    result["baseline"] = public(
        measure_case(console, "baseline: 10 properties", document(baseline_body()), args)
    )
    if "a" in parts:
        result["a"] = part_a(console, args)
    rows_b = part_b(console, args) if "b" in parts or "e" in parts else []
    rows_c = part_c(console, args) if "c" in parts or "e" in parts else []
    if "b" in parts:
        result["b"] = [public(r) for r in rows_b]
    if "c" in parts:
        result["c"] = [public(r) for r in rows_c]
        result["enum"] = part_enum(console, args)
    if "e" in parts:
        result["e"] = part_e(rows_b, rows_c, args)
    return result


# --- (d) 25 MB: import and first page, each in a fresh process ---------------------------


def import_world(args: argparse.Namespace) -> dict[str, Any]:
    """Import one 25 MB document (timed, then under tracemalloc); with `--refuse`, offer
    the 26 MB one to the import service and to the import page."""
    from console.specs.models import Operation
    from console.specs.services import spec_import

    console = Console.create()
    path = Path(args.workdir) / f"{args.doc}.json"
    raw = path.read_bytes()
    gc.collect()
    reset_peak_rss()
    rss_before, peak_before = rss_mb(), peak_rss_mb()
    times, peak_first = [], 0.0
    result = None
    for n in range(args.imports):
        started = time.perf_counter()
        result = spec_import(
            scope=console.owner_scope, name=f"Big {n + 1}", data=raw, filename=path.name
        )
        times.append(time.perf_counter() - started)
        if n == 0:
            peak_first = peak_rss_mb()
        log(f"{args.doc}: import {n + 1}: {times[-1]:.2f} s")
    assert result is not None
    gc.collect()
    tracemalloc.start()
    spec_import(scope=console.owner_scope, name="Big traced", data=raw, filename=path.name)
    traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    log(f"{args.doc}: import under tracemalloc: peak {traced_peak:,.0f} MB")
    first = Operation.objects.filter(version=result.version).order_by("position").first()
    out = {
        "doc": args.doc,
        "bytes": len(raw),
        "operations": result.version.operation_count,
        "import": times,
        "rss_before": rss_before,
        "peak_before": peak_before,
        "peak_first": peak_first,
        "traced_peak": traced_peak,
        "first_operation": first.pk if first else None,
        "first_name": f"{first.method} {first.path}" if first else "",
    }
    del raw, result
    gc.collect()
    if args.refuse:
        out.update(refuse_big(console, Path(args.workdir) / "big26.json"))
    return out


def refuse_big(console: Console, path: Path) -> dict[str, Any]:
    """A document over the limit, to the import service and uploaded on the import page:
    the time to refuse and the message."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from console.specs.services import SpecImportError, spec_import

    raw = path.read_bytes()
    started = time.perf_counter()
    try:
        spec_import(scope=console.owner_scope, name="Big 26", data=raw, filename=path.name)
        service_message = "(imported!)"
    except SpecImportError as exc:
        service_message = str(exc)
    service_s = time.perf_counter() - started
    client = console.client(console.owner)
    upload = SimpleUploadedFile(path.name, raw, content_type="application/json")
    started = time.perf_counter()
    response = client.post(
        reverse("specs:import", args=[console.team.slug]), {"name": "Big 26", "file": upload}
    )
    web_s = time.perf_counter() - started
    found = shown_text(response.content.decode(), r'<ul class="errorlist nonfield">(.*?)</ul>')
    web_message = re.sub(r"<[^>]+>", " ", " ".join(found)).strip()
    return {
        "bytes26": len(raw),
        "refusal_service": service_message,
        "refusal_service_s": service_s,
        "refusal_web": web_message,
        "refusal_web_status": response.status_code,
        "refusal_web_s": web_s,
    }


def page_world(args: argparse.Namespace) -> dict[str, Any]:
    """A 25 MB spec's first operation page in a fresh process, then again; memory."""
    from console.explorer import services as explorer

    console = Console.existing()
    client = console.client()
    url = console.page_url(args.operation)
    client.get("/healthz")  # the first request's own setup, outside the figures
    gc.collect()
    reset_peak_rss()
    rss_before, peak_before = rss_mb(), peak_rss_mb()
    started = time.perf_counter()
    response = client.get(url)
    first_s = time.perf_counter() - started
    peak_after, rss_after = peak_rss_mb(), rss_mb()
    status, size = response.status_code, len(response.content) / 1000
    del response
    log(f"{args.doc}: first page: {first_s:.2f} s ({status}, {size:,.0f} KB)")
    warm, _ = runs(lambda: client.get(url).status_code, args.samples, args.budget)
    log(f"{args.doc}: the page again: {median_ms(warm)}")
    explorer._document.cache_clear()
    gc.collect()
    tracemalloc.start()
    client.get(url)
    traced_current, traced_peak = (m / 1e6 for m in tracemalloc.get_traced_memory())
    tracemalloc.stop()
    log(f"{args.doc}: first page under tracemalloc: peak {traced_peak:,.0f} MB")
    return {
        "first": first_s,
        "status": status,
        "page_kb": size,
        "warm": warm,
        "rss_before": rss_before,
        "peak_before": peak_before,
        "peak_after": peak_after,
        "rss_after": rss_after,
        "traced_peak": traced_peak,
        "traced_kept": traced_current,
        "cache_bytes": explorer.DOCUMENT_CACHE_BYTES,
        "cache_weight": explorer._document.weight,
        "bytes_per_value": explorer._BYTES_PER_VALUE,
    }


# --- the report ---------------------------------------------------------------------------


def _ratio(times: list[float] | None, base: list[float]) -> str:
    if not times or not base:
        return "-"
    return f"{statistics.median(times) / statistics.median(base):,.1f}x"


def _told(row: dict[str, Any]) -> str:
    if row.get("import_s") is not None and "resolve" not in row:
        return f"import refused: “{row['told_import']}”"
    bits = []
    if row.get("recursive_shown"):
        bits.append(f"{row['recursive_shown']} `<recursive: …>` in the example")
    shown = row.get("page_warnings") or row.get("warnings")
    if shown:
        bits.append("the page says: " + "; ".join(shown[:2]))
    return "; ".join(bits) or "nothing"


def report(
    engine: dict[str, Any] | None, big: dict[str, Any] | None, args: argparse.Namespace
) -> None:
    """Print every part as Markdown tables."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    print(
        f"Machine: {cpu or platform.processor()}, nproc {os.cpu_count()}; Python "
        f"{platform.python_version()}; SQLite. Load average (1 min) at the start "
        f"{args.load_before:.2f}, at the end {os.getloadavg()[0]:.2f}. Medians of up to "
        f"{args.samples} runs (fewer when a step took over {args.budget:g} s)."
    )
    if engine:
        base = engine["baseline"]
        print(
            f"\nBaseline (a body of 10 plain properties): resolve {median_ms(base['resolve'])}, "
            f"form and example {median_ms(base['form'])}, page {median_ms(base['page'])} "
            f"({base['page_kb']:,.0f} KB)."
        )
        a = engine.get("a")
        if a:
            print(
                f"\n(a) A request body that is a tree of $ref, {REF_TREE_WIDTH} properties a "
                f"level (request bodies are cut at {a['form_max_nodes']:,} values, "
                f"FORM_MAX_NODES; responses at {a['default_max_nodes']:,}, DEFAULT_MAX_NODES)\n"
            )
            header = ["body", "document", "potential values", "resolved values", "refs cut (first)",
                      "no limit: resolve", "resolve", "form + example", "page", "page ÷ baseline",
                      "example keys", "the user is told"]  # fmt: skip
            rows = []
            for r in a["tree"]:
                unlimited = "-"
                if r.get("unlimited"):
                    unlimited = f"{median_ms(r['unlimited'])} ({r['unlimited_values']:,})"
                rows.append([
                    r["label"], f"{r['bytes']:,} B", f"{r['potential']:,}", f"{r['body_values']:,}",
                    f"{r['cut']:,} ({r['first_cut'] or '-'})", unlimited, median_ms(r["resolve"]),
                    median_ms(r["form"]), f"{median_ms(r['page'])} ({r['status']})",
                    _ratio(r["page"], base["page"]), f"{r['example_keys']:,}", _told(r),
                ])  # fmt: skip
            print(table(header, rows))
            resp = a["response"]
            print(
                f"\n{resp['label']}: resolved when a Send's answer is checked, "
                f"{median_ms(resp['resolve'])}, {resp['body_values']:,} values, "
                f"{resp['cut']:,} references cut (first at {resp['first_cut'] or '-'})."
            )
            print(
                "\n(a) Inline bodies (no references; cut by the same node limit; the form "
                "view asked for with ?body_view=form)\n"
            )
            header = ["body", "document", "resolved values", "resolve", "form + example",
                      "page (JSON view)", "page size", "form view page", "form view size / fields",
                      "page ÷ baseline", "the user is told"]  # fmt: skip
            rows = []
            for r in a["inline"]:
                rows.append([
                    r["label"], f"{r['bytes'] / 1e6:,.1f} MB", f"{r['body_values']:,}",
                    median_ms(r["resolve"]), median_ms(r["form"]),
                    f"{median_ms(r['page'])} ({r['status']})", f"{r['page_kb']:,.0f} KB",
                    median_ms(r.get("form_page")),
                    f"{r.get('form_page_kb', 0):,.0f} KB / {r.get('form_fields', 0):,}",
                    _ratio(r["page"], base["page"]), _told(r),
                ])  # fmt: skip
            print(table(header, rows))
        b = engine.get("b")
        if b:
            print("\n(b) allOf chains (each level adds one property)\n")
            header = ["chain", "document", "resolved nesting", "cut: refs / nesting (first)",
                      "properties merged",
                      "example keys", "resolve", "form + example", "page", "page ÷ baseline",
                      "the user is told"]  # fmt: skip
            rows = []
            for r in b:
                if "resolve" not in r:
                    refused = f"({r['import_s'] * 1000:,.1f} ms to refuse)"
                    rows.append([r["label"], f"{r['bytes']:,} B", "-", "-", "-", "-", "-", "-",
                                 refused, "-", _told(r)])  # fmt: skip
                    continue
                rows.append([
                    r["label"], f"{r['bytes']:,} B", str(r["body_nesting"]),
                    f"{r['cut']} / {r['nested_cut']} ({r['first_cut'] or '-'})",
                    str(r["merged_properties"]),
                    str(r["example_keys"]), median_ms(r["resolve"]), median_ms(r["form"]),
                    f"{median_ms(r['page'])} ({r['status']})", _ratio(r["page"], base["page"]),
                    _told(r),
                ])  # fmt: skip
            print(table(header, rows))
        c = engine.get("c")
        if c:
            print("\n(c) oneOf of growing width\n")
            header = ["oneOf", "document", "resolved values", "refs cut (first)",
                      "variants offered",
                      "options in the page", "resolve", "form + example", "page", "page ÷ baseline",
                      "page size"]  # fmt: skip
            rows = []
            for r in c:
                rows.append([
                    r["label"], f"{r['bytes']:,} B", f"{r['body_values']:,}",
                    f"{r['cut']:,} ({r['first_cut'] or '-'})", str(r["variants"]),
                    str(r["options"]),
                    median_ms(r["resolve"]), median_ms(r["form"]),
                    f"{median_ms(r['page'])} ({r['status']})", _ratio(r["page"], base["page"]),
                    f"{r['page_kb']:,.0f} KB",
                ])  # fmt: skip
            print(table(header, rows))
        wide = engine.get("enum")
        if wide:
            print("\n(c) A query parameter with a wide enum\n")
            header = ["enum", "document", "options in the page", "resolve", "form + example",
                      "page", "page ÷ baseline", "page size", "the user is told"]  # fmt: skip
            rows = [
                [r["label"], f"{r['bytes'] / 1e6:,.1f} MB", f"{r['select_options']:,}",
                 median_ms(r["resolve"]), median_ms(r["form"]),
                 f"{median_ms(r['page'])} ({r['status']})", _ratio(r["page"], base["page"]),
                 f"{r['page_kb']:,.0f} KB", _told(r)]
                for r in wide
            ]  # fmt: skip
            print(table(header, rows))
        e = engine.get("e")
        if e:
            print(
                '\n(e) validate_value(schema, value, direction="request") on the resolved bodies\n'
            )
            rows = []
            for r in e:
                if "error" in r:
                    rows.append([r["label"], "error", "-", r["error"]])
                else:
                    rows.append(
                        [r["label"], median_ms(r["validate"]), str(r["messages"]), r["first"][:90]]
                    )
            print(table(["body, value", "validate", "messages", "first message"], rows))
    if big:
        report_big(big)


BIG_DOCS = {
    "big25": "many operations with big schemas",
    "dense25": "one body whose example is a list of empty objects",
}


def report_big(big: list[dict[str, Any]]) -> None:
    """Part (d): import and first page of each 25 MB document; the 26 MB refusal."""
    print(f"\n(d) Documents just under the limit (25 MiB = {25 * MIB:,} bytes)\n")
    rows = []
    for entry in big:
        imp, page = entry["import"], entry["page"]
        what = f"{BIG_DOCS[imp['doc']]}: {imp['bytes']:,} B, {imp['operations']:,} operations"
        rows.append([
            f"{what}: import",
            f"{statistics.median(imp['import']):.2f} s (median of {len(imp['import'])})",
            f"{imp['traced_peak']:,.0f} MB",
            f"{imp['peak_first'] - imp['rss_before']:,.0f} MB "
            f"({imp['rss_before']:,.0f} → {imp['peak_first']:,.0f})",
        ])  # fmt: skip
        kept = page["rss_after"] - page["rss_before"]
        rows.append([
            f"{what}: first operation page after start ({imp['first_name']})",
            f"{page['first']:.2f} s ({page['status']}, {page['page_kb']:,.0f} KB)",
            f"{page['traced_peak']:,.0f} MB (kept after: {page['traced_kept']:,.0f} MB)",
            f"{page['peak_after'] - page['rss_before']:,.0f} MB "
            f"({page['rss_before']:,.0f} → {page['peak_after']:,.0f}; kept after: {kept:,.0f} MB)",
        ])  # fmt: skip
        rows.append(
            [f"{what}: the page again (document cached)", median_ms(page["warm"]), "-", "-"]
        )
    print(
        table(
            ["step", "time", "tracemalloc peak", "peak RSS above before (MB before → peak)"], rows
        )
    )
    refusal = next((e["import"] for e in big if "refusal_service" in e["import"]), None)
    if refusal:
        print(
            f"\nA 26 MB document ({refusal['bytes26']:,} bytes): `spec_import` refuses it in "
            f"{refusal['refusal_service_s'] * 1000:,.1f} ms with “{refusal['refusal_service']}”; "
            f"uploaded on the import page, {refusal['refusal_web_s'] * 1000:,.0f} ms "
            f"({refusal['refusal_web_status']}), “{refusal['refusal_web']}”."
        )
    page = big[-1]["page"]
    print(
        f"\nThe parsed documents stay cached per process (`explorer.services._document`), "
        f"by weight (text plus {page['bytes_per_value']} bytes a value): at most "
        f"{page['cache_bytes'] / MIB:,.0f} MiB, the last document read always kept. After "
        f"the last page above it weighed {page['cache_weight'] / 1e6:,.0f} MB."
    )


def main() -> None:
    """Run the parts asked for, each in its own process; print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=5, help="runs per step (median)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per step at most")
    parser.add_argument("--imports", type=int, default=3, help="imports of the 25 MB spec")
    parser.add_argument("--parts", default="a,b,c,d,e", help="comma-separated: a,b,c,d,e")
    parser.add_argument("--world", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--operation", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--doc", help=argparse.SUPPRESS)
    parser.add_argument("--refuse", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.parts = set(args.parts.replace(",", ""))
    if args.world:
        child(args)
        return
    args.load_before = os.getloadavg()[0]
    common = ["--samples", str(args.samples), "--budget", str(args.budget)]
    engine = None
    if args.parts & set("abce"):
        workdir = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
        try:
            extra = [*common, "--parts", ",".join(sorted(args.parts)), "--workdir", str(workdir)]
            engine = run_world(__file__, "engine", None, extra)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    big = None
    if "d" in args.parts:
        big = []
        workdir = Path(tempfile.mkdtemp(prefix="bench-hostile-big-"))
        try:
            log("writing the 25 MB and 26 MB documents")
            (workdir / "big25.json").write_bytes(big_spec(25 * MIB - 10_000))
            (workdir / "dense25.json").write_bytes(dense_spec(25 * MIB - 10_000))
            (workdir / "big26.json").write_bytes(big_spec(26 * MIB))
            for doc in BIG_DOCS:
                (workdir / "bench.sqlite3").unlink(missing_ok=True)
                extra = [*common, "--imports", str(args.imports), "--workdir", str(workdir)]
                extra += ["--doc", doc] + (["--refuse"] if doc == "big25" else [])
                imported = run_world(__file__, "import", None, extra)
                extra += ["--operation", str(imported["first_operation"])]
                big.append({"import": imported, "page": run_world(__file__, "page", None, extra)})
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    report(engine, big, args)


def child(args: argparse.Namespace) -> None:
    """One world: Django on SQLite in the work directory, then that world's measurements."""
    workdir = Path(args.workdir)
    setup_django(
        f"sqlite:///{workdir / 'bench.sqlite3'}", workdir, ALLOWED_HOSTS="testserver,localhost"
    )
    from django.core.management import call_command

    if args.world != "page":
        call_command("migrate", verbosity=0, interactive=False)
    run = {"engine": engine_world, "import": import_world, "page": page_world}[args.world]
    result = run(args)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
