//! ARC chains (RFC 8617) checked offline: the structure (instances 1..n,
//! exactly one ARC-Authentication-Results, ARC-Message-Signature and
//! ARC-Seal each, the `cv=` sequence), and with keys the newest
//! ARC-Message-Signature (verified like a DKIM signature) and every
//! ARC-Seal over the ARC sets up to its own.

use super::dkim::{self, canon, tags, BodyResult, Context, HeaderField, Kind, SigResult, Verdict};
use crate::model::Finding;
use base64::Engine;

/// Most ARC instances (RFC 8617 §4.2.1: more than 50 is a failed chain).
pub const MAX_INSTANCES: u32 = 50;

/// One ARC-Seal's verdict.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Seal {
    /// Offset of the ARC-Seal field.
    pub offset: u64,
    /// `d=`.
    pub d: Option<String>,
    /// `s=`.
    pub s: Option<String>,
    /// `a=`.
    pub a: Option<String>,
    /// `cv=`, lower-case.
    pub cv: Option<String>,
    /// The verdict (`pass`, `fail`, `no_key`, `error`, `not_checked`).
    pub result: SigResult,
    /// Why, when not `pass`.
    pub reason: Option<String>,
}

/// One ARC set.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Set {
    /// The instance, `i=`.
    pub instance: u32,
    /// The authserv-id of its ARC-Authentication-Results.
    pub authserv_id: Option<String>,
    /// The `arc=` result its ARC-Authentication-Results claims.
    pub claimed_arc: Option<String>,
    /// Offset of the ARC-Authentication-Results field.
    pub aar_offset: Option<u64>,
    /// The ARC-Message-Signature verdict (checked for the newest set; the
    /// older ones are expected to break when intermediaries change the
    /// message, and are reported for information).
    pub ams: Option<Verdict>,
    /// The ARC-Seal verdict.
    pub seal: Option<Seal>,
}

/// The chain verdict.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Chain {
    /// The highest instance.
    pub instances: u32,
    /// `pass`, `fail`, or `unverified` (structure valid, a key missing).
    pub result: String,
    /// Why, when not `pass`.
    pub reason: Option<String>,
    /// The sets, oldest (i=1) first.
    pub sets: Vec<Set>,
    /// The hop (delivery index) of the last sealer: the hop received by
    /// its authserv-id, or else by a host in its seal's `d=`.
    pub sealer_hop: Option<usize>,
}

fn instance_of(raw: &[u8], aar: bool) -> Result<u32, String> {
    let value = dkim::field_value(raw);
    // ARC-Authentication-Results is `i=N; authserv-id; results`: only its
    // first element is a tag.
    let value = if aar {
        value.split(';').next().unwrap_or("").to_string()
    } else {
        value
    };
    let t = tags::parse(&value)?;
    let i = t.compact("i").ok_or("no i= tag")?;
    i.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_INSTANCES).contains(n))
        .ok_or_else(|| format!("i={} is not 1..{MAX_INSTANCES}", tags::cut(&i)))
}

/// Sets each set's authserv-id and claimed `arc=` result from the parsed
/// ARC-Authentication-Results fields (by offset).
pub fn fill_aar(chain: &mut Chain, parsed: &[super::Located<super::auth::AuthResults>]) {
    let by_offset: std::collections::HashMap<u64, &super::auth::AuthResults> =
        parsed.iter().map(|l| (l.offset, &l.value)).collect();
    for set in &mut chain.sets {
        if let Some(a) = set.aar_offset.and_then(|o| by_offset.get(&o)) {
            set.authserv_id = Some(a.authserv_id.clone());
            set.claimed_arc = a
                .results
                .iter()
                .find(|r| r.method == "arc")
                .map(|r| r.result.clone());
        }
    }
}

/// Checks the ARC chain of a message; None when it has no ARC field.
pub fn check(ctx: &mut Context<'_, '_>) -> Option<(Chain, Vec<Finding>)> {
    let fields = ctx.fields;
    let mut aar: Vec<Vec<usize>> = vec![Vec::new(); MAX_INSTANCES as usize + 1];
    let mut ams = aar.clone();
    let mut seals = aar.clone();
    let mut any = false;
    let mut problems: Vec<String> = Vec::new();
    let mut findings = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let slot = match f.name.as_str() {
            "arc-authentication-results" => &mut aar,
            "arc-message-signature" => &mut ams,
            "arc-seal" => &mut seals,
            _ => continue,
        };
        any = true;
        match instance_of(f.raw, f.name == "arc-authentication-results") {
            Ok(n) => slot[n as usize].push(i),
            Err(e) => {
                if problems.len() < 10 {
                    problems.push(format!("{} at offset {}: {e}", f.name, f.offset));
                }
            }
        }
    }
    if !any {
        return None;
    }
    let n = (1..=MAX_INSTANCES)
        .rev()
        .find(|&k| {
            let k = k as usize;
            !aar[k].is_empty() || !ams[k].is_empty() || !seals[k].is_empty()
        })
        .unwrap_or(0);
    let mut chain = Chain {
        instances: n,
        ..Chain::default()
    };
    for k in 1..=n {
        let ku = k as usize;
        for (name, list) in [
            ("ARC-Authentication-Results", &aar[ku]),
            ("ARC-Message-Signature", &ams[ku]),
            ("ARC-Seal", &seals[ku]),
        ] {
            if list.len() != 1 {
                problems.push(format!("instance {k} has {} {name} fields", list.len()));
            }
        }
        // Filled in by the caller from the Authentication-Results it has
        // already parsed (see [`fill_aar`]): parsing them again here would
        // double the cost of huge fields.
        let (authserv_id, claimed_arc) = (None, None);
        let seal = seals[ku].first().map(|&i| {
            let value = dkim::field_value(fields[i].raw);
            let t = tags::parse(&value).unwrap_or_default();
            Seal {
                offset: fields[i].offset,
                d: t.compact_owned("d"),
                s: t.compact_owned("s"),
                a: t.compact_owned("a"),
                cv: t.compact("cv").map(|c| c.to_ascii_lowercase()),
                result: SigResult::NotChecked,
                reason: None,
            }
        });
        let want = if k == 1 { "none" } else { "pass" };
        match seal.as_ref().and_then(|s| s.cv.as_deref()) {
            Some(cv) if cv == want => {}
            Some("fail") => problems.push(format!("instance {k} says cv=fail")),
            Some(cv) => problems.push(format!(
                "instance {k} has cv={} (expected {want})",
                tags::cut(cv)
            )),
            None if seal.is_some() => problems.push(format!("instance {k} has no cv=")),
            None => {}
        }
        chain.sets.push(Set {
            instance: k,
            authserv_id,
            claimed_arc,
            aar_offset: aar[ku].first().map(|&i| fields[i].offset),
            ams: None,
            seal,
        });
    }
    // Message signatures: each verified (the newest decides).
    for k in 1..=n {
        if let Some(&i) = ams[k as usize].first() {
            let v = ctx.verify(i, Kind::ArcMessage);
            chain.sets[k as usize - 1].ams = Some(v);
        }
    }
    // Seals, when the structure holds.
    let structure_ok = problems.is_empty() && n > 0;
    if structure_ok {
        // The sets before the current one, hashed once with each algorithm
        // (each seal covers every older set: linear, not quadratic).
        let mut before = [
            canon::Hasher::new(canon::HashAlg::Sha1),
            canon::Hasher::new(canon::HashAlg::Sha256),
        ];
        for k in 1..=n {
            let r = verify_seal(ctx, &aar, &ams, &seals, k, &before);
            let ku = k as usize;
            for list in [&aar[ku], &ams[ku], &seals[ku]] {
                if let Some(&i) = list.first() {
                    let mut one = Vec::new();
                    canon::header(canon::Canon::Relaxed, fields[i].raw, &mut one);
                    for h in &mut before {
                        h.update(&one);
                    }
                }
            }
            if let Some(s) = chain.sets[k as usize - 1].seal.as_mut() {
                match r {
                    Ok(()) => s.result = SigResult::Pass,
                    Err((res, why)) => {
                        s.result = res;
                        s.reason = Some(why);
                    }
                }
            }
        }
    }
    let newest = chain.sets.last();
    let ams_newest = newest.and_then(|s| s.ams.as_ref());
    let mut fail: Option<String> = None;
    if !structure_ok {
        fail = Some(if problems.is_empty() {
            "no ARC set".to_string()
        } else {
            problems.join("; ")
        });
        findings.push(Finding::new(
            "arc_structure",
            format!("ARC chain broken: {}", fail.clone().unwrap_or_default()),
        ));
    }
    if let Some(v) = ams_newest {
        if v.body_hash == BodyResult::Mismatch || v.result == SigResult::Fail {
            let why = v
                .reason
                .clone()
                .unwrap_or_else(|| "body hash mismatch".into());
            findings.push(
                Finding::new(
                    "arc_ams_fail",
                    format!("ARC-Message-Signature i={n}: {why}"),
                )
                .at(Some(v.offset)),
            );
            fail.get_or_insert(format!("newest ARC-Message-Signature: {why}"));
        }
    }
    for s in &chain.sets {
        if let Some(seal) = &s.seal {
            if seal.result == SigResult::Fail {
                let why = seal.reason.clone().unwrap_or_default();
                findings.push(
                    Finding::new("arc_seal_fail", format!("ARC-Seal i={}: {why}", s.instance))
                        .at(Some(seal.offset)),
                );
                fail.get_or_insert(format!("ARC-Seal i={}: {why}", s.instance));
            }
        }
    }
    let all_pass = structure_ok
        && chain
            .sets
            .iter()
            .all(|s| s.seal.as_ref().is_some_and(|x| x.result == SigResult::Pass))
        && ams_newest.is_some_and(|v| v.result == SigResult::Pass);
    (chain.result, chain.reason) = match fail {
        Some(why) => ("fail".into(), Some(why)),
        None if all_pass => ("pass".into(), None),
        None => (
            "unverified".into(),
            Some("structure valid; signatures not verified (no key given or no body)".into()),
        ),
    };
    Some((chain, findings))
}

type Failure = (SigResult, String);

fn verify_seal(
    ctx: &Context<'_, '_>,
    aar: &[Vec<usize>],
    ams: &[Vec<usize>],
    seals: &[Vec<usize>],
    k: u32,
    before: &[canon::Hasher; 2],
) -> Result<(), Failure> {
    let fields: &[HeaderField<'_>] = ctx.fields;
    let own_i = *seals[k as usize]
        .first()
        .ok_or((SigResult::Error, "no ARC-Seal".to_string()))?;
    let own = &fields[own_i];
    let err = |s: String| (SigResult::Error, s);
    let value = dkim::field_value(own.raw);
    let t = tags::parse(&value).map_err(err)?;
    for req in ["a", "b", "cv", "d", "i", "s"] {
        if t.get(req).is_none() {
            return Err(err(format!("no {req}= tag")));
        }
    }
    if t.get("h").is_some() {
        return Err(err("ARC-Seal with an h= tag".into()));
    }
    let a = t.compact("a").unwrap_or_default().to_ascii_lowercase();
    let sig = base64::engine::general_purpose::STANDARD
        .decode(t.compact("b").unwrap_or_default().as_bytes())
        .map_err(|_| err("b= is not base64".into()))?;
    let Some(store) = ctx.keys else {
        return Err((SigResult::NoKey, "no key given (--dkim-keys)".into()));
    };
    let d = t.compact("d").unwrap_or_default();
    let s = t.compact("s").unwrap_or_default();
    let rec = store
        .resolve(&s, &d)
        .map_err(|why| {
            (
                SigResult::NoKey,
                format!("no key for {s}._domainkey.{d}: {why}"),
            )
        })?
        .iter()
        .find_map(|r| dkim::keys::parse_record(r).ok())
        .ok_or_else(|| (SigResult::NoKey, format!("no key for {s}._domainkey.{d}")))?;
    // RFC 8617 §5.1.1: every set up to this one, oldest first, each as
    // AAR, AMS, AS, relaxed; this seal last, with an empty b= and without
    // its final line ending. The older sets are already in `before`.
    let hash =
        dkim::hash_of(&a).ok_or_else(|| err(format!("unknown algorithm a={}", tags::cut(&a))))?;
    let mut h = match hash {
        canon::HashAlg::Sha1 => before[0].clone(),
        _ => before[1].clone(),
    };
    let ku = k as usize;
    let mut data = Vec::new();
    for list in [&aar[ku], &ams[ku]] {
        if let Some(&i) = list.first() {
            canon::header(canon::Canon::Relaxed, fields[i].raw, &mut data);
        }
    }
    let stripped = tags::strip_b(own.raw);
    let mut one = Vec::new();
    canon::header(canon::Canon::Relaxed, &stripped, &mut one);
    one.truncate(one.len().saturating_sub(2));
    data.extend_from_slice(&one);
    h.update(&data);
    dkim::verify_digest(&a, &h.finish(), &sig, &rec).map_err(|why| (SigResult::Fail, why))
}
