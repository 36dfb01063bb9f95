// A long task holds the call stack: the timer and every frame wait.
setTimeout(() => console.log("timer: due at 10 ms, runs after the work"), 10);

console.log("work starts");
work(200); // 200 ms of CPU work in one piece
console.log("work done: the timer could not run until now");
