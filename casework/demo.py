"""Demo data for a big unitary city council (Coventry's wards), loaded in bulk.

`flask casework demo --cases N` calls load_demo. Why it is built the way it is:

* Every case is driven through the real policy engine (engine.open_case, engine.apply_action)
  with plausible action times, so its state, clocks, due dates and audit events are exactly
  what the app itself would have written had the actions been taken on those dates
  (operations.cases.open_case / take_action). Actions that would fall after "now" are not
  taken, so recent cases are still open, and a few neglected ones are overdue.
* It must load 100,000 cases in well under a minute, so nothing goes through the ORM: rows are
  plain dicts inserted with SQLAlchemy Core in batches, primary keys are assigned here from
  max(id) + 1 (children reference parents without a round trip), and one calendar and one
  loaded policy set serve every case. Afterwards case_sequences (and PostgreSQL's id
  sequences) are moved on so later cases continue the numbering without gaps.
* It is deterministic for a given seed and "now": random.Random(seed) drives every choice.

Everything is invented. People use example.com addresses and Ofcom's drama telephone ranges;
contractors, councillors and officers are fictional.
"""
from __future__ import annotations

import heapq
import random
import time as timer
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Callable

from sqlalchemy import func, insert, select, text, update
from werkzeug.security import generate_password_hash

from . import policy as engine
from .extensions import db
from .models import (
    Case,
    CaseSequence,
    Clock,
    Contractor,
    Directorate,
    EqualityMonitoring,
    Event,
    Person,
    PolicyVersion,
    Representation,
    ServiceArea,
    User,
    Ward,
    user_wards,
)
from .workdays import LONDON, UTC, london_date, utc_now

__all__ = ["load_demo", "DEMO_PASSWORD", "DEMO_USERS", "WARDS"]

DEMO_PASSWORD = "casework-demo"
DEMO_DOMAIN = "demo.casework.test"

# The users the README lists: one per role (e-mail, role, name).
DEMO_USERS = (
    (f"admin@{DEMO_DOMAIN}", "admin", "Alex Admin"),
    (f"frontdoor@{DEMO_DOMAIN}", "resident_experience", "Farah Frontdoor"),
    (f"recovery@{DEMO_DOMAIN}", "service_recovery", "Rhys Recovery"),
    (f"officer@{DEMO_DOMAIN}", "investigating_officer", "Olivia Officer"),
    (f"director@{DEMO_DOMAIN}", "director", "Desmond Director"),
    (f"councillor@{DEMO_DOMAIN}", "councillor", "Cllr Chloe Councillor"),
)
DEMO_COUNCILLOR_WARDS = ("St Michael's", "Foleshill")
DEMO_OFFICER_AREA = "Waste and Recycling"
DEMO_DIRECTOR_DIRECTORATE = "City Services"

# Coventry's 18 wards: postcode sectors and streets in or near each (plausible, not a gazetteer).
WARDS = {
    "Bablake": (("CV5 9", "CV6 2"), ("Hawkes Mill Lane", "Brownshill Green Road", "Sandpits Lane", "Wall Hill Road", "Hollyfast Road", "Bablake Close")),
    "Binley and Willenhall": (("CV3 2", "CV3 3"), ("Binley Road", "Remembrance Road", "Middle Ride", "Chace Avenue", "Robin Hood Road", "Yarningale Road")),
    "Cheylesmore": (("CV3 5", "CV1 2"), ("Quinton Road", "Daventry Road", "Poitiers Road", "Cheylesmore Drive", "Baginton Road", "Leigh Avenue")),
    "Earlsdon": (("CV5 6", "CV5 7"), ("Earlsdon Avenue North", "Earlsdon Street", "Albany Road", "Moor Street", "Beechwood Avenue", "Styvechale Avenue")),
    "Foleshill": (("CV6 5", "CV6 6"), ("Foleshill Road", "Station Street East", "Lockhurst Lane", "Eagle Street", "Stoney Stanton Road", "Cross Road")),
    "Henley": (("CV2 1", "CV2 2"), ("Henley Road", "Roseberry Avenue", "Riley Square", "Ringwood Highway", "Deedmore Road", "Woodway Lane")),
    "Holbrook": (("CV6 4", "CV6 3"), ("Holbrook Lane", "Burnaby Road", "Parkgate Road", "Wheelwright Lane", "Jubilee Crescent", "Tusses Croft")),
    "Longford": (("CV6 6", "CV6 7"), ("Longford Road", "Windmill Road", "Hurst Road", "Bell Green Road", "Aldermans Green Road", "Lenton's Lane")),
    "Lower Stoke": (("CV2 4", "CV3 1"), ("Walsgrave Road", "Harefield Road", "Clay Lane", "Kingsway", "Bulwer Road", "Gosford Park Close")),
    "Radford": (("CV6 1", "CV6 3"), ("Radford Road", "Jobs Lane", "Engleton Road", "Villiers Street", "Barker Butts Lane", "Daimler Road")),
    "Sherbourne": (("CV5 8", "CV1 3"), ("Spon End", "Allesley Old Road", "Four Pounds Avenue", "Kingston Road", "Sherbourne Crescent", "Hearsall Lane")),
    "St Michael's": (("CV1 1", "CV1 5"), ("Hertford Street", "Gosford Street", "Far Gosford Street", "Hillfields Road", "Primrose Hill Street", "Vecqueray Street")),
    "Upper Stoke": (("CV2 5", "CV2 4"), ("Ansty Road", "Binley Grove", "Stoke Green", "Briton Road", "Swan Lane", "Bramble Street")),
    "Wainbody": (("CV3 6", "CV4 7"), ("Kenilworth Road", "Gibbet Hill Road", "Green Lane", "Finham Green Road", "Wainbody Avenue North", "Stoneleigh Avenue")),
    "Westwood": (("CV4 8", "CV4 9"), ("Tile Hill Lane", "Station Avenue", "Charter Avenue", "Cannon Hill Road", "Westwood Heath Road", "Banner Lane")),
    "Whoberley": (("CV5 8", "CV5 9"), ("Broad Lane", "Whoberley Avenue", "Moseley Avenue", "Allesley Old Road", "Chapelfields Road", "Fletchamstead Highway")),
    "Woodlands": (("CV4 9", "CV5 9"), ("Jardine Crescent", "Sutton Avenue", "Torrington Avenue", "Broad Lane", "Mercer Avenue", "Duggins Lane")),
    "Wyken": (("CV2 3", "CV2 5"), ("Ansty Road", "Wyken Croft", "Hipswell Highway", "Attoxhall Road", "Belgrave Road", "Wyken Grange Road")),
}
CONSTITUENCIES = {  # which MP's office writes for a constituent in each ward (approximate)
    "Coventry North West": ("Bablake", "Holbrook", "Radford", "Sherbourne", "Whoberley", "Woodlands"),
    "Coventry East": ("Binley and Willenhall", "Foleshill", "Henley", "Longford", "Upper Stoke", "Wyken"),
    "Coventry South": ("Cheylesmore", "Earlsdon", "Lower Stoke", "St Michael's", "Wainbody", "Westwood"),
}

# Directorate -> service area -> (share of contacts, typical service requests, typical complaints).
SERVICES: dict[str, dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]]] = {
    "Adults and Housing": {
        "Adult Social Care": (6, (
            "Request for a care needs assessment for {relation}",
            "Asking for a review of {relation}'s care package",
            "Request for a carer's assessment",
            "Referral for a home adaptation (grab rails and stair lift)",
        ), (
            "Home carers repeatedly late or not turning up for {relation}",
            "Financial assessment charged {relation} the wrong contribution",
            "No reply for weeks about {relation}'s care assessment",
            "Hospital discharge arranged without a care package in place",
            "Direct payment suspended without warning",
        )),
        "Housing and Homelessness": (7, (
            "Applying to join the housing register",
            "Homeless from {when}: asking for help",
            "Request to report disrepair in a private rented flat",
            "Asking about the progress of a housing register banding review",
        ), (
            "Temporary accommodation is damp and has mould in the children's bedroom",
            "Housing register banding assessed wrongly",
            "Left in a hotel for months with no update on housing",
            "Officer rude when I presented as homeless",
            "Disrepair reported to the private rented team but no inspection",
        )),
    },
    "Children and Education": {
        "Children's Social Care": (4, (
            "Asking for early help support for the family",
            "Request for information about fostering",
            "Asking for a child and family assessment",
        ), (
            "Social worker changed four times in a year",
            "Assessment contains factual errors about our family",
            "Contact arrangements with my grandchildren cancelled without notice",
            "Not told about the child protection conference in time",
            "Leaving care support not provided as promised",
        )),
        "Education and SEND": (3, (
            "Request for an EHC needs assessment",
            "Application for home to school transport",
            "Asking about the progress of an EHC plan annual review",
        ), (
            "EHC plan issued months after the 20-week deadline",
            "Home to school transport did not turn up",
            "Phone calls to the SEND team not returned",
            "Transport application refused without proper reasons",
        )),
    },
    "City Services": {
        "Waste and Recycling": (22, (
            "Missed bin collection on {street}",
            "Request for a replacement blue-lid recycling bin",
            "Garden waste subscription not started",
            "Bulky waste collection booking",
            "Bin not returned to property after collection",
            "Request for an assisted bin collection",
        ), (
            "Bin missed three weeks running despite reports",
            "Assisted collection not carried out again",
            "Crew left rubbish strewn across {street}",
            "Charged for garden waste collections that never happened",
            "Crew rude when asked about the missed collection",
            "Bin damaged by the lorry and not replaced",
        )),
        "Street Scene and Parks": (8, (
            "Fly-tipping in the alley behind {street}",
            "Overgrown hedge blocking the footpath on {street}",
            "Broken play equipment in the park near {street}",
            "Request for litter bin to be emptied",
            "Graffiti on the underpass near {street}",
        ), (
            "Fly-tipping reported five times and still not cleared",
            "Grass verges on {street} not cut all summer",
            "Tree roots lifting the pavement; council tree not inspected",
            "Park toilets closed without notice",
        )),
        "Highways": (10, (
            "Pothole on {street}",
            "Street light out on {street}",
            "Blocked drain flooding the road on {street}",
            "Request for dropped kerb",
            "Damaged pavement slab on {street}",
        ), (
            "Pothole reported twice damaged my car",
            "Street lights out for six weeks on {street}",
            "Roadworks left unfinished outside my house",
            "Tripped on a broken pavement reported months ago",
            "Resurfacing left the road worse than before",
        )),
        "Parking Services": (6, (
            "Request for a resident parking permit",
            "Car parked across my dropped kerb on {street}",
            "Pay and display machine broken",
            "Request for parking enforcement near the school on {street}",
        ), (
            "Permit application lost and ticketed while waiting",
            "Civil enforcement officer was aggressive",
            "Blue badge renewal took four months",
            "Charged twice for a car park session",
        )),
    },
    "Finance and Resources": {
        "Council Tax": (9, (
            "Change of address for council tax",
            "Asking for a single person discount",
            "Request to set up a direct debit",
            "Query about the council tax bill",
        ), (
            "Summons issued although I had set up a payment plan",
            "Single person discount removed without explanation",
            "Enforcement agent fees added after a council error",
            "Calls about my council tax account never returned",
        )),
        "Benefits": (5, (
            "Council tax support application",
            "Asking about a housing benefit overpayment letter",
            "Request for a discretionary housing payment",
        ), (
            "Housing benefit claim outstanding for three months",
            "Overpayment calculated wrongly",
            "Evidence I sent in twice has been lost",
        )),
        "Customer Services": (5, (
            "Asking how to book an appointment at the Customer Service Centre",
            "Request for a call back",
        ), (
            "Waited over an hour on the phone and was cut off",
            "Online form kept failing and no one answered the e-mail",
            "Staff at the Customer Service Centre were dismissive",
        )),
    },
    "Planning and Regulatory": {
        "Planning and Building Control": (4, (
            "Reporting building work without planning permission on {street}",
            "Asking for pre-application advice",
            "Dangerous structure reported on {street}",
        ), (
            "Planning enforcement complaint ignored for a year",
            "Neighbours not notified about the application",
            "Planning officer gave wrong advice about permitted development",
        )),
        "Environmental Health": (6, (
            "Noise from a neighbouring property at night on {street}",
            "Rats in the back gardens on {street}",
            "Food hygiene concern about a takeaway",
            "Bonfire smoke nuisance",
        ), (
            "Noise nuisance reported for months with no action",
            "Pest control visit missed twice",
            "Food hygiene complaint not followed up",
        )),
        "Licensing": (2, (
            "Taxi driver licence renewal",
            "Objection to a premises licence application",
            "Reporting a taxi plying for hire illegally",
        ), (
            "Private hire licence renewal delayed, unable to work",
            "Late-night venue breaching its licence conditions, no action taken",
        )),
    },
    "Public Health and Communities": {
        "Libraries": (2, (
            "Asking to join the library",
            "Request for a home library service",
            "Book request not arrived",
        ), (
            "Library opening hours cut without consultation",
            "Charged for a book that was returned",
        )),
        "Bereavement Services": (1, (
            "Booking a funeral at the crematorium",
            "Request for a memorial plaque",
        ), (
            "Grave area left untidy and memorials damaged",
            "Wrong name printed on the order of service",
        )),
    },
}
DIRECTOR_NAMES = {
    "Adults and Housing": "Priya Chauhan",
    "Children and Education": "Martin O'Connell",
    "City Services": "Desmond Director",
    "Finance and Resources": "Helen Okafor",
    "Planning and Regulatory": "Graham Whitfield",
    "Public Health and Communities": "Sunita Bains",
}
CONTRACTORS = (  # fictional
    ("Midland Refuse Partnership Ltd", "Waste and Recycling"),
    ("Arden Highways Maintenance Ltd", "Highways"),
    ("Greenway Grounds Services", "Street Scene and Parks"),
    ("CivicPark Enforcement Ltd", "Parking Services"),
    ("Sowe Valley Homecare", "Adult Social Care"),
)

COMPLIMENTS = (
    "Thank you to the crew who collected our bins in the snow",
    "Social worker went above and beyond for our family",
    "Pothole fixed within two days of reporting it",
    "Library staff were so helpful with the online form",
    "Grateful thanks to the carers who looked after my mother",
    "Street cleaning team did a brilliant job after the festival",
    "Housing officer found us a home quickly and kindly",
    "Customer services adviser sorted everything in one call",
)
COMMENTS = (
    "Suggestion: more recycling bins in the city centre",
    "Please publish the bin collection calendar earlier",
    "The website's reporting form is hard to use on a phone",
    "Would like longer library opening hours at weekends",
    "Cycle lanes on {street} need better signs",
    "Park needs more benches for older visitors",
)

FIRST_NAMES = (
    "Oliver", "Amelia", "Jack", "Olivia", "Harry", "Isla", "George", "Ava", "Noah", "Emily", "Charlie",
    "Sophie", "Thomas", "Grace", "James", "Lily", "William", "Freya", "Daniel", "Chloe", "Margaret",
    "Susan", "David", "Linda", "John", "Patricia", "Paul", "Karen", "Mark", "Julie", "Peter", "Janet",
    "Gurpreet", "Harpreet", "Manjit", "Rajinder", "Amrit", "Jaspal", "Sukhwinder", "Priya", "Anil",
    "Ravi", "Meena", "Nisha", "Mohammed", "Aisha", "Fatima", "Imran", "Zainab", "Yusuf", "Bilal",
    "Tomasz", "Agnieszka", "Piotr", "Katarzyna", "Andrei", "Ioana", "Mihai", "Elena", "Chinedu",
    "Ngozi", "Adebayo", "Folake", "Kwame", "Abena", "Tariq", "Hana", "Samir", "Maryam", "Sean",
    "Siobhan", "Liam", "Aoife", "Winston", "Marcia", "Delroy", "Jasmine", "Tendai", "Rutendo",
    "Dawit", "Selam", "Ahmed", "Nadia", "Lucy", "Ben", "Hannah", "Ryan", "Megan", "Kieran", "Jade",
)
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
    "Patel", "Singh", "Kaur", "Sandhu", "Gill", "Dhillon", "Sharma", "Mistry", "Chauhan", "Bains",
    "Khan", "Hussain", "Ahmed", "Ali", "Begum", "Akhtar", "Iqbal", "Kowalski", "Nowak", "Wiśniewski",
    "Lewandowska", "Popescu", "Ionescu", "Okafor", "Adeyemi", "Mensah", "Boateng", "O'Brien", "Murphy",
    "Kelly", "Campbell", "Francis", "Henry", "Moyo", "Tesfaye", "Haile", "Mahmoud", "Hughes", "Edwards",
    "Turner", "Cooper", "Ward", "Morris", "King", "Baker", "Harris", "Lewis", "Young", "Allen", "Mitchell",
)
ORGANISATIONS = (
    "{ward} Residents' Association", "{street} Traders Group", "Friends of {ward} Park",
    "{ward} Tenants and Residents Group", "Coventry Older People's Forum ({ward})",
)
LANGUAGES = (  # (language, share among those not using English)
    ("Punjabi", 22), ("Urdu", 12), ("Polish", 16), ("Romanian", 10), ("Arabic", 9), ("Gujarati", 6),
    ("Tigrinya", 5), ("Kurdish", 5), ("Somali", 4), ("Bengali", 4), ("British Sign Language", 7),
)
ACCESSIBILITY = (
    ("Large print letters (16pt) please", "large_print"),
    ("Registered blind: Braille letters", "braille"),
    ("Audio recordings of letters", "audio"),
    ("Learning disability: Easy Read letters and a support worker at meetings", "easy_read"),
    ("Deaf: BSL interpreter needed for calls and meetings", None),
    ("Wheelchair user: ground-floor meeting rooms only", None),
    ("Dyslexia: prefers a phone call to explain letters", None),
    ("Anxiety: please call before visiting", None),
    ("Hard of hearing: please use e-mail or text, not phone", None),
)
EQUALITY = {
    "age_band": (("16-24", 8), ("25-34", 17), ("35-44", 18), ("45-54", 17), ("55-64", 15), ("65-74", 13), ("75+", 10), ("Prefer not to say", 2)),
    "sex": (("Female", 54), ("Male", 44), ("Prefer not to say", 2)),
    "gender_identity": (("Same as sex registered at birth", 93), ("Different from sex registered at birth", 1), ("Prefer not to say", 6)),
    "ethnicity": (
        ("White: English, Welsh, Scottish, Northern Irish or British", 49), ("White: Irish", 2), ("White: Other", 8),
        ("Asian or Asian British: Indian", 9), ("Asian or Asian British: Pakistani", 5), ("Asian or Asian British: Bangladeshi", 1),
        ("Asian or Asian British: Other", 3), ("Black or Black British: African", 8), ("Black or Black British: Caribbean", 1),
        ("Mixed or multiple ethnic groups", 4), ("Arab", 1), ("Other ethnic group", 2), ("Prefer not to say", 7),
    ),
    "disability": (("Yes", 21), ("No", 70), ("Prefer not to say", 9)),
    "religion": (
        ("Christian", 40), ("No religion", 30), ("Muslim", 10), ("Sikh", 6), ("Hindu", 4), ("Buddhist", 1),
        ("Jewish", 1), ("Other", 1), ("Prefer not to say", 7),
    ),
    "sexual_orientation": (("Heterosexual or straight", 86), ("Gay or lesbian", 2), ("Bisexual", 2), ("Other", 1), ("Prefer not to say", 9)),
}
RELATIONS = ("my mother", "my father", "my son", "my daughter", "my husband", "my wife", "my neighbour", "my brother")
CHANNELS = (  # (channel, share) for contacts from the public
    ("web_form", 34), ("email", 24), ("telephone", 26), ("dedicated_line", 5), ("letter", 5),
    ("in_person", 3), ("social_media", 3),
)


# --- small helpers -----------------------------------------------------------------------------

class _Weighted:
    """A fixed weighted choice, drawn with one random() and a bisect (rng.choices is slower)."""

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        self.cumulative = list(accumulate(float(w) for _, w in pairs))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect_right(self.cumulative, rng.random() * self.total)]


def _postcode(rng: random.Random, sector: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the inward code never uses C, I, K, M, O, V
    return f"{sector}{rng.choice(letters)}{rng.choice(letters)}"


def _email_slug(name: str) -> str:
    out = []
    for ch in name.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in " -":
            out.append(".")
        elif ch == "ś":
            out.append("s")
    return "".join(out).strip(".")


class _Rows:
    """Buffers rows per table and writes them in batches, parents first.

    Each value is converted by SQLAlchemy's own bind processor for its column, so it is
    stored exactly as the ORM would store it, and the batch goes straight to the driver:
    COPY on PostgreSQL, executemany on SQLite. (SQLAlchemy's per-row statement machinery
    costs more than the database does at this volume.) None stays SQL NULL, as when the ORM
    leaves a JSON column unset.
    """

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.buffers: dict = {}
        self.order = list(db.metadata.sorted_tables)
        self.counts: dict[str, int] = {}
        self.dialect = db.session.get_bind().dialect
        self.columns: dict = {}
        self.pending = 0

    def next_id(self, table) -> int:
        return (db.session.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def _columns(self, table):
        columns = self.columns.get(table)
        if columns is None:
            dialect = self.dialect
            columns = self.columns[table] = [
                (c.name, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in table.columns
            ]
        return columns

    def add(self, table, row: dict) -> None:
        values = tuple(
            row[name] if process is None or row[name] is None else process(row[name])
            for name, process in self._columns(table)
        )
        buffer = self.buffers.get(table)
        if buffer is None:
            buffer = self.buffers[table] = []
        buffer.append(values)
        self.pending += 1
        if self.pending >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        connection = db.session.connection()
        quote = self.dialect.identifier_preparer.quote
        for table in self.order:
            rows = self.buffers.get(table)
            if not rows:
                continue
            names = ", ".join(quote(name) for name, _ in self._columns(table))
            if self.dialect.name == "postgresql":
                with connection.connection.dbapi_connection.cursor() as cursor:
                    with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            else:
                marker = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": "?"}.get(self.dialect.paramstyle, "?")
                placeholders = ", ".join([marker] * len(rows[0]))
                connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({placeholders})", rows)
            self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
            self.buffers[table] = []
        self.pending = 0


# --- the council: wards, directorates, service areas, contractors, users ----------------------

@dataclass
class _Org:
    ward_ids: dict[str, int] = field(default_factory=dict)
    area_ids: dict[str, int] = field(default_factory=dict)
    contractor_by_area: dict[int, int] = field(default_factory=dict)
    officers_by_area: dict[int, list[int]] = field(default_factory=dict)
    councillors_by_ward: dict[int, list[int]] = field(default_factory=dict)
    by_role: dict[str, list[int]] = field(default_factory=dict)
    email: dict[int, str] = field(default_factory=dict)
    role: dict[int, str] = field(default_factory=dict)
    users_created: int = 0


def _existing_ids(table, names) -> dict[str, int]:
    rows = db.session.execute(select(table.c.id, table.c.name).where(func.lower(table.c.name).in_([n.lower() for n in names])))
    found = {name.lower(): id_ for id_, name in rows}
    return {n: found[n.lower()] for n in names if n.lower() in found}


def _ensure_named(table, names, extra=lambda name: {}) -> dict[str, int]:
    """Ids for these names, inserting the ones the database does not have yet."""
    ids = _existing_ids(table, names)
    missing = [n for n in names if n not in ids]
    if missing:
        next_id = (db.session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        rows = []
        for offset, name in enumerate(missing):
            rows.append({"id": next_id + offset, "name": name, **extra(name)})
            ids[name] = next_id + offset
        db.session.execute(insert(table), rows)
    return ids


def _load_org(rng: random.Random, password_hash: str, now: datetime) -> _Org:
    org = _Org()
    org.ward_ids = _ensure_named(Ward.__table__, list(WARDS), lambda name: {"code": None})
    directorate_ids = _ensure_named(Directorate.__table__, list(SERVICES))
    area_directorate = {area: directorate for directorate, areas in SERVICES.items() for area in areas}
    org.area_ids = _ensure_named(
        ServiceArea.__table__, list(area_directorate),
        lambda name: {"directorate_id": directorate_ids[area_directorate[name]], "manager_id": None},
    )
    contractor_table = Contractor.__table__
    contractor_ids = _ensure_named(
        contractor_table, [name for name, _ in CONTRACTORS],
        lambda name: {
            "service_area_id": org.area_ids[dict(CONTRACTORS)[name]],
            "email": f"complaints@{_email_slug(name).replace('.', '-')}.example.com",
        },
    )
    for name, area in CONTRACTORS:
        org.contractor_by_area[org.area_ids[area]] = contractor_ids[name]

    # Users: reuse any with the same e-mail (a second demo run adds cases, not users).
    users = User.__table__
    existing = {e.lower(): (i, r) for i, e, r in db.session.execute(select(users.c.id, users.c.email, users.c.role))}
    next_id = (db.session.execute(select(func.max(users.c.id))).scalar() or 0) + 1
    new_rows: list[dict] = []
    ward_links: list[dict] = []
    used_emails = set(existing)

    def add_user(email: str | None, role: str, name: str, area: str | None = None, wards=()) -> int:
        nonlocal next_id
        if email is None:
            base = f"{_email_slug(name.removeprefix('Cllr '))}"
            base = ("cllr." + base) if role == "councillor" else base
            email, n = f"{base}@{DEMO_DOMAIN}", 2
            while email in used_emails:
                email, n = f"{base}{n}@{DEMO_DOMAIN}", n + 1
        email = email.lower()
        if email in existing:
            user_id, role = existing[email]
        else:
            user_id = next_id
            next_id += 1
            new_rows.append({
                "id": user_id, "email": email, "name": name, "role": role, "password_hash": password_hash,
                "is_active_user": True, "service_area_id": org.area_ids[area] if area else None,
                "failed_logins": 0, "locked_until": None, "created_at": now,
            })
            ward_links.extend({"user_id": user_id, "ward_id": org.ward_ids[w]} for w in wards)
        used_emails.add(email)
        org.email[user_id] = email
        org.role[user_id] = role
        org.by_role.setdefault(role, []).append(user_id)
        if role == "councillor":
            for w in wards:
                org.councillors_by_ward.setdefault(org.ward_ids[w], []).append(user_id)
        if area and role == "investigating_officer":
            org.officers_by_area.setdefault(org.area_ids[area], []).append(user_id)
        return user_id

    def person_name() -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    for email, role, name in DEMO_USERS:
        add_user(
            email, role, name,
            area=DEMO_OFFICER_AREA if role == "investigating_officer" else None,
            wards=DEMO_COUNCILLOR_WARDS if role == "councillor" else (),
        )
    for _ in range(4):
        add_user(None, "resident_experience", person_name())
    for _ in range(3):
        add_user(None, "service_recovery", person_name())
    for directorate in SERVICES:
        if directorate != DEMO_DIRECTOR_DIRECTORATE:
            add_user(None, "director", DIRECTOR_NAMES[directorate])
    managers: dict[str, int] = {}
    for area, (share, _, _) in ((a, v) for areas in SERVICES.values() for a, v in areas.items()):
        managers[area] = add_user(None, "investigating_officer", person_name(), area=area)
        for _ in range(2 + int(share >= 5) + int(share >= 10)):
            add_user(None, "investigating_officer", person_name(), area=area)
    for ward in WARDS:  # three councillors a ward; councillor@ holds one seat in two wards
        seats = 3 - (1 if ward in DEMO_COUNCILLOR_WARDS else 0)
        for _ in range(seats):
            add_user(None, "councillor", "Cllr " + person_name(), wards=(ward,))

    if new_rows:
        db.session.execute(insert(users), new_rows)
    if ward_links:
        db.session.execute(insert(user_wards), ward_links)
    org.users_created = len(new_rows)
    areas = ServiceArea.__table__
    for area, manager_id in managers.items():
        db.session.execute(
            update(areas).where(areas.c.id == org.area_ids[area], areas.c.manager_id.is_(None)).values(manager_id=manager_id)
        )
    return org


# --- people ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Someone:
    id: int
    ward: str
    ward_id: int
    street: str
    name: str


class _People:
    """Residents (and a few organisations), created as cases need them."""

    CONTACT = _Weighted((("email", 45), ("telephone", 30), ("letter", 17), ("text_message", 8)))
    LANGUAGE = _Weighted(LANGUAGES)
    EQUALITY = {key: _Weighted(pairs) for key, pairs in EQUALITY.items()}

    def __init__(self, rng: random.Random, rows: _Rows, org: _Org, now: datetime):
        self.rng = rng
        self.rows = rows
        self.org = org
        self.now = now
        self.next_id = rows.next_id(Person.__table__)
        self.people: list[_Someone] = []
        self.ward_names = list(WARDS)
        # Central and inner-city wards contact the council more often.
        self.ward_weights = list(accumulate(
            {"St Michael's": 1.6, "Foleshill": 1.4, "Radford": 1.2, "Lower Stoke": 1.2, "Upper Stoke": 1.2,
             "Henley": 1.2, "Longford": 1.1, "Binley and Willenhall": 1.1}.get(w, 1.0) for w in self.ward_names
        ))

    def new(self, *, organisation: bool = False, adult: bool = True) -> _Someone:
        rng = self.rng
        ward = self.ward_names[bisect_right(self.ward_weights, rng.random() * self.ward_weights[-1])]
        sectors, streets = WARDS[ward]
        street = rng.choice(streets)
        person_id = self.next_id
        self.next_id += 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if organisation:
            name = rng.choice(ORGANISATIONS).format(ward=ward, street=street)
        else:
            name = f"{first} {last}"
        email = None
        if organisation or rng.random() < 0.72:
            local = _email_slug(name) if organisation else f"{_email_slug(first)}.{_email_slug(last)}"
            email = f"{local}{person_id % 997}@example.{rng.choice(('com', 'org', 'net'))}"
        phone = None
        if rng.random() < 0.8:
            phone = f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.7 else f"01632 960{rng.randrange(1000):03d}"
        method = self.CONTACT(rng)
        if method == "email" and email is None:
            method = "letter"
        if method in ("telephone", "text_message") and phone is None:
            method = "letter" if email is None else "email"
        preferred_format = accessibility = language = None
        interpreter = False
        if not organisation:
            if rng.random() < 0.09:
                accessibility, preferred_format = rng.choice(ACCESSIBILITY)
            if rng.random() < 0.07:
                language = self.LANGUAGE(rng)
                interpreter = rng.random() < 0.65
                if language == "British Sign Language":
                    interpreter = True
                    accessibility = accessibility or "Deaf: BSL interpreter needed for calls and meetings"
                elif interpreter and preferred_format is None and rng.random() < 0.5:
                    preferred_format = "translation"
        house = rng.randrange(1, 240) if not organisation or rng.random() < 0.5 else None
        address = (f"{house} {street}" if house else f"c/o {street} Community Centre, {street}") + "\nCoventry"
        created = self.now - timedelta(days=rng.randrange(760, 2400))
        self.rows.add(Person.__table__, {
            "id": person_id, "name": name, "email": email, "phone": phone, "address": address,
            "postcode": _postcode(rng, rng.choice(sectors)), "ward_id": self.org.ward_ids[ward],
            "preferred_contact_method": method, "preferred_format": preferred_format,
            "accessibility_needs": accessibility, "language": language, "interpreter_needed": interpreter,
            "is_organisation": organisation, "created_at": created,
        })
        if not organisation and rng.random() < 0.18:  # equality monitoring is voluntary (004 §5.4)
            declined = rng.random() < 0.2
            self.rows.add(EqualityMonitoring.__table__, {
                "person_id": person_id, "declined": declined,
                **{key: (None if declined else pick(rng)) for key, pick in self.EQUALITY.items()},
                "recorded_at": created,
            })
        someone = _Someone(person_id, ward, self.org.ward_ids[ward], street, name)
        self.people.append(someone)
        return someone

    def pick(self) -> _Someone:
        """A resident for the next contact: mostly someone new, sometimes a repeat contact."""
        rng = self.rng
        if self.people and rng.random() < 0.27:
            # A skewed choice: a few people contact the council again and again.
            return self.people[int(len(self.people) * rng.random() ** 2.5)]
        return self.new(organisation=rng.random() < 0.012)


# --- driving one case through the policy engine --------------------------------------------------

class _Stop(Exception):
    """The next action would be after "now": the case stays where it is."""


def _jsonable(value):
    """As operations.cases stores JSON: dates as ISO text, Decimals as strings."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


_CLOCK_EVENT_KEYS = ("due_on", "met_on", "stopped_on", "paused_since")
# A clock row holds the engine's ClockState field for field (extensions and pauses as JSON).
_CLOCK_COLUMNS = tuple(c.name for c in Clock.__table__.columns if c.name not in ("id", "case_id", "name"))


class _Run:
    """One case from receipt to its last action before now, kept as the rows the app writes.

    Mirrors operations.cases.open_case / take_action / _apply_transition / _write_clocks
    column for column (tests/test_demo.py replays demo cases through them to prove it).
    """

    def __init__(self, ctx: "_Context", policy, *, kind: str, received_at: datetime, case_row: dict, opened_by: int | None):
        self.ctx = ctx
        self.policy = policy
        self.kind = kind
        self.case = case_row
        self.clock_rows: dict[str, dict] = {}
        self.events: list[dict] = []
        self.last_at = received_at
        transition = engine.open_case(policy, received_at, ctx.calendar)
        self.snap = engine.CaseSnapshot(
            state=transition.new_state, received_at=received_at,
            deemed_received_on=transition.deemed_received_on, clocks=(), paused_since=None,
        )
        case_row.update(
            kind=kind, procedure=policy.key, policy_version=policy.version, received_at=received_at,
            deemed_received_on=transition.deemed_received_on, is_open=True, closed_at=None,
            created_at=received_at, version=1, paused_since=None,
        )
        ctx.pin(policy)
        self._apply(policy, transition, received_at)
        self.events.append(self._event(
            "open", received_at, opened_by, None,
            {
                "reference": case_row["reference"], "kind": kind, "procedure": policy.key,
                "policy_version": policy.version, "deemed_received_on": transition.deemed_received_on.isoformat(),
                "clocks": [{"name": c.name, "due_on": c.due_on.isoformat()} for c in transition.clocks],
            },
        ))

    # -- time -------------------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.snap.state

    @property
    def last_on(self) -> date:
        return london_date(self.last_at)

    def clock(self, name: str):
        return self.snap.clock(name)

    def day(self, working_days: int, base: date | None = None) -> date:
        return self.ctx.calendar.add_working_days(base or self.last_on, working_days)

    def at(self, day: date) -> datetime:
        """A plausible office-hours time on `day` after the last action; _Stop if after now."""
        rng = self.ctx.rng
        if day < self.last_on:
            day = self.last_on
        minutes = rng.randrange(8 * 60 + 30, 17 * 60 + 15)
        when = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, rng.randrange(60), tzinfo=LONDON).astimezone(UTC)
        if when <= self.last_at:
            when = self.last_at + timedelta(minutes=rng.randrange(5, 90))
        if when > self.ctx.now:
            raise _Stop
        return when

    # -- actions ----------------------------------------------------------------------------

    def do(self, action: str, day: date, fields: dict | None = None, actor: int | None = None) -> bool:
        """Take `action` on `day` (as a user allowed to); False if the engine refuses it."""
        at = self.at(day)
        policy = self.policy
        variant = policy.find_action(action, self.snap.state)
        if variant is None:
            return False
        actor = actor or self.ctx.actor_for(variant.roles, self.case)
        roles = {self.ctx.org.role[actor]}
        fields = dict(fields or {})
        self.ctx.fill_required(policy, variant, fields, at)
        try:
            if variant.operation == "switch_procedure":
                new_policy = self.ctx.policies[fields["procedure"]]
                transition = engine.switch_procedure(
                    policy, new_policy, self.snap, action, fields, at, roles, self.ctx.calendar_for(new_policy),
                )
            else:
                transition = engine.apply_action(policy, self.snap, action, fields, at, roles, self.ctx.calendar_for(policy))
        except engine.ActionRefused as refused:
            self.ctx.refusals[(policy.key, action, refused.code)] = self.ctx.refusals.get((policy.key, action, refused.code), 0) + 1
            return False
        from_state = self.snap.state
        if transition.switch_to:
            policy = self.policy = self.ctx.policies[transition.switch_to]
            self.ctx.pin(policy)
            self.case["procedure"] = policy.key
            self.case["policy_version"] = policy.version
        changes = self._apply(policy, transition, at)
        data = dict(transition.event_data or {})
        if changes:
            data["clocks"] = changes
        if transition.effects:
            data["effects"] = [asdict(e) if hasattr(e, "__dataclass_fields__") else e for e in transition.effects]
        self.case["version"] += 1
        self.events.append(self._event(action, at, actor, from_state, data))
        self.last_at = at
        return True

    def _apply(self, policy, transition, at: datetime) -> list[dict]:
        """operations.cases._apply_transition and _write_clocks, on plain dicts."""
        case = self.case
        changes = []
        previous = {c.name: c for c in self.snap.clocks}
        for state in transition.clocks:
            if previous.get(state.name) is state:
                continue  # the engine hands back an unchanged clock as the same object
            values = {name: getattr(state, name) for name in _CLOCK_COLUMNS}
            values["extensions"] = [_jsonable(asdict(e)) for e in state.extensions] if state.extensions else []
            values["pauses"] = [_jsonable(asdict(p)) for p in state.pauses] if state.pauses else []
            row = self.clock_rows.get(state.name)
            if row is None:
                self.clock_rows[state.name] = values
                changes.append({"clock": state.name, "change": "started", "due_on": state.due_on.isoformat()})
                continue
            changed = {k: _jsonable(v) for k, v in values.items() if row[k] != v}
            if changed:
                row.update(values)
                changes.append({"clock": state.name, "change": "updated", **{k: changed[k] for k in changed if k in _CLOCK_EVENT_KEYS}})
        case["state"] = transition.new_state
        state = policy.states[transition.new_state]
        case["stage"] = state.stage
        case["paused_since"] = transition.paused_since
        details = case["details"]
        for key, value in (transition.case_updates or {}).items():
            if key == "outcome":
                case["outcome"] = value
            elif key in ("summary", "outcome_summary"):
                case["outcome_summary"] = value
            elif key == "remedies":
                case["remedies"] = _jsonable(value if isinstance(value, list) else [value])
            elif key == "compensation":
                case["compensation"] = Decimal(str(value)) if value not in (None, "") else None
            elif key == "lessons_learned":
                case["lessons_learned"] = value
            elif key in ("reason", "closure_reason"):
                case["closure_reason"] = value
            else:
                details = dict(details)
                details[key] = _jsonable(value)
        case["details"] = details
        running = [c.due_on for c in transition.clocks if c.kind == "deadline" and c.met_on is None and c.stopped_on is None]
        case["next_due_on"] = min(running) if running else None
        was_open = case["is_open"]
        case["is_open"] = not state.final
        if was_open and not case["is_open"]:
            case["closed_at"] = at
        elif case["is_open"]:
            case["closed_at"] = None
        case["updated_at"] = at
        # The snapshot the next action sees: what operations.cases.snapshot() would read back
        # (clocks in the order their rows were first written).
        by_name = {c.name: c for c in transition.clocks}
        order = list(self.clock_rows)
        self.snap = engine.CaseSnapshot(
            state=transition.new_state,
            received_at=self.snap.received_at,
            deemed_received_on=self.snap.deemed_received_on,
            clocks=tuple(by_name[n] for n in order if n in by_name),
            paused_since=transition.paused_since,
        )
        return changes

    def _event(self, action: str, at: datetime, actor: int | None, from_state, data: dict) -> dict:
        return {
            "at": at, "recorded_at": at, "actor_id": actor,
            "actor": self.ctx.org.email[actor] if actor is not None else "system",
            "action": action, "from_state": from_state, "to_state": self.case["state"], "data": data,
        }


# --- what people write ---------------------------------------------------------------------------

RESPONSES = {
    "upheld": (
        "We agree the service fell short of the standard you should expect. We apologise and have put it right.",
        "Our records confirm the problem was reported and not dealt with in time. We are sorry; the work has now been done.",
        "You were given the wrong information by our staff. We apologise and have corrected your account.",
    ),
    "partially_upheld": (
        "Some of your concerns are justified: we should have kept you informed. Other points were handled in line with policy.",
        "We accept the delay was too long, although the decision itself was correct under the council's policy.",
        "We agree the communication was poor, but the service was provided as the policy requires.",
    ),
    "not_upheld": (
        "Having reviewed the records and spoken to the officers involved, we found the service acted in line with policy.",
        "We are sorry you are unhappy, but the decision was made correctly and the reasons are explained in this letter.",
        "The evidence shows the service was provided as scheduled; we have explained what happened on each date.",
    ),
}
LESSONS = (
    "Supervisors now call back any resident reporting the same problem a second time.",
    "Crew briefings updated so assisted collections are checked off on the round sheet.",
    "Template letters rewritten in plain English and tested with residents.",
    "Case notes must record every returned call within 2 working days.",
    "Team manager reviews overdue jobs weekly.",
    "Training on reasonable adjustments for front-line staff.",
    "Contractor reminded of the contract's response times; performance monitored monthly.",
    "Process map updated so referrals are not lost between teams.",
)
INFORMAL_RESOLUTIONS = (
    "Called the resident; the service has rebooked the visit for this week.",
    "Explained the policy and what will happen next; the resident is content.",
    "Arranged for the missed service to be carried out the next day; resident satisfied.",
    "Passed to the team leader who sorted it the same day and called the resident.",
    "Apologised for the delay and confirmed the date in writing.",
)
PAUSE_REASONS = (
    "Waiting for the complainant's signed consent form",
    "Waiting for photographs and documents from the complainant",
    "Complainant in hospital; asked us to wait",
    "Waiting for the complainant to confirm the points of complaint",
)
EXTENSION_REASONS = (
    "Complex complaint involving two services; more time needed to interview staff",
    "Key officer on leave; records being retrieved from archive",
    "Translation of the complainant's documents needed",
    "Waiting for the contractor's report",
)
WITHDRAW_REASONS = (
    "Resident phoned to say the problem is now sorted and they no longer wish to complain",
    "Complainant withdrew in writing: dealt with through the service directly",
    "Complainant asked to withdraw after the service's call back",
)
GROUNDS_DETAIL = (
    "The complainant says the photographs they sent were not looked at.",
    "The complainant says the response did not follow the published procedure.",
    "The complainant believes the eligibility policy was applied wrongly.",
)
COMPENSATION = (25, 50, 50, 75, 100, 100, 150, 200, 250, 300, 500, 750, 1000, 1500)


# --- the shared context of a load ------------------------------------------------------------------

class _Context:
    ROLE_ORDER = ("service_recovery", "resident_experience", "investigating_officer", "director", "admin", "councillor")

    def __init__(self, rng: random.Random, now: datetime, org: _Org, policies: dict, calendar_for: Callable):
        self.rng = rng
        self.now = now
        self.org = org
        self.policies = policies
        self._calendar_for = calendar_for
        self._calendars: dict[str, object] = {}
        self.calendar = calendar_for(policies.get("corporate") or next(iter(policies.values())))
        self.pinned: dict[tuple[str, str], datetime] = {}
        self.refusals: dict = {}

    def calendar_for(self, policy):
        calendar = self._calendars.get(policy.key)
        if calendar is None:
            calendar = self._calendars[policy.key] = self._calendar_for(policy)
        return calendar

    def pin(self, policy) -> None:
        self.pinned.setdefault((policy.key, policy.version), self.now)

    def actor_for(self, roles, case: dict) -> int:
        assignee = case.get("assignee_id")
        if assignee is not None and self.org.role[assignee] in roles:
            return assignee
        for role in self.ROLE_ORDER:
            if role in roles:
                if role == "councillor" and case.get("raised_by_id"):
                    return case["raised_by_id"]
                if role == "investigating_officer" and case.get("service_area_id") in self.org.officers_by_area:
                    return self.rng.choice(self.org.officers_by_area[case["service_area_id"]])
                return self.rng.choice(self.org.by_role[role])
        return self.org.by_role["admin"][0]

    def options(self, policy, f) -> list[str]:
        options = f.options or (policy.lists.get(f.options_from, ()) if f.options_from else ())
        return [o.value for o in options]

    def fill_required(self, policy, variant, fields: dict, at: datetime) -> None:
        """Give any required field the scenario did not think of a plausible value."""
        rng = self.rng
        for f in variant.fields:
            if not f.required or fields.get(f.name) not in (None, "", []):
                continue
            if f.type == "choice":
                values = self.options(policy, f)
                pick = rng.choice(values) if values else ""
                fields[f.name] = [pick] if f.multiple else pick
            elif f.type == "date":
                fields[f.name] = self.calendar.add_working_days(london_date(at), 10)
            elif f.type == "integer":
                fields[f.name] = int(f.min or 1)
            elif f.type == "money":
                fields[f.name] = "0.00"
            elif f.type == "boolean":
                fields[f.name] = False
            else:
                fields[f.name] = f"{f.label}: see the case notes."

    def choose(self, policy, variant_name: str, state: str, field_name: str, weights: dict | None = None):
        variant = policy.find_action(variant_name, state)
        if variant is None:
            return None
        f = variant.field(field_name)
        if f is None:
            return None
        values = self.options(policy, f)
        if not values:
            return None
        weights = weights or {}
        return self.rng.choices(values, [weights.get(v, 1.0) for v in values])[0]


# --- scenarios: what happens to each kind of case --------------------------------------------------

_OUTCOME_WEIGHTS = {1: (25, 30, 45), 2: (15, 25, 60), 3: (20, 25, 55)}
_DECLINE_WEIGHTS = {
    "service_request": 30, "out_of_time": 12, "council_policy": 10, "appeal_outcome": 10, "schools": 8,
    "legal_action": 6, "data_protection_foi": 6, "councillor_conduct": 4, "employment": 3, "vexatious": 3,
    "representative_not_authorised": 3, "ombudsman_decided": 2, "recruitment": 2, "hate_crime": 1, "licensing_appeal": 2,
}


def _stage_number(state: str) -> int:
    digits = "".join(ch for ch in state if ch.isdigit())
    return int(digits) if digits else 1


def _response_fields(run: _Run, stage: int, day: date) -> dict:
    rng = run.ctx.rng
    outcome = rng.choices(("upheld", "partially_upheld", "not_upheld"), _OUTCOME_WEIGHTS.get(stage, _OUTCOME_WEIGHTS[1]))[0]
    fields: dict = {"outcome": outcome, "summary": rng.choice(RESPONSES[outcome])}
    if outcome == "not_upheld":
        if rng.random() < 0.4:
            fields["remedies"] = ["explanation"]
        return fields
    remedies = ["apology"]
    remedies += rng.sample(("explanation", "service_provided", "put_right"), rng.choice((1, 1, 2)))
    if rng.random() < (0.3 if outcome == "upheld" else 0.12):
        fields["compensation"] = f"{rng.choice(COMPENSATION)}.00"
        remedies.append("financial")
    fields["remedies"] = remedies
    if "service_provided" in remedies or "put_right" in remedies:
        fields["remedy_due_on"] = run.day(rng.choice((5, 10, 10, 15, 20)), day)
    if rng.random() < 0.7:
        fields["lessons_learned"] = rng.choice(LESSONS)
    return fields


def _informal(run: _Run, plan: "_Plan") -> bool:
    ctx, rng, policy, state = run.ctx, run.ctx.rng, run.policy, run.state
    deemed = run.snap.deemed_received_on
    social = policy.key in ("adults", "childrens")
    r = rng.random()
    resolve_share = 0.25 if social else 0.42
    if r < 0.03 and policy.find_action("switch_procedure", state):
        target = _switch_target(run, plan)
        if target and run.do("switch_procedure", run.day(rng.randint(0, 3), deemed), {
            "procedure": target, "reason": "The complaint is about social care: the statutory procedure applies (004 §10.5).",
        }):
            return True
        r = 0.5
    if r < 0.06:
        return run.do("withdraw", run.day(rng.randint(0, 4), deemed), {"reason": rng.choice(WITHDRAW_REASONS)})
    if r < 0.12:
        reason = ctx.choose(policy, "decline", state, "reason", _DECLINE_WEIGHTS)
        return run.do("decline", run.day(rng.randint(0, 3), deemed), {
            "reason": reason, "details": "We have explained why and where to go instead.",
        })
    if r < 0.12 + resolve_share:
        return run.do("resolve_informally", run.day(rng.choice((0, 1, 1, 2, 2, 3, 3, 3, 4, 6)), deemed), {
            "summary": rng.choice(INFORMAL_RESOLUTIONS),
        })
    if plan.neglect and rng.random() < 0.3:
        return False
    fields = {
        "reason": ctx.choose(policy, "start_stage1", state, "reason", {"not_resolved": 5, "not_appropriate": 3, "resident_insists": 2}),
        "consent_obtained": True, "advocacy_offered": rng.random() < 0.5, "live_court_proceedings": False,
    }
    day = run.day(rng.choice((0, 0, 1, 1, 2, 3, 4)), deemed)
    if policy.key == "childrens" and rng.random() < 0.04:
        # Live court proceedings: the statutory procedure cannot investigate (004 App 1 ¶1).
        if not run.do("start_stage1", day, {**fields, "live_court_proceedings": True}):
            return run.do("decline", day, {"reason": "legal_action", "details": "Care proceedings are live; raise this in court."})
    return run.do("start_stage1", day, fields)


def _switch_target(run: _Run, plan: "_Plan") -> str | None:
    variant = run.policy.find_action("switch_procedure", run.state)
    f = variant.field("procedure") if variant else None
    values = [v for v in run.ctx.options(run.policy, f) if v != run.policy.key and v in run.ctx.policies] if f else []
    if not values:
        return None
    preferred = {"Adult Social Care": "adults", "Children's Social Care": "childrens"}.get(plan.area_name)
    return preferred if preferred in values else (None if run.policy.key == "corporate" else run.ctx.rng.choice(values))


def _in_stage(run: _Run, plan: "_Plan") -> bool:
    ctx, rng, policy, state = run.ctx, run.ctx.rng, run.policy, run.state
    n = _stage_number(state)
    done = plan.done
    ack = run.clock(f"stage{n}.acknowledge")
    respond_clock = run.clock(f"stage{n}.respond")
    start = (respond_clock or ack).started_on if (respond_clock or ack) else run.last_on
    if ack is not None and ack.is_running and ("ack", n) not in done:
        done.add(("ack", n))
        if rng.random() < 0.95:
            delay = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 3, 4, 6))
            fields = {"handled_by": f"{ctx.org.email[plan.assignee_id]} will investigate." if plan.assignee_id else "The service manager"}
            if n == 3:
                fields["panel_date"] = run.day(rng.randint(15, 25), start)
            if run.do("acknowledge", run.day(delay, ack.started_on), fields):
                return True
    if respond_clock is None:  # e.g. the Code's Stage 1 clock starts at acknowledgement
        respond_clock = run.clock(f"stage{n}.respond")
    if ("decline", n) not in done and n == 1:
        done.add(("decline", n))
        if rng.random() < 0.012 and policy.find_action("decline", state):
            return run.do("decline", run.day(rng.randint(1, 5)), {
                "reason": ctx.choose(policy, "decline", state, "reason", _DECLINE_WEIGHTS),
                "details": "On investigation the matter is outside the complaints procedure.",
            })
    if ("withdraw", n) not in done:
        done.add(("withdraw", n))
        if rng.random() < 0.025:
            return run.do("withdraw", run.day(rng.randint(1, 8)), {"reason": rng.choice(WITHDRAW_REASONS)})
    if ("pause", n) not in done and policy.find_action("pause", state):
        done.add(("pause", n))
        if rng.random() < 0.06 and run.do("pause", run.day(rng.randint(1, 4)), {"reason": rng.choice(PAUSE_REASONS)}):
            if plan.neglect and rng.random() < 0.5:
                return False  # still waiting, months later
            run.do("resume", run.day(rng.randint(3, 15)), {"reason": "Received what we were waiting for"})
            return True
    if n == 3 and policy.find_action("record_panel", state):
        if ("panel", n) not in done:
            done.add(("panel", n))
            run.do("record_panel", run.day(rng.randint(8, 18), start), {
                "panel_members": "Independent chair and two independent members", "note": "Panel hearing held",
            })
            if run.do("receive_panel_report", run.day(rng.randint(2, 6)), {"findings": "The panel's findings and recommendations are attached."}):
                return True
    respond_clock = run.clock(f"stage{n}.respond") or respond_clock
    if plan.neglect:
        return False
    if respond_clock is not None and respond_clock.is_running and ("extend", n) not in done:
        done.add(("extend", n))
        definition = policy.clocks.get(respond_clock.name)
        r = rng.random()
        before_due = run.day(-rng.randint(0, 3), respond_clock.due_on) if respond_clock.due_on > run.last_on else run.last_on
        before_due = max(before_due, run.last_on)
        if r < 0.10 and definition is not None and definition.extension_cap and policy.find_action("extend", state):
            days = rng.randint(min(respond_clock.days + 3, definition.extension_cap), definition.extension_cap)
            if days > respond_clock.days and run.do("extend", before_due, {"days": days, "reason": rng.choice(EXTENSION_REASONS)}):
                return True
        elif r < 0.14 and policy.find_action("holding_reply", state):
            limit = ctx.calendar.add_working_days(respond_clock.started_on, definition.extension_cap) if definition and definition.extension_cap else None
            new_due = run.day(rng.randint(3, 10), respond_clock.due_on)
            if limit is not None and new_due > limit:
                new_due = limit
            if new_due > respond_clock.due_on and new_due > before_due:
                if run.do("holding_reply", before_due, {"due_on": new_due, "reason": "Interim reply: enquiries with the service are continuing."}):
                    return True
    due = respond_clock.due_on if respond_clock is not None and respond_clock.is_running else run.day(10, start)
    if rng.random() < 0.84:
        day = max(run.last_on, run.day(-rng.choice((0, 0, 1, 1, 2, 3, 4, 6)), due) if due > run.last_on else run.last_on)
    else:
        day = run.day(rng.choice((1, 1, 2, 3, 5, 8, 12)), due)
    actor = None
    if n >= 2:
        actor = plan.manager_id if n == 2 and rng.random() < 0.6 else rng.choice(ctx.org.by_role["director"])
        variant = policy.find_action("respond", state)
        if variant is not None and ctx.org.role.get(actor) not in variant.roles:
            actor = None
    return run.do("respond", day, _response_fields(run, n, day), actor=actor)


def _responded(run: _Run, plan: "_Plan") -> bool:
    ctx, rng, policy, state = run.ctx, run.ctx.rng, run.policy, run.state
    n = _stage_number(state)
    window = run.clock(f"stage{n}.escalation_window")
    responded_on = run.last_on
    escalate = policy.find_action("escalate", state)
    p_escalate = ({1: 0.2, 2: 0.12}.get(n, 0.0) if escalate else 0.0)
    r = rng.random()
    if r < p_escalate:
        fields = {
            "grounds": rng.sample([v for v in ctx.options(policy, escalate.field("grounds"))], rng.choice((1, 1, 2)))
            if escalate.field("grounds") is not None and escalate.field("grounds").type == "choice" else "Still unhappy with the response",
            "grounds_detail": rng.choice(GROUNDS_DETAIL),
            "reason": "Still unhappy with the outcome and the remedy offered",
            "investigating_officer": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (independent investigating officer)",
            "independent_person": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        }
        base = window.started_on if window is not None else responded_on
        if window is not None and rng.random() < 0.07:
            day = run.day(rng.randint(2, 15), window.due_on)
            fields["discretion_reason"] = "The complainant was in hospital during the window"
        else:
            day = run.day(rng.randint(1, 18), base)
        return run.do("escalate", day, fields)
    if policy.find_action("further_response", state) and ("further", n) not in plan.done and rng.random() < 0.08:
        plan.done.add(("further", n))
        return run.do("further_response", run.day(rng.randint(5, 20)), {"summary": "Service Recovery Team answered further concerns."})
    if r < p_escalate + (0.06 if not escalate else 0.01) and policy.find_action("refer_to_lgsco", state):
        referred = run.do("refer_to_lgsco", run.day(rng.randint(10, 60), responded_on), {
            "lgsco_reference": f"{london_date(run.last_at).year % 100:02d} {rng.randint(1, 20):03d} {rng.randint(100, 999)}",
            "note": "The Ombudsman has told us the complainant has asked it to look at this.",
        })
        if referred and "lgsco" in ctx.policies and rng.random() < 0.8:
            _spawn(run, plan, "lgsco", days=rng.randint(5, 40))
        return referred
    if r > 0.97 and policy.find_action("resolve_informally", state):
        return run.do("resolve_informally", run.day(rng.randint(2, 10), responded_on), {"summary": rng.choice(INFORMAL_RESOLUTIONS)})
    close_from = window.due_on if window is not None else run.day(20, responded_on)
    return run.do("close", run.day(rng.randint(1, 8), close_from), {"reason": "No further contact within the escalation window."})


def _drive_complaint(run: _Run, plan: "_Plan") -> None:
    for _ in range(40):
        if not run.case["is_open"]:
            return
        state = run.state
        if state == "informal":
            moved = _informal(run, plan)
        elif state.endswith("_responded"):
            moved = _responded(run, plan)
        elif state.startswith("stage"):
            moved = _in_stage(run, plan)
        else:
            moved = _wander(run, plan)
        if not moved:
            return


def _wander(run: _Run, plan: "_Plan", prefer=(), avoid=("withdraw", "switch_procedure", "decline")) -> bool:
    """A fallback for procedures without a scenario: a plausible next action from the policy."""
    rng = run.ctx.rng
    names = engine.available_actions(run.policy, run.snap, set(run.ctx.ROLE_ORDER))
    names = [n for n in names if n not in avoid and n not in ("pause", "resume", "extend", "holding_reply")]
    if not names:
        return False
    for name in prefer:
        if name in names:
            break
    else:
        name = rng.choice(names)
    return run.do(name, run.day(rng.choice((0, 1, 2, 3, 5))), {})


def _spawn(run: _Run, plan: "_Plan", procedure: str, after: datetime | None = None, days: int = 0) -> None:
    """A linked case this one leads to (a complaint about a request, an Ombudsman case...)."""
    rng = run.ctx.rng
    when = (after or run.last_at) + timedelta(days=days, minutes=rng.randint(1, 30))
    if days:
        local = when.astimezone(LONDON)
        day = run.ctx.calendar.add_working_days(local.date(), 0)
        minutes = rng.randrange(9 * 60, 17 * 60)
        when = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=LONDON).astimezone(UTC)
    if when < run.ctx.now:
        kind = "service_request" if procedure == "service_request" else "complaint"
        plan.spawned.append((when, kind, procedure))


def _drive_service_request(run: _Run, plan: "_Plan") -> None:
    rng = run.ctx.rng
    r = rng.random()
    if r < 0.02:
        run.do("withdraw", run.day(rng.randint(0, 3)), {"reason": "Resident says it has been sorted"})
        return
    if r < 0.10:
        run.do("close", run.day(rng.randint(0, 4)), {"reason": rng.choice((
            "Duplicate of an earlier report", "Inspected: no fault found", "Not council land: passed to the landowner",
            "Not a council service: signposted to the right organisation",
        ))})
        return
    if r < 0.28:  # sorted at the first contact
        run.do("complete", run.day(rng.choice((0, 0, 1))), {"summary": "Dealt with at the first point of contact."})
        return
    if not run.do("route", run.day(rng.choice((0, 0, 0, 1, 1, 2))), {"note": f"Passed to {plan.area_name}"}):
        return
    if plan.neglect:
        return
    if rng.random() < 0.06:  # not dealt with properly and promptly: it becomes a complaint (004 §3.3, §10.3)
        procedure = {"Adult Social Care": "adults", "Children's Social Care": "childrens"}.get(plan.area_name, "corporate")
        if run.do("raise_complaint", run.day(rng.randint(8, 25)), {
            "procedure": procedure, "reason": "Reported again: still not done after the promised date.",
        }):
            _spawn(run, plan, procedure)
    run.do("complete", run.day(rng.choice((1, 2, 3, 4, 5, 7, 10, 15, 20))), {"summary": rng.choice((
        "Job completed by the service.", "Repair carried out.", "Collected.", "Cleared and area cleaned.",
        "Account updated and confirmation sent.", "Visit made and advice given.",
    ))})


def _drive_feedback(run: _Run, plan: "_Plan") -> None:
    rng = run.ctx.rng
    if rng.random() < 0.3:
        run.do("acknowledge", run.day(rng.randint(0, 2)), {})
    r = rng.random()
    if plan.kind == "comment" and r < 0.05:
        procedure = rng.choice(("corporate", "service_request"))
        if run.do("convert", run.day(rng.randint(0, 3)), {
            "procedure": procedure, "reason": "On reading it, this is a complaint / a request for a service.",
        }):
            _spawn(run, plan, procedure)
        return
    if r < 0.15:
        run.do("close", run.day(rng.randint(0, 3)), {"reason": "Recorded; anonymous, so no reply possible."})
        return
    run.do("forward", run.day(rng.randint(0, 3)), {"note": f"Passed to the {plan.area_name} manager for feedback to the team."})


def _drive_enquiry(run: _Run, plan: "_Plan") -> None:
    ctx, rng = run.ctx, run.ctx.rng
    member = plan.kind == "member_enquiry"
    respond = run.clock("enquiry.respond")
    received = run.snap.deemed_received_on
    r = rng.random()
    if r < 0.012:
        run.do("withdraw", run.day(rng.randint(0, 3)), {"reason": "The constituent has sorted it directly."},
               actor=plan.raised_by if member else None)
        return
    if member and r < 0.03:
        run.do("rule_inappropriate", run.day(rng.randint(1, 4)), {
            "reason": "This asks for a decision on a live planning application; officers cannot advise on it (001 §7.1)."})
        return
    if r < 0.07:
        procedure = {"Adult Social Care": "adults", "Children's Social Care": "childrens"}.get(plan.area_name, "corporate")
        if run.do("convert", run.day(rng.randint(0, 3)), {"procedure": procedure, "reason": "The constituent wants to make a complaint."}):
            _spawn(run, plan, procedure)
        return
    if rng.random() < (0.85 if member else 0.7):
        run.do("acknowledge", run.day(rng.choice((0, 0, 1, 1, 2, 3))), {"handled_by": f"{plan.area_name} team"})
    if plan.neglect:
        return
    if respond is not None and rng.random() < 0.12:
        new_due = run.day(rng.randint(3, 10), respond.due_on)
        run.do("holding_reply", run.day(-rng.randint(0, 2), respond.due_on) if respond.due_on > run.last_on else run.last_on,
               {"due_on": new_due, "reason": "Holding reply: the service is checking records and will reply by the new date."})
    respond = run.clock("enquiry.respond")
    late = rng.random() < 0.22
    if member and late and rng.random() < 0.4:
        run.do("escalate_to_senior_officer", run.day(rng.randint(1, 3), respond.due_on),
               {"reason": "No reply by the due date"}, actor=plan.raised_by)
    due = respond.due_on if respond is not None else run.day(5, received)
    day = run.day(rng.randint(1, 8), due) if late else max(run.last_on, run.day(-rng.choice((0, 0, 1, 2, 3)), due))
    if not run.do("respond", day, {"summary": rng.choice((
        "The service has confirmed the work is booked for next week.",
        "Explained the policy and what the constituent can do next.",
        "The missed service has been put right and the crew briefed.",
        "An officer has visited and will write to the constituent.",
    ))}):
        return
    follow = run.clock("enquiry.follow_up")
    if rng.random() < 0.15:
        run.do("follow_up", run.day(rng.randint(1, 4)), {"summary": "Answered the councillor's further question."})
    close_from = follow.due_on if follow is not None else run.last_on
    run.do("close", run.day(rng.randint(0, 5), close_from), {"reason": "Answered"})


def _drive_lgsco(run: _Run, plan: "_Plan") -> None:
    ctx, rng = run.ctx, run.ctx.rng
    start = run.snap.deemed_received_on
    if rng.random() < 0.03:
        run.do("withdraw", run.day(rng.randint(5, 30)), {"reason": "The complainant withdrew the complaint to the Ombudsman."})
        return
    if rng.random() < 0.45:
        run.do("record_document_request", run.day(rng.randint(1, 5), start), {"request": "The Ombudsman asked for the complaint file and our responses."})
        clock = run.clock("lgsco.documents")
        if clock is not None:
            day = run.day(-rng.randint(0, 5), clock.due_on) if rng.random() < 0.85 else run.day(rng.randint(1, 6), clock.due_on)
            run.do("send_response", max(day, run.last_on), {"summary": "Sent the complaint file, both responses and the case notes."})
    if rng.random() < 0.38:
        run.do("final_decision", run.day(rng.randint(5, 30)), {
            "outcome": rng.choices(("not_investigated", "upheld_remedied", "not_upheld"), (6, 2, 2))[0],
            "summary": "The Ombudsman decided not to investigate further.",
        })
        run.do("close", run.day(rng.randint(1, 5)), {"reason": "Ombudsman's decision received"})
        return
    if not run.do("start_investigation", run.day(rng.randint(5, 25)), {
        "lgsco_reference": f"{rng.randint(23, 26)} {rng.randint(1, 20):03d} {rng.randint(100, 999)}",
        "enquiries": "The Ombudsman's enquiries letter asks for a chronology, policies and evidence of the remedy offered.",
    }):
        return
    clock = run.clock("lgsco.enquiries")
    if clock is not None:
        day = run.day(-rng.randint(0, 6), clock.due_on) if rng.random() < 0.85 else run.day(rng.randint(1, 8), clock.due_on)
        run.do("send_response", max(day, run.last_on), {"summary": "Answered the Ombudsman's enquiries with the evidence asked for."})
    outcome = rng.choices(("upheld", "partly_upheld", "upheld_remedied", "upheld_no_injustice", "not_upheld"), (40, 15, 10, 10, 25))[0]
    run.do("draft_decision", run.day(rng.randint(20, 60)), {"provisional_outcome": outcome, "summary": "Draft decision for comment."})
    window = run.clock("lgsco.draft_comments")
    if rng.random() < 0.7 and window is not None:
        run.do("comment_on_draft", run.day(rng.randint(2, 9), window.started_on), {"comments": "The council accepts the draft decision and the recommended remedy."})
    final = outcome if rng.random() < 0.85 else rng.choice(("upheld", "not_upheld"))
    run.do("final_decision", run.day(rng.randint(10, 25)), {
        "outcome": final, "summary": "Final decision received from the Ombudsman.",
        "recommendations": "Apologise, pay the sum recommended and review the procedure within three months."
        if final in ("upheld", "partly_upheld") else "",
    })
    if final in ("upheld", "partly_upheld") and run.state == "decided":
        due = run.day(rng.choice((20, 30, 40, 60)))
        fields = {"remedy": "Written apology, payment for the distress caused, and a review of the procedure.", "due_on": due}
        if rng.random() < 0.7:
            fields["compensation"] = f"{rng.choice((100, 150, 200, 250, 300, 500, 750, 1000, 1500, 2500))}.00"
        run.do("agree_remedy", run.day(rng.randint(1, 8)), fields, actor=rng.choice(ctx.org.by_role["director"]))
        remedy = run.clock("lgsco.remedy")
        if remedy is not None and not plan.neglect:
            day = run.day(-rng.randint(0, 10), remedy.due_on) if rng.random() < 0.88 else run.day(rng.randint(1, 10), remedy.due_on)
            run.do("record_compliance", max(day, run.last_on), {"evidence": "Apology letter, proof of payment and the revised procedure sent to the Ombudsman."})
    elif run.state == "decided":
        run.do("close", run.day(rng.randint(1, 5)), {"reason": "Ombudsman's decision received: no further action"})


# --- planning the contacts -------------------------------------------------------------------------

KIND_SHARES = (
    ("service_request", 36), ("complaint", 36), ("comment", 5), ("compliment", 6),
    ("member_enquiry", 12), ("mp_enquiry", 5),
)
COMPLAINT_SHARES = (("corporate", 85), ("adults", 7), ("childrens", 6), ("lgsco", 2))
CODE_PROCEDURE = "corporate_code2026"  # the Ombudsman's Code: piloted for new complaints from its start date
CODE_FROM = date(2026, 4, 1)
CODE_SHARE = 0.06
OFFICE_CHANNELS = frozenset({"telephone", "dedicated_line", "in_person", "letter"})
SOCIAL_CARE_AREAS = {"adults": "Adult Social Care", "childrens": "Children's Social Care"}


@dataclass(slots=True)
class _Plan:
    received_at: datetime
    kind: str
    procedure: str
    channel: str
    neglect: bool = False
    area_name: str = ""
    assignee_id: int | None = None
    manager_id: int | None = None
    done: set = field(default_factory=set)
    linked_id: int | None = None
    raised_by: int | None = None
    someone: "_Someone | None" = None
    preset_area: str | None = None
    spawned: list = field(default_factory=list)  # (received_at, kind, procedure) of linked cases to open


def _received_times(rng: random.Random, n: int, now: datetime, calendar, days_back: int = 730) -> list[tuple[datetime, str]]:
    """Receipt instants over the last two years (slowly rising), with the channel they came by."""
    channel_of = _Weighted(CHANNELS)
    today = london_date(now)
    out = []
    for _ in range(n):
        channel = channel_of(rng)
        back = int(days_back * (1.0 - rng.random() ** 0.9))
        day = today - timedelta(days=back)
        if channel in OFFICE_CHANNELS or rng.random() < 0.75:
            if not calendar.is_working_day(day):
                day = calendar.add_working_days(day, -1) if day > today - timedelta(days=days_back - 7) else calendar.add_working_days(day, 0)
            minutes = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
        else:
            minutes = rng.randrange(0, 24 * 60)
        when = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, rng.randrange(60), tzinfo=LONDON).astimezone(UTC)
        if when > now:
            when = now - timedelta(minutes=rng.randrange(30, 600))
        out.append((when, channel))
    out.sort()
    return out


def _areas_by_share(exclude=()) -> _Weighted:
    return _Weighted([
        (area, share) for areas in SERVICES.values() for area, (share, _, _) in areas.items() if area not in exclude
    ])


# --- the loader ------------------------------------------------------------------------------------

def load_demo(
    n_cases: int,
    seed: int = 2026,
    echo: Callable[[str], None] = print,
    *,
    now: datetime | None = None,
    batch_size: int = 5000,
) -> None:
    """Load a demo council and `n_cases` cases, and commit.

    Adds to whatever is there: wards, services and demo users are reused by name/e-mail,
    people and cases are always new. `now` (default: the current time) is when the demo is
    "as of"; the same seed and now give the same data.
    """
    from .operations.calendar import calendar_for_policy
    from .operations.policies import current_policies

    started = timer.perf_counter()
    now = now or utc_now()
    rng = random.Random(seed)
    policies = dict(current_policies())
    password_hash = generate_password_hash(DEMO_PASSWORD)

    org = _load_org(rng, password_hash, now)
    echo(f"Council: {len(org.ward_ids)} wards, {len(org.area_ids)} service areas, {len(CONTRACTORS)} contractors, "
         f"{org.users_created} new users (password {DEMO_PASSWORD!r}).")
    rows = _Rows(batch_size)
    ctx = _Context(rng, now, org, policies, calendar_for_policy)
    people = _People(rng, rows, org, now)
    loader = _CaseLoader(ctx, rows, people)
    loader.load(n_cases, echo)
    rows.flush()
    loader.finish()
    db.session.commit()
    elapsed = timer.perf_counter() - started
    echo(
        f"Loaded {n_cases:,} cases in {elapsed:.1f} s ({n_cases / elapsed if elapsed else 0:,.0f} cases/s): "
        + ", ".join(f"{rows.counts.get(t, 0):,} {t}" for t in ("people", "cases", "clocks", "events", "representations"))
        + "."
    )
    if ctx.refusals:
        echo("Actions the engine refused (skipped): " + ", ".join(
            f"{k[0]}.{k[1]} {k[2]} x{v}" for k, v in sorted(ctx.refusals.items())))


class _CaseLoader:
    def __init__(self, ctx: _Context, rows: _Rows, people: _People):
        self.ctx = ctx
        self.rows = rows
        self.people = people
        self.next_case_id = rows.next_id(Case.__table__)
        self.next_clock_id = rows.next_id(Clock.__table__)
        self.next_event_id = rows.next_id(Event.__table__)
        self.next_representation_id = rows.next_id(Representation.__table__)
        self.sequences = {
            (p, y): v for p, y, v in db.session.execute(
                select(CaseSequence.prefix, CaseSequence.year, CaseSequence.last_value))
        }
        self.sequences_before = dict(self.sequences)
        self.area_ids = ctx.org.area_ids
        self.area_names = {v: k for k, v in self.area_ids.items()}
        self.managers = dict(db.session.execute(select(ServiceArea.id, ServiceArea.manager_id)).all())
        self.complaints: list[tuple] = []  # (received_at, case_id, someone, area) for Ombudsman links
        self.texts = {area: (requests, complaints) for areas in SERVICES.values() for area, (_, requests, complaints) in areas.items()}

    # -- the plan of contacts --------------------------------------------------------------------

    def plans(self, n: int) -> list[_Plan]:
        ctx, rng = self.ctx, self.ctx.rng
        policies = ctx.policies
        kinds = [(k, w) for k, w in KIND_SHARES if self._procedure_for(k) in policies]
        procedures = [(p, w) for p, w in COMPLAINT_SHARES if p in policies]
        kind_of, procedure_of = _Weighted(kinds), _Weighted(procedures)
        plans = []
        for received_at, channel in _received_times(rng, n, ctx.now, ctx.calendar):
            kind = kind_of(rng)
            if kind == "complaint":
                procedure = procedure_of(rng)
                if procedure == "corporate" and CODE_PROCEDURE in policies and london_date(received_at) >= CODE_FROM and rng.random() < CODE_SHARE:
                    procedure = CODE_PROCEDURE
            else:
                procedure = self._procedure_for(kind)
            if kind == "member_enquiry":
                channel = "councillor"
            elif kind == "mp_enquiry":
                channel = "mp"
            plans.append(_Plan(received_at, kind, procedure, channel, neglect=rng.random() < 0.008))
        return plans

    @staticmethod
    def _procedure_for(kind: str) -> str:
        from .models import DEFAULT_PROCEDURE

        return DEFAULT_PROCEDURE[kind]

    # -- loading ---------------------------------------------------------------------------------

    def load(self, n: int, echo) -> None:
        """Open the planned contacts in order of receipt; linked cases that a case leads to
        (a complaint about a request, an Ombudsman case) join the queue at their own time and
        take the place of the last planned ones, so exactly n cases are loaded."""
        plans = self.plans(n)
        linked: list = []  # heap of (received_at, tie-break, plan)
        every = max(1000, (n // 10 // 1000) * 1000) if n >= 5000 else max(n, 1)
        started = timer.perf_counter()
        next_plan = 0
        for i in range(1, n + 1):
            if linked and (next_plan >= len(plans) or linked[0][0] < plans[next_plan].received_at):
                plan = heapq.heappop(linked)[2]
            else:
                plan = plans[next_plan]
                next_plan += 1
            case_id = self.load_case(plan)
            for received_at, kind, procedure in plan.spawned:
                follow = _Plan(received_at, kind, procedure, "email" if procedure != "lgsco" else "letter",
                               linked_id=case_id, someone=plan.someone, preset_area=plan.area_name)
                heapq.heappush(linked, (received_at, case_id, follow))
            if i % every == 0 and i < n:
                elapsed = timer.perf_counter() - started
                echo(f"  {i:,} of {n:,} cases ({elapsed:.1f} s)")

    def load_case(self, plan: _Plan) -> None:
        ctx, rng, org = self.ctx, self.ctx.rng, self.ctx.org
        policy = ctx.policies[plan.procedure]
        case_id = self.next_case_id
        self.next_case_id += 1
        linked, someone, area = plan.linked_id, plan.someone, plan.preset_area
        if linked is None and plan.procedure == "lgsco":
            earlier = self._earlier_complaint(plan.received_at)
            if earlier is not None:
                _, linked, someone, area = earlier
        if someone is None:
            someone = self.people.pick()
        if area is None:
            area = self._area_for(plan)
        plan.someone = someone
        plan.area_name = area
        area_id = self.area_ids[area]
        officers = org.officers_by_area.get(area_id) or org.by_role["investigating_officer"]
        plan.assignee_id = rng.choice(officers)
        plan.manager_id = self.managers.get(area_id) or plan.assignee_id
        raised_by = None
        details: dict = {}
        opened_by = rng.choice(org.by_role["resident_experience"])
        if plan.channel == "web_form":
            opened_by = None
        if plan.kind == "member_enquiry":
            ward_councillors = org.councillors_by_ward.get(someone.ward_id) or org.by_role["councillor"]
            raised_by = rng.choice(ward_councillors if rng.random() < 0.85 else org.by_role["councillor"])
            if rng.random() < 0.5:
                opened_by = raised_by
            plan.raised_by = raised_by
        elif plan.kind == "mp_enquiry":
            constituency = next(c for c, wards in CONSTITUENCIES.items() if someone.ward in wards)
            details["mp_office"] = f"Office of the MP for {constituency}"
        elif plan.procedure == "lgsco":
            opened_by = rng.choice(org.by_role["service_recovery"])
        year = london_date(plan.received_at).year
        key = (policy.reference_prefix, year)
        number = self.sequences.get(key, 0) + 1
        self.sequences[key] = number
        contractor = org.contractor_by_area.get(area_id) if rng.random() < 0.35 else None
        summary, description = self._texts(plan, area, someone)
        case = {
            "id": case_id, "reference": f"{policy.reference_prefix}-{year}-{number:06d}", "kind": plan.kind,
            "procedure": policy.key, "policy_version": policy.version, "state": "", "stage": None, "is_open": True,
            "channel": plan.channel, "received_at": plan.received_at, "deemed_received_on": None,
            "summary": summary, "description": description, "person_id": someone.id, "service_area_id": area_id,
            "contractor_id": contractor, "assignee_id": plan.assignee_id, "raised_by_id": raised_by,
            "linked_case_id": linked, "next_due_on": None, "paused_since": None, "outcome": None,
            "outcome_summary": None, "remedies": None, "compensation": None, "lessons_learned": None,
            "closure_reason": None, "details": details, "created_at": plan.received_at,
            "updated_at": plan.received_at, "closed_at": None, "version": 1,
        }
        run = _Run(ctx, policy, kind=plan.kind, received_at=plan.received_at, case_row=case, opened_by=opened_by)
        try:
            SCENARIOS.get(plan.procedure, _drive_generic)(run, plan)
        except _Stop:
            pass
        self.rows.add(Case.__table__, case)
        for name, values in run.clock_rows.items():
            self.rows.add(Clock.__table__, {"id": self.next_clock_id, "case_id": case_id, "name": name, **values})
            self.next_clock_id += 1
        for event in run.events:
            event["id"] = self.next_event_id
            event["case_id"] = case_id
            self.next_event_id += 1
            self.rows.add(Event.__table__, event)
        if plan.kind == "complaint" and plan.procedure != "lgsco":
            self.complaints.append((plan.received_at, case_id, someone, area))
            if rng.random() < (0.35 if plan.procedure in SOCIAL_CARE_AREAS else 0.05):
                self._representative(case_id, plan)
        return case_id

    def _area_for(self, plan: _Plan) -> str:
        rng = self.ctx.rng
        if plan.procedure in SOCIAL_CARE_AREAS:
            return SOCIAL_CARE_AREAS[plan.procedure]
        if not hasattr(self, "_any_area"):
            self._any_area = _areas_by_share()
            self._non_social = _areas_by_share(exclude=set(SOCIAL_CARE_AREAS.values()))
        if plan.kind == "complaint" and rng.random() < 0.9:
            return self._non_social(rng)
        return self._any_area(rng)

    def _earlier_complaint(self, received_at: datetime):
        """An Ombudsman case follows an earlier complaint (the Ombudsman may take one early)."""
        rng = self.ctx.rng
        earlier = [c for c in self.complaints[-2000:] if c[0] < received_at - timedelta(days=60)]
        return rng.choice(earlier) if earlier else None

    def _texts(self, plan: _Plan, area: str, someone: _Someone) -> tuple[str, str | None]:
        rng = self.ctx.rng
        requests, complaints = self.texts[area]
        fill = {"street": someone.street, "relation": rng.choice(RELATIONS), "when": "next week"}
        if plan.kind == "compliment":
            summary = rng.choice(COMPLIMENTS)
        elif plan.kind == "comment":
            summary = rng.choice(COMMENTS)
        elif plan.kind == "service_request":
            summary = rng.choice(requests)
        elif plan.kind == "complaint" and plan.procedure == "lgsco":
            summary = "Ombudsman enquiry: " + rng.choice(complaints)
        else:
            summary = rng.choice(complaints)
        summary = summary.format(**fill)
        if plan.kind == "member_enquiry":
            summary = f"Cllr enquiry for a constituent: {summary[0].lower()}{summary[1:]}"
        elif plan.kind == "mp_enquiry":
            summary = f"MP enquiry: {summary[0].lower()}{summary[1:]}"
        description = None
        if rng.random() < 0.7:
            description = rng.choice((
                "Reported on {n} occasions since {month}; each time told it would be looked at.",
                "The resident says this has happened before and wants to know what will change.",
                "Caller was upset and asked for a call back from a manager.",
                "Photos attached to the web form.",
                "Resident asked for a reply by {contact}.",
            )).format(n=rng.randint(2, 6), month=rng.choice(("January", "March", "May", "the summer", "last autumn")),
                      contact=rng.choice(("e-mail", "letter", "phone")))
        return summary, description

    def _representative(self, case_id: int, plan: _Plan) -> None:
        rng = self.ctx.rng
        rep = self.people.new()
        relation = rng.choice(("Daughter", "Son", "Wife", "Husband", "Independent advocate", "Friend", "Solicitor", "Mother", "Father"))
        decision = "accepted" if rng.random() < 0.9 else rng.choice(("pending", "refused"))
        consented = decision == "accepted" or (decision == "refused" and rng.random() < 0.3)
        self.rows.add(Representation.__table__, {
            "id": self.next_representation_id, "case_id": case_id, "representative_id": rep.id,
            "relationship_to_person": relation,
            "consent_evidence": rng.choice(("Signed consent form received by e-mail", "Consent given by phone and confirmed in writing",
                                            "Lasting power of attorney (health and welfare) seen")) if consented else None,
            "consent_received_on": london_date(plan.received_at) + timedelta(days=rng.randint(0, 10)) if consented else None,
            "decision": decision,
            "decision_reason": "The person affected told us they do not want this representative to act for them (004 §4.2)."
            if decision == "refused" else None,
        })
        self.next_representation_id += 1

    # -- afterwards ------------------------------------------------------------------------------

    def finish(self) -> None:
        """Pinned policy texts, reference counters and PostgreSQL's id sequences."""
        ctx = self.ctx
        have = set(db.session.execute(select(PolicyVersion.key, PolicyVersion.version)).all())
        pins = [
            {"key": key, "version": version, "title": ctx.policies[key].title, "text": ctx.policies[key].text,
             "first_used_at": first}
            for (key, version), first in ctx.pinned.items() if (key, version) not in have
        ]
        if pins:
            db.session.execute(insert(PolicyVersion.__table__), pins)
        sequences = CaseSequence.__table__
        for (prefix, year), value in self.sequences.items():
            before = self.sequences_before.get((prefix, year))
            if before is None:
                db.session.execute(insert(sequences).values(prefix=prefix, year=year, last_value=value))
            elif value != before:
                db.session.execute(
                    update(sequences).where(sequences.c.prefix == prefix, sequences.c.year == year).values(last_value=value)
                )
        if db.session.get_bind().dialect.name == "postgresql":
            for table in ("wards", "directorates", "service_areas", "contractors", "users", "people", "cases",
                          "clocks", "events", "representations"):
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1), "
                    f"(SELECT MAX(id) FROM {table}) IS NOT NULL)"
                ))


def _drive_generic(run: _Run, plan: _Plan) -> None:
    for _ in range(12):
        if not run.case["is_open"] or not _wander(run, plan):
            return


SCENARIOS: dict[str, Callable[[_Run, _Plan], None]] = {
    "corporate": _drive_complaint,
    "childrens": _drive_complaint,
    "adults": _drive_complaint,
    CODE_PROCEDURE: _drive_complaint,
    "lgsco": _drive_lgsco,
    "service_request": _drive_service_request,
    "feedback": _drive_feedback,
    "member_enquiry": _drive_enquiry,
    "mp_enquiry": _drive_enquiry,
}
