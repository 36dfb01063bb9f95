//! The Races lab's built-in lessons: a program each, with a goal where
//! there is a bug to find, a short introduction and what it teaches.

/// A built-in lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    /// The idea it teaches; lessons of one idea are listed together.
    pub idea: &'static str,
    /// What to do, shown before the learner starts.
    pub intro: &'static str,
    /// What it shows, shown beside the explorer's answer.
    pub takeaway: &'static str,
    pub source: &'static str,
}

pub fn find(id: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|lesson| lesson.id == id)
}

/// The lessons grouped by the idea they teach, in the order of
/// [`LESSONS`] (where each idea's lessons are next to each other).
pub fn by_idea() -> Vec<(&'static str, Vec<&'static Lesson>)> {
    let mut groups: Vec<(&'static str, Vec<&'static Lesson>)> = Vec::new();
    for lesson in &LESSONS {
        match groups.last_mut() {
            Some((idea, lessons)) if *idea == lesson.idea => lessons.push(lesson),
            _ => groups.push((lesson.idea, vec![lesson])),
        }
    }
    groups
}

pub const LESSONS: [Lesson; 26] = [
    Lesson {
        id: "lost-update",
        title: "Lost update on a counter",
        idea: "Lost updates",
        intro: "Two threads each add 1 to a shared counter. Expand the steps: `x = x + 1` is a read, an add and a write. Step A and B so that both read x before either writes it.",
        takeaway: "The result depends on the order of the steps: a race condition. When both read 0, both write 1, and one update is lost.",
        source: include_str!("../../lessons/lost-update.race"),
    },
    Lesson {
        id: "counter-mutex",
        title: "The counter with a mutex",
        idea: "Lost updates",
        intro: "The same counter, with the increment between lock(m) and unlock(m). Try to make the threads lose an update, then ask the explorer.",
        takeaway: "The lock makes read-add-write indivisible for everyone who takes it: every interleaving ends with x = 2. The other thread waits (hatched on the timeline).",
        source: include_str!("../../lessons/counter-mutex.race"),
    },
    Lesson {
        id: "cas-counter",
        title: "A lock-free counter",
        idea: "Lost updates",
        intro: "No lock: each thread reads x, then compare_and_swap writes old + 1 only if x still holds old, in one step; if not, the thread reads again. Try to lose an update, then explore.",
        takeaway: "A compare-and-swap fails when another thread wrote in between, and the loop retries with the new value: no update is lost, and nobody ever waits for a lock.",
        source: include_str!("../../lessons/cas-counter.race"),
    },
    Lesson {
        id: "list-removal",
        title: "Removing adjacent list nodes",
        idea: "Shared data structures",
        intro: "A removes 2 and B removes 3 from the list 1 → 2 → 3 → 4 (behind a sentinel 0). Let both find their node before either relinks: both read prev.next first.",
        takeaway: "A relinks 1 → 3 while B relinks 2 → 4, but node 2 is already out of the list: node 3 stays reachable although B's removal \"succeeded\".",
        source: include_str!("../../lessons/list-removal.race"),
    },
    Lesson {
        id: "list-removal-mutex",
        title: "List removal with a mutex",
        idea: "Shared data structures",
        intro: "The same removals, each under one list lock. Try the schedule that broke the list before, then explore.",
        takeaway: "With the lock, a removal's reads and its write happen with no other removal in between: every interleaving ends with [0, 1, 4].",
        source: include_str!("../../lessons/list-removal-mutex.race"),
    },
    Lesson {
        id: "critical-section",
        title: "A home-made lock",
        idea: "Mutual exclusion",
        intro: "Each thread waits until busy is 0, sets it to 1, and enters the critical section. Get both threads inside at once.",
        takeaway: "Checking the flag and setting it are two steps, so both threads can see 0 before either sets 1. A lock must test and set in one indivisible step.",
        source: include_str!("../../lessons/critical-section.race"),
    },
    Lesson {
        id: "critical-section-mutex",
        title: "A real lock",
        idea: "Mutual exclusion",
        intro: "The flag replaced by a mutex. Try to put both threads in the critical section.",
        takeaway: "lock(m) tests and takes in one step: no interleaving puts two threads inside, which is mutual exclusion.",
        source: include_str!("../../lessons/critical-section-mutex.race"),
    },
    Lesson {
        id: "spinlock-tas",
        title: "A spin lock from test-and-set",
        idea: "Mutual exclusion",
        intro: "The flag lock again, but test_and_set raises the flag and says whether it was already up, in one step. Try to put both threads inside.",
        takeaway: "Testing and setting in one indivisible step is all a lock needs: no interleaving puts two threads inside. The waiting thread spins, using the CPU while it waits.",
        source: include_str!("../../lessons/spinlock-tas.race"),
    },
    Lesson {
        id: "deadlock",
        title: "Deadlock: two locks, opposite orders",
        idea: "Deadlock",
        intro: "A takes a then b; B takes b then a (a transfer between two accounts, both ways). Reach the state where each holds one lock and waits for the other.",
        takeaway: "Each thread holds what the other needs and waits forever: a deadlock. Any program that can take two locks in opposite orders can deadlock.",
        source: include_str!("../../lessons/deadlock.race"),
    },
    Lesson {
        id: "deadlock-ordered",
        title: "Fix: one global lock order",
        idea: "Deadlock",
        intro: "Both threads now take a before b. Try to deadlock them.",
        takeaway: "With one order for all locks, whoever holds a can always get b: no cycle of waiting, so no deadlock.",
        source: include_str!("../../lessons/deadlock-ordered.race"),
    },
    Lesson {
        id: "deadlock-lock-all",
        title: "Fix: reserve everything up front",
        idea: "Deadlock",
        intro: "Each thread reserves both locks at once with lock_all before it starts. Try to deadlock them.",
        takeaway: "A thread that gets every resource it needs in one step never holds one while waiting for another: no deadlock.",
        source: include_str!("../../lessons/deadlock-lock-all.race"),
    },
    Lesson {
        id: "philosophers",
        title: "Dining philosophers",
        idea: "Dining philosophers",
        intro: "Three philosophers share three forks; each takes the fork on the left, then the one on the right. Get every philosopher holding one fork and waiting for the next.",
        takeaway: "When each holds a left fork, each waits for a fork its neighbour holds: a cycle of waiting around the table, so a deadlock.",
        source: include_str!("../../lessons/philosophers.race"),
    },
    Lesson {
        id: "philosophers-ordered",
        title: "Fix: number the forks",
        idea: "Dining philosophers",
        intro: "P2 now takes its lower-numbered fork (f0) first, like the others. Try to deadlock the table.",
        takeaway: "With one order for all forks, the cycle of waiting cannot close: someone can always get both forks and eat.",
        source: include_str!("../../lessons/philosophers-ordered.race"),
    },
    Lesson {
        id: "philosophers-lock-all",
        title: "Fix: both forks at once",
        idea: "Dining philosophers",
        intro: "Each philosopher takes both forks in one step with lock_all. Try to deadlock the table.",
        takeaway: "A philosopher never holds one fork while waiting for the other, so no cycle of waiting can form.",
        source: include_str!("../../lessons/philosophers-lock-all.race"),
    },
    Lesson {
        id: "bounded-buffer-if",
        title: "Bounded buffer: if instead of while",
        idea: "Condition variables",
        intro: "A producer and a consumer share two slots. Each waits with if, and this program allows spurious wake-ups. Make the consumer take from an empty buffer: let it wait, then wake it without a notify.",
        takeaway: "After a wake-up the condition may no longer hold: a spurious wake-up, or another thread that took the mutex first (Mesa semantics). A thread that waits with if goes on anyway.",
        source: include_str!("../../lessons/bounded-buffer-if.race"),
    },
    Lesson {
        id: "bounded-buffer-while",
        title: "Bounded buffer: wait in a while loop",
        idea: "Condition variables",
        intro: "The same buffer, each wait in a while loop. Try the schedule that broke it, then explore.",
        takeaway: "Checking the condition again after every wake-up makes any wake-up safe: every interleaving delivers 1, 2 and 3.",
        source: include_str!("../../lessons/bounded-buffer-while.race"),
    },
    Lesson {
        id: "phases-no-barrier",
        title: "Two phases without a barrier",
        idea: "Barriers",
        intro: "Each thread writes its part, then adds up both parts. Let one thread add before the other has written.",
        takeaway: "A thread can start phase 2 while another is still in phase 1, and reads a part that is not there yet.",
        source: include_str!("../../lessons/phases-no-barrier.race"),
    },
    Lesson {
        id: "phases-barrier",
        title: "Two phases with a barrier",
        idea: "Barriers",
        intro: "A barrier for 2 between the phases. Try to make a thread add up too early.",
        takeaway: "No thread passes the barrier before both have arrived, so every part is written before anyone adds: the sums are always 7.",
        source: include_str!("../../lessons/phases-barrier.race"),
    },
    Lesson {
        id: "spinlock-starve",
        title: "Starvation at a spin lock",
        idea: "Starvation and livelock",
        intro: "Both threads take the test-and-set lock again and again; a progress line marks getting in. Ask the explorer whether one can spin for ever while the other keeps getting in.",
        takeaway: "Every step of the waiting thread is a failed test-and-set, at just the wrong moments: it is never stopped, yet never gets in. Mutual exclusion alone does not promise fairness.",
        source: include_str!("../../lessons/spinlock-starve.race"),
    },
    Lesson {
        id: "peterson-fair",
        title: "Peterson's algorithm is fair",
        idea: "Starvation and livelock",
        intro: "Peterson's lock, each thread entering again and again. Look for a schedule where one thread waits for ever while the other keeps entering.",
        takeaway: "Whoever arrives second gives the turn away, so a waiting thread gets in the next time round: no starvation, and no livelock.",
        source: include_str!("../../lessons/peterson-fair.race"),
    },
    Lesson {
        id: "readers-writer-starve",
        title: "A writer that starves",
        idea: "Starvation and livelock",
        intro: "Two readers read again and again through a reader-writer lock; a writer wants in once. Let the readers overlap so that the lock is never free.",
        takeaway: "While one reader still reads, the next one gets in, so the lock is never free for the writer: it waits for ever. Fair locks queue a writer ahead of readers who arrive after it.",
        source: include_str!("../../lessons/readers-writer-starve.race"),
    },
    Lesson {
        id: "polite-livelock",
        title: "Two polite threads livelock",
        idea: "Starvation and livelock",
        intro: "Each thread says it wants in, and backs off while the other wants in too. Make them back off for each other for ever.",
        takeaway: "Both keep running and neither gets in: a livelock. Unlike a deadlock nobody is blocked, which makes it harder to see; random back-off or a turn breaks the symmetry.",
        source: include_str!("../../lessons/polite-livelock.race"),
    },
    Lesson {
        id: "file-append",
        title: "Two processes append to one file",
        idea: "Files shared by processes",
        intro: "P1 and P2 append a line each to a log. An append without O_APPEND is two steps: find the end, then write there. Make one line overwrite the other.",
        takeaway: "Both found the same end of file, so the second write landed on the first: a line is lost. Files are shared state too.",
        source: include_str!("../../lessons/file-append.race"),
    },
    Lesson {
        id: "file-append-flock",
        title: "Appending under a file lock",
        idea: "Files shared by processes",
        intro: "Each process takes an exclusive flock before its append and releases it after. Try to lose a line.",
        takeaway: "The exclusive lock makes find-the-end-and-write indivisible among processes that take it (flock is advisory: one that skips it is not stopped).",
        source: include_str!("../../lessons/file-append-flock.race"),
    },
    Lesson {
        id: "check-then-act",
        title: "Check-then-act on a file",
        idea: "Files shared by processes",
        intro: "Each process claims a config file if it is still empty. Let both check before either writes.",
        takeaway: "The check was true when made and false when acted on: both processes claim the file. The check and the act must be one indivisible step, e.g. under one exclusive flock.",
        source: include_str!("../../lessons/check-then-act.race"),
    },
    Lesson {
        id: "check-then-act-flock",
        title: "Check-then-act under a file lock",
        idea: "Files shared by processes",
        intro: "Each process now takes an exclusive flock before the check and releases it after the claim. Try to make both claim the file.",
        takeaway: "Under one exclusive lock the check and the act are one indivisible step for processes that take it: exactly one claims the file.",
        source: include_str!("../../lessons/check-then-act-flock.race"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_is_listed_once_under_its_idea_and_each_idea_once() {
        let groups = by_idea();
        let listed: Vec<&str> = groups
            .iter()
            .flat_map(|(_, lessons)| lessons.iter().map(|lesson| lesson.id))
            .collect();
        let all: Vec<&str> = LESSONS.iter().map(|lesson| lesson.id).collect();
        assert_eq!(listed, all);
        let mut ideas: Vec<&str> = groups.iter().map(|(idea, _)| *idea).collect();
        let count = ideas.len();
        ideas.sort_unstable();
        ideas.dedup();
        assert_eq!(
            ideas.len(),
            count,
            "an idea's lessons are split: {groups:?}"
        );
        assert_eq!(
            groups
                .iter()
                .map(|(idea, lessons)| (*idea, lessons.len()))
                .collect::<Vec<_>>(),
            [
                ("Lost updates", 3),
                ("Shared data structures", 2),
                ("Mutual exclusion", 3),
                ("Deadlock", 3),
                ("Dining philosophers", 3),
                ("Condition variables", 2),
                ("Barriers", 2),
                ("Starvation and livelock", 4),
                ("Files shared by processes", 4),
            ]
        );
    }
}
