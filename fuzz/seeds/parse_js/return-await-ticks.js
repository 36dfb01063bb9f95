// `return promise` in an async function costs two more microtask turns than
// `return await promise`.
async function returnsPromise() {
  return Promise.resolve("returned");
}

async function returnsAwaited() {
  return await Promise.resolve("awaited");
}

returnsPromise().then((v) => console.log(v));
returnsAwaited().then((v) => console.log(v));
Promise.resolve()
  .then(() => console.log("tick 1"))
  .then(() => console.log("tick 2"))
  .then(() => console.log("tick 3"));
