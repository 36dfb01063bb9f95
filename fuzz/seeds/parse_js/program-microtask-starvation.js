setTimeout(() => console.log("timer, at last"), 0);
let count = 0;
function again() {
  count += 1;
  if (count < 1000) {
    queueMicrotask(again);
  } else {
    console.log("microtasks done", count);
  }
}
queueMicrotask(again);
