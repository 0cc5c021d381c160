"""Plain-words descriptions of every rule id a list decision can carry.

R-numbers are the rules of shared/reference/compliance.md; C-numbers are the project's
own rules from CONTRACT section 4."""

RULES = {
    "C01": "the voter record is confidential (NC confidential_ind or Florida public-records exemption)",
    "C02": "the registration is removed or denied",
    "C03": "no valid NANP phone number",
    "C04": "landline number on an SMS channel",
    "C05": "the phone is shared with a household member who is contacted instead",
    "R03": "not a wireless number (this channel holds wireless numbers only)",
    "R04": "not a landline or fixed VoIP number (prerecorded landline calls)",
    "R05": "no line-type check in the last 15 days (prerecorded landline calls)",
    "R06": "wireless without valid prior express consent for {caller_entity}",
    "R07": "wireless without valid autodialer consent for {caller_entity}",
    "R09": "opted out on or before as-of",
    "R11": "opted out by text reply on or before as-of",
    "R13": "already 3 prerecorded calls in the last 30 days",
    "R20": "on a do-not-call list (commercial purpose)",
    "R22": "IN, MN or ND number without consent or a live operator",
    "R23": "NH number on the federal do-not-call list (prerecorded)",
    "R24": "toll-free number without consent",
    "R26": "voter-file record from a state that forbids commercial use",
    "R28": "a wrong-number disposition was recorded",
}


def describe(rule_id: str, caller_entity: str = "the caller entity") -> str:
    return RULES.get(rule_id, "rule not described").format(caller_entity=caller_entity)
