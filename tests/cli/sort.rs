//! `emlkit sort`.

use super::pipeline_common::{archive, run_in};

fn ids(args: &[&str]) -> String {
    let (code, list, err) = run_in(args, b"");
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run_in(&["scan", "-f", "{id}", "-L", "-"], list.as_bytes());
    out.lines().collect::<Vec<_>>().join(" ")
}

#[test]
fn keys_and_reverse_are_stable() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    assert_eq!(ids(&["sort", m]), "d@x a@x a@x b@x c@x e@x");
    assert_eq!(ids(&["sort", "-R", m]), "e@x c@x b@x a@x a@x d@x");
    assert_eq!(
        ids(&["sort", "-k", "subject", m]),
        "d@x e@x a@x b@x c@x a@x"
    );
    assert_eq!(ids(&["sort", "-k", "size", m]), "e@x d@x a@x a@x c@x b@x");
    assert_eq!(ids(&["sort", "-k", "from", m]), "a@x d@x a@x b@x c@x e@x");
    assert_eq!(
        ids(&["sort", "-k", "input", "-R", m]),
        "e@x a@x d@x c@x b@x a@x"
    );
}
