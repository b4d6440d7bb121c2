"""Event type -> version -> data schema. The one index of what may travel on the bus."""

from marshmallow import Schema

from rainmaker_contracts import intake, matching, pipeline, tagging

EVENT_SCHEMAS: dict[str, dict[int, type[Schema]]] = {
    "intake.import_requested": {1: intake.ImportRequestedV1},
    "list.imported": {1: intake.ListImportedV1},
    "leads.ingested": {1: intake.LeadsIngestedV1},
    "leads.touched": {1: intake.LeadsTouchedV1},
    "leads.merged": {1: intake.LeadsMergedV1},
    "lead.erased": {1: intake.LeadErasedV1},
    "leads.tagged": {1: tagging.LeadsTaggedV1},
    "account_manager.upserted": {1: pipeline.AccountManagerUpsertedV1},
    "lead.stage_changed": {1: pipeline.LeadStageChangedV1},
    "activity.logged": {1: pipeline.ActivityLoggedV1},
    "deal.closed": {1: pipeline.DealClosedV1},
    "prospect.claimed": {1: matching.ProspectClaimedV1},
}

EVENT_TYPES = tuple(EVENT_SCHEMAS)
LATEST_VERSION = {name: max(versions) for name, versions in EVENT_SCHEMAS.items()}

_instances: dict[tuple[str, int], Schema] = {}


def schema_for(event_type: str, version: int) -> Schema:
    """A cached schema instance; KeyError when the type or version is unknown."""
    key = (event_type, version)
    if key not in _instances:
        _instances[key] = EVENT_SCHEMAS[event_type][version]()
    return _instances[key]
