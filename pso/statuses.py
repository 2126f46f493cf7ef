"""The states of an application and of a voucher: the values the database stores and the
API and pages use. Their Dutch words are in pso.text.labels."""

from __future__ import annotations

from enum import StrEnum


class AssessmentStatus(StrEnum):
    """An application's state; services/certification.py is its one state machine."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    INFORMATION_REQUESTED = "information_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class VoucherStatus(StrEnum):
    """A voucher's status as a client sees it."""

    # "requested" (a company's application to a scheme that requires approval) reserves
    # the amount like "issued"; "refused" holds nothing.
    REQUESTED = "requested"
    ISSUED = "issued"
    REDEEMED = "redeemed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # derived from expires_on, never stored
    REFUSED = "refused"
