//! Drafts from a JSON spec whose field names are those of the `json` export,
//! so that `emlkit json msg.eml | emlkit build --spec -` rebuilds the message.
//!
//! What is read (everything else, such as `source.offset`, `findings` or
//! `received`, is ignored):
//!
//! - `headers`: `[{name, raw: {text}|{bytes}|"…", decoded}]` in order. `raw`
//!   is written as it is (folds kept, after the injection checks); without
//!   `raw`, `decoded` (or `value`) is unstructured text, RFC 2047-encoded when
//!   needed. `Content-*` and `MIME-Version` fields of the message are skipped:
//!   they are generated from `parts`.
//! - `from`, `sender`, `reply_to`, `to`, `cc`, `bcc` (`[{name, address,
//!   group}]` or a string), `subject`, `date` (`{raw}`, `{rfc3339}` or a
//!   string), `message_id`, `in_reply_to`, `references`: used for fields that
//!   `headers` does not have. Date and Message-ID are generated when absent.
//! - `parts`: the part tree as the export lists it (pre-order, with `depth`),
//!   or nested with `parts` inside a part. A leaf's content is, in order: its
//!   `content` (base64), its `path`, its `text`, the `text`/`html` entry with
//!   its id (the original bytes are used when that text is unchanged, so the
//!   charset is kept), or the part of the same id in the message named by
//!   `source` (when that file can be read).
//! - Without `parts`: `text` and `html` (strings or the export's arrays) and
//!   `attachments` (`[{filename, content_type, path | content, content_id,
//!   disposition}]`).

use super::compose::{check_filename, date_arg, date_now, from_domain, generate_message_id};
use super::validate;
use super::{Body, BuildError, Draft, Field, FieldValue, Mailbox, Node};
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where relative paths are resolved and what the spec may read.
#[derive(Debug, Clone)]
pub struct SpecContext {
    /// Directory that relative `path`s are resolved against.
    pub base_dir: PathBuf,
    /// Allow `path` fields and the `source` message to be read. Enabled by
    /// default; `--no-files` turns it off for specs from untrusted hands.
    pub allow_files: bool,
    /// The current time (seconds since the epoch), for a generated Date.
    pub now: i64,
    /// The output will have LF line endings (hand-written text bodies
    /// follow; contents from the export are kept as they are).
    pub lf: bool,
}

/// MIME fields of the message itself: generated from `parts`, so the copies
/// in `headers` are skipped.
const GENERATED: [&str; 6] = [
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
    "content-description",
    "mime-version",
];

/// Largest file or decoded content read for one part (1 GiB).
const MAX_CONTENT: u64 = 1 << 30;

/// The line endings a spec's message should get when none is asked for:
/// those of its source message when it can be read, else `None` (CRLF).
pub fn line_ending(v: &Value, ctx: &SpecContext) -> Option<bool> {
    if let Some(lf) = Source::new(v.get("source"), ctx).is_lf() {
        return Some(lf);
    }
    // No readable source: folded raw header values and attached messages
    // show the line endings the message had.
    let ending = |b: &[u8]| -> Option<bool> {
        let nl = memchr::memchr(b'\n', b)?;
        Some(nl == 0 || b[nl - 1] != b'\r')
    };
    if let Some(Value::Array(hs)) = v.get("headers") {
        for h in hs {
            if let Some(t) = h.pointer("/raw/text").and_then(Value::as_str) {
                if let Some(lf) = ending(t.as_bytes()) {
                    return Some(lf);
                }
            }
        }
    }
    for key in ["text", "html"] {
        if let Some(Value::Array(ts)) = v.get(key) {
            for t in ts {
                if let Some(lf) = t
                    .get("text")
                    .and_then(Value::as_str)
                    .and_then(|t| ending(t.as_bytes()))
                {
                    return Some(lf);
                }
            }
        }
    }
    if let Some(Value::Array(ps)) = v.get("parts") {
        for p in ps {
            if p.get("kind").and_then(Value::as_str) != Some("message") {
                continue;
            }
            if let Some(c) = p.get("content").and_then(Value::as_str) {
                if let Ok(b) = b64("content", c) {
                    if let Some(lf) = ending(&b) {
                        return Some(lf);
                    }
                }
            }
        }
    }
    None
}

/// Builds a draft from a spec.
pub fn from_json(v: &Value, ctx: &SpecContext) -> Result<Draft, BuildError> {
    let obj = v
        .as_object()
        .ok_or_else(|| BuildError::new("spec", "expected a JSON object"))?;
    let mut src = Source::new(obj.get("source"), ctx);
    let mut fields = Vec::new();
    if let Some(h) = obj.get("headers").filter(|h| !h.is_null()) {
        let arr = h
            .as_array()
            .ok_or_else(|| BuildError::new("headers", "expected an array"))?;
        for (i, e) in arr.iter().enumerate() {
            if let Some(f) = header_entry(&format!("headers[{i}]"), e)? {
                fields.push(f);
            }
        }
    }
    structured(obj, &mut fields)?;
    if !fields.iter().any(|f| f.name.eq_ignore_ascii_case("date")) {
        fields.push(Field {
            name: "Date".into(),
            value: FieldValue::Date(date_now(ctx.now)),
        });
    }
    if !fields
        .iter()
        .any(|f| f.name.eq_ignore_ascii_case("message-id"))
    {
        let id = generate_message_id(&from_domain(&fields), ctx.now);
        fields.push(Field {
            name: "Message-ID".into(),
            value: FieldValue::Ids(vec![id]),
        });
    }
    let bodies = Bodies::new(obj)?;
    let root = match obj.get("parts").and_then(Value::as_array) {
        Some(parts) if !parts.is_empty() => {
            let mut idx = 0;
            let at = At {
                base: "parts",
                label: None,
                level: 0,
            };
            let node = part_tree(parts, &mut idx, &at, &bodies, &mut src, ctx)?;
            if idx < parts.len() {
                return Err(BuildError::new(
                    format!("parts[{idx}]"),
                    "more than one root part (check the depth values)",
                ));
            }
            node
        }
        _ => simple_body(obj, &bodies, ctx)?,
    };
    Ok(Draft { fields, root })
}

fn str_field<'v>(
    o: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'v str>, BuildError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(BuildError::new(
            format!("{path}.{key}"),
            "expected a string",
        )),
    }
}

/// One entry of `headers`.
fn header_entry(path: &str, e: &Value) -> Result<Option<Field>, BuildError> {
    let o = e
        .as_object()
        .ok_or_else(|| BuildError::new(path, "expected an object {name, raw|decoded}"))?;
    let name = str_field(o, "name", path)?
        .ok_or_else(|| BuildError::new(format!("{path}.name"), "missing"))?;
    validate::field_name(&format!("{path}.name"), name)?;
    if GENERATED.iter().any(|g| name.eq_ignore_ascii_case(g)) {
        return Ok(None);
    }
    let field = format!("{path}.raw");
    let value = match o.get("raw") {
        Some(Value::Object(r)) => {
            if let Some(Value::String(t)) = r.get("text") {
                FieldValue::Raw(validate::normalize_folds(&field, t.as_bytes())?)
            } else if let Some(Value::String(b)) = r.get("bytes") {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|e| {
                        BuildError::new(format!("{field}.bytes"), format!("invalid base64: {e}"))
                    })?;
                FieldValue::Raw(validate::normalize_folds(&field, &bytes)?)
            } else {
                return Err(BuildError::new(
                    field,
                    "expected {\"text\": …} or {\"bytes\": base64}",
                ));
            }
        }
        Some(Value::String(t)) => FieldValue::Raw(validate::normalize_folds(&field, t.as_bytes())?),
        Some(Value::Null) | None => {
            let t = str_field(o, "decoded", path)?
                .or(str_field(o, "value", path)?)
                .ok_or_else(|| BuildError::new(path, "needs raw, decoded or value"))?;
            validate::no_breaks(&format!("{path}.decoded"), t)?;
            FieldValue::Text(t.to_string())
        }
        Some(_) => return Err(BuildError::new(field, "expected an object or a string")),
    };
    Ok(Some(Field {
        name: name.to_string(),
        value,
    }))
}

fn has(fields: &[Field], name: &str) -> bool {
    fields.iter().any(|f| f.name.eq_ignore_ascii_case(name))
}

/// Puts a structured value in place of the field of that name (keeping its
/// position), or appends it.
fn place(fields: &mut Vec<Field>, name: &str, value: FieldValue) {
    // The export reads the last of repeated fields; so does this.
    match fields
        .iter_mut()
        .rev()
        .find(|f| f.name.eq_ignore_ascii_case(name))
    {
        Some(f) => f.value = value,
        None => fields.push(Field {
            name: name.into(),
            value,
        }),
    }
}

/// What the `json` export says for `key` when the message's `name` field is
/// `raw`: used to tell whether a spec's structured key was edited.
fn exported(key: &str, name: &str, raw: &[u8]) -> Value {
    let mut hdr = Vec::with_capacity(raw.len() + 32);
    hdr.extend_from_slice(name.as_bytes());
    hdr.extend_from_slice(b": ");
    hdr.extend_from_slice(raw);
    hdr.extend_from_slice(b"\r\n\r\n");
    let Some(m) = mail_parser::MessageParser::default().parse_headers(&hdr) else {
        return Value::Null;
    };
    let addrs = |a: Option<&mail_parser::Address<'_>>| -> Value {
        let one = |x: &mail_parser::Addr<'_>, g: Option<&str>| {
            let mut o = Map::new();
            o.insert("name".into(), x.name.as_deref().into());
            o.insert("address".into(), x.address.as_deref().into());
            if let Some(g) = g {
                o.insert("group".into(), g.into());
            }
            Value::Object(o)
        };
        match a {
            None => Value::Null,
            Some(mail_parser::Address::List(l)) => l.iter().map(|x| one(x, None)).collect(),
            Some(mail_parser::Address::Group(gs)) => gs
                .iter()
                .flat_map(|g| g.addresses.iter().map(move |x| one(x, g.name.as_deref())))
                .collect(),
        }
    };
    let list = |v: &mail_parser::HeaderValue<'_>| -> Value {
        match v {
            mail_parser::HeaderValue::Text(t) => Value::from(vec![t.to_string()]),
            mail_parser::HeaderValue::TextList(l) => {
                l.iter().map(|t| Value::from(t.as_ref())).collect()
            }
            _ => Value::Null,
        }
    };
    match key {
        "from" => addrs(m.from()),
        "sender" => addrs(m.sender()),
        "reply_to" => addrs(m.reply_to()),
        "to" => addrs(m.to()),
        "cc" => addrs(m.cc()),
        "bcc" => addrs(m.bcc()),
        "message_id" => m.message_id().into(),
        "in_reply_to" => list(m.in_reply_to()),
        "references" => list(m.references()),
        _ => Value::Null,
    }
}

/// The raw value of the first field called `name` (the one the export's
/// structured keys describe: a repeated field is read from its first
/// occurrence).
fn raw_of<'f>(fields: &'f [Field], name: &str) -> Option<&'f [u8]> {
    fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .and_then(|f| match &f.value {
            FieldValue::Raw(r) => Some(r.as_slice()),
            _ => None,
        })
}

/// True when the spec's `key` says what the field already in `headers`
/// says (an export record not edited there), so the raw field is kept.
fn agrees(fields: &[Field], name: &str, key: &str, v: &Value) -> bool {
    let Some(raw) = raw_of(fields, name) else {
        // Not a raw field (or absent): nothing to keep.
        return !has(fields, name) || v.is_null();
    };
    match key {
        "subject" => {
            let (d, _) = crate::model::header::decode_text(raw);
            v.as_str() == Some(d.trim())
        }
        "date" => {
            let r = String::from_utf8_lossy(raw);
            let r = r.trim();
            match v {
                Value::String(s) => s.trim() == r,
                Value::Object(m) => m.get("raw").and_then(Value::as_str).map(str::trim) == Some(r),
                _ => false,
            }
        }
        // Recipients add up over repeated fields, as the export does.
        "to" | "cc" | "bcc" => {
            let all: Vec<Value> = fields
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case(name))
                .filter_map(|f| match &f.value {
                    FieldValue::Raw(r) => exported(key, name, r).as_array().cloned(),
                    _ => None,
                })
                .flatten()
                .collect();
            v.as_array() == Some(&all)
        }
        _ => &exported(key, name, raw) == v,
    }
}

/// The structured keys: they fill in fields that `headers` lacks, and
/// replace (in place) a field whose structured key was edited.
fn structured(o: &Map<String, Value>, fields: &mut Vec<Field>) -> Result<(), BuildError> {
    for (key, name) in [
        ("from", "From"),
        ("sender", "Sender"),
        ("reply_to", "Reply-To"),
        ("to", "To"),
        ("cc", "Cc"),
        ("bcc", "Bcc"),
    ] {
        let Some(v) = o.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        if agrees(fields, name, key, v) && has(fields, name) {
            continue;
        }
        let list = mailboxes(key, v)?;
        if !list.is_empty() {
            place(fields, name, FieldValue::Addresses(list));
        }
    }
    if let Some(v) = o.get("subject").filter(|v| !v.is_null()) {
        let s = v
            .as_str()
            .ok_or_else(|| BuildError::new("subject", "expected a string"))?;
        validate::no_breaks("subject", s)?;
        if !(has(fields, "Subject") && agrees(fields, "Subject", "subject", v)) {
            place(fields, "Subject", FieldValue::Text(s.to_string()));
        }
    }
    let date_v = o.get("date").filter(|v| !v.is_null());
    if let Some(dv) =
        date_v.filter(|dv| !(has(fields, "Date") && agrees(fields, "Date", "date", dv)))
    {
        let d = match dv {
            Value::String(s) => date_arg("date", s)?,
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("raw") {
                    validate::no_breaks("date.raw", r)?;
                    // The raw form is kept when it is a date at all, so odd but
                    // valid originals survive; otherwise rfc3339 is used.
                    match date_arg("date.raw", r) {
                        Ok(_) => r.trim().to_string(),
                        Err(e) => match m.get("rfc3339") {
                            Some(Value::String(x)) => date_arg("date.rfc3339", x)?,
                            _ => return Err(e),
                        },
                    }
                } else if let Some(Value::String(x)) = m.get("rfc3339") {
                    date_arg("date.rfc3339", x)?
                } else {
                    return Err(BuildError::new("date", "expected {raw} or {rfc3339}"));
                }
            }
            _ => return Err(BuildError::new("date", "expected a string or an object")),
        };
        place(fields, "Date", FieldValue::Date(d));
    }
    for (key, name) in [
        ("message_id", "Message-ID"),
        ("in_reply_to", "In-Reply-To"),
        ("references", "References"),
    ] {
        let Some(v) = o.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        if has(fields, name) && agrees(fields, name, key, v) {
            continue;
        }
        let ids = match v {
            Value::String(s) => validate::message_ids(key, s)?,
            Value::Array(a) => {
                let mut ids = Vec::new();
                for (i, x) in a.iter().enumerate() {
                    let s = x.as_str().ok_or_else(|| {
                        BuildError::new(format!("{key}[{i}]"), "expected a string")
                    })?;
                    ids.extend(validate::message_ids(&format!("{key}[{i}]"), s)?);
                }
                ids
            }
            _ => return Err(BuildError::new(key, "expected a string or an array")),
        };
        if ids.is_empty() {
            continue;
        }
        if key == "message_id" && ids.len() != 1 {
            return Err(BuildError::new(key, "expected exactly one message id"));
        }
        place(fields, name, FieldValue::Ids(ids));
    }
    Ok(())
}

/// Mailboxes from `[{name, address, group}]` or a string.
fn mailboxes(key: &str, v: &Value) -> Result<Vec<Mailbox>, BuildError> {
    match v {
        Value::String(s) => validate::address_list(key, s),
        Value::Array(a) => {
            let mut out = Vec::new();
            for (i, e) in a.iter().enumerate() {
                let path = format!("{key}[{i}]");
                let o = match e {
                    Value::String(s) => {
                        out.extend(validate::address_list(&path, s)?);
                        continue;
                    }
                    Value::Object(o) => o,
                    _ => {
                        return Err(BuildError::new(
                            path,
                            "expected {name, address} or a string",
                        ))
                    }
                };
                let name = str_field(o, "name", &path)?;
                if let Some(n) = name {
                    validate::display_name(&format!("{path}.name"), n)?;
                }
                let name = name.map(str::trim).filter(|n| !n.is_empty());
                let address = str_field(o, "address", &path)?;
                let group = str_field(o, "group", &path)?;
                if let Some(g) = group {
                    validate::display_name(&format!("{path}.group"), g)?;
                }
                let address = match address {
                    Some(a) => {
                        validate::addr_spec(&format!("{path}.address"), a)?;
                        a.to_string()
                    }
                    None if group.is_some() && name.is_none() => String::new(),
                    None => {
                        return Err(BuildError::new(
                            format!("{path}.address"),
                            "missing: every mailbox needs an address",
                        ))
                    }
                };
                out.push(Mailbox {
                    name: name.map(str::to_string),
                    address,
                    group: group.map(str::to_string),
                });
            }
            Ok(out)
        }
        _ => Err(BuildError::new(key, "expected an array or a string")),
    }
}

/// The `text` and `html` entries, by id.
struct Bodies {
    by_id: HashMap<String, String>,
    text: Vec<String>,
    html: Vec<String>,
}

impl Bodies {
    fn new(o: &Map<String, Value>) -> Result<Bodies, BuildError> {
        let mut b = Bodies {
            by_id: HashMap::new(),
            text: Vec::new(),
            html: Vec::new(),
        };
        for key in ["text", "html"] {
            let list = match o.get(key) {
                None | Some(Value::Null) => continue,
                Some(Value::String(s)) => {
                    vec![s.clone()]
                }
                Some(Value::Array(a)) => {
                    let mut l = Vec::new();
                    for (i, e) in a.iter().enumerate() {
                        let path = format!("{key}[{i}]");
                        let (t, id) = match e {
                            Value::String(s) => (s.as_str(), None),
                            Value::Object(m) => (
                                str_field(m, "text", &path)?.ok_or_else(|| {
                                    BuildError::new(format!("{path}.text"), "missing")
                                })?,
                                str_field(m, "id", &path)?,
                            ),
                            _ => {
                                return Err(BuildError::new(path, "expected an object or a string"))
                            }
                        };
                        if let Some(id) = id {
                            b.by_id.insert(id.to_string(), t.to_string());
                        }
                        l.push(t.to_string());
                    }
                    l
                }
                Some(_) => return Err(BuildError::new(key, "expected a string or an array")),
            };
            if key == "text" {
                b.text = list;
            } else {
                b.html = list;
            }
        }
        Ok(b)
    }
}

/// Decoded bytes and mail-parser text of each part of the source, by id.
type PartMap = HashMap<String, (Vec<u8>, Option<String>)>;

/// The message a spec came from (its `source`), read when a part's content
/// is not in the spec.
struct Source {
    path: Option<PathBuf>,
    offset: u64,
    length: Option<u64>,
    mbox: bool,
    allowed: bool,
    loaded: Option<Result<PartMap, String>>,
}

impl Source {
    fn new(v: Option<&Value>, ctx: &SpecContext) -> Source {
        let o = v.and_then(Value::as_object);
        let path = o
            .and_then(|o| o.get("path"))
            .and_then(Value::as_str)
            .filter(|p| *p != "-" && *p != "<stdin>" && !p.is_empty())
            // `emlkit json` wrote the path as it was given, relative to where
            // it ran; that is tried first, then the spec file's directory.
            .map(|p| {
                let given = PathBuf::from(p);
                if given.exists() {
                    given
                } else {
                    ctx.base_dir.join(p)
                }
            });
        Source {
            path,
            offset: o
                .and_then(|o| o.get("offset"))
                .and_then(Value::as_u64)
                .unwrap_or(0),
            length: o.and_then(|o| o.get("length")).and_then(Value::as_u64),
            mbox: o.and_then(|o| o.get("format")).and_then(Value::as_str) == Some("mbox"),
            allowed: ctx.allow_files,
            loaded: None,
        }
    }

    /// Decoded bytes and text of part `id`, read from the source message.
    fn part(&mut self, id: &str) -> Option<&(Vec<u8>, Option<String>)> {
        if !self.allowed {
            return None;
        }
        let path = self.path.clone()?;
        if self.loaded.is_none() {
            self.loaded = Some(self.load(&path));
        }
        match self.loaded.as_ref()? {
            Ok(m) => m.get(id),
            Err(_) => None,
        }
    }

    fn why(&self) -> String {
        match (&self.path, &self.loaded, self.allowed) {
            (_, _, false) => "reading files is off (--no-files)".into(),
            (None, _, _) => "the spec has no readable source.path".into(),
            (Some(p), Some(Err(e)), _) => format!("{}: {e}", p.display()),
            (Some(p), _, _) => format!("{} has no such part", p.display()),
        }
    }

    fn load(&self, path: &Path) -> Result<PartMap, String> {
        let all = crate::source::Bytes::open(path, MAX_CONTENT).map_err(|e| e.to_string())?;
        let start = (self.offset as usize).min(all.len());
        let end = match self.length {
            Some(l) if self.mbox => start.saturating_add(l as usize).min(all.len()),
            _ => all.len(),
        };
        let mut msg: &[u8] = &all[start..end];
        let unq;
        if self.mbox {
            if crate::source::mbox::starts_with_from_line(msg) {
                let nl = memchr::memchr(b'\n', msg).map_or(msg.len(), |n| n + 1);
                msg = &msg[nl..];
            }
            unq = crate::source::mbox::unquote(msg).into_owned();
            msg = &unq;
        }
        let tree =
            crate::model::parse(msg, 0, crate::model::Scope::Full).map_err(|e| e.to_string())?;
        Ok(tree
            .parts
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    (p.decoded().into_owned(), p.text().map(str::to_string)),
                )
            })
            .collect())
    }

    /// True when the source message uses LF line endings (its first line
    /// ends in a bare LF). `None` when there is no readable source.
    pub fn is_lf(&self) -> Option<bool> {
        if !self.allowed {
            return None;
        }
        let path = self.path.as_ref()?;
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open(path).ok()?;
        f.seek(SeekFrom::Start(self.offset)).ok()?;
        let mut buf = Vec::new();
        f.take(64 * 1024).read_to_end(&mut buf).ok()?;
        let nl = memchr::memchr(b'\n', &buf)?;
        Some(nl == 0 || buf[nl - 1] != b'\r')
    }
}

fn read_file(field: &str, p: &str, ctx: &SpecContext) -> Result<Vec<u8>, BuildError> {
    if !ctx.allow_files {
        return Err(BuildError::new(field, "reading files is off (--no-files)"));
    }
    let path = ctx.base_dir.join(p);
    let meta = std::fs::metadata(&path)
        .map_err(|e| BuildError::new(field, format!("{}: {e}", path.display())))?;
    if meta.len() > MAX_CONTENT {
        return Err(BuildError::new(
            field,
            format!("{}: larger than 1 GiB", path.display()),
        ));
    }
    std::fs::read(&path).map_err(|e| BuildError::new(field, format!("{}: {e}", path.display())))
}

fn b64(field: &str, s: &str) -> Result<Vec<u8>, BuildError> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| BuildError::new(field, format!("invalid base64: {e}")))
}

fn depth_of(v: &Value, idx: usize) -> u64 {
    v.get("depth")
        .and_then(Value::as_u64)
        .unwrap_or(if idx == 0 { 0 } else { 1 })
}

/// Deepest part nesting a spec may describe (the writer's limit too).
const MAX_LEVEL: usize = 200;

/// Where a part is in the spec: the list, its name, and the nesting level.
struct At<'a> {
    base: &'a str,
    /// The entry's own name, for nested `parts` (which are one-entry lists).
    label: Option<&'a str>,
    level: usize,
}

/// One part (and its descendants) from a flat pre-order list.
fn part_tree(
    list: &[Value],
    idx: &mut usize,
    at: &At<'_>,
    bodies: &Bodies,
    src: &mut Source,
    ctx: &SpecContext,
) -> Result<Node, BuildError> {
    let me = *idx;
    let base = at.base;
    let path = match at.label {
        Some(l) => l.to_string(),
        None => format!("{base}[{me}]"),
    };
    if at.level > MAX_LEVEL {
        return Err(BuildError::new(
            &path,
            format!("parts nested deeper than {MAX_LEVEL} levels"),
        ));
    }
    let v = &list[me];
    let depth = depth_of(v, me);
    *idx += 1;
    let o = v
        .as_object()
        .ok_or_else(|| BuildError::new(&path, "expected an object"))?;
    let mut node = part_head(o, &path)?;
    let kind = o.get("kind").and_then(Value::as_str).unwrap_or(
        if node.content_type.starts_with("multipart/") {
            "multipart"
        } else if matches!(
            node.content_type.as_str(),
            "message/rfc822" | "message/global"
        ) {
            "message"
        } else {
            "leaf"
        },
    );
    let id = str_field(o, "id", &path)?.map(str::to_string);
    match kind {
        "multipart" => {
            if !node.content_type.starts_with("multipart/") {
                return Err(BuildError::new(
                    format!("{path}.content_type"),
                    "a multipart part needs a multipart/* type",
                ));
            }
            let mut children = Vec::new();
            if let Some(Value::Array(nested)) = o.get("parts") {
                let mut j = 0;
                while j < nested.len() {
                    let before = j;
                    // Nested lists: every entry is a child; depth is ignored.
                    let label = format!("{path}.parts[{before}]");
                    let child = part_tree(
                        std::slice::from_ref(&nested[j]),
                        &mut 0,
                        &At {
                            base: &label,
                            label: Some(&label),
                            level: at.level + 1,
                        },
                        bodies,
                        src,
                        ctx,
                    )?;
                    children.push(child);
                    j += 1;
                }
            }
            while *idx < list.len() && depth_of(&list[*idx], *idx) > depth {
                let child_at = At {
                    base,
                    label: None,
                    level: at.level + 1,
                };
                children.push(part_tree(list, idx, &child_at, bodies, src, ctx)?);
            }
            node.body = Body::Multipart(children);
        }
        "message" => {
            let bytes = content(o, &path, id.as_deref(), &mut node, bodies, src, ctx, true)?;
            if let Err(e) = crate::model::parse(&bytes, 0, crate::model::Scope::HeadersOnly) {
                return Err(BuildError::new(
                    &path,
                    format!("the attached message does not parse: {e}"),
                ));
            }
            node.body = Body::Message(bytes);
            // Its inner parts are in its bytes.
            while *idx < list.len() && depth_of(&list[*idx], *idx) > depth {
                *idx += 1;
            }
        }
        "leaf" => {
            let bytes = content(o, &path, id.as_deref(), &mut node, bodies, src, ctx, false)?;
            node.body = Body::Leaf(bytes);
            if *idx < list.len() && depth_of(&list[*idx], *idx) > depth {
                return Err(BuildError::new(
                    format!("{base}[{}]", *idx),
                    "a leaf part cannot have children (check depth)",
                ));
            }
        }
        other => {
            return Err(BuildError::new(
                format!("{path}.kind"),
                format!("unknown kind {other:?} (multipart, message or leaf)"),
            ));
        }
    }
    Ok(node)
}

/// The MIME fields of a part.
fn part_head(o: &Map<String, Value>, path: &str) -> Result<Node, BuildError> {
    let ct = str_field(o, "content_type", path)?.unwrap_or("text/plain");
    let ct = validate::mime_type(&format!("{path}.content_type"), ct)?;
    let mut node = Node::leaf(&ct, Vec::new());
    if let Some(p) = o.get("params").filter(|p| !p.is_null()) {
        let m = p
            .as_object()
            .ok_or_else(|| BuildError::new(format!("{path}.params"), "expected an object"))?;
        for (k, v) in m {
            let f = format!("{path}.params.{k}");
            validate::token(&f, k)?;
            let v = v
                .as_str()
                .ok_or_else(|| BuildError::new(&f, "expected a string"))?;
            validate::no_breaks(&f, v)?;
            let lk = k.to_ascii_lowercase();
            if lk == "boundary" {
                continue;
            }
            if lk == "name" {
                node.name_param = Some(v.to_string());
            }
            node.params.push((lk, v.to_string()));
        }
    }
    if let Some(d) = str_field(o, "disposition", path)? {
        validate::token(&format!("{path}.disposition"), d)?;
        node.disposition = Some(d.to_ascii_lowercase());
    }
    let filename = str_field(o, "filename", path)?;
    if let Some(f) = filename {
        check_filename(&format!("{path}.filename"), f)?;
    }
    // Where the export found the name decides where it goes back.
    let cands = o.get("filename_candidates").and_then(Value::as_array);
    match cands {
        Some(c) => {
            let from_disp = c.iter().find(|x| {
                x.get("source")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.starts_with("filename"))
            });
            if let Some(x) = from_disp {
                let v = x
                    .get("value")
                    .and_then(Value::as_str)
                    .or(filename)
                    .unwrap_or("");
                check_filename(&format!("{path}.filename_candidates"), v)?;
                node.filename = Some(v.to_string());
            }
        }
        None => {
            if let Some(f) = filename {
                if node.name_param.as_deref() != Some(f) {
                    node.filename = Some(f.to_string());
                }
            }
        }
    }
    if node.filename.is_some() && node.disposition.is_none() {
        node.disposition = Some("attachment".into());
    }
    if let Some(c) = str_field(o, "content_id", path)? {
        let f = format!("{path}.content_id");
        validate::no_breaks(&f, c)?;
        let c = c.trim();
        let c = c
            .strip_prefix('<')
            .and_then(|x| x.strip_suffix('>'))
            .unwrap_or(c);
        if c.is_empty()
            || !c
                .chars()
                .all(|x| x.is_ascii_graphic() && !"<>\"\\".contains(x))
        {
            return Err(BuildError::new(f, format!("invalid Content-ID {c:?}")));
        }
        node.content_id = Some(c.to_string());
    }
    if let Some(e) = str_field(o, "transfer_encoding", path)? {
        validate::token(&format!("{path}.transfer_encoding"), e)?;
        node.encoding = Some(e.to_ascii_lowercase());
    }
    if let Some(d) = str_field(o, "description", path)? {
        validate::no_breaks(&format!("{path}.description"), d)?;
        node.description = Some(d.to_string());
    }
    Ok(node)
}

/// A part's content, by the order in the module docs.
#[allow(clippy::too_many_arguments)]
fn content(
    o: &Map<String, Value>,
    path: &str,
    id: Option<&str>,
    node: &mut Node,
    bodies: &Bodies,
    src: &mut Source,
    ctx: &SpecContext,
    message: bool,
) -> Result<Vec<u8>, BuildError> {
    if let Some(c) = str_field(o, "content", path)? {
        return b64(&format!("{path}.content"), c);
    }
    if let Some(p) = str_field(o, "path", path)? {
        return read_file(&format!("{path}.path"), p, ctx);
    }
    let set_utf8 = |node: &mut Node| {
        node.params.retain(|(k, _)| k != "charset");
        node.params.push(("charset".into(), "utf-8".into()));
    };
    if let Some(t) = str_field(o, "text", path)? {
        if !message {
            set_utf8(node);
        }
        return Ok(t.as_bytes().to_vec());
    }
    if let Some(id) = id {
        if let Some(t) = bodies.by_id.get(id).filter(|_| !message) {
            // Unchanged text: the original bytes keep the original charset.
            if let Some((bytes, Some(orig))) = src.part(id) {
                if orig == t {
                    return Ok(bytes.clone());
                }
            }
            set_utf8(node);
            return Ok(t.as_bytes().to_vec());
        }
        if let Some((bytes, _)) = src.part(id) {
            return Ok(bytes.clone());
        }
    }
    Err(BuildError::new(
        path,
        format!(
            "no content for this part: give \"content\" (base64), \"path\" or \"text\", or export with `emlkit json --with-content` ({})",
            src.why()
        ),
    ))
}

/// A body from `text`, `html` and `attachments` (specs without `parts`).
fn simple_body(
    o: &Map<String, Value>,
    bodies: &Bodies,
    ctx: &SpecContext,
) -> Result<Node, BuildError> {
    let utf8 = |ct: &str, t: &str| {
        let mut n = Node::leaf(ct, super::compose::canonical_text(t.as_bytes(), ctx.lf));
        let cs = if t.is_ascii() { "us-ascii" } else { "utf-8" };
        n.params.push(("charset".into(), cs.into()));
        n
    };
    let texts: Vec<Node> = bodies.text.iter().map(|t| utf8("text/plain", t)).collect();
    let htmls: Vec<Node> = bodies.html.iter().map(|t| utf8("text/html", t)).collect();
    let mut inline = Vec::new();
    let mut attached = Vec::new();
    if let Some(a) = o.get("attachments").filter(|a| !a.is_null()) {
        let arr = a
            .as_array()
            .ok_or_else(|| BuildError::new("attachments", "expected an array"))?;
        for (i, e) in arr.iter().enumerate() {
            let path = format!("attachments[{i}]");
            let m = e
                .as_object()
                .ok_or_else(|| BuildError::new(&path, "expected an object"))?;
            let fname = str_field(m, "filename", &path)?;
            let ct = match str_field(m, "content_type", &path)? {
                Some(c) => c.to_string(),
                None => super::compose::guess_type(fname.unwrap_or("")).to_string(),
            };
            let mut mm = m.clone();
            mm.insert("content_type".into(), Value::String(ct));
            let wants_inline = m.get("content_id").is_some_and(|c| !c.is_null())
                && str_field(m, "disposition", &path)? != Some("attachment");
            let mut node = part_head(&mm, &path)?;
            if let Some(f) = fname {
                node.filename = Some(f.to_string());
                node.name_param = Some(f.to_string());
            }
            let is_msg = matches!(
                node.content_type.as_str(),
                "message/rfc822" | "message/global"
            );
            let bytes = if let Some(c) = str_field(m, "content", &path)? {
                b64(&format!("{path}.content"), c)?
            } else if let Some(p) = str_field(m, "path", &path)? {
                read_file(&format!("{path}.path"), p, ctx)?
            } else {
                return Err(BuildError::new(
                    &path,
                    "no content: give \"path\" or \"content\" (base64)",
                ));
            };
            if is_msg {
                if let Err(e) = crate::model::parse(&bytes, 0, crate::model::Scope::HeadersOnly) {
                    return Err(BuildError::new(
                        &path,
                        format!("the attached message does not parse: {e}"),
                    ));
                }
                node.body = Body::Message(bytes);
            } else {
                node.body = Body::Leaf(bytes);
            }
            if wants_inline {
                node.disposition = Some("inline".into());
                inline.push(node);
            } else {
                if node.disposition.is_none() {
                    node.disposition = Some("attachment".into());
                }
                attached.push(node);
            }
        }
    }
    let mut readable: Vec<Node> = Vec::new();
    let html = match htmls.len() {
        0 => None,
        1 => htmls.into_iter().next(),
        _ => {
            readable.extend(htmls);
            None
        }
    };
    let html = match html {
        Some(h) if !inline.is_empty() => {
            let mut c = vec![h];
            c.append(&mut inline);
            let mut r = Node::multipart("related", c);
            r.params.push(("type".into(), "text/html".into()));
            Some(r)
        }
        h => h,
    };
    let body = match (texts.len(), html) {
        (1, Some(h)) => {
            let t = texts.into_iter().next();
            Some(Node::multipart(
                "alternative",
                t.into_iter().chain([h]).collect(),
            ))
        }
        (_, h) => {
            let mut c: Vec<Node> = texts;
            c.extend(h);
            c.append(&mut readable);
            match c.len() {
                0 => None,
                1 => c.pop(),
                _ => Some(Node::multipart("mixed", c)),
            }
        }
    };
    attached.append(&mut inline);
    Ok(match (body, attached.is_empty()) {
        (Some(b), true) => b,
        (None, true) => {
            let mut n = Node::leaf("text/plain", Vec::new());
            n.params.push(("charset".into(), "us-ascii".into()));
            n
        }
        (b, false) => {
            let mut c: Vec<Node> = b.into_iter().collect();
            c.append(&mut attached);
            Node::multipart("mixed", c)
        }
    })
}
