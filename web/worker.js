// Every web worker of the page's jobs: the Parallel lab's message-passing
// workers and the one-job workers of the Races and Servers labs. They load
// the workers' own module (crates/worker: the jobs without the page's UI),
// not the page's. The first message names its JS glue and hands over the
// module the page compiled (or its URL); every `request` (the JSON of
// interleave_core::protocol::Request) goes to the module's
// `worker_request`, which posts the typed replies (JSON, and a chunk's
// pixels as a transferred Uint16Array). A request that comes before the
// module waits for it; a request the module fails on is answered with
// what failed.
let load;
const loaded = new Promise((resolve) => {
  load = resolve;
});

self.onmessage = async ({ data }) => {
  if (data.workerJS) {
    load(import(data.workerJS).then(async (pkg) => {
      await pkg.default({ module_or_path: data.module });
      return pkg;
    }));
  }
  if (data.request === undefined) return;
  let pkg;
  try {
    pkg = await loaded;
  } catch (error) {
    postMessage({ loadFailed: String(error) });
    return;
  }
  try {
    pkg.worker_request(data.request, (reply, pixels) =>
      postMessage({ reply, pixels }, pixels ? [pixels.buffer] : []));
  } catch (error) {
    // The module stopped (a trap, a bug): the page fails the request it
    // is owed, saying so, and may start a fresh worker.
    postMessage({ failed: String(error?.message ?? error) });
  }
};
