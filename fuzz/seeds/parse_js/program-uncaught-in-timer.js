setTimeout(() => {
  console.log("first timer");
  Promise.resolve().then(() => console.log("never runs"));
  throw new Error("boom");
}, 10);
setTimeout(() => console.log("second timer never runs"), 20);
