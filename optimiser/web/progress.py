"""A run's live progress (polled) and its cancel button."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
