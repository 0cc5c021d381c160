"""THE NAIVE BASELINE of `make bench` (issue 12), NOT a compliant tool: what a campaign analyst
writes in an afternoon with pandas + phonenumbers. One manual-call list from the NC voter
files with the three simplest rules: drop opt-outs, drop numbers on the federal DNC list,
drop invalid numbers (plus active/inactive voters only, one row per phone). It ignores
quarantine, consent, line types, time zones, state rules, the ledger and every other rule of
reference/compliance.md. Usage: python bench/naive_script.py INBOX OUT.csv
"""
import glob
import sys

import pandas as pd
import phonenumbers

inbox, out = sys.argv[1], sys.argv[2]
frames = []
for path in sorted(glob.glob(f"{inbox}/voters/ncvoter*.txt")):
    frames.append(pd.read_csv(path, sep="\t", dtype=str, on_bad_lines="skip", quoting=3,
                              usecols=["ncid", "first_name", "last_name", "status_cd", "full_phone_number"]))
voters = pd.concat(frames)
voters = voters[voters["status_cd"].isin(["A", "I"]) & voters["full_phone_number"].notna()]


def e164(text):
    try:
        number = phonenumbers.parse(str(text), "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


voters["phone"] = voters["full_phone_number"].map(e164)
voters = voters[voters["phone"].notna()]

opt_outs = pd.concat(pd.read_csv(p, dtype=str, on_bad_lines="skip") for p in glob.glob(f"{inbox}/opt_outs/**/*.csv", recursive=True))
opted_out = set(opt_outs["phone"].map(e164).dropna())
dnc = set()
for path in glob.glob(f"{inbox}/dnc/federal/dnc_full_*.txt"):
    with open(path) as handle:
        dnc.update("+1" + line.strip().replace(",", "") for line in handle if line.strip())

calls = voters[~voters["phone"].isin(opted_out) & ~voters["phone"].isin(dnc)].drop_duplicates("phone")
calls[["ncid", "first_name", "last_name", "phone"]].to_csv(out, index=False)
print(f"{len(calls):,} rows written to {out}")
