//! Drafts to bytes (header encoding by mail-builder, bodies encoded here so
//! the choice of transfer encoding keeps decoded bytes exact), and drafts
//! from command-line flags.

use super::validate;
use super::{Body, BuildError, Draft, Field, FieldValue, Mailbox, Node, WriteOptions};
use base64::Engine;
use mail_builder::headers::address::Address;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::text::Text;
use mail_builder::headers::Header;
use std::borrow::Cow;

/// Longest line allowed anywhere (RFC 5322 §2.1.1), without the line ending.
pub const MAX_LINE: usize = 998;
/// Folding target for header lines we fold ourselves.
const FOLD: usize = 78;

/// Writes a draft as a message. Fails (writing nothing) only when a raw
/// header value cannot be folded within 998 octets.
pub fn write(draft: &Draft, opts: WriteOptions) -> Result<Vec<u8>, BuildError> {
    let mut out: Vec<u8> = Vec::with_capacity(4096);
    for (i, f) in draft.fields.iter().enumerate() {
        write_field(&mut out, f, &format!("header {:?} (#{})", f.name, i + 1))?;
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    write_entity(&mut out, &draft.root, 0, opts)?;
    // A multipart ends with its close delimiter's line break. A leaf body
    // runs to the end of the message and gets nothing added, except base64:
    // its last line gets a line break like every other (clients and servers
    // expect one; base64 decoding ignores it). See: issue 14.
    let base64_leaf = match &draft.root.body {
        Body::Leaf(content) => match draft.root.encoding.as_deref() {
            Some("base64") => true,
            Some(_) => false,
            None => choose_encoding(&draft.root.content_type, content, opts.lf) == Encoding::Base64,
        },
        _ => false,
    };
    if matches!(draft.root.body, Body::Multipart(_)) || (base64_leaf && !out.ends_with(b"\n")) {
        out.extend_from_slice(b"\r\n");
    }
    if opts.lf {
        crlf_to_lf_in_place(&mut out);
    }
    Ok(out)
}

/// CRLF → LF without a second buffer.
fn crlf_to_lf_in_place(b: &mut Vec<u8>) {
    let mut w = 0;
    for r in 0..b.len() {
        if b[r] == b'\r' && b.get(r + 1) == Some(&b'\n') {
            continue;
        }
        b[w] = b[r];
        w += 1;
    }
    b.truncate(w);
}

/// CRLF line endings turned into LF (mbox and maildir files are LF).
pub fn crlf_to_lf(b: &[u8]) -> Vec<u8> {
    let mut o = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        o.push(b[i]);
        i += 1;
    }
    o
}

/// Writes one header field, then checks that no line of it is over 998.
fn write_field(out: &mut Vec<u8>, f: &Field, label: &str) -> Result<(), BuildError> {
    let start = out.len();
    out.extend_from_slice(f.name.as_bytes());
    out.extend_from_slice(b": ");
    let col = f.name.len() + 2;
    match &f.value {
        FieldValue::Raw(v) => {
            // Keep the original folds; fold again only lines that are long.
            let mut c = col;
            let lines: Vec<&[u8]> = split_crlf(v);
            let n = lines.len();
            for (i, l) in lines.into_iter().enumerate() {
                fold_raw(out, l, c);
                if i + 1 < n {
                    // fold_raw ended the line with CRLF; the next line starts
                    // with its folding white space.
                    c = 0;
                } else {
                    break;
                }
            }
            let _ = c;
        }
        // Text that looks like an encoded word is encoded itself, or readers
        // would decode it (RFC 2047 §5: "=?" must not appear as is).
        FieldValue::Text(t) if t.contains("=?") => encoded_words(out, t, col),
        FieldValue::Text(t) => Text::new(t.as_str()).write_header(out, col),
        FieldValue::Date(d) => fold_raw(out, d.as_bytes(), col),
        FieldValue::Ids(ids) => {
            MessageId::new_list(ids.iter().map(|s| s.as_str())).write_header(out, col)
        }
        // mail-builder would quote (or Q-encode) a name that looks like an
        // encoded word; readers decode those even inside quotes. Such lists
        // are written here with every display name as B encoded words.
        FieldValue::Addresses(list)
            if list.iter().any(|m| {
                m.name.as_deref().is_some_and(|n| n.contains("=?"))
                    || m.group.as_deref().is_some_and(|g| g.contains("=?"))
            }) =>
        {
            fold_raw(out, &encoded_address_list(list), col)
        }
        FieldValue::Addresses(list) => addresses(list).write_header(out, col),
    }
    check_lines(&out[start..], label)
}

fn check_lines(b: &[u8], label: &str) -> Result<(), BuildError> {
    for line in b.split(|&c| c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > MAX_LINE {
            return Err(BuildError::new(
                label,
                format!(
                    "a line of {} octets cannot be folded to 998 or fewer (no white space to fold at)",
                    line.len()
                ),
            ));
        }
    }
    Ok(())
}

/// An address list with every display name (and group name) as encoded
/// words, unfolded.
fn encoded_address_list(list: &[Mailbox]) -> Vec<u8> {
    let phrase = |n: &str| word_list(n).join(" ");
    let one = |m: &Mailbox| match &m.name {
        Some(n) => format!("{} <{}>", phrase(n), m.address),
        None => format!("<{}>", m.address),
    };
    let mut items = Vec::new();
    let mut i = 0;
    while i < list.len() {
        match &list[i].group {
            None => {
                items.push(one(&list[i]));
                i += 1;
            }
            Some(g) => {
                let mut members = Vec::new();
                while i < list.len() && list[i].group.as_ref() == Some(g) {
                    if !list[i].address.is_empty() {
                        members.push(one(&list[i]));
                    }
                    i += 1;
                }
                items.push(format!("{}: {};", phrase(g), members.join(", ")));
            }
        }
    }
    items.join(", ").into_bytes()
}

/// mail-builder addresses from our mailboxes, keeping groups together.
fn addresses(list: &[Mailbox]) -> Address<'_> {
    let mut items: Vec<Address<'_>> = Vec::new();
    let mut i = 0;
    while i < list.len() {
        let m = &list[i];
        match &m.group {
            None => {
                items.push(Address::new_address(m.name.as_deref(), m.address.as_str()));
                i += 1;
            }
            Some(g) => {
                let mut members = Vec::new();
                while i < list.len() && list[i].group.as_ref() == Some(g) {
                    if !list[i].address.is_empty() {
                        members.push(Address::new_address(
                            list[i].name.as_deref(),
                            list[i].address.as_str(),
                        ));
                    }
                    i += 1;
                }
                items.push(Address::new_group(Some(g.as_str()), members));
            }
        }
    }
    if items.len() == 1 && !matches!(items[0], Address::Group(_)) {
        items.remove(0)
    } else {
        Address::new_list(items)
    }
}

/// `t` as RFC 2047 "B" encoded words (UTF-8) of whole characters, each at
/// most 72 characters long (the limit is 75).
fn word_list(t: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chunk = String::new();
    let enc = |c: &str| {
        format!(
            "=?utf-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(c.as_bytes())
        )
    };
    for c in t.chars() {
        // 45 bytes of UTF-8 → 60 of base64 + 12 of framing = 72.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(enc(&chunk));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || words.is_empty() {
        words.push(enc(&chunk));
    }
    words
}

/// Writes `t` as encoded words, folding between words to stay under 78.
fn encoded_words(out: &mut Vec<u8>, t: &str, col: usize) {
    let mut c = col;
    for (i, enc) in word_list(t).iter().enumerate() {
        if i > 0 {
            if c + 1 + enc.len() > FOLD {
                out.extend_from_slice(b"\r\n");
                c = 0;
            }
            out.push(b' ');
            c += 1;
        }
        out.extend_from_slice(enc.as_bytes());
        c += enc.len();
    }
    out.extend_from_slice(b"\r\n");
}

/// Splits at CRLF.
fn split_crlf(v: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < v.len() {
        if v[i] == b'\r' && v[i + 1] == b'\n' {
            out.push(&v[start..i]);
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&v[start..]);
    out
}

/// Folds an unfolded raw value at white space: a line break is inserted
/// before a space or tab (never adding or removing white space), so unfolding
/// gives back the value exactly.
fn fold_raw(out: &mut Vec<u8>, v: &[u8], mut col: usize) {
    let mut i = 0;
    while i < v.len() {
        // The next word: white space run + non-white run.
        let ws_end = i + v[i..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(v.len() - i);
        let word_end = ws_end
            + v[ws_end..]
                .iter()
                .position(|b| matches!(b, b' ' | b'\t'))
                .unwrap_or(v.len() - ws_end);
        let word = &v[i..word_end];
        if col + word.len() > FOLD && col > 1 && ws_end > i && word_end > ws_end {
            out.extend_from_slice(b"\r\n");
            col = 0;
        }
        out.extend_from_slice(word);
        col += word.len();
        i = word_end;
    }
    out.extend_from_slice(b"\r\n");
}

/// Which transfer encoding a leaf gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// As is: ASCII, short lines, the output's line endings.
    SevenBit,
    /// Quoted-printable: mostly-ASCII text.
    QuotedPrintable,
    /// Base64: everything else.
    Base64,
}

impl Encoding {
    fn as_str(self) -> &'static str {
        match self {
            Encoding::SevenBit => "7bit",
            Encoding::QuotedPrintable => "quoted-printable",
            Encoding::Base64 => "base64",
        }
    }
}

/// True when every line break in `b` is the output's (CRLF, or LF with
/// `lf`), so writing it as is keeps the bytes.
fn endings_match(b: &[u8], lf: bool) -> bool {
    if lf {
        return !b.contains(&b'\r');
    }
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\r' if b.get(i + 1) != Some(&b'\n') => return false,
            b'\n' if i == 0 || b[i - 1] != b'\r' => return false,
            _ => {}
        }
    }
    true
}

/// Chooses the transfer encoding by content.
pub fn choose_encoding(content_type: &str, b: &[u8], lf: bool) -> Encoding {
    let texty = content_type.starts_with("text/")
        || matches!(
            content_type,
            "application/json" | "application/xml" | "application/javascript"
        )
        || content_type.ends_with("+xml")
        || content_type.ends_with("+json");
    let ends = endings_match(b, lf);
    let long = b
        .split(|&c| c == b'\n')
        .any(|l| l.strip_suffix(b"\r").unwrap_or(l).len() > 76);
    let ascii = b
        .iter()
        .all(|&c| (32..127).contains(&c) || matches!(c, b'\r' | b'\n' | b'\t'));
    // A body that ends without a line break is fine as is; "From " at a line
    // start would be mangled by mbox writers, so it goes through QP.
    let from_line = b.starts_with(b"From ") || memchr::memmem::find(b, b"\nFrom ").is_some();
    if ascii && ends && !long && !from_line {
        return Encoding::SevenBit;
    }
    if texty {
        let plain = b
            .iter()
            .filter(|&&c| (32..127).contains(&c) || matches!(c, b'\r' | b'\n' | b'\t'))
            .count();
        // QP costs 3 bytes per non-ASCII byte, base64 4/3 for all: QP wins
        // while most of the text is ASCII.
        if plain * 10 >= b.len() * 8 {
            return Encoding::QuotedPrintable;
        }
    }
    Encoding::Base64
}

/// Appends base64 in lines of 76, joined by CRLF, no final line break;
/// encoded line by line straight into the output.
fn base64_lines(o: &mut Vec<u8>, b: &[u8]) {
    o.reserve(b.len() / 57 * 78 + 80);
    for (i, chunk) in b.chunks(57).enumerate() {
        if i > 0 {
            o.extend_from_slice(b"\r\n");
        }
        let start = o.len();
        o.resize(start + chunk.len().div_ceil(3) * 4, 0);
        let _ = base64::engine::general_purpose::STANDARD.encode_slice(chunk, &mut o[start..]);
    }
}

/// Quoted-printable: a line break of the output's kind in the content (CRLF,
/// or LF with `--lf`) is a hard line break (RFC 2045 §6.7), any other CR or
/// LF is escaped, so the decoded bytes are exactly the content. Encoded lines
/// stay within 76 characters. (With `--lf` a bare LF used to be written as
/// `=0A`, one long line; see: issue 14.)
fn quoted_printable(b: &[u8], lf: bool) -> Vec<u8> {
    let mut o = Vec::with_capacity(b.len() * 3 / 2);
    let mut col = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
            o.extend_from_slice(b"\r\n");
            col = 0;
            i += 2;
            continue;
        }
        // The output's CRLFs become LF at the end (`--lf`), so a hard break
        // is written as CRLF here either way.
        if lf && c == b'\n' {
            o.extend_from_slice(b"\r\n");
            col = 0;
            i += 1;
            continue;
        }
        let at_break = i + 1 == b.len()
            || (b[i + 1] == b'\r' && b.get(i + 2) == Some(&b'\n'))
            || (lf && b[i + 1] == b'\n');
        let literal = match c {
            b'=' => false,
            // White space before a line break would be stripped in transit.
            b' ' | b'\t' => !at_break,
            // "From " and "." at a line start are escaped for mbox and SMTP.
            b'F' if col == 0 && b[i..].starts_with(b"From ") => false,
            b'.' if col == 0 => false,
            33..=126 => true,
            _ => false,
        };
        let w = if literal { 1 } else { 3 };
        // Room for the soft break "=" unless the line ends after this byte.
        let limit = if at_break { 76 } else { 75 };
        if col + w > limit {
            o.extend_from_slice(b"=\r\n");
            col = 0;
        }
        if literal {
            o.push(c);
        } else {
            o.extend_from_slice(format!("={c:02X}").as_bytes());
        }
        col += w;
        i += 1;
    }
    o
}

/// Content-Type with its parameters (and `name=` for old clients).
fn content_type_header<'a>(n: &'a Node, boundary: Option<&'a str>) -> ContentType<'a> {
    let mut ct = ContentType::new(n.content_type.as_str());
    let mut named = false;
    for (k, v) in &n.params {
        match &n.name_param {
            Some(f) if k.eq_ignore_ascii_case("name") => {
                if !named {
                    ct = ct.attribute("name", rfc2047_param(f));
                    named = true;
                }
            }
            _ => ct = ct.attribute(k.as_str(), v.as_str()),
        }
    }
    if let (Some(f), false) = (&n.name_param, named) {
        ct = ct.attribute("name", rfc2047_param(f));
    }
    if let Some(b) = boundary {
        ct = ct.attribute("boundary", b);
    }
    ct
}

/// The RFC 2047 form of a parameter value, as old clients read `name=`.
fn rfc2047_param(v: &str) -> Cow<'_, str> {
    if v.is_ascii() {
        return Cow::Borrowed(v);
    }
    let mut o = String::new();
    // Whole characters per word, at most 30 bytes of payload each (40 base64).
    let mut chunk = String::new();
    let flush = |o: &mut String, chunk: &mut String| {
        if chunk.is_empty() {
            return;
        }
        if !o.is_empty() {
            o.push(' ');
        }
        o.push_str("=?utf-8?B?");
        o.push_str(&base64::engine::general_purpose::STANDARD.encode(chunk.as_bytes()));
        o.push_str("?=");
        chunk.clear();
    };
    for c in v.chars() {
        if chunk.len() + c.len_utf8() > 30 {
            flush(&mut o, &mut chunk);
        }
        chunk.push(c);
    }
    flush(&mut o, &mut chunk);
    Cow::Owned(o)
}

/// Writes the MIME header fields of a node and its body (the header block
/// ends with the blank line).
fn write_entity(
    out: &mut Vec<u8>,
    n: &Node,
    depth: usize,
    opts: WriteOptions,
) -> Result<(), BuildError> {
    if depth > 200 {
        return Err(BuildError::new("parts", "nesting deeper than 200 levels"));
    }
    let label = format!("part {}", n.content_type);
    let mut hdr = Vec::new();
    match &n.body {
        Body::Multipart(children) => {
            // Children are written in place; the boundary must not occur in
            // any of them (RFC 2046 §5.1.1), which is checked afterwards by
            // counting: a (vanishingly rare) clash writes the part again
            // with a fresh boundary.
            let start = out.len();
            for _attempt in 0..16 {
                let boundary = mail_builder::mime::make_boundary("_");
                let mut hdr = Vec::new();
                hdr.extend_from_slice(b"Content-Type: ");
                content_type_header(n, Some(&boundary)).write_header(&mut hdr, 14);
                common_headers(&mut hdr, n);
                check_lines(&hdr, &label)?;
                out.extend_from_slice(&hdr);
                out.extend_from_slice(b"\r\n");
                let body_start = out.len();
                for c in children {
                    out.extend_from_slice(b"--");
                    out.extend_from_slice(boundary.as_bytes());
                    out.extend_from_slice(b"\r\n");
                    write_entity(out, c, depth + 1, opts)?;
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"--");
                out.extend_from_slice(boundary.as_bytes());
                out.extend_from_slice(b"--");
                let seen =
                    memchr::memmem::find_iter(&out[body_start..], boundary.as_bytes()).count();
                if seen == children.len() + 1 {
                    return Ok(());
                }
                out.truncate(start);
            }
            return Err(BuildError::new(
                &label,
                "could not find a boundary absent from the content",
            ));
        }
        Body::Leaf(content) => {
            let enc = match n.encoding.as_deref() {
                Some("base64") => Encoding::Base64,
                Some("quoted-printable") => Encoding::QuotedPrintable,
                _ => choose_encoding(&n.content_type, content, opts.lf),
            };
            hdr.extend_from_slice(b"Content-Type: ");
            content_type_header(n, None).write_header(&mut hdr, 14);
            hdr.extend_from_slice(b"Content-Transfer-Encoding: ");
            hdr.extend_from_slice(enc.as_str().as_bytes());
            hdr.extend_from_slice(b"\r\n");
            common_headers(&mut hdr, n);
            check_lines(&hdr, &label)?;
            out.extend_from_slice(&hdr);
            out.extend_from_slice(b"\r\n");
            match enc {
                Encoding::SevenBit => out.extend_from_slice(content),
                Encoding::QuotedPrintable => {
                    out.extend_from_slice(&quoted_printable(content, opts.lf))
                }
                Encoding::Base64 => base64_lines(out, content),
            }
        }
        Body::Message(m)
            if n.encoding.as_deref() == Some("base64") && !endings_match(m, opts.lf) =>
        {
            // RFC 2046 wants attached messages unencoded, but a spec that
            // says the original was base64 keeps it, and with it the
            // message's own line endings.
            hdr.extend_from_slice(b"Content-Type: ");
            content_type_header(n, None).write_header(&mut hdr, 14);
            hdr.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n");
            common_headers(&mut hdr, n);
            check_lines(&hdr, &label)?;
            out.extend_from_slice(&hdr);
            out.extend_from_slice(b"\r\n");
            base64_lines(out, m);
        }
        Body::Message(m) => {
            let m = normalize_endings(m);
            let enc = if m.is_ascii() { "7bit" } else { "8bit" };
            let long = m.split(|&c| c == b'\n').any(|l| l.len() > MAX_LINE + 1);
            let enc = if long || m.contains(&0) {
                "binary"
            } else {
                enc
            };
            hdr.extend_from_slice(b"Content-Type: ");
            content_type_header(n, None).write_header(&mut hdr, 14);
            hdr.extend_from_slice(b"Content-Transfer-Encoding: ");
            hdr.extend_from_slice(enc.as_bytes());
            hdr.extend_from_slice(b"\r\n");
            common_headers(&mut hdr, n);
            check_lines(&hdr, &label)?;
            out.extend_from_slice(&hdr);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&m);
        }
    }
    Ok(())
}

/// Text with every line break as the output's: CRLF, or LF with `lf`.
pub fn canonical_text(b: &[u8], lf: bool) -> Vec<u8> {
    let crlf = normalize_endings(b);
    if lf {
        crlf_to_lf(&crlf)
    } else {
        crlf
    }
}

/// An attached message's line endings become CRLF (and LF again with
/// `--lf`, when the whole output is converted).
fn normalize_endings(m: &[u8]) -> Vec<u8> {
    let mut o = Vec::with_capacity(m.len() + m.len() / 40);
    for (i, &c) in m.iter().enumerate() {
        match c {
            b'\n' if i == 0 || m[i - 1] != b'\r' => o.extend_from_slice(b"\r\n"),
            b'\r' if m.get(i + 1) != Some(&b'\n') => o.extend_from_slice(b"\r\n"),
            _ => o.push(c),
        }
    }
    o
}

fn common_headers(hdr: &mut Vec<u8>, n: &Node) {
    if let Some(d) = &n.disposition {
        hdr.extend_from_slice(b"Content-Disposition: ");
        let mut cd = ContentType::new(d.as_str());
        if let Some(f) = &n.filename {
            cd = cd.attribute("filename", f.as_str());
        }
        cd.write_header(hdr, 21);
    }
    if let Some(id) = &n.content_id {
        hdr.extend_from_slice(b"Content-ID: ");
        MessageId::new(id.as_str()).write_header(hdr, 12);
    }
    if let Some(d) = &n.description {
        hdr.extend_from_slice(b"Content-Description: ");
        Text::new(d.as_str()).write_header(hdr, 21);
    }
}

// ---------------------------------------------------------------------------
// Drafts from flags.

/// One `--attach`/`--inline` argument: `FILE[;type=T][;name=N][;cid=ID]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileArg {
    /// The file to read.
    pub path: String,
    /// Content type (guessed from the extension when absent).
    pub content_type: Option<String>,
    /// The name shown to the recipient (the file's base name when absent).
    pub name: Option<String>,
    /// Content-ID (inline parts).
    pub cid: Option<String>,
}

/// Parses `FILE[;type=…][;name=…][;cid=…]`. A `;` in a file name can be
/// written as `;;`.
pub fn parse_file_arg(flag: &str, arg: &str) -> Result<FileArg, BuildError> {
    validate::no_breaks(flag, arg)?;
    let mut pieces = Vec::new();
    let mut cur = String::new();
    let mut chars = arg.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ';' {
            if chars.peek() == Some(&';') {
                chars.next();
                cur.push(';');
                continue;
            }
            pieces.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    pieces.push(cur);
    let mut it = pieces.into_iter();
    let mut fa = FileArg {
        path: it.next().unwrap_or_default(),
        ..FileArg::default()
    };
    if fa.path.is_empty() {
        return Err(BuildError::new(flag, "no file given"));
    }
    for p in it {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            BuildError::new(flag, format!("expected key=value after ';', got {p:?}"))
        })?;
        match k.trim() {
            "type" => fa.content_type = Some(validate::mime_type(flag, v)?),
            "name" => fa.name = Some(v.to_string()),
            "cid" => fa.cid = Some(validate::message_id(flag, v).or_else(|_| cid_token(flag, v))?),
            other => {
                return Err(BuildError::new(
                    flag,
                    format!("unknown option {other:?} (known: type, name, cid)"),
                ))
            }
        }
    }
    Ok(fa)
}

/// Content-IDs are often plain names (`logo.png`) in practice; allow any
/// printable ASCII without brackets or spaces.
fn cid_token(flag: &str, v: &str) -> Result<String, BuildError> {
    let v = v.trim();
    let v = v
        .strip_prefix('<')
        .and_then(|x| x.strip_suffix('>'))
        .unwrap_or(v);
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_graphic() && !"<>\"\\".contains(c))
    {
        Ok(v.to_string())
    } else {
        Err(BuildError::new(flag, format!("invalid Content-ID {v:?}")))
    }
}

/// A content type from a file extension; `application/octet-stream` when
/// unknown.
pub fn guess_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" | "log" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "ics" => "text/calendar",
        "xml" => "application/xml",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "ico" => "image/vnd.microsoft.icon",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "eml" => "message/rfc822",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
}

/// Checks a file name given for a part (any Unicode, no control characters).
pub fn check_filename(field: &str, name: &str) -> Result<(), BuildError> {
    validate::no_breaks(field, name)?;
    if name.is_empty() || name.chars().any(|c| c.is_control()) {
        return Err(BuildError::new(
            field,
            format!("invalid file name {name:?} (empty or control characters)"),
        ));
    }
    Ok(())
}

/// Everything the flags say, with file contents already read.
#[derive(Debug, Clone, Default)]
pub struct FlagInput {
    /// (flag, value) header fields in flag order: `--from`, `--to`, …
    pub from: Option<String>,
    /// `--sender`.
    pub sender: Option<String>,
    /// `--reply-to`.
    pub reply_to: Vec<String>,
    /// `--to`.
    pub to: Vec<String>,
    /// `--cc`.
    pub cc: Vec<String>,
    /// `--bcc`.
    pub bcc: Vec<String>,
    /// `--subject`.
    pub subject: Option<String>,
    /// `--date`.
    pub date: Option<String>,
    /// `--message-id`.
    pub message_id: Option<String>,
    /// `--in-reply-to`.
    pub in_reply_to: Option<String>,
    /// `--references`.
    pub references: Option<String>,
    /// `--header 'Name: value'`.
    pub headers: Vec<String>,
    /// Text body.
    pub text: Option<Vec<u8>>,
    /// HTML body.
    pub html: Option<Vec<u8>>,
    /// Attachments: argument and bytes.
    pub attach: Vec<(FileArg, Vec<u8>)>,
    /// Inline parts: argument and bytes.
    pub inline: Vec<(FileArg, Vec<u8>)>,
    /// Attached messages: path and bytes.
    pub attach_message: Vec<(String, Vec<u8>)>,
    /// Digest members: path and bytes.
    pub digest: Vec<(String, Vec<u8>)>,
    /// The current time (seconds since the epoch), for Date and Message-ID.
    pub now: i64,
    /// The output will have LF line endings (text bodies follow).
    pub lf: bool,
}

/// The base name of a path.
fn base_name(p: &str) -> String {
    std::path::Path::new(p)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.to_string())
}

/// Header fields the flags set directly; `--header` may not duplicate them.
const RESERVED: [&str; 16] = [
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
];

/// Parses `--header 'Name: value'` into a field (text, RFC 2047 when
/// non-ASCII).
pub fn header_arg(flag: &str, arg: &str) -> Result<Field, BuildError> {
    validate::no_breaks(flag, arg)?;
    let (name, value) = arg
        .split_once(':')
        .ok_or_else(|| BuildError::new(flag, format!("expected 'Name: value', got {arg:?}")))?;
    let name = name.trim_end();
    validate::field_name(flag, name)?;
    if RESERVED.iter().any(|r| name.eq_ignore_ascii_case(r)) {
        return Err(BuildError::new(
            flag,
            format!("{name} is set by its own option or generated; use that instead"),
        ));
    }
    Ok(Field {
        name: name.to_string(),
        value: FieldValue::Text(value.trim().to_string()),
    })
}

/// A Date value from `--date`: RFC 5322 or RFC 3339 text, or seconds since
/// the epoch. The result is RFC 5322.
pub fn date_arg(field: &str, v: &str) -> Result<String, BuildError> {
    validate::no_breaks(field, v)?;
    let v = v.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(v) {
        return Ok(d.to_rfc2822());
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(d.to_rfc2822());
    }
    if let Ok(ts) = v.parse::<i64>() {
        if let Some(d) = chrono::DateTime::from_timestamp(ts, 0) {
            return Ok(d.to_rfc2822());
        }
    }
    Err(BuildError::new(
        field,
        format!("date not understood: {v:?} (use RFC 5322, RFC 3339 or seconds since 1970)"),
    ))
}

/// The default Date: now, in UTC.
pub fn date_now(now: i64) -> String {
    chrono::DateTime::from_timestamp(now, 0)
        .map(|d| d.to_rfc2822())
        .unwrap_or_else(|| "Thu, 1 Jan 1970 00:00:00 +0000".to_string())
}

/// A fresh Message-ID on `domain`: time, process and a counter make it unique.
pub fn generate_message_id(domain: &str, now: i64) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // The boundary generator is seeded per process and thread; reuse it as a
    // source of randomness rather than adding a dependency.
    let r = mail_builder::mime::make_boundary(".");
    let r: String = r
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(16)
        .collect();
    format!("{now:x}.{nanos:x}.{}.{n}.{r}@{domain}", std::process::id())
}

/// The domain of the first From address (for Message-ID), or `localhost`.
pub fn from_domain(fields: &[Field]) -> String {
    fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("from"))
        .and_then(|f| match &f.value {
            FieldValue::Addresses(l) => l.iter().find(|m| !m.address.is_empty()),
            _ => None,
        })
        .and_then(|m| m.address.rsplit_once('@').map(|(_, d)| d.to_string()))
        .unwrap_or_else(|| "localhost".to_string())
}

fn addr_field(name: &str, flag: &str, values: &[String]) -> Result<Option<Field>, BuildError> {
    if values.is_empty() {
        return Ok(None);
    }
    let mut all = Vec::new();
    for v in values {
        all.extend(validate::address_list(flag, v)?);
    }
    Ok(Some(Field {
        name: name.to_string(),
        value: FieldValue::Addresses(all),
    }))
}

/// Builds a draft from flags. Text and HTML together become
/// multipart/alternative; inline parts make multipart/related with the HTML;
/// attachments and attached messages make multipart/mixed; `--digest`
/// members make a multipart/digest.
pub fn from_flags(mut fi: FlagInput) -> Result<Draft, BuildError> {
    let mut fields = Vec::new();
    if fi.from.is_none() {
        return Err(BuildError::new(
            "--from",
            "missing: RFC 5322 requires a From field",
        ));
    }
    if let Some(f) = addr_field("From", "--from", fi.from.as_slice())? {
        fields.push(f);
    }
    if let Some(f) = addr_field("Sender", "--sender", fi.sender.as_slice())? {
        if matches!(&f.value, FieldValue::Addresses(l) if l.len() != 1) {
            return Err(BuildError::new(
                "--sender",
                "Sender takes exactly one address",
            ));
        }
        fields.push(f);
    }
    for (name, flag, v) in [
        ("Reply-To", "--reply-to", &fi.reply_to),
        ("To", "--to", &fi.to),
        ("Cc", "--cc", &fi.cc),
        ("Bcc", "--bcc", &fi.bcc),
    ] {
        if let Some(f) = addr_field(name, flag, v)? {
            fields.push(f);
        }
    }
    if let Some(s) = &fi.subject {
        validate::no_breaks("--subject", s)?;
        fields.push(Field {
            name: "Subject".into(),
            value: FieldValue::Text(s.clone()),
        });
    }
    let date = match &fi.date {
        Some(d) => date_arg("--date", d)?,
        None => date_now(fi.now),
    };
    fields.push(Field {
        name: "Date".into(),
        value: FieldValue::Date(date),
    });
    let mid = match &fi.message_id {
        Some(m) => validate::message_id("--message-id", m)?,
        None => generate_message_id(&from_domain(&fields), fi.now),
    };
    fields.push(Field {
        name: "Message-ID".into(),
        value: FieldValue::Ids(vec![mid]),
    });
    if let Some(v) = &fi.in_reply_to {
        fields.push(Field {
            name: "In-Reply-To".into(),
            value: FieldValue::Ids(validate::message_ids("--in-reply-to", v)?),
        });
    }
    if let Some(v) = &fi.references {
        fields.push(Field {
            name: "References".into(),
            value: FieldValue::Ids(validate::message_ids("--references", v)?),
        });
    }
    for h in &fi.headers {
        fields.push(header_arg("--header", h)?);
    }

    let text = match &fi.text {
        Some(t) => Some(text_node("--text", "text/plain", t, fi.lf)?),
        None => None,
    };
    let html = match &fi.html {
        Some(t) => Some(text_node("--html", "text/html", t, fi.lf)?),
        None => None,
    };
    let mut inlines = Vec::new();
    for (fa, bytes) in std::mem::take(&mut fi.inline) {
        let name = fa.name.clone().unwrap_or_else(|| base_name(&fa.path));
        check_filename("--inline", &name)?;
        let ct = fa
            .content_type
            .clone()
            .unwrap_or_else(|| guess_type(&name).to_string());
        let mut n = Node::leaf(&ct, bytes);
        n.disposition = Some("inline".into());
        n.filename = Some(name.clone());
        n.name_param = Some(name.clone());
        n.content_id = Some(match &fa.cid {
            Some(c) => c.clone(),
            None => cid_token("--inline", &name)?,
        });
        inlines.push(n);
    }
    let mut attachments = Vec::new();
    let attach_given = !fi.attach.is_empty();
    for (fa, bytes) in std::mem::take(&mut fi.attach) {
        let name = fa.name.clone().unwrap_or_else(|| base_name(&fa.path));
        check_filename("--attach", &name)?;
        let ct = fa
            .content_type
            .clone()
            .unwrap_or_else(|| guess_type(&name).to_string());
        if ct == "message/rfc822" {
            attachments.push(message_node("--attach", &fa.path, &bytes, Some(name))?);
            continue;
        }
        let mut n = Node::leaf(&ct, bytes);
        n.disposition = Some("attachment".into());
        n.name_param = Some(name.clone());
        n.filename = Some(name);
        if let Some(c) = &fa.cid {
            n.content_id = Some(c.clone());
        }
        attachments.push(n);
    }
    for (p, bytes) in &fi.attach_message {
        attachments.push(message_node("--attach-message", p, bytes, None)?);
    }
    if !fi.digest.is_empty() {
        let mut members = Vec::new();
        for (p, bytes) in &fi.digest {
            let mut m = message_node("--digest", p, bytes, None)?;
            m.disposition = None;
            members.push(m);
        }
        attachments.push(Node::multipart("digest", members));
    }

    // The readable body: text, html, or both as alternatives; inline parts
    // relate to the HTML (or to the text when there is no HTML).
    let body = match (text, html) {
        (t, Some(h)) => {
            let h = if inlines.is_empty() {
                h
            } else {
                let mut c = vec![h];
                c.append(&mut inlines);
                let mut r = Node::multipart("related", c);
                r.params.push(("type".into(), "text/html".into()));
                r
            };
            match t {
                Some(t) => Some(Node::multipart("alternative", vec![t, h])),
                None => Some(h),
            }
        }
        (Some(t), None) if !inlines.is_empty() => {
            let mut c = vec![t];
            c.append(&mut inlines);
            let mut r = Node::multipart("related", c);
            r.params.push(("type".into(), "text/plain".into()));
            Some(r)
        }
        (Some(t), None) => Some(t),
        (None, None) => {
            if inlines.is_empty() {
                None
            } else {
                Some(Node::multipart("related", std::mem::take(&mut inlines)))
            }
        }
    };
    let root = match (body, attachments.len()) {
        (Some(b), 0) => b,
        (None, 0) => Node::leaf("text/plain", Vec::new()),
        (None, 1) if !fi.digest.is_empty() && !attach_given && fi.attach_message.is_empty() => {
            attachments.remove(0)
        }
        (b, _) => {
            let mut c: Vec<Node> = b.into_iter().collect();
            c.append(&mut attachments);
            Node::multipart("mixed", c)
        }
    };
    let mut root = root;
    if root.content_type == "text/plain" && root.params.is_empty() {
        root.params.push(("charset".into(), "utf-8".into()));
    }
    Ok(Draft { fields, root })
}

/// A text body: must be UTF-8 (other charsets go through `--attach` with a
/// `type=` that names the charset, or a spec).
fn text_node(flag: &str, ct: &str, bytes: &[u8], lf: bool) -> Result<Node, BuildError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(BuildError::new(flag, "the text is not valid UTF-8"));
    }
    // Text has CRLF line breaks in MIME (RFC 2046 §4.1.1); a file with LF
    // (or CR) breaks is converted so the body stays readable 7bit or QP.
    let mut n = Node::leaf(ct, canonical_text(bytes, lf));
    let cs = if bytes.is_ascii() {
        "us-ascii"
    } else {
        "utf-8"
    };
    n.params.push(("charset".into(), cs.into()));
    Ok(n)
}

/// An attached message, checked to parse as one.
fn message_node(
    flag: &str,
    path: &str,
    bytes: &[u8],
    name: Option<String>,
) -> Result<Node, BuildError> {
    if let Err(e) = crate::model::parse(bytes, 0, crate::model::Scope::HeadersOnly) {
        return Err(BuildError::new(flag, format!("{path}: {e}")));
    }
    let mut n = Node::leaf("message/rfc822", Vec::new());
    n.body = Body::Message(bytes.to_vec());
    n.disposition = Some(
        if name.is_some() {
            "attachment"
        } else {
            "inline"
        }
        .into(),
    );
    if let Some(name) = name {
        check_filename(flag, &name)?;
        n.filename = Some(name);
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_raw_keeps_value() {
        let v = b"a ".repeat(100);
        let mut o = Vec::new();
        fold_raw(&mut o, &v, 10);
        let unfolded: Vec<u8> = o
            .iter()
            .copied()
            .filter(|&c| c != b'\r' && c != b'\n')
            .collect();
        assert_eq!(unfolded, v);
        assert!(o.split(|&c| c == b'\n').all(|l| l.len() <= 80));
    }

    #[test]
    fn encodings() {
        assert_eq!(
            choose_encoding("text/plain", b"hi\r\nthere", false),
            Encoding::SevenBit
        );
        // A bare LF in CRLF output: QP escapes it (=0A) so the bytes survive.
        assert_eq!(
            choose_encoding("text/plain", b"hi\nthere", false),
            Encoding::QuotedPrintable
        );
        assert_eq!(quoted_printable(b"hi\nthere", false), b"hi=0Athere");
        assert_eq!(
            choose_encoding("application/octet-stream", b"hi\nthere", false),
            Encoding::Base64
        );
        assert_eq!(
            choose_encoding("text/plain", b"hi\nthere", true),
            Encoding::SevenBit
        );
        assert_eq!(
            choose_encoding(
                "text/plain",
                "caf\u{e9} au lait, s.il vous pla\u{ee}t".as_bytes(),
                false
            ),
            Encoding::QuotedPrintable
        );
        assert_eq!(
            choose_encoding("image/png", b"\x89PNG", false),
            Encoding::Base64
        );
    }

    #[test]
    fn qp_lines_short() {
        let s = "é".repeat(100) + "\r\n" + &"x".repeat(300);
        let q = quoted_printable(s.as_bytes(), false);
        for l in q.split(|&c| c == b'\n') {
            assert!(l.len() <= 77, "{}", String::from_utf8_lossy(l));
        }
        let d = quoted_printable::decode(&q, quoted_printable::ParseMode::Strict).unwrap();
        assert_eq!(d, s.as_bytes());
    }

    #[test]
    fn file_args() {
        let f = parse_file_arg("--attach", "a;;b.pdf;type=application/pdf;name=R é.pdf").unwrap();
        assert_eq!(f.path, "a;b.pdf");
        assert_eq!(f.content_type.as_deref(), Some("application/pdf"));
        assert_eq!(f.name.as_deref(), Some("R é.pdf"));
        assert!(parse_file_arg("--attach", "a;type=x").is_err());
        assert!(parse_file_arg("--attach", "a;foo=x").is_err());
    }
}
