"""A contact as intake sees it after a row was read and normalised. Stdlib only."""

from dataclasses import dataclass, field

# Contact fields a list column can feed (the reader maps headers onto these names).
FIELDS = (
    "email",
    "phone",
    "mobile",
    "first_name",
    "last_name",
    "full_name",
    "company",
    "job_title",
    "industry",
    "website",
    "street",
    "street2",
    "city",
    "region",
    "postcode",
    "country",
    "employees",
    "revenue",
    "notes",
)

# The most characters a stored contact field holds (intake's contacts columns are declared
# with these): a longer value is a row error for that field, never a failed insert.
MAX_LENGTHS = {
    "email": 320, "phone": 40, "first_name": 200, "last_name": 200, "company": 300,
    "company_key": 300, "job_title": 300, "industry": 200, "website_domain": 255, "street": 300,
    "city": 200, "region": 200, "postcode": 40, "country": 60,
}  # fmt: skip


@dataclass(frozen=True)
class RawRow:
    """One data row of a list: its 1-based line number in the file, mapped fields, the rest."""

    row_number: int
    values: dict[str, str]
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RowError:
    """Why (part of) a row was refused: reported as row, column, value, reason."""

    row_number: int
    column: str
    value: str
    reason: str


@dataclass
class NormalisedContact:
    """Normalised values used for storage and matching; `None` means blank."""

    row_number: int
    email: str | None = None  # lower-cased, validated syntax
    phone: str | None = None  # E.164
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None  # as given, trimmed
    company_key: str | None = None  # folded: case, punctuation, legal suffixes removed
    job_title: str | None = None
    industry: str | None = None
    website_domain: str | None = None  # registrable domain, e.g. example.co.uk
    street: str | None = None  # normalised: case, spacing, common abbreviations
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 when recognised
    employees: int | None = None
    notes: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)
