//! uuencoded blocks inside text bodies (`begin 644 name` … `end`), as old
//! mailers and Usenet gateways sent files before MIME.
//!
//! A block starts at a line `begin MODE NAME` where MODE is 3 or 4 octal
//! digits, and runs over lines whose first character gives their length,
//! until a line `end`. A line that does not fit the format ends the block
//! early (the block is then reported as truncated). The scan is linear in
//! the body size and stops after [`MAX_BLOCKS`] blocks.

/// Most blocks taken from one body.
pub const MAX_BLOCKS: usize = 1000;

/// One decoded block.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UuBlock {
    /// The name on the `begin` line (raw bytes, lossily UTF-8).
    pub name: String,
    /// The decoded bytes.
    pub data: Vec<u8>,
    /// Offset of the `begin` line in the body.
    pub offset: usize,
    /// False when the block had no `end` line or a malformed line.
    pub complete: bool,
}

fn lines(b: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let start = pos;
        let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i);
        pos = end + 1;
        let line = &b[start..end];
        Some((start, line.strip_suffix(b"\r").unwrap_or(line)))
    })
}

/// Parses a `begin MODE NAME` line; returns the name.
fn begin_line(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(b"begin ")?;
    let sp = memchr::memchr(b' ', rest)?;
    let (mode, name) = (&rest[..sp], &rest[sp + 1..]);
    if !(3..=4).contains(&mode.len()) || !mode.iter().all(|c| (b'0'..=b'7').contains(c)) {
        return None;
    }
    let name = name.trim_ascii();
    (!name.is_empty()).then_some(name)
}

/// Decodes one uu line into `out`; false when it does not fit the format.
fn decode_line(line: &[u8], out: &mut Vec<u8>) -> bool {
    let Some(&first) = line.first() else {
        return false;
    };
    if !(b' '..=b'`').contains(&first) {
        return false;
    }
    let n = ((first - b' ') & 0x3f) as usize;
    let need = n.div_ceil(3) * 4;
    let body = &line[1..];
    // Some encoders drop trailing spaces; pad them back.
    if body.len() + 2 < need || body.iter().any(|c| !(b' '..=b'`').contains(c)) {
        return false;
    }
    let mut quad = [0u8; 4];
    let mut produced = 0;
    for i in (0..need).step_by(4) {
        for (k, q) in quad.iter_mut().enumerate() {
            *q = body.get(i + k).map_or(0, |c| (c - b' ') & 0x3f);
        }
        for byte in [
            quad[0] << 2 | quad[1] >> 4,
            quad[1] << 4 | quad[2] >> 2,
            quad[2] << 6 | quad[3],
        ] {
            if produced < n {
                out.push(byte);
                produced += 1;
            }
        }
    }
    true
}

/// True when `body` may hold a block (a cheap check before [`find_blocks`]).
pub fn may_contain(body: &[u8]) -> bool {
    body.starts_with(b"begin ") || memchr::memmem::find(body, b"\nbegin ").is_some()
}

/// Finds and decodes every uuencoded block in `body`.
pub fn find_blocks(body: &[u8]) -> Vec<UuBlock> {
    let mut out = Vec::new();
    if !may_contain(body) {
        return out;
    }
    let mut it = lines(body);
    while let Some((off, line)) = it.next() {
        if out.len() >= MAX_BLOCKS {
            break;
        }
        let Some(name) = begin_line(line) else {
            continue;
        };
        let mut block = UuBlock {
            name: String::from_utf8_lossy(name).into_owned(),
            data: Vec::new(),
            offset: off,
            complete: false,
        };
        for (_, l) in it.by_ref() {
            if l == b"end" || l.starts_with(b"end ") {
                block.complete = true;
                break;
            }
            if l.is_empty() {
                continue;
            }
            if !decode_line(l, &mut block.data) {
                break;
            }
        }
        out.push(block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_blocks_in_text() {
        let body = b"Hello\r\nsee file:\r\nbegin 644 a.txt\r\n#86)C\r\n`\r\nend\r\nbye\nbegin 600 b.bin\n!80``\n`\nend\n";
        let b = find_blocks(body);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].name, "a.txt");
        assert_eq!(b[0].data, b"abc");
        assert!(b[0].complete);
        assert_eq!(b[1].name, "b.bin");
        assert_eq!(b[1].data, b"a");
    }

    #[test]
    fn not_a_block() {
        assert!(find_blocks(b"begin the day\nend\n").is_empty());
        assert!(find_blocks(b"we begin 644 x\n").is_empty());
        let t = find_blocks(b"begin 644 x\n#86)C\nnot uu at all\n");
        assert_eq!(t.len(), 1);
        assert!(!t[0].complete);
        assert_eq!(t[0].data, b"abc");
    }

    #[test]
    fn hostile_lengths_are_bounded() {
        let mut body = Vec::new();
        for _ in 0..3000 {
            body.extend_from_slice(b"begin 644 x\nM\nend\n");
        }
        assert_eq!(find_blocks(&body).len(), MAX_BLOCKS);
    }
}
