"""The datasets pages' words in French, English and Arabic.

Keys start with `ds_` so they never collide with another page's words once merged (i18n.py).
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "ds_intro": "Le jeu de données embarqué (default) et ceux que vous avez envoyés. "
                    "Un scénario se calcule toujours sur un jeu de données.",
        "ds_name": "Nom", "ds_id": "Identifiant", "ds_delegations": "Délégations",
        "ds_posts": "Postes", "ds_sha": "Empreinte (SHA-256)",
        "ds_new_scenario": "Nouveau scénario sur ce jeu", "ds_added": "ajouté",
        "ds_upload": "Envoyer un jeu de données",
        "ds_upload_help": "Un fichier zip contenant les fichiers CSV du jeu de données "
                          "(delegations.csv, specialties.csv, posts.csv…) à sa racine. "
                          "Toutes les erreurs sont listées avec leur fichier, leur ligne et "
                          "leur colonne.",
        "ds_file": "Fichier zip", "ds_name_field": "Nom (facultatif)",
        "ds_send": "Envoyer",
        "ds_refused": "Le jeu de données est refusé : corrigez ces erreurs puis envoyez-le "
                      "de nouveau.",
        "ds_err_file": "Fichier", "ds_err_line": "Ligne", "ds_err_column": "Colonne",
        "ds_err_value": "Valeur", "ds_err_message": "Message",
    },
    "en": {
        "ds_intro": "The embedded dataset (default) and the ones you uploaded. A scenario is "
                    "always solved on a dataset.",
        "ds_name": "Name", "ds_id": "Id", "ds_delegations": "Delegations", "ds_posts": "Posts",
        "ds_sha": "Fingerprint (SHA-256)",
        "ds_new_scenario": "New scenario on this dataset", "ds_added": "added",
        "ds_upload": "Upload a dataset",
        "ds_upload_help": "A zip file holding the dataset's CSV files (delegations.csv, "
                          "specialties.csv, posts.csv…) at its top level. Every error is "
                          "listed with its file, line and column.",
        "ds_file": "Zip file", "ds_name_field": "Name (optional)", "ds_send": "Upload",
        "ds_refused": "The dataset is refused: fix these errors and upload it again.",
        "ds_err_file": "File", "ds_err_line": "Line", "ds_err_column": "Column",
        "ds_err_value": "Value", "ds_err_message": "Message",
    },
    "ar": {
        "ds_intro": "مجموعة البيانات المدمجة (default) والمجموعات التي أرسلتموها. يُحسب كل "
                    "سيناريو على مجموعة بيانات.",
        "ds_name": "الاسم", "ds_id": "المعرّف", "ds_delegations": "المندوبيات",
        "ds_posts": "المناصب", "ds_sha": "البصمة (SHA-256)",
        "ds_new_scenario": "سيناريو جديد على هذه المجموعة", "ds_added": "أُضيفت",
        "ds_upload": "إرسال مجموعة بيانات",
        "ds_upload_help": "ملف zip يحتوي على ملفات CSV الخاصة بمجموعة البيانات "
                          "(delegations.csv وspecialties.csv وposts.csv…) في جذره. تُعرض كل "
                          "الأخطاء مع الملف والسطر والعمود.",
        "ds_file": "ملف zip", "ds_name_field": "الاسم (اختياري)", "ds_send": "إرسال",
        "ds_refused": "رُفضت مجموعة البيانات: صحّحوا هذه الأخطاء ثم أعيدوا إرسالها.",
        "ds_err_file": "الملف", "ds_err_line": "السطر", "ds_err_column": "العمود",
        "ds_err_value": "القيمة", "ds_err_message": "الرسالة",
    },
}
