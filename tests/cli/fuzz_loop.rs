//! The fuzz targets on the stable toolchain: every property of
//! `fuzz/checks.rs` (the functions the libFuzzer targets call) over seeded
//! random inputs, mail-alphabet inputs and mutations of the test messages,
//! for a time budget per target, with a time limit per input so that a slow
//! input is a failure, as `scripts/fuzz.sh` does with libFuzzer.
//!
//! `EMLKIT_FUZZ_SECS` sets the budget per target (default 1 s),
//! `EMLKIT_FUZZ_INPUT_SECS` the limit per input (default 5 s: the test
//! profile is unoptimised), `EMLKIT_FUZZ_SEED` the seed (default fixed, so a
//! run is reproducible). A failing input is written to
//! `target/fuzz-loop-<target>.bin`. See: issue 14.

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Small files of the test data, as seeds.
fn seeds() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "eml" || x == "mbox" || x == "json")
            {
                if let Ok(b) = std::fs::read(&p) {
                    if b.len() <= 64 * 1024 {
                        out.push(b);
                    }
                }
            }
        }
    }
    out.sort();
    // The findings of earlier runs, kept as regression inputs.
    out.push(b"CONOUT$\xc2\xa0\x00\xc2\xa0\xff.bin".to_vec());
    let mut long = b"CONOUT$".to_vec();
    for _ in 0..150 {
        long.extend_from_slice(b"\xc2\xa0");
    }
    long.extend_from_slice(b"\xffx.bin");
    out.push(long);
    out
}

/// One input: random bytes, random small tokens, or a mutated seed
/// (byte changes, insertions, a slice repeated to grow the input, a cut).
fn input(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    match rng.below(4) {
        0 => (0..rng.below(512)).map(|_| rng.next() as u8).collect(),
        // Small byte values are tokens of the mail alphabet.
        1 => (0..rng.below(256)).map(|_| rng.below(64) as u8).collect(),
        _ => {
            let mut v = seeds[rng.below(seeds.len())].clone();
            for _ in 0..1 + rng.below(8) {
                if v.is_empty() {
                    v.push(rng.next() as u8);
                    continue;
                }
                let at = rng.below(v.len());
                match rng.below(5) {
                    0 => v[at] = rng.next() as u8,
                    1 => v.insert(at, rng.below(64) as u8),
                    2 => {
                        let end = (at + 1 + rng.below(64)).min(v.len());
                        let piece = v[at..end].to_vec();
                        for _ in 0..rng.below(200) {
                            v.splice(at..at, piece.iter().copied());
                        }
                    }
                    3 => v.truncate(at),
                    _ => {
                        let other = &seeds[rng.below(seeds.len())];
                        let from = rng.below(other.len());
                        let end = (from + rng.below(512)).min(other.len());
                        v.splice(at..at, other[from..end].iter().copied());
                    }
                }
            }
            v.truncate(256 * 1024);
            v
        }
    }
}

#[test]
fn every_fuzz_target_holds_on_stable() {
    let budget = Duration::from_millis(env_num("EMLKIT_FUZZ_SECS", 1) * 1000);
    let per_input = Duration::from_secs(env_num("EMLKIT_FUZZ_INPUT_SECS", 5));
    let seed = env_num("EMLKIT_FUZZ_SEED", 0x9E37_79B9_7F4A_7C15).max(1);
    let seeds = seeds();
    assert!(seeds.len() > 10, "no seeds found under testdata/");
    for &(name, check) in checks::TARGETS {
        let mut rng = Rng(seed ^ name.len() as u64);
        let start = Instant::now();
        let mut runs = 0u64;
        let mut slowest = Duration::ZERO;
        // Every seed once, then random inputs until the budget is spent.
        let mut queue: Vec<Vec<u8>> = seeds.clone();
        loop {
            let data = match queue.pop() {
                Some(d) => d,
                None if start.elapsed() < budget => input(&mut rng, &seeds),
                None => break,
            };
            let t = Instant::now();
            let r = catch_unwind(AssertUnwindSafe(|| check(&data)));
            let took = t.elapsed();
            slowest = slowest.max(took);
            runs += 1;
            if r.is_err() || took > per_input {
                let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("target")
                    .join(format!("fuzz-loop-{name}.bin"));
                let _ = std::fs::write(&path, &data);
                panic!(
                    "fuzz target {name}: {} on a {}-byte input (took {took:?}); saved to {}",
                    if r.is_err() { "panic" } else { "too slow" },
                    data.len(),
                    path.display()
                );
            }
        }
        eprintln!("fuzz loop {name}: {runs} inputs, slowest {slowest:?}");
    }
}
