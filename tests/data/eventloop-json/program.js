async function load() {
  console.log("load starts");
  const user = await io("db", 5, { name: "ada" });
  console.log("loaded", user);
}
load();
queueMicrotask(() => console.log("microtask"));
console.log("script ends");
