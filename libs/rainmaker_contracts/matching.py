"""Events published by matching."""

from marshmallow import fields

from rainmaker_contracts.common import WireSchema


class ProspectClaimedV1(WireSchema):
    claim_id = fields.String(required=True)
    lead_id = fields.String(required=True)
    am_id = fields.String(required=True)
    claimed_at = fields.AwareDateTime(required=True)
