// One thread serves every request: waiting for I/O overlaps, CPU work does not.
function handle(id, cpuMs) {
  const arrived = performance.now();
  io(`db query ${id}`, 50).then(() => {
    work(cpuMs); // compute the answer: the thread does nothing else meanwhile
    const took = performance.now() - arrived;
    console.log(`request ${id} answered`, took < 100 ? "quickly (the I/O overlapped)" : "late (it waited for CPU work)");
  });
}

handle(1, 0);
handle(2, 0);
handle(3, 80); // this handler computes for 80 ms
handle(4, 0);
