#!/usr/bin/env python3
"""Writes N random MIME messages and the ground truth the generator knows about them.

    python3 scripts/generated/make.py --count 2000 --out /tmp/gen
    python3 scripts/generated/make.py --count 20 --out /tmp/gen --seed 7

Output: DIR/eml/NNNNN.eml (one message each) and DIR/expected.jsonl (one line per
message, in file order). Python 3.11 standard library only; the same seed and count
always give the same bytes (message i depends only on the seed and i).

Every byte of every message is written here (no email.generator): random trees of
multipart/mixed, alternative, related, digest (members without a Content-Type, which
default to message/rfc822) and parallel; attached message/rfc822 nested up to three
deep; leaves text/plain, text/html, application/octet-stream, image/png and
application/pdf; transfer encodings 7bit, 8bit, base64 and quoted-printable; 17
charsets for text bodies and subjects; file names in every RFC 2047 / RFC 2231 form;
LF or CRLF line ends per message; boundaries that never occur inside the content they
enclose.

The truth in expected.jsonl is what the generator put in, not what a parser says:

    file        the message's file name under DIR/eml/
    eol         "lf" or "crlf"
    subject     the decoded Subject
    subject_form  how it was written: plain, b, q, mixed (B and Q words), charsets
                (several charsets), lang (RFC 2231 language tags in the words)
    subject_split_inside  true when adjacent encoded words split one character (a
                UTF-8 sequence or an iso-2022-jp double-byte run); RFC 2047 §5 forbids
                it, decoders that join adjacent words of one charset first still read it
    subject_charsets  the charsets of its encoded words
    subject_bom_lookalike, text_bom_lookalike  the text starts with characters whose
                bytes in its charset are a byte order mark (windows-1251 "юя" is FE FF)
    text_id, text_charset  that body's part id and the charset it was written in
    text        the text of the message's text body (what emlkit `json` puts in
                text[0]: the first text/plain leaf outside attached messages that is not
                an attachment, through the first alternative holding text/plain of
                every multipart/alternative above it), or null
    parts       the part tree in pre-order, ids as emlkit numbers them (RFC 3501
                section numbers: a multipart root is 0, a single-part body 1; inside an
                attached message X its multipart root is X.0, a single body X.1):
                {id, kind (multipart|message|leaf), type, filename, filename_form,
                 sha256 (leaves: of the transfer-decoded bytes), cte, charset}, and
                for a named part filename_charset and filename_bom_lookalike
"""
import argparse
import base64
import hashlib
import json
import os
import random
import sys

# ---------------------------------------------------------------------------
# Charsets: (labels as written, Python codec, non-ASCII characters it encodes)

CHARSETS = {
    "utf-8": (["utf-8", "UTF-8", "Utf-8"], "utf-8",
              "äöüßéèçñøåłżčřšžёжщыэюяαβγδ中文日本語한국어€—“”✓🙂"),
    "iso-8859-1": (["iso-8859-1", "ISO-8859-1"], "iso-8859-1",
                   "äöüßéèêçñøåÄÖÜÉÀÇ¡¿£§°±µ»«"),
    "iso-8859-2": (["iso-8859-2", "ISO-8859-2"], "iso-8859-2",
                   "ąćęłńóśźżĄĆĘŁŃÓŚŹŻčďěňřšťůžČŘŠŽ"),
    "iso-8859-5": (["iso-8859-5", "ISO-8859-5"], "iso-8859-5",
                   "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЖЁё№"),
    "iso-8859-7": (["iso-8859-7", "ISO-8859-7"], "iso-8859-7",
                   "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΩάέήίόύώ"),
    "iso-8859-15": (["iso-8859-15", "ISO-8859-15"], "iso-8859-15",
                    "€œŒšŠžŽŸàéèçäöü"),
    "windows-1250": (["windows-1250", "Windows-1250"], "cp1250",
                     "ąćęłńóśźżčďěňřšťůž„”–"),
    "windows-1251": (["windows-1251", "Windows-1251"], "cp1251",
                     "абвгдежзийклмнопрстуфхцчшщъыьэюяЁёЄєЇїІі№"),
    "windows-1252": (["windows-1252", "Windows-1252"], "cp1252",
                     "€„…†‡‰Š‹ŒŽ‘’“”•–—™š›œžŸäöüé"),
    "koi8-r": (["koi8-r", "KOI8-R"], "koi8_r",
               "абвгдежзийклмнопрстуфхцчшщъыьэюяЁё"),
    "koi8-u": (["koi8-u", "KOI8-U"], "koi8_u",
               "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяҐЄІЇ"),
    "gb2312": (["gb2312", "GB2312", "gbk", "GBK"], "gbk",
               "中文简体邮件测试附件你好世界报告数据"),
    "big5": (["big5", "Big5", "BIG5"], "big5",
             "中文繁體郵件測試附件你好世界報告資料"),
    "euc-kr": (["euc-kr", "EUC-KR"], "euc_kr",
               "한국어메일테스트첨부파일안녕하세요보고서"),
    "shift_jis": (["shift_jis", "Shift_JIS", "SHIFT_JIS"], "shift_jis",
                  "日本語メールテストひらがなカタカナ漢字添付資料"),
    "euc-jp": (["euc-jp", "EUC-JP"], "euc_jp",
               "日本語メールテストひらがなカタカナ漢字添付資料"),
    "iso-2022-jp": (["iso-2022-jp", "ISO-2022-JP"], "iso2022_jp",
                    "日本語メールテストひらがなカタカナ漢字添付資料"),
}
CHARSET_NAMES = list(CHARSETS)
MULTIBYTE_SPLITTABLE = ("utf-8", "iso-2022-jp")

for _name, (_labels, _codec, _chars) in CHARSETS.items():
    for _c in _chars:
        assert _c.encode(_codec).decode(_codec) == _c, (_name, _c)


def _bom_lookalikes(codec):
    """Texts whose bytes in this single-byte charset are a UTF-16 or UTF-8 byte
    order mark (windows-1251 "юя" is FE FF): a decoder that sniffs a BOM instead of
    following the declared charset misreads them."""
    out = []
    for b in (b"\xfe\xff", b"\xff\xfe", b"\xef\xbb\xbf"):
        try:
            t = b.decode(codec)
        except UnicodeDecodeError:
            continue
        if t.encode(codec) == b and all(c.isprintable() and ord(c) >= 0xA0 for c in t):
            out.append(t)
    return out


BOM_LOOKALIKES = {
    name: _bom_lookalikes(codec)
    for name, (_, codec, _) in CHARSETS.items()
    if name not in ("utf-8", "gb2312", "big5", "euc-kr", "shift_jis", "euc-jp", "iso-2022-jp")
}

def looks_like_bom(text, cs):
    return any(text.startswith(x) for x in BOM_LOOKALIKES.get(cs, []))


ASCII_WORDS = ("alpha beta gamma delta report invoice meeting draft notes budget "
               "plan review summary update agenda minutes offer order photo scan "
               "contract letter data").split()
PUNCT = list(",.;:!?()-_=+/&%$#@'\"[]") + ["=?", "?=", "=3D", "_x_", "a=b"]


class Gen:
    """One message's generator (its own random stream, its own line ends)."""

    def __init__(self, rng, index):
        self.rng = rng
        self.index = index
        self.eol = rng.choice(["\n", "\r\n"])
        self.beol = self.eol.encode()
        self.boundaries = 0
        self.msgs = 0

    # ---- text -----------------------------------------------------------

    def word(self, cs, foreign=0.5):
        r = self.rng
        chars = CHARSETS[cs][2]
        if r.random() < foreign:
            return "".join(r.choice(chars) for _ in range(r.randint(1, 6)))
        w = r.choice(ASCII_WORDS)
        if r.random() < 0.1:
            w += r.choice(PUNCT)
        return w

    def phrase(self, cs, lo, hi, foreign=0.5):
        return " ".join(self.word(cs, foreign) for _ in range(self.rng.randint(lo, hi)))

    def text_lines(self, cs):
        """A body text with "\\n" line ends: short and long lines, some trailing
        white space, sometimes no final newline, rarely empty."""
        r = self.rng
        if r.random() < 0.03:
            return ""
        lines = []
        for _ in range(r.randint(1, 8)):
            kind = r.random()
            if kind < 0.15:
                line = ""
            elif kind < 0.3:
                line = self.phrase(cs, 12, 30)  # long: soft breaks in quoted-printable
            else:
                line = self.phrase(cs, 1, 8)
            if line and r.random() < 0.1:
                line += r.choice([" ", "  ", "\t", " \t "])
            if r.random() < 0.05:
                line = r.choice(["--", "-- ", "From me", ".", "=", "=?x?="]) + line
            lines.append(line)
        text = "\n".join(lines)
        if r.random() < 0.8:
            text += "\n"
        return self.bom_prefix(cs) + text

    def bom_prefix(self, cs):
        """Rarely, a start whose bytes look like a byte order mark in `cs`."""
        if BOM_LOOKALIKES.get(cs) and self.rng.random() < 0.01:
            return self.rng.choice(BOM_LOOKALIKES[cs])
        return ""

    # ---- headers ----------------------------------------------------------

    def name(self, canonical):
        """A header field name, sometimes in another letter case."""
        r = self.rng.random()
        if r < 0.1:
            return canonical.lower()
        if r < 0.15:
            return canonical.upper()
        return canonical

    def fold(self, name, items, sep=";"):
        """`name: items[0]; items[1]; …`, folded before an item when the line
        would pass 76 characters."""
        line = f"{name}: {items[0]}"
        out = []
        for it in items[1:]:
            if len(line) + len(it) + 2 > 76 or self.rng.random() < 0.1:
                out.append(line + sep)
                line = self.rng.choice([" ", "\t", "  "]) + it
            else:
                line += sep + " " + it
        out.append(line)
        return "\n".join(out)

    # ---- encoded words (RFC 2047) -------------------------------------------

    @staticmethod
    def q_encode(b):
        out = []
        for x in b:
            c = chr(x)
            if c == " ":
                out.append("_")
            elif c.isascii() and (c.isalnum() or c in "!*+-/"):
                out.append(c)
            else:
                out.append("=%02X" % x)
        return "".join(out)

    def ew(self, label, enc, b, lang=None):
        cs = label + ("*" + lang if lang else "")
        if enc in "Bb":
            payload = base64.b64encode(b).decode()
        else:
            payload = self.q_encode(b)
        return f"=?{cs}?{enc}?{payload}?="

    def ew_len(self, label, enc, b):
        return len(self.ew(label, enc, b))

    def encode_words(self, text, cs, enc, split_inside=False, lang=None):
        """Encoded words for `text`, each at most 75 characters. Normally every word
        holds whole characters (and, for iso-2022-jp, ends in ASCII); with
        `split_inside` the charset's bytes are cut at arbitrary places."""
        labels, codec, _ = CHARSETS[cs]
        label = self.rng.choice(labels)
        words = []
        if split_inside:
            data = text.encode(codec)
            i = 0
            while i < len(data):
                n = self.rng.randint(3, 14)
                chunk = data[i:i + n]
                while len(chunk) > 1 and self.ew_len(label, enc, chunk) > 75:
                    chunk = chunk[:-1]
                words.append(self.ew(label, enc, chunk, lang))
                i += len(chunk)
            return words
        chunk = ""
        for ch in text:
            cand = chunk + ch
            if chunk and (len(self.ew(label, enc, cand.encode(codec), lang)) > 75
                          or self.rng.random() < 0.05):
                words.append(self.ew(label, enc, chunk.encode(codec), lang))
                chunk = ch
            else:
                chunk = cand
        if chunk:
            words.append(self.ew(label, enc, chunk.encode(codec), lang))
        return words

    def splits_a_character(self, text, cs, words):
        """Whether the byte cuts between `words` fall inside a character (utf-8) or
        inside a double-byte run (iso-2022-jp)."""
        codec = CHARSETS[cs][1]
        data = text.encode(codec)
        cuts, pos = [], 0
        for w in words[:-1]:
            payload = w.split("?")[3]
            enc = w.split("?")[2]
            if enc in "Bb":
                n = len(base64.b64decode(payload))
            else:
                n = len(payload) - 2 * payload.count("=")
            pos += n
            cuts.append(pos)
        if cs == "utf-8":
            return any(0 < c < len(data) and (data[c] & 0xC0) == 0x80 for c in cuts)
        # iso-2022-jp: inside a run between ESC $ B and ESC ( B
        inside = set()
        state, i = False, 0
        while i < len(data):
            if data[i:i + 3] == b"\x1b$B":
                state = True
                i += 3
                continue
            if data[i:i + 3] == b"\x1b(B":
                state = False
                i += 3
                continue
            if state:
                inside.add(i)
            i += 1
        return any(c in inside for c in cuts)

    def subject(self):
        """(header value with folds as "\\n", decoded text, form, split flag, charsets)."""
        r = self.rng
        roll = r.random()
        prefix = r.choice(["", "", "Re: ", "Fwd: ", "[list] ", "AW: "])
        suffix = r.choice(["", "", "", " (2)", " [ticket 42]"])
        if roll < 0.08:
            text = prefix + self.phrase("utf-8", 2, 14, foreign=0.0) + suffix
            return self.fold_plain(text), text, "plain", False, [], False
        split = False
        lang = None
        if roll < 0.3:
            cs = r.choice(MULTIBYTE_SPLITTABLE)
            split = True
        else:
            cs = r.choice(CHARSET_NAMES)
        body = self.bom_prefix(cs) + (self.phrase(cs, 1, 9, foreign=0.7).strip() or "x")
        form_enc = r.choice(["B", "Q", "b", "q", "mixed"])
        charsets = [cs]
        if roll > 0.97:
            lang = r.choice(["en", "de", "ja", "en-US"])
        if split and form_enc == "mixed":
            form_enc = r.choice("BQ")
        if form_enc == "mixed" or (roll > 0.9 and not split):
            # two halves, second in B or Q, maybe another charset
            cut = r.randint(0, len(body))
            a, b_ = body[:cut], body[cut:]
            cs2 = cs if r.random() < 0.5 else r.choice(CHARSET_NAMES)
            # only characters of cs2's own repertoire (Python's big5 also has
            # kana, which WHATWG's Big5 maps elsewhere: not a truth we know)
            if not all(c.isascii() or c in CHARSETS[cs2][2] for c in b_):
                cs2 = cs
            enc1 = r.choice("BQ")
            enc2 = "Q" if enc1 == "B" else "B"
            words = []
            if a:
                words += self.encode_words(a, cs, enc1, lang=lang)
            if b_:
                words += self.encode_words(b_, cs2, enc2, lang=lang)
            if cs2 != cs:
                charsets.append(cs2)
            form = "charsets" if cs2 != cs else "mixed"
        else:
            words = self.encode_words(body, cs, form_enc.upper() if r.random() < 0.7 else form_enc,
                                      split_inside=split, lang=lang)
            form = form_enc.lower()
            if split:
                split = self.splits_a_character(body, cs, words)
        if lang:
            form = "lang"
        # between adjacent encoded words: white space only (dropped when decoding)
        ws = [r.choice([" ", "\n ", "\n\t", "  "]) for _ in words]
        line = ""
        value = prefix
        for i, w in enumerate(words):
            if i > 0:
                sep = ws[i]
                if len(line) + len(w) > 70:
                    sep = "\n "
                value += sep
                line = "" if "\n" in sep else line
            value += w
            line += w
        value += suffix
        decoded = prefix + body + suffix
        return value, decoded, form, split, charsets, looks_like_bom(body, cs)

    def fold_plain(self, text):
        out, line = [], []
        for w in text.split(" "):
            if sum(len(x) + 1 for x in line) + len(w) > 60 and line:
                out.append(" ".join(line))
                line = []
            line.append(w)
        out.append(" ".join(line))
        return "\n ".join(out)

    # ---- file names (RFC 2231 / RFC 2047 / quoted strings) -------------------

    @staticmethod
    def pct(b):
        ok = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`{|}~")
        return "".join(chr(x) if x in ok else "%%%02X" % x for x in b)

    @staticmethod
    def quote(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def file_name(self, ext, ascii_only=False, cs=None, specials=False):
        r = self.rng
        if ascii_only:
            base = "_".join(r.choice(ASCII_WORDS) for _ in range(r.randint(1, 3)))
            if specials:
                base = base.replace("_", r.choice([" ", " (1) ", "; ", ", ", " = ", " @ "]), 1)
                base += r.choice(["", " (final)", " [v2]", " #3"])
        else:
            cs = cs or r.choice(CHARSET_NAMES)
            words = [self.word(cs, 0.8) for _ in range(r.randint(1, 4))]
            base = r.choice([" ", "_", "-"]).join(words)
            base = base.replace("/", "-").replace("\\", "-").replace('"', "'")
            base = base.replace("?", "").replace("=", "-").strip() or "x"
            base = self.bom_prefix(cs) + base
            if r.random() < 0.15:
                base = base * r.randint(2, 4)  # long: several continuations
        return base + "." + ext

    def name_params(self, attr, form, name, cs):
        """The parameter strings carrying `name` in `form` under attribute `attr`
        (`filename` or `name`)."""
        r = self.rng
        labels, codec, _ = CHARSETS[cs]
        if form == "token":
            return [f"{attr}={name}"]
        if form in ("quoted", "quoted_pair"):
            return [f"{attr}={self.quote(name)}"]
        if form == "raw_utf8":
            return [f'{attr}="{name}"']
        if form == "2231":
            lang = r.choice(["", "", "en", "de-DE"])
            return [f"{attr}*={r.choice(labels)}'{lang}'{self.pct(name.encode(codec))}"]
        if form in ("2231_cont", "2231_cont_split", "2231_cont_mixed"):
            data = name.encode(codec)
            cuts = self.cont_cuts(name, codec, form == "2231_cont_split")
            segs = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
            out = []
            for i, s in enumerate(segs):
                if i == 0:
                    out.append(f"{attr}*0*={r.choice(labels)}''{self.pct(s)}")
                elif form == "2231_cont_mixed" and s.isascii() and '"' not in s.decode() \
                        and "\\" not in s.decode() and r.random() < 0.7:
                    out.append(f"{attr}*{i}={self.quote(s.decode())}")
                else:
                    out.append(f"{attr}*{i}*={self.pct(s)}")
            return out
        if form == "2231_cont_plain":
            cuts = sorted(set(r.randint(1, max(1, len(name) - 1)) for _ in range(r.randint(1, 3))))
            cuts = [c for c in cuts if 0 < c < len(name)]
            segs = [name[a:b] for a, b in zip([0] + cuts, cuts + [len(name)])]
            return [f"{attr}*{i}={self.quote(s)}" for i, s in enumerate(segs)]
        if form in ("2047_b", "2047_q", "2047_multi"):
            if form == "2047_multi":
                # at least two words, B and Q mixed (Outlook splits long names)
                cut = r.randint(1, len(name) - 1)
                words = (self.encode_words(name[:cut], cs, r.choice("BQ"))
                         + self.encode_words(name[cut:], cs, r.choice("BQ")))
            else:
                words = self.encode_words(name, cs, "B" if form == "2047_b" else "Q")
            return [f'{attr}="{" ".join(words)}"']
        raise ValueError(form)

    def cont_cuts(self, name, codec, inside):
        data = name.encode(codec)
        if len(data) < 2:
            return []
        n = r_n = self.rng.randint(1, min(4, len(data) - 1))
        if not inside:
            # cut at character boundaries
            bounds, pos = [], 0
            for ch in name[:-1]:
                pos += len(ch.encode(codec))
                bounds.append(pos)
            cuts = sorted(set(self.rng.sample(bounds, min(r_n, len(bounds)))))
            return cuts
        mids = [i for i in range(1, len(data)) if (data[i] & 0xC0) == 0x80]
        cuts = set(self.rng.sample(range(1, len(data)), n))
        if mids:
            cuts.add(self.rng.choice(mids))
        return sorted(cuts)

    FORMS = ["token", "quoted", "quoted_pair", "raw_utf8", "2231", "2231_cont",
             "2231_cont_split", "2231_cont_plain", "2231_cont_mixed", "2047_b", "2047_q",
             "2047_multi"]

    def naming(self, ext):
        """(file name, form, Content-Type params, Content-Disposition params) or a
        nameless (None, None, [], [])."""
        r = self.rng
        form = r.choice(self.FORMS)
        where = r.random()
        cs = "utf-8"
        if form in ("token",):
            name = self.file_name(ext, ascii_only=True)
        elif form in ("quoted", "2231_cont_plain"):
            name = self.file_name(ext, ascii_only=True, specials=True)
        elif form == "quoted_pair":
            name = self.file_name(ext, ascii_only=True).replace("_", r.choice(['"', "\\"]), 1)
            if '"' not in name and "\\" not in name:
                name = 'say "hi" ' + name
        elif form == "raw_utf8":
            name = self.file_name(ext, cs="utf-8")
        elif form in ("2231_cont_split",):
            name = self.file_name(ext, cs="utf-8")
            if name.isascii():
                name = "ü" + name
        elif form.startswith("2231"):
            cs = r.choice(["utf-8"] * 4 + ["iso-8859-1"])
            name = self.file_name(ext, cs=cs)
        else:  # 2047
            cs = r.choice(["utf-8"] * 3 + CHARSET_NAMES)
            name = self.file_name(ext, cs=cs)
        ct_params, cd_params = [], []
        if where < 0.2:
            ct_params = self.name_params("name", form, name, cs)
            form = "name_only:" + form
        elif where < 0.45:
            # both, in the same or another form (Outlook: name="=?…?=", Thunderbird:
            # name*=/filename*=), always the same decoded name
            other = r.choice(["2047_b", "2231", form]) if not name.isascii() else r.choice(["quoted", form])
            if other == "2047_b" and not self.encodable(name, cs):
                other = form
            ct_params = self.name_params("name", other, name, cs if other != "2231" else cs)
            cd_params = self.name_params("filename", form, name, cs)
            form = "both:" + form
        else:
            cd_params = self.name_params("filename", form, name, cs)
        self.name_charset = cs
        return name, form, ct_params, cd_params

    @staticmethod
    def encodable(s, cs):
        try:
            s.encode(CHARSETS[cs][1])
            return True
        except UnicodeEncodeError:
            return False

    # ---- bodies ---------------------------------------------------------------

    def qp(self, data, binary):
        """Quoted-printable of `data`; text lines (split at b"\\n") end in this
        message's line end, a binary body has every CR/LF encoded. Lines stay at
        76 characters with `=` soft breaks; white space before a line end is
        encoded."""
        lines = [data] if binary else data.split(b"\n")
        out = []
        for line in lines:
            toks = []
            for i, x in enumerate(line):
                last = i == len(line) - 1
                if (33 <= x <= 126 and x != 61) or (x in (32, 9) and not last):
                    toks.append(chr(x))
                else:
                    toks.append("=%02X" % x)
            cur = ""
            segs = []
            for t in toks:
                if len(cur) + len(t) > 75:
                    segs.append(cur + "=")
                    cur = ""
                cur += t
            segs.append(cur)
            out.append(self.eol.join(segs))
        return self.eol.join(out).encode("ascii")

    def b64(self, data):
        s = base64.b64encode(data).decode()
        width = self.rng.choice([76, 76, 76, 72, 64])
        lines = [s[i:i + width] for i in range(0, len(s), width)]
        tail = self.eol if self.rng.random() < 0.7 and lines else ""
        return (self.eol.join(lines) + tail).encode("ascii")

    # ---- entities ---------------------------------------------------------------
    # An entity is (info, header lines, body bytes): info is the truth for the part
    # list, header lines are without line ends (folds as "\n").

    def leaf(self, kind=None, allow_name=True, inline_image=False, as_body=False):
        r = self.rng
        kind = kind or r.choice(["text/plain"] * 4 + ["text/html"] * 2 + [
            "application/octet-stream", "image/png", "application/pdf"])
        headers, info = [], {"kind": "leaf", "type": kind, "filename": None, "filename_form": None,
                             "charset": None}
        ct_params, cd_params = [], []
        disposition = None
        name = None
        if kind.startswith("text/"):
            cs = r.choice(CHARSET_NAMES)
            labels, codec, _ = CHARSETS[cs]
            text = self.text_lines(cs)
            if kind == "text/html":
                text = "<html><body><p>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p></body></html>\n"
            if text.isascii() and r.random() < 0.3:
                if r.random() < 0.5:
                    ct_params.append("charset=" + r.choice(["us-ascii", "US-ASCII"]))
                cs_written = None
            else:
                label = r.choice(labels)
                ct_params.append("charset=" + (self.quote(label) if r.random() < 0.3 else label))
                cs_written = cs
            info["charset"] = cs_written
            data_text = text
            cte = r.choice(["plain", "plain", "qp", "b64"])
            if cte == "plain":
                data_text = text.replace("\n", self.eol)
                data = data_text.encode(codec)
                body = data
                enc = "7bit" if data.isascii() else "8bit"
                if enc == "7bit" and r.random() < 0.3:
                    enc = None  # no field: 7bit by default
            elif cte == "qp":
                data_text = text.replace("\n", self.eol)
                body = self.qp(text.encode(codec), binary=False)
                data = data_text.encode(codec)
                enc = "quoted-printable"
            else:
                nl = r.choice(["\n", "\r\n"])
                data_text = text.replace("\n", nl)
                data = data_text.encode(codec)
                body = self.b64(data)
                enc = "base64"
            info["text"] = data_text
            info["bom_lookalike"] = looks_like_bom(text, cs)
            if allow_name and r.random() < 0.12:
                name, form, ct_params_n, cd_params = self.naming("txt" if kind == "text/plain" else "html")
                info["filename_charset"] = self.name_charset
                ct_params += ct_params_n
                info["filename_form"] = form
                disposition = "attachment" if cd_params or r.random() < 0.5 else None
            elif r.random() < 0.1:
                disposition = "inline"
            elif r.random() < 0.05 and not as_body:
                disposition = "attachment"
        else:
            size = r.choice([0, 1, 2, 3, 57, 58, 59, r.randint(4, 400), r.randint(400, 3000)])
            data = r.randbytes(size)
            if kind == "image/png":
                data = b"\x89PNG\r\n\x1a\n" + data
            elif kind == "application/pdf":
                data = b"%PDF-1.4\n" + data + b"\n%%EOF\n"
            if kind == "application/octet-stream" and r.random() < 0.25:
                body = self.qp(data, binary=True)
                enc = "quoted-printable"
            else:
                body = self.b64(data)
                enc = r.choice(["base64", "base64", "Base64", "BASE64"])
            ext = {"image/png": "png", "application/pdf": "pdf"}.get(kind, "bin")
            if inline_image:
                headers.append(f"{self.name('Content-ID')}: <img{r.randint(0, 10**6)}@gen.test>")
                if r.random() < 0.5:
                    disposition = "inline"
            if allow_name and (r.random() < 0.8 if not inline_image else r.random() < 0.3):
                name, form, ct_params_n, cd_params = self.naming(ext)
                info["filename_charset"] = self.name_charset
                ct_params += ct_params_n
                info["filename_form"] = form
                if disposition is None and (cd_params or r.random() < 0.6):
                    disposition = "attachment"
        info["filename"] = name
        info["disposition"] = disposition
        info["sha256"] = hashlib.sha256(data).hexdigest()
        info["cte"] = enc.lower() if enc else None
        headers.insert(0, self.fold(self.name("Content-Type"), [kind] + ct_params))
        if enc:
            comment = " (" + r.choice(["encoded", "sent as is", "RFC 2045"]) + ")" if r.random() < 0.03 else ""
            headers.append(f"{self.name('Content-Transfer-Encoding')}: {enc}{comment}")
        if disposition or cd_params:
            headers.append(self.fold(self.name("Content-Disposition"), [disposition or "attachment"] + cd_params))
        r.shuffle(headers)
        return info, headers, body

    def boundary(self):
        r = self.rng
        self.boundaries += 1
        tag = "%x" % r.getrandbits(40)
        style = r.random()
        if style < 0.25:
            return f"----=_Part_{self.index}_{self.boundaries}.{tag}", True
        if style < 0.5:
            return f"000000000000{tag}", r.random() < 0.5
        if style < 0.7:
            return f"=_{tag}{self.boundaries}", True
        if style < 0.8:
            return f"gen {self.boundaries} boundary {tag}", True  # spaces: must be quoted
        if style < 0.88:
            # every bchar of RFC 2046 §5.1.1 that is not a letter or digit
            return f"'()+_,-./:=? {self.boundaries}{tag}", True
        if style < 0.93:
            b = f"b{self.boundaries}x{tag}"
            return b + "z" * (70 - len(b)), r.random() < 0.5  # the longest allowed
        return f"b{self.boundaries}x{tag}", r.random() < 0.3

    def multipart(self, sub, children, extra_params=()):
        r = self.rng
        bodies = [(b"".join(x + self.beol for x in [h.replace("\n", self.eol).encode() for h in hs])
                   + self.beol + body) for _, hs, body in children]
        while True:
            b, quoted = self.boundary()
            delim = b"--" + b.encode()
            if not any(delim in x for x in bodies):
                break
        out = b""
        if r.random() < 0.2:
            out += b"This is a multi-part message in MIME format." + self.beol + self.beol
        for x in bodies:
            pad = b"" if r.random() < 0.9 else r.choice([b" ", b"\t", b"  "])
            out += delim + pad + self.beol + x + self.beol
        out += delim + b"--"
        if r.random() < 0.7:
            out += self.beol
            if r.random() < 0.1:
                out += b"epilogue text" + self.beol
        bval = self.quote(b) if quoted else b
        params = [f"boundary={bval}"] + list(extra_params)
        r.shuffle(params)
        headers = [self.fold(self.name("Content-Type"), [f"multipart/{sub}"] + params)]
        info = {"kind": "multipart", "type": f"multipart/{sub}", "filename": None,
                "filename_form": None, "children": [c[0] for c in children]}
        return info, headers, out

    def message_headers(self, subject_value):
        r = self.rng
        self.msgs += 1
        h = [
            f"From: {r.choice(['Alice Example', 'bob', '=?utf-8?Q?J=C3=BCrgen?='])} <a{self.msgs}@example.org>",
            "To: someone@example.net",
            f"Subject: {subject_value}",
            f"Date: Mon, {r.randint(1, 28)} Mar 2026 {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00 +0000",
            f"Message-ID: <gen.{self.index}.{self.msgs}@emlkit.test>",
            "MIME-Version: 1.0",
        ]
        return h

    def attached(self, msg_depth, part_budget, digest_member=False):
        """A message/rfc822 part: (info, part header lines, body = the message)."""
        r = self.rng
        subj = self.subject()
        inner = self.body_entity(msg_depth + 1, part_budget)
        mh = self.message_headers(subj[0])
        hs = mh + inner[1]
        if r.random() < 0.5:
            r.shuffle(hs)
        body = b"".join(h.replace("\n", self.eol).encode() + self.beol for h in hs) + self.beol + inner[2]
        headers = []
        info = {"kind": "message", "type": "message/rfc822", "filename": None, "filename_form": None,
                "inner": inner[0]}
        if digest_member and r.random() < 0.8:
            if r.random() < 0.2:
                headers.append(f"Content-Description: forwarded message {self.msgs}")
        else:
            ct = ["message/rfc822"]
            cd = []
            if r.random() < 0.4:
                name, form, ctp, cd = self.naming("eml")
                info["filename_charset"] = self.name_charset
                ct += ctp
                info["filename"] = name
                info["filename_form"] = form
            headers.append(self.fold(self.name("Content-Type"), ct))
            if r.random() < 0.3:
                headers.append(f"{self.name('Content-Transfer-Encoding')}: {r.choice(['7bit', '8bit'])}")
            if cd or r.random() < 0.3:
                headers.append(self.fold(self.name("Content-Disposition"),
                                         [r.choice(["attachment", "inline"])] + cd))
        return info, headers, body

    def body_entity(self, msg_depth, budget):
        """The body of a message: a leaf (sometimes) or a multipart tree."""
        if self.rng.random() < 0.15:
            return self.leaf(allow_name=self.rng.random() < 0.3)
        return self.tree(0, msg_depth, budget)

    def tree(self, depth, msg_depth, budget):
        r = self.rng
        sub = r.choice(["mixed"] * 4 + ["alternative"] * 3 + ["related"] * 2 + ["digest", "parallel"])
        if depth >= 3 or budget[0] <= 1:
            sub = r.choice(["mixed", "alternative", "related"])
        budget[0] -= 1
        children = []
        extra = []
        if sub == "alternative":
            children.append(self.leaf("text/plain", allow_name=False, as_body=True))
            if r.random() < 0.3 and depth < 3 and budget[0] > 2:
                budget[0] -= 1
                rel_children = [self.leaf("text/html", allow_name=False)] + [
                    self.leaf("image/png", inline_image=True) for _ in range(r.randint(1, 2))]
                budget[0] -= len(rel_children)
                children.append(self.multipart("related", rel_children, ['type="text/html"']))
            else:
                children.append(self.leaf("text/html", allow_name=False))
            if r.random() < 0.2:
                r.shuffle(children)  # html first: the plain one is still chosen
            budget[0] -= 2
        elif sub == "related":
            children.append(self.leaf("text/html", allow_name=False))
            for _ in range(r.randint(1, 3)):
                children.append(self.leaf("image/png", inline_image=True))
            budget[0] -= len(children)
            extra.append('type="text/html"')
        elif sub == "digest":
            for _ in range(r.randint(1, 3)):
                if msg_depth < 3 and budget[0] > 2:
                    children.append(self.attached(msg_depth, budget, digest_member=True))
                else:
                    lf = self.leaf("text/plain", allow_name=False)
                    children.append(lf)
                budget[0] -= 1
        else:
            for _ in range(r.randint(1, 5)):
                roll = r.random()
                if roll < 0.15 and depth < 3 and budget[0] > 3:
                    children.append(self.tree(depth + 1, msg_depth, budget))
                elif roll < 0.3 and msg_depth < 3 and budget[0] > 3:
                    children.append(self.attached(msg_depth, budget))
                else:
                    children.append(self.leaf())
                budget[0] -= 1
        info, headers, body = self.multipart(sub, children, extra)
        if sub == "digest":
            # digest members that are leaves need an explicit Content-Type (they
            # have one: every leaf writes it)
            pass
        return info, headers, body

    def message(self):
        subj = self.subject()
        top = self.body_entity(0, [self.rng.randint(4, 18)])
        hs = self.message_headers(subj[0]) + top[1]
        raw = b"".join(h.replace("\n", self.eol).encode() + self.beol for h in hs) + self.beol + top[2]
        return raw, subj, top[0]


# ---------------------------------------------------------------------------
# The truth: part ids, text body.

def flatten(info, out, pid, parent, in_message):
    """Pre-order part list. `pid` is this entity's id."""
    rec = {"id": pid, "kind": info["kind"], "type": info["type"], "filename": info["filename"],
           "filename_form": info["filename_form"], "sha256": info.get("sha256"),
           "cte": info.get("cte"), "charset": info.get("charset")}
    if info["filename"] is not None:
        cs = info.get("filename_charset", "utf-8")
        rec["filename_charset"] = cs
        rec["filename_bom_lookalike"] = looks_like_bom(info["filename"], cs)
    idx = len(out)
    out.append((rec, info, parent, in_message))
    if info["kind"] == "multipart":
        # children of a message's root multipart (id "0" or "X.0") are "1", "X.1"…;
        # of any other multipart P: "P.1"…
        prefix = pid[:-1] if pid == "0" or pid.endswith(".0") else pid + "."
        for k, c in enumerate(info["children"], 1):
            flatten(c, out, prefix + str(k), idx, in_message)
    elif info["kind"] == "message":
        inner = info["inner"]
        sub = pid + (".0" if inner["kind"] == "multipart" else ".1")
        flatten(inner, out, sub, idx, True)


def text_body(flat):
    """emlkit's rule for text[0] (Message::text_bodies), applied to the truth."""
    def subtree(c):
        j = c + 1
        # descendants: every later entry whose ancestor chain reaches c
        res = [c]
        while j < len(flat):
            p = flat[j][2]
            while p is not None and p != c:
                p = flat[p][2]
            if p != c:
                break
            res.append(j)
            j += 1
        return res

    def holds(c, pred):
        return any(flat[j][1]["kind"] == "leaf" and pred(flat[j][1]["type"]) for j in subtree(c))

    def pick(a):
        children = [j for j in range(len(flat)) if flat[j][2] == a]
        for c in children:
            if holds(c, lambda t: t == "text/plain"):
                return c
        for c in children:
            if holds(c, lambda t: t.startswith("text/") and t != "text/html"):
                return c
        return None

    for i, (rec, info, parent, in_msg) in enumerate(flat):
        if info["kind"] != "leaf" or not info["type"].startswith("text/") or info["type"] == "text/html":
            continue
        if in_msg:
            continue
        # Only Content-Disposition: attachment makes a text leaf a file; a
        # file name alone does not (clients show such text inline).
        if info.get("disposition") == "attachment":
            continue
        child, cur, ok = i, parent, True
        while cur is not None:
            if flat[cur][1]["type"] == "multipart/alternative" and pick(cur) != child:
                ok = False
                break
            child, cur = cur, flat[cur][2]
        if ok:
            return rec["id"], info["text"], info["charset"] or "us-ascii", info["bom_lookalike"]
    return None, None, None, False


def make(seed, i):
    rng = random.Random(seed * 1_000_003 + i)
    g = Gen(rng, i)
    raw, subj, top = g.message()
    flat = []
    flatten(top, flat, "0" if top["kind"] == "multipart" else "1", None, False)
    value, decoded, form, split, charsets, bom = subj
    text = text_body(flat)
    exp = {
        "file": f"{i:05d}.eml",
        "eol": "crlf" if g.eol == "\r\n" else "lf",
        "subject": decoded,
        "subject_form": form,
        "subject_split_inside": split,
        "subject_charsets": charsets,
        "subject_bom_lookalike": bom,
        "text": text[1],
        "text_id": text[0],
        "text_charset": text[2],
        "text_bom_lookalike": text[3],
        "parts": [x[0] for x in flat],
    }
    return raw, exp


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20260304)
    a = ap.parse_args()
    eml = os.path.join(a.out, "eml")
    os.makedirs(eml, exist_ok=True)
    with open(os.path.join(a.out, "expected.jsonl"), "w", encoding="utf-8") as f:
        for i in range(a.count):
            raw, exp = make(a.seed, i)
            with open(os.path.join(eml, exp["file"]), "wb") as m:
                m.write(raw)
            f.write(json.dumps(exp, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
