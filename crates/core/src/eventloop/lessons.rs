//! The Event loop lab's lessons: a program each, what to watch for, and
//! what it shows. Every lesson prints the same lines in Node as in the
//! lab (`crates/core/tests/eventloop_node.rs`); the frame lesson, which
//! needs a browser, is checked in Chromium by the end-to-end tests.

/// A built-in lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    /// What to watch, shown before the learner steps.
    pub intro: &'static str,
    /// What it shows, shown beside the run.
    pub takeaway: &'static str,
    pub source: &'static str,
    /// Needs a browser (`requestAnimationFrame`): Node cannot run it.
    pub browser: bool,
    /// The same idea in another lab: a label and a link.
    pub see_also: Option<(&'static str, &'static str)>,
}

pub fn find(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|lesson| lesson.id == id)
}

/// The Models lab's "Three requests that each wait on a database".
pub const MODELS_THREE_REQUESTS: &str = "#/models?s=v1.tZJNTsNADIWvMvI6SKkEm-yAK7BDXbgzphk18ZSxI4Si3B27JagSKiu6s9-zv6f5mWEsiQaBbgaJxFhz8XrAHXSr1wDjSNa_9JUoVHqfSFSC9qiBMPbhA7OGwgFDQsUdCtnSxFkd4oATycGHzMlE-eRoshoQk6VvFmtQDla-zmvco00I7UdiPeuxjMdJzdq0SzODp0L30DZQ2MZ_ot27HN268M18ugHz-d-YRjWF3_L-DLp-W1e9-wsP_1rE35tbS5-qlApd60caKCqlU3OsJOTP6eN0t_4BWJYv";

/// The Servers lab's "CPU-heavy requests".
pub const SERVERS_CPU_HEAVY: &str = "#/servers?s=v1.dVHNboMwDH4VlDOboFs7ieteYJedpgmZYGhUEjMnsFUV7z4bNNTLcnJsfz-2byYiz8jRVDcTLQZgRxoP0JhqL-YmgEdJvL69P5wR5mvG-DVhTFrz1OIgRZwxJGwls-GUZ2SyGCOKwHNu0pkRWonLU256J6AOhoi5oa4bCFpTFblpYIBgFW6YptDWTI0LwmqJV55FiBi6zllVAGY3g-qP5GIk7WRI4valeBS63WhVHotCvYnFqhSdiWMy1bEQPu9-TPVx-xuTMbTIGWQj9Ch83-j6s_SWSmjHqfZC97TSO1o_Ei_5jm8hQQMRMx33P_zhDn5Q_KfObi8D9dJZHHRfziNNaW0pC3kK8eiJr3fLrb3c6rTWtgWviU2LQkCbHIX6ormTyMi4oywSxY962e5pluUX";

pub const LESSONS: [Lesson; 13] = [
    Lesson {
        id: "timeout-vs-then",
        title: "setTimeout(0) or then: which runs first?",
        intro: "A timer of 0 ms and a promise that is already fulfilled. Guess the order of the four lines, then step through and watch the two queues.",
        takeaway: "The `then` callback is a microtask: it runs as soon as the script is done, before the event loop takes any task. The timer callback is a task: it waits for its turn (at least 1 ms in Node).",
        source: include_str!("../../lessons/eventloop/timeout-vs-then.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "async-runs-until-await",
        title: "An async function runs at once, up to its first await",
        intro: "Calling `load()` starts its body right away. Watch the call stack when `load` is called, and when it comes back.",
        takeaway: "An async function is not run later: its body runs synchronously until the first `await`. There it suspends; the caller gets a pending promise, and the rest of the body becomes a microtask when the awaited value settles.",
        source: include_str!("../../lessons/eventloop/async-runs-until-await.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "await-settled-still-yields",
        title: "await yields even for a value that is already there",
        intro: "Both functions await something already settled. Will `A2` print before `B1`?",
        takeaway: "`await` always suspends the function, even for a fulfilled promise or a plain value: the continuation is a microtask. So `B1` and the last line of the script run before `A2`.",
        source: include_str!("../../lessons/eventloop/await-settled-still-yields.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "return-await-ticks",
        title: "return promise or return await promise",
        intro: "Two async functions return the same value, one with `await`. Count the microtask turns (the ticks) before each `then` runs.",
        takeaway: "Returning a promise from an async function resolves its own promise with another promise: that takes two extra microtask turns (a job to call `then`, then the reaction). `return await` unwraps it first.",
        source: include_str!("../../lessons/eventloop/return-await-ticks.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "sequential-vs-all",
        title: "Three awaits in a row, or Promise.all",
        intro: "Three independent requests of 100 ms each. Watch the I/O queue: how many requests are in flight at once in each half?",
        takeaway: "`await` in a row starts each request only after the one before finished: 300 ms. `Promise.all` starts all three first and waits once: 100 ms. The event loop overlaps waits; it cannot overlap what you ask for one at a time.",
        source: include_str!("../../lessons/eventloop/sequential-vs-all.js"),
        browser: false,
        see_also: Some((
            "The same three requests in the Models lab (synchronous and asynchronous)",
            MODELS_THREE_REQUESTS,
        )),
    },
    Lesson {
        id: "long-task-blocks",
        title: "A long task blocks timers and frames",
        intro: "The timer is due at 10 ms. The script computes for 200 ms. Watch the timeline's frames and when the timer runs.",
        takeaway: "JavaScript runs one job at a time to completion: while the work holds the call stack, the due timer waits and every frame is missed (the page would freeze). Nothing can interrupt a running job.",
        source: include_str!("../../lessons/eventloop/long-task-blocks.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "chunked-work",
        title: "The same work in pieces",
        intro: "The same 200 ms of work, in 10 pieces of 20 ms, each piece scheduling the next with setTimeout. Where does the timer run now?",
        takeaway: "Between two tasks the event loop takes other work: the due timer runs after the first piece, and frames get drawn between pieces. Chunking long work keeps a page responsive; it does not make the work faster.",
        source: include_str!("../../lessons/eventloop/chunked-work.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "microtask-starvation",
        title: "Microtasks that keep coming starve the timers",
        intro: "Each microtask queues another, 500 times. The timer was due after 1 ms. When does it run?",
        takeaway: "The microtask queue is drained completely, new microtasks included, before the event loop moves on. A chain that never ends would starve every timer and frame forever (this one stops at 500).",
        source: include_str!("../../lessons/eventloop/microtask-starvation.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "where-catch-must-be",
        title: "Where a catch must be to catch",
        intro: "A try/catch around a call that fails later, and two ways to catch an async failure. Which catch blocks run?",
        takeaway: "A try block catches only what is thrown while it runs. A failure in a timer callback or after an `await` happens in another job: catch it there, with `await` inside a try (which rethrows the rejection where you await), or with `.catch`.",
        source: include_str!("../../lessons/eventloop/where-catch-must-be.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "race-as-timeout",
        title: "Promise.race as a timeout",
        intro: "Two services, with a limit of 100 ms each. One answers in 40 ms, the other in 300 ms.",
        takeaway: "`Promise.race` settles with whichever promise settles first: a timer that rejects becomes a timeout. The slow answer still arrives later; nobody listens to it any more.",
        source: include_str!("../../lessons/eventloop/race-as-timeout.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "evented-server",
        title: "An evented server whose handler computes",
        intro: "Four requests each wait 50 ms for the database; request 3 then computes for 80 ms. Watch request 4.",
        takeaway: "One thread overlaps every wait, so requests 1 and 2 are answered as soon as their queries return. But CPU work holds the only thread: request 4's answer is ready and still waits for request 3's 80 ms.",
        source: include_str!("../../lessons/eventloop/evented-server.js"),
        browser: false,
        see_also: Some((
            "CPU-heavy requests on the four server models, in the Servers lab",
            SERVERS_CPU_HEAVY,
        )),
    },
    Lesson {
        id: "interval-drift",
        title: "setInterval behind a long task",
        intro: "A tick every 50 ms; the second tick computes for 120 ms. When do the next ticks run?",
        takeaway: "A timer never interrupts a running job: the third tick waits until the work ends. Node then counts the next interval from when that late tick started, so every later tick is late too: the schedule drifts.",
        source: include_str!("../../lessons/eventloop/interval-drift.js"),
        browser: false,
        see_also: None,
    },
    Lesson {
        id: "frames-and-raf",
        title: "requestAnimationFrame and the frames",
        intro: "A browser draws a frame every 16.7 ms (60 Hz) when the thread is free. Frame callbacks run just before a frame; timers whenever they are due. (Needs a browser: Node has no frames.)",
        takeaway: "A frame callback runs once, at the next frame after it was asked for, not on a timer of its own. A timer due at 40 ms runs between frames; the callback it asks for waits for the frame after it.",
        source: include_str!("../../lessons/eventloop/frames-and-raf.js"),
        browser: true,
        see_also: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventloop::record::Ending;
    use crate::eventloop::{Limits, run_source};

    #[test]
    fn every_lesson_runs_to_its_end_within_the_limits() {
        for lesson in &LESSONS {
            let run = run_source(lesson.source, Limits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", lesson.id));
            assert_eq!(run.ending, Ending::Finished, "{}", lesson.id);
            assert!(!run.console.is_empty(), "{} prints nothing", lesson.id);
        }
    }

    #[test]
    fn the_links_to_other_labs_open_their_presets() {
        use crate::models::lab::{ModelsLab, presets::PRESETS as MODELS};
        use crate::servers::lab::ServersLab;
        use crate::servers::presets::PRESETS as SERVERS;
        let three = MODELS
            .iter()
            .find(|p| p.id == "three-requests")
            .expect("a Models preset");
        assert_eq!(
            MODELS_THREE_REQUESTS,
            crate::share::link_to(&ModelsLab::from_preset(three))
        );
        let cpu = SERVERS
            .iter()
            .find(|p| p.id == "cpu-heavy")
            .expect("a Servers preset");
        assert_eq!(
            SERVERS_CPU_HEAVY,
            crate::share::link_to(&ServersLab::from_preset(cpu))
        );
    }

    #[test]
    fn lesson_ids_are_unique_and_sources_fit() {
        for (i, lesson) in LESSONS.iter().enumerate() {
            assert!(
                LESSONS[i + 1..].iter().all(|other| other.id != lesson.id),
                "{}",
                lesson.id
            );
            assert!(lesson.source.len() < crate::eventloop::syntax::MAX_SOURCE_BYTES);
        }
    }
}
