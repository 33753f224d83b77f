//! Delay statistics in bounded memory, shared by `trace --stats` and the
//! mailbox report so that both give the same median and p95 (one place for
//! the fact). See: issue 16 (`--stats` in bounded memory), issue 17.

use std::collections::BTreeMap;

/// A histogram of signed delays in seconds: exact below one minute, then
/// per minute below one hour, per hour below one day, per day up to a
/// year (one bucket beyond). A few hundred buckets at most, whatever the
/// number of hops.
#[derive(Debug, Clone, Default)]
pub struct DelayHistogram {
    /// Bucket key (ordered as the delays) → count.
    buckets: BTreeMap<i32, u64>,
    n: u64,
}

impl DelayHistogram {
    /// The bucket of a non-negative delay.
    fn bucket(a: u64) -> i32 {
        match a {
            0..60 => a as i32,
            60..3600 => 60 + (a / 60 - 1) as i32,
            3600..86400 => 119 + (a / 3600 - 1) as i32,
            _ => 142 + (a / 86400 - 1).min(365) as i32,
        }
    }

    /// The smallest delay of a bucket of non-negative delays.
    fn lower(b: i32) -> i64 {
        match b {
            0..60 => b as i64,
            60..119 => (b as i64 - 59) * 60,
            119..142 => (b as i64 - 118) * 3600,
            _ => (b as i64 - 141) * 86400,
        }
    }

    /// Counts one delay (seconds; negative: clock skew).
    pub fn add(&mut self, d: i64) {
        let b = Self::bucket(d.unsigned_abs());
        // Negative delays below every non-negative one, more negative first.
        let key = if d < 0 { -b - 1 } else { b };
        *self.buckets.entry(key).or_default() += 1;
        self.n += 1;
    }

    /// The value at quantile `q` (nearest rank), to the bucket's precision
    /// (rounded toward zero).
    pub fn quantile(&self, q: f64) -> Option<i64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (k, c) in &self.buckets {
            seen += c;
            if seen >= rank {
                return Some(if *k < 0 {
                    -Self::lower(-k - 1)
                } else {
                    Self::lower(*k)
                });
            }
        }
        None
    }
}

impl DelayHistogram {
    /// How many delays were counted.
    pub fn count(&self) -> u64 {
        self.n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        let mut h = DelayHistogram::default();
        for d in 1..=10 {
            h.add(d);
        }
        assert_eq!(h.quantile(0.5), Some(5));
        assert_eq!(h.quantile(0.95), Some(10));
        assert_eq!(DelayHistogram::default().quantile(0.5), None);
        // Beyond a minute, to the minute; beyond an hour, to the hour.
        let mut h = DelayHistogram::default();
        for d in [-7300, -5, 0, 125, 4000, 90_000, 10_000_000_000] {
            h.add(d);
        }
        let q: Vec<Option<i64>> = [0.1, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0]
            .iter()
            .map(|q| h.quantile(*q))
            .collect();
        assert_eq!(
            q,
            [
                Some(-7200),
                Some(-5),
                Some(0),
                Some(120),
                Some(3600),
                Some(86400),
                Some(366 * 86400)
            ]
        );
        // Bucket bounds are consistent: every delay is at least its
        // bucket's lower bound and below the next one.
        for a in [0u64, 59, 60, 119, 120, 3599, 3600, 86399, 86400, 1 << 40] {
            let b = DelayHistogram::bucket(a);
            assert!(DelayHistogram::lower(b) as u64 <= a, "{a}");
        }
        assert_eq!(h.n, 7);
    }
}
