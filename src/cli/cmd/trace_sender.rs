//! The sender line and the indicator list of the `trace` table (issue 16):
//! kept apart from `trace.rs`, which prints the hops.

use super::Style;
use crate::forensics::iocs::Iocs;
use crate::forensics::sender::Report;
use anyhow::Result;
use std::io::Write;

/// `sender:` — the From domain and each identity's alignment with it:
/// `strict`, `relaxed` or `no`; then whether DMARC could align.
pub fn sender_lines(buf: &mut Vec<u8>, r: &Report, style: Style) -> Result<()> {
    let Some(fd) = &r.from_domain else {
        return Ok(());
    };
    let mut line = format!("From {}", style.safe(fd));
    if r.from_org_domain.as_deref().is_some_and(|o| o != fd) {
        line.push_str(&format!(
            " (org {})",
            style.safe(r.from_org_domain.as_deref().unwrap_or(""))
        ));
    }
    let items: Vec<String> = r
        .pairs
        .iter()
        .map(|p| {
            let who = match p.hop {
                // The entry hop's HELO: which hop it came from.
                Some(h) => format!("{} (hop {})", p.identity, h + 1),
                None => p.identity.to_string(),
            };
            let Some(domain) = &p.domain else {
                // An address literal or not a name: nothing to compare.
                return format!("{who} {} not a domain", style.safe(&p.value));
            };
            let a = if p.strict == Some(true) {
                "strict"
            } else if p.relaxed == Some(true) {
                "relaxed"
            } else {
                "no"
            };
            let a = if p.relaxed == Some(true) {
                style.paint("32", a)
            } else {
                style.paint("33", a)
            };
            format!("{who} {} {a}", style.safe(domain))
        })
        .collect();
    if !items.is_empty() {
        line.push_str("; aligned: ");
        line.push_str(&items.join(", "));
    }
    match r.dmarc_aligned {
        Some(true) => line.push_str("; DMARC can align"),
        Some(false) => line.push_str(&format!("; {}", style.paint("31", "DMARC cannot align"))),
        None => {}
    }
    writeln!(buf, "sender:  {line}")?;
    Ok(())
}

/// `iocs:` — one line per indicator: kind, count, value, first place.
pub fn iocs_table(buf: &mut Vec<u8>, i: &Iocs, defang: bool, style: Style) -> Result<()> {
    let style = Style {
        escape: true,
        ..style
    };
    let mut head = format!("iocs:    {} indicators", i.indicators.len());
    if i.dropped > 0 {
        head.push_str(&format!(" ({} more occurrences not kept)", i.dropped));
    }
    writeln!(buf, "{head}")?;
    for ind in &i.indicators {
        let mut value = crate::export::iocs::value(ind, defang).into_owned();
        if let Some(d) = &ind.decoded {
            value.push_str(&format!(" ({d})"));
        }
        let place = ind.locations.first().map(|l| {
            let w = match (&l.part, &l.field) {
                (Some(p), _) => format!("part {p}"),
                (None, Some(f)) => f.clone(),
                (None, None) => String::new(),
            };
            format!("{w} {} @{}", l.context, l.offset)
        });
        writeln!(
            buf,
            "  {:<6}  {:>4}x  {}  {}",
            ind.kind.as_str(),
            ind.count,
            style.safe(&value),
            style.paint("2", &style.safe(&place.unwrap_or_default()))
        )?;
    }
    Ok(())
}

/// Lookalike findings on the domains of the bodies (link hosts), against
/// the `--trust` domains and the From domain; the sender domains were
/// checked by the trace already.
pub fn body_lookalikes(
    i: &Iocs,
    t: &crate::forensics::Trace,
    trust: &[String],
) -> Vec<crate::model::Finding> {
    crate::forensics::iocs::body_lookalikes(i, t, trust)
}
