// `return p` takes two more microtask ticks than `return await p`.
async function direct() {
  return Promise.resolve("direct");
}
async function awaited() {
  return await Promise.resolve("awaited");
}
async function plain() {
  return "plain";
}
direct().then((v) => console.log(v));
awaited().then((v) => console.log(v));
plain().then((v) => console.log(v));
Promise.resolve()
  .then(() => console.log("tick 1"))
  .then(() => console.log("tick 2"))
  .then(() => console.log("tick 3"))
  .then(() => console.log("tick 4"));
