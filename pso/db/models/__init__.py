"""All models, imported here so Base.metadata (and Alembic) sees every table."""

from pso.db.base import Base
from pso.db.models.audit import AuditEvent
from pso.db.models.certification import (
    Assessment,
    Certificate,
    CertificatePdf,
    CertificateSequence,
    Suspension,
)
from pso.db.models.idempotency import IdempotencyRecord
from pso.db.models.organizations import Organization
from pso.db.models.procurement import Tender, TenderBid
from pso.db.models.users import User
from pso.db.models.vouchers import Voucher, VoucherScheme

__all__ = [
    "Assessment",
    "AuditEvent",
    "Base",
    "Certificate",
    "CertificatePdf",
    "CertificateSequence",
    "IdempotencyRecord",
    "Organization",
    "Suspension",
    "Tender",
    "TenderBid",
    "User",
    "Voucher",
    "VoucherScheme",
]
