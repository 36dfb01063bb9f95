//! The words and figures the labs show, explained once: every lab that
//! shows a percentile, a makespan or a speedup explains it in the same
//! words, where it appears.

/// A word the page shows, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub word: &'static str,
    pub meaning: &'static str,
}

pub const PERCENTILES: Term = Term {
    word: "p50, p95, p99",
    meaning: "Latency percentiles: half of the answers came within the p50, 95 % within the p95 and 99 % within the p99. The p99 is what the slowest 1 % of users wait at least.",
};

pub const MEAN_LATENCY: Term = Term {
    word: "mean latency",
    meaning: "The average time from a task's (or request's) arrival to its end.",
};

pub const MAKESPAN: Term = Term {
    word: "makespan",
    meaning: "The time from the start to the end of the last task: how long the whole workload took.",
};

pub const CPU_UTILISATION: Term = Term {
    word: "CPU utilisation",
    meaning: "The share of the cores' time spent computing over the whole run: 100 % is every core busy from the start to the end, so waiting on I/O lowers it.",
};

pub const CAPACITY: Term = Term {
    word: "capacity",
    meaning: "The most requests per second the server can answer for long, set by its bottleneck: the cores, the workers, the lock or the event loop. Offered more, its backlog grows.",
};

pub const THROUGHPUT: Term = Term {
    word: "throughput",
    meaning: "Answers that came within the client's timeout, per second of the run.",
};

pub const ANSWERED: Term = Term {
    word: "answered in time",
    meaning: "Requests answered before the client's timeout.",
};

pub const LATE: Term = Term {
    word: "late",
    meaning: "Requests answered after the client's timeout: the server did the work, but the client had already given up.",
};

pub const DROPPED: Term = Term {
    word: "dropped",
    meaning: "Requests that waited past the timeout and were dropped unanswered when a worker reached them.",
};

pub const REFUSED: Term = Term {
    word: "refused (503)",
    meaning: "Requests turned away at once because the backlog was full. Answered, late, dropped and refused add up to the requests offered.",
};

pub const CORES_BUSY: Term = Term {
    word: "cores busy",
    meaning: "The share of the run the cores spent computing, on average.",
};

pub const PEAK_MEMORY: Term = Term {
    word: "peak memory",
    meaning: "The most memory held at once: processes, thread stacks and the requests' connections.",
};

pub const LITTLES_LAW: Term = Term {
    word: "Little's law",
    meaning: "In any system that keeps up, the average number of requests inside (L) is the arrival rate (λ) times the average time inside (W): L = λW. Two separate tallies of the run agree.",
};

pub const SPEEDUP: Term = Term {
    word: "speedup",
    meaning: "The one-worker time divided by this time: 2× is twice as fast as one worker.",
};

pub const EFFICIENCY: Term = Term {
    word: "efficiency",
    meaning: "The speedup per worker: 100 % is the ideal, every worker fully used.",
};

pub const AMDAHL: Term = Term {
    word: "Amdahl",
    meaning: "The most speedup Amdahl's law allows on this many workers when a part s of the work is serial: 1 / (s + (1 − s) / n).",
};

pub const CHECKSUM: Term = Term {
    word: "checksum",
    meaning: "A fingerprint of the result: the same on every worker count, or the parallel run computed something else.",
};

pub const ALL_LOOPS_AT_ONCE: Term = Term {
    word: "all loops at once",
    meaning: "How long every worker was inside its loop at the same time. Increments can be lost only then: a worker that runs alone loses nothing.",
};

pub const LOST: Term = Term {
    word: "lost",
    meaning: "Increments overwritten: a worker read the counter, another wrote it, and the first wrote back its stale value plus one.",
};

pub const CALL_STACK: Term = Term {
    word: "call stack",
    meaning: "The functions running now, the one that called each below it. JavaScript runs one job at a time: while the stack is not empty, nothing else runs.",
};

pub const TASK: Term = Term {
    word: "task",
    meaning: "A job the event loop takes when the stack is empty: the script, a timer's callback, an I/O callback. After each task, every microtask runs.",
};

pub const MICROTASK: Term = Term {
    word: "microtask",
    meaning: "A job that runs as soon as the stack is empty, before the next task or frame: promise callbacks, the rest of an async function after await, queueMicrotask.",
};

pub const FRAME: Term = Term {
    word: "frame",
    meaning: "A browser draws the page about every 16.7 ms (60 Hz) when the thread is free; requestAnimationFrame callbacks run just before. A frame falls while a job runs is missed: the page freezes.",
};

pub const VIRTUAL_TIME: Term = Term {
    word: "virtual time",
    meaning: "The lab's clock: a statement takes 1 µs, work(ms) takes ms, io(name, ms) completes after ms. Real engines are faster; the order is what matters, and it is the same.",
};

/// Every term, for the tests.
pub const TERMS: [Term; 24] = [
    PERCENTILES,
    MEAN_LATENCY,
    MAKESPAN,
    CPU_UTILISATION,
    CAPACITY,
    THROUGHPUT,
    ANSWERED,
    LATE,
    DROPPED,
    REFUSED,
    CORES_BUSY,
    PEAK_MEMORY,
    LITTLES_LAW,
    SPEEDUP,
    EFFICIENCY,
    AMDAHL,
    CHECKSUM,
    ALL_LOOPS_AT_ONCE,
    LOST,
    CALL_STACK,
    TASK,
    MICROTASK,
    FRAME,
    VIRTUAL_TIME,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_explained_in_sentences_and_named_once() {
        let mut words: Vec<&str> = TERMS.iter().map(|term| term.word).collect();
        for term in TERMS {
            assert!(term.meaning.ends_with('.'), "{}", term.word);
            assert!(term.meaning.len() > 30, "{}", term.word);
        }
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), TERMS.len());
    }
}
