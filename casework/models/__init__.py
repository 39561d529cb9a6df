"""SQLAlchemy models; importing this package registers every table on the metadata."""
from .calendar import CalendarDay
from .cases import OUTCOMES, Case, CaseSequence, Clock, Correspondence, Event, PolicyVersion
from .enums import DEFAULT_PROCEDURE, STAFF_ROLES, CalendarDayKind, CaseKind, Channel, ContactMethod, Role
from .org import ApiToken, Contractor, Directorate, ServiceArea, User, Ward, user_wards
from .people import EqualityMonitoring, Person, Representation
from .reports import CommitteeIssue, OmbudsmanLetter, ReportSetting, SatisfactionSurvey, WorkingDayNumber  # noqa: F401
from .notifications import Notification, NotificationDelivery, OutboxMessage
from .councillors import CONSENT_METHODS, CouncillorConsent, PostcodeWard
from .restrictions import Restriction, RestrictionDecision, RestrictionEvent, RestrictionEvidence, RestrictionLetter, RestrictionRecord, RestrictionReviewRequest, RestrictionWarning  # noqa: F401

__all__ = [
    "ApiToken", "CalendarDay", "CalendarDayKind", "Case", "CaseKind", "CaseSequence", "Channel",
    "Clock", "ContactMethod", "Contractor", "Correspondence", "DEFAULT_PROCEDURE", "Directorate",
    "EqualityMonitoring", "Event", "OUTCOMES", "Person", "PolicyVersion", "Representation", "Role",
    "STAFF_ROLES", "ServiceArea", "User", "Ward", "user_wards",
]
