//! The JSON Lines export: our schema, documented in `docs/json.md`.
//!
//! Every record is one JSON object on one line with a `"type"` tag. Decoded
//! text is a JSON string; raw bytes are `{"text": …}` when they are valid
//! UTF-8 and `{"bytes": <base64>}` otherwise, so nothing is lost.

pub mod extract;
pub mod headers;
pub mod info;
pub mod iocs;
pub mod json;
pub mod limits;
pub mod listing;
pub mod trace;
pub mod tree;

/// The schema version written in every message record. Within a version
/// changes are additive (new keys); a key that changes shape bumps it
/// (CHANGELOG.md lists every change). 2: one vocabulary across record
/// types (issue 15): `trace` writes message ids and Return-Path bare as
/// `json` does, `from` as an address list, hop numbers 1-based, dates'
/// text as `raw`. The schemas are in docs/schema/.
pub const SCHEMA_VERSION: u32 = 2;
