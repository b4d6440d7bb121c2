"""The relay or a consumer of the test service as its own OS process (for the kill tests).

    python -m tests.bus.worker relay --db URL [--no-confirms]
    python -m tests.bus.worker consumer --db URL [--no-inbox] [--fail-on LEAD]...
        [--exit-on LEAD]...
        [--kill-after-commit-on LEAD]...

Broker URL and bus settings come from the environment (AMQP_URL, BUS_*), as in a service.
SIGTERM stops it cleanly; the fault tests use SIGKILL.
"""

import argparse
import logging
import signal
import sys
from types import FrameType

from rainmaker_bus import BusSettings, Consumer, Relay
from tests.bus.app import QUEUE, Behaviour, handlers, setup_db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["relay", "consumer"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--no-confirms", action="store_true")
    parser.add_argument("--no-inbox", action="store_true")
    parser.add_argument("--fail-on", action="append", default=[])
    parser.add_argument("--exit-on", action="append", default=[])
    parser.add_argument("--kill-after-commit-on", action="append", default=[])
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"
    )
    settings = BusSettings.from_env()
    db = setup_db(args.db)
    worker: Relay | Consumer
    if args.role == "relay":
        worker = Relay(db, settings, confirms=not args.no_confirms)
    else:
        b = Behaviour(
            fail_on=set(args.fail_on),
            exit_on=set(args.exit_on),
            kill_after_commit_on=set(args.kill_after_commit_on),
        )
        worker = Consumer(db, settings, QUEUE, handlers(b), use_inbox=not args.no_inbox)

    def on_term(_sig: int, _frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, on_term)
    worker.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
