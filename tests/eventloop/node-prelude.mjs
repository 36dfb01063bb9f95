// The Event loop lab's two simulated helpers, for real runs in Node
// (`node --import ./node-prelude.mjs program.mjs`), and what the lab
// compares with: errors print without their stack trace.
//
// io(label, ms, value): completes after `ms` as real I/O does, in the poll
// phase's turn (a timer that hands over to setImmediate), and fulfils with
// `value` (the label by default).
// work(ms): holds the thread for `ms`, as CPU work does.
Error.stackTraceLimit = 0;
globalThis.io = (label, ms, value = label) =>
  new Promise((resolve) => setTimeout(() => setImmediate(() => resolve(value)), ms));
globalThis.work = (ms) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Busy: nothing else runs.
  }
};
