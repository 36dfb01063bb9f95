const p = Promise.reject(new Error("late"));
Promise.resolve()
  .then(() => {})
  .then(() => {
    p.catch((e) => console.log("handled in time", e.message));
  });
setTimeout(() => console.log("no crash"), 0);
