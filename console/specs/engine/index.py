"""The list of operations in a document, with the problems that stop some of them.

Indexing reads each operation shallowly: parameters are followed one reference deep (to
learn their name and location) and other references are only checked to exist, so a
document with thousands of operations indexes quickly. Full resolution happens in
`operation.load_operation` when one operation is opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from . import patterns
from .errors import Problem, readable_pointer
from .refs import RefError, follow, is_local_ref, iter_refs, lookup

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCATIONS = ("query", "header", "path", "cookie")
_TEMPLATE_PARAM = re.compile(r"\{([^{}/]+)\}")


@dataclass
class OperationEntry:
    """One operation as listed in the console's catalogue."""

    method: str  # upper case: "GET"
    path: str  # the template: "/meters/{id}"
    operation_id: str  # declared, or generated as "get /meters/{id}"
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=lambda: ["default"])
    deprecated: bool = False
    scopes: list[str] = field(default_factory=list)
    security: list[dict[str, list[str]]] = field(default_factory=list)
    declared_id: bool = True  # False when operation_id was generated
    warnings: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        """``(method, path)``, the operation's identity in the document."""
        return (self.method, self.path)


@dataclass
class IndexResult:
    """Every usable operation, every problem found, and the operations left out."""

    operations: list[OperationEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (METHOD, path)

    @property
    def errors(self) -> list[Problem]:
        """Problems that made an operation (or path) unusable."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that were noted but did not stop anything."""
        return [p for p in self.problems if p.severity == "warning"]


def generated_operation_id(method: str, path: str) -> str:
    """The stable id given to an operation without ``operationId``: ``"get /meters/{id}"``."""
    return f"{method.lower()} {path}"


def template_names(path: str) -> list[str]:
    """The names of the ``{placeholders}`` in a path template, in order."""
    return _TEMPLATE_PARAM.findall(path)


@dataclass
class RawParameter:
    """A parameter after following its reference, with where it was declared."""

    data: dict[str, Any]
    pointer: str
    name: str
    location: str


def check_parameters(
    document: dict[str, Any],
    raw_list: Any,
    pointer: str,
) -> tuple[list[RawParameter], list[Problem]]:
    """Follow and check one ``parameters`` list; return the usable ones and the problems."""
    problems: list[Problem] = []
    found: list[RawParameter] = []
    if raw_list is None:
        return found, problems
    if not isinstance(raw_list, list):
        problems.append(Problem(pointer, "'parameters' must be a list"))
        return found, problems
    for index, raw in enumerate(raw_list):
        where = f"{pointer}[{index}]"
        try:
            param, _ = follow(document, raw)
        except RefError as exc:
            problems.append(Problem(where, exc.message))
            continue
        if not isinstance(param, dict):
            problems.append(Problem(where, "a parameter must be an object"))
            continue
        name = param.get("name")
        location = param.get("in")
        bad = False
        if not isinstance(name, str) or not name:
            problems.append(Problem(where, "the parameter has no 'name'"))
            bad = True
        if location not in LOCATIONS:
            problems.append(Problem(where, "'in' must be one of query, header, path, cookie"))
            bad = True
        if bad:
            continue
        if location == "path" and param.get("required") is not True:
            problems.append(Problem(where, f"path parameter '{name}' must be required", "warning"))
        if "schema" not in param and "content" not in param:
            problems.append(
                Problem(where, f"parameter '{name}' has neither 'schema' nor 'content'", "warning")
            )
        found.append(RawParameter(param, where, name, location))
    return found, problems


def merge_parameters(
    path_level: list[RawParameter], operation_level: list[RawParameter]
) -> tuple[list[RawParameter], list[Problem]]:
    """Path-level parameters overridden by operation-level ones with the same name and ``in``."""
    problems: list[Problem] = []
    merged: list[RawParameter] = []
    positions: dict[tuple[str, str], int] = {}
    for params in (path_level, operation_level):
        seen_here: set[tuple[str, str]] = set()
        for param in params:
            key = (param.location, param.name.lower() if param.location == "header" else param.name)
            if key in seen_here:
                problems.append(
                    Problem(
                        param.pointer,
                        f"parameter '{param.name}' in {param.location} is declared twice",
                        "warning",
                    )
                )
            seen_here.add(key)
            if key in positions:
                merged[positions[key]] = param
            else:
                positions[key] = len(merged)
                merged.append(param)
    return merged, problems


def security_scopes(security: Any) -> tuple[list[str], list[dict[str, list[str]]]]:
    """From a ``security`` list: every scope named (in order, once) and the clean requirements."""
    scopes: list[str] = []
    requirements: list[dict[str, list[str]]] = []
    if not isinstance(security, list):
        return scopes, requirements
    for requirement in security:
        if not isinstance(requirement, dict):
            continue
        clean: dict[str, list[str]] = {}
        for scheme, names in requirement.items():
            names = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
            clean[str(scheme)] = names
            for name in names:
                if name not in scopes:
                    scopes.append(name)
        requirements.append(clean)
    return scopes, requirements


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _check_refs(document: dict[str, Any], node: Any, pointer: str, problems: list[Problem]) -> None:
    for ref in iter_refs(node):
        if not is_local_ref(ref):
            problems.append(
                Problem(pointer, f"the external reference {ref} is not followed", "warning")
            )
            continue
        try:
            lookup(document, ref)
        except RefError as exc:
            problems.append(Problem(pointer, exc.message, "warning"))


def _index_operation(
    document: dict[str, Any],
    path: str,
    method: str,
    op: Any,
    path_params: list[RawParameter],
    top_security: Any,
    base: str,
) -> tuple[OperationEntry | None, list[Problem]]:
    where = readable_pointer(base, method)
    if not isinstance(op, dict):
        return None, [Problem(where, "an operation must be an object")]
    op_params, problems = check_parameters(
        document, op.get("parameters"), readable_pointer(where, "parameters")
    )
    merged, merge_problems = merge_parameters(path_params, op_params)
    problems.extend(merge_problems)
    declared_path = {p.name for p in merged if p.location == "path"}
    for name in template_names(path):
        if name not in declared_path:
            problems.append(
                Problem(where, f"path parameter '{name}' in the path template is not declared")
            )
    in_template = set(template_names(path))
    for param in merged:
        if param.location == "path" and param.name not in in_template:
            problems.append(
                Problem(
                    param.pointer,
                    f"path parameter '{param.name}' does not appear in the path",
                    "warning",
                )
            )
    body = op.get("requestBody")
    if body is not None:
        body_where = readable_pointer(where, "requestBody")
        try:
            target, _ = follow(document, body)
        except RefError as exc:
            problems.append(Problem(body_where, exc.message))
        else:
            if not isinstance(target, dict):
                problems.append(Problem(body_where, "'requestBody' must be an object"))
            else:
                _check_refs(document, target, body_where, problems)
    responses = op.get("responses")
    if responses is not None and not isinstance(responses, dict):
        problems.append(
            Problem(
                readable_pointer(where, "responses"), "'responses' must be a mapping", "warning"
            )
        )
    elif isinstance(responses, dict):
        _check_refs(document, responses, readable_pointer(where, "responses"), problems)
    for param in op_params:
        _check_refs(
            document, {k: v for k, v in param.data.items() if k != "$ref"}, param.pointer, problems
        )
    if any(p.severity == "error" for p in problems):
        return None, problems
    tags = op.get("tags")
    tags = [t for t in tags if isinstance(t, str) and t] if isinstance(tags, list) else []
    security = op.get("security") if "security" in op else top_security
    scopes, requirements = security_scopes(security)
    op_id = op.get("operationId")
    declared = isinstance(op_id, str) and bool(op_id.strip())
    entry = OperationEntry(
        method=method.upper(),
        path=path,
        operation_id=op_id.strip() if declared else generated_operation_id(method, path),
        summary=_text(op.get("summary")).strip(),
        description=_text(op.get("description")),
        tags=tags or ["default"],
        deprecated=op.get("deprecated") is True,
        scopes=scopes,
        security=requirements,
        declared_id=declared,
        warnings=[],
    )
    return entry, problems


def index_operations(document: dict[str, Any]) -> IndexResult:
    """List every operation of a loaded document, skipping (and reporting) broken ones.

    Each operation's parameters are followed one reference deep and checked (``name``,
    ``in``, path template placeholders declared); its request body reference must exist;
    other references are checked to exist (warnings). Duplicate ``operationId`` values are
    reported and the later operation gets a generated id, so ids stay unique.
    """
    result = IndexResult()
    paths = document.get("paths")
    if paths is None:
        if str(document.get("openapi", "")).startswith("3.0"):
            result.problems.append(Problem("paths", "the document has no 'paths'", "warning"))
        return result
    if not isinstance(paths, dict):
        result.problems.append(Problem("paths", "'paths' must be a mapping"))
        return result
    top_security = document.get("security")
    seen_ids: dict[str, str] = {}
    for path, raw_item in paths.items():
        base = readable_pointer("paths", str(path))
        if not str(path).startswith("/"):
            result.problems.append(Problem(base, "a path must start with '/'", "warning"))
        try:
            item, _ = follow(document, raw_item)
        except RefError as exc:
            result.problems.append(Problem(base, exc.message))
            continue
        if not isinstance(item, dict):
            result.problems.append(Problem(base, "a path item must be an object"))
            continue
        path_params, path_problems = check_parameters(
            document, item.get("parameters"), readable_pointer(base, "parameters")
        )
        path_broken = any(p.severity == "error" for p in path_problems)
        result.problems.extend(path_problems)
        for method in HTTP_METHODS:
            if method not in item:
                continue
            entry, problems = _index_operation(
                document, str(path), method, item[method], path_params, top_security, base
            )
            key = (method.upper(), str(path))
            problems = [replace(p, operation=key) for p in problems]
            result.problems.extend(problems)
            if entry is not None:
                entry.warnings = [p for p in problems if p.severity == "warning"]
            if entry is None or path_broken:
                result.skipped.append((method.upper(), str(path)))
                continue
            if entry.operation_id in seen_ids:
                problem = Problem(
                    readable_pointer(base, method, "operationId"),
                    f"operationId '{entry.operation_id}' is also used by "
                    f"{seen_ids[entry.operation_id]}; this one is listed as "
                    f"'{generated_operation_id(method, str(path))}'",
                    "warning",
                    key,
                )
                result.problems.append(problem)
                entry.warnings.append(problem)
                entry.operation_id = generated_operation_id(method, str(path))
                entry.declared_id = False
            seen_ids[entry.operation_id] = f"{method.upper()} {path}"
            result.operations.append(entry)
    result.problems.extend(pattern_problems(document))
    return result


def pattern_problems(document: dict[str, Any]) -> list[Problem]:
    """A warning for each pattern in the document RE2 cannot run (look-around,
    back-references): the console does not check values against it. At most
    `patterns.MAX_NOTICES`, then one that counts the rest."""
    found: list[Problem] = []
    more = 0
    for where, pattern, reason in patterns.unsupported_patterns(document):
        if len(found) >= patterns.MAX_NOTICES:
            more += 1
            continue
        pointer = readable_pointer(*where) if where else "(document)"
        found.append(Problem(pointer, patterns.notice(pattern, reason), "warning"))
    if more:
        message = f"{more} more patterns RE2 cannot run; values are not checked against them."
        found.append(Problem("(document)", message, "warning"))
    return found


def normalise_servers(raw: Any) -> list[dict[str, Any]]:
    """A ``servers`` list as dicts of ``url``, ``description``, ``variables``; bad ones dropped."""
    servers: list[dict[str, Any]] = []
    if not isinstance(raw, list):
        return servers
    for server in raw:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        variables: dict[str, Any] = {}
        raw_vars = server.get("variables")
        if isinstance(raw_vars, dict):
            for name, var in raw_vars.items():
                if isinstance(var, dict):
                    enum = var.get("enum")
                    variables[str(name)] = {
                        "default": str(var.get("default", "")),
                        "enum": [str(v) for v in enum] if isinstance(enum, list) else [],
                        "description": _text(var.get("description")),
                    }
        servers.append(
            {
                "url": server["url"],
                "description": _text(server.get("description")),
                "variables": variables,
            }
        )
    return servers


def _security_schemes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    components = document.get("components")
    raw = components.get("securitySchemes") if isinstance(components, dict) else None
    schemes: dict[str, dict[str, Any]] = {}
    if not isinstance(raw, dict):
        return schemes
    for name, value in raw.items():
        try:
            scheme, _ = follow(document, value)
        except RefError:
            continue
        if not isinstance(scheme, dict):
            continue
        flows: dict[str, Any] = {}
        all_scopes: dict[str, str] = {}
        raw_flows = scheme.get("flows")
        if isinstance(raw_flows, dict):
            for flow_name, flow in raw_flows.items():
                if not isinstance(flow, dict):
                    continue
                scopes = flow.get("scopes") if isinstance(flow.get("scopes"), dict) else {}
                scopes = {str(k): _text(v) for k, v in scopes.items()}
                all_scopes.update(scopes)
                flows[str(flow_name)] = {
                    "authorization_url": _text(flow.get("authorizationUrl")),
                    "token_url": _text(flow.get("tokenUrl")),
                    "refresh_url": _text(flow.get("refreshUrl")),
                    "scopes": scopes,
                }
        schemes[str(name)] = {
            "type": _text(scheme.get("type")),
            "description": _text(scheme.get("description")),
            "scheme": _text(scheme.get("scheme")),
            "bearer_format": _text(scheme.get("bearerFormat")),
            "in": _text(scheme.get("in")),
            "name": _text(scheme.get("name")),
            "open_id_connect_url": _text(scheme.get("openIdConnectUrl")),
            "flows": flows,
            "scopes": all_scopes,
        }
    return schemes


def document_info(document: dict[str, Any]) -> dict[str, Any]:
    """Summary of a loaded document for display.

    Keys: ``title``, ``version``, ``description``, ``openapi`` (the version string),
    ``converted_from`` (``"swagger 2.0"`` or ``""``), ``servers`` (list of ``url``,
    ``description``, ``variables``), ``security_schemes`` (name → ``type``, ``scheme``,
    ``bearer_format``, ``in``, ``name``, ``description``, ``open_id_connect_url``,
    ``flows`` and all their ``scopes``), ``security`` (the default requirements),
    ``tags`` (list of ``name``, ``description``).
    """
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    tags: list[dict[str, str]] = []
    raw_tags = document.get("tags")
    if isinstance(raw_tags, list):
        for tag in raw_tags:
            if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                tags.append({"name": tag["name"], "description": _text(tag.get("description"))})
    _, security = security_scopes(document.get("security"))
    return {
        "title": _text(info.get("title")).strip() or "Untitled API",
        "version": str(info.get("version", "")) if info.get("version") is not None else "",
        "description": _text(info.get("description")),
        "openapi": str(document.get("openapi", "")),
        "converted_from": _text(document.get("x-converted-from")),
        "servers": normalise_servers(document.get("servers"))
        or [{"url": "/", "description": "", "variables": {}}],
        "security_schemes": _security_schemes(document),
        "security": security,
        "tags": tags,
    }
