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
