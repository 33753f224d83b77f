//! `emlkit scan`: one line per message (as mblaze's mscan), or CSV.

use super::InputArgs;
use crate::export::listing::{message_size, ListingRec, Summary};
use crate::model::{Message, Scope};
use crate::source::Origin;
use anyhow::Result;
use clap::Args;
use std::io::{IsTerminal, Write};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const LONG_ABOUT: &str = "\
Lists messages one per line, as mblaze's mscan does: index, flags, an
attachment marker, date, sender, subject and size. Lines are fitted to the
terminal's width (by display width: wide characters count two columns);
in a pipe they are not cut unless --width is given. Only header sections
are read, so scanning is fast on big mailboxes.

Columns of the default layout:
  INDEX   the message's index in its mbox, else its position in the output
  FLAGS   maildir flags (or mbox Status/X-Status): S seen, R replied,
          F flagged, D draft, T trashed, P passed
  +       the top-level type suggests attachments (multipart/mixed, or a
          body that is neither text nor multipart)
  DATE    the Date as written, YYYY-MM-DD
  FROM    the sender's name, else address
  SUBJECT the decoded subject
  SIZE    the message size (K, M: powers of 1024)

--template (-f) takes a template of named fields: {index} {ref} {date} {iso}
{timestamp} {from} {address} {to} {subject} {size} {bytes} {flags}
{attachment} {labels} {id}; {field:N} pads or cuts to N columns, {field:>N}
aligns right. --csv writes RFC 4180 CSV (UTF-8, CRLF, a header row) with
the fields of --fields.

Untrusted text is escaped: control characters always (a line stays one
line), bidi and zero-width characters when stdout is a terminal.

Examples:
  emlkit scan archive.mbox
  emlkit pick 'from:*@example.com' archive.mbox | emlkit scan -L -
  emlkit scan -f '{date} {address:30} {subject}' maildir/
  emlkit scan --csv --fields date,address,subject,size archive.mbox > list.csv

Exit codes: 0 success, 1 no messages, 2 an input could not be read.";

/// Arguments of `emlkit scan`.
#[derive(Debug, Args)]
#[command(about = "List messages one per line", long_about = LONG_ABOUT, after_help = crate::cli::AFTER_HELP)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// A line template with named fields (see above).
    #[arg(short = 'f', long, value_name = "TEMPLATE", conflicts_with_all = ["csv", "json"])]
    pub template: Option<String>,

    /// Write CSV (RFC 4180) with a header row.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,

    /// Fields of --csv, comma-separated.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "index,ref,date,from,address,to,subject,bytes,flags,attachment,labels,id"
    )]
    pub fields: String,

    /// Write one `listing` JSON record per message.
    #[arg(long)]
    pub json: bool,

    /// Cut lines to N columns (0: never); default: the terminal's width,
    /// or no cut in a pipe.
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,
}

const FIELDS: &[&str] = &[
    "index",
    "ref",
    "date",
    "iso",
    "timestamp",
    "from",
    "address",
    "to",
    "subject",
    "size",
    "bytes",
    "flags",
    "attachment",
    "labels",
    "id",
];

/// A human size: 512, 1.5K, 12K, 3.4M.
fn human(n: u64) -> String {
    let f = n as f64;
    if n < 1024 {
        format!("{n}")
    } else if n < 10 * 1024 {
        format!("{:.1}K", f / 1024.0)
    } else if n < 1024 * 1024 {
        format!("{}K", n / 1024)
    } else if n < 10 * 1024 * 1024 {
        format!("{:.1}M", f / 1048576.0)
    } else {
        format!("{}M", n >> 20)
    }
}

/// The value of a named field; `pos` is the message's position in the run.
fn field(s: &Summary, origin: &Origin, pos: usize, name: &str) -> String {
    match name {
        "index" => (if origin.format == "mbox" {
            origin.index
        } else {
            pos
        })
        .to_string(),
        "ref" => s.reference.clone(),
        "date" => s
            .date
            .as_deref()
            .map(|d| d.get(..16).unwrap_or(d).replace('T', " "))
            .unwrap_or_default(),
        "iso" => s.date.clone().unwrap_or_default(),
        "timestamp" => s.timestamp.map(|t| t.to_string()).unwrap_or_default(),
        "from" => s.sender().to_string(),
        "address" => s.from_address.clone().unwrap_or_default(),
        "to" => s.to.clone().unwrap_or_default(),
        "subject" => s.subject.clone().unwrap_or_default(),
        "size" => human(s.size),
        "bytes" => s.size.to_string(),
        "flags" => s.flags.clone(),
        "attachment" => if s.attachment { "+" } else { "" }.to_string(),
        "labels" => s.labels.join(","),
        "id" => s.message_id.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Cuts `s` to at most `w` display columns (ending in `…` when cut), then
/// pads it to `w` when `pad`.
pub(crate) fn fit(s: &str, w: usize, pad: bool) -> String {
    let width = s.width();
    let mut out = String::new();
    if width <= w {
        out.push_str(s);
        if pad {
            out.extend(std::iter::repeat_n(' ', w - width));
        }
        return out;
    }
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    if w > 0 {
        out.push('…');
        used += 1;
    }
    if pad {
        out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    }
    out
}

/// One piece of a `--format` template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field {
        name: String,
        width: Option<usize>,
        right: bool,
    },
}

fn template(t: &str) -> Result<Vec<Piece>> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        out.push(Piece::Text(rest[..i].replace("\\t", "\t")));
        let Some(j) = rest[i..].find('}') else {
            anyhow::bail!(
                "--template: `{{` at byte {} is not closed",
                t.len() - rest.len() + i
            );
        };
        let spec = &rest[i + 1..i + j];
        let (name, w) = spec.split_once(':').unwrap_or((spec, ""));
        if !FIELDS.contains(&name) {
            anyhow::bail!(
                "--template: unknown field `{name}` (fields: {})",
                FIELDS.join(", ")
            );
        }
        let right = w.starts_with('>');
        let w = w.trim_start_matches(['>', '<']);
        let width =
            if w.is_empty() {
                None
            } else {
                Some(w.parse::<usize>().map_err(|_| {
                    anyhow::anyhow!("--template: `{spec}`: the width is not a number")
                })?)
            };
        out.push(Piece::Field {
            name: name.to_string(),
            width,
            right,
        });
        rest = &rest[i + j + 1..];
    }
    out.push(Piece::Text(rest.replace("\\t", "\t")));
    Ok(out)
}

fn csv_cell(out: &mut String, v: &str) {
    if v.contains([',', '"', '\r', '\n']) || v.starts_with(' ') || v.ends_with(' ') {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// How `scan` writes a message.
pub(crate) struct Layout {
    tpl: Option<Vec<Piece>>,
    width: Option<usize>,
    csv: Option<Vec<String>>,
    style: super::Style,
}

impl Layout {
    /// The default layout fitted to the terminal, for `pick` on a terminal.
    pub(crate) fn terminal(style: super::Style) -> Layout {
        Layout {
            tpl: None,
            width: Some(terminal_width()),
            csv: None,
            style,
        }
    }

    /// A whole default line, the index column included (the message's
    /// index in its mailbox).
    pub(crate) fn full_line(&self, s: &Summary, origin: &Origin) -> String {
        format!("{:>5} {}", origin.index, self.line(s, origin, origin.index))
    }

    /// Untrusted text for a line: control characters always escaped (a line
    /// stays one line), bidi and zero-width on a terminal.
    fn safe(&self, v: String) -> String {
        let v = if v.chars().any(char::is_control) {
            crate::term::escape(&v, false).into_owned()
        } else {
            v
        };
        self.style.safe(&v).into_owned()
    }

    /// The line of a message with its line ending; the default layout
    /// leaves out the index column (added in order by the caller).
    fn line(&self, s: &Summary, origin: &Origin, p: usize) -> String {
        let mut line = String::new();
        if let Some(fields) = &self.csv {
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                csv_cell(&mut line, &field(s, origin, p, f));
            }
            line.push_str("\r\n");
            return line;
        }
        let mut width = self.width;
        if let Some(tpl) = &self.tpl {
            for piece in tpl {
                match piece {
                    Piece::Text(t) => line.push_str(t),
                    Piece::Field { name, width, right } => {
                        let v = self.safe(field(s, origin, p, name));
                        match width {
                            Some(w) if *right => {
                                let v = fit(&v, *w, false);
                                line.extend(std::iter::repeat_n(' ', w.saturating_sub(v.width())));
                                line.push_str(&v);
                            }
                            Some(w) => line.push_str(&fit(&v, *w, true)),
                            None => line.push_str(&v),
                        }
                    }
                }
            }
        } else {
            // The index column, `{index:>5} `, is written by the caller.
            width = width.map(|w| w.saturating_sub(6));
            let flags = format!("{:<3}", s.flags.chars().take(3).collect::<String>());
            let date = format!(
                "{:<10}",
                s.date.as_deref().and_then(|d| d.get(..10)).unwrap_or("")
            );
            let from_width = width.map_or(20, |w| ((w + 6) / 4).clamp(8, 20));
            let size = human(s.size);
            line = format!(
                "{flags}{} {date} {}  ",
                if s.attachment { '+' } else { ' ' },
                fit(&self.safe(s.sender().to_string()), from_width, true)
            );
            let subject = self.safe(s.subject.clone().unwrap_or_default());
            match width {
                Some(w) => {
                    let room = w.saturating_sub(line.width() + size.len().max(5) + 2);
                    line.push_str(&fit(&subject, room, true));
                }
                None => line.push_str(&subject),
            }
            line.push_str("  ");
            line.push_str(&format!("{size:>5}"));
        }
        if let Some(w) = width {
            if line.width() > w {
                line = fit(&line, w, false);
            }
        }
        line.push('\n');
        line
    }
}

/// The terminal's width (COLUMNS, else 80, when it cannot be asked).
fn terminal_width() -> usize {
    terminal_size::terminal_size()
        .map(|(w, _)| w.0 as usize)
        .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
        .unwrap_or(80)
}

/// Runs `emlkit scan`.
pub fn run(args: &ScanArgs, style: super::Style, out: &mut dyn Write) -> Result<super::Outcome> {
    let limits = args.input.limits();
    let input = args.input.header_only();
    let width = match args.width {
        Some(0) => None,
        Some(n) => Some(n),
        None if std::io::stdout().is_terminal() => Some(terminal_width()),
        None => None,
    };
    let csv_fields: Vec<String> = args
        .fields
        .split(',')
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    for f in &csv_fields {
        if !FIELDS.contains(&f.as_str()) {
            anyhow::bail!(
                "--fields: unknown field `{f}` (fields: {})",
                FIELDS.join(", ")
            );
        }
    }
    let tpl = args.template.as_deref().map(template).transpose()?;
    let layout = Layout {
        tpl,
        width,
        csv: args.csv.then_some(csv_fields),
        style,
    };
    let json = args.json;
    // Where the line is made: the default layout is made by the workers
    // (the index column is added in order); a layout that shows `index` for
    // single files needs the position in the run, so it is made in order.
    let in_order = match (&layout.tpl, &layout.csv) {
        (_, Some(fields)) => fields.iter().any(|n| n == "index"),
        (Some(tpl), None) => tpl
            .iter()
            .any(|p| matches!(p, Piece::Field { name, .. } if name == "index")),
        (None, None) => false,
    };
    let log = crate::export::limits::LimitLog::new();
    let work = |origin: &Origin, bytes: &[u8], buf: &mut Vec<u8>| -> Result<()> {
        let msg = Message::parse(bytes, origin.data_offset, Scope::HeadersOnly, &limits)?;
        // See: issue 14 — a limit that cut the message says so.
        super::pick::note_limits(&log, origin, &msg, Scope::HeadersOnly);
        let s = Summary::brief(origin, &msg, message_size(origin, bytes));
        if json {
            crate::export::write_json(buf, &ListingRec::new(origin, &s, None))?;
        } else if in_order {
            crate::export::write_json(buf, &s)?;
        } else {
            buf.extend_from_slice(layout.line(&s, origin, 0).as_bytes());
        }
        Ok(())
    };
    let mut pos = 0usize;
    if let Some(fields) = &layout.csv {
        let mut line = String::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            csv_cell(&mut line, f);
        }
        line.push_str("\r\n");
        out.write_all(line.as_bytes())?;
    }
    let mut emit = |origin: &Origin, buf: &[u8]| -> Result<()> {
        let p = pos;
        pos += 1;
        if json {
            out.write_all(buf)?;
            out.write_all(b"\n")?;
        } else if in_order {
            let s: Summary = serde_json::from_slice(buf)?;
            out.write_all(layout.line(&s, origin, p).as_bytes())?;
        } else if layout.tpl.is_none() && layout.csv.is_none() {
            let index = if origin.format == "mbox" {
                origin.index
            } else {
                p
            };
            write!(out, "{index:>5} ")?;
            out.write_all(buf)?;
        } else {
            out.write_all(buf)?;
        }
        Ok(())
    };
    let mut outcome = super::batch::for_each_message_emit(&input, &work, &mut emit)?;
    log.finish();
    outcome.errored |= log.hit();
    out.flush()?;
    outcome.nothing = outcome.messages == 0;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_display_width() {
        assert_eq!(fit("abc", 5, true), "abc  ");
        assert_eq!(fit("abcdef", 4, false), "abc…");
        // Wide characters take two columns.
        assert_eq!(fit("日本語テキスト", 6, true), "日本… ");
        assert_eq!(fit("日本語テキスト", 6, true).width(), 6);
    }

    #[test]
    fn templates_parse() {
        let t = template("{date} {from:20}|{size:>6}").unwrap();
        assert_eq!(t.len(), 7);
        assert!(template("{nope}").is_err());
        assert!(template("{date").is_err());
        assert!(template("{from:x}").is_err());
    }

    #[test]
    fn csv_cells_are_quoted_when_needed() {
        let mut s = String::new();
        csv_cell(&mut s, "a,b \"c\"");
        assert_eq!(s, "\"a,b \"\"c\"\"\"");
        s.clear();
        csv_cell(&mut s, "plain");
        assert_eq!(s, "plain");
    }

    #[test]
    fn sizes_are_human() {
        assert_eq!(human(512), "512");
        assert_eq!(human(1536), "1.5K");
        assert_eq!(human(20 * 1024), "20K");
        assert_eq!(human(3 << 20), "3.0M");
    }
}
