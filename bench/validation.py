"""Validation per Send: the request body check on the heaviest bodies of four real specs,
the validator before issue 14 (hand-written) against the one the console has now.

    .venv/bin/python bench/validation.py [--specs github,stripe,kubernetes,msgraph]
                                         [--bodies 3] [--rounds 31] [--profile]

Prints a table, asserts nothing. Progress goes to stderr, figures to stdout (Markdown).

* **before**: `console/specs/engine/validation.py` as of commit 6fbb661 (the last one
  with the hand-written validator), read with `git show` and executed into a module
  object of this process; its one relative import points at `console.specs.engine.schemas`.
  `validate_value(schema, value, direction=...)`.
* **after**: `console.specs.engine.validation` as it is in the working tree,
  `validate_value(schema, value, dialect=dialect_for(op.openapi_version), direction=...)`.
  When it has no `dialect_for` yet (or with `--before-only`) only "before" is timed.

The specs are the four of bench/specs.py (GitHub's, Stripe's, Kubernetes' and Microsoft
Graph's, fetched from the npm registry into bench/.cache/ once). Each is loaded and
indexed by the engine, every operation with a request body is resolved with
`load_operation` (as the explorer does on every page and every Send), the body's
content type is the one the explorer opens by default (the first JSON one, else the
first), and the `--bodies` operations whose request body schema has the most schema
objects (distinct schemas only) are kept. For each, two bodies:

* **valid**: `example_for_schema(schema, direction="request")`, the body the form starts
  with when the spec has no example of its own;
* **invalid**: the same with the shallowest present required property removed and the
  deepest typed scalar leaf given a value of a wrong type (error path, messages built).

Each body is validated with direction "request", before and after interleaved: rounds
alternate and the order flips every round (ABBA), so drift in the (shared, virtual) CPU
hits both. Timed two ways:

* **per Send** (the headline): every call gets a fresh copy of the resolved schema (the
  copy is not timed), as a Send does: it resolves the operation again, so a validator
  that caches by schema object never finds it;
* **same schema object**: the same schema every call, in batches of at least 5 ms (what
  a cache keyed on the schema object could gain); only after / before is printed.

"after" is what a Send does: the explorer names the operation's body with a key, so a
valid body is confirmed by jsonschema-rs, compiled once per key (engine/fastcheck.py), and
only an invalid one walks through jsonschema for its messages. Beside it, in the same
rounds, **jsonschema walk**: the same call without a key (what every invalid body, and any
caller without a key, costs). **First Send**: one call with a key never seen, so the
check is compiled in it (median of 3; once per operation and process).

Per case: median microseconds per call, and after / before of the medians. Verdicts
(valid or not) of both are compared and differences printed. `--profile` runs cProfile
over the "after" validator on the body where it adds the most time and prints the top
15 by cumulative time and the top 10 by own time.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import gc
import inspect
import io
import json
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import log, table  # bench/ is on sys.path as a script
from specs import SPECS, SpecSource, fetch_spec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEFORE_COMMIT = "6fbb661"
BEFORE_PATH = "console/specs/engine/validation.py"
BEFORE_IMPORT = (
    "from console.specs.engine.schemas import is_finite_number as _is_number, "
    "not_in_direction, schema_types"
)
BATCH_SECONDS = 0.005  # a "same schema" batch lasts at least this long (timer noise << 1 %)
WRONG_VALUES: tuple[Any, ...] = (12345, "wrong type", True, [])


# --- the two validators -------------------------------------------------------------------


def load_before() -> types.ModuleType:
    """The hand-written validator of commit 6fbb661, as a module object of this process."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BEFORE_COMMIT}:{BEFORE_PATH}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # Its only relative import (`from .examples import ...` at 6fbb661) becomes an absolute
    # one: the helpers it names live in schemas.py now, unchanged.
    source, count = re.subn(r"^from \.\w+ import .*$", BEFORE_IMPORT, source, flags=re.M)
    if count != 1:
        raise SystemExit(f"{BEFORE_COMMIT}:{BEFORE_PATH} has {count} relative imports, not 1")
    module = types.ModuleType("validation_before")
    module.__file__ = f"{BEFORE_COMMIT}:{BEFORE_PATH}"
    # The project's own past source, from its own git history: nothing foreign is run.
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


def load_after(before_only: bool) -> types.ModuleType | None:
    """The working tree's validator, or None when it has no dialects yet."""
    from console.specs.engine import validation

    if before_only:
        return None
    has_dialect = "dialect" in inspect.signature(validation.validate_value).parameters
    if not hasattr(validation, "dialect_for") or not has_dialect:
        log("console/specs/engine/validation.py has no dialect_for yet: timing before only")
        return None
    return validation


# --- bodies -------------------------------------------------------------------------------


def schema_objects(value: Any) -> int:
    """How many objects (dicts) a resolved schema holds: its schemas and their maps."""
    count, stack = 0, [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            count += 1
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return count


@dataclass
class Case:
    """One body of one operation, timed before and after."""

    spec: str
    operation: str
    content_type: str
    schema: dict[str, Any]
    nodes: int
    dialect: str
    kind: str  # "valid" | "invalid"
    body: Any
    note: str = ""
    bytes: int = 0
    before_us: list[float] = field(default_factory=list)
    after_us: list[float] = field(default_factory=list)
    library_us: list[float] = field(default_factory=list)
    before_warm_us: list[float] = field(default_factory=list)
    after_warm_us: list[float] = field(default_factory=list)
    library_warm_us: list[float] = field(default_factory=list)
    cold_us: list[float] = field(default_factory=list)
    before_messages: list[str] = field(default_factory=list)
    after_messages: list[str] | None = None


def default_media(content: dict[str, Any]) -> tuple[str, Any] | None:
    """The content type the explorer opens first (JSON, else the first) and its media."""
    if not content:
        return None
    types_ = list(content)
    json_types = [ct for ct in types_ if "json" in ct.split(";")[0]]
    chosen = json_types[0] if json_types else types_[0]
    return chosen, content[chosen]


def heaviest_bodies(source: SpecSource, count: int) -> tuple[list[tuple[Any, str, Any]], int]:
    """The `count` operations with the largest distinct request body schemas, as
    (operation, content type, schema); and how many request bodies were looked at."""
    from console.specs.engine.errors import SpecError
    from console.specs.engine.index import index_operations
    from console.specs.engine.loading import load_document
    from console.specs.engine.operation import load_operation
    from console.specs.engine.refs import RefError, follow

    path = fetch_spec(source)
    document = load_document(path.read_bytes(), filename=path.name)
    index = index_operations(document)
    found: list[tuple[int, int, Any, str, Any]] = []
    for position, entry in enumerate(index.operations):
        try:
            item, _ = follow(document, document["paths"][entry.path])
        except RefError:
            continue
        raw = item.get(entry.method.lower()) if isinstance(item, dict) else None
        if not isinstance(raw, dict) or "requestBody" not in raw:
            continue
        try:
            operation = load_operation(document, entry.method, entry.path)
        except SpecError:
            continue
        body = operation.request_body
        media = default_media(body.content) if body else None
        if media is None or not media[1].schema:
            continue
        content_type, chosen = media
        found.append((schema_objects(chosen.schema), position, operation, content_type, chosen))
    found.sort(key=lambda row: (-row[0], row[1]))
    picked: list[tuple[Any, str, Any]] = []
    seen: set[str] = set()
    for _, _, operation, content_type, media in found:
        # Many operations share one body schema (Graph's teams, Kubernetes' kinds under
        # several paths): keep distinct schemas, so three bodies are three workloads.
        text = json.dumps(media.schema, sort_keys=True, default=str)
        if text in seen:
            continue
        seen.add(text)
        picked.append((operation, content_type, media.schema))
        if len(picked) == count:
            break
    return picked, len(found)


def _merged(schema: Any) -> dict[str, Any]:
    from console.specs.engine.schemas import merge_all_of

    return merge_all_of(schema) if isinstance(schema, dict) else {}


def _walk(schema: Any, value: Any) -> list[tuple[dict[str, Any], Any, Any, int]]:
    """(schema, container, key, depth) of every property value and array item of `value`
    that `schema` describes through ``properties``/``items`` (allOf merged), breadth first."""
    out: list[tuple[dict[str, Any], Any, Any, int]] = []
    queue: list[tuple[Any, Any, int]] = [(schema, value, 0)]
    while queue:
        current, data, depth = queue.pop(0)
        merged = _merged(current)
        if isinstance(data, dict):
            props = merged.get("properties")
            props = props if isinstance(props, dict) else {}
            for name, item in data.items():
                sub = props.get(name)
                if isinstance(sub, dict):
                    out.append((sub, data, name, depth + 1))
                    queue.append((sub, item, depth + 1))
        elif isinstance(data, list) and isinstance(merged.get("items"), dict):
            for index, item in enumerate(data):
                out.append((merged["items"], data, index, depth + 1))
                queue.append((merged["items"], item, depth + 1))
    return out


def _spots(body: Any, where: str) -> list[list[Any]]:
    """The object properties on the way to what a message's `where` (``a.b[0].c``) names,
    as key paths, deepest first. Keys may hold dots (Graph's ``@odata.type``): at each
    object the longest key that fits is taken."""
    spots: list[list[Any]] = []
    tokens: list[Any] = []
    current, rest = body, where
    while rest:
        if isinstance(current, list):
            match = re.match(r"\[(\d+)\]\.?", rest)
            if match is None or int(match.group(1)) >= len(current):
                return []
            tokens.append(int(match.group(1)))
            current, rest = current[tokens[-1]], rest[match.end() :]
        elif isinstance(current, dict):
            fits = [
                k
                for k in current
                if isinstance(k, str)
                and rest.startswith(k)
                and rest[len(k) : len(k) + 1] in ("", ".", "[")
            ]
            if not fits:
                return []
            key = max(fits, key=len)
            tokens.append(key)
            spots.append(list(tokens))
            current, rest = current[key], rest[len(key) :].removeprefix(".")
        else:
            return []
    return spots[::-1]


def _without(body: Any, spot: list[Any]) -> Any:
    """A copy of `body` without the object property at key path `spot`."""
    trial = copy.deepcopy(body)
    container = trial
    for token in spot[:-1]:
        container = container[token]
    del container[spot[-1]]
    return trial


def valid_example(schema: dict[str, Any], before: types.ModuleType) -> tuple[Any, str]:
    """The form's starting body (`example_for_schema`, direction "request"), with the parts
    the old validator rejects removed one by one (a property is dropped only when that
    leaves fewer messages; else its parent is tried), so that the valid path is timed;
    and how many parts were removed."""
    from console.specs.engine.examples import example_for_schema

    body = example_for_schema(schema, direction="request")
    removed = 0
    for _ in range(200):
        messages = before.validate_value(schema, body, direction="request")
        if not messages:
            break
        fixed = False
        for message in messages:
            where, sep, _ = message.partition(": ")
            for spot in _spots(body, where) if sep else []:
                trial = _without(body, spot)
                if len(before.validate_value(schema, trial, direction="request")) < len(messages):
                    body, removed, fixed = trial, removed + 1, True
                    break
            if fixed:
                break
        if not fixed:
            break
    return body, f"{removed} rejected part(s) of the generated example dropped" if removed else ""


def break_body(schema: dict[str, Any], body: Any, before: types.ModuleType) -> tuple[Any, str]:
    """`body` with one required property removed and one scalar leaf of a wrong type."""
    broken = copy.deepcopy(body)
    notes: list[str] = []
    # The shallowest object whose schema requires a property the body has.
    targets = [(schema, broken)] + [(sub, c[k]) for sub, c, k, _ in _walk(schema, broken)]
    for sub, data in targets:
        merged = _merged(sub)
        required = merged.get("required")
        props = merged.get("properties") if isinstance(merged.get("properties"), dict) else {}
        if not isinstance(data, dict) or not isinstance(required, list):
            continue
        name = next(
            (
                r
                for r in required
                if r in data and not before.not_in_direction(props.get(r), "request")
            ),
            None,
        )
        if name is not None:
            del data[name]
            notes.append(f"required '{name}' removed")
            break
    # The deepest scalar leaf whose schema declares only scalar types.
    scalar = {"string", "integer", "number", "boolean"}
    for sub, container, key, depth in sorted(_walk(schema, broken), key=lambda t: -t[3]):
        kinds = [t for t in before.schema_types(sub) if isinstance(t, str)]
        value = container[key]
        if not kinds or not set(kinds) <= scalar or isinstance(value, (dict, list)):
            continue
        wrong = next(w for w in WRONG_VALUES if not any(before._type_ok(k, w) for k in kinds))
        container[key] = wrong
        notes.append(f"{'/'.join(kinds)} leaf at depth {depth} set to {json.dumps(wrong)}")
        break
    return broken, "; ".join(notes) or "nothing to break"


def build_cases(
    sources: list[SpecSource], count: int, before: types.ModuleType, after: Any
) -> list[Case]:
    """The valid and invalid bodies of the heaviest request bodies of each spec."""
    cases: list[Case] = []
    for source in sources:
        started = time.perf_counter()
        picked, looked_at = heaviest_bodies(source, count)
        log(
            f"{source.key}: {looked_at} request bodies resolved in "
            f"{time.perf_counter() - started:.1f} s; kept {len(picked)}"
        )
        for operation, content_type, schema in picked:
            dialect = after.dialect_for(operation.openapi_version) if after else "-"
            valid, repaired = valid_example(schema, before)
            invalid, note = break_body(schema, valid, before)
            for kind, body, text in (("valid", valid, repaired), ("invalid", invalid, note)):
                cases.append(
                    Case(
                        spec=source.key,
                        operation=f"{operation.method} {operation.path}",
                        content_type=content_type,
                        schema=schema,
                        nodes=schema_objects(schema),
                        dialect=dialect,
                        kind=kind,
                        body=body,
                        note=text,
                        bytes=len(json.dumps(body, separators=(",", ":"))),
                    )
                )
    return cases


# --- timing -------------------------------------------------------------------------------


def fresh(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy sharing nothing with `schema`, as a Send's own `load_operation` makes."""
    return json.loads(json.dumps(schema))


def once_us(fn: Callable[[dict[str, Any]], Any], schema: dict[str, Any]) -> float:
    """Microseconds of one call of `fn` on a fresh copy of `schema` (copy not timed)."""
    copied = fresh(schema)
    # The copy's objects would otherwise make the collector run inside the timed call,
    # charged to whichever validator allocates first (a Send collects them somewhere).
    gc.collect()
    started = time.perf_counter_ns()
    fn(copied)
    return (time.perf_counter_ns() - started) / 1e3


def batch_us(fn: Callable[[dict[str, Any]], Any], schema: dict[str, Any], calls: int) -> float:
    """Microseconds per call of `calls` calls of `fn` on the same `schema` object."""
    started = time.perf_counter_ns()
    for _ in range(calls):
        fn(schema)
    return (time.perf_counter_ns() - started) / 1e3 / calls


def time_case(case: Case, before: types.ModuleType, after: Any, rounds: int) -> None:
    """Validate `case.body` before and after, ABBA-interleaved, both ways (see above)."""
    body = case.body

    def run_before(schema: dict[str, Any]) -> list[str]:
        return before.validate_value(schema, body, direction="request")

    # What the explorer passes: the operation's body, named for good (FormField.schema_key).
    key = ("bench", case.spec, case.operation, case.content_type)

    def run_after(schema: dict[str, Any]) -> list[str]:
        return after.validate_value(
            schema, body, dialect=case.dialect, direction="request", key=key
        )

    def run_library(schema: dict[str, Any]) -> list[Any]:
        # No key: the jsonschema walk alone, as every invalid body (and any unkeyed
        # caller) takes it, with the console's keywords and messages.
        return after.validate_value(schema, body, dialect=case.dialect, direction="request")

    if after is not None:
        # The first Send of an operation in a process compiles its check: timed apart.
        for attempt in range(3):
            cold_key = ("bench-cold", case.spec, case.operation, case.kind, attempt)
            copied = fresh(case.schema)
            started = time.perf_counter_ns()
            after.validate_value(
                copied, body, dialect=case.dialect, direction="request", key=cold_key
            )
            case.cold_us.append((time.perf_counter_ns() - started) / 1e3)

    case.before_messages = run_before(fresh(case.schema))
    runners: list[tuple[Callable[..., Any], list[float], list[float]]] = [
        (run_before, case.before_us, case.before_warm_us)
    ]
    if after is not None:
        case.after_messages = run_after(fresh(case.schema))
        runners.append((run_after, case.after_us, case.after_warm_us))
        runners.append((run_library, case.library_us, case.library_warm_us))
    # Batches of the "same schema" way last BATCH_SECONDS for the faster of the two.
    single = min(once_us(fn, case.schema) for fn, _, _ in runners) / 1e6
    calls = max(1, min(2000, round(BATCH_SECONDS / max(single, 1e-7))))
    for fn, _, _ in runners:  # warm-up: patterns compiled, caches filled, code paths hot
        batch_us(fn, case.schema, min(calls, 20))
    for index in range(rounds):
        order = runners if index % 2 == 0 else runners[::-1]  # ABC CBA ABC ...
        gc.collect()
        for fn, per_send, _ in order:
            per_send.append(once_us(fn, case.schema))
        for fn, _, warm in order:
            warm.append(batch_us(fn, case.schema, calls))


def ratio(case: Case, warm: bool = False) -> float | None:
    """after / before of the medians (None when "after" was not timed)."""
    before, after = (
        (case.before_warm_us, case.after_warm_us) if warm else (case.before_us, case.after_us)
    )
    if not after:
        return None
    return statistics.median(after) / statistics.median(before)


# --- report -------------------------------------------------------------------------------


def _us(values: list[float]) -> str:
    if not values:
        return "-"
    median = statistics.median(values)
    return f"{median:,.0f}" if median >= 100 else f"{median:,.1f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _verdict(messages: list[str] | None) -> str:
    if messages is None:
        return "-"
    return "valid" if not messages else f"invalid ({len(messages)})"


def report(cases: list[Case], args: argparse.Namespace) -> None:
    """Print the machine line, the table, the ratios and the verdict differences."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(
        f"Machine: {cpu or platform.processor()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}; {args.rounds} rounds per case. Load average (1 min) "
        f"at the start {args.load_before:.1f}, at the end {os.getloadavg()[0]:.1f}."
    )
    print()
    rows = []
    for c in cases:
        rows.append(
            [
                c.spec,
                f"`{c.operation}` ({c.content_type})" if c.kind == "valid" else "″",
                f"{c.nodes:,}",
                c.kind,
                f"{c.bytes / 1000:,.1f} KB",
                _us(c.before_us),
                _us(c.after_us),
                _ratio(ratio(c)),
                _us(c.library_us),
                _us(c.cold_us),
                _ratio(ratio(c, warm=True)),
                f"{_verdict(c.before_messages)} / {_verdict(c.after_messages)}",
            ]
        )
    print(
        table(
            [
                "spec",
                "operation (content type)",
                "schema objects",
                "body",
                "size",
                "before µs",
                "after µs",
                "after/before",
                "jsonschema walk µs",
                "first Send µs",
                "same schema object: after/before",
                "verdict before / after",
            ],
            rows,
        )
    )
    print()
    timed = [c for c in cases if c.after_us]
    if timed:
        by_spec = []
        for key in dict.fromkeys(c.spec for c in timed):
            mine = [c for c in timed if c.spec == key]
            by_spec.append(
                f"{key} {statistics.median(ratio(c) or 0 for c in mine):.2f} "
                f"({statistics.median(ratio(c, True) or 0 for c in mine):.2f})"
            )
        print(
            "Median after/before per Send (same schema in brackets): "
            + "; ".join(by_spec)
            + f"; **overall {statistics.median(ratio(c) or 0 for c in timed):.2f}** "
            f"({statistics.median(ratio(c, True) or 0 for c in timed):.2f}), "
            f"over {len(timed)} bodies."
        )
        floor = [statistics.median(c.library_us) / statistics.median(c.before_us) for c in timed]
        extra = [statistics.median(c.after_us) / statistics.median(c.library_us) for c in timed]
        added = [statistics.median(c.after_us) - statistics.median(c.before_us) for c in timed]
        print()
        print(
            f"jsonschema walk (no key) / before: median {statistics.median(floor):.2f} "
            f"({min(floor):.2f} to {max(floor):.2f}); after / jsonschema walk: median "
            f"{statistics.median(extra):.2f} ({min(extra):.2f} to {max(extra):.2f}); after "
            f"minus before: median {statistics.median(added):,.0f} µs ({min(added):,.0f} to "
            f"{max(added):,.0f})."
        )
    else:
        print("After: not timed (no `dialect_for` in console/specs/engine/validation.py yet).")
    print()
    differ = [c for c in timed if bool(c.before_messages) != bool(c.after_messages)]
    print(f"Verdicts differ on {len(differ)} of {len(timed)} bodies.")
    for c in differ:
        print(f"\n* {c.spec} `{c.operation}` {c.kind} body ({c.note or 'as generated'}):")
        print(f"  before: {c.before_messages[:5] or 'valid'}")
        print(f"  after: {(c.after_messages or [])[:5] or 'valid'}")
    print()
    print("Bodies (valid: the generated example, minus what the old validator rejected):")
    for c in cases:
        if c.note:
            print(f"* {c.spec} `{c.operation}` {c.kind}: {c.note}")
    for c in cases:
        if c.kind == "valid" and c.before_messages:
            print(
                f"* {c.spec} `{c.operation}`: the example stays invalid before: "
                f"{c.before_messages[:3]}"
            )


def profile(cases: list[Case], after: Any) -> None:
    """cProfile of the "after" validator on the case where it adds the most time, top 15
    by cumulative time and top 10 by own time (the library's descent is recursive
    generators, whose cumulative times overlap)."""
    timed = [c for c in cases if c.after_us]
    if not timed:
        return
    worst = max(timed, key=lambda c: statistics.median(c.after_us) - statistics.median(c.before_us))
    schemas = [fresh(worst.schema) for _ in range(30)]
    profiler = cProfile.Profile()
    profiler.enable()
    for schema in schemas:
        after.validate_value(schema, worst.body, dialect=worst.dialect, direction="request")
    profiler.disable()
    print()
    print(
        f"cProfile, 30 Sends of {worst.spec} `{worst.operation}` ({worst.kind} body; "
        f"{_us(worst.before_us)} µs before, {_us(worst.after_us)} µs after):"
    )
    for order, count in (("cumulative", 15), ("tottime", 10)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(count)
        text = out.getvalue().replace(str(ROOT) + "/", "").replace(".venv/lib/", "")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        total = next(ln.strip() for ln in lines if "function calls" in ln)
        start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
        print()
        print(f"```\n# {total}, by {order}\n" + "\n".join(lines[start:]) + "\n```")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--specs",
        default=",".join(s.key for s in SPECS),
        help="comma-separated: " + ", ".join(s.key for s in SPECS),
    )
    parser.add_argument("--bodies", type=int, default=3, help="heaviest bodies per spec")
    parser.add_argument("--rounds", type=int, default=31, help="ABBA rounds per body (median)")
    parser.add_argument("--before-only", action="store_true", help="time the old one only")
    parser.add_argument("--profile", action="store_true", help="cProfile the slowest 'after'")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    chosen = [s for s in SPECS if s.key in args.specs.split(",")]
    if not chosen:
        raise SystemExit(f"no such spec: {args.specs}")

    before = load_before()
    after = load_after(args.before_only)
    cases = build_cases(chosen, args.bodies, before, after)
    for number, case in enumerate(cases, 1):
        time_case(case, before, after, args.rounds)
        log(
            f"{number}/{len(cases)} {case.spec} {case.operation} {case.kind}: before "
            f"{_us(case.before_us)} µs, after {_us(case.after_us)} µs per Send"
        )
    report(cases, args)
    if args.profile and after is not None:
        profile(cases, after)


if __name__ == "__main__":
    main()
