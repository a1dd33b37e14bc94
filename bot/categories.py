"""The worry categories: fixed ids that the catalogue, triage, flows, handoff routing and
consultation records all use (the MHLW / #9999 reporting areas). One list, here."""

from __future__ import annotations

CATEGORY_IDS: tuple[str, ...] = (
    "loneliness",
    "suicidal",
    "mental_health",
    "money",
    "housing",
    "work",
    "childcare",
    "family",
    "care",
    "violence",
    "sexual_violence",
    "school",
    "gender_sexuality",
    "foreign",
    "disability",
    "hikikomori",
    "health",
    "legal_consumer",
)
