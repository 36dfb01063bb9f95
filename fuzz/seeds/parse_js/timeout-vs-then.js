// Which runs first: a timer of 0 ms, or a promise that is already settled?
console.log("1. script starts");

setTimeout(() => {
  console.log("4. timer callback (a task)");
}, 0);

Promise.resolve().then(() => {
  console.log("3. then callback (a microtask)");
});

console.log("2. script ends");
