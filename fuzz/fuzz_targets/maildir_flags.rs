#![no_main]
//! Maildir file-name flag parsing.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = String::from_utf8_lossy(data);
    if let Some(f) = emlkit::source::maildir::parse_flags(&name) {
        assert!(f.chars().all(|c| c.is_ascii_uppercase()));
    }
    let k = emlkit::source::maildir::parse_keyword_letters(&name);
    assert!(k.iter().all(u8::is_ascii_lowercase));
});
