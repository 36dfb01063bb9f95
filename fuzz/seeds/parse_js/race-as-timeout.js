// Promise.race: the first promise to settle decides.
function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms));
}

async function fetchWithin(label, ms, limit) {
  try {
    const value = await Promise.race([io(label, ms), timeout(limit)]);
    console.log(label, "answered:", value);
  } catch (e) {
    console.log(label, "failed:", e.message);
  }
}

fetchWithin("fast service", 40, 100);
fetchWithin("slow service", 300, 100);
