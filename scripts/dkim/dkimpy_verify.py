#!/usr/bin/env python3
"""dkimpy's verdict on messages, with keys from a zone file in emlkit's
`--dkim-keys` form (TXT records, several strings joined, parentheses
continuing a record). Nothing is looked up on the network.

    python3 scripts/dkim/dkimpy_verify.py ZONE FILE...

Prints one JSON object per file: {"file", "verified" (dkimpy's
dkim.verify: true/false), "reason" (dkimpy's message when it failed)}.
Exit 77 when dkimpy is not installed (pip install dkimpy).
"""
import json
import re
import sys

try:
    import dkim
except ImportError as e:  # pragma: no cover
    print(f"skip: {e} (pip install dkimpy)", file=sys.stderr)
    sys.exit(77)


def zone_records(text):
    # Comments start with ';' outside quotes; records may span lines in ( ).
    text = re.sub(r';[^"\n]*$', "", text, flags=re.M)
    records = {}
    for m in re.finditer(r'^([^;\s]\S*)[^"(]*\(?\s*((?:"[^"]*"\s*)+)\)?', text, re.M):
        name = m.group(1).rstrip(".").lower().encode()
        records[name] = "".join(re.findall(r'"([^"]*)"', m.group(2))).encode()
    return records


def main():
    records = zone_records(open(sys.argv[1]).read())

    def dnsfunc(name, timeout=5):
        return records.get(name.rstrip(b".").lower())

    for path in sys.argv[2:]:
        msg = open(path, "rb").read()
        d = dkim.DKIM(msg)
        reason = None
        try:
            ok = bool(d.verify(dnsfunc=dnsfunc))
        except dkim.DKIMException as e:
            ok, reason = False, str(e)
        print(json.dumps({"file": path, "verified": ok, "reason": reason}))


if __name__ == "__main__":
    main()
