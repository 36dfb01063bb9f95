console.log("script start");
setTimeout(() => console.log("timeout"), 0);
Promise.resolve().then(() => console.log("then 1")).then(() => console.log("then 2"));
queueMicrotask(() => console.log("microtask"));
async function load() {
  console.log("load start");
  await null;
  console.log("load after await");
  return "loaded";
}
load().then(v => console.log(v));
console.log("script end", [1, 2, 3], { a: 1, b: "x" });
