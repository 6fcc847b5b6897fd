"""Helpers shared by functional tests (importable as ``tests_support``)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def open_licence_case(
    client: TestClient, world: Any, *, relevant_date: str | None = None
) -> dict[str, Any]:
    """Open a CA licence application case for the Shanghai CA, as its own operator."""
    body: dict[str, Any] = {
        "process_id": "ca-licence-application",
        "title": "Licence application",
    }
    if relevant_date:
        body["relevant_date"] = relevant_date
    response = client.post("/api/v1/cases", json=body, headers=world.headers("ca_operator"))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
