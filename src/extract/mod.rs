//! Attachment extraction: which parts to write, under which names, and a
//! writer that can neither escape its directory nor overwrite.
//!
//! - [`name`]: the file-name policy (a name from a message is never a path);
//! - [`writer`]: [`writer::SafeWriter`], create-new files under one open
//!   directory, never following links;
//! - [`sniff`]: content types from magic numbers, and mismatch checks;
//! - [`uu`]: uuencoded blocks inside text bodies;
//! - [`tnef`]: the files inside `winmail.dat` (application/ms-tnef);
//! - [`partial`]: reassembly of message/partial fragments.
//!
//! [`plan`] turns a part tree and [`Options`] into the list of [`Item`]s to
//! write, each with its decoded bytes, raw name candidates, safe name,
//! sniffed type and findings. It does no I/O; `emlkit extract` writes the
//! items with a [`writer::SafeWriter`].
//!
//! See: issue 4 (Safe attachment extraction).

pub mod name;
pub mod partial;
pub mod sniff;
pub mod tnef;
pub mod uu;
pub mod writer;

use crate::model::{transfer, Finding, Message, NameCandidate, Part, PartKind};
use globset::GlobSet;
use std::borrow::Cow;

/// What to extract. The default (all fields off/empty) selects attachments:
/// parts with disposition `attachment`, parts with a file name, attached
/// messages, and non-text leaves that are not the body or an inline image.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// Every leaf part, bodies included, and attached messages; implies
    /// `recurse`. This is disabled by default.
    pub all: bool,
    /// Also inline images (see [`Message::is_inline_image`]). This is disabled by
    /// default.
    pub inline: bool,
    /// Also extract the parts inside attached messages. This is disabled by
    /// default.
    pub recurse: bool,
    /// Only these part ids (as `tree` prints them; derived files are
    /// `<id>:uuN` and `<id>:tnefN`). Empty means no restriction.
    pub parts: Vec<String>,
    /// Only parts whose content type matches.
    pub types: Option<GlobSet>,
    /// Only parts whose file name matches (case-insensitive globs).
    pub names: Option<GlobSet>,
}

impl Options {
    /// True when `--part`, `--type` or `--name` narrows the selection: the
    /// candidates are then every part, as with `all`.
    fn filtering(&self) -> bool {
        !self.parts.is_empty() || self.types.is_some() || self.names.is_some()
    }
}

/// One file to write.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// Part id (`2`, `2.1`, or a derived id `1:uu1`, `3:tnef2`).
    pub id: String,
    /// Index of the (carrier) part in the tree.
    pub index: usize,
    /// Tree indices of the attached messages this item lies in, outermost
    /// first: the sub-folders it is written into.
    pub messages: Vec<usize>,
    /// Declared content type (for derived items: the sniffed type, or
    /// application/octet-stream).
    pub content_type: String,
    /// The type sniffed from the first bytes.
    pub sniffed: Option<&'static str>,
    /// Every raw name candidate, in policy order.
    pub candidates: Vec<NameCandidate>,
    /// The raw name chosen (before the safety policy), if any.
    pub raw_name: Option<String>,
    /// The safe file name to create (before any collision suffix).
    pub name: String,
    /// The bytes to write.
    pub data: Cow<'a, [u8]>,
    /// What was noticed about this item.
    pub findings: Vec<Finding>,
}

/// The outcome of [`plan`].
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Plan<'a> {
    /// Files to write, in tree order.
    pub items: Vec<Item<'a>>,
    /// Findings not tied to a written file (message/partial, …).
    pub findings: Vec<Finding>,
}

/// Tree indices of the attached messages enclosing part `i`, outermost
/// first.
fn enclosing_messages(tree: &Message<'_>, i: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut cur = tree.parts.get(i).and_then(|p| p.parent);
    let mut guard = 0;
    while let Some(j) = cur {
        guard += 1;
        if guard > tree.parts.len() {
            break;
        }
        if tree.parts[j].kind == PartKind::Message {
            out.push(j);
        }
        cur = tree.parts[j].parent;
    }
    out.reverse();
    out
}

fn is_tnef_part(p: &Part<'_>) -> bool {
    matches!(
        p.content_type.as_str(),
        "application/ms-tnef" | "application/vnd.ms-tnef"
    ) || p
        .filename
        .as_deref()
        .is_some_and(|n| n.eq_ignore_ascii_case("winmail.dat"))
}

/// Chooses the safe name and the name findings of an item.
fn choose_name(
    id: &str,
    raw: Option<&str>,
    content_type: &str,
    message: bool,
    findings: &mut Vec<Finding>,
) -> String {
    let safe = raw.and_then(name::safe_name);
    match (raw, &safe) {
        (Some(r), Some(s)) if r != s => findings.push(
            Finding::new(
                "unsafe_filename",
                format!("file name {r:?} was made safe as {s:?}"),
            )
            .part(id),
        ),
        (Some(r), None) if !r.trim().is_empty() => findings.push(
            Finding::new(
                "unusable_filename",
                format!("file name {r:?} has nothing usable; a generated name is used"),
            )
            .part(id),
        ),
        _ => {}
    }
    let n = safe.unwrap_or_else(|| name::fallback_name(id, content_type));
    if message {
        name::with_eml(&n)
    } else {
        n
    }
}

fn type_findings(
    id: &str,
    declared: &str,
    name: &str,
    sniffed: Option<&str>,
    out: &mut Vec<Finding>,
) {
    if let Some(s) = sniffed {
        if sniff::is_mismatch(declared, Some(s)) {
            out.push(
                Finding::new(
                    "type_mismatch",
                    format!("declared {declared} but the content looks like {s}"),
                )
                .part(id),
            );
        }
        if sniff::is_extension_mismatch(name, Some(s)) {
            out.push(
                Finding::new(
                    "extension_mismatch",
                    format!("the name {name:?} promises another type than the content ({s})"),
                )
                .part(id),
            );
        }
    }
}

/// True when `name` (or, for nameless parts, its generated name) matches.
fn name_matches(set: &GlobSet, raw: Option<&str>, safe: &str) -> bool {
    let lower = |s: &str| s.to_lowercase();
    raw.is_some_and(|r| set.is_match(lower(r))) || set.is_match(lower(safe))
}

/// Works out what to write for one message. See [`Options`] for the rules.
pub fn plan<'a>(tree: &Message<'a>, opts: &Options) -> Plan<'a> {
    let mut plan = Plan::default();
    let recurse = opts.recurse || opts.all;
    let filtering = opts.filtering();
    for (i, p) in tree.parts.iter().enumerate() {
        if p.kind == PartKind::Multipart {
            continue;
        }
        if p.content_type == "message/partial" {
            let get = |k: &str| {
                p.params
                    .iter()
                    .find(|x| x.name == k)
                    .map(|x| x.value.clone())
                    .unwrap_or_default()
            };
            plan.findings.push(
                Finding::new(
                    "message_partial",
                    format!(
                        "message/partial fragment {} of {} (id {:?})",
                        get("number"),
                        if get("total").is_empty() {
                            "?".to_string()
                        } else {
                            get("total")
                        },
                        get("id")
                    ),
                )
                .part(&p.id),
            );
        }
        let messages = enclosing_messages(tree, i);
        let explicit = opts.parts.iter().any(|x| x == &p.id);
        let in_scope = messages.is_empty() || recurse || explicit;
        if !in_scope {
            continue;
        }
        let selected_part = if !opts.parts.is_empty() {
            explicit
        } else if opts.all || filtering {
            true
        } else {
            tree.is_saved(p, opts.inline)
        };
        let is_msg = p.kind == PartKind::Message;
        let enc = transfer::TransferEncoding::from_header(p.transfer_encoding.as_deref());
        // Files carried inside: uuencoded blocks in text, TNEF.
        let derived_wanted = opts.parts.is_empty()
            || opts
                .parts
                .iter()
                .any(|x| x.starts_with(&format!("{}:", p.id)));
        // A cheap look for `begin ` first: in the raw body (identity and
        // quoted-printable keep it readable) or in the text mail-parser
        // already decoded (base64 bodies).
        let may_have_uu = p.content_type.starts_with("text/")
            && enc != transfer::TransferEncoding::Uuencode
            && (uu::may_contain(p.raw_body())
                || p.text().is_some_and(|t| uu::may_contain(t.as_bytes())));
        let tnef = is_tnef_part(p);
        if !selected_part && !(derived_wanted && !is_msg && (may_have_uu || tnef)) {
            continue;
        }
        let data = p.decoded();
        // The carrier part itself.
        if selected_part {
            let mut findings = Vec::new();
            let mut candidates = p.filename_candidates.clone();
            let mut raw = p.filename.clone();
            if enc == transfer::TransferEncoding::Uuencode && raw.is_none() {
                if let Some((n, _)) = transfer::uudecode(p.raw_body()) {
                    candidates.push(NameCandidate {
                        source: "uuencode",
                        value: n.clone(),
                    });
                    raw = Some(n);
                }
            }
            // Disagreeing name candidates and damaged transfer encodings
            // are the message's findings (`Message::findings`), computed
            // once there; the manifest copies them. See: issue 10.
            let name = choose_name(
                &p.id,
                raw.as_deref(),
                &p.content_type,
                is_msg,
                &mut findings,
            );
            let sniffed = sniff::sniff(&data);
            type_findings(&p.id, &p.content_type, &name, sniffed, &mut findings);
            let item = Item {
                id: p.id.clone(),
                index: i,
                messages: messages.clone(),
                content_type: p.content_type.clone(),
                sniffed,
                candidates,
                raw_name: raw,
                name,
                data: data.clone(),
                findings,
            };
            if passes_filters(opts, &item) {
                plan.items.push(item);
            }
        }
        if !derived_wanted || is_msg {
            continue;
        }
        if may_have_uu {
            for (n, b) in uu::find_blocks(&data).into_iter().enumerate() {
                let id = format!("{}:uu{}", p.id, n + 1);
                let mut findings = Vec::new();
                if !b.complete {
                    findings.push(
                        Finding::new("uu_truncated", "uuencoded block without a proper end")
                            .part(&id),
                    );
                }
                let sniffed = sniff::sniff(&b.data);
                let ct = sniffed.unwrap_or("application/octet-stream").to_string();
                let name = choose_name(&id, Some(&b.name), &ct, false, &mut findings);
                type_findings(&id, &ct, &name, sniffed, &mut findings);
                let item = Item {
                    id,
                    index: i,
                    messages: messages.clone(),
                    content_type: ct,
                    sniffed,
                    candidates: vec![NameCandidate {
                        source: "uuencode",
                        value: b.name.clone(),
                    }],
                    raw_name: Some(b.name),
                    name,
                    data: Cow::Owned(b.data),
                    findings,
                };
                if derived_selected(opts, &item) {
                    plan.items.push(item);
                }
            }
        }
        if tnef && tnef::is_tnef(&data) {
            let (files, err) = tnef::read(&data);
            if let Some(e) = err {
                plan.findings
                    .push(Finding::new("tnef_damaged", e.to_string()).part(&p.id));
            }
            for (n, f) in files.into_iter().enumerate() {
                let id = format!("{}:tnef{}", p.id, n + 1);
                let mut findings = Vec::new();
                let mut candidates = Vec::new();
                if let Some(v) = &f.long_name {
                    candidates.push(NameCandidate {
                        source: "tnef-long-filename",
                        value: v.clone(),
                    });
                }
                if let Some(v) = &f.title {
                    candidates.push(NameCandidate {
                        source: "tnef-title",
                        value: v.clone(),
                    });
                }
                if let Some(v) = &f.display_name {
                    candidates.push(NameCandidate {
                        source: "tnef-display-name",
                        value: v.clone(),
                    });
                }
                let raw = f.name().map(str::to_string);
                let sniffed = sniff::sniff(&f.data);
                let ct = sniffed.unwrap_or("application/octet-stream").to_string();
                let name = choose_name(&id, raw.as_deref(), &ct, false, &mut findings);
                type_findings(&id, &ct, &name, sniffed, &mut findings);
                let item = Item {
                    id,
                    index: i,
                    messages: messages.clone(),
                    content_type: ct,
                    sniffed,
                    candidates,
                    raw_name: raw,
                    name,
                    data: Cow::Owned(f.data),
                    findings,
                };
                if derived_selected(opts, &item) {
                    plan.items.push(item);
                }
            }
        }
    }
    plan
}

fn passes_filters(opts: &Options, item: &Item<'_>) -> bool {
    if let Some(t) = &opts.types {
        if !t.is_match(&item.content_type) {
            return false;
        }
    }
    if let Some(n) = &opts.names {
        if !name_matches(n, item.raw_name.as_deref(), &item.name) {
            return false;
        }
    }
    true
}

fn derived_selected(opts: &Options, item: &Item<'_>) -> bool {
    (opts.parts.is_empty() || opts.parts.iter().any(|x| x == &item.id))
        && passes_filters(opts, item)
}

/// The folders the files of one message go into: the folder of each
/// attached message written so far (by tree index), and the names its `.eml`
/// file got. One per message; see [`write_item`].
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Folders {
    /// The sub-folder of each enclosing attached message, once created.
    pub nested: std::collections::HashMap<usize, writer::SafeWriter>,
    /// The name each attached message's `.eml` file was written under.
    pub eml_names: std::collections::HashMap<usize, String>,
}

/// Writes one planned item under `base`: with `flat`, into `base` itself;
/// otherwise into the folders of the attached messages enclosing it
/// (created as needed, named after their `.eml` file without the
/// extension), as `emlkit extract` lays files out. Returns the path written
/// (a taken name gets a number; nothing is overwritten).
pub fn write_item(
    base: &writer::SafeWriter,
    tree: &Message<'_>,
    folders: &mut Folders,
    item: &Item<'_>,
    flat: bool,
) -> Result<std::path::PathBuf, writer::WriteError> {
    let mut dir = base.clone();
    if !flat {
        for &m in &item.messages {
            if let Some(w) = folders.nested.get(&m) {
                dir = w.clone();
                continue;
            }
            let folder = folders.eml_names.get(&m).cloned().unwrap_or_else(|| {
                let p = &tree.parts[m];
                let raw = p.filename.as_deref().and_then(name::safe_name);
                name::with_eml(&raw.unwrap_or_else(|| name::fallback_name(&p.id, &p.content_type)))
            });
            let stem = name::safe_name(name::split_ext(&folder).0)
                .unwrap_or_else(|| "message".to_string());
            let (w, _) = dir.subdir(&stem)?;
            folders.nested.insert(m, w.clone());
            dir = w;
        }
    }
    let used = dir.write_file(&item.name, &item.data)?;
    if tree.parts.get(item.index).map(|p| p.kind) == Some(PartKind::Message)
        && !item.id.contains(':')
    {
        folders.eml_names.insert(item.index, used.clone());
    }
    Ok(dir.path().join(used))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse;

    fn ids(raw: &[u8], opts: &Options) -> Vec<(String, String)> {
        let parsed = parse(raw, 0, crate::model::Scope::Full).unwrap();
        let tree = &parsed;
        plan(tree, opts)
            .items
            .iter()
            .map(|i| (i.id.clone(), i.name.clone()))
            .collect()
    }

    const MSG: &[u8] = b"From: a@b\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: multipart/related; boundary=Y\r\n\r\n--Y\r\nContent-Type: text/html\r\n\r\n<img src=cid:i>\r\n--Y\r\nContent-Type: image/png; name=logo.png\r\nContent-ID: <i>\r\nContent-Disposition: inline\r\n\r\nPNG\r\n--Y--\r\n--X\r\nContent-Type: application/pdf; name=\"../../etc/x.pdf\"\r\nContent-Disposition: attachment\r\n\r\n%PDF-1.4\r\n--X\r\nContent-Type: application/octet-stream\r\n\r\nbin\r\n--X\r\nContent-Type: text/plain\r\n\r\nsee\r\nbegin 644 a.txt\r\n#86)C\r\n`\r\nend\r\n--X--\r\n";

    #[test]
    fn default_selection() {
        let got = ids(MSG, &Options::default());
        assert_eq!(
            got,
            vec![
                ("2".to_string(), "x.pdf".to_string()),
                ("3".to_string(), "part-3.bin".to_string()),
                ("4:uu1".to_string(), "a.txt".to_string()),
            ]
        );
        let got = ids(
            MSG,
            &Options {
                inline: true,
                ..Default::default()
            },
        );
        assert_eq!(got[0], ("1.2".to_string(), "logo.png".to_string()));
        let got = ids(
            MSG,
            &Options {
                all: true,
                ..Default::default()
            },
        );
        assert_eq!(got.len(), 6);
        let got = ids(
            MSG,
            &Options {
                parts: vec!["4:uu1".into()],
                ..Default::default()
            },
        );
        assert_eq!(got, vec![("4:uu1".to_string(), "a.txt".to_string())]);
    }

    #[test]
    fn type_and_name_globs() {
        let g = |p: &str| {
            let mut b = globset::GlobSetBuilder::new();
            b.add(globset::Glob::new(p).unwrap());
            Some(b.build().unwrap())
        };
        let got = ids(
            MSG,
            &Options {
                types: g("image/*"),
                ..Default::default()
            },
        );
        assert_eq!(got, vec![("1.2".to_string(), "logo.png".to_string())]);
        let got = ids(
            MSG,
            &Options {
                names: g("*.pdf"),
                ..Default::default()
            },
        );
        assert_eq!(got, vec![("2".to_string(), "x.pdf".to_string())]);
    }

    #[test]
    fn damaged_base64_is_decoded_leniently() {
        let raw = b"From: a@b\nContent-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0x*LjQK\n!!\n";
        let parsed = parse(raw, 0, crate::model::Scope::Full).unwrap();
        let tree = &parsed;
        let p = plan(tree, &Options::default());
        assert_eq!(&*p.items[0].data, b"%PDF-1.4\n");
        assert_eq!(p.items[0].sniffed, Some("application/pdf"));
        // The damage is the message's finding, about this part.
        assert!(tree
            .findings()
            .iter()
            .any(|f| f.code == "encoding_problem" && f.part.as_deref() == Some("1")));
    }
}
