"""PSO scoring engine (spec §2): pure functions over versioned rulebook data.

    from scoring import parse_submission, score
    result = score(parse_submission(raw_json))
"""
from .engine import resolve_rulebook, score
from .errors import RulebookError, SubmissionInvalid
from .model import ActionPlan, Employee, Period, Purchase, Quality, Submission
from .parse import decode_json, parse_submission
from .rulebook import Rulebook, all_rulebooks, get_rulebook, rulebook_for

__all__ = [
    "ActionPlan", "Employee", "Period", "Purchase", "Quality", "Rulebook", "RulebookError",
    "Submission", "SubmissionInvalid", "all_rulebooks", "decode_json", "get_rulebook",
    "parse_submission", "resolve_rulebook", "rulebook_for", "score",
]
