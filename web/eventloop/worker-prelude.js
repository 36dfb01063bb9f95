// The start of every real run's module, before the program's own text
// (the sandbox puts the formatter before it): what the lab's helpers are
// for real, what the console prints, and when the run is over. It runs in
// a worker inside an opaque-origin sandbox frame: no storage, no network,
// no page.
(function (global) {
  'use strict';
  const post = (message) => global.postMessage(message);
  let stopped = false;
  // Node prints errors without their stack here, as the lab does.
  Error.stackTraceLimit = 0;

  for (const name of ['log', 'info', 'debug', 'warn', 'error']) {
    console[name] = (...args) => {
      if (stopped) return;
      let text;
      try {
        text = global.InterleaveFormat.formatLog(args);
      } catch (e) {
        text = `(this value could not be printed: ${e && e.message})`;
      }
      post({ line: text });
    };
  }

  // What is still to come: the run is over when nothing is.
  let pending = 0;
  const realSetTimeout = global.setTimeout.bind(global);
  const realClearTimeout = global.clearTimeout.bind(global);
  const realSetInterval = global.setInterval.bind(global);
  const realClearInterval = global.clearInterval.bind(global);
  const live = new Set();
  const intervals = new Set();
  const check = new MessageChannel();
  let quiet = 0;
  check.port1.onmessage = () => {
    if (stopped) return;
    if (pending > 0) {
      quiet = 0;
      return;
    }
    // Two quiet turns in a row: every microtask has run too.
    quiet += 1;
    if (quiet >= 2) {
      stopped = true;
      post({ done: true });
    } else {
      check.port2.postMessage(null);
    }
  };
  const scheduleCheck = () => {
    quiet = 0;
    check.port2.postMessage(null);
  };

  global.setTimeout = (callback, ms, ...args) => {
    let id;
    pending += 1;
    id = realSetTimeout(() => {
      if (live.delete(id)) pending -= 1;
      try {
        callback(...args);
      } finally {
        scheduleCheck();
      }
    }, ms);
    live.add(id);
    return id;
  };
  global.clearTimeout = (id) => {
    if (live.delete(id)) pending -= 1;
    if (intervals.delete(id)) pending -= 1;
    realClearTimeout(id);
    realClearInterval(id);
    scheduleCheck();
  };
  global.setInterval = (callback, ms, ...args) => {
    pending += 1;
    const id = realSetInterval(() => {
      try {
        callback(...args);
      } finally {
        scheduleCheck();
      }
    }, ms);
    intervals.add(id);
    return id;
  };
  global.clearInterval = global.clearTimeout;

  if (typeof global.requestAnimationFrame === 'function') {
    const realRaf = global.requestAnimationFrame.bind(global);
    const realCancel = global.cancelAnimationFrame.bind(global);
    const frames = new Set();
    global.requestAnimationFrame = (callback) => {
      pending += 1;
      const id = realRaf((time) => {
        if (frames.delete(id)) pending -= 1;
        try {
          callback(time);
        } finally {
          scheduleCheck();
        }
      });
      frames.add(id);
      return id;
    };
    global.cancelAnimationFrame = (id) => {
      if (frames.delete(id)) pending -= 1;
      realCancel(id);
      scheduleCheck();
    };
  }

  // The lab's helpers, for real: I/O is a wait, work keeps the thread busy.
  global.io = (label, ms, value = label) => new Promise((resolve) => global.setTimeout(() => resolve(value), ms));
  global.work = (ms) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      // Busy: nothing else runs.
    }
  };

  // Node ends the program at an uncaught error or an unhandled rejection:
  // the real run stops listening there too.
  const threw = (text) => {
    if (stopped) return;
    stopped = true;
    post({ threw: text });
  };
  global.addEventListener('error', (event) => {
    event.preventDefault();
    const e = event.error;
    threw(e instanceof Error ? `${e.name}: ${e.message}` : global.InterleaveFormat.inspect(e));
  });
  global.addEventListener('unhandledrejection', (event) => {
    event.preventDefault();
    const e = event.reason;
    threw(e instanceof Error ? `${e.name}: ${e.message}` : global.InterleaveFormat.inspect(e));
  });
  post({ engine: (global.navigator && global.navigator.userAgent) || 'unknown' });
  scheduleCheck();
})(globalThis);
