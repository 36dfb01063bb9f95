// A try/catch around a call catches only what the call throws synchronously.
function startLater() {
  setTimeout(() => {
    try {
      throw new Error("late failure");
    } catch (e) {
      console.log("caught inside the timer callback:", e.message);
    }
  }, 10);
}

try {
  startLater();
  console.log("startLater returned: nothing was thrown yet");
} catch (e) {
  console.log("never printed: the try block is long finished");
}

async function fetchUser() {
  await io("db", 30);
  throw new Error("user not found");
}

async function main() {
  try {
    await fetchUser(); // await turns the rejection into a throw here
  } catch (e) {
    console.log("caught with await:", e.message);
  }
  fetchUser().catch((e) => console.log("caught with .catch:", e.message));
}
main();
