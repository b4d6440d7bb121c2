"""Which column of a purchased list feeds which contact field: synonyms and explicit mappings.

Headers match ignoring case, accents, spacing and punctuation ("E-mail Address", "e_mail
address" and "EMAIL ADDRESS" are one key). English plus common German, French and Spanish
spellings, and CRM export headers (HubSpot "State/Region", Salesforce "Mailing Zip/Postal Code";
the slash folds away: "stateregion"). An explicit mapping {header: field} wins over synonyms; a
field is fed by one column.
"""

import re
import unicodedata

from rainmaker_intake.domain.contact import FIELDS
from rainmaker_intake.domain.model import InvalidUpload

_TABLE = """
email: email, e-mail, email address, e-mail address, mail, mail address, work email,
    business email, primary email, email 1, e-mail-adresse, emailadresse, courriel,
    adresse e-mail, adresse email, mél, correo, correo electrónico, email (work)
phone: phone, telephone, phone number, tel, tel no, telephone number, work phone,
    business phone, office phone, direct phone, direct dial, main phone, phone 1, landline,
    telefon, telefonnummer, rufnummer, téléphone, numéro de téléphone, teléfono,
    número de teléfono
mobile: mobile, mobile phone, mobile number, cell, cell phone, cellular, mobil, handy,
    handynummer, mobilnummer, mobiltelefon, portable, téléphone portable, móvil, celular,
    teléfono móvil, mobile phone number
first_name: first name, first, given name, forename, christian name, fname, vorname, prénom,
    nombre, nombre de pila
last_name: last name, last, surname, family name, lname, nachname, familienname,
    nom de famille, nom, apellido, apellidos
full_name: full name, name, contact, contact name, contact person, person, display name,
    ansprechpartner, kontakt, kontaktperson, nom complet, nombre completo
company: company, company name, organisation, organization, org, account, account name,
    employer, business, business name, firma, firmenname, unternehmen, société, entreprise,
    raison sociale, empresa, compañía, nombre de la empresa, organisation name,
    organization name
job_title: job title, title, position, role, job, job role, designation, function,
    berufsbezeichnung, funktion, stellung, poste, fonction, titre, cargo, puesto
industry: industry, sector, vertical, branche, industrie, secteur, secteur d'activité,
    industria, sic description
website: website, web site, url, domain, web, homepage, home page, site, www,
    company website, company domain, webseite, internetseite, site web, site internet,
    sitio web, página web, website url
street: street, street address, address, address line 1, address 1, addr1, street 1,
    street line 1, mailing street, billing street, strasse, straße, straße und hausnummer,
    adresse, anschrift, rue, adresse ligne 1, dirección, calle
street2: address line 2, address 2, addr2, street 2, street line 2, adresszusatz,
    complément d'adresse, adresse ligne 2, dirección 2, street address 2
city: city, town, locality, mailing city, billing city, ort, stadt, wohnort, ville, ciudad,
    localidad
region: state, province, region, county, state/province, mailing state, billing state,
    bundesland, département, région, estado, provincia, state/region, province/state,
    mailing state/province, billing state/province
postcode: postcode, post code, postal code, zip, zip code, zip/postal code, mailing zip,
    billing zip, postleitzahl, plz, code postal, cp, código postal, postal/zip code,
    mailing zip/postal code, billing zip/postal code
country: country, nation, country code, mailing country, billing country, land, pays, país,
    country/region
employees: employees, no. of employees, number of employees, # employees, employee count,
    headcount, staff, company size, size, mitarbeiter, anzahl mitarbeiter, mitarbeiterzahl,
    beschäftigte, effectif, effectifs, nombre d'employés, empleados, número de empleados
revenue: revenue, annual revenue, turnover, sales, umsatz, jahresumsatz, chiffre d'affaires,
    ingresos, facturación
notes: notes, note, comments, comment, remarks, description, bemerkung, bemerkungen,
    notizen, kommentar, anmerkungen, remarques, commentaires, notas, comentarios,
    observaciones
"""


def _parse(table: str) -> dict[str, tuple[str, ...]]:
    entries = re.split(r"\n(?=\w+:)", table.strip())
    pairs = (entry.split(":", 1) for entry in entries)
    return {f: tuple(s.strip() for s in syns.split(",")) for f, syns in pairs}


SYNONYMS: dict[str, tuple[str, ...]] = _parse(_TABLE)

# "Name" next to "Vorname"/"First name" means the surname (German lists, French "Nom").
_BARE_NAMES = frozenset({"name"})


def header_key(header: str) -> str:
    """Case, accent, spacing and punctuation folded: "E-Mail Adresse" -> "emailadresse"."""
    folded = unicodedata.normalize("NFKD", header.casefold())
    return "".join(c for c in folded if c.isalnum())


_LOOKUP = {header_key(s): field for field, syns in SYNONYMS.items() for s in syns}


def synonym_field(header: str) -> str | None:
    return _LOOKUP.get(header_key(header))


def map_headers(headers: list[str], explicit: dict[str, str] | None = None) -> dict[int, str]:
    """Column index -> field. Explicit entries ({header: field}, "" = keep as attribute) win."""
    mapping: dict[int, str] = {}
    pinned: set[int] = set()
    for header, field in (explicit or {}).items():
        index = _find(headers, header)
        if field and field not in FIELDS:
            raise InvalidUpload(f"mapping: {field!r} is not a contact field ({', '.join(FIELDS)})")
        if field in mapping.values():
            raise InvalidUpload(f"mapping: field {field!r} is mapped from two columns")
        pinned.add(index)
        if field:
            mapping[index] = field
    taken = set(mapping.values())
    for index, header in enumerate(headers):
        found = None if index in pinned else synonym_field(header)
        if found and found not in taken:
            mapping[index] = found
            taken.add(found)
    return _bare_name_is_surname(headers, mapping, pinned)


def _find(headers: list[str], header: str) -> int:
    if header in headers:
        return headers.index(header)
    keys = [header_key(h) for h in headers]
    if header_key(header) in keys:
        return keys.index(header_key(header))
    raise InvalidUpload(f"mapping: the file has no column {header!r}")


def _bare_name_is_surname(
    headers: list[str], mapping: dict[int, str], pinned: set[int]
) -> dict[int, str]:
    fields = set(mapping.values())
    if "first_name" in fields and "last_name" not in fields:
        for index, field in mapping.items():
            bare = header_key(headers[index]) in _BARE_NAMES
            if field == "full_name" and index not in pinned and bare:
                mapping[index] = "last_name"
                break
    return mapping
