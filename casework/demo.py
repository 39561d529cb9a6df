"""Demo data for a big unitary city council (Coventry's 18 wards), loaded in bulk.

`flask casework demo --cases N` calls load_demo. Why it is built the way it is:

* Every case is driven through the real policy engine (engine.open_case, apply_action,
  switch_procedure) with plausible action dates, and its rows are built the way
  operations.cases.open_case / take_action / open_linked_case build them, so state, clocks,
  due dates and audit events are exactly what the app would have written had the actions been
  taken on those dates (tests/test_demo.py replays demo cases through the app to prove it).
  Nothing happens after "now", so recent cases are still open and a few neglected ones overdue.
* 100,000 cases must load in well under a minute. Nothing goes through the ORM: primary keys and
  references are assigned here, rows are converted with SQLAlchemy's own column processors and
  handed straight to the driver (COPY on PostgreSQL, executemany on SQLite), and one calendar
  and one loaded policy set serve every case. Afterwards case_sequences (and PostgreSQL's id
  sequences) are moved on, so cases opened later continue the numbering without gaps.
* Whatever ties cases together (repeat contacts, a request that becomes a complaint, an
  Ombudsman case about an earlier complaint, ids and references in order of receipt) is planned
  first, in one pass; then each case is driven on its own from its own seed, in worker
  processes when there are several cores. So the data is the same for a given seed and "now",
  however many workers drive it.

Everything is invented. People have example.com/.org/.net addresses and Ofcom's drama telephone
numbers; contractors, councillors and officers are fictional.
"""
from __future__ import annotations

import heapq
import json
import multiprocessing
import os
import random
import time as timer
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from operator import methodcaller
from typing import Callable

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Numeric, String, func, insert, select, text, update
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
    Role,
    ServiceArea,
    User,
    Ward,
    user_wards,
)
from .models.enums import DEFAULT_PROCEDURE
from .models.types import UTCDateTime
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


class _Converter:
    """Turns row dicts into tuples for the driver, with SQLAlchemy's own bind processor for
    each column, so values are stored exactly as the ORM stores them. None stays SQL NULL, as
    when the ORM leaves a JSON column unset. Needs no database: workers use it too."""

    def __init__(self, dialect):
        self.dialect = dialect
        self.columns: dict = {}
        self.converters: dict = {}
        self.fast_instant = self._fast_instant()

    def _fast_instant(self):
        """SQLite keeps UTCDateTime as text: format UTC instants directly, if that gives exactly
        what SQLAlchemy's processors give (checked here, so a change there cannot slip by)."""
        if self.dialect.name != "sqlite":
            return None
        process = UTCDateTime().dialect_impl(self.dialect).bind_processor(self.dialect)

        def fast(value: datetime) -> str:
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        samples = (datetime(2026, 3, 29, 0, 59, 59, 123, tzinfo=UTC), datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
        return fast if all(fast(v) == process(v) for v in samples) else None

    def _fast_date(self, process):
        """Likewise dates on SQLite: ISO text."""
        fast = methodcaller("isoformat")
        samples = (date(2026, 3, 9), date(999, 12, 31))
        return fast if all(type(v) is date and fast(v) == process(v) for v in samples) else process

    def column_names(self) -> dict[str, list[str]]:
        """The columns of each table's tuples so far (a table's are fixed by its first row)."""
        return {table: [name for name, _ in columns] for table, columns in self.columns.items() if table in self.converters}

    def _columns(self, table):
        columns = self.columns.get(table.name)
        if columns is None:
            columns = self.columns[table.name] = [
                (c.name, self._processor(c)) for c in table.columns
                if not (c.name == "id" and table.name in IDS_FROM_DATABASE)
            ]
        return columns

    def _processor(self, column):
        dialect = self.dialect
        impl = column.type.dialect_impl(dialect)
        if isinstance(impl, JSON):
            if dialect.name == "postgresql":
                # SQLAlchemy would wrap the value for psycopg to serialise later, row by row;
                # COPY takes JSON text directly (the same text its json_serializer would make).
                process = dialect._json_serializer or json.dumps
            else:
                process = impl.bind_processor(dialect)
            empty_list, empty_dict = process([]), process({})  # most clocks have no extensions or pauses

            def process_json(value, process=process):
                if not value and type(value) in (list, dict):
                    return empty_list if type(value) is list else empty_dict
                return process(value)
            return process_json
        process = impl.bind_processor(dialect)
        if process is not None and dialect.name == "sqlite" and isinstance(impl, Date) and not isinstance(impl, DateTime):
            return self._fast_date(process)
        return process

    def convert(self, table, row: dict):
        converter = self.converters.get(table.name)
        if converter is None:
            compile_ = self._compile_copy_text if self.dialect.name == "postgresql" else self._compile
            converter = self.converters[table.name] = compile_(table, row)
        return converter(row)

    def _compile_copy_text(self, table, first_row: dict) -> Callable[[dict], str]:
        """For PostgreSQL: a dict -> line of COPY text, typed by column, made in the worker so
        the main process only streams bytes. The text is what the bound values would be:
        UTCDateTime as naive UTC, JSON as its serialiser writes it, booleans as t/f."""
        dumps = self.dialect._json_serializer or json.dumps
        namespace: dict = {"_esc": _copy_escape, "_ts": _copy_instant, "_json": lambda v: _copy_escape(dumps(v))}
        parts = []
        columns = []
        for i, column in enumerate(table.columns):
            name, kind = column.name, column.type
            if name == "id" and table.name in IDS_FROM_DATABASE:
                continue
            if isinstance(kind, UTCDateTime):
                text_of = "_ts(v)"
            elif isinstance(kind, JSON):
                text_of = "_json(v)"
            elif isinstance(kind, Boolean):
                text_of = "('t' if v else 'f')"
            elif isinstance(kind, (Integer, Numeric)):
                text_of = "str(v)"
            elif isinstance(kind, Date) and not isinstance(kind, DateTime):
                text_of = "v.isoformat()"
            elif isinstance(kind, String):
                text_of = "_esc(v)"
            else:
                raise TypeError(f"the demo cannot write {table.name}.{name} ({kind!r}) as COPY text")
            if name in first_row:
                value = f"row[{name!r}]"
            else:  # a column added to the model since: its Python default, or the server's
                default = column.default
                if default is not None and default.is_scalar:
                    namespace[f"d{i}"] = default.arg
                    value = f"d{i}"
                elif default is not None and default.is_callable and not default.is_clause_element:
                    namespace[f"d{i}"] = default.arg
                    value = f"d{i}(None)"
                elif column.server_default is None and not column.nullable:
                    raise KeyError(f"the demo gives no value for {table.name}.{name}")
                else:
                    continue
            columns.append((name, None))
            parts.append(f"('\\\\N' if (v := {value}) is None else {text_of})")
        self.columns[table.name] = columns
        exec(f"def convert(row):\n    return '\\t'.join(({', '.join(parts)},))", namespace)  # noqa: S102 - names from our metadata
        return namespace["convert"]

    def _compile(self, table, first_row: dict) -> Callable[[dict], tuple]:
        """A dict -> tuple function for the table, compiled once (a generator per row costs more).

        A column the demo does not know about (added to the model since) gets its Python-side
        default, as the ORM would give it, or is left to the database's server default."""
        namespace: dict = {"_instant": self._instant}
        parts = []
        columns = []
        for i, (name, process) in enumerate(self._columns(table)):
            column = table.c[name]
            if name not in first_row:
                default = column.default
                if default is not None and default.is_scalar:
                    namespace[f"d{i}"] = default.arg if process is None else process(default.arg)
                    parts.append(f"d{i}")
                    columns.append((name, process))
                elif default is not None and default.is_callable and not default.is_clause_element:
                    namespace[f"d{i}"] = default.arg
                    namespace[f"p{i}"] = process or (lambda v: v)
                    parts.append(f"p{i}(d{i}(None))")
                    columns.append((name, process))
                elif column.server_default is None and not column.nullable:
                    raise KeyError(f"the demo gives no value for {table.name}.{name}")
                continue
            columns.append((name, process))
            if process is None:
                parts.append(f"row[{name!r}]")
                continue
            namespace[f"p{i}"] = process
            call = f"_instant(p{i}, v)" if isinstance(column.type, UTCDateTime) else f"p{i}(v)"
            parts.append(f"(None if (v := row[{name!r}]) is None else {call})")
        self.columns[table.name] = columns
        exec(f"def convert(row):\n    return ({', '.join(parts)},)", namespace)  # noqa: S102 - column names from our own metadata
        return namespace["convert"]

    def _instant(self, process, value):
        if self.fast_instant is not None and value.tzinfo is UTC:
            return self.fast_instant(value)
        return process(value)


# Rows nothing refers to get their ids from the database as they are inserted (in order).
IDS_FROM_DATABASE = frozenset({"clocks", "events", "representations"})


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_instant(value: datetime) -> str:
    """UTCDateTime's stored form: UTC without a zone (it refuses naive datetimes too)."""
    if value.tzinfo is None:
        raise ValueError("UTCDateTime needs an aware datetime")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ")


class _Writer:
    """Writes the workers' rows straight to the driver, parents first: COPY on PostgreSQL (the
    rows arrive as COPY text), executemany on SQLite. (SQLAlchemy's per-row statement machinery
    would cost more than the database does at this volume.)"""

    def __init__(self, dialect):
        self.dialect = dialect
        self.tables = {t.name: t for t in db.metadata.sorted_tables}
        self.order = [t.name for t in db.metadata.sorted_tables]
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    @staticmethod
    def next_id(table) -> int:
        return (db.session.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def write(self, batch: dict[str, tuple[int, object]], columns: dict[str, list[str]]) -> None:
        connection = db.session.connection()
        quote = self.dialect.identifier_preparer.quote
        for name in self.order:
            if name not in batch:
                continue
            count, rows = batch[name]
            names = ", ".join(quote(column) for column in columns[name])
            started = timer.perf_counter()
            if self.dialect.name == "postgresql":
                with connection.connection.dbapi_connection.cursor() as cursor:
                    with cursor.copy(f"COPY {quote(name)} ({names}) FROM STDIN") as copy:
                        copy.write(rows)
            else:
                marker = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": "?"}.get(self.dialect.paramstyle, "?")
                placeholders = ", ".join([marker] * len(columns[name]))
                connection.exec_driver_sql(f"INSERT INTO {quote(name)} ({names}) VALUES ({placeholders})", rows)
            self.counts[name] = self.counts.get(name, 0) + count
            self.seconds[name] = self.seconds.get(name, 0.0) + timer.perf_counter() - started


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

    # Users: the demo's own staff and councillors, created once; a later run reuses them.
    users = User.__table__
    demo_users = {e.lower(): i for i, e in db.session.execute(
        select(users.c.id, users.c.email).where(users.c.email.like(f"%@{DEMO_DOMAIN}")))}
    fixed = {email for email, _, _ in DEMO_USERS}
    staff_exist = any(email not in fixed for email in demo_users)
    next_id = (db.session.execute(select(func.max(users.c.id))).scalar() or 0) + 1
    new_rows: list[dict] = []
    ward_links: list[dict] = []
    managers: dict[str, int] = {}
    used_emails = set(demo_users)

    def add_user(email: str | None, role: str, name: str, area: str | None = None, wards=()) -> int | None:
        nonlocal next_id
        if email is None:
            base = _email_slug(name.removeprefix("Cllr "))
            base = ("cllr." + base) if role == "councillor" else base
            email, n = f"{base}@{DEMO_DOMAIN}", 2
            while email in used_emails:
                email, n = f"{base}{n}@{DEMO_DOMAIN}", n + 1
        if email in demo_users:
            return demo_users[email]
        used_emails.add(email)
        new_rows.append({
            "id": next_id, "email": email, "name": name, "role": role, "password_hash": password_hash,
            "is_active_user": True, "service_area_id": org.area_ids[area] if area else None,
            "failed_logins": 0, "locked_until": None, "created_at": now,
        })
        ward_links.extend({"user_id": next_id, "ward_id": org.ward_ids[w]} for w in wards)
        next_id += 1
        return next_id - 1

    def person_name() -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    for email, role, name in DEMO_USERS:
        add_user(
            email, role, name,
            area=DEMO_OFFICER_AREA if role == "investigating_officer" else None,
            wards=DEMO_COUNCILLOR_WARDS if role == "councillor" else (),
        )
    if not staff_exist:
        for _ in range(4):
            add_user(None, "resident_experience", person_name())
        for _ in range(3):
            add_user(None, "service_recovery", person_name())
        for directorate in SERVICES:
            if directorate != DEMO_DIRECTOR_DIRECTORATE:
                add_user(None, "director", DIRECTOR_NAMES[directorate])
        for area, (share, _, _) in ((a, v) for areas in SERVICES.values() for a, v in areas.items()):
            managers[area] = add_user(None, "investigating_officer", person_name(), area=area)
            for _ in range(2 + int(share >= 5) + int(share >= 10)):
                add_user(None, "investigating_officer", person_name(), area=area)
        for ward in WARDS:  # three councillors a ward; councillor@ holds one seat in two wards
            for _ in range(3 - (1 if ward in DEMO_COUNCILLOR_WARDS else 0)):
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

    # Who does what, read back: cases are only ever given to the demo's own users.
    for user_id, email, role, area_id in db.session.execute(
        select(users.c.id, users.c.email, users.c.role, users.c.service_area_id)
        .where(users.c.email.like(f"%@{DEMO_DOMAIN}"), users.c.is_active_user.is_(True)).order_by(users.c.id)
    ):
        org.email[user_id] = email
        org.role[user_id] = role
        org.by_role.setdefault(role, []).append(user_id)
        if role == "investigating_officer" and area_id is not None:
            org.officers_by_area.setdefault(area_id, []).append(user_id)
    for user_id, ward_id in db.session.execute(
        select(user_wards.c.user_id, user_wards.c.ward_id).order_by(user_wards.c.user_id, user_wards.c.ward_id)
    ):
        if org.role.get(user_id) == "councillor":
            org.councillors_by_ward.setdefault(ward_id, []).append(user_id)
    missing = set(Role) - set(org.by_role)
    if missing:
        raise RuntimeError(f"The demo needs an active demo user for each role; missing: {', '.join(sorted(missing))}")
    return org


# --- people ------------------------------------------------------------------------------------
#
# A person's details come from their own random stream (seed, person id), so whichever process
# writes a case can tell where a repeat contact lives without asking the one that created them.

_WARD_NAMES = list(WARDS)
# Central and inner-city wards contact the council more often.
_WARD_CUMULATIVE = list(accumulate(
    {"St Michael's": 1.6, "Foleshill": 1.4, "Radford": 1.2, "Lower Stoke": 1.2, "Upper Stoke": 1.2,
     "Henley": 1.2, "Longford": 1.1, "Binley and Willenhall": 1.1}.get(w, 1.0) for w in _WARD_NAMES
))
_CONTACT = _Weighted((("email", 45), ("telephone", 30), ("letter", 17), ("text_message", 8)))
_LANGUAGE = _Weighted(LANGUAGES)
_EQUALITY = {key: _Weighted(pairs) for key, pairs in EQUALITY.items()}


def _person_rng(seed: int, person_id: int) -> random.Random:
    return random.Random(seed * 1_000_003 + person_id)


def _place(rng: random.Random) -> tuple[str, str, str]:
    ward = _WARD_NAMES[bisect_right(_WARD_CUMULATIVE, rng.random() * _WARD_CUMULATIVE[-1])]
    sectors, streets = WARDS[ward]
    return ward, rng.choice(streets), rng.choice(sectors)


def _person_place(seed: int, person_id: int) -> tuple[str, str]:
    """The ward and street a person lives in."""
    ward, street, _ = _place(_person_rng(seed, person_id))
    return ward, street


def _person_rows(seed: int, person_id: int, organisation: bool, now: datetime, ward_ids: dict) -> list[tuple]:
    """The people row (and the voluntary equality monitoring row) for a new person."""
    rng = _person_rng(seed, person_id)
    ward, street, sector = _place(rng)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name = rng.choice(ORGANISATIONS).format(ward=ward, street=street) if organisation else f"{first} {last}"
    email = None
    if organisation or rng.random() < 0.72:
        local = _email_slug(name) if organisation else f"{_email_slug(first)}.{_email_slug(last)}"
        email = f"{local}{person_id % 997}@example.{rng.choice(('com', 'org', 'net'))}"
    phone = None
    if rng.random() < 0.8:  # Ofcom's drama ranges: never a real number
        phone = f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.7 else f"01632 960{rng.randrange(1000):03d}"
    method = _CONTACT(rng)
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
            language = _LANGUAGE(rng)
            interpreter = rng.random() < 0.65
            if language == "British Sign Language":
                interpreter = True
                accessibility = accessibility or "Deaf: BSL interpreter needed for calls and meetings"
            elif interpreter and preferred_format is None and rng.random() < 0.5:
                preferred_format = "translation"
    house = rng.randrange(1, 240) if not organisation or rng.random() < 0.5 else None
    address = (f"{house} {street}" if house else f"c/o {street} Community Centre, {street}") + "\nCoventry"
    created = now - timedelta(days=rng.randrange(760, 2400))
    rows = [(Person.__table__, {
        "id": person_id, "name": name, "email": email, "phone": phone, "address": address,
        "postcode": _postcode(rng, sector), "ward_id": ward_ids[ward],
        "preferred_contact_method": method, "preferred_format": preferred_format,
        "accessibility_needs": accessibility, "language": language, "interpreter_needed": interpreter,
        "is_organisation": organisation, "created_at": created,
    })]
    if not organisation and rng.random() < 0.18:  # equality monitoring is voluntary (004 §5.4, GH9)
        declined = rng.random() < 0.2
        rows.append((EqualityMonitoring.__table__, {
            "person_id": person_id, "declined": declined,
            **{key: (None if declined else pick(rng)) for key, pick in _EQUALITY.items()},
            "recorded_at": created,
        }))
    return rows


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

    def __init__(self, ctx: "_Context", policy, *, kind: str, received_at: datetime, case_row: dict, opened_by: int | None,
                 linked_reference: str | None = None, spawn_reference: str | None = None):
        self.ctx = ctx
        self.policy = policy
        self.kind = kind
        self.case = case_row
        self.clock_rows: dict[str, dict] = {}
        self.events: list[dict] = []
        self.last_at = received_at
        self._last_on = None
        self.spawn_reference = spawn_reference  # the case an open_linked_case effect opens
        transition = engine.open_case(policy, received_at, ctx.calendar_for(policy))
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
                **({"linked_case": linked_reference} if linked_reference else {}),
            },
        ))

    # -- time -------------------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.snap.state

    @property
    def last_on(self) -> date:
        if self._last_on is None:
            self._last_on = london_date(self.last_at)
        return self._last_on

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

    def do(self, action: str, day: date | None, fields: dict | None = None, actor: int | None = None,
           when: datetime | None = None, refusal_expected: bool = False) -> bool:
        """Take `action` on `day` (or at the instant `when`), as a user allowed to; False if
        the engine refuses it (counted for the report unless the scenario expected it)."""
        if when is None:
            at = self.at(day)
        else:
            if when > self.ctx.now:
                raise _Stop
            at = when if when > self.last_at else self.last_at + timedelta(minutes=1)
        policy = self.policy
        variant = self.ctx.find_action(policy, action, self.snap.state)
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
            if not refusal_expected:
                key = (policy.key, action, refused.code)
                self.ctx.refusals[key] = self.ctx.refusals.get(key, 0) + 1
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
            if self.spawn_reference and any(isinstance(e, dict) and e.get("open_linked_case") for e in transition.effects):
                data["linked_case"] = self.spawn_reference
        self.case["version"] += 1
        self.events.append(self._event(action, at, actor, from_state, data))
        self.last_at = at
        self._last_on = None
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
        # The snapshot the next action sees: what operations.cases.snapshot() would read back.
        # The engine keeps the clocks in the order they started, which is the order of their rows.
        self.snap = engine.CaseSnapshot(
            state=transition.new_state,
            received_at=self.snap.received_at,
            deemed_received_on=self.snap.deemed_received_on,
            clocks=transition.clocks,
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

    def __init__(self, now: datetime, org: _Org, policies: dict, calendars: dict):
        self.rng = random.Random(0)  # replaced by each case's own
        self.now = now
        self.org = org
        self.policies = policies
        self.calendars = calendars
        self.calendar = calendars.get("corporate") or next(iter(calendars.values()))
        self.pinned: dict[tuple[str, str], bool] = {}
        self.refusals: dict = {}
        self._variants: dict = {}

    def calendar_for(self, policy):
        return self.calendars[policy.key]

    def find_action(self, policy, action: str, state: str):
        key = (policy.key, policy.version, action, state)
        try:
            return self._variants[key]
        except KeyError:
            variant = self._variants[key] = policy.find_action(action, state)
            return variant

    def pin(self, policy) -> None:
        self.pinned[(policy.key, policy.version)] = True

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
    r = rng.random() if plan.referral_by is None else 1.0
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
        if not run.do("start_stage1", day, {**fields, "live_court_proceedings": True}, refusal_expected=True):
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
        if rng.random() < 0.012 and plan.referral_by is None and policy.find_action("decline", state):
            return run.do("decline", run.day(rng.randint(1, 5)), {
                "reason": ctx.choose(policy, "decline", state, "reason", _DECLINE_WEIGHTS),
                "details": "On investigation the matter is outside the complaints procedure.",
            })
    if ("withdraw", n) not in done:
        done.add(("withdraw", n))
        if rng.random() < 0.025 and plan.referral_by is None:
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
    refer = policy.find_action("refer_to_lgsco", state)
    p_escalate = ({1: 0.2, 2: 0.12}.get(n, 0.0) if escalate else 0.0)
    r = rng.random()
    # Bound for the Ombudsman (referral_by): through the council's stages first where it must.
    must_escalate = plan.referral_by is not None and escalate is not None and refer is None
    if must_escalate or (r < p_escalate and (plan.referral_by is None or (n == 1 and r < p_escalate / 2))):
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
    if refer is not None and (plan.referral_by is not None or r < p_escalate + (0.015 if not escalate else 0.005)):
        # The complainant goes to the Ombudsman; an Ombudsman case follows (planned) by referral_by.
        day = run.day(rng.randint(5, 40), responded_on)
        when = None
        if plan.referral_by is not None and london_date(plan.referral_by) <= day:
            when = plan.referral_by - timedelta(hours=rng.randint(2, 96))
            if when <= run.last_at:
                return run.do("close", run.day(rng.randint(1, 5), window.due_on if window else responded_on),
                              {"reason": "The Ombudsman is considering the complaint."})
        return run.do("refer_to_lgsco", day, {
            "lgsco_reference": f"{london_date(run.last_at).year % 100:02d} {rng.randint(1, 20):03d} {rng.randint(100, 999)}",
            "note": "The Ombudsman has told us the complainant has asked it to look at this.",
        }, when=when)
    if r > 0.97 and plan.referral_by is None and policy.find_action("resolve_informally", state):
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


def _drive_service_request(run: _Run, plan: "_Plan") -> None:
    rng = run.ctx.rng
    if plan.spawn_at is not None:
        # Not dealt with properly and promptly, so it became a complaint (004 §3.3, §10.3).
        route = run.day(rng.choice((0, 0, 1, 1, 2)))
        if route < london_date(plan.spawn_at):
            run.do("route", route, {"note": f"Passed to {plan.area_name}"})
        run.do("raise_complaint", None, {
            "procedure": plan.spawn_procedure, "reason": "Reported again: still not done after the promised date.",
        }, actor=plan.spawn_actor, when=plan.spawn_at)
        run.do("complete", run.day(rng.choice((1, 2, 3, 5, 8))), {"summary": "Job completed after the complaint."})
        return
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
    run.do("complete", run.day(rng.choice((1, 2, 3, 4, 5, 7, 10, 15, 20))), {"summary": rng.choice((
        "Job completed by the service.", "Repair carried out.", "Collected.", "Cleared and area cleaned.",
        "Account updated and confirmation sent.", "Visit made and advice given.",
    ))})


def _drive_feedback(run: _Run, plan: "_Plan") -> None:
    rng = run.ctx.rng
    if plan.spawn_at is not None:  # the linked case is opened at spawn_at
        run.do("convert", None, {
            "procedure": plan.spawn_procedure, "reason": "On reading it, this is a complaint or a request for a service.",
        }, actor=plan.spawn_actor, when=plan.spawn_at)
        return
    if rng.random() < 0.3:
        run.do("acknowledge", run.day(rng.randint(0, 2)), {})
    r = rng.random()
    if r < 0.15:
        run.do("close", run.day(rng.randint(0, 3)), {"reason": "Recorded; anonymous, so no reply possible."})
        return
    run.do("forward", run.day(rng.randint(0, 3)), {"note": f"Passed to the {plan.area_name} manager for feedback to the team."})


def _drive_enquiry(run: _Run, plan: "_Plan") -> None:
    ctx, rng = run.ctx, run.ctx.rng
    member = plan.kind == "member_enquiry"
    respond = run.clock("enquiry.respond")
    received = run.snap.deemed_received_on
    if plan.spawn_at is not None:  # the linked complaint is opened at spawn_at
        run.do("convert", None, {"procedure": plan.spawn_procedure, "reason": "The constituent wants to make a complaint."},
               actor=plan.spawn_actor, when=plan.spawn_at)
        return
    r = rng.random()
    if r < 0.012:
        run.do("withdraw", run.day(rng.randint(0, 3)), {"reason": "The constituent has sorted it directly."},
               actor=plan.raised_by if member else None)
        return
    if member and r < 0.03:
        run.do("rule_inappropriate", run.day(rng.randint(1, 4)), {
            "reason": "This asks for a decision on a live planning application; officers cannot advise on it (001 §7.1)."})
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
#
# Everything that ties one case to another is settled here, in order of receipt and before any
# case is driven: who the person is (new or a repeat contact), the area, the ids and references,
# and the linked cases (a request that turns into a complaint, an Ombudsman case about an earlier
# complaint). Then every case can be driven on its own, in any process, with its own seed.

KIND_SHARES = (
    ("service_request", 36), ("complaint", 36), ("comment", 5), ("compliment", 6),
    ("member_enquiry", 12), ("mp_enquiry", 5),
)
COMPLAINT_SHARES = (("corporate", 86), ("adults", 7), ("childrens", 7))
OMBUDSMAN_FOLLOWS = ("corporate", "adults", "childrens", "corporate_code2026")
OMBUDSMAN_SHARE = 0.035  # of complaints: the complainant later goes to the Ombudsman
CODE_PROCEDURE = "corporate_code2026"  # the Ombudsman's Code: piloted for some complaints from its start
CODE_FROM = date(2026, 4, 1)
CODE_SHARE = 0.06
OFFICE_CHANNELS = frozenset({"telephone", "dedicated_line", "in_person", "letter"})
SOCIAL_CARE_AREAS = {"adults": "Adult Social Care", "childrens": "Children's Social Care"}
SOCIAL_CARE_PROCEDURES = {area: procedure for procedure, area in SOCIAL_CARE_AREAS.items()}


@dataclass(slots=True)
class _Plan:
    received_at: datetime
    kind: str
    procedure: str
    channel: str
    seed: int = 0
    case_id: int = 0
    reference: str = ""
    neglect: bool = False
    person_id: int = 0
    person_new: bool = False
    person_organisation: bool = False
    representative_id: int | None = None
    area_name: str = ""
    parent: int | None = None  # index of the plan this one follows from
    linked_id: int | None = None
    linked_reference: str | None = None
    spawn_procedure: str | None = None  # this case leads to a linked case of this procedure...
    spawn_at: datetime | None = None  # ...opened by the action taken at this instant...
    spawn_actor: int | None = None  # ...by this user
    spawn_reference: str | None = None
    referral_by: datetime | None = None  # an Ombudsman case about this one arrives then
    assignee_id: int | None = None
    raised_by: int | None = None
    acts_for: bool = False  # the councillor who raised it acts for the person (001 §7.2)
    opened_by: int | None = None
    text_seed: int = 0  # a linked case opened by an action repeats its parent's summary
    text_kind: str = ""
    text_procedure: str = ""
    # Filled in while driving the case.
    manager_id: int | None = None
    done: set | None = None


def _office_time(rng: random.Random, day: date, after: datetime) -> datetime:
    minutes = rng.randrange(9 * 60, 16 * 60 + 45)
    when = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, rng.randrange(60), tzinfo=LONDON).astimezone(UTC)
    return when if when > after else after + timedelta(minutes=rng.randrange(10, 60))


def _received_times(rng: random.Random, n: int, now: datetime, calendar, days_back: int = 730) -> list[tuple[datetime, str]]:
    """Receipt instants over the last two years (slowly rising), with the channel they came by."""
    channel_of = _Weighted(CHANNELS)
    today = london_date(now)
    out = []
    for _ in range(n):
        channel = channel_of(rng)
        # Slowly rising over two years, plus the current month's work in progress.
        back = int(days_back * (1.0 - rng.random() ** 0.9)) if rng.random() > 0.07 else rng.randrange(35)
        day = today - timedelta(days=back)
        if channel in OFFICE_CHANNELS or rng.random() < 0.75:
            if not calendar.is_working_day(day):
                day = calendar.add_working_days(day, -1) if back < days_back - 7 else calendar.add_working_days(day, 0)
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


class _Planner:
    def __init__(self, seed: int, now: datetime, calendar, policies: dict, org: _Org, first_person_id: int,
                 first_case_id: int, sequences: dict):
        self.rng = random.Random(seed)
        self.seed = seed
        self.org = org
        self.now = now
        self.calendar = calendar
        self.policies = policies
        self.next_person_id = first_person_id
        self.first_case_id = first_case_id
        self.sequences = sequences
        self.persons: list[tuple[int, bool]] = []  # (id, organisation), in order of creation
        self.parents: dict[int, tuple[int, str]] = {}  # plan index -> (case id, reference) of cases with a linked case to come
        self.any_area = _areas_by_share()
        self.non_social_area = _areas_by_share(exclude=set(SOCIAL_CARE_AREAS.values()))

    def plan(self, n: int) -> list[_Plan]:
        return [plan for chunk in self.chunks(n, n or 1) for plan in chunk]

    def chunks(self, n: int, size: int):
        """The plans of n cases in order of receipt, `size` at a time, each chunk final when given.

        Linked cases are merged in as they arise, each taking the place of a later planned
        contact chosen at random (so the cases still run up to now). A case whose action opens a
        linked case needs that case's reference, so it is held back until the linked case has
        its place (a few weeks later at most); one whose linked case falls beyond the n-th is
        told it leads nowhere."""
        rng, policies = self.rng, self.policies
        kinds = [(k, w) for k, w in KIND_SHARES if DEFAULT_PROCEDURE[k] in policies]
        procedures = [(p, w) for p, w in COMPLAINT_SHARES if p in policies]
        kind_of, procedure_of = _Weighted(kinds), _Weighted(procedures)
        planned = []
        for received_at, channel in _received_times(rng, n, self.now, self.calendar):
            kind = kind_of(rng)
            procedure = DEFAULT_PROCEDURE[kind]
            if kind == "complaint":
                procedure = procedure_of(rng)
                if (procedure == "corporate" and CODE_PROCEDURE in policies
                        and london_date(received_at) >= CODE_FROM and rng.random() < CODE_SHARE):
                    procedure = CODE_PROCEDURE
            elif kind == "member_enquiry":
                channel = "councillor"
            elif kind == "mp_enquiry":
                channel = "mp"
            planned.append(_Plan(received_at, kind, procedure, channel))

        linked: list = []  # heap of (received_at, parent index, plan)
        replaced: set[int] = set()  # planned contacts whose place a linked case took
        out: list[_Plan] = []
        waiting: set[int] = set()  # indexes of plans held back for their linked case's reference
        released = 0
        chunk: list[_Plan] = []
        i = 0
        while len(out) < n and (i < len(planned) or linked):
            while i in replaced:
                i += 1
            if linked and (i >= len(planned) or linked[0][0] < planned[i].received_at):
                plan = heapq.heappop(linked)[2]
            else:
                plan = planned[i]
                i += 1
            index = len(out)
            plan.seed = rng.getrandbits(62)
            plan.neglect = rng.random() < 0.008
            if not plan.person_id:
                self._choose_person(plan)
            if not plan.area_name:
                plan.area_name = self._area_for(plan)
            if plan.parent is None or plan.procedure == "lgsco":
                self._choose_staff(plan)
            if plan.kind == "complaint" and plan.procedure != "lgsco":
                if rng.random() < (0.35 if plan.procedure in SOCIAL_CARE_AREAS else 0.05):
                    plan.representative_id = self._new_person_id(False)
            self._place(plan, index, out)
            if plan.parent is not None and plan.procedure != "lgsco":
                out[plan.parent].spawn_reference = plan.reference
                waiting.discard(plan.parent)
            before = len(linked)
            if self._plan_linked_case(plan, index, linked):
                waiting.add(index)
            if len(linked) > before and len(planned) - i > 2 * (len(replaced) + 1):
                victim = rng.randrange(i, len(planned))
                while victim in replaced:
                    victim = rng.randrange(i, len(planned))
                replaced.add(victim)
            out.append(plan)
            while released < len(out) and released not in waiting:
                chunk.append(out[released])
                out[released] = None  # released plans are not needed again
                released += 1
                if len(chunk) == size:
                    yield chunk
                    chunk = []
        for _, parent, child in linked:
            if child.procedure != "lgsco" and out[parent] is not None:  # its linked case never comes
                out[parent].spawn_procedure = out[parent].spawn_at = out[parent].spawn_actor = None
        for plan in out[released:]:
            chunk.append(plan)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _place(self, plan: _Plan, index: int, out: list) -> None:
        """The case's id and reference, in order of receipt; its link to the case it follows."""
        plan.case_id = self.first_case_id + index
        key = (self.policies[plan.procedure].reference_prefix, london_date(plan.received_at).year)
        number = self.sequences[key] = self.sequences.get(key, 0) + 1
        plan.reference = f"{key[0]}-{key[1]}-{number:06d}"
        if plan.parent is not None:
            plan.linked_id, plan.linked_reference = self.parents.pop(plan.parent)

    def _choose_staff(self, plan: _Plan) -> None:
        """Who deals with it, who logged it, and (member enquiries) which councillor raised it."""
        rng, org = self.rng, self.org
        area_id = org.area_ids[plan.area_name]
        plan.assignee_id = rng.choice(org.officers_by_area.get(area_id) or org.by_role["investigating_officer"])
        plan.opened_by = None if plan.channel == "web_form" else rng.choice(org.by_role["resident_experience"])
        plan.text_seed, plan.text_kind, plan.text_procedure = rng.getrandbits(62), plan.kind, plan.procedure
        if plan.kind == "member_enquiry":
            ward, _ = _person_place(self.seed, plan.person_id)
            ward_councillors = org.councillors_by_ward.get(org.ward_ids[ward]) or org.by_role["councillor"]
            own_ward = rng.random() < 0.85
            plan.raised_by = rng.choice(ward_councillors if own_ward else org.by_role["councillor"])
            plan.acts_for = own_ward and rng.random() < 0.9  # 001 §7.2: implicit consent needs both
            if rng.random() < 0.5:
                plan.opened_by = plan.raised_by
        elif plan.procedure == "lgsco":
            plan.opened_by = rng.choice(org.by_role["service_recovery"])

    def _new_person_id(self, organisation: bool) -> int:
        person_id = self.next_person_id
        self.next_person_id += 1
        self.persons.append((person_id, organisation))
        return person_id

    def _choose_person(self, plan: _Plan) -> None:
        """Mostly someone new; sometimes a repeat contact (a few people contact us again and again)."""
        rng = self.rng
        if self.persons and rng.random() < 0.27:
            plan.person_id, plan.person_organisation = self.persons[int(len(self.persons) * rng.random() ** 2.5)]
            return
        organisation = rng.random() < 0.012
        plan.person_id = self._new_person_id(organisation)
        plan.person_new = True
        plan.person_organisation = organisation

    def _area_for(self, plan: _Plan) -> str:
        if plan.procedure in SOCIAL_CARE_AREAS:
            return SOCIAL_CARE_AREAS[plan.procedure]
        if plan.kind == "complaint" and self.rng.random() < 0.9:
            return self.non_social_area(self.rng)
        return self.any_area(self.rng)

    def _plan_linked_case(self, plan: _Plan, index: int, linked: list) -> bool:
        """Will this case lead to another? Returns True when an action on it opens that case
        (operations.cases.open_linked_case), so it needs the new case's reference."""
        rng, calendar = self.rng, self.calendar
        received_on = london_date(plan.received_at)
        r = rng.random()
        if plan.kind == "complaint" and plan.procedure in OMBUDSMAN_FOLLOWS and "lgsco" in self.policies and r < OMBUDSMAN_SHARE:
            # The complainant goes on to the Ombudsman, which writes to the council months later.
            at = _office_time(rng, calendar.add_working_days(received_on, rng.randint(60, 180)), plan.received_at)
            if at < self.now:
                plan.referral_by = at
                child = _Plan(at, "complaint", "lgsco", "letter", parent=index, person_id=plan.person_id,
                              person_organisation=plan.person_organisation, area_name=plan.area_name)
                self.parents[index] = (plan.case_id, plan.reference)
                heapq.heappush(linked, (at, index, child))
            return False
        if plan.kind == "service_request" and r < 0.045:
            # Not dealt with properly and promptly: it becomes a complaint (004 §3.3, §10.3).
            procedure = SOCIAL_CARE_PROCEDURES.get(plan.area_name, "corporate")
            at = _office_time(rng, calendar.add_working_days(received_on, rng.randint(8, 25)), plan.received_at)
        elif plan.kind == "comment" and r < 0.05:
            procedure = rng.choice(("corporate", "service_request"))
            at = _office_time(rng, calendar.add_working_days(received_on, rng.randint(0, 3)), plan.received_at)
        elif plan.kind in ("member_enquiry", "mp_enquiry") and r < 0.04:
            procedure = SOCIAL_CARE_PROCEDURES.get(plan.area_name, "corporate")
            at = _office_time(rng, calendar.add_working_days(received_on, rng.randint(0, 3)), plan.received_at)
        else:
            return False
        if procedure not in self.policies or at >= self.now:
            return False
        plan.spawn_procedure, plan.spawn_at = procedure, at
        plan.spawn_actor = rng.choice(self.org.by_role["resident_experience"])
        # What operations.cases.open_linked_case opens: the same person, service, officer, councillor
        # and summary, received when the action was taken, opened by whoever took it.
        kinds = self.policies[procedure].kinds
        child = _Plan(
            at, "complaint" if "complaint" in kinds else kinds[0], procedure, plan.channel, parent=index,
            person_id=plan.person_id, person_organisation=plan.person_organisation, area_name=plan.area_name,
            assignee_id=plan.assignee_id, raised_by=plan.raised_by, acts_for=plan.acts_for, opened_by=plan.spawn_actor,
            text_seed=plan.text_seed, text_kind=plan.text_kind, text_procedure=plan.text_procedure,
        )
        self.parents[index] = (plan.case_id, plan.reference)
        heapq.heappush(linked, (at, index, child))
        return True


# --- driving the cases (in worker processes when there are several cores) -------------------------

@dataclass
class _Shared:
    """What every case needs, built once in the main process (a forked worker inherits it)."""

    seed: int
    now: datetime
    org: _Org
    policies: dict
    calendars: dict
    managers: dict
    dialect: object
    context: "_Context | None" = None
    converter: _Converter | None = None


_SHARED: _Shared | None = None
_CASE_HAS_ACTS_FOR = "councillor_acts_for_person" in Case.__table__.c
_TEXTS = {area: (requests, complaints) for areas in SERVICES.values() for area, (_, requests, complaints) in areas.items()}


def _drive_chunk(plans: list[_Plan]) -> tuple[int, dict, dict, dict, dict]:
    """Drive each planned case through the engine; the rows to write, converted for the driver."""
    shared = _SHARED
    if shared.context is None:
        shared.context = _Context(shared.now, shared.org, shared.policies, shared.calendars)
        shared.converter = _Converter(shared.dialect)
    ctx, convert = shared.context, shared.converter.convert
    batch: dict[str, list[tuple]] = {}

    def add(table, row: dict) -> None:
        batch.setdefault(table.name, []).append(convert(table, row))

    for plan in plans:
        _drive_case(shared, ctx, plan, add)
    refusals, ctx.refusals = ctx.refusals, {}
    pinned, ctx.pinned = ctx.pinned, {}
    if shared.dialect.name == "postgresql":
        packed = {name: (len(lines), ("\n".join(lines) + "\n").encode()) for name, lines in batch.items()}
    else:
        packed = {name: (len(rows), rows) for name, rows in batch.items()}
    return len(plans), packed, shared.converter.column_names(), refusals, pinned


def _drive_case(shared: _Shared, ctx: "_Context", plan: _Plan, add: Callable) -> None:
    org = shared.org
    rng = ctx.rng = random.Random(plan.seed)
    plan.done = set()
    if plan.person_new:
        for table, row in _person_rows(shared.seed, plan.person_id, plan.person_organisation, shared.now, org.ward_ids):
            add(table, row)
    if plan.representative_id is not None:
        for table, row in _person_rows(shared.seed, plan.representative_id, False, shared.now, org.ward_ids):
            add(table, row)
    ward, street = _person_place(shared.seed, plan.person_id)
    area_id = org.area_ids[plan.area_name]
    plan.manager_id = shared.managers.get(area_id) or plan.assignee_id
    opened_by_action = plan.parent is not None and plan.procedure != "lgsco"
    details: dict = {}
    if plan.kind == "mp_enquiry":
        constituency = next(c for c, wards in CONSTITUENCIES.items() if ward in wards)
        details["mp_office"] = f"Office of the MP for {constituency}"
    extra: dict = {"councillor_acts_for_person": plan.acts_for} if _CASE_HAS_ACTS_FOR else {}
    summary, description = _texts(plan, street)
    policy = shared.policies[plan.procedure]
    case = {
        "id": plan.case_id, "reference": plan.reference, "kind": plan.kind,
        "procedure": policy.key, "policy_version": policy.version, "state": "", "stage": None, "is_open": True,
        "channel": plan.channel, "received_at": plan.received_at, "deemed_received_on": None,
        "summary": summary, "description": description, "person_id": plan.person_id, "service_area_id": area_id,
        "contractor_id": org.contractor_by_area.get(area_id) if rng.random() < 0.35 and not opened_by_action else None,
        "assignee_id": plan.assignee_id, "raised_by_id": plan.raised_by, "linked_case_id": plan.linked_id,
        "next_due_on": None, "paused_since": None, "outcome": None, "outcome_summary": None, "remedies": None,
        "compensation": None, "lessons_learned": None, "closure_reason": None, "details": details,
        "created_at": plan.received_at, "updated_at": plan.received_at, "closed_at": None, "version": 1,
        **extra,
    }
    run = _Run(ctx, policy, kind=plan.kind, received_at=plan.received_at, case_row=case, opened_by=plan.opened_by,
               linked_reference=plan.linked_reference, spawn_reference=plan.spawn_reference)
    try:
        SCENARIOS.get(run.policy.key, _drive_generic)(run, plan)
    except _Stop:
        pass
    add(Case.__table__, case)
    for name, values in run.clock_rows.items():
        add(Clock.__table__, {"id": 0, "case_id": plan.case_id, "name": name, **values})
    for event in run.events:
        event["id"] = 0
        event["case_id"] = plan.case_id
        add(Event.__table__, event)
    if plan.representative_id is not None:
        add(Representation.__table__, _representation(rng, plan))


def _texts(plan: _Plan, street: str) -> tuple[str, str | None]:
    rng = random.Random(plan.text_seed)
    kind, procedure = plan.text_kind, plan.text_procedure
    requests, complaints = _TEXTS[plan.area_name]
    fill = {"street": street, "relation": rng.choice(RELATIONS), "when": "next week"}
    if kind == "compliment":
        summary = rng.choice(COMPLIMENTS)
    elif kind == "comment":
        summary = rng.choice(COMMENTS)
    elif kind == "service_request":
        summary = rng.choice(requests)
    elif procedure == "lgsco":
        summary = "Ombudsman enquiry: " + rng.choice(complaints)
    else:
        summary = rng.choice(complaints)
    summary = summary.format(**fill)
    if kind == "member_enquiry":
        summary = f"Cllr enquiry for a constituent: {summary[0].lower()}{summary[1:]}"
    elif kind == "mp_enquiry":
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


def _representation(rng: random.Random, plan: _Plan) -> dict:
    relation = rng.choice(("Daughter", "Son", "Wife", "Husband", "Independent advocate", "Friend", "Solicitor", "Mother", "Father"))
    decision = "accepted" if rng.random() < 0.9 else rng.choice(("pending", "refused"))
    consented = decision == "accepted" or (decision == "refused" and rng.random() < 0.3)
    return {
        "id": 0, "case_id": plan.case_id, "representative_id": plan.representative_id,
        "relationship_to_person": relation,
        "consent_evidence": rng.choice((
            "Signed consent form received by e-mail", "Consent given by phone and confirmed in writing",
            "Lasting power of attorney (health and welfare) seen",
        )) if consented else None,
        "consent_received_on": london_date(plan.received_at) + timedelta(days=rng.randint(0, 10)) if consented else None,
        "decision": decision,
        "decision_reason": "The person affected told us they do not want this representative to act for them (004 §4.2)."
        if decision == "refused" else None,
    }


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


# --- the loader ------------------------------------------------------------------------------------

def load_demo(
    n_cases: int,
    seed: int = 2026,
    echo: Callable[[str], None] = print,
    *,
    now: datetime | None = None,
    workers: int | None = None,
    chunk_size: int = 2000,
) -> None:
    """Load a demo council and `n_cases` cases, and commit.

    Adds to whatever is there: wards, services and demo users are reused by name or e-mail,
    people and cases are always new. `now` (default: the current time) is the moment the demo
    is "as of": nothing happens after it. The same seed and now give the same rows, however
    many `workers` (processes driving cases; default: one per core, none for small loads).
    """
    global _SHARED
    from .operations.calendar import calendar_for_policy
    from .operations.policies import current_policies

    started = timer.perf_counter()
    now = now or utc_now()
    policies = dict(current_policies())
    org = _load_org(random.Random(seed), generate_password_hash(DEMO_PASSWORD), now)
    echo(f"Council: {len(org.ward_ids)} wards, {len(org.area_ids)} service areas, {len(CONTRACTORS)} contractors, "
         f"{org.users_created} new users (password {DEMO_PASSWORD!r}).")
    calendars = {key: calendar_for_policy(policy) for key, policy in policies.items()}
    dialect = db.session.get_bind().dialect
    writer = _Writer(dialect)
    sequences = {(p, y): v for p, y, v in db.session.execute(
        select(CaseSequence.prefix, CaseSequence.year, CaseSequence.last_value))}
    before = dict(sequences)
    planner = _Planner(seed, now, calendars.get("corporate") or next(iter(calendars.values())), policies, org,
                       _Writer.next_id(Person.__table__), _Writer.next_id(Case.__table__), sequences)
    managers = dict(db.session.execute(select(ServiceArea.id, ServiceArea.manager_id)).all())
    _SHARED = _Shared(seed, now, org, policies, calendars, managers, dialect)
    set_up = timer.perf_counter() - started
    n_chunks = -(-n_cases // chunk_size)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if n_chunks > 2 else 0
    refusals: dict = {}
    pinned: dict = {}
    done = 0
    report_every = max(1, n_chunks // 10)
    sqlite_cache = None
    if dialect.name == "sqlite":
        # One long transaction: let SQLite keep its B-tree pages in memory rather than spill them.
        sqlite_cache = db.session.execute(text("PRAGMA cache_size")).scalar()
        db.session.execute(text("PRAGMA cache_size = -65536"))
    try:
        runner = _chunk_results(planner.chunks(n_cases, chunk_size), workers)
        with runner as results:
            for count, batch, columns, chunk_refusals, chunk_pinned in results:
                writer.write(batch, columns)
                for key, times in chunk_refusals.items():
                    refusals[key] = refusals.get(key, 0) + times
                pinned.update(chunk_pinned)
                done += count
                if done < n_cases and n_chunks > 4 and (done // chunk_size) % report_every == 0:
                    echo(f"  {done:,} of {n_cases:,} cases ({timer.perf_counter() - started:.1f} s)")
    finally:
        _SHARED = None
        if sqlite_cache is not None:
            db.session.execute(text(f"PRAGMA cache_size = {int(sqlite_cache)}"))
    _finish(policies, pinned, sequences, before, now)
    db.session.commit()
    elapsed = timer.perf_counter() - started
    echo(
        f"Loaded {done:,} cases in {elapsed:.1f} s ({done / elapsed if elapsed else 0:,.0f} cases/s, "
        f"{runner.workers or 'no'} worker processes; set-up {set_up:.1f} s, database writes {sum(writer.seconds.values()):.1f} s): "
        + ", ".join(f"{writer.counts.get(t, 0):,} {t}" for t in ("people", "cases", "clocks", "events", "representations"))
        + "."
    )
    if refusals:
        echo("Actions the engine refused (the case went on without them): " + ", ".join(
            f"{k[0]}.{k[1]} ({k[2]}) x{v}" for k, v in sorted(refusals.items())))


class _chunk_results:
    """The drive results of each chunk, in order: from worker processes (forked, so they share
    the loaded policies and calendars) when asked for and possible, else in this process."""

    def __init__(self, chunks, workers: int):
        self.chunks = chunks
        self.workers = workers
        self.pool = None

    def __enter__(self):
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            self.pool = multiprocessing.get_context("fork").Pool(self.workers)
            return self.pool.imap(_drive_chunk, self.chunks)
        self.workers = 0
        return map(_drive_chunk, self.chunks)

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def _finish(policies: dict, pinned: dict, sequences: dict, before: dict, now: datetime) -> None:
    """Pinned policy texts, reference counters and PostgreSQL's id sequences."""
    have = set(db.session.execute(select(PolicyVersion.key, PolicyVersion.version)).all())
    pins = [
        {"key": key, "version": version, "title": policies[key].title, "text": policies[key].text, "first_used_at": now}
        for (key, version) in sorted(pinned) if (key, version) not in have
    ]
    if pins:
        db.session.execute(insert(PolicyVersion.__table__), pins)
    table = CaseSequence.__table__
    for (prefix, year), value in sorted(sequences.items()):
        if (prefix, year) not in before:
            db.session.execute(insert(table).values(prefix=prefix, year=year, last_value=value))
        elif value != before[(prefix, year)]:
            db.session.execute(update(table).where(table.c.prefix == prefix, table.c.year == year).values(last_value=value))
    if db.session.get_bind().dialect.name == "postgresql":
        for name in ("wards", "directorates", "service_areas", "contractors", "users", "people", "cases",
                     "clocks", "events", "representations"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 1), "
                f"(SELECT MAX(id) FROM {name}) IS NOT NULL)"
            ))
