"""The datasets page: the embedded dataset, uploads and their errors."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
