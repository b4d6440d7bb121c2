"""seed starter taxonomy

A few tags per namespace so rules, derived roles and manual corrections have something to
point at on a fresh install. Admins extend it with POST /taxonomy. The role/ tags are the
ones the derived job-title mapping (rainmaker_tagging.domain.roles) produces; a unit test
keeps the two in step. Downgrade removes only seeded tags that nothing references.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:20:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (tag, label, parent); parents come before their children.
STARTER_TAXONOMY = (
    ("industry/software", "Software", None),
    ("industry/software/saas", "Software as a service", "industry/software"),
    ("industry/manufacturing", "Manufacturing", None),
    ("industry/financial_services", "Financial services", None),
    ("industry/healthcare", "Healthcare", None),
    ("industry/retail", "Retail and e-commerce", None),
    ("industry/logistics", "Transport and logistics", None),
    ("industry/education", "Education", None),
    ("industry/public_sector", "Public sector", None),
    ("interest/crm", "CRM", None),
    ("interest/analytics", "Analytics and reporting", None),
    ("interest/automation", "Workflow automation", None),
    ("interest/security", "Security and compliance", None),
    ("interest/cloud", "Cloud migration", None),
    ("interest/integrations", "Integrations and APIs", None),
    ("role/executive", "Executive (C-level, founder, owner)", None),
    ("role/leadership", "Leadership (VP, head of, director)", None),
    ("role/management", "Management (manager, team lead)", None),
    ("role/engineering", "Engineering", None),
    ("role/it", "IT", None),
    ("role/sales", "Sales", None),
    ("role/marketing", "Marketing", None),
    ("role/finance", "Finance", None),
    ("role/operations", "Operations", None),
    ("role/hr", "Human resources", None),
    ("size/micro", "Micro (1-9 employees)", None),
    ("size/small", "Small (10-49 employees)", None),
    ("size/medium", "Medium (50-249 employees)", None),
    ("size/large", "Large (250-999 employees)", None),
    ("size/enterprise", "Enterprise (1,000+ employees)", None),
    ("region/emea", "Europe, Middle East and Africa", None),
    ("region/emea/dach", "Germany, Austria, Switzerland", "region/emea"),
    ("region/emea/uk_ie", "United Kingdom and Ireland", "region/emea"),
    ("region/emea/benelux", "Belgium, Netherlands, Luxembourg", "region/emea"),
    ("region/emea/nordics", "Nordics", "region/emea"),
    ("region/americas", "Americas", None),
    ("region/americas/north_america", "North America", "region/americas"),
    ("region/apac", "Asia-Pacific", None),
    ("product/crm_suite", "CRM suite", None),
    ("product/analytics", "Analytics add-on", None),
    ("product/integrations", "Integration platform", None),
    ("product/support_plan", "Premium support plan", None),
)

taxonomy = sa.table(
    "taxonomy",
    sa.column("tag", sa.String),
    sa.column("namespace", sa.String),
    sa.column("label", sa.String),
    sa.column("parent", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    now = datetime.now(UTC)
    op.bulk_insert(
        taxonomy,
        [
            {
                "tag": tag,
                "namespace": tag.split("/", 1)[0],
                "label": label,
                "parent": parent,
                "created_at": now,
            }
            for tag, label, parent in STARTER_TAXONOMY
        ],
    )


def downgrade() -> None:
    bind = op.get_bind()
    for tag, _label, _parent in reversed(STARTER_TAXONOMY):
        used = bind.execute(
            sa.text(
                "SELECT 1 FROM rules WHERE tag = :tag UNION ALL "
                "SELECT 1 FROM taxonomy WHERE parent = :tag"
            ),
            {"tag": tag},
        ).first()
        if used is None:
            bind.execute(sa.text("DELETE FROM taxonomy WHERE tag = :tag"), {"tag": tag})
