// setInterval asks for a tick every 50 ms; a long task makes the ticks late,
// and the next ones are counted from when a late tick ran.
const start = performance.now();
let ticks = 0;
const id = setInterval(() => {
  ticks += 1;
  const late = performance.now() - start - ticks * 50;
  console.log("tick", ticks, late > 30 ? "late" : "on time");
  if (ticks === 2) {
    work(120); // a long task inside the callback
  }
  if (ticks === 5) {
    clearInterval(id);
  }
}, 50);
