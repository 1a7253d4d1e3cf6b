"""The progress pages' words in French, English and Arabic."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "fr": {"progress_queued": "En file d'attente", "progress_running": "Calcul en cours",
           "progress_cancelled": "Annulé", "progress_finished": "Calcul terminé",
           "progress_position": "Place dans la file d'attente",
           "progress_waited": "Attente", "progress_running_for": "Durée du calcul",
           "progress_cancel": "Annuler ce calcul",
           "progress_reload": "Afficher le résultat",
           "progress_polling": "Cette zone se met à jour toutes les 2 secondes."},
    "en": {"progress_queued": "Queued", "progress_running": "Solving",
           "progress_cancelled": "Cancelled", "progress_finished": "Finished",
           "progress_position": "Place in the queue", "progress_waited": "Waited",
           "progress_running_for": "Solving for", "progress_cancel": "Cancel this run",
           "progress_reload": "Show the result",
           "progress_polling": "This box updates every 2 seconds."},
    "ar": {"progress_queued": "في قائمة الانتظار", "progress_running": "جارٍ الحساب",
           "progress_cancelled": "أُلغي", "progress_finished": "انتهى الحساب",
           "progress_position": "الترتيب في قائمة الانتظار", "progress_waited": "مدة الانتظار",
           "progress_running_for": "مدة الحساب", "progress_cancel": "إلغاء هذا الحساب",
           "progress_reload": "عرض النتيجة",
           "progress_polling": "يُحدَّث هذا الجزء كل ثانيتين."},
}
