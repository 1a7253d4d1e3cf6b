"""The plan pages' words in French, English and Arabic."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {"fr": {}, "en": {}, "ar": {}}
