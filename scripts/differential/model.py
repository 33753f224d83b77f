"""The normalized model every dumper prints, and the helpers that build it.

One model per message (a JSON object):

    leaves      [{"type", "filename", "sha256"}] in document order; multiparts and
                message/rfc822 (message/global) entities are containers, not leaves: the
                leaves of an attached message are its inner parts (a single-part attached
                message contributes its body as one leaf)
    text        the first text/plain leaf of the top-level entity (not inside an attached
                message, not Content-Disposition: attachment), charset-decoded by the peer,
                CRLF/CR -> LF, trailing white space stripped; null when there is none
                or when it is empty (tools differ on listing empty bodies)
    subject     decoded, surrounding white space stripped; null when absent
    from        the first address's addr-spec, lower-case; null when absent or unparsable
    date        UTC, "YYYY-MM-DDTHH:MM:SSZ"; null when absent or unparsable
    message_id  without angle brackets; null when absent

Values that a peer's API hands over only as raw text (MIME-tools' Message-ID, for one)
go through the same helpers here, so no peer is favoured by our own normalization.
"""
import re
from datetime import datetime, timezone

MSGID_RE = re.compile(r"<([^<>]*)>")


def norm_text(s):
    if s is None:
        return None
    s = s.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return s or None


def norm_subject(s):
    if s is None:
        return None
    return s.strip()


def norm_addr(s):
    if s is None:
        return None
    s = s.strip().lower()
    return s or None


def norm_msgid(s):
    """The first <...> when there is one, else the stripped value; None when empty."""
    if s is None:
        return None
    m = MSGID_RE.search(s)
    v = m.group(1) if m else s
    v = v.strip()
    return v or None


def norm_date(dt):
    """A datetime (aware; naive means UTC) -> the UTC ISO string."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def norm_date_str(s):
    """An ISO-8601 string from a tool -> the same UTC form (None stays None)."""
    if not s:
        return None
    s = s.strip().replace("Z", "+00:00")
    try:
        return norm_date(datetime.fromisoformat(s))
    except ValueError:
        return s


def normalize(model):
    """Applies the common normalization to a model a dumper produced (idempotent)."""
    return {
        "leaves": [
            {"type": (l.get("type") or "").lower(), "filename": l.get("filename"), "sha256": l.get("sha256")}
            for l in model.get("leaves") or []
        ],
        "text": norm_text(model.get("text")),
        "subject": norm_subject(model.get("subject")),
        "from": norm_addr(model.get("from")),
        "date": norm_date_str(model.get("date")),
        "message_id": norm_msgid(model.get("message_id")),
    }


DIMENSIONS = ["structure", "filenames", "sha256", "text", "subject", "from", "date", "message_id"]


def dimension(model, dim):
    """The value compared for one dimension (hashable)."""
    leaves = model["leaves"]
    if dim == "structure":
        return tuple(l["type"] for l in leaves)
    if dim == "filenames":
        return tuple(l["filename"] for l in leaves)
    if dim == "sha256":
        return tuple(l["sha256"] for l in leaves)
    return model[dim]
