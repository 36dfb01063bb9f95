// Microtasks that keep queueing microtasks: the timer waits for all of them.
setTimeout(() => console.log("timer, at last"), 0);

let count = 0;
function again() {
  count += 1;
  if (count < 500) {
    queueMicrotask(again); // the queue is never empty until 500
  } else {
    console.log("500 microtasks ran before the timer");
  }
}
queueMicrotask(again);
