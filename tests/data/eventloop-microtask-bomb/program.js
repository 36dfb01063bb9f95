// Every microtask queues another: timers and frames starve.
setTimeout(() => console.log("the timer never runs"), 0);
function again() {
  queueMicrotask(again);
}
again();
