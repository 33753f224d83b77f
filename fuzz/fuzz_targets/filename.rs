#![no_main]
//! The attachment file-name policy: whatever the name, the result is one
//! safe path component.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    if let Some(n) = emlkit::extract::name::safe_name(&raw) {
        assert!(!n.is_empty());
        assert!(!n.contains('/') && !n.contains('\\') && !n.contains('\0'));
        assert!(n != "." && n != "..");
        assert!(!n.starts_with('-'));
        assert!(!n.chars().any(emlkit::extract::name::is_removed_char));
        assert!(!emlkit::extract::name::is_reserved(&n));
    }
});
