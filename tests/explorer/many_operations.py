"""An OpenAPI document with as many operations and tags as a test needs (sidebar tests)."""

from __future__ import annotations

from typing import Any


def many_operations(count: int, tags: int) -> dict[str, Any]:
    """`count` GET operations, getThing0…, spread over `tags` tags (tag00, tag01, …)."""
    paths = {
        f"/things/{i}": {
            "get": {
                "operationId": f"getThing{i}",
                "summary": f"Thing number {i}",
                "tags": [f"tag{i % tags:02d}"],
                "responses": {"200": {"description": "ok"}},
            }
        }
        for i in range(count)
    }
    return {"openapi": "3.0.3", "info": {"title": "Many", "version": "1"}, "paths": paths}
