"""sources.cost_minor of lists in each currency's own minor unit (ISO 4217)

The cost of a list comes from intake's list.imported, which carried every cost in hundredths
of its currency until intake's migration 0009 (120000 JPY as 12,000,000). Zero-decimal
currencies are divided by 100 (rounded), three-decimal ones multiplied by 10; costs entered
in pipeline itself (the costs table) were always in minor units and are left alone. The
currency lists are frozen here; downgrade scales back.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:50:00
"""

from alembic import op
from sqlalchemy import text

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ZERO_DECIMAL = ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                "UYI", "VND", "VUV", "XAF", "XOF", "XPF")  # fmt: skip
THREE_DECIMAL = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")
LISTS = "source_type = 'rented_list'"


def _scale(up: bool) -> None:
    zero = ", ".join(f"'{c}'" for c in ZERO_DECIMAL)
    three = ", ".join(f"'{c}'" for c in THREE_DECIMAL)
    conn = op.get_bind()
    to_units = "(cost_minor + 50) / 100" if up else "cost_minor * 100"
    to_mils = "cost_minor * 10" if up else "(cost_minor + 5) / 10"
    conn.execute(text(f"UPDATE sources SET cost_minor = {to_units} "
                      f"WHERE {LISTS} AND currency IN ({zero})"))  # fmt: skip
    conn.execute(text(f"UPDATE sources SET cost_minor = {to_mils} "
                      f"WHERE {LISTS} AND currency IN ({three})"))  # fmt: skip


def upgrade() -> None:
    _scale(up=True)


def downgrade() -> None:
    _scale(up=False)
