"""All models, imported here so Base.metadata (and Alembic) sees every table."""

from pso.db.base import Base
from pso.db.models.accounts import (
    FORM_REPLY_LIFETIME,
    Account,
    FormReply,
    LoginAttempt,
    OneTimeLink,
    Party,
    RecoveryCode,
    WebSession,
)
from pso.db.models.audit import AuditEvent
from pso.db.models.certification import (
    Assessment,
    AssessmentDocument,
    Certificate,
    CertificatePdf,
    CertificateSequence,
    CertificateSubsidiary,
    CertifyingBody,
    DocumentContent,
    Suspension,
)
from pso.db.models.idempotency import IdempotencyRecord
from pso.db.models.jobs import CertificateReminder, JobLease, VoucherExpiry
from pso.db.models.mail import OutboxMail
from pso.db.models.organizations import Organization, OrganizationSubsidiary
from pso.db.models.procurement import (
    ContractCheck,
    ContractEvent,
    Tender,
    TenderAward,
    TenderBid,
)
from pso.db.models.social_return import (  # noqa: F401
    SocialReturnDocument,
    SocialReturnLine,
    SocialReturnNotice,
    SocialReturnTerms,
    SroiModel,
)
from pso.db.models.social_return_settlement import SocialReturnSettlement  # noqa: F401
from pso.db.models.users import User
from pso.db.models.vouchers import Voucher, VoucherScheme
from pso.statuses import AssessmentStatus, VoucherStatus

__all__ = [
    "FORM_REPLY_LIFETIME",
    "Account",
    "Assessment",
    "AssessmentDocument",
    "AssessmentStatus",
    "AuditEvent",
    "Base",
    "Certificate",
    "CertificatePdf",
    "CertificateReminder",
    "CertificateSequence",
    "CertificateSubsidiary",
    "CertifyingBody",
    "ContractCheck",
    "ContractEvent",
    "DocumentContent",
    "FormReply",
    "IdempotencyRecord",
    "JobLease",
    "LoginAttempt",
    "OneTimeLink",
    "Organization",
    "OrganizationSubsidiary",
    "OutboxMail",
    "Party",
    "RecoveryCode",
    "Suspension",
    "Tender",
    "TenderAward",
    "TenderBid",
    "User",
    "Voucher",
    "VoucherExpiry",
    "VoucherScheme",
    "VoucherStatus",
    "WebSession",
]
