"""Award eligibility: rule files per campaign, SQL-aggregated figures, explained decisions, rankings and quotas,
stored decisions with their audit entries, and exports for the commendation conference (docs/awards.md)."""

from inspector.awards.evaluate import JSON_FORMAT, AwardEntry, CriterionResult, Evaluation, evaluate
from inspector.awards.figures import Subject
from inspector.awards.repository import (
    LoadedRules,
    RulesInvalid,
    decisions,
    evaluate_campaign,
    finalise,
    find_campaign,
    import_rules,
    load_rules,
    record_evaluation,
    set_nominated,
)
from inspector.awards.rules import FIGURES, AwardRule, Criterion, RuleFile, parse_rules, read_rules_file
from inspector.awards.sources import SourceRow, figure_sources

__all__ = [
    "FIGURES",
    "JSON_FORMAT",
    "AwardEntry",
    "AwardRule",
    "Criterion",
    "CriterionResult",
    "Evaluation",
    "LoadedRules",
    "RuleFile",
    "RulesInvalid",
    "SourceRow",
    "Subject",
    "decisions",
    "evaluate",
    "evaluate_campaign",
    "figure_sources",
    "finalise",
    "find_campaign",
    "import_rules",
    "load_rules",
    "parse_rules",
    "read_rules_file",
    "record_evaluation",
    "set_nominated",
]
