const wait = (ms, v) => new Promise((resolve) => setTimeout(() => resolve(v), ms));
const fail = (ms, m) => new Promise((_, reject) => setTimeout(() => reject(new Error(m)), ms));
Promise.all([wait(30, "a"), 1, Promise.resolve("c")]).then((v) => console.log("all", v));
Promise.allSettled([wait(60, "x"), fail(90, "y"), 3]).then((v) => console.log("allSettled", v));
Promise.race([wait(120, "slow"), wait(150, "slower")]).then((v) => console.log("race", v));
Promise.any([fail(180, "e1"), fail(210, "e2")]).catch((e) => {
  console.log("any", e.name, e.message);
  console.log(e.errors.map((x) => x.message));
  console.log(e);
});
Promise.all([]).then((v) => console.log("empty all", v));
Promise.any([]).catch((e) => console.log("empty any", e.message));
Promise.race([]).then(() => console.log("never"));
Promise.all([fail(240, "first"), fail(270, "second")]).catch((e) => console.log("all rejects with", e.message));
