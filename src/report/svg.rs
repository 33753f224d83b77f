//! Charts as inline SVG, drawn here (no chart library, no script): a
//! horizontal bar chart for ranked counts and a column chart (optionally
//! stacked) for series over time and histograms. Labels go through
//! [`super::html::text`]; every number is ours. Each chart has a `<title>`
//! and `role="img"` for screen readers, and the numbers are also written as
//! a table next to it (by the caller).

use super::html::{clip, text};
use std::fmt::Write as _;

/// Colours of stacked series, in order (pass, fail, other, …).
pub const SERIES: [&str; 4] = ["#1a7f37", "#b3261e", "#8c959f", "#3b6fb6"];

/// A horizontal bar chart of `(label, value)` rows, in the given order.
pub fn bars(title: &str, rows: &[(String, u64)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (260.0, 420.0, 18.0);
    let h = 24.0 + row_h * rows.len() as f64;
    let w = label_w + bar_w + 80.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        text(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 8.0 + row_h * i as f64;
        let len = (*v as f64 / max as f64) * bar_w;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{}\" width=\"{len:.1}\" height=\"{}\" fill=\"#3b6fb6\"/><text x=\"{:.1}\" y=\"{}\">{v}</text>",
            label_w - 6.0,
            y + 12.0,
            text(&clip(label, 40)),
            y + 2.0,
            row_h - 5.0,
            label_w + len + 4.0,
            y + 12.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// The colour of series `k`: blue for a single series, [`SERIES`] for
/// stacked ones.
fn colour_of(k: usize, stacked: bool) -> &'static str {
    if stacked {
        SERIES[k % SERIES.len()]
    } else {
        "#3b6fb6"
    }
}

/// A column chart: one column per `(label, values)`, the values stacked in
/// [`SERIES`] colours; `legend` names the series. At most `max_labels`
/// x-axis labels are written (evenly spaced) so long series stay legible.
pub fn columns(title: &str, rows: &[(String, Vec<u64>)], legend: &[&str]) -> String {
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (left, plot_h, top, bottom) = (50.0, 160.0, 20.0, 46.0);
    let n = rows.len().max(1) as f64;
    let plot_w = 720.0_f64;
    let col_w = plot_w / n;
    let w = left + plot_w + 10.0;
    let h = top + plot_h + bottom;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        text(title)
    );
    // Axis and the maximum.
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#8c959f\"/><line x1=\"{left}\" y1=\"{0}\" x2=\"{}\" y2=\"{0}\" stroke=\"#8c959f\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text><text x=\"{}\" y=\"{0}\" text-anchor=\"end\">0</text>",
        top + plot_h,
        left + plot_w,
        left - 4.0,
        top + 4.0,
        left - 4.0,
    );
    let label_every = rows.len().div_ceil(8).max(1);
    let colour = |k: usize| colour_of(k, legend.len() > 1);
    for (i, (label, values)) in rows.iter().enumerate() {
        let x = left + col_w * i as f64;
        let mut y = top + plot_h;
        for (k, v) in values.iter().enumerate() {
            let hh = *v as f64 / max as f64 * plot_h;
            y -= hh;
            if *v > 0 {
                let _ = write!(
                    s,
                    "<rect x=\"{:.2}\" y=\"{y:.2}\" width=\"{:.2}\" height=\"{hh:.2}\" fill=\"{}\"/>",
                    x + col_w * 0.1,
                    (col_w * 0.8).max(0.5),
                    colour(k)
                );
            }
        }
        if i % label_every == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + col_w / 2.0,
                top + plot_h + 14.0,
                text(&clip(label, 12))
            );
        }
    }
    if legend.len() > 1 {
        for (k, name) in legend.iter().enumerate() {
            let x = left + 120.0 * k as f64;
            let _ = write!(
                s,
                "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
                h - 14.0,
                SERIES[k % SERIES.len()],
                x + 14.0,
                h - 5.0,
                text(name)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let s = bars("t", &[("<script>x</script>".into(), 3)]);
        assert!(!s.contains("<script>") && s.contains("&lt;script&gt;"));
        let c = columns("t", &[("a<b".into(), vec![1, 2])], &["p", "f"]);
        assert!(c.contains("a&lt;b") && c.matches("<rect").count() == 4);
    }

    #[test]
    fn empty_charts_are_valid() {
        assert!(bars("t", &[]).ends_with("</svg>"));
        assert!(columns("t", &[], &[]).ends_with("</svg>"));
    }
}
