"""Councillors' casework: consent records, wards from postcodes (001 §7, 003 §4.7)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Case, CouncillorConsent, PostcodeWard, User, Ward
from ..workdays import utc_now
from .errors import InvalidField

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")


def normalise_postcode(raw: str | None) -> str | None:
    """'cv1 2ab' -> 'CV1 2AB'; None when it is not a UK postcode."""
    if not raw:
        return None
    match = POSTCODE.match(raw.strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def fetch_ward_for_postcode(postcode: str | None) -> Ward | None:
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    row = db.session.get(PostcodeWard, normalised)
    return row.ward if row else None


def load_postcode_wards(text: str, replace: bool = False) -> int:
    """Load a CSV with columns `postcode,ward` (a header row); wards not yet known are created.

    Every row is checked before anything is stored; a bad row names its line.
    """
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"postcode", "ward"} <= {f.strip().lower() for f in reader.fieldnames}:
        raise InvalidField("The CSV needs a header row with the columns postcode and ward", "file")
    rows = []
    for line, raw in enumerate(reader, start=2):
        record = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        postcode = normalise_postcode(record.get("postcode"))
        if postcode is None or not record.get("ward"):
            raise InvalidField(f"Line {line}: {record.get('postcode')!r} is not a postcode with a ward", "file")
        rows.append((postcode, record["ward"]))
    wards = {w.name.lower(): w for w in db.session.execute(select(Ward)).scalars()}
    if replace:
        db.session.execute(delete(PostcodeWard))
    for postcode, ward_name in rows:
        ward = wards.get(ward_name.lower())
        if ward is None:
            ward = wards[ward_name.lower()] = Ward(name=ward_name)
            db.session.add(ward)
            db.session.flush()
        db.session.merge(PostcodeWard(postcode=postcode, ward_id=ward.id))
    db.session.flush()
    return len(rows)


def record_consent(case: Case, *, councillor: User, given_by: str, given_on: date, method: str, scope: str,
                   actor: User | None) -> CouncillorConsent:
    """Explicit consent for one councillor to see this case's personal data (001 §7.3)."""
    from .cases import record_event

    consent = CouncillorConsent(
        case_id=case.id, councillor_id=councillor.id, given_by=given_by.strip(), given_on=given_on,
        method=method, scope=scope.strip(), recorded_by_id=actor.id if actor else None, recorded_at=utc_now(),
    )
    db.session.add(consent)
    record_event(case, "consent_recorded", actor, {
        "councillor": councillor.email, "given_on": given_on, "method": method, "scope": scope.strip(),
    })
    db.session.flush()
    return consent
