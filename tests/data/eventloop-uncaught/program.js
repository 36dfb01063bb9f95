setTimeout(() => console.log("never runs"), 10);
Promise.resolve().then(() => console.log("a microtask runs first"));
function fail() {
  throw new TypeError("no such user");
}
setTimeout(fail, 1);
