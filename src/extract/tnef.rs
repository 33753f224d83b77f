//! A small, bounded reader for TNEF (`winmail.dat`, application/ms-tnef):
//! the files an Outlook message carries.
//!
//! Written here rather than taken from a crate: no maintained TNEF crate
//! could be checked from this build environment, and the part we need
//! (attachment titles, long file names and data, [MS-OXTNEF] §2.1.3) is
//! small. Every length is checked against the bytes left, the number of
//! attachments and of MAPI properties is capped, and nothing is allocated
//! beyond the input's size, so hostile input ends in an error or a shorter
//! list, never a panic.
//!
//! Not read: the message body (attBody, compressed RTF), embedded messages
//! (PR_ATTACH_DATA_OBJ) and OLE objects.

/// The TNEF signature, little-endian 0x223E9F78.
pub const SIGNATURE: [u8; 4] = [0x78, 0x9f, 0x3e, 0x22];

/// Most attachments read from one TNEF stream.
pub const MAX_ATTACHMENTS: usize = 1000;
/// Most MAPI properties read from one attribute.
const MAX_PROPS: u32 = 10_000;

const LVL_ATTACHMENT: u8 = 2;
const ATT_ATTACH_REND_DATA: u32 = 0x0006_9002;
const ATT_ATTACH_TITLE: u32 = 0x0001_8010;
const ATT_ATTACH_DATA: u32 = 0x0006_800F;
const ATT_ATTACHMENT: u32 = 0x0006_9005;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_DISPLAY_NAME: u16 = 0x3001;

/// One file carried in the TNEF stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TnefFile {
    /// attAttachTitle (often an 8.3 name).
    pub title: Option<String>,
    /// PR_ATTACH_LONG_FILENAME from the attachment's MAPI properties.
    pub long_name: Option<String>,
    /// PR_DISPLAY_NAME.
    pub display_name: Option<String>,
    /// attAttachData.
    pub data: Vec<u8>,
}

impl TnefFile {
    /// The best name: long file name, title, display name.
    pub fn name(&self) -> Option<&str> {
        self.long_name
            .as_deref()
            .or(self.title.as_deref())
            .or(self.display_name.as_deref())
            .filter(|s| !s.trim().is_empty())
    }
}

/// Why a TNEF stream could not be read to its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TnefError {
    /// No TNEF signature.
    #[error("not TNEF (no signature)")]
    NotTnef,
    /// An attribute ran past the end of the data.
    #[error("truncated TNEF attribute at offset {0}")]
    Truncated(usize),
}

struct Cur<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|s| s[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|s| u16::from_le_bytes([s[0], s[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn pad4(&mut self, n: usize) -> Option<()> {
        let p = (4 - n % 4) % 4;
        self.take(p).map(|_| ())
    }
}

/// Text of a PT_STRING8 value: UTF-8 if valid, else Windows-1252.
fn string8(b: &[u8]) -> String {
    let b = b.split(|&c| c == 0).next().unwrap_or(b);
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(b).0.into_owned(),
    }
}

fn unicode(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

/// Reads the MAPI property list of an attAttachment attribute, filling in
/// the names we use. Stops quietly at anything it cannot read.
fn read_props(b: &[u8], f: &mut TnefFile) -> Option<()> {
    let mut c = Cur { b, pos: 0 };
    let count = c.u32()?.min(MAX_PROPS);
    for _ in 0..count {
        let ptype = c.u16()?;
        let pid = c.u16()?;
        if pid >= 0x8000 {
            // Named property: GUID, kind, then an id or a name.
            c.take(16)?;
            match c.u32()? {
                0 => {
                    c.u32()?;
                }
                _ => {
                    let len = c.u32()? as usize;
                    c.take(len)?;
                    c.pad4(len)?;
                }
            }
        }
        let multi = ptype & 0x1000 != 0;
        let base = ptype & !0x1000;
        let fixed = match base {
            0x0002 | 0x0003 | 0x0004 | 0x000A | 0x000B | 0x0001 => Some(4),
            0x0005 | 0x0006 | 0x0007 | 0x0014 | 0x0040 => Some(8),
            0x0048 => Some(16),
            0x001E | 0x001F | 0x0102 | 0x000D => None,
            _ => return None, // unknown type: its size is unknown, stop
        };
        let n = if multi || fixed.is_none() {
            c.u32()?.min(MAX_PROPS)
        } else {
            1
        };
        for _ in 0..n {
            match fixed {
                Some(sz) => {
                    c.take(sz)?;
                }
                None => {
                    let len = c.u32()? as usize;
                    let v = c.take(len)?;
                    c.pad4(len)?;
                    let text = match base {
                        0x001E => Some(string8(v)),
                        0x001F => Some(unicode(v)),
                        _ => None,
                    };
                    match (pid, text) {
                        (PR_ATTACH_LONG_FILENAME, Some(t)) => f.long_name = Some(t),
                        (PR_DISPLAY_NAME, Some(t)) => f.display_name = Some(t),
                        _ => {}
                    }
                }
            }
        }
    }
    Some(())
}

/// True when `b` starts with the TNEF signature.
pub fn is_tnef(b: &[u8]) -> bool {
    b.starts_with(&SIGNATURE)
}

/// Reads the attachments of a TNEF stream. On a truncated stream, the
/// attachments read so far come with the error.
pub fn read(b: &[u8]) -> (Vec<TnefFile>, Option<TnefError>) {
    if !is_tnef(b) {
        return (Vec::new(), Some(TnefError::NotTnef));
    }
    let mut c = Cur { b, pos: 6 };
    let mut files: Vec<TnefFile> = Vec::new();
    let mut current: Option<TnefFile> = None;
    let mut err = None;
    while c.pos < b.len() {
        let at = c.pos;
        let Some((level, id, data)) = (|| {
            let level = c.u8()?;
            let id = c.u32()?;
            let len = c.u32()? as usize;
            let data = c.take(len)?;
            c.u16()?; // checksum, not verified: damaged files are still worth reading
            Some((level, id, data))
        })() else {
            err = Some(TnefError::Truncated(at));
            break;
        };
        if level != LVL_ATTACHMENT {
            continue;
        }
        match id {
            ATT_ATTACH_REND_DATA => {
                if let Some(f) = current.take() {
                    files.push(f);
                }
                if files.len() >= MAX_ATTACHMENTS {
                    break;
                }
                current = Some(TnefFile::default());
            }
            ATT_ATTACH_TITLE => {
                current.get_or_insert_with(TnefFile::default).title = Some(string8(data))
            }
            ATT_ATTACH_DATA => current.get_or_insert_with(TnefFile::default).data = data.to_vec(),
            ATT_ATTACHMENT => {
                let f = current.get_or_insert_with(TnefFile::default);
                let _ = read_props(data, f);
            }
            _ => {}
        }
    }
    if let Some(f) = current.take() {
        if files.len() < MAX_ATTACHMENTS {
            files.push(f);
        }
    }
    (files, err)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn attr(out: &mut Vec<u8>, level: u8, id: u32, data: &[u8]) {
        out.push(level);
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        let sum = data.iter().fold(0u16, |a, &b| a.wrapping_add(b as u16));
        out.extend_from_slice(&sum.to_le_bytes());
    }

    /// A TNEF stream with the given (title, long name, data) attachments.
    pub(crate) fn build(files: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&0x1234u16.to_le_bytes());
        attr(&mut out, 1, 0x0008_9006, &[0, 0, 1, 0]); // attTnefVersion-ish message attribute
        for (title, long, data) in files {
            attr(
                &mut out,
                2,
                ATT_ATTACH_REND_DATA,
                &[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0],
            );
            let mut t = title.as_bytes().to_vec();
            t.push(0);
            attr(&mut out, 2, ATT_ATTACH_TITLE, &t);
            attr(&mut out, 2, ATT_ATTACH_DATA, data);
            if let Some(l) = long {
                let mut p = Vec::new();
                p.extend_from_slice(&2u32.to_le_bytes());
                // PT_LONG 0x0E21 (attach num)
                p.extend_from_slice(&0x0003u16.to_le_bytes());
                p.extend_from_slice(&0x0E21u16.to_le_bytes());
                p.extend_from_slice(&7u32.to_le_bytes());
                // PT_UNICODE long file name
                p.extend_from_slice(&0x001Fu16.to_le_bytes());
                p.extend_from_slice(&PR_ATTACH_LONG_FILENAME.to_le_bytes());
                p.extend_from_slice(&1u32.to_le_bytes());
                let mut u: Vec<u8> = l.encode_utf16().flat_map(|x| x.to_le_bytes()).collect();
                u.extend_from_slice(&[0, 0]);
                p.extend_from_slice(&(u.len() as u32).to_le_bytes());
                let n = u.len();
                p.extend_from_slice(&u);
                p.extend(std::iter::repeat_n(0, (4 - n % 4) % 4));
                attr(&mut out, 2, ATT_ATTACHMENT, &p);
            }
        }
        out
    }

    #[test]
    fn reads_attachments_and_long_names() {
        let t = build(&[
            (
                "REPORT~1.PDF",
                Some("Quarterly report 2024.pdf"),
                b"%PDF-1.4 x",
            ),
            ("a.txt", None, b"hello"),
        ]);
        let (files, err) = read(&t);
        assert_eq!(err, None);
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].name(), Some("Quarterly report 2024.pdf"));
        assert_eq!(files[0].data, b"%PDF-1.4 x");
        assert_eq!(files[1].name(), Some("a.txt"));
        assert_eq!(files[1].data, b"hello");
    }

    #[test]
    fn truncated_and_hostile() {
        let t = build(&[("a.txt", Some("long.txt"), b"hello")]);
        for cut in 0..t.len() {
            let _ = read(&t[..cut]);
        }
        let mut bad = SIGNATURE.to_vec();
        bad.extend_from_slice(&[0, 0, 2, 0x0f, 0x80, 0x06, 0, 0xff, 0xff, 0xff, 0xff]);
        let (f, e) = read(&bad);
        assert!(f.is_empty());
        assert!(matches!(e, Some(TnefError::Truncated(6))));
        assert_eq!(read(b"nope").1, Some(TnefError::NotTnef));
    }
}
