"""Logging in and out when the service runs with --auth."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
