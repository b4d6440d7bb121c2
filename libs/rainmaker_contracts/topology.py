"""Who consumes what: one queue per consumer (`<service>.<purpose>`) and its routing keys.

Pure data; `rainmaker_bus.topology` declares it on the broker and exports definitions.json.
"""

from dataclasses import dataclass

EXCHANGE = "rainmaker.events"
DEAD_LETTER_EXCHANGE = "rainmaker.dead"


@dataclass(frozen=True)
class ConsumerQueue:
    name: str
    routing_keys: tuple[str, ...]

    @property
    def service(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def dead(self) -> str:
        return f"{self.name}.dead"


CONSUMER_QUEUES: tuple[ConsumerQueue, ...] = (
    ConsumerQueue("intake.imports", ("intake.import_requested",)),
    ConsumerQueue("intake.events", ("deal.closed",)),
    ConsumerQueue(
        "tagging.events",
        ("leads.ingested", "leads.touched", "leads.merged", "activity.logged", "lead.erased"),
    ),
    ConsumerQueue(
        "pipeline.events",
        (
            "list.imported",
            "leads.ingested",
            "leads.touched",
            "leads.merged",
            "leads.tagged",
            "prospect.claimed",
            "lead.erased",
        ),
    ),
    ConsumerQueue(
        "matching.events",
        (
            "account_manager.upserted",
            "leads.ingested",
            "leads.tagged",
            "leads.merged",
            "lead.stage_changed",
            "deal.closed",
            "lead.erased",
        ),
    ),
)

QUEUES_BY_NAME = {q.name: q for q in CONSUMER_QUEUES}
