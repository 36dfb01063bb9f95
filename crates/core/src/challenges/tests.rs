//! The set format, answers and progress, lab by lab in each lab's checks.

use super::*;

#[test]
fn answers_are_read_only_as_their_form_asks() {
    let number = AnswerForm::Number {
        unit: "ms".into(),
        tolerance: 5.0,
        relative: false,
    };
    assert_eq!(number.read_text(" 12.5 "), Ok(Answer::Number(12.5)));
    assert_eq!(
        number.read_text("12 ms"),
        Err("\"12 ms\" is not a number".into())
    );
    assert_eq!(
        number.read_text("inf"),
        Err("\"inf\" is not a number".into())
    );
    assert!(number.accepts(&Answer::Choice("1".into())).is_err());
    let ints = AnswerForm::Integers;
    assert_eq!(
        ints.read_text("1, 2 3"),
        Ok(Answer::Integers(vec![1, 2, 3]))
    );
    assert_eq!(
        ints.read_text("1, x"),
        Err("\"x\" is not a whole number".into())
    );
    assert!(ints.read_text("").is_err());
    let choice = AnswerForm::Choice {
        options: vec!["a".into(), "b".into()],
    };
    assert!(choice.read_text("b").is_ok());
    assert_eq!(
        choice.read_text("c"),
        Err("\"c\" is not one of the choices: a, b".into())
    );
    let order = AnswerForm::Order {
        lines: vec!["x".into(), "y".into()],
    };
    assert!(
        order
            .accepts(&Answer::Lines(vec!["y".into(), "x".into()]))
            .is_ok()
    );
    assert!(
        order
            .accepts(&Answer::Lines(vec!["y".into(), "y".into()]))
            .is_err()
    );
    assert!(within(55.0, 60.0, 5.0, false));
    assert!(!within(54.9, 60.0, 5.0, false));
    assert!(within(3.3, 3.0, 0.1, true));
    assert!(!within(3.31, 3.0, 0.1, true));
    assert_eq!(tolerance_text(0.1, true, "x"), "±10 %");
    assert_eq!(number_text(3.333_33), "3.33");
    assert_eq!(number_text(120.0), "120");
}

fn one_set() -> ChallengeSet {
    ChallengeSet {
        format: FORMAT.into(),
        title: "Week 1".into(),
        challenges: vec![Challenge {
            lab: "models".into(),
            kind: Kind::Predict,
            title: "First".into(),
            intro: String::new(),
            hints: vec![],
            win: String::new(),
            state: serde_json::json!({}),
            check: serde_json::Value::from("first_to_finish"),
            solution: None,
        }],
    }
}

#[test]
fn a_set_says_where_its_shape_is_wrong() {
    let error = |text: &str| ChallengeSet::parse(text).unwrap_err().to_string();
    let text = one_set().to_file();
    assert!(ChallengeSet::parse(&text).is_ok());
    assert_eq!(
        error(&text.replace("\"models\"", "\"chemistry\"")),
        "6:14 challenges[0].lab: there is no lab \"chemistry\" (hint: one of models, servers, races, parallel, eventloop)"
    );
    assert_eq!(
        error(&text.replace("\"predict\"", "\"guess\"")),
        "7:15 challenges[0].kind: unknown variant `guess`, expected one of `goal`, `predict`, `target`"
    );
    assert_eq!(
        error(&text.replace(FORMAT, "interleave-challenges/3")),
        "2:13 format: \"interleave-challenges/3\" was written by a newer Interleave: reload the page to update it (hint: a set starts with \"format\": \"interleave-challenges/2\")"
    );
    let huge = "x".repeat(MAX_FILE_BYTES + 1);
    assert!(error(&huge).contains("a challenge set is at most"));
    // Its link holds the same set.
    let set = one_set();
    assert_eq!(ChallengeSet::from_link(&set.to_link()).unwrap(), set);
    assert!(ChallengeSet::from_link("v1.AAAA").is_err());
}

#[test]
fn a_record_keeps_the_first_answer_and_reads_back() {
    let wrong = Judgement {
        verdict: Verdict::NotMet,
        computed: "async, 1 thread (40 ms)".into(),
        explanation: String::new(),
        answer: None,
    };
    let mut record = Record::default();
    record.predict(Answer::Choice("x".into()), &wrong, "2026-12-07T10:00:00Z");
    let right = Judgement {
        verdict: Verdict::Met,
        ..wrong.clone()
    };
    record.predict(Answer::Choice("y".into()), &right, "later");
    assert_eq!(record.answer, Some(Answer::Choice("x".into())));
    assert!(!record.won);
    assert_eq!(Record::from_text(&record.to_text()), Some(record.clone()));
    // Every kind of answer goes through its text, lines with colons and
    // digits too.
    for answer in [
        Answer::Number(-12.5),
        Answer::Integers(vec![1, -2, 3]),
        Answer::Lines(vec!["3:x".into(), "".into(), "é, then".into()]),
        Answer::Choice("async, 4 threads".into()),
    ] {
        let record = Record {
            won: true,
            when: "t".into(),
            answer: Some(answer),
            computed: "c".into(),
        };
        assert_eq!(Record::from_text(&record.to_text()), Some(record));
    }
    // A measured figure not known yet is settled later, once.
    let unknown = Judgement {
        verdict: Verdict::Unknown,
        ..wrong.clone()
    };
    let mut measured = Record::default();
    measured.predict(Answer::Number(3.0), &unknown, "t0");
    assert_eq!(measured.computed, "");
    measured.settle(&right, "t1");
    assert!(measured.won);
    measured.settle(&wrong, "t2");
    assert!(measured.won, "settled once");
    // Damaged text is no record.
    for bad in [
        "",
        "interleave-record/1\nmaybe\n\n\n",
        "interleave-record/1\nwon\nt\nc\nl 9:ab",
        "interleave-record/1\nwon\nt\nc\nn NaN",
    ] {
        assert_eq!(Record::from_text(bad), None, "{bad:?}");
    }
    assert_eq!(Record::from_text(&"x".repeat(MAX_RECORD_BYTES + 1)), None);
}

#[test]
fn progress_is_made_from_records_and_its_file_reads_back_checked() {
    let set = one_set();
    let record = Record {
        won: false,
        when: "2026-12-07T10:00:00Z".into(),
        answer: Some(Answer::Choice("x".into())),
        computed: "async, 1 thread (40 ms)".into(),
    };
    let progress = Progress::from_records(&set, &[(0, record.clone()), (5, record)]);
    assert_eq!(
        progress.entries.len(),
        1,
        "a record past the set is left out"
    );
    assert_eq!(progress.entry(0).unwrap().title, "First");
    assert_eq!(Progress::parse(&progress.to_file()).unwrap(), progress);
    let error = |text: String| Progress::parse(&text).unwrap_err().to_string();
    assert_eq!(
        error(progress.to_file().replace("\"at\": 0", "\"at\": 7")),
        "8:13 entries[0].at: 7 is not a challenge after the entry before, below 1"
    );
    assert_eq!(
        error(progress.to_file().replace(PROGRESS_FORMAT, "x")),
        "2:13 format: this is not a progress file: format is \"x\" (hint: a progress file starts with \"format\": \"interleave-progress/1\")"
    );
    let bad = error(progress.to_file().replace("\"won\": false", "\"won\": 3"));
    assert!(bad.contains("entries[0].won: invalid type"), "{bad}");
}

mod any_text {
    use proptest::prelude::*;

    use super::super::{ChallengeSet, Progress, Record};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any text is a set, a progress file or a record, or a located
        /// error: never a panic.
        #[test]
        fn any_text_reads_or_says_why(text in "\\PC{0,400}") {
            let _ = ChallengeSet::parse(&text);
            let _ = ChallengeSet::from_link(&text);
            let _ = Progress::parse(&text);
            let _ = Record::from_text(&text);
        }

        /// Text shaped like a set, with parts changed, is read or refused.
        #[test]
        fn a_set_with_any_values_reads_or_says_why(
            title in "\\PC{0,50}",
            kind in "(goal|predict|target|x)",
            lab in "(models|races|eventloop|nowhere)",
            check in "(\"goal\"|\"order\"|\\{\\}|3|\\[\\])",
        ) {
            let text = format!(
                "{{\"format\": \"interleave-challenges/2\", \"title\": {title:?}, \"challenges\": [{{\"lab\": {lab:?}, \"kind\": {kind:?}, \"title\": \"t\", \"state\": {{}}, \"check\": {check}}}]}}"
            );
            if let Ok(set) = ChallengeSet::parse(&text) {
                let _ = crate::sets::check(&set, Some(&text));
            }
        }
    }
}
