//! `emlkit._emlkit`: the compiled half of the Python package. The Python
//! wrapper (`emlkit/__init__.py`) dispatches paths, bytes and file objects
//! here; every record is built by the library's export types and serialized
//! by serde_json exactly as the command line writes it, then turned into
//! Python objects by `json.loads`, so a dict equals the CLI's JSON line.
//!
//! Rust work (reading, splitting, parsing, building the record) runs with
//! the GIL released (`Python::allow_threads`); only the conversion into
//! Python objects holds it.

use emlkit::export::extract::{Digests, FileRec};
use emlkit::export::json::{message_record, FindingRec, JsonOptions, SourceRec};
use emlkit::extract as ex;
use emlkit::extract::writer::SafeWriter;
use emlkit::model::{Limits, Message, Scope};
use emlkit::source::{Kind, Mailbox, RawMessage, ReadError, ReadOptions, Shard};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

create_exception!(
    _emlkit,
    Error,
    PyException,
    "An input or message emlkit could not read or parse. Attributes: `path` \
     (the input), `index` (the message's index in its mailbox, or None) and \
     `offset` (its byte offset in the input, or None)."
);

/// Why a message failed, with where it is: becomes an `emlkit.Error`.
struct Failure {
    msg: String,
    path: Option<String>,
    index: Option<usize>,
    offset: Option<u64>,
}

impl Failure {
    fn at(raw: &RawMessage, msg: String) -> Failure {
        let o = &raw.origin;
        let label = if o.format == "mbox" {
            format!("{} (offset {})", o.label(), o.offset)
        } else {
            o.label()
        };
        Failure {
            msg: format!("{label}: {msg}"),
            path: Some(o.path.clone()),
            index: Some(o.index),
            offset: Some(o.offset),
        }
    }

    fn read(e: ReadError) -> Failure {
        let path = match &e {
            ReadError::Io { path, .. } | ReadError::Input { path, .. } => Some(path.clone()),
            _ => None,
        };
        Failure {
            msg: e.to_string(),
            path,
            index: None,
            offset: None,
        }
    }

    fn plain(msg: String) -> Failure {
        Failure {
            msg,
            path: None,
            index: None,
            offset: None,
        }
    }

    fn into_py(self, py: Python<'_>) -> PyErr {
        let err = Error::new_err(self.msg);
        let v = err.value(py);
        // Attributes on the instance: setting them cannot fail on a plain
        // exception object; if it did, the message still says it all.
        let _ = v.setattr("path", self.path);
        let _ = v.setattr("index", self.index);
        let _ = v.setattr("offset", self.offset);
        err
    }
}

/// The limits given as keyword arguments (the CLI's `--max-*` options, with
/// the same defaults).
#[derive(Clone)]
struct Lim {
    limits: Limits,
    max_message: u64,
}

fn lim(
    max_depth: usize,
    max_parts: usize,
    max_headers: usize,
    max_header_bytes: usize,
    max_message_bytes: u64,
) -> Lim {
    let mut limits = Limits::default();
    limits.max_depth = max_depth;
    limits.max_parts = max_parts;
    limits.max_headers = max_headers;
    limits.max_header_bytes = max_header_bytes;
    Lim {
        limits,
        max_message: max_message_bytes,
    }
}

fn kind(format: Option<&str>) -> PyResult<Option<Kind>> {
    Ok(match format {
        None => None,
        Some("eml") => Some(Kind::Eml),
        Some("mbox") => Some(Kind::Mbox),
        Some("maildir") => Some(Kind::Maildir),
        Some(f) => {
            return Err(PyValueError::new_err(format!(
                "format must be 'eml', 'mbox' or 'maildir', not {f:?}"
            )))
        }
    })
}

fn shard(shard: Option<(u64, u64)>) -> PyResult<Option<Shard>> {
    match shard {
        None => Ok(None),
        // The same parser, hence the same checks, as `--shard K/N`.
        Some((k, n)) => format!("{k}/{n}")
            .parse::<Shard>()
            .map(Some)
            .map_err(|e| PyValueError::new_err(format!("shard: {e}"))),
    }
}

/// The message bytes, refused when larger than the limit (as the CLI does
/// before parsing: that one check bounds every line and decoded part).
fn checked<'r>(raw: &'r RawMessage, lim: &Lim) -> Result<std::borrow::Cow<'r, [u8]>, Failure> {
    let bytes = raw.bytes().map_err(|e| Failure::at(raw, e.to_string()))?;
    if bytes.len() as u64 > lim.max_message {
        return Err(Failure::at(
            raw,
            format!(
                "message of {} bytes is larger than max_message_bytes ({})",
                bytes.len(),
                lim.max_message
            ),
        ));
    }
    Ok(bytes)
}

/// The `message` record of `emlkit json`, as one JSON text.
fn json_record(raw: &RawMessage, opts: &JsonOptions, lim: &Lim) -> Result<Vec<u8>, Failure> {
    let bytes = checked(raw, lim)?;
    let msg = Message::parse(&bytes, raw.origin.data_offset, Scope::Full, &opts.limits)
        .map_err(|e| Failure::at(raw, e.to_string()))?;
    let rec = message_record(&raw.origin, &msg, opts);
    serde_json::to_vec(&rec).map_err(|e| Failure::at(raw, e.to_string()))
}

/// The one message in `data` (as `emlkit json PATH` reads a file: an
/// mbox holding a single message is that message).
fn one_message(data: Vec<u8>, path: &str, format: Option<Kind>) -> Result<RawMessage, Failure> {
    let mut mb = Mailbox::from_bytes_with(data, path, ReadOptions::default().format(format));
    let first = match mb.next() {
        None => return Err(Failure::plain(format!("{path}: no message in the data"))),
        Some(r) => r.map_err(Failure::read)?,
    };
    if mb.next().is_some() {
        return Err(Failure {
            msg: format!(
                "{path}: the data holds more than one message (an mbox); use emlkit.messages()"
            ),
            path: Some(path.to_string()),
            index: None,
            offset: None,
        });
    }
    Ok(first)
}

fn json_opts(bodies: bool, content: bool, lim: &Lim) -> JsonOptions {
    let mut opts = JsonOptions::default();
    opts.no_body = !bodies;
    opts.with_content = content;
    opts.limits = lim.limits;
    opts
}

/// `json.loads`, imported once per call site.
fn loads<'py>(py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?
        .getattr("loads")?
        .call1((PyBytes::new(py, text),))
}

#[pyfunction]
#[pyo3(signature = (data, *, bodies=true, content=false, path="-", format=None,
    max_depth=100, max_parts=10_000, max_headers=10_000, max_header_bytes=1<<20,
    max_message_bytes=1<<31))]
#[allow(clippy::too_many_arguments)]
fn parse<'py>(
    py: Python<'py>,
    data: &[u8],
    bodies: bool,
    content: bool,
    path: &str,
    format: Option<&str>,
    max_depth: usize,
    max_parts: usize,
    max_headers: usize,
    max_header_bytes: usize,
    max_message_bytes: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let lim = lim(
        max_depth,
        max_parts,
        max_headers,
        max_header_bytes,
        max_message_bytes,
    );
    let format = kind(format)?;
    let opts = json_opts(bodies, content, &lim);
    let text = py
        .allow_threads(|| {
            let raw = one_message(data.to_vec(), path, format)?;
            json_record(&raw, &opts, &lim)
        })
        .map_err(|f| f.into_py(py))?;
    loads(py, &text)
}

#[pyfunction]
#[pyo3(signature = (data, *, path="-", format=None, trust=Vec::new(), skew_tolerance=0, now=None,
    max_depth=100, max_parts=10_000, max_headers=10_000, max_header_bytes=1<<20,
    max_message_bytes=1<<31))]
#[allow(clippy::too_many_arguments)]
fn trace<'py>(
    py: Python<'py>,
    data: &[u8],
    path: &str,
    format: Option<&str>,
    trust: Vec<String>,
    skew_tolerance: i64,
    now: Option<i64>,
    max_depth: usize,
    max_parts: usize,
    max_headers: usize,
    max_header_bytes: usize,
    max_message_bytes: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let lim = lim(
        max_depth,
        max_parts,
        max_headers,
        max_header_bytes,
        max_message_bytes,
    );
    let format = kind(format)?;
    let now = now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    let mut fopts = emlkit::forensics::Options::at(now);
    fopts.trust = trust;
    fopts.skew_tolerance = skew_tolerance.max(0);
    let text = py
        .allow_threads(|| {
            let raw = one_message(data.to_vec(), path, format)?;
            let bytes = checked(&raw, &lim)?;
            // Only the header section, as `emlkit trace` reads it.
            let msg = Message::parse(
                &bytes,
                raw.origin.data_offset,
                Scope::HeadersOnly,
                &lim.limits,
            )
            .map_err(|e| Failure::at(&raw, e.to_string()))?;
            let t = emlkit::forensics::trace(&msg, &fopts);
            serde_json::to_vec(&emlkit::export::trace::record(&raw.origin, &t))
                .map_err(|e| Failure::at(&raw, e.to_string()))
        })
        .map_err(|f| f.into_py(py))?;
    loads(py, &text)
}

/// Newline-terminated JSON records as one JSON array (records hold no raw
/// newline: JSON escapes it inside strings).
fn as_array(lines: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(lines.len() + 2);
    v.push(b'[');
    let body = lines.strip_suffix(b"\n").unwrap_or(lines);
    v.extend(body.iter().map(|&b| if b == b'\n' { b',' } else { b }));
    v.push(b']');
    v
}

#[pyfunction]
#[pyo3(signature = (data, *, path="-", format=None,
    max_depth=100, max_parts=10_000, max_headers=10_000, max_header_bytes=1<<20,
    max_message_bytes=1<<31))]
#[allow(clippy::too_many_arguments)]
fn tree<'py>(
    py: Python<'py>,
    data: &[u8],
    path: &str,
    format: Option<&str>,
    max_depth: usize,
    max_parts: usize,
    max_headers: usize,
    max_header_bytes: usize,
    max_message_bytes: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let lim = lim(
        max_depth,
        max_parts,
        max_headers,
        max_header_bytes,
        max_message_bytes,
    );
    let format = kind(format)?;
    let text = py
        .allow_threads(|| {
            let raw = one_message(data.to_vec(), path, format)?;
            let bytes = checked(&raw, &lim)?;
            let msg = Message::parse(&bytes, raw.origin.data_offset, Scope::Full, &lim.limits)
                .map_err(|e| Failure::at(&raw, e.to_string()))?;
            let mut out = Vec::new();
            emlkit::export::tree::write_records(&mut out, &msg, &SourceRec::new(&raw.origin))
                .map_err(|e| Failure::at(&raw, e.to_string()))?;
            Ok(as_array(&out))
        })
        .map_err(|f: Failure| f.into_py(py))?;
    loads(py, &text)
}

fn globs(pats: &[String], what: &str) -> PyResult<Option<GlobSet>> {
    if pats.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in pats {
        let g = GlobBuilder::new(p)
            .case_insensitive(true)
            .literal_separator(false)
            .build()
            .map_err(|e| PyValueError::new_err(format!("{what}: {p:?}: {e}")))?;
        b.add(g);
    }
    b.build()
        .map(Some)
        .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

#[pyfunction]
#[pyo3(signature = (data, out_dir, *, all=false, inline=false, recurse=false, parts=Vec::new(),
    types=Vec::new(), names=Vec::new(), digests=vec!["sha256".to_string()], path="-", format=None,
    max_depth=100, max_parts=10_000, max_headers=10_000, max_header_bytes=1<<20,
    max_message_bytes=1<<31))]
#[allow(clippy::too_many_arguments)]
fn extract<'py>(
    py: Python<'py>,
    data: &[u8],
    out_dir: PathBuf,
    all: bool,
    inline: bool,
    recurse: bool,
    parts: Vec<String>,
    types: Vec<String>,
    names: Vec<String>,
    digests: Vec<String>,
    path: &str,
    format: Option<&str>,
    max_depth: usize,
    max_parts: usize,
    max_headers: usize,
    max_header_bytes: usize,
    max_message_bytes: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let lim = lim(
        max_depth,
        max_parts,
        max_headers,
        max_header_bytes,
        max_message_bytes,
    );
    let format = kind(format)?;
    for d in &digests {
        if !matches!(d.as_str(), "sha256" | "sha1" | "md5") {
            return Err(PyValueError::new_err(format!(
                "digests: {d:?} is not one of sha256, sha1, md5"
            )));
        }
    }
    let mut opts = ex::Options::default();
    opts.all = all;
    opts.inline = inline;
    opts.recurse = recurse;
    opts.parts = parts;
    opts.types = globs(&types, "types")?;
    opts.names = globs(&names, "names")?;
    let text = py
        .allow_threads(|| {
            let raw = one_message(data.to_vec(), path, format)?;
            let bytes = checked(&raw, &lim)?;
            let fail = |e: String| Failure::at(&raw, e);
            let tree = Message::parse(&bytes, raw.origin.data_offset, Scope::Full, &lim.limits)
                .map_err(|e| fail(e.to_string()))?;
            let plan = ex::plan(&tree, &opts);
            let src = SourceRec::new(&raw.origin);
            let mut out = Vec::new();
            // The manifest: the message's findings and the extraction's own
            // that concern no file, then one `file` record per file.
            for f in tree.findings().iter().chain(&plan.findings) {
                serde_json::to_writer(&mut out, &FindingRec::new(f, &src))
                    .map_err(|e| fail(e.to_string()))?;
                out.push(b'\n');
            }
            if plan.items.is_empty() {
                return Ok(as_array(&out));
            }
            let root = SafeWriter::open(&out_dir).map_err(|e| fail(e.to_string()))?;
            // An mbox member gets the sub-folder of its index, as with the CLI.
            let base = if raw.origin.format != "eml" {
                root.subdir(&raw.origin.index.to_string())
                    .map_err(|e| fail(e.to_string()))?
                    .0
            } else {
                root
            };
            let mut folders = ex::Folders::default();
            // The CLI's output budget: at most 8x the message (>= 256 MiB),
            // since attached messages with `recurse` hold each other.
            let budget = (tree.raw.len() as u64).saturating_mul(8).max(256 << 20);
            let mut spent = 0u64;
            for item in &plan.items {
                spent = spent.saturating_add(item.data.len() as u64);
                if spent > budget {
                    return Err(fail(format!(
                        "output limit: this message may write at most {budget} bytes, 8 times its size"
                    )));
                }
                let written = ex::write_item(&base, &tree, &mut folders, item, false)
                    .map_err(|e| fail(format!("part {}: not written: {e}", item.id)))?;
                let has = |k: &str| digests.iter().any(|d| d == k);
                let dg = Digests::of(&item.data, has("sha256"), has("sha1"), has("md5"));
                let rec = FileRec::new(&src, item, &written, dg, tree.findings());
                serde_json::to_writer(&mut out, &rec).map_err(|e| fail(e.to_string()))?;
                out.push(b'\n');
            }
            Ok(as_array(&out))
        })
        .map_err(|f: Failure| f.into_py(py))?;
    loads(py, &text)
}

/// What `Messages` yields for each message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Yield {
    /// The `json` record.
    Json,
    /// The `trace --json` record.
    Trace,
}

/// The iterator behind `emlkit.messages()`.
#[pyclass(module = "emlkit._emlkit")]
struct Messages {
    mailbox: Mutex<Mailbox>,
    opts: JsonOptions,
    fopts: emlkit::forensics::Options,
    lim: Lim,
    skip_errors: bool,
    what: Yield,
    loads: Py<PyAny>,
}

impl Messages {
    /// The next record, or a failure; None at the end. Runs without the GIL.
    fn next_text(&self) -> Option<Result<Vec<u8>, Failure>> {
        let mut mb = self.mailbox.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let raw = match mb.next()? {
                Ok(raw) => raw,
                Err(e) => {
                    if self.skip_errors {
                        continue;
                    }
                    return Some(Err(Failure::read(e)));
                }
            };
            let r = match self.what {
                Yield::Json => json_record(&raw, &self.opts, &self.lim),
                Yield::Trace => self.trace_record(&raw),
            };
            match r {
                Err(_) if self.skip_errors => continue,
                r => return Some(r),
            }
        }
    }

    fn trace_record(&self, raw: &RawMessage) -> Result<Vec<u8>, Failure> {
        // Header section only, as `emlkit trace` reads it; a signed message
        // whole (its DKIM body hash needs the body), as `trace` does too.
        let (mut bytes, mut size) = raw
            .header_section()
            .map_err(|e| Failure::at(raw, e.to_string()))?;
        if self.fopts.verify && emlkit::forensics::dkim::is_signed(&bytes) {
            bytes = raw.bytes().map_err(|e| Failure::at(raw, e.to_string()))?;
            size = bytes.len() as u64;
        }
        let msg = Message::parse(
            &bytes,
            raw.origin.data_offset,
            Scope::HeadersOnly,
            &self.lim.limits,
        )
        .map_err(|e| Failure::at(raw, e.to_string()))?;
        let t = emlkit::forensics::trace(&msg, &self.fopts);
        if raw.origin.length == 0 {
            // A maildir file's size is known once it is opened.
            let mut origin = raw.origin.clone();
            origin.length = size;
            serde_json::to_vec(&emlkit::export::trace::record(&origin, &t))
        } else {
            serde_json::to_vec(&emlkit::export::trace::record(&raw.origin, &t))
        }
        .map_err(|e| Failure::at(raw, e.to_string()))
    }
}

#[pymethods]
impl Messages {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(
        slf: PyRef<'py, Self>,
        py: Python<'py>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let this: &Messages = &slf;
        match py.allow_threads(|| this.next_text()) {
            None => Ok(None),
            Some(Err(f)) => Err(f.into_py(py)),
            Some(Ok(text)) => Ok(Some(this.loads.bind(py).call1((PyBytes::new(py, &text),))?)),
        }
    }
}

#[pyfunction]
#[pyo3(signature = (source, *, name="-", is_path=true, shard=None, format=None, recursive=false,
    bodies=true, content=false, records="message", errors="raise",
    trust=Vec::new(), skew_tolerance=0, now=None,
    max_depth=100, max_parts=10_000, max_headers=10_000, max_header_bytes=1<<20,
    max_message_bytes=1<<31, max_input=1<<30))]
#[allow(clippy::too_many_arguments)]
fn _messages(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    name: &str,
    is_path: bool,
    shard: Option<(u64, u64)>,
    format: Option<&str>,
    recursive: bool,
    bodies: bool,
    content: bool,
    records: &str,
    errors: &str,
    trust: Vec<String>,
    skew_tolerance: i64,
    now: Option<i64>,
    max_depth: usize,
    max_parts: usize,
    max_headers: usize,
    max_header_bytes: usize,
    max_message_bytes: u64,
    max_input: u64,
) -> PyResult<Messages> {
    let lim = lim(
        max_depth,
        max_parts,
        max_headers,
        max_header_bytes,
        max_message_bytes,
    );
    let what = match records {
        "message" => Yield::Json,
        "trace" => Yield::Trace,
        r => {
            return Err(PyValueError::new_err(format!(
                "records must be 'message' or 'trace', not {r:?}"
            )))
        }
    };
    let skip_errors = match errors {
        "raise" => false,
        "skip" => true,
        e => {
            return Err(PyValueError::new_err(format!(
                "errors must be 'raise' or 'skip', not {e:?}"
            )))
        }
    };
    // Files are memory-mapped, as the command line maps them: a shard then
    // touches only its own pages. (A file rewritten while it is read can
    // fault; copy archives that are still being written to.)
    let ropts = ReadOptions::default()
        .format(kind(format)?)
        .recursive(recursive)
        .shard(self::shard(shard)?)
        .mmap(emlkit::source::MmapChoice::Auto)
        .max_sizes(max_input, max_message_bytes);
    if format == Some("maildir") && is_path {
        let p: PathBuf = source.extract()?;
        if !p.is_dir() {
            return Err(PyValueError::new_err(format!(
                "{}: format='maildir' needs a directory",
                p.display()
            )));
        }
    }
    let mailbox = if is_path {
        let p: PathBuf = source.extract()?;
        Mailbox::open_with(Path::new(&p), ropts)
    } else {
        let data: Vec<u8> = source.extract()?;
        Mailbox::from_bytes_with(data, name, ropts)
    };
    let now = now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    let mut fopts = emlkit::forensics::Options::at(now);
    fopts.trust = trust;
    fopts.skew_tolerance = skew_tolerance.max(0);
    Ok(Messages {
        mailbox: Mutex::new(mailbox),
        opts: json_opts(bodies, content, &lim),
        fopts,
        lim,
        skip_errors,
        what,
        loads: py.import("json")?.getattr("loads")?.unbind(),
    })
}

/// The byte range `[start, end)` that shard `k` of `n` covers in an input
/// of `size` bytes (an mbox message belongs to the shard its `From_` line
/// starts in): the `--shard K/N` rule.
#[pyfunction]
fn shard_range(k: u64, n: u64, size: u64) -> PyResult<(u64, u64)> {
    let s = shard(Some((k, n)))?.ok_or_else(|| PyValueError::new_err("shard"))?;
    Ok(s.range(size))
}

/// The compiled module.
#[pymodule]
fn _emlkit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Error", m.py().get_type::<Error>())?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(trace, m)?)?;
    m.add_function(wrap_pyfunction!(tree, m)?)?;
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_function(wrap_pyfunction!(_messages, m)?)?;
    m.add_function(wrap_pyfunction!(shard_range, m)?)?;
    m.add_class::<Messages>()?;
    m.add("SCHEMA_VERSION", emlkit::export::SCHEMA_VERSION)?;
    Ok(())
}
