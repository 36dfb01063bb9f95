setTimeout(() => console.log("timer"), 0);
Promise.resolve().then(() => console.log("then"));
await io("db", 5);
console.log("done");
