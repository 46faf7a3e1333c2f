"""Linked data: ``/id/...`` dereferencing, pages, dumps (filled in by the linked-data issue)."""

from __future__ import annotations

from flask import Blueprint

resource_bp = Blueprint("resource", __name__)
