//! `emlkit thread`.

use super::pipeline_common::{archive, run_in};

#[test]
fn threads_with_depth_and_placeholders() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let (code, list, _) = run_in(&["thread", m], b"");
    assert_eq!(code, 0);
    // The list is indented by depth; scan reads it back.
    let depth: Vec<usize> = list
        .lines()
        .map(|l| l.len() - l.trim_start().len())
        .collect();
    assert_eq!(depth, vec![1, 1, 0, 1, 2, 0]);
    let (_, out, _) = run_in(&["scan", "-f", "{id}", "-L", "-"], list.as_bytes());
    assert_eq!(out, "d@x\ne@x\na@x\nb@x\nc@x\na@x\n");
}

#[test]
fn json_has_thread_id_parent_and_depth() {
    let (_d, mbox) = archive();
    let (_, out, _) = run_in(&["thread", "--json", mbox.to_str().unwrap()], b"");
    let recs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 7);
    assert_eq!(recs[0]["placeholder"], true);
    assert_eq!(recs[0]["message_id"], "missing@x");
    assert_eq!(recs[1]["thread"]["parent"], "missing@x");
    let c = recs.iter().find(|r| r["message_id"] == "c@x").unwrap();
    assert_eq!(c["thread"]["id"], "a@x");
    assert_eq!(c["thread"]["parent"], "b@x");
    assert_eq!(c["thread"]["depth"], 2);
}

#[test]
fn subjects_join_threads_only_when_asked() {
    let (_d, mbox) = archive();
    let m = mbox.to_str().unwrap();
    let (_, list, _) = run_in(&["thread", "--subjects", m], b"");
    let depth: Vec<usize> = list
        .lines()
        .map(|l| l.len() - l.trim_start().len())
        .collect();
    // The duplicate "Plans" joins the first "Plans" thread.
    assert_eq!(depth, vec![1, 1, 0, 1, 2, 1]);
}

#[test]
fn gmail_thread_ids_keep_a_takeout_thread_together() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("takeout.mbox");
    let msg = |id: &str, thrid: &str, day: u32, subject: &str| {
        format!(
            "From 1234@xxx Mon Jan  1 00:00:00 2024\nX-GM-THRID: {thrid}\nX-Gmail-Labels: Inbox\nMessage-ID: <{id}>\nSubject: {subject}\nDate: Mon, {day} Jan 2024 00:00:00 +0000\n\nx\n\n"
        )
    };
    // Gmail threads by subject and time even without References.
    let data = [
        msg("1@x", "777", 1, "Lunch"),
        msg("2@x", "888", 2, "Other"),
        msg("3@x", "777", 3, "Re: Lunch"),
    ]
    .concat();
    std::fs::write(&p, data).unwrap();
    let (_, out, _) = run_in(&["thread", "--json", p.to_str().unwrap()], b"");
    let recs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = recs
        .iter()
        .map(|r| r["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["1@x", "3@x", "2@x"]);
    assert_eq!(recs[0]["thread"]["id"], "777");
    assert_eq!(recs[1]["thread"]["id"], "777");
    assert_eq!(recs[2]["thread"]["id"], "888");
}
