"""The OpenAPI engine: loading documents, indexing and resolving operations, building forms
and requests. Plain Python, no Django: the `console.specs` app wraps it.

Modules: `loading` (parse + guards), `swagger2` (2.0 → 3.0), `refs` ($ref resolution),
`index` (operation catalogue + problems), `operation` (one resolved operation),
`examples` (example values), `fields` (form fields), `request` (serialisation),
`validation` (schema checks), `markup` (safe Markdown), `errors`.
"""

from .errors import Problem, RequestBuildError, SpecError
from .examples import Variant, example_for_schema, variants_for_schema
from .fields import FieldSpec, fields_for_operation, parse_field_value
from .index import IndexResult, OperationEntry, document_info, index_operations
from .loading import load_document
from .markup import render_markdown
from .operation import MediaType, Operation, Parameter, RequestBody, Response, load_operation
from .refs import resolve
from .request import BuiltRequest, build_request, join_url, server_path_prefix
from .validation import dialect_for, problems, validate_value

__all__ = [
    "BuiltRequest",
    "FieldSpec",
    "IndexResult",
    "MediaType",
    "Operation",
    "OperationEntry",
    "Parameter",
    "Problem",
    "RequestBody",
    "RequestBuildError",
    "Response",
    "SpecError",
    "Variant",
    "build_request",
    "dialect_for",
    "document_info",
    "example_for_schema",
    "fields_for_operation",
    "index_operations",
    "join_url",
    "load_document",
    "load_operation",
    "parse_field_value",
    "problems",
    "render_markdown",
    "resolve",
    "server_path_prefix",
    "validate_value",
    "variants_for_schema",
]
