"""A prepared chunk crosses from the helper process to the worker as columns: it must arrive
as it left, whatever its sightings hold."""

import pickle

from rainmaker_intake.domain.contact import NormalisedContact, RowError
from rainmaker_intake.domain.dedup import Keyed
from rainmaker_intake.service_layer.ingest import Sighting
from rainmaker_intake.service_layer.lead_events import own_fields
from rainmaker_intake.service_layer.prepare import Prepared


def test_a_chunk_arrives_as_it_left() -> None:
    ann = NormalisedContact(2, email="ann@acme.com", first_name="Ann", last_name="Lee",
                            employees=12, attributes={"Source": "fair"})  # fmt: skip
    bob = NormalisedContact(3, phone="+4930123456", first_name="Bob", company="Acme")
    chunk = Prepared(
        [
            Sighting(
                ann,
                '{"Email":"ANN@acme.com"}',
                tags=("t",),
                keyed=Keyed.of(ann),
                wire=own_fields(ann, None),
            ),
            Sighting(bob, None, notes="met at a fair", keyed=None),
        ],
        [RowError(4, "email", "x@", "not an email address")],
        {"accepted": 2, "rejected": 1},
        rows=3,
        last_row=4,
    )
    back = pickle.loads(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == chunk
    keyed = back.sightings[0].keyed
    assert keyed is not None and keyed.profile == Keyed.of(ann).profile  # unpacked on demand
    assert back.sightings[0].contact.attributes == {"Source": "fair"}
