"""The pages' words in French (default), English and Arabic (right to left)."""

from __future__ import annotations

LANGS = ("fr", "en", "ar")
WORDS: dict[str, dict[str, str]] = {
    "fr": {"title": "Optimiseur des postes", "runs": "Historique des calculs",
           "new": "Nouveau scénario", "dataset": "Jeu de données", "scenario": "Scénario (YAML)",
           "submit": "Lancer le calcul", "status": "Statut", "objective": "Objectif",
           "decision": "Décision", "report": "Rapport", "xlsx": "Classeur Excel",
           "adopt": "Adopter ce plan", "note": "Note", "waiting": "Calcul en cours…",
           "conflict": "Règles en conflit", "messages": "Messages", "none": "Aucun calcul"},
    "en": {"title": "Post optimiser", "runs": "Run history", "new": "New scenario",
           "dataset": "Dataset", "scenario": "Scenario (YAML)", "submit": "Run",
           "status": "Status", "objective": "Objective", "decision": "Decision",
           "report": "Report", "xlsx": "Excel workbook", "adopt": "Adopt this plan",
           "note": "Note", "waiting": "Solving…", "conflict": "Conflicting rules",
           "messages": "Messages", "none": "No runs yet"},
    "ar": {"title": "محسّن المناصب", "runs": "سجل الحسابات", "new": "سيناريو جديد",
           "dataset": "مجموعة البيانات", "scenario": "السيناريو (YAML)", "submit": "تشغيل",
           "status": "الحالة", "objective": "الهدف", "decision": "القرار", "report": "التقرير",
           "xlsx": "ملف Excel", "adopt": "اعتماد هذه الخطة", "note": "ملاحظة",
           "waiting": "جارٍ الحساب…", "conflict": "القواعد المتعارضة", "messages": "رسائل",
           "none": "لا توجد حسابات"},
}


def language(requested: str | None) -> str:
    """The page language: `?lang=` when known, else French."""
    return requested if requested in LANGS else "fr"


def words(lang: str) -> dict[str, str]:
    """The words of a language."""
    return WORDS[language(lang)]
