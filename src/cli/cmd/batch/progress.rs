//! The progress display of a batch run, on stderr, for a person watching.
//!
//! How it behaves (see: issue 15, "progress like the best tools"):
//! - never when stderr is not a terminal, never with `--no-progress` (or
//!   `extract --quiet`);
//! - drawn only once the run has lasted [`DELAY`], so quick runs do not flash;
//! - cleared at the end, leaving no line behind;
//! - suspended (cleared, then redrawn) around everything written to the
//!   terminal meanwhile: diagnostics ([`super::super::report`] goes through
//!   [`suspend`]) and the command's own output when stdout is the terminal;
//! - a bar with percentage, bytes and messages per second and ETA when the
//!   total is known (files, compressed ones by their compressed size, and
//!   the files of maildirs and directories, summed in a background thread
//!   so a large maildir does not delay the first message), a spinner with
//!   counts and rates otherwise (standard input, message references).
//!   A compressed input's progress is the compressed bytes read (counted
//!   by the library's [`ByteCounter`]), not the messages' sizes.

use crate::source::stream::ByteCounter;
use crate::source::{self, maildir, Kind};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a run goes before the progress is drawn.
pub const DELAY: Duration = Duration::from_millis(400);

/// The delay, or `EMLKIT_PROGRESS_DELAY_MS` (tests draw it at once).
fn delay() -> Duration {
    std::env::var("EMLKIT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(DELAY)
}

/// The bar of the run in progress, if one is shown (one run at a time).
static CURRENT: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `f` with the progress (if any) cleared from the terminal, redrawn
/// after: everything written to the terminal during a run goes through it.
/// Nested calls (a diagnostic written while output is) run `f` directly:
/// the bar's lock is held by the outer call.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    thread_local! {
        static INSIDE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if INSIDE.with(|i| i.get()) {
        return f();
    }
    let bar = CURRENT.lock().ok().and_then(|g| g.clone());
    match bar {
        Some(b) if !b.is_hidden() => b.suspend(|| {
            INSIDE.with(|i| i.set(true));
            let r = f();
            INSIDE.with(|i| i.set(false));
            r
        }),
        _ => f(),
    }
}

/// The progress of one run.
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    delay: Duration,
    shown: bool,
    messages: u64,
    bytes: u64,
    /// The total in bytes and which inputs are compressed, once the
    /// background thread has looked.
    total: std::sync::mpsc::Receiver<Totals>,
    /// Inputs (by index) whose progress is counted in compressed bytes.
    compressed: Vec<bool>,
    /// Compressed bytes read so far (all compressed inputs together).
    stream: ByteCounter,
    has_total: bool,
    last_message: Instant,
}

impl Progress {
    /// A progress display for these inputs, or `None` when nobody watches.
    pub fn new(paths: Vec<(PathBuf, bool)>, recursive: bool, off: bool) -> Option<Progress> {
        if off || !io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg} {binary_bytes} ({binary_bytes_per_sec}), {elapsed}",
        ) {
            bar.set_style(style.tick_chars("⠁⠂⠄⡀⢀⠠⠐⠈ "));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        // Summing sizes stats every file of a maildir: off the main thread.
        let spawned = std::thread::Builder::new()
            .name("emlkit-progress-total".into())
            .spawn(move || {
                let _ = tx.send(totals(&paths, recursive));
            });
        if spawned.is_err() {
            return None;
        }
        if let Ok(mut g) = CURRENT.lock() {
            *g = Some(bar.clone());
        }
        let now = Instant::now();
        Some(Progress {
            bar,
            start: now,
            delay: delay(),
            shown: false,
            messages: 0,
            bytes: 0,
            total: rx,
            compressed: Vec::new(),
            stream: ByteCounter::new(),
            has_total: false,
            last_message: now,
        })
    }

    /// The counter the reader adds compressed bytes to (give it to
    /// [`source::ReadOptions::count_stream_bytes`]).
    pub fn stream_counter(&self) -> ByteCounter {
        self.stream.clone()
    }

    /// One message of input `input` done: `length` bytes of it (for a
    /// compressed input, the compressed bytes read count instead).
    pub fn inc(&mut self, input: usize, length: u64) {
        self.messages += 1;
        if !self.compressed.get(input).copied().unwrap_or(false) {
            self.bytes += length;
        }
        self.bar.set_position(self.bytes + self.stream.get());
        if !self.has_total {
            if let Ok(totals) = self.total.try_recv() {
                self.has_total = true;
                self.compressed = totals.compressed;
                if let Some(t) = totals.bytes.filter(|&t| t > 0) {
                    self.bar.set_length(t);
                    if let Ok(style) = ProgressStyle::with_template(
                        "{wide_bar:.cyan/blue} {percent:>3}% {binary_bytes}/{binary_total_bytes} \
                         {binary_bytes_per_sec} {msg} ETA {eta}",
                    ) {
                        self.bar.set_style(style.progress_chars("█▉▊▋▌▍▎▏ "));
                    }
                }
            }
        }
        let now = Instant::now();
        if !self.shown && now.duration_since(self.start) >= self.delay {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(120));
            self.update_message(now);
        } else if self.shown && now.duration_since(self.last_message) >= Duration::from_millis(200)
        {
            self.update_message(now);
        }
    }

    fn update_message(&mut self, now: Instant) {
        self.last_message = now;
        let secs = now.duration_since(self.start).as_secs_f64().max(0.001);
        let rate = self.messages as f64 / secs;
        let noun = if self.messages == 1 {
            "message"
        } else {
            "messages"
        };
        self.bar
            .set_message(format!("{} {noun} ({rate:.0}/s)", self.messages));
    }
}

impl Drop for Progress {
    /// Clears the display, leaving no line behind.
    fn drop(&mut self) {
        if let Ok(mut g) = CURRENT.lock() {
            *g = None;
        }
        self.bar.finish_and_clear();
    }
}

/// What the background thread finds out about the inputs.
struct Totals {
    /// The input bytes the run will read, when known.
    bytes: Option<u64>,
    /// Per input: compressed (its progress is in compressed bytes).
    compressed: Vec<bool>,
}

/// The inputs' totals (see [`total_bytes`]) and which are compressed.
fn totals(paths: &[(PathBuf, bool)], recursive: bool) -> Totals {
    let compressed = paths
        .iter()
        .map(|(p, _)| p.as_os_str() != "-" && p.is_file() && compressed(p))
        .collect();
    Totals {
        bytes: total_bytes(paths, recursive),
        compressed,
    }
}

/// The input bytes the run will read, when they are known: the sizes of the
/// whole (`true`) inputs that are regular files (compressed ones by their
/// compressed size: their progress is the compressed bytes read), and of
/// the files of maildirs and directories. `None` for standard input and
/// message references.
fn total_bytes(paths: &[(PathBuf, bool)], recursive: bool) -> Option<u64> {
    let mut total = 0u64;
    for (p, whole) in paths {
        if !whole || p.as_os_str() == "-" {
            return None;
        }
        let meta = std::fs::metadata(p).ok()?;
        if meta.is_dir() {
            let entries = match source::detect_dir(p) {
                Kind::Maildir => maildir::list_maildir(p, recursive).ok()?,
                _ => maildir::list_directory(p, recursive).ok()?,
            };
            for e in entries {
                total += std::fs::metadata(&e.path).map(|m| m.len()).unwrap_or(0);
            }
        } else if meta.is_file() {
            total += meta.len();
        } else {
            return None;
        }
    }
    Some(total)
}

fn compressed(p: &Path) -> bool {
    let mut head = [0u8; 6];
    let Ok(mut f) = std::fs::File::open(p) else {
        return false;
    };
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    source::stream::Compression::detect(&head[..n]).is_some()
}
