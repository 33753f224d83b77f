#!/usr/bin/env python3
"""Writes the targeted edge-case messages of testdata/edge/ (deterministic).

Every case is small and named for what it tests. The files are committed; run this
script again after changing a case and commit the result:

    python3 scripts/differential/make_edge.py            # (re)write testdata/edge/
    python3 scripts/differential/make_edge.py --check    # exit 1 if the files differ

Cases are written with "\\n" line ends; the ones named `crlf-*` are the same text
with CRLF, `barecr-*` use a bare CR where noted. testdata/edge/MANIFEST.tsv lists
every file with a one-line description.
"""
import argparse
import base64
import binascii
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "testdata", "edge")

CASES = []  # (file name, description, bytes)


def b(x):
    return x if isinstance(x, bytes) else x.encode("utf-8")


def case(name, desc, text, eol="\n"):
    data = b(text)
    if eol != "\n":
        data = data.replace(b"\n", b(eol))
    assert not any(n == name for n, _, _ in CASES), name
    CASES.append((name + ".eml", desc, data))


def hdr(name, subject=None, ctype=None, extra=""):
    """The usual top-level header block (no blank line at the end)."""
    s = (
        "From: Alice Example <alice@example.org>\n"
        "To: bob@example.net\n"
        f"Subject: {subject if subject is not None else name}\n"
        "Date: Tue, 3 Mar 2026 10:59:50 +0100\n"
        f"Message-ID: <{name}@edge.example>\n"
        "MIME-Version: 1.0\n"
    )
    if ctype:
        s += f"Content-Type: {ctype}\n"
    return s + extra


def mixed(name, body, boundary="b1", subject=None, extra="", ctype=None):
    ct = ctype or f'multipart/mixed; boundary="{boundary}"'
    return hdr(name, subject, ct, extra) + "\n" + body


PDF = base64.b64encode(b"%PDF-1.4 edge case attachment\n%%EOF\n").decode()
PNG = base64.b64encode(bytes(range(0, 64))).decode()


def att(filename="a.bin", data=PNG, ctype="application/octet-stream"):
    return (
        f'Content-Type: {ctype}; name="{filename}"\n'
        f'Content-Disposition: attachment; filename="{filename}"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{data}\n"
    )


def txt(body, charset="us-ascii"):
    return f"Content-Type: text/plain; charset={charset}\n\n{body}\n"


# --------------------------------------------------------------------------------------
# Boundaries
# --------------------------------------------------------------------------------------

def boundaries():
    n = "boundary-midline"
    case(n, "a body line that contains --b1 in the middle is not a delimiter (RFC 2046 5.1.1)",
         mixed(n, "--b1\n" + txt("text before; this line mentions --b1 in the middle\nand continues")
               + "--b1\n" + att("x.bin") + "--b1--\n"))
    n = "boundary-midline-close"
    case(n, "a body line that contains --b1-- in the middle",
         mixed(n, "--b1\n" + txt("see the string --b1-- here\nsecond line")
               + "--b1\n" + att("x.bin") + "--b1--\n"))
    n = "boundary-leading-space"
    case(n, "' --b1' (leading space) is body text, not a delimiter",
         mixed(n, "--b1\n" + txt("first") + " --b1\n" + txt("hidden part?") + "--b1\n" + att("x.bin")
               + "--b1--\n"))
    n = "boundary-leading-tab"
    case(n, "'\\t--b1' (leading tab) is body text, not a delimiter",
         mixed(n, "--b1\n" + txt("first") + "\t--b1\n" + att("hidden.bin") + "--b1\n" + att("x.bin")
               + "--b1--\n"))
    n = "boundary-suffix-chars"
    case(n, "'--b1X' when the boundary is b1 is not a delimiter",
         mixed(n, "--b1\n" + txt("first") + "--b1X\n" + att("hidden.bin") + "--b1--\n"))
    n = "boundary-extra-leading-dash"
    case(n, "'---b1' (a third dash before the boundary) is body text, not a delimiter",
         mixed(n, "--b1\n" + txt("first") + "---b1\n" + att("hidden.bin") + "--b1\n" + att("x.bin")
               + "--b1--\n"))
    n = "boundary-suffix-dash"
    case(n, "'--b1-x' (close-like but continues) is not a delimiter",
         mixed(n, "--b1\n" + txt("first") + "--b1-x\n" + att("hidden.bin") + "--b1--\n"))
    n = "boundary-close-suffix"
    case(n, "'--b1--x' is not a close delimiter",
         mixed(n, "--b1\n" + txt("first") + "--b1--x\nmore text\n--b1\n" + att("x.bin")
               + "--b1--\n"))
    n = "boundary-padding-spaces"
    case(n, "delimiter followed by transport padding (spaces)",
         mixed(n, "--b1   \n" + txt("first") + "--b1  \n" + att("x.bin") + "--b1--  \n"))
    n = "boundary-padding-tabs"
    case(n, "delimiter followed by transport padding (tabs)",
         mixed(n, "--b1\t\n" + txt("first") + "--b1\t \t\n" + att("x.bin") + "--b1--\t\n"))
    n = "boundary-case-differs"
    case(n, "boundaries are case-sensitive: --B1 is not --b1",
         mixed(n, "--b1\n" + txt("first") + "--B1\n" + att("hidden.bin") + "--b1--\n"))
    n = "boundary-prefix-of-inner"
    case(n, "outer boundary 'b' is a prefix of the inner boundary 'b1'",
         mixed(n, "--b\nContent-Type: multipart/alternative; boundary=\"b1\"\n\n--b1\n"
               + txt("plain") + "--b1\nContent-Type: text/html\n\n<p>html</p>\n--b1--\n--b\n"
               + att("x.bin") + "--b--\n", boundary="b"))
    n = "boundary-inner-equals-outer"
    case(n, "inner multipart reuses the outer boundary",
         mixed(n, "--b1\nContent-Type: multipart/alternative; boundary=\"b1\"\n\n--b1\n"
               + txt("plain") + "--b1--\n--b1\n" + att("x.bin") + "--b1--\n"))
    n = "boundary-special-chars"
    case(n, "boundary with every bchars punctuation: '()+_,-./:=?",
         mixed(n, "--'()+_,-./:=? x\n" + txt("first") + "--'()+_,-./:=? x\n" + att("x.bin")
               + "--'()+_,-./:=? x--\n", boundary="'()+_,-./:=? x"))
    n = "boundary-70-chars"
    bd = "a" * 70
    case(n, "boundary of the maximum 70 characters",
         mixed(n, f"--{bd}\n" + txt("first") + f"--{bd}\n" + att("x.bin") + f"--{bd}--\n", boundary=bd))
    n = "boundary-unquoted"
    case(n, "boundary parameter without quotes",
         mixed(n, "--simple\n" + txt("first") + "--simple\n" + att("x.bin") + "--simple--\n",
               ctype="multipart/mixed; boundary=simple"))
    n = "boundary-param-comment"
    case(n, "Content-Type with a comment before the boundary parameter",
         mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n",
               ctype='multipart/mixed (a comment); boundary="b1"'))
    n = "boundary-param-twice"
    case(n, "two boundary parameters (b1 then b2); the body uses b2",
         mixed(n, "--b2\n" + txt("first") + "--b2\n" + att("x.bin") + "--b2--\n",
               ctype='multipart/mixed; boundary="b1"; boundary="b2"'))
    n = "boundary-param-uppercase"
    case(n, "parameter name BOUNDARY in upper case",
         mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n",
               ctype='Multipart/Mixed; BOUNDARY="b1"'))
    n = "boundary-missing-param"
    case(n, "multipart/mixed without a boundary parameter",
         mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n",
               ctype="multipart/mixed"))
    n = "boundary-empty-param"
    case(n, "multipart/mixed with boundary=\"\"",
         mixed(n, "--\n" + txt("first") + "--\n" + att("x.bin") + "----\n",
               ctype='multipart/mixed; boundary=""'))
    n = "boundary-unused"
    case(n, "multipart whose boundary never occurs in the body",
         mixed(n, "--other\n" + txt("first") + "--other--\n"))
    n = "boundary-no-preamble-newline"
    case(n, "first delimiter is the very first line of the body (no preamble)",
         mixed(n, "--b1\n" + txt("first") + "--b1--\n"))
    n = "boundary-preamble-delimiter-like"
    case(n, "preamble with a line mentioning --b1 mid-line and a ' --b1' line",
         mixed(n, "This is a preamble with --b1 inside.\n --b1\n--b1\n" + txt("first") + "--b1\n"
               + att("x.bin") + "--b1--\n"))
    n = "boundary-epilogue-parts"
    case(n, "text and a delimiter-looking part after the close delimiter (epilogue)",
         mixed(n, "--b1\n" + txt("first") + "--b1--\nepilogue text\n--b1\n" + att("after.bin")
               + "--b1--\n"))
    n = "boundary-close-then-parts"
    case(n, "close delimiter in the middle, more parts after it",
         mixed(n, "--b1\n" + txt("first") + "--b1--\n--b1\n" + att("late.bin") + "--b1--\n"))
    n = "boundary-missing-close"
    case(n, "no close delimiter at all: the last part runs to the end",
         mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin")))
    n = "boundary-close-no-newline"
    case(n, "close delimiter at the end of input without a line end",
         mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--"))
    n = "boundary-body-no-newline-before-close"
    case(n, "last body line directly followed by the close delimiter line (no empty line)",
         mixed(n, "--b1\nContent-Type: text/plain\n\nno trailing newline\n--b1--\n"))
    n = "boundary-empty-part"
    case(n, "two delimiters in a row: an empty part",
         mixed(n, "--b1\n" + txt("first") + "--b1\n--b1\n" + att("x.bin") + "--b1--\n"))
    n = "boundary-empty-multipart"
    case(n, "multipart with only the close delimiter",
         mixed(n, "--b1--\n"))
    n = "boundary-only-preamble"
    case(n, "multipart with text but no delimiter line at all",
         mixed(n, "just some text\nand more\n"))
    n = "boundary-doubled-delimiter-lines"
    case(n, "the same delimiter twice with text between it and the headers",
         mixed(n, "--b1\n--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n"))
    n = "boundary-doubled-close"
    case(n, "two close delimiters",
         mixed(n, "--b1\n" + txt("first") + "--b1--\n--b1--\n"))
    n = "boundary-part-headers-no-blank"
    case(n, "a part with headers and no blank line before the next delimiter (empty body)",
         mixed(n, "--b1\n" + txt("first") + "--b1\nContent-Type: application/x-empty\n"
               "Content-Disposition: attachment; filename=\"empty.bin\"\n--b1\n" + att("x.bin")
               + "--b1--\n"))
    n = "boundary-part-no-headers"
    case(n, "a part with no header fields (blank line right after the delimiter): text/plain",
         mixed(n, "--b1\n\nbody of a part without headers\n--b1\n" + att("x.bin") + "--b1--\n"))
    n = "boundary-part-no-headers-no-blank"
    case(n, "a part whose first line is body text (no headers, no blank line)",
         mixed(n, "--b1\nthis is not a header line\nsecond\n--b1\n" + att("x.bin") + "--b1--\n"))
    n = "boundary-part-text-then-headers"
    case(n, "a part whose first line is text, then header fields and an empty line: no header for emlkit and Python; GMime and MIME-tools skip the line",
         mixed(n, "--b1\nnot a header line\nContent-Type: application/octet-stream; name=\"y.bin\"\n"
               "Content-Disposition: attachment; filename=\"y.bin\"\n\nsecret body\n--b1\n" + att("x.bin") + "--b1--\n"))
    n = "boundary-part-header-then-text"
    case(n, "a part header block followed by a non-header line without blank line",
         mixed(n, "--b1\nContent-Type: text/plain\nthis line is not a header\n--b1\n" + att("x.bin")
               + "--b1--\n"))

    # inner multiparts
    n = "inner-missing-close"
    case(n, "inner multipart without close delimiter; the outer delimiter ends it, siblings follow",
         mixed(n, "--outer\nContent-Type: multipart/alternative; boundary=\"inner\"\n\n--inner\n"
               + txt("plain") + "--inner\nContent-Type: text/html\n\n<p>html</p>\n--outer\n"
               + att("sibling1.bin") + "--outer\n" + att("sibling2.pdf", PDF, "application/pdf")
               + "--outer--\n", boundary="outer"))
    n = "inner-missing-close-last"
    case(n, "inner multipart without close delimiter, last part; outer closes",
         mixed(n, "--outer\n" + txt("first") + "--outer\nContent-Type: multipart/mixed; boundary=\"inner\"\n\n"
               "--inner\n" + att("in1.bin") + "--inner\n" + att("in2.bin") + "--outer--\n",
               boundary="outer"))
    n = "inner-only-close"
    case(n, "inner multipart holding only its close delimiter, then an epilogue",
         mixed(n, "--outer\n" + txt("first") + "--outer\nContent-Type: multipart/mixed; boundary=\"inner\"\n\n"
               "--inner--\nepilogue of inner\n--outer\n" + att("x.bin") + "--outer--\n",
               boundary="outer"))
    n = "inner-close-then-parts"
    case(n, "inner multipart closed, then an inner delimiter again before the outer one",
         mixed(n, "--outer\nContent-Type: multipart/mixed; boundary=\"inner\"\n\n--inner\n" + txt("a")
               + "--inner--\n--inner\n" + att("ghost.bin") + "--outer\n" + att("x.bin")
               + "--outer--\n", boundary="outer"))
    n = "inner-no-boundary-param"
    case(n, "inner multipart without a boundary parameter",
         mixed(n, "--outer\nContent-Type: multipart/mixed\n\n--inner\n" + txt("a") + "--inner--\n"
               "--outer\n" + att("x.bin") + "--outer--\n", boundary="outer"))
    n = "outer-close-inside-inner"
    case(n, "outer close delimiter while the inner multipart is open",
         mixed(n, "--outer\nContent-Type: multipart/mixed; boundary=\"inner\"\n\n--inner\n" + txt("a")
               + "--inner\n" + att("in.bin") + "--outer--\n", boundary="outer"))
    n = "inner-delimiter-after-outer-close"
    case(n, "inner delimiter in the outer epilogue",
         mixed(n, "--outer\nContent-Type: multipart/mixed; boundary=\"inner\"\n\n--inner\n" + txt("a")
               + "--inner--\n--outer--\n--inner\n" + att("ghost.bin") + "--inner--\n",
               boundary="outer"))
    n = "nested-three-levels"
    case(n, "mixed > related > alternative, all well formed",
         mixed(n, "--L1\nContent-Type: multipart/related; boundary=\"L2\"\n\n--L2\n"
               "Content-Type: multipart/alternative; boundary=\"L3\"\n\n--L3\n" + txt("plain")
               + "--L3\nContent-Type: text/html\n\n<p>html</p>\n--L3--\n--L2\n"
               + att("img.png", PNG, "image/png") + "--L2--\n--L1\n" + att("doc.pdf", PDF, "application/pdf")
               + "--L1--\n", boundary="L1"))
    body = txt("deepest text")
    for i in range(20, 0, -1):
        body = f'Content-Type: multipart/mixed; boundary="d{i}"\n\n--d{i}\n' + body + f"--d{i}--\n"
    n = "nested-20-levels"
    case(n, "twenty nested multiparts around one text part", hdr(n) + body)

    # message/rfc822
    inner = ("From: Carol <carol@example.com>\nSubject: inner\nDate: Mon, 2 Mar 2026 08:00:00 +0000\n"
             "Message-ID: <inner@edge.example>\n")
    n = "rfc822-simple"
    case(n, "attached message/rfc822 with a text body",
         mixed(n, "--b1\n" + txt("see attached") + "--b1\nContent-Type: message/rfc822\n\n" + inner
               + "\ninner body\n--b1--\n"))
    n = "rfc822-multipart"
    case(n, "attached message/rfc822 whose body is multipart with an attachment",
         mixed(n, "--b1\n" + txt("see attached") + "--b1\nContent-Type: message/rfc822\n\n" + inner
               + "Content-Type: multipart/mixed; boundary=\"m2\"\n\n--m2\n" + txt("inner text")
               + "--m2\n" + att("inner.pdf", PDF, "application/pdf") + "--m2--\n--b1--\n"))
    n = "rfc822-no-header"
    case(n, "message/rfc822 part whose body starts with text, not a header",
         mixed(n, "--b1\n" + txt("see attached") + "--b1\nContent-Type: message/rfc822\n\n"
               "This is not a header.\nNor is this.\n--b1\n" + att("after.bin") + "--b1--\n"))
    n = "rfc822-no-blank-line"
    case(n, "message/rfc822 whose header block is not followed by a blank line",
         mixed(n, "--b1\nContent-Type: message/rfc822\n\n" + inner + "--b1\n" + att("after.bin")
               + "--b1--\n"))
    n = "rfc822-inner-unclosed"
    case(n, "attached message with an unclosed multipart; the outer delimiter ends it",
         mixed(n, "--b1\nContent-Type: message/rfc822\n\n" + inner
               + "Content-Type: multipart/mixed; boundary=\"m2\"\n\n--m2\n" + txt("inner text")
               + "--m2\n" + att("inner.bin") + "--b1\n" + att("after.bin") + "--b1--\n"))
    n = "rfc822-empty"
    case(n, "message/rfc822 part with an empty body",
         mixed(n, "--b1\n" + txt("first") + "--b1\nContent-Type: message/rfc822\n\n--b1--\n"))
    n = "rfc822-base64"
    enc = base64.b64encode(b(inner + "\nbase64 inner body\n")).decode()
    case(n, "message/rfc822 with Content-Transfer-Encoding: base64 (not allowed by RFC 2046 5.2.1)",
         mixed(n, "--b1\n" + txt("first") + "--b1\nContent-Type: message/rfc822\n"
               "Content-Transfer-Encoding: base64\n\n" + enc + "\n--b1--\n"))
    n = "rfc822-top-level"
    case(n, "top-level Content-Type message/rfc822",
         hdr(n, ctype="message/rfc822") + "\n" + inner + "\ninner body at top\n")
    n = "rfc822-nested-twice"
    case(n, "message/rfc822 inside message/rfc822",
         mixed(n, "--b1\nContent-Type: message/rfc822\n\n" + inner
               + "Content-Type: message/rfc822\n\nFrom: dave@example.com\nSubject: innermost\n\n"
               "innermost body\n--b1--\n"))
    n = "rfc822-attachment-name"
    case(n, "message/rfc822 with a file name (attachment disposition)",
         mixed(n, "--b1\n" + txt("first") + "--b1\nContent-Type: message/rfc822; name=\"fwd.eml\"\n"
               "Content-Disposition: attachment; filename=\"fwd.eml\"\n\n" + inner + "\nfwd body\n--b1--\n"))
    n = "message-global"
    case(n, "message/global attachment with an UTF-8 header",
         mixed(n, "--b1\n" + txt("first") + "--b1\nContent-Type: message/global\n\n"
               "From: Zoë <zoe@example.com>\nSubject: Grüße\n\nglobal body\n--b1--\n"))

    # Content-Type oddities
    n = "ctype-twice-text-then-multipart"
    case(n, "two Content-Type fields: text/plain first, multipart/mixed second",
         hdr(n, extra="Content-Type: text/plain\nContent-Type: multipart/mixed; boundary=\"b1\"\n") + "\n--b1\n"
         + txt("first") + "--b1\n" + att("hidden.bin") + "--b1--\n")
    n = "ctype-twice-multipart-then-text"
    case(n, "two Content-Type fields: multipart/mixed first, text/plain second",
         hdr(n, extra="Content-Type: multipart/mixed; boundary=\"b1\"\nContent-Type: text/plain\n") + "\n--b1\n"
         + txt("first") + "--b1\n" + att("hidden.bin") + "--b1--\n")
    n = "ctype-twice-in-part"
    case(n, "a part with two Content-Type fields (text/plain, then application/pdf)",
         mixed(n, "--b1\n" + txt("first") + "--b1\nContent-Type: text/plain\nContent-Type: application/pdf; name=\"d.pdf\"\n"
               "Content-Transfer-Encoding: base64\n\n" + PDF + "\n--b1--\n"))
    n = "ctype-text-no-subtype"
    case(n, "Content-Type: text (no subtype) is text/plain (RFC 2045 5.2)",
         hdr(n, ctype="text") + "\nbody of text without subtype\n")
    n = "ctype-text-no-subtype-in-part"
    case(n, "a part with Content-Type: text; charset=iso-8859-1",
         mixed(n, "--b1\nContent-Type: text; charset=iso-8859-1\n\nCaf\xe9\n--b1\n" + att("x.bin") + "--b1--\n"))
    n = "ctype-invalid"
    case(n, "Content-Type: garbage (no slash)",
         hdr(n, ctype="garbage") + "\nbody of invalid type\n")
    n = "ctype-empty"
    case(n, "empty Content-Type field",
         hdr(n, ctype="") + "\nbody of empty type\n")
    n = "ctype-missing"
    case(n, "no Content-Type at all",
         hdr(n) + "\nplain body\n")
    n = "ctype-uppercase"
    case(n, "Content-Type in upper case: TEXT/PLAIN; CHARSET=UTF-8",
         hdr(n, ctype="TEXT/PLAIN; CHARSET=UTF-8") + "\nupper \u00e9\n")
    n = "ctype-spaces-around-slash"
    case(n, "Content-Type: text / plain (white space around the slash)",
         hdr(n, ctype="text / plain") + "\nspaces body\n")
    n = "ctype-trailing-semicolon"
    case(n, "Content-Type with a trailing semicolon and no parameter",
         hdr(n, ctype="text/plain;") + "\ntrailing semicolon\n")
    n = "ctype-multipart-unknown-subtype"
    case(n, "multipart/x-unknown is treated as multipart/mixed",
         mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n",
               ctype='multipart/x-unknown; boundary="b1"'))
    n = "ctype-folded"
    case(n, "folded Content-Type, boundary on the continuation line",
         mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n",
               ctype='multipart/mixed;\n\tboundary="b1"'))
    n = "ctype-boundary-no-semicolon"
    case(n, "boundary parameter on a continuation line without ';'",
         mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n",
               ctype='multipart/mixed\n boundary="b1"'))

    # digest
    n = "digest-defaults"
    case(n, "multipart/digest members without Content-Type are message/rfc822 (RFC 2046 5.1.5)",
         mixed(n, "--d\n\nFrom: m1@example.com\nSubject: one\n\nfirst member\n--d\n\n"
               "From: m2@example.com\nSubject: two\n\nsecond member\n--d--\n",
               ctype='multipart/digest; boundary="d"'))
    n = "digest-explicit-text"
    case(n, "multipart/digest with an explicit text/plain member",
         mixed(n, "--d\nContent-Type: text/plain\n\ndigest intro\n--d\n\n"
               "From: m1@example.com\nSubject: one\n\nfirst member\n--d--\n",
               ctype='multipart/digest; boundary="d"'))
    n = "digest-inside-mixed"
    case(n, "digest nested in mixed; the default applies only in the digest",
         mixed(n, "--b1\n\nplain default part\n--b1\nContent-Type: multipart/digest; boundary=\"d\"\n\n"
               "--d\n\nFrom: m1@example.com\nSubject: one\n\nmember\n--d--\n--b1--\n"))
    n = "digest-member-multipart"
    case(n, "digest member whose message is multipart",
         mixed(n, "--d\n\nFrom: m1@example.com\nSubject: one\nContent-Type: multipart/mixed; boundary=\"m\"\n\n"
               "--m\n" + txt("member text") + "--m\n" + att("m.bin") + "--m--\n--d--\n",
               ctype='multipart/digest; boundary="d"'))


# --------------------------------------------------------------------------------------
# Encoded words, RFC 2231, file names
# --------------------------------------------------------------------------------------

def encoded_words():
    def subj(n, desc, subject, body="body\n", extra=""):
        case(n, desc, hdr(n, subject=subject, extra=extra) + "\n" + body)

    n = "ew-8bit-inside-q"
    case(n, "raw 8-bit byte (0xF6) inside a Q encoded word (iso-8859-1)",
         b(hdr(n, subject="@@")).replace(b"@@", b"=?iso-8859-1?q?Fr\xf6sche?=") + b"\nbody\n")
    n = "ew-utf8-inside-q"
    case(n, "raw UTF-8 bytes inside a Q encoded word declared utf-8",
         b(hdr(n, subject="=?utf-8?q?Gr\u00fc\u00dfe?=")) + b"\nbody\n")
    subj("ew-basic-q", "simple Q encoded word", "=?utf-8?q?Caf=C3=A9_cr=C3=A8me?=")
    subj("ew-basic-b", "simple B encoded word", "=?utf-8?b?Q2Fmw6kgY3LDqG1l?=")
    subj("ew-lowercase-q-hex", "Q encoded word with lower-case hex", "=?utf-8?q?Caf=c3=a9?=")
    subj("ew-uppercase-charset", "encoded word with upper-case charset and encoding", "=?UTF-8?Q?Caf=C3=A9?=")
    subj("ew-adjacent-space", "two adjacent encoded words separated by a space (space dropped)",
         "=?utf-8?q?Hello?= =?utf-8?q?World?=")
    subj("ew-adjacent-fold", "two encoded words separated by a fold",
         "=?utf-8?q?Hello?=\n =?utf-8?q?World?=")
    subj("ew-adjacent-nospace", "two encoded words with no white space between them",
         "=?utf-8?q?Hello?==?utf-8?q?World?=")
    subj("ew-with-text", "encoded word between plain words", "Re: =?utf-8?q?Caf=C3=A9?= meeting")
    subj("ew-text-adjacent", "encoded word glued to plain text (not an encoded word by RFC 2047 5)",
         "abc=?utf-8?q?X?=def")
    subj("ew-utf8-split-b", "UTF-8 character split across two B encoded words",
         "=?utf-8?b?" + base64.b64encode("Gr\u00fc".encode()[:3]).decode() + "?= =?utf-8?b?"
         + base64.b64encode("Gr\u00fc".encode()[3:] + "\u00dfe".encode()).decode() + "?=")
    jp = "\u65e5\u672c\u8a9e\u306e\u4ef6\u540d".encode("iso-2022-jp")
    # split in the middle of the JIS run (after ESC $ B and two characters)
    cut = 3 + 4
    subj("ew-iso2022jp-split", "iso-2022-jp split across adjacent B words (state carried over)",
         "=?iso-2022-jp?b?" + base64.b64encode(jp[:cut]).decode() + "?= =?iso-2022-jp?b?"
         + base64.b64encode(jp[cut:]).decode() + "?=")
    subj("ew-iso2022jp-whole", "iso-2022-jp subject in one B word",
         "=?iso-2022-jp?b?" + base64.b64encode(jp).decode() + "?=")
    subj("ew-unknown-charset", "encoded word in an unknown charset", "=?x-unknown?q?abc?=")
    subj("ew-language", "encoded word with an RFC 2231 language tag", "=?utf-8*en?q?Hello?=")
    subj("ew-malformed-unclosed", "encoded word without closing ?=", "=?utf-8?q?Hello world")
    subj("ew-bad-encoding-letter", "encoded word with encoding letter X", "=?utf-8?x?Hello?=")
    subj("ew-b-unpadded", "B encoded word without padding", "=?utf-8?b?Q2Fmw6k?=")
    subj("ew-b-invalid-chars", "B encoded word with characters outside the alphabet", "=?utf-8?b?Q2F*mw6k=?=")
    subj("ew-q-underscore", "Q encoded word with underscores for spaces", "=?iso-8859-1?q?a_b_c?=")
    subj("ew-q-question-inside", "Q encoded word with an encoded question mark", "=?utf-8?q?why=3F?=")
    subj("ew-latin1", "iso-8859-1 Q encoded word", "=?iso-8859-1?q?Fran=E7ais?=")
    subj("ew-windows1252", "windows-1252 encoded word with a euro sign", "=?windows-1252?q?=80_100?=")
    subj("ew-koi8r", "KOI8-R B encoded word", "=?koi8-r?b?8NLJ18XU?=")
    subj("ew-gb2312", "GB2312 B encoded word", "=?gb2312?b?" + base64.b64encode("\u4e2d\u6587".encode("gb2312")).decode() + "?=")
    subj("ew-shift-jis", "Shift_JIS B encoded word", "=?shift_jis?b?" + base64.b64encode("\u65e5\u672c".encode("shift_jis")).decode() + "?=")
    n = "ew-display-name-quoted"
    case(n, "encoded word inside a quoted display name",
         hdr(n).replace("From: Alice Example <alice@example.org>", 'From: "=?utf-8?q?Al=C3=AFce?=" <alice@example.org>')
         + "\nbody\n")
    n = "ew-display-name"
    case(n, "encoded-word display name",
         hdr(n).replace("From: Alice Example <alice@example.org>", "From: =?utf-8?q?Al=C3=AFce?= <alice@example.org>")
         + "\nbody\n")
    n = "ew-in-addr-spec"
    case(n, "encoded word inside an addr-spec (must not be decoded)",
         hdr(n).replace("From: Alice Example <alice@example.org>", "From: =?utf-8?q?x?=@example.org")
         + "\nbody\n")
    n = "subject-raw-utf8"
    case(n, "raw UTF-8 in the Subject field", hdr(n, subject="Gr\u00fc\u00dfe aus K\u00f6ln") + "\nbody\n")
    n = "subject-raw-latin1"
    case(n, "raw latin-1 (invalid UTF-8) in the Subject field",
         b(hdr(n, subject="@@")).replace(b"@@", b"Gr\xfc\xdfe") + b"\nbody\n")
    subj("subject-folded", "Subject folded over three lines", "a folded\n subject over\n\tthree lines")
    subj("subject-empty", "empty Subject", "")
    subj("subject-tabs", "Subject with internal tabs", "tab\there")
    n = "subject-twice"
    case(n, "two Subject fields", hdr(n, subject="first subject", extra="Subject: second subject\n") + "\nbody\n")
    n = "subject-no-space"
    case(n, "Subject: without a space after the colon",
         hdr(n).replace("Subject: subject-no-space", "Subject:nospace") + "\nbody\n")
    n = "subject-space-before-colon"
    case(n, "'Subject :' with white space before the colon (obsolete syntax)",
         hdr(n).replace("Subject: subject-space-before-colon", "Subject : obs colon") + "\nbody\n")

    # RFC 2231 and file names
    def fname(n, desc, params_ct, params_cd):
        case(n, desc, mixed(n, "--b1\n" + txt("see attachment") + "--b1\n"
                            f"Content-Type: application/octet-stream{params_ct}\n"
                            f"Content-Disposition: attachment{params_cd}\n"
                            "Content-Transfer-Encoding: base64\n\n" + PNG + "\n--b1--\n"))

    fname("fn-plain", "filename=\"report.pdf\"", "", '; filename="report.pdf"')
    fname("fn-unquoted", "filename=report.pdf unquoted", "", "; filename=report.pdf")
    fname("fn-name-only", "only Content-Type name=", '; name="from-name.bin"', "")
    fname("fn-2231-utf8", "filename*=utf-8''Caf%C3%A9.txt", "", "; filename*=utf-8''Caf%C3%A9.txt")
    fname("fn-2231-latin1-lang", "filename*=iso-8859-1'fr'r%E9sum%E9.pdf",
          "", "; filename*=iso-8859-1'fr'r%E9sum%E9.pdf")
    fname("fn-2231-continuation", "filename*0/filename*1 (no charset)",
          "", '; filename*0="long-file-"; filename*1="name.txt"')
    fname("fn-2231-continuation-charset", "filename*0*=utf-8'' + filename*1* continuations",
          "", "; filename*0*=utf-8''Gr%C3%BC; filename*1*=%C3%9Fe.txt")
    fname("fn-2231-continuation-mixed", "encoded and plain segments mixed (*0*, *1, *2*)",
          "", "; filename*0*=utf-8''%C3%A9t%C3%A9; filename*1=\"-plain-\"; filename*2*=%C3%A0.txt")
    fname("fn-2231-split-utf8", "UTF-8 character split across two segments",
          "", "; filename*0*=utf-8''a%C3; filename*1*=%A9b.txt")
    fname("fn-2231-out-of-order", "continuation segments out of order",
          "", '; filename*1="second.txt"; filename*0="first-"')
    fname("fn-2231-missing-zero", "filename*1 without filename*0",
          "", '; filename*1="orphan.txt"')
    fname("fn-2231-and-plain", "both filename* and filename (filename* wins, RFC 2231)",
          "", "; filename=\"fallback.txt\"; filename*=utf-8''preferred%E2%9C%93.txt")
    fname("fn-2231-bad-percent", "filename*= with an invalid percent escape",
          "", "; filename*=utf-8''bad%ZZname.txt")
    fname("fn-2231-no-charset", "filename*= with empty charset and language",
          "", "; filename*=''plain%20name.txt")
    fname("fn-2231-name-ct", "name*= in Content-Type only",
          "; name*=utf-8''%E6%97%A5%E6%9C%AC.txt", "")
    fname("fn-2047-quoted", "RFC 2047 word inside a quoted filename (Outlook style)",
          "", '; filename="=?utf-8?b?w6l0w6kucGRm?="')
    fname("fn-2047-quoted-split", "two RFC 2047 words inside a quoted filename",
          "", '; filename="=?utf-8?q?Caf=C3=A9?= =?utf-8?q?_menu.txt?="')
    fname("fn-raw-utf8", "raw UTF-8 in a quoted filename", "", '; filename="Gr\u00fc\u00dfe.txt"')
    fname("fn-path", "file name with a directory path", "", '; filename="C:\\\\temp\\\\evil.exe"')
    fname("fn-name-and-filename-differ", "name= and filename= disagree",
          '; name="ct-name.bin"', '; filename="cd-name.bin"')
    fname("fn-empty", "filename=\"\" (empty) with a name=", '; name="fallback-name.bin"', '; filename=""')
    fname("fn-semicolon-inside", "quoted file name containing ';' and '='",
          "", '; filename="a;b=c.txt"')
    fname("fn-escaped-quote", "quoted file name with an escaped quote",
          "", '; filename="say \\"hi\\".txt"')
    fname("fn-folded", "filename parameter folded onto the next line",
          "", ';\n filename="folded.txt"')
    n = "fn-inline-disposition"
    case(n, "Content-Disposition: inline with a file name on an image",
         mixed(n, "--b1\n" + txt("see image") + "--b1\nContent-Type: image/png\n"
               "Content-Disposition: inline; filename=\"inline.png\"\nContent-Transfer-Encoding: base64\n\n"
               + PNG + "\n--b1--\n"))


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------

def dates():
    def d(n, desc, value):
        case(n, desc, hdr(n).replace("Date: Tue, 3 Mar 2026 10:59:50 +0100", "Date: " + value) + "\nbody\n")

    d("date-standard", "RFC 5322 date", "Tue, 3 Mar 2026 10:59:50 +0100")
    d("date-no-seconds", "obsolete/optional: no seconds", "Tue, 3 Mar 2026 10:59 +0100")
    d("date-no-weekday", "no day of week", "3 Mar 2026 10:59:50 +0100")
    d("date-wrong-weekday", "day of week does not match the date", "Mon, 3 Mar 2026 10:59:50 +0100")
    d("date-zone-ut", "obsolete zone UT", "Tue, 3 Mar 2026 10:59:50 UT")
    d("date-zone-gmt", "obsolete zone GMT", "Tue, 3 Mar 2026 10:59:50 GMT")
    d("date-zone-est", "obsolete zone EST (-0500)", "Tue, 3 Mar 2026 10:59:50 EST")
    d("date-zone-edt", "obsolete zone EDT (-0400)", "Tue, 3 Mar 2026 10:59:50 EDT")
    d("date-zone-cst", "obsolete zone CST (-0600)", "Tue, 3 Mar 2026 10:59:50 CST")
    d("date-zone-mdt", "obsolete zone MDT (-0600)", "Tue, 3 Mar 2026 10:59:50 MDT")
    d("date-zone-pst", "obsolete zone PST (-0800)", "Tue, 3 Mar 2026 10:59:50 PST")
    d("date-zone-military-z", "military zone Z (+0000)", "Tue, 3 Mar 2026 10:59:50 Z")
    d("date-zone-military-a", "military zone A (RFC 5322 4.3: treat as -0000)", "Tue, 3 Mar 2026 10:59:50 A")
    d("date-zone-military-n", "military zone N (RFC 5322 4.3: treat as -0000)", "Tue, 3 Mar 2026 10:59:50 N")
    d("date-zone-minus-zero", "zone -0000 (unknown local zone)", "Tue, 3 Mar 2026 10:59:50 -0000")
    d("date-zone-missing", "no zone at all", "Tue, 3 Mar 2026 10:59:50")
    d("date-zone-unknown-name", "unknown zone name CET", "Tue, 3 Mar 2026 10:59:50 CET")
    d("date-zone-no-sign", "zone 0100 without a sign", "Tue, 3 Mar 2026 10:59:50 0100")
    d("date-zone-three-digit", "three-digit zone -600 (invalid)", "Tue, 3 Mar 2026 10:59:50 -600")
    d("date-zone-2400", "zone +2400 (invalid: minutes/hours out of range)", "Tue, 3 Mar 2026 10:59:50 +2400")
    d("date-zone-plus-1400", "zone +1400 (valid, Kiribati)", "Tue, 3 Mar 2026 10:59:50 +1400")
    d("date-year-2digit-49", "two-digit year 49 -> 2049", "Wed, 3 Mar 49 10:59:50 +0000")
    d("date-year-2digit-50", "two-digit year 50 -> 1950", "Fri, 3 Mar 50 10:59:50 +0000")
    d("date-year-2digit-99", "two-digit year 99 -> 1999", "Wed, 3 Mar 99 10:59:50 +0000")
    d("date-year-2digit-00", "two-digit year 00 -> 2000", "Fri, 3 Mar 00 10:59:50 +0000")
    d("date-year-3digit", "three-digit year 126 -> 2026 (RFC 5322 4.3: add 1900)", "Tue, 3 Mar 126 10:59:50 +0000")
    d("date-leap-second", "leap second 23:59:60", "Wed, 31 Dec 2025 23:59:60 +0000")
    d("date-feb-31", "impossible date 31 Feb", "Tue, 31 Feb 2026 10:59:50 +0000")
    d("date-feb-29-nonleap", "29 Feb in a non-leap year", "Sun, 29 Feb 2026 10:59:50 +0000")
    d("date-feb-29-leap", "29 Feb in a leap year", "Tue, 29 Feb 2028 10:59:50 +0000")
    d("date-hour-24", "hour 24:00:00", "Tue, 3 Mar 2026 24:00:00 +0000")
    d("date-minute-60", "minute 60", "Tue, 3 Mar 2026 10:60:00 +0000")
    d("date-month-lowercase", "month name in lower case", "Tue, 3 mar 2026 10:59:50 +0100")
    d("date-month-full", "full month name 'March'", "Tue, 3 March 2026 10:59:50 +0100")
    d("date-month-invalid", "unknown month 'Mrz'", "Tue, 3 Mrz 2026 10:59:50 +0100")
    d("date-comment", "date with comments", "Tue, 3 Mar 2026 10:59:50 +0100 (CET)")
    d("date-comment-inside", "comment between date tokens (obs CFWS)", "Tue, 3 (day) Mar 2026 10:59:50 +0100")
    d("date-extra-spaces", "extra white space between tokens", "Tue,  3  Mar  2026  10:59:50  +0100")
    d("date-folded", "date folded over two lines", "Tue, 3 Mar 2026\n 10:59:50 +0100")
    d("date-single-digit-time", "single-digit hour 9:05:07", "Tue, 3 Mar 2026 9:05:07 +0100")
    d("date-iso8601", "ISO 8601 instead of RFC 5322", "2026-03-03T10:59:50+01:00")
    d("date-asctime", "asctime format", "Tue Mar  3 10:59:50 2026")
    d("date-garbage", "not a date", "yesterday afternoon")
    d("date-empty", "empty Date field", "")
    d("date-dotted-time", "dots instead of colons", "Tue, 3 Mar 2026 10.59.50 +0100")
    d("date-ut-then-field", "Date ending in UT followed by another field",
      "Tue, 3 Mar 2026 10:59:50 UT")
    n = "date-missing"
    case(n, "no Date field", hdr(n).replace("Date: Tue, 3 Mar 2026 10:59:50 +0100\n", "") + "\nbody\n")
    n = "date-twice"
    case(n, "two Date fields", hdr(n, extra="Date: Wed, 4 Mar 2026 11:00:00 +0000\n") + "\nbody\n")


# --------------------------------------------------------------------------------------
# Addresses and Message-IDs
# --------------------------------------------------------------------------------------

def addresses():
    def f(n, desc, value):
        case(n, desc, hdr(n).replace("From: Alice Example <alice@example.org>", "From: " + value) + "\nbody\n")

    f("from-bare", "bare addr-spec", "alice@example.org")
    f("from-uppercase", "addr-spec in upper case", "Alice <ALICE@Example.ORG>")
    f("from-comment", "address with a comment", "alice@example.org (Alice Example)")
    f("from-quoted-local", "quoted local part", '"alice smith"@example.org')
    f("from-route", "obsolete route <@relay:a@b>", "Alice <@relay.example:alice@example.org>")
    f("from-group", "group syntax", "Team: alice@example.org, bob@example.net;")
    f("from-empty-group", "empty group", "undisclosed-recipients:;")
    f("from-two-addresses", "two mailboxes in From", "Alice <alice@example.org>, Bob <bob@example.net>")
    f("from-no-angle-name", "display name without angle brackets (invalid)", "Alice alice@example.org")
    f("from-empty", "empty From", "")
    f("from-unterminated-angle", "unterminated angle bracket", "Alice <alice@example.org")
    f("from-encoded-local", "encoded word as local part", "=?utf-8?q?al=C3=AFce?=@example.org")
    f("from-special-name", "display name with a comma in quotes", '"Example, Alice" <alice@example.org>')
    f("from-idn-domain", "UTF-8 domain", "Alice <alice@b\u00fccher.example>")
    f("from-obs-local-spaces", "obsolete local part with spaces around dots", "alice . smith @ example.org")
    n = "from-twice"
    case(n, "two From fields", hdr(n, extra="From: Mallory <mallory@evil.example>\n") + "\nbody\n")
    n = "from-missing"
    case(n, "no From field", hdr(n).replace("From: Alice Example <alice@example.org>\n", "") + "\nbody\n")

    def m(n, desc, value):
        case(n, desc, hdr(n).replace(f"Message-ID: <{n}@edge.example>", "Message-ID: " + value) + "\nbody\n")

    m("msgid-no-brackets", "Message-ID without angle brackets", "no-brackets@edge.example")
    m("msgid-comment", "Message-ID with a comment", "(c) <comment@edge.example> (after)")
    m("msgid-spaces-inside", "Message-ID with spaces inside the brackets", "< spaces@edge.example >")
    m("msgid-two-ids", "two ids in Message-ID", "<one@edge.example> <two@edge.example>")
    m("msgid-no-at", "Message-ID without @", "<no-at-sign>")
    m("msgid-quoted-local", "Message-ID with a quoted local part", '<"quoted local"@edge.example>')
    m("msgid-domain-literal", "Message-ID with a domain literal", "<lit@[192.0.2.1]>")
    m("msgid-empty", "empty Message-ID", "")
    m("msgid-folded", "Message-ID on a continuation line", "\n <folded@edge.example>")
    n = "msgid-twice"
    case(n, "two Message-ID fields", hdr(n, extra="Message-ID: <second@edge.example>\n") + "\nbody\n")
    n = "msgid-missing"
    case(n, "no Message-ID field", hdr(n).replace(f"Message-ID: <{n}@edge.example>\n", "") + "\nbody\n")


# --------------------------------------------------------------------------------------
# Transfer encodings and charsets
# --------------------------------------------------------------------------------------

def transfer():
    def leaf(n, desc, cte, body, ctype="application/octet-stream", fn="data.bin"):
        case(n, desc, mixed(n, "--b1\n" + txt("see attachment") + "--b1\n"
                            f"Content-Type: {ctype}\nContent-Disposition: attachment; filename=\"{fn}\"\n"
                            + (f"Content-Transfer-Encoding: {cte}\n" if cte is not None else "")
                            + "\n" + body + "\n--b1--\n"))

    data = base64.b64encode(b"hello base64 world, twelve!").decode()
    leaf("base64-clean", "clean base64", "base64", data)
    leaf("base64-junk", "base64 with characters outside the alphabet", "base64",
         data[:8] + "*!" + data[8:16] + " $ " + data[16:])
    leaf("base64-unpadded", "base64 with the final padding removed", "base64",
         base64.b64encode(b"abcde").decode().rstrip("="))
    leaf("base64-blank-lines", "base64 with blank lines inside", "base64",
         data[:12] + "\n\n" + data[12:24] + "\n\n" + data[24:])
    leaf("base64-trailing-garbage", "base64 with text after the padding", "base64",
         base64.b64encode(b"abcd").decode() + "\n-- \nsignature text")
    leaf("base64-inner-padding", "base64 with '=' padding in the middle (two encoded chunks)", "base64",
         base64.b64encode(b"ab").decode() + base64.b64encode(b"cd").decode())
    leaf("base64-long-line", "base64 on one 400-character line", "base64",
         base64.b64encode(bytes(range(256)) + bytes(range(44))).decode())
    leaf("base64-crlf-in-data", "base64 body decoding to CRLF text", "base64",
         base64.b64encode(b"line1\r\nline2\r\n").decode())
    leaf("base64-uppercase-cte", "Content-Transfer-Encoding: BASE64", "BASE64", data)
    leaf("base64-comment-cte", "Content-Transfer-Encoding: base64 (comment)", "base64 (comment)", data)
    leaf("base64-cte-spaces", "Content-Transfer-Encoding with surrounding spaces", "  base64  ", data)
    leaf("base64-cte-twice", "two Content-Transfer-Encoding fields (base64, then 7bit)",
         "base64\nContent-Transfer-Encoding: 7bit", data)
    leaf("base64-single-char", "base64 with a lone final character (invalid quantum)", "base64",
         base64.b64encode(b"abc").decode() + "Q")
    leaf("cte-unknown", "unknown Content-Transfer-Encoding x-foo", "x-foo", "raw text kept as is")
    leaf("cte-binary", "Content-Transfer-Encoding: binary", "binary", "binary body")
    leaf("cte-7bit-with-8bit", "7bit declared, 8-bit bytes present", "7bit", "caf\u00e9")
    uu = binascii.b2a_uu(b"uuencoded bytes!", backtick=True).decode()
    leaf("uuencode", "x-uuencode body", "x-uuencode", "begin 644 data.bin\n" + uu + "`\nend")

    def qp(n, desc, body, cte="quoted-printable", ctype="text/plain; charset=utf-8"):
        case(n, desc, hdr(n, ctype=ctype, extra=f"Content-Transfer-Encoding: {cte}\n") + "\n" + body)

    qp("qp-basic", "quoted-printable text", "Gr=C3=BC=C3=9Fe aus K=C3=B6ln\n")
    qp("qp-trailing-space", "QP lines with trailing white space (removed by RFC 2045 6.7 (3))",
       "trailing spaces   \ntrailing tab\t\nend\n")
    qp("qp-soft-breaks", "QP soft line breaks", "a long line that is =\nbroken in=\nto three\n")
    qp("qp-soft-break-space", "QP soft break followed by spaces ('=  ')", "soft break =  \ncontinues\n")
    qp("qp-malformed-escape", "QP with malformed =XX escapes", "bad =ZZ escape and =4 lone\n")
    qp("qp-lowercase-hex", "QP with lower-case hex", "caf=c3=a9\n")
    qp("qp-equals-at-end", "QP with '=' as the very last byte", "ends with =")
    qp("qp-encoded-crlf", "QP with =0D=0A inside a line", "one=0D=0Atwo\n")
    qp("qp-long-line", "QP line longer than 76 characters", "x" * 200 + "\n")
    qp("qp-uppercase-cte", "Content-Transfer-Encoding: Quoted-Printable", "caf=C3=A9\n", cte="Quoted-Printable")
    qp("qp-attachment-binary", "QP-encoded binary attachment", "=00=01=02=FF\n",
       ctype="application/octet-stream; name=\"qp.bin\"")

    def charset(n, desc, cs, raw, cte=None):
        extra = f"Content-Transfer-Encoding: {cte}\n" if cte else "Content-Transfer-Encoding: 8bit\n"
        case(n, desc, b(hdr(n, ctype=f"text/plain; charset={cs}", extra=extra)) + b"\n" + raw)

    charset("cs-latin1", "iso-8859-1 body", "iso-8859-1", "Fran\u00e7ais\n".encode("latin-1"))
    charset("cs-windows1252", "windows-1252 body with smart quotes", "windows-1252", "\u201cquoted\u201d \u20ac\n".encode("cp1252"))
    charset("cs-latin1-labelled-ascii", "us-ascii label with 8-bit bytes", "us-ascii", "caf\u00e9\n".encode("latin-1"))
    charset("cs-utf8-invalid", "utf-8 label with invalid bytes", "utf-8", b"bad \xff\xfe bytes\n")
    charset("cs-koi8r", "KOI8-R body", "koi8-r", "\u041f\u0440\u0438\u0432\u0435\u0442\n".encode("koi8-r"))
    charset("cs-shift-jis", "Shift_JIS body", "shift_jis", "\u65e5\u672c\u8a9e\n".encode("shift_jis"))
    charset("cs-iso2022jp", "ISO-2022-JP body (7bit)", "iso-2022-jp", "\u65e5\u672c\u8a9e\n".encode("iso-2022-jp"), "7bit")
    charset("cs-gb2312", "GB2312 body", "gb2312", "\u4e2d\u6587\n".encode("gb2312"))
    charset("cs-big5", "Big5 body", "big5", "\u4e2d\u6587\n".encode("big5"))
    charset("cs-euc-kr", "EUC-KR body", "euc-kr", "\ud55c\uad6d\uc5b4\n".encode("euc-kr"))
    charset("cs-unknown", "unknown charset label", "x-unknown", b"plain ascii\n")
    charset("cs-quoted-label", "charset=\"UTF-8\" quoted and upper case", '"UTF-8"', "\u00e9t\u00e9\n".encode())
    charset("cs-utf16-nobom", "utf-16 without BOM is big-endian (RFC 2781 4.3)", "utf-16",
            "hi \u00e9\n".encode("utf-16-be"), "binary")
    charset("cs-utf16-bom-le", "utf-16 with a little-endian BOM", "utf-16",
            b"\xff\xfe" + "hi \u00e9\n".encode("utf-16-le"), "binary")
    charset("cs-utf16le-label", "utf-16le label without BOM", "utf-16le", "hi \u00e9\n".encode("utf-16-le"), "binary")
    charset("cs-utf8-bom", "UTF-8 body starting with a BOM", "utf-8", b"\xef\xbb\xbfbom text\n")
    charset("cs-utf7", "UTF-7 body", "utf-7", "caf\u00e9\n".encode("utf-7"), "7bit")
    n = "cs-utf16-base64"
    case(n, "utf-16 (no BOM) text in base64",
         hdr(n, ctype="text/plain; charset=utf-16", extra="Content-Transfer-Encoding: base64\n") + "\n"
         + base64.b64encode("Gr\u00fc\u00dfe\n".encode("utf-16-be")).decode() + "\n")

    # text bodies and line ends
    n = "text-trailing-whitespace"
    case(n, "text body with trailing white space and blank lines", hdr(n) + "\nline one  \nline two\t\n\n\n")
    n = "text-alternative"
    case(n, "multipart/alternative: text/plain is the text body",
         mixed(n, "--a\nContent-Type: text/html\n\n<p>html first</p>\n--a\n" + txt("plain second") + "--a--\n",
               ctype='multipart/alternative; boundary="a"'))
    n = "text-html-only"
    case(n, "only an HTML body: no text/plain", hdr(n, ctype="text/html; charset=utf-8") + "\n<p>only html</p>\n")
    n = "text-attached-plain"
    case(n, "the first text/plain is an attachment (disposition attachment)",
         mixed(n, "--b1\nContent-Type: text/plain; name=\"notes.txt\"\nContent-Disposition: attachment; filename=\"notes.txt\"\n\n"
               "attached notes\n--b1\n" + txt("inline body after") + "--b1--\n"))
    n = "text-empty-body"
    case(n, "message with an empty body", hdr(n) + "\n")
    n = "text-no-blank-line"
    case(n, "header block not followed by a blank line (no body)", hdr(n).rstrip("\n"))
    n = "headers-whitespace-blank-line"
    case(n, "header block ended by a line of spaces", hdr(n) + "   \nbody after space line\n")
    n = "headers-continuation-first"
    case(n, "first line is a continuation line", " leading continuation\n" + hdr(n) + "\nbody\n")
    n = "headers-no-colon-line"
    case(n, "a line without colon in the header block", hdr(n, extra="this line has no colon\n") + "\nbody\n")
    n = "headers-from-line"
    case(n, "mbox-style 'From ' line at the top of a single message", "From alice@example.org Tue Mar  3 10:59:50 2026\n"
         + hdr(n) + "\nbody\n")
    n = "headers-8bit-name"
    case(n, "a header field name with an 8-bit byte",
         b(hdr(n)) + b"X-F\xe9ld: value\n\nbody\n")


def line_ends():
    base = {name[:-4]: data for name, _, data in CASES}
    for src in ["boundary-padding-spaces", "boundary-leading-space", "boundary-midline", "inner-missing-close",
                "inner-only-close", "boundary-part-headers-no-blank", "rfc822-multipart", "rfc822-no-header",
                "digest-defaults", "qp-soft-breaks", "qp-trailing-space", "base64-junk", "fn-2231-continuation-charset",
                "ew-iso2022jp-split", "nested-three-levels", "text-trailing-whitespace", "boundary-close-no-newline",
                "ctype-twice-text-then-multipart"]:
        desc = next(d for nm, d, _ in CASES if nm == src + ".eml")
        CASES.append((f"crlf-{src}.eml", "CRLF line ends: " + desc, base[src].replace(b"\n", b"\r\n")))
    n = "crlf-mixed-line-ends"
    data = b(mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n"))
    # CRLF in the header block, LF in the body
    head, _, body = data.partition(b"\n\n")
    CASES.append((n + ".eml", "CRLF in the header block, LF in the body", head.replace(b"\n", b"\r\n") + b"\r\n\r\n" + body))
    n = "barecr-headers"
    CASES.append((n + ".eml", "bare CR line ends everywhere", b(hdr(n) + "\nbody line one\nbody line two\n").replace(b"\n", b"\r")))
    n = "barecr-in-body"
    CASES.append((n + ".eml", "a bare CR inside a body line", b(hdr(n) + "\nbefore\rafter\nnext line\n")))
    n = "barecr-boundary"
    data = b(mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n"))
    CASES.append((n + ".eml", "bare CR after the delimiter lines", data.replace(b"--b1\n", b"--b1\r").replace(b"--b1--\n", b"--b1--\r")))
    n = "crlf-boundary-lf-delimiter"
    data = b(mixed(n, "--b1\n" + txt("first") + "--b1\n" + att("x.bin") + "--b1--\n")).replace(b"\n", b"\r\n")
    CASES.append((n + ".eml", "CRLF message, one delimiter line with a bare LF",
                  data.replace(b"--b1\r\nContent-Type: application", b"--b1\nContent-Type: application")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when testdata/edge differs from the generator")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    boundaries()
    encoded_words()
    dates()
    addresses()
    transfer()
    line_ends()
    names = [n for n, _, _ in CASES]
    assert len(names) == len(set(names)), "duplicate case name"
    manifest = "file\tdescription\n" + "".join(f"{n}\t{d}\n" for n, d, _ in sorted(CASES))
    want = {n: data for n, _, data in CASES}
    want["MANIFEST.tsv"] = manifest.encode()
    if args.check:
        bad = []
        have = set(os.listdir(args.out)) if os.path.isdir(args.out) else set()
        for n, data in want.items():
            p = os.path.join(args.out, n)
            if not os.path.exists(p) or open(p, "rb").read() != data:
                bad.append(n)
        bad += sorted(have - set(want))
        if bad:
            print("testdata/edge differs from make_edge.py:", *bad[:20], sep="\n  ")
            return 1
        print(f"testdata/edge: {len(CASES)} cases, up to date")
        return 0
    os.makedirs(args.out, exist_ok=True)
    for n in os.listdir(args.out):
        if n not in want:
            os.remove(os.path.join(args.out, n))
    for n, data in want.items():
        with open(os.path.join(args.out, n), "wb") as f:
            f.write(data)
    print(f"wrote {len(CASES)} cases to {os.path.relpath(args.out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
