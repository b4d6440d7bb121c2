"""Robert Novak and his colleague Helena, one surname on one switchboard at one company: the
people of the dedup, unmerge and erasure edge tests (a shared phone, a second mailbox)."""

from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import to_csv

COLUMNS = ("First Name", "Last Name", "Email", "Company", "Phone", "City")
ROBERT = {
    "First Name": "Robert",
    "Last Name": "Novak",
    "Company": "Novak Engineering",
    "Email": "robert.novak@novak-eng.co.uk",
    "Phone": "+44 20 7946 0501",
    "City": "London",
}
HELENA = {
    "First Name": "Helena",
    "Last Name": "Novak",
    "Company": "Novak Engineering",
    "Email": "helena.novak@novak-eng.co.uk",
    "Phone": "+44 20 7946 0100",
    "City": "London",
}


def novak_csv(*rows: dict[str, str]) -> bytes:
    return to_csv(rows, COLUMNS)


def erase(intake: Intake, lead_id: str) -> None:
    r = intake.client.delete(f"/leads/{lead_id}", headers=intake.headers)
    assert r.status_code == 204, r.get_data(as_text=True)
