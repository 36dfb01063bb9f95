// await always yields, even for a value that is already there.
async function first() {
  console.log("A1");
  await Promise.resolve("ready");
  console.log("A2 (after await of a settled promise)");
}

async function second() {
  console.log("B1");
  await 42;
  console.log("B2 (after await of a plain value)");
}

first();
second();
console.log("script ends: neither function has finished");
