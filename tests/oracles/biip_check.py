"""Parse the GS1 corpus with biip (an independent GS1 parser) and print what it found,
one JSON object per line, for tests/it/gs1_oracle.rs to compare with lotstation's own
parse. Usage: python biip_check.py CASES.jsonl"""

import json
import sys

from biip.gs1_messages import GS1Message

AIM_GS1 = ("]C1", "]d2", "]Q3", "]e0")


def parse(text):
    if text.startswith("("):
        return GS1Message.parse_hri(text)
    for aim in AIM_GS1:
        if text.startswith(aim):
            text = text[len(aim):]
            break
    return GS1Message.parse(text.lstrip("\x1d"))


for line in open(sys.argv[1], encoding="utf-8"):
    case = json.loads(line)
    out = {"input": case["input"]}
    try:
        message = parse(case["input"])
        errors = [
            e
            for es in message.element_strings
            for e in (getattr(es, "gtin_error", None), getattr(es, "sscc_error", None))
            if e
        ]
        out["ok"] = not errors
        out["errors"] = errors
        out["hri"] = message.as_hri()
        out["elements"] = [[es.ai.ai, es.value] for es in message.element_strings]
        expiry = next((es.date for es in message.element_strings if es.ai.ai == "17"), None)
        out["expiry"] = expiry.isoformat() if expiry else None
        weight = next(
            (es.decimal for es in message.element_strings if es.ai.ai.startswith("310")),
            None,
        )
        out["net_mg"] = int(weight * 1_000_000) if weight is not None else None
    except Exception as e:  # biip raises ParseError (and ValueError on bad dates)
        out["ok"] = False
        out["errors"] = [f"{type(e).__name__}: {e}"]
    print(json.dumps(out))
