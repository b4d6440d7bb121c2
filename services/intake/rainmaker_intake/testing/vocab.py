"""Words the generator draws on: legal forms, industries, company patterns, street words."""

# Legal-form families: any member may stand in for another (Acme Inc / ACME Incorporated).
SUFFIX_FAMILIES = (
    ("Inc", "Inc.", "Incorporated", "INC"), ("LLC", "L.L.C.", "Llc"), ("Ltd", "Ltd.", "Limited"),
    ("PLC", "plc"), ("Corp", "Corp.", "Corporation"), ("GmbH", "G.m.b.H.", "Gmbh"),
    ("AG", "Aktiengesellschaft"), ("SA", "S.A."), ("SARL", "S.A.R.L.", "Sarl"), ("NV", "N.V."),
    ("BV", "B.V."), ("S.L.", "SL"), ("SAS",), ("KG",), ("OHG",), ("KGaA",), ("GmbH & Co. KG",),
    ("GmbH & Co. OHG",), ("GmbH & Co. KGaA",), ("AG & Co. KG",), ("AG & Co. KGaA",), ("mbH",),
    ("OHG mbH",), ("e.V.",), ("e.G.",), ("GbR",), ("S.Coop.",), ("S.L.L.",), ("VOF",), ("CV",),
)  # fmt: skip
SUFFIXES = {form: family for family in SUFFIX_FAMILIES for form in family}
DEFAULT_SUFFIX = {
    "US": ("Inc", "LLC", "Corp"), "GB": ("Ltd", "PLC"), "DE": ("GmbH", "AG"), "FR": ("SA", "SARL"),
    "ES": ("S.L.", "SA"), "NL": ("BV", "NV"),
}  # fmt: skip
INDUSTRIES = (
    "Software", "Manufacturing", "Retail", "Logistics", "Healthcare", "Financial Services",
    "Insurance", "Construction", "Education", "Energy", "Telecommunications", "Hospitality",
    "Automotive", "Pharmaceuticals", "Media", "Consulting", "Real Estate", "Agriculture",
)  # fmt: skip
FREEMAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "web.de", "gmx.de")
FILLERS = ("Group", "Partners", "Solutions", "Systems", "Labs", "Services", "Trading", "Works")


PATTERNS = {
    "en": ("{a}", "{a}-{b}", "{a}-{b}", "{a}, {b} and {c}", "{a} & {b}", "{a} {w}"),
    "de": ("{a}", "{a} {b}", "{a} & {b}", "{a}-{b}", "{a} {w}"),
    "fr": ("{a}", "{a} {b}", "{a} et {b}", "{a} {w}"),
    "es": ("{a}", "{a} y {b}", "{a} {b}", "{a} {w}"),
    "nl": ("{a}", "{a} & {b}", "{a} {w}"),
}  # fmt: skip


STREET_ABBREVIATIONS = {
    "Street": "St", "Avenue": "Ave", "Road": "Rd", "Drive": "Dr", "Lane": "Ln", "Court": "Ct",
    "Boulevard": "Blvd", "Place": "Pl", "Square": "Sq", "Terrace": "Ter", "Parkway": "Pkwy",
    "Mount": "Mt", "North": "N", "South": "S", "rue": "r.", "avenue": "av.", "Calle": "C/",
    "Avenida": "Avda.", "Platz": "Pl.",
}  # fmt: skip
