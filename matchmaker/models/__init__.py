"""What is stored. Import models from here so every table is registered on Base.metadata."""
from .enums import (INDUSTRIES, REGIONS, XINJIANG_REGIONS, AgreementState, CustodyService,
                    DealState, DeclineReason, ImportKind, ImportState, LegalStatus, LicenceType,
                    LinkState, TokenKind,
                    OfferState, PaymentMode, ListingState, MatchState, NeedState, OrgKind, OrgStatus,
                    PatentType, ServiceLogKind, UserRole, VoucherKind, WantedForm)
from .accounts import AccountToken
from .audit import AuditEntry
from .custody import (AnnuityPayment, CustodyAgreement, CustodyEvent, IndicatorTarget,
                      ServiceLogEntry)
from .events import (DealPublicity, Event, EventItem, EventKind, EventPair, EventRegistration,
                     EventState, PairOutcome, RegistrationState)
from .imports import ImportBatch
from .licensing import Deal, DealEvent, FollowUp, LicenceOffer
from .matching import Job, Match, Notification
from .need import Need
from .organization import Organization, StationLink, StationLinkEvent, User
from .outbox import IndexCursor, IndexSequence, IndexTask
from .patent import Patent, PatentIPC
from .profile import EnterpriseProfile, Sector, SizeClass
from .throttle import LoginThrottle
from .vectors import TextVector

__all__ = [
    "INDUSTRIES", "REGIONS", "XINJIANG_REGIONS", "LegalStatus", "ListingState", "NeedState",
    "OrgKind", "OrgStatus", "PatentType", "UserRole", "WantedForm", "Need", "Organization", "User",
    "StationLink", "StationLinkEvent", "LinkState", "AccountToken", "TokenKind", "Patent", "PatentIPC", "IndexTask", "IndexSequence", "IndexCursor", "DeclineReason", "MatchState", "Job",
    "Match", "Notification", "ImportBatch", "ImportKind", "ImportState", "AuditEntry",
    "Deal", "DealEvent", "FollowUp", "LicenceOffer", "DealState", "LicenceType", "OfferState",
    "PaymentMode", "LoginThrottle", "AgreementState", "CustodyService", "ServiceLogKind",
    "VoucherKind", "AnnuityPayment", "CustodyAgreement", "CustodyEvent", "ServiceLogEntry",
    "IndicatorTarget", "EnterpriseProfile", "Sector", "SizeClass",
    "DealPublicity", "Event", "EventItem", "EventKind", "EventPair", "EventRegistration", "EventState",
    "PairOutcome", "RegistrationState", "TextVector",
]
