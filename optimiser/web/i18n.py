"""The pages' words in French (default), English and Arabic (right to left).

Each group of pages keeps its words in its own `words_*.py` module; they are merged here, and
a word missing in one language falls back to French so no page shows an empty label.
"""

from __future__ import annotations

from functools import cache

from optimiser.web import (
    words_auth,
    words_datasets,
    words_editor,
    words_plan,
    words_progress,
    words_sweep,
)

LANGS = ("fr", "en", "ar")
WORDS: dict[str, dict[str, str]] = {
    "fr": {"title": "Optimiseur des postes", "runs": "Historique des calculs",
           "new": "Nouveau scénario", "dataset": "Jeu de données", "scenario": "Scénario (YAML)",
           "submit": "Lancer le calcul", "status": "Statut", "objective": "Objectif",
           "decision": "Décision", "report": "Rapport", "xlsx": "Classeur Excel",
           "adopt": "Adopter ce plan", "note": "Note", "waiting": "Calcul en cours…",
           "conflict": "Règles en conflit", "messages": "Messages", "none": "Aucun calcul",
           "datasets": "Jeux de données", "compare": "Comparer", "sweeps": "Balayages",
           "logout": "Se déconnecter",
           "start_text": "Jeu de données intégré :", "start_delegations": "délégations",
           "start_posts": "postes à répartir",
           "start_baseline": "Calculer le plan de référence",
           "start_new": "Nouveau scénario sur ce jeu", "start_upload": "Téléverser un jeu"},
    "en": {"title": "Post optimiser", "runs": "Run history", "new": "New scenario",
           "dataset": "Dataset", "scenario": "Scenario (YAML)", "submit": "Run",
           "status": "Status", "objective": "Objective", "decision": "Decision",
           "report": "Report", "xlsx": "Excel workbook", "adopt": "Adopt this plan",
           "note": "Note", "waiting": "Solving…", "conflict": "Conflicting rules",
           "messages": "Messages", "none": "No runs yet", "datasets": "Datasets",
           "compare": "Compare", "sweeps": "Sweeps", "logout": "Log out",
           "start_text": "Embedded dataset:", "start_delegations": "delegations",
           "start_posts": "posts to allocate", "start_baseline": "Solve the baseline plan",
           "start_new": "New scenario on this dataset", "start_upload": "Upload a dataset"},
    "ar": {"title": "محسّن المناصب", "runs": "سجل الحسابات", "new": "سيناريو جديد",
           "dataset": "مجموعة البيانات", "scenario": "السيناريو (YAML)", "submit": "تشغيل",
           "status": "الحالة", "objective": "الهدف", "decision": "القرار", "report": "التقرير",
           "xlsx": "ملف Excel", "adopt": "اعتماد هذه الخطة", "note": "ملاحظة",
           "waiting": "جارٍ الحساب…", "conflict": "القواعد المتعارضة", "messages": "رسائل",
           "none": "لا توجد حسابات", "datasets": "مجموعات البيانات", "compare": "مقارنة",
           "sweeps": "المسوح", "logout": "تسجيل الخروج",
           "start_text": "مجموعة البيانات المدمجة:", "start_delegations": "مندوبية",
           "start_posts": "منصبًا للتوزيع", "start_baseline": "حساب الخطة المرجعية",
           "start_new": "سيناريو جديد على هذه البيانات", "start_upload": "رفع مجموعة بيانات"},
}
FEATURES = (words_auth, words_datasets, words_editor, words_plan, words_progress, words_sweep)


def language(requested: str | None) -> str:
    """The page language: `?lang=` when known, else French."""
    return requested if requested in LANGS else "fr"


@cache
def words(lang: str) -> dict[str, str]:
    """Every page's words in a language; French where a translation is missing."""
    merged: dict[str, str] = {}
    for table in (WORDS, *(feature.WORDS for feature in FEATURES)):
        merged.update(table["fr"])
        merged.update(table.get(language(lang), {}))
    return merged
