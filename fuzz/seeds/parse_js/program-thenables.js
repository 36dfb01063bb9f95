const thenable = {
  then(resolve) {
    console.log("then called");
    resolve("from thenable");
  },
};
async function main() {
  const v = await thenable;
  console.log("awaited", v);
  const w = await { then(ok, fail) { fail(new Error("thenable failed")); } }.then
    ? Promise.resolve("not a thenable call")
    : null;
  console.log("w", w);
  try {
    await { then(ok, fail) { fail(new Error("thenable failed")); } };
  } catch (e) {
    console.log("caught", e.message);
  }
}
main();
new Promise((resolve) => resolve(thenable)).then((v) => console.log("resolved with", v));
Promise.resolve(thenable).then((v) => console.log("Promise.resolve", v));
Promise.resolve().then(() => thenable).then((v) => console.log("returned", v));
Promise.resolve().then(() => console.log("a")).then(() => console.log("b")).then(() => console.log("c"));
