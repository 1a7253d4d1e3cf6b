"""Sweeps: a scenario solved over a grid of values, with its charts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
