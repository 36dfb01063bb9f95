// Three independent requests of 100 ms each: one after another, or together?
async function oneAfterAnother() {
  const start = performance.now();
  const a = await io("users", 100);
  const b = await io("orders", 100);
  const c = await io("prices", 100);
  console.log("sequential:", [a, b, c], "took", performance.now() - start >= 300 ? "300 ms" : "less");
}

async function together() {
  const start = performance.now();
  const [a, b, c] = await Promise.all([io("users", 100), io("orders", 100), io("prices", 100)]);
  console.log("Promise.all:", [a, b, c], "took", performance.now() - start < 150 ? "100 ms" : "more");
}

await oneAfterAnother();
await together();
