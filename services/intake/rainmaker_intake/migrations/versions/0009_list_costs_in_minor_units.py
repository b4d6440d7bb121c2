"""lists.cost_minor in each currency's own minor unit (ISO 4217)

Until now every cost was stored in hundredths of its currency: 120000 JPY as 12,000,000 and
1.234 KWD (rounded to 1.23) as 123. Zero-decimal currencies are divided by 100 (rounded),
three-decimal ones multiplied by 10. The currency lists are frozen here as they were when
this revision was written (rainmaker_contracts.money); downgrade multiplies and divides back.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 22:50:00
"""

from alembic import op
from sqlalchemy import text

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ZERO_DECIMAL = ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                "UYI", "VND", "VUV", "XAF", "XOF", "XPF")  # fmt: skip
THREE_DECIMAL = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")


def _scale(up: bool) -> None:
    zero = ", ".join(f"'{c}'" for c in ZERO_DECIMAL)
    three = ", ".join(f"'{c}'" for c in THREE_DECIMAL)
    conn = op.get_bind()
    to_units = "(cost_minor + 50) / 100" if up else "cost_minor * 100"
    to_mils = "cost_minor * 10" if up else "(cost_minor + 5) / 10"
    conn.execute(text(f"UPDATE lists SET cost_minor = {to_units} WHERE currency IN ({zero})"))
    conn.execute(text(f"UPDATE lists SET cost_minor = {to_mils} WHERE currency IN ({three})"))


def upgrade() -> None:
    _scale(up=True)


def downgrade() -> None:
    _scale(up=False)
