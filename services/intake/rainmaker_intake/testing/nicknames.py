"""Nicknames the generator substitutes for given names (its own table, not the matcher's)."""

NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Betty"), "Katharina": ("Kathi", "Katja"),
    "Katherine": ("Kate", "Kathy", "Katie"), "Catherine": ("Cathy", "Kate"),
    "Margaret": ("Maggie", "Peggy", "Meg"), "Richard": ("Rick", "Dick", "Rich"),
    "James": ("Jim", "Jimmy"), "John": ("Jack", "Johnny"), "Michael": ("Mike", "Mick"),
    "Thomas": ("Tom", "Tommy"), "Joseph": ("Joe",), "Charles": ("Charlie", "Chuck"),
    "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Anthony": ("Tony",), "Edward": ("Ed", "Ted", "Eddie"), "Jennifer": ("Jen", "Jenny"),
    "Patricia": ("Pat", "Patty"), "Susan": ("Sue", "Susie"), "Deborah": ("Deb", "Debbie"),
    "Alexander": ("Alex",), "Andrew": ("Andy", "Drew"), "Benjamin": ("Ben",),
    "Samuel": ("Sam",), "Nicholas": ("Nick",), "Stephen": ("Steve",), "Steven": ("Steve",),
    "Timothy": ("Tim",), "Jonathan": ("Jon",), "Kenneth": ("Ken",), "Ronald": ("Ron",),
    "Donald": ("Don",), "Gregory": ("Greg",), "Joshua": ("Josh",), "Jessica": ("Jess",),
    "Rebecca": ("Becky",), "Victoria": ("Vicky",), "Christina": ("Tina",),
    "Johannes": ("Hannes", "Hans"), "Friedrich": ("Fritz",), "Franziska": ("Franzi",),
    "Alexandra": ("Alex",), "Stefanie": ("Steffi",), "Gabriele": ("Gabi",),
    "Andreas": ("Andi",), "Maximilian": ("Max",), "Wolfgang": ("Wolf",),
    "Александр": ("Саша",), "Дмитрий": ("Дима",), "Екатерина": ("Катя",),
    "Michelle": ("Shelly",), "Jacqueline": ("Jackie",), "Zachary": ("Zach",),
    "Nathaniel": ("Nate",), "Frederick": ("Fred",), "Raymond": ("Ray",), "Peter": ("Pete",),
}  # fmt: skip
_CANON = {nick.lower(): formal.lower() for formal, nicks in NICKNAMES.items() for nick in nicks}


def canonical(first: str) -> str:
    """The formal form of a lower-case given name, or the name itself."""
    return _CANON.get(first, first)
