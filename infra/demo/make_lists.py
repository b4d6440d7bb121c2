"""Regenerate the demo lists (deterministic): `python infra/demo/make_lists.py`."""

import csv
import random
import zlib
from pathlib import Path

from faker import Faker

HERE = Path(__file__).parent
TITLES = ["CEO", "CTO", "VP Sales", "Head of Marketing", "Software Engineer", "Data Analyst",
          "Procurement Manager", "Director of Operations", "IT Manager", "CFO"]
LISTS = {
    "saas-buyers-emea.csv": ("Software", 120, "de_DE"),
    "manufacturing-leaders.csv": ("Manufacturing", 80, "en_GB"),
}


def main() -> None:
    random.seed(7)
    shared: list[list[str]] = []
    for name, (industry, rows, locale) in LISTS.items():
        fake = Faker(locale)
        fake.seed_instance(zlib.crc32(name.encode()))
        out = []
        for _ in range(rows):
            first, last = fake.first_name(), fake.last_name()
            company = fake.company()
            domain = company.lower().split()[0].strip(",.") + ".example"
            out.append([first, last, f"{first}.{last}@{domain}".lower(), company,
                        random.choice(TITLES), industry, fake.city(), fake.country()])
        out += shared[:15]  # overlap with the first list: the second list re-buys 15 contacts
        shared = out
        with (HERE / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["First Name", "Last Name", "E-mail Address", "Company Name",
                             "Job Title", "Industry", "City", "Country"])
            writer.writerows(out)


if __name__ == "__main__":
    main()
