"""Intake's CLI groups, mounted by `rainmaker` (see bootstrap.cli_groups).

They talk to the intake HTTP API like any client (INTAKE_URL, RAINMAKER_API_KEY), so they work
against a remote deployment and obey the same roles:

    rainmaker lists preview FILE [--mapping JSON]
    rainmaker lists import FILE --name N [--vendor V --cost 1200.00 --currency EUR ...]
    rainmaker lists status IMPORT_ID [--follow]      rainmaker lists errors IMPORT_ID [-o F]
    rainmaker referrals add --referrer-type T --referrer-name N --email ...  (or --file F)
    rainmaker suppressions add|remove (--email E | --domain D)...   rainmaker suppressions list
"""

import click

from rainmaker_intake.entrypoints.cli_lists import lists
from rainmaker_intake.entrypoints.cli_referrals import referrals
from rainmaker_intake.entrypoints.cli_suppressions import suppressions


def groups() -> list[click.Command]:
    return [lists, referrals, suppressions]
