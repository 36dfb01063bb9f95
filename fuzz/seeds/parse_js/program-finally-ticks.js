Promise.resolve(1)
  .finally(() => console.log("finally 1"))
  .then((v) => console.log("after finally", v));
Promise.reject(new Error("no"))
  .finally(() => console.log("finally 2"))
  .catch((e) => console.log("caught after finally", e.message));
Promise.resolve(2)
  .finally(() => Promise.resolve("ignored"))
  .then((v) => console.log("finally keeps", v));
Promise.resolve(3)
  .finally(() => { throw new Error("finally threw"); })
  .catch((e) => console.log("finally replaces", e.message));
Promise.resolve()
  .then(() => console.log("t1"))
  .then(() => console.log("t2"))
  .then(() => console.log("t3"))
  .then(() => console.log("t4"))
  .then(() => console.log("t5"));
