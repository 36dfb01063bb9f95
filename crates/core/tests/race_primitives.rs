//! The Races lab's synchronisation primitives (atomics, semaphores,
//! condition variables, reader-writer locks, barriers, shared arrays)
//! against what theory says of them, checked over every interleaving.

use std::collections::BTreeSet;
use std::rc::Rc;

use interleave_core::races::compile_source;
use interleave_core::races::explore::{Explorer, Options, Report, Verdict};
use interleave_core::races::machine::{Phase, Readiness, State};
use interleave_core::races::program::Value;
use interleave_core::races::schedule::{self, replay};
use interleave_core::trace::SpanKind;
use proptest::prelude::*;

fn explore_with(text: &str, options: Options) -> Report {
    let program = Rc::new(compile_source(text).unwrap_or_else(|err| panic!("{err}\n{text}")));
    let start = State::initial(&program);
    Explorer::new(program, start, options).run_to_end()
}

/// With reduction, as the page and the CLI run it.
fn explore(text: &str) -> Report {
    explore_with(text, Options::default())
}

fn finals(report: &Report, name: &str) -> BTreeSet<String> {
    report
        .reached()
        .map(|o| o.shared[name].to_string())
        .collect()
}

fn verdict(text: &str) -> Verdict {
    let report = explore(text);
    assert!(report.complete, "{text}");
    report.goal_reachable.expect("the program has a goal")
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| item.to_string()).collect()
}

// ------------------------------------------------------------- atomics

#[test]
fn fetch_add_never_loses_an_increment_and_plain_increments_do() {
    let atomic = "shared x = 0\nthread A { fetch_add(x, 1); fetch_add(x, 1) }\n\
                  thread B { fetch_add(x, 1); fetch_add(x, 1) }\n";
    let report = explore(atomic);
    assert_eq!(finals(&report, "x"), set(&["4"]));
    assert_eq!(report.failing, 0);
    let plain = atomic.replace("fetch_add(x, 1)", "x = x + 1");
    assert_eq!(finals(&explore(&plain), "x"), set(&["2", "3", "4"]));
}

#[test]
fn atomics_give_the_value_before() {
    let text = "shared x = 5\nthread A {\n  a = fetch_add(x, 2)\n  b = exchange(x, 1)\n  \
                c = test_and_set(x)\n  d = compare_and_swap(x, 1, 9)\n  e = compare_and_swap(x, 1, 3)\n}\n";
    let program = compile_source(text).unwrap();
    let run = replay(&program, &[0; 5]).unwrap();
    let last = run.last();
    let local = |name: &str| {
        let slot = program.threads[0]
            .slots
            .iter()
            .position(|slot| slot.name == name)
            .unwrap();
        last.threads[0].locals[slot].clone()
    };
    assert_eq!(
        ["a", "b", "c", "d", "e"].map(local),
        [5, 7, 1, 1, 0].map(Value::Int)
    );
    assert_eq!(last.world.shared, vec![Value::Int(9)]);
    assert_eq!(run.steps.len(), 5, "each atomic is one step");
    assert_eq!(
        run.steps[4].narration,
        "A compares and swaps x: it holds 9, not the value expected, so nothing is written. e = 0. A has finished."
    );
    assert_eq!(
        run.steps[0].narration,
        "A adds to x: 5 → 7, in one step. a = 5."
    );
}

const CAS_COUNTER: &str = "shared x = 0
thread A {
  done = 0
  while !done {
    old = x
    done = compare_and_swap(x, old, old + 1)
  }
}
thread B {
  done = 0
  while !done {
    old = x
    done = compare_and_swap(x, old, old + 1)
  }
}
after { assert(x == 2) }
goal assert
";

#[test]
fn a_compare_and_swap_retry_loop_never_loses_an_increment() {
    let report = explore(CAS_COUNTER);
    assert!(report.complete);
    assert_eq!(report.goal_reachable, Some(Verdict::Unreachable));
    assert_eq!(finals(&report, "x"), set(&["2"]));
    assert!(report.outcomes.iter().all(|o| !o.outcome.lost_update));
    // The same loop with a plain write instead loses one.
    let broken = CAS_COUNTER.replace(
        "done = compare_and_swap(x, old, old + 1)",
        "x = old + 1\n    done = 1",
    );
    assert_eq!(verdict(&broken), Verdict::Reached);
}

const TAS_SPINLOCK: &str = "shared busy = 0
thread A {
  while test_and_set(busy) == 1 { }
  critical { }
  busy = 0
}
thread B {
  while test_and_set(busy) == 1 { }
  critical { }
  busy = 0
}
goal critical
";

#[test]
fn a_test_and_set_spin_lock_excludes_and_a_flag_lock_does_not() {
    assert_eq!(verdict(TAS_SPINLOCK), Verdict::Unreachable);
    let flag = TAS_SPINLOCK.replace(
        "while test_and_set(busy) == 1 { }",
        "while busy == 1 { }\n  busy = 1",
    );
    assert_eq!(verdict(&flag), Verdict::Reached);
}

// ---------------------------------------------------------- semaphores

#[test]
fn a_semaphore_admits_as_many_threads_as_its_count() {
    let program = |count: u32| {
        let thread = |name: &str| {
            format!(
                "thread {name} {{\n  acquire(s)\n  n = fetch_add(inside, 1)\n  assert(n < 2)\n  \
                 fetch_add(inside, -1)\n  release(s)\n}}\n"
            )
        };
        format!(
            "shared inside = 0\nsem s = {count}\n{}{}{}goal assert\n",
            thread("A"),
            thread("B"),
            thread("C")
        )
    };
    // Two inside at once is allowed: a third would fail the assertion.
    assert_eq!(verdict(&program(1)), Verdict::Unreachable);
    assert_eq!(verdict(&program(2)), Verdict::Unreachable);
    assert_eq!(verdict(&program(3)), Verdict::Reached);
}

#[test]
fn a_semaphore_at_zero_orders_two_threads_and_waits_show_on_the_timeline() {
    let text = "shared x = 0\nsem ready = 0\nthread A { x = 1; release(ready) }\n\
                thread B { acquire(ready); assert(x == 1) }\ngoal assert\n";
    assert_eq!(verdict(text), Verdict::Unreachable);
    let program = compile_source(text).unwrap();
    let state = State::initial(&program);
    assert_eq!(
        state.readiness(&program, 1),
        Readiness::WaitsForSemaphore { sem: 0 }
    );
    let run = replay(&program, &[0, 0, 1, 1]).unwrap();
    let trace = schedule::to_trace(&program, &run);
    trace.check_invariants().unwrap();
    let waits: Vec<(u64, u64)> = trace.lanes[1]
        .spans
        .iter()
        .filter(|span| span.kind == SpanKind::Waiting)
        .map(|span| (span.start, span.end))
        .collect();
    assert_eq!(waits, vec![(0, 2)]);
    assert_eq!(
        schedule::why_not(&program, &Readiness::WaitsForSemaphore { sem: 0 }),
        "waits for ready (its count is 0)"
    );
}

/// A producer puts 1, 2, 3 through two slots; the consumer adds them up.
const BOUNDED_BUFFER_SEMAPHORES: &str =
    include_str!("../../../tests/data/race-semaphore-buffer/program.race");

#[test]
fn a_bounded_buffer_with_two_semaphores_delivers_every_item() {
    let report = explore(BOUNDED_BUFFER_SEMAPHORES);
    assert!(report.complete);
    assert_eq!(report.goal_reachable, Some(Verdict::Unreachable));
    assert_eq!(report.deadlocks, 0);
    assert_eq!(finals(&report, "sum"), set(&["6"]));
    // Without the slots semaphore the producer overwrites an item.
    let unbounded = BOUNDED_BUFFER_SEMAPHORES
        .replace("    acquire(slots)\n", "")
        .replace("    release(slots)\n", "");
    assert_eq!(verdict(&unbounded), Verdict::Reached);
}

// ------------------------------------------------- condition variables

const ONE_ITEM: &str = "shared count = 0
mutex m
cond nonempty
thread Producer {
  lock(m)
  count = count + 1
  notify(nonempty)
  unlock(m)
}
thread Consumer {
  lock(m)
  if count == 0 {
    wait(nonempty, m)
  }
  assert(count > 0)
  count = count - 1
  unlock(m)
}
goal assert
";

#[test]
fn waiting_with_if_fails_only_with_spurious_wakeups_and_while_never_does() {
    let spurious = ONE_ITEM.replace("mutex m\n", "mutex m\nallow spurious_wakeups\n");
    let with_while = |text: &str| text.replace("if count == 0", "while count == 0");
    assert_eq!(verdict(ONE_ITEM), Verdict::Unreachable);
    assert_eq!(verdict(&spurious), Verdict::Reached);
    assert_eq!(verdict(&with_while(ONE_ITEM)), Verdict::Unreachable);
    assert_eq!(verdict(&with_while(&spurious)), Verdict::Unreachable);
    // The shortest failing schedule is the spurious wake-up, told as such.
    let program = compile_source(&spurious).unwrap();
    let report = explore(&spurious);
    let schedule = report.shortest_failing.unwrap();
    let threads = schedule::parse(&program, &schedule.join(" ")).unwrap();
    let run = replay(&program, &threads).unwrap();
    assert!(
        run.steps
            .iter()
            .any(|step| step.narration.contains("spurious wake-up")),
        "{:?}",
        run.steps.iter().map(|s| &s.narration).collect::<Vec<_>>()
    );
}

#[test]
fn with_two_consumers_if_fails_even_without_spurious_wakeups() {
    // Mesa semantics: a notified consumer must take the mutex again, and
    // the other consumer can take the item first.
    let text = ONE_ITEM.replace("thread Consumer", "thread C1").replace(
        "goal assert",
        "thread C2 {\n  lock(m)\n  if count > 0 {\n    count = count - 1\n  }\n  unlock(m)\n}\ngoal assert",
    );
    let text = text.as_str();
    assert_eq!(verdict(text), Verdict::Reached);
    assert_eq!(
        verdict(&text.replace("if count == 0", "while count == 0")),
        Verdict::Unreachable
    );
}

#[test]
fn a_notify_before_the_wait_is_lost_and_the_waiter_deadlocks() {
    let text = "mutex m\ncond c\nthread A { lock(m); notify(c); unlock(m) }\n\
                thread B { lock(m); wait(c, m); unlock(m) }\ngoal deadlock\n";
    assert_eq!(verdict(text), Verdict::Reached);
    let program = compile_source(text).unwrap();
    let run = replay(&program, &[0, 0, 0, 1, 1]).unwrap();
    assert_eq!(
        run.steps[1].narration,
        "A notifies c, but nobody waits: the notify is lost."
    );
    assert_eq!(run.last().phase(&program), Phase::Deadlock);
    assert_eq!(
        interleave_core::races::schedule::deadlock_text(&program, run.last()),
        "deadlock: B waits to be notified on c"
    );
}

#[test]
fn waiting_without_holding_the_mutex_is_an_error() {
    let text = "mutex m\ncond c\nthread A {\n  wait(c, m)\n}\n";
    let program = compile_source(text).unwrap();
    let run = replay(&program, &[0]).unwrap();
    assert_eq!(
        run.steps[0].narration,
        "A releases m and waits on c. A stops: error at line 4: wait(c, m) by a thread that does not hold m."
    );
}

/// `waiters` threads wait on `c`; the last thread notifies (all or one).
fn notify_program(waiters: usize, all: bool) -> String {
    let mut text = String::from("shared woken = 0\nshared waiting = 0\nmutex m\ncond c\n");
    for idx in 0..waiters {
        text.push_str(&format!(
            "thread W{idx} {{\n  lock(m)\n  waiting = waiting + 1\n  wait(c, m)\n  woken = woken + 1\n  unlock(m)\n}}\n"
        ));
    }
    let call = if all { "notify_all" } else { "notify" };
    text.push_str(&format!(
        "thread N {{\n  lock(m)\n  {call}(c)\n  unlock(m)\n}}\n"
    ));
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every waiter queued when `notify_all` runs can go on; `notify`
    /// frees exactly the longest waiting one.
    #[test]
    fn notify_all_wakes_every_waiter_and_notify_the_first(
        order in Just((0..5usize).collect::<Vec<_>>()).prop_shuffle(),
        waiters in 1..=5usize,
        all in any::<bool>(),
    ) {
        let text = notify_program(waiters, all);
        let program = compile_source(&text).unwrap();
        let notifier = waiters;
        let mut state = State::initial(&program);
        // Each waiter in turn, in a random order, runs until it is queued.
        let arrival: Vec<usize> = order.into_iter().filter(|&w| w < waiters).collect();
        for &waiter in &arrival {
            while !state.world.conds[0].contains(&(waiter as u8)) {
                prop_assert!(state.can_step(&program, waiter));
                state.step(&program, waiter);
            }
        }
        prop_assert_eq!(state.world.conds[0].iter().map(|&w| w as usize).collect::<Vec<_>>(), arrival.clone());
        for _ in 0..3 {
            state.step(&program, notifier);
        }
        let freed: Vec<usize> = (0..waiters)
            .filter(|&waiter| !matches!(state.readiness(&program, waiter), Readiness::WaitsForNotify { .. }))
            .collect();
        if all {
            prop_assert_eq!(freed, (0..waiters).collect::<Vec<_>>());
        } else {
            prop_assert_eq!(freed, vec![arrival[0]]);
        }
        // And over every interleaving: notify_all lets every waiter finish
        // in some schedule, and with one notify at most one ever wakes.
        let report = explore(&text);
        prop_assert!(report.complete);
        let most = finals(&report, "woken")
            .iter()
            .map(|value| value.parse::<usize>().unwrap())
            .max()
            .unwrap();
        prop_assert_eq!(most, if all { waiters } else { 1 });
    }
}

// ----------------------------------------------- reader-writer locks

#[test]
fn readers_share_a_reader_writer_lock_and_writers_do_not() {
    let program = |first: &str, second: &str| {
        let section = |name: &str, mode: &str| {
            format!(
                "thread {name} {{\n  {mode}_lock(r)\n  critical {{ }}\n  {mode}_unlock(r)\n}}\n"
            )
        };
        format!(
            "rwlock r\n{}{}goal critical\n",
            section("A", first),
            section("B", second)
        )
    };
    assert_eq!(verdict(&program("read", "read")), Verdict::Reached);
    assert_eq!(verdict(&program("read", "write")), Verdict::Unreachable);
    assert_eq!(verdict(&program("write", "write")), Verdict::Unreachable);
    let text = program("read", "write");
    let compiled = compile_source(&text).unwrap();
    let run = replay(&compiled, &[0]).unwrap();
    assert_eq!(
        run.last().readiness(&compiled, 1),
        Readiness::WaitsForRwLock {
            lock: 0,
            writer: None,
            readers: 1
        }
    );
    assert_eq!(
        schedule::why_not(&compiled, &run.last().readiness(&compiled, 1)),
        "waits for r (read by A)"
    );
}

#[test]
fn reader_writer_misuse_stops_the_thread() {
    let text = "rwlock r\nthread A {\n  read_lock(r)\n  write_lock(r)\n}\nthread B {\n  read_unlock(r)\n}\n";
    let program = compile_source(text).unwrap();
    let run = replay(&program, &[0, 0, 1]).unwrap();
    assert!(run.steps[1].narration.ends_with(
        "A stops: error at line 4: this thread already holds r for reading (read_unlock it first)."
    ));
    assert!(
        run.steps[2].narration.ends_with(
            "B stops: error at line 7: read_unlock(r) by a thread that is not reading it."
        )
    );
}

// ------------------------------------------------------------ barriers

/// `threads` threads pass `rounds` rounds of a barrier for all of them;
/// after each, every thread checks that all have arrived.
fn barrier_program(threads: usize, rounds: usize, with_barrier: bool) -> String {
    let mut text = format!("barrier b = {threads}\n");
    for round in 0..rounds {
        text.push_str(&format!("shared arrived{round} = 0\n"));
    }
    for idx in 0..threads {
        text.push_str(&format!("thread T{idx} {{\n"));
        for round in 0..rounds {
            text.push_str(&format!("  fetch_add(arrived{round}, 1)\n"));
            if with_barrier {
                text.push_str("  arrive_and_wait(b)\n");
            }
            text.push_str(&format!("  assert(arrived{round} == {threads})\n"));
        }
        text.push_str("}\n");
    }
    text.push_str("goal assert\n");
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn a_barrier_lets_no_thread_on_before_all_arrive(
        threads in 2..=3usize,
        rounds in 1..=2usize,
    ) {
        prop_assert_eq!(verdict(&barrier_program(threads, rounds, true)), Verdict::Unreachable);
        prop_assert_eq!(verdict(&barrier_program(threads, rounds, false)), Verdict::Reached);
        let report = explore(&barrier_program(threads, rounds, true));
        prop_assert_eq!(report.deadlocks, 0);
    }
}

#[test]
fn a_barrier_for_more_threads_than_arrive_deadlocks_and_says_how_many_came() {
    let text = "barrier b = 3\nthread A { arrive_and_wait(b) }\nthread B { arrive_and_wait(b) }\n";
    let program = compile_source(text).unwrap();
    let run = replay(&program, &[0, 1]).unwrap();
    assert_eq!(run.last().phase(&program), Phase::Deadlock);
    assert_eq!(
        interleave_core::races::schedule::deadlock_text(&program, run.last()),
        "deadlock: A waits at b (2 of 3 arrived), B waits at b (2 of 3 arrived)"
    );
}

// ------------------------------------------------------------- arrays

#[test]
fn array_elements_are_shared_locations_of_their_own() {
    let text =
        "shared buf[3] = 1\nthread A { i = 2; buf[i] += 1 }\nthread B { buf[2] = buf[2] + 1 }\n";
    let report = explore(text);
    assert_eq!(finals(&report, "buf[2]"), set(&["2", "3"]));
    assert_eq!(finals(&report, "buf[0]"), set(&["1"]));
    assert!(report.outcomes.iter().any(|o| o.outcome.lost_update));
    let program = compile_source("shared buf[2]\nthread A {\n  i = 2\n  buf[i] = 1\n}\n").unwrap();
    let run = replay(&program, &[0, 0]).unwrap();
    assert!(
        run.steps[1]
            .narration
            .ends_with("A stops: error at line 4: buf[2] is out of bounds: buf has 2 elements.")
    );
}

// ------------------------------------------------------------- errors

#[test]
fn misused_primitives_get_located_errors() {
    let error = |text: &str| compile_source(text).unwrap_err().to_string();
    assert_eq!(
        error("thread A {\n  acquire(s)\n}"),
        "2:3: acquire: 's' is not a semaphore (hint: declare it with: sem s = 1)"
    );
    assert_eq!(
        error("sem s = -1\nthread A { }"),
        "1:7: a semaphore starts with a whole number, 0 or more (hint: sem s = 1)"
    );
    assert_eq!(
        error("barrier b = 0\nthread A { }"),
        "1:11: a barrier starts with a whole number, 1 or more (hint: barrier b = 2)"
    );
    assert_eq!(
        error("barrier b = 9\nthread A { }"),
        "1:9: a barrier waits for at most 8 threads"
    );
    assert_eq!(
        error("allow races\nthread A { }"),
        "1:7: expected what to allow (hint: allow spurious_wakeups)"
    );
    assert_eq!(
        error("shared buf[2]\nthread A {\n  buf[2] = 1\n}"),
        "3:7: buf[2] is out of bounds: buf has 2 elements"
    );
    assert_eq!(
        error("shared buf[2]\nthread A {\n  v = buf\n}"),
        "3:7: 'buf' is an array, not a value (hint: read one element: buf[0] or buf[i])"
    );
    assert_eq!(
        error("cond c\nthread A {\n  v = c\n}"),
        "3:7: 'c' is a condition variable, not a value (hint: pass it to its operations, as the language guide lists)"
    );
    assert_eq!(
        error("shared x = 0\nthread A {\n  v = fetch_add(y, 1)\n}"),
        "3:17: fetch_add works on a shared variable or an array's element (hint: shared y = 0, then fetch_add(y, ...))"
    );
    assert_eq!(
        error("sem s = 1\nthread A {\n  v = acquire(s)\n}"),
        "3:7: acquire(...) gives no value (hint: call it on a line of its own)"
    );
    assert!(error("fn wait() { }\nthread A { }").contains("'wait' is a built-in operation"));
    assert!(
        error("sem s = 1\nmutex s\nthread A { }").contains("'s' is already declared as a mutex")
    );
}
