#![no_main]
//! `build --spec`: arbitrary JSON specs either fail cleanly or give a
//! message that parses.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let ctx = emlkit::build::spec::SpecContext {
        base_dir: std::path::PathBuf::from("/nonexistent"),
        allow_files: false,
        now: 1_800_000_000,
        lf: false,
    };
    if let Ok(draft) = emlkit::build::spec::from_json(&v, &ctx) {
        if let Ok(bytes) = emlkit::build::compose::write(&draft, emlkit::build::WriteOptions { lf: false }) {
            assert!(emlkit::model::parse(&bytes, 0, emlkit::model::Scope::Full).is_ok());
        }
    }
});
