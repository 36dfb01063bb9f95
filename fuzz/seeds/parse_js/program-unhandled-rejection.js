Promise.reject(new Error("nobody handles this"));
Promise.resolve().then(() => console.log("microtasks still run first"));
setTimeout(() => console.log("but never the timer"), 0);
