"""Wording of the page itself: header, navigation, summary, charts, map, footer, summary.md.

One entry per phrase, in French (the ministry's working language, the default), English
(partners) and Arabic. `{name}` fields are filled by `i18n.text`. Arabic uses the Western
digits 0-9, as Moroccan administrative documents in Arabic do; figures are inserted by
`i18n.number`, never written here.
"""

from __future__ import annotations

PAGE: dict[str, dict[str, str]] = {
    "title": {"fr": "Plan de répartition des médecins spécialistes",
              "en": "Specialist doctor allocation plan",
              "ar": "خطة توزيع الأطباء الأخصائيين"},
    "scenario": {"fr": "Scénario", "en": "Scenario", "ar": "السيناريو"},
    "description_entered": {"fr": "Description (telle que saisie)",
                            "en": "Description (as entered)", "ar": "الوصف (كما أُدخل)"},
    "status": {"fr": "Statut", "en": "Status", "ar": "الحالة"},
    "optimal": {"fr": "optimal", "en": "optimal", "ar": "أمثل"},
    "feasible": {"fr": "réalisable (limite de temps atteinte)",
                 "en": "feasible (time limit reached)", "ar": "ممكن (بلوغ الحد الزمني)"},
    "objective": {"fr": "Objectif (besoin non couvert pondéré)",
                  "en": "Objective (weighted unmet need)",
                  "ar": "الهدف (الحاجة غير المغطاة المرجحة)"},
    "best_bound": {"fr": "Meilleure borne", "en": "Best bound", "ar": "أفضل حد"},
    "gap": {"fr": "Écart d'optimalité", "en": "Optimality gap", "ar": "فجوة الأمثلية"},
    "solver": {"fr": "Solveur", "en": "Solver", "ar": "برنامج الحل"},
    "solver_version": {"fr": "Version du solveur", "en": "Solver version",
                       "ar": "إصدار برنامج الحل"},
    "description": {"fr": "Description", "en": "Description", "ar": "الوصف"},
    "posts_available": {"fr": "Postes disponibles", "en": "Posts available",
                        "ar": "المناصب المتاحة"},
    "foreign_available": {"fr": "Médecins étrangers offerts", "en": "Foreign doctors offered",
                          "ar": "الأطباء الأجانب المعروضون"},
    "budget": {"fr": "Plafond budgétaire (MAD)", "en": "Budget cap (MAD)",
               "ar": "سقف الميزانية (درهم)"},
    "unmet_before": {"fr": "Besoin non couvert pondéré avant le plan",
                     "en": "Weighted unmet need before the plan",
                     "ar": "الحاجة غير المغطاة المرجحة قبل الخطة"},
    "expected_unmet_need": {"fr": "Besoin non couvert pondéré attendu (prise de poste)",
                            "en": "Expected weighted unmet need (uptake)",
                            "ar": "الحاجة غير المغطاة المرجحة المتوقعة (الالتحاق)"},
    "unmet_after": {"fr": "Besoin non couvert pondéré après le plan",
                    "en": "Weighted unmet need after the plan",
                    "ar": "الحاجة غير المغطاة المرجحة بعد الخطة"},
    "unmet_change_item": {"fr": "Variation du besoin non couvert",
                          "en": "Change in unmet need", "ar": "تغير الحاجة غير المغطاة"},
    "promotion_item": {"fr": "Promotion {p}", "en": "Promotion {p}", "ar": "فوج {p}"},
    "colon": {"fr": "\u00a0: ", "en": ": ", "ar": ": "},
    "sep": {"fr": ", ", "en": ", ", "ar": "، "},
    "semi": {"fr": " ; ", "en": "; ", "ar": "؛ "},
    "arrow": {"fr": "→", "en": "→", "ar": "←"},  # reads from the old figure to the new one
    "build_seconds": {"fr": "Construction du modèle (s)", "en": "Model build (s)",
                      "ar": "بناء النموذج (ث)"},
    "solve_seconds": {"fr": "Résolution (s)", "en": "Solve (s)", "ar": "الحل (ث)"},
    "generated_at": {"fr": "Plan calculé le", "en": "Plan computed on",
                     "ar": "تاريخ حساب الخطة:"},
    "nav_summary": {"fr": "Synthèse", "en": "Summary", "ar": "الملخص"},
    "nav_matrix": {"fr": "Répartition", "en": "Allocation", "ar": "التوزيع"},
    "nav_why": {"fr": "Pourquoi", "en": "Why", "ar": "لماذا"},
    "nav_map": {"fr": "Carte", "en": "Map", "ar": "الخريطة"},
    "nav_charts": {"fr": "Graphiques", "en": "Charts", "ar": "الرسوم البيانية"},
    "nav_tables": {"fr": "Tableaux", "en": "Tables", "ar": "الجداول"},
    "nav_assumptions": {"fr": "Hypothèses", "en": "Assumptions", "ar": "الفرضيات"},
    "nav_sensitivity": {"fr": "Sensibilité", "en": "Sensitivity", "ar": "الحساسية"},
    "posts_allocated": {"fr": "Postes attribués", "en": "Posts allocated",
                        "ar": "المناصب الموزعة"},
    "of_available": {"fr": "sur {n} disponibles", "en": "of {n} available",
                     "ar": "من أصل {n} متاحة"},
    "foreign_deployed": {"fr": "Médecins étrangers déployés", "en": "Foreign doctors deployed",
                         "ar": "الأطباء الأجانب الموزعون"},
    "budget_used": {"fr": "Budget utilisé (MAD)", "en": "Budget used (MAD)",
                    "ar": "الميزانية المستعملة (درهم)"},
    "of_budget": {"fr": "plafond {n}", "en": "cap {n}", "ar": "السقف {n}"},
    "no_budget_cap": {"fr": "sans plafond", "en": "no cap", "ar": "بدون سقف"},
    "unmet_need": {"fr": "Besoin non couvert pondéré", "en": "Weighted unmet need",
                   "ar": "الحاجة غير المغطاة المرجحة"},
    "unmet_change": {"fr": "{before} avant le plan → {after} après ({change})",
                     "en": "{before} before the plan → {after} after ({change})",
                     "ar": "{before} قبل الخطة ← {after} بعدها ({change})"},
    "unmet_explained": {
        "fr": "Somme, sur les délégations et spécialités, de poids × (déficit + {a} × "
              "déficit de présence minimale) : l'objectif que le plan minimise.",
        "en": "Sum over delegations and specialties of weight × (shortfall + {a} × "
              "shortfall below the minimum presence): the objective the plan minimises.",
        "ar": "مجموع، على المندوبيات والتخصصات، للوزن × (الخصاص + {a} × الخصاص دون الحد "
              "الأدنى للحضور): وهو الهدف الذي تقلصه الخطة إلى أدنى حد."},
    "by_promotion": {"fr": "Postes par promotion", "en": "Posts by promotion",
                     "ar": "المناصب حسب الفوج"},
    "categories_title": {"fr": "Création, compensation, renforcement",
                         "en": "Creation, compensation, reinforcement",
                         "ar": "إحداث، تعويض، تعزيز"},
    "categories_note": {
        "fr": "Classement de chaque poste comme dans les annonces du ministère : création "
              "(une spécialité absente ou sous la présence minimale), compensation (départs), "
              "renforcement (le reste). Référence : annonce du ministère de la Santé pour "
              "2024 ({n} postes, 47 % / 18 % / 33 %). Les médecins étrangers ne sont pas des "
              "postes et ne sont pas classés.",
        "en": "Each post is classified as in the ministry's announcements: creation (a "
              "specialty absent or below the minimum presence), compensation (departures), "
              "reinforcement (the rest). Reference: the Ministry of Health's announcement "
              "for 2024 ({n} posts, 47% / 18% / 33%). Foreign doctors are not posts and are "
              "not classified.",
        "ar": "يُصنَّف كل منصب كما في بلاغات الوزارة: إحداث (تخصص غائب أو دون الحد الأدنى "
              "للحضور)، تعويض (المغادرون)، تعزيز (الباقي). المرجع: بلاغ وزارة الصحة لسنة "
              "2024 ({n} منصبا، 47% / 18% / 33%). الأطباء الأجانب ليسوا مناصب ولا يُصنَّفون."},
    "this_plan": {"fr": "Ce plan", "en": "This plan", "ar": "هذه الخطة"},
    "reference_label": {"fr": "Annonce du ministère, 2024", "en": "Ministry announcement, 2024",
                        "ar": "بلاغ الوزارة، 2024"},
    "creation": {"fr": "Création", "en": "Creation", "ar": "إحداث"},
    "compensation": {"fr": "Compensation", "en": "Compensation", "ar": "تعويض"},
    "reinforcement": {"fr": "Renforcement", "en": "Reinforcement", "ar": "تعزيز"},
    "before": {"fr": "Avant le plan", "en": "Before the plan", "ar": "قبل الخطة"},
    "after": {"fr": "Après le plan", "en": "After the plan", "ar": "بعد الخطة"},
    "target": {"fr": "Cible", "en": "Target", "ar": "الهدف"},
    "region_totals": {"fr": "Totaux par région", "en": "Region totals",
                      "ar": "المجاميع حسب الجهة"},
    "chart_unmet": {"fr": "Besoin non couvert pondéré par région, avant et après le plan",
                    "en": "Weighted unmet need by region, before and after the plan",
                    "ar": "الحاجة غير المغطاة المرجحة حسب الجهة، قبل الخطة وبعدها"},
    "chart_density": {"fr": "Spécialistes pour 100\u202f000 habitants par région, et cible",
                      "en": "Specialists per 100,000 inhabitants by region, and target",
                      "ar": "الأخصائيون لكل 100\u202f000 نسمة حسب الجهة، والهدف"},
    "chart_density_note": {
        "fr": "Spécialités du plan seulement ; la cible est la somme des normes par "
              "spécialité (après modifications du scénario).",
        "en": "Plan specialties only; the target is the sum of the per-specialty norms "
              "(after scenario overrides).",
        "ar": "تخصصات الخطة فقط؛ الهدف هو مجموع المعايير حسب التخصص (بعد تعديلات "
              "السيناريو)."},
    "chart_worst": {"fr": "Qui reste le plus mal desservi : besoin restant par délégation",
                    "en": "Who remains worst off: remaining need by delegation",
                    "ar": "الأقل تغطية بعد الخطة: الحاجة المتبقية حسب المندوبية"},
    "chart_categories": {"fr": "Répartition des postes par catégorie (%)",
                         "en": "Posts by category (%)", "ar": "توزيع المناصب حسب الفئة (%)"},
    "density_axis": {"fr": "spécialistes pour 100\u202f000 hab.",
                     "en": "specialists per 100,000 inhabitants",
                     "ar": "أخصائيون لكل 100\u202f000 نسمة"},
    "footer": {"fr": "Produit par optimiser à partir du dossier du plan.",
               "en": "Produced by optimiser from the plan folder.",
               "ar": "أُنتج بواسطة optimiser انطلاقا من ملف الخطة."},
    "summary_md_title": {"fr": "Plan « {s} » : synthèse", "en": "Plan “{s}”: summary",
                         "ar": "الخطة «{s}»: ملخص"},
    "worst_md": {"fr": "Délégations les plus mal desservies après le plan",
                 "en": "Delegations worst off after the plan",
                 "ar": "المندوبيات الأقل تغطية بعد الخطة"},
    "md_status": {"fr": "Statut : {status} ; objectif {objective} (écart d'optimalité {gap})",
                  "en": "Status: {status}; objective {objective} (optimality gap {gap})",
                  "ar": "الحالة: {status}؛ الهدف {objective} (فجوة الأمثلية {gap})"},
    "md_posts": {"fr": "Postes attribués : {n} sur {available}{by_promotion}",
                 "en": "Posts allocated: {n} of {available}{by_promotion}",
                 "ar": "المناصب الموزعة: {n} من أصل {available}{by_promotion}"},
    "md_promotion": {"fr": "promotion {p} : {n}", "en": "promotion {p}: {n}",
                     "ar": "فوج {p}: {n}"},
    "md_categories": {"fr": "Création / compensation / renforcement : {split} ; annonce du "
                            "ministère pour 2024 : 47 % / 18 % / 33 %",
                      "en": "Creation / compensation / reinforcement: {split}; ministry "
                            "announcement for 2024: 47% / 18% / 33%",
                      "ar": "إحداث / تعويض / تعزيز: {split}؛ بلاغ الوزارة لسنة 2024: "
                            "47% / 18% / 33%"},
    "md_foreign": {"fr": "Médecins étrangers déployés : {n} sur {available} ; budget utilisé "
                         "{used} MAD ({cap})",
                   "en": "Foreign doctors deployed: {n} of {available}; budget used {used} MAD "
                         "({cap})",
                   "ar": "الأطباء الأجانب الموزعون: {n} من أصل {available}؛ الميزانية "
                         "المستعملة {used} درهم ({cap})"},
    "md_unmet": {"fr": "Besoin non couvert pondéré : {change}",
                 "en": "Weighted unmet need: {change}",
                 "ar": "الحاجة غير المغطاة المرجحة: {change}"},
    "worst_md_line": {
        "fr": "{name} ({region}) : besoin pondéré {after} (avant le plan : {before}) ; "
              "{density} spécialistes pour 100\u202f000 hab., cible {target}",
        "en": "{name} ({region}): weighted need {after} (before the plan: {before}); "
              "{density} specialists per 100,000, target {target}",
        "ar": "{name} ({region}): الحاجة المرجحة {after} (قبل الخطة: {before})؛ "
              "{density} أخصائي لكل 100\u202f000 نسمة، الهدف {target}"},
    "top_regions_md": {"fr": "Postes par région", "en": "Posts by region",
                       "ar": "المناصب حسب الجهة"},
    "md_footer": {"fr": "Détail complet : report.html et plan.xlsx dans le dossier du plan.",
                  "en": "Full detail: report.html and plan.xlsx in the plan folder.",
                  "ar": "التفاصيل الكاملة: report.html و plan.xlsx في ملف الخطة."},
    "yes": {"fr": "oui", "en": "yes", "ar": "نعم"},
    "no": {"fr": "non", "en": "no", "ar": "لا"},
    "none": {"fr": "—", "en": "—", "ar": "—"},
    "total": {"fr": "Total", "en": "Total", "ar": "المجموع"},
}
