"""Errors raised by the scoring package."""


class SubmissionInvalid(ValueError):
    """The submission breaks one or more input rules.

    `errors` lists every violation as {"name": "employees[3].hoursPerWeek", "reason": "..."},
    ready to be returned as `invalidParams` of a 400 problem.
    """

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['name']}: {e['reason']}" for e in errors[:5]))


class RulebookError(RuntimeError):
    """A packaged rulebook file is malformed (a deployment error, never the user's fault)."""
