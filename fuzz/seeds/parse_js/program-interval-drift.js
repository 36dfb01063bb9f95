let ticks = 0;
const id = setInterval(() => {
  ticks += 1;
  console.log("tick", ticks);
  if (ticks === 2) {
    work(100);
  }
  if (ticks === 4) {
    clearInterval(id);
    console.log("stopped");
  }
}, 40);
setTimeout(() => console.log("timeout at 300"), 300);
