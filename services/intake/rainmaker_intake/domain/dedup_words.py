"""Word lists for de-duplication: nicknames, legal forms, street words, role mailboxes."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FORMAL = {
    "robert": "bob rob bobby robby bert", "william": "bill will billy willy liam",
    "elizabeth": "liz beth betty eliza lisa lizzy", "katharina": "kathi katja kati",
    "katherine": "kate kathy katie kat", "catherine": "cathy kate cat",
    "margaret": "maggie peggy meg", "richard": "rick dick rich ricky", "james": "jim jimmy jamie",
    "john": "jack johnny", "michael": "mike mick mikey", "thomas": "tom tommy",
    "joseph": "joe joey", "charles": "charlie chuck chas", "christopher": "chris kit",
    "daniel": "dan danny", "matthew": "matt", "anthony": "tony", "edward": "ed ted eddie ned",
    "jennifer": "jen jenny", "patricia": "pat patty trish", "susan": "sue susie",
    "deborah": "deb debbie debby", "alexander": "alex sasha sascha", "andrew": "andy drew",
    "benjamin": "ben benny", "samuel": "sam sammy", "nicholas": "nick nicky", "stephen": "steve",
    "steven": "steve", "timothy": "tim timmy", "jonathan": "jon", "kenneth": "ken kenny",
    "ronald": "ron ronnie", "donald": "don donny", "gregory": "greg", "joshua": "josh",
    "jessica": "jess jessie", "rebecca": "becky becca", "victoria": "vicky tori",
    "christina": "tina", "johannes": "hannes hans", "friedrich": "fritz", "franziska": "franzi",
    "stefanie": "steffi", "gabriele": "gabi", "andreas": "andi", "maximilian": "max",
    "wolfgang": "wolf", "zachary": "zach zack", "nathaniel": "nate nat",
    "frederick": "fred freddy", "raymond": "ray", "peter": "pete", "michelle": "shelly",
    "jacqueline": "jackie", "dorothy": "dot dottie", "abigail": "abby",
    "александр": "саша", "дмитрий": "дима", "екатерина": "катя", "владимир": "вова",
}  # fmt: skip
NICKNAMES = {nick: formal for formal, nicks in _FORMAL.items() for nick in nicks.split()}
# Trailing legal forms, folded (no dots): "GmbH & Co. KG", "S.A.R.L.", "Aktiengesellschaft".
LEGAL_FORMS = _words(
    "inc incorporated llc ltd limited plc corp corporation co company gmbh ag kg kgaa ohg mbh"
    " aktiengesellschaft ev eg gbr ug se sa sas sarl snc nv bv sl sll slu scoop vof cv srl spa"
    " lp llp pty oy ab as"
)
CONNECTORS = _words("and und et y the &")
STREET_WORDS = {
    "st": "street", "str": "strasse", "ave": "avenue", "av": "avenue", "rd": "road",
    "dr": "drive", "ln": "lane", "ct": "court", "blvd": "boulevard", "bd": "boulevard",
    "pl": "place", "platz": "place", "sq": "square", "ter": "terrace", "pkwy": "parkway",
    "mt": "mount", "hwy": "highway", "n": "north", "s": "south", "e": "east", "w": "west",
    "r": "rue", "c": "calle", "avda": "avenida",
}  # fmt: skip
# Shared mailboxes: the same address does not make two people one.
ROLE_ACCOUNTS = _words(
    "info office contact sales admin hello team mail kontakt service support enquiries"
    " inquiries marketing buero bureau"
)
