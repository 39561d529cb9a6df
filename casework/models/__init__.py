"""SQLAlchemy models; importing this package registers every table on the metadata."""
from .calendar import CalendarDay
from .cases import OUTCOMES, Case, CaseSequence, Clock, Correspondence, Event, PolicyVersion
from .enums import DEFAULT_PROCEDURE, STAFF_ROLES, CalendarDayKind, CaseKind, Channel, ContactMethod, Role
from .org import ApiToken, Contractor, Directorate, ServiceArea, User, Ward, user_wards
from .people import EqualityMonitoring, Person, Representation

__all__ = [
    "ApiToken", "CalendarDay", "CalendarDayKind", "Case", "CaseKind", "CaseSequence", "Channel",
    "Clock", "ContactMethod", "Contractor", "Correspondence", "DEFAULT_PROCEDURE", "Directorate",
    "EqualityMonitoring", "Event", "OUTCOMES", "Person", "PolicyVersion", "Representation", "Role",
    "STAFF_ROLES", "ServiceArea", "User", "Ward", "user_wards",
]
