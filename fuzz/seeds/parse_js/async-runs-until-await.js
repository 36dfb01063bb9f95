// Calling an async function runs its body at once, up to the first await.
async function load() {
  console.log("2. load starts, synchronously");
  await null;
  console.log("4. load resumes, in a microtask");
  return "done";
}

console.log("1. before the call");
const promise = load();
console.log("3. after the call: load returned", promise);
promise.then((value) => console.log("5. the promise holds", value));
