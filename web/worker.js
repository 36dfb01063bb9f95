// Every web worker of the page: the Parallel lab's message-passing workers
// and the one-job workers of the Races and Servers labs. The first message
// names the app's JS glue and wasm module, loaded once, in this worker's own
// wasm instance; every `request` (the JSON of interleave_core::protocol::
// Request) goes to the module's `worker_request`, which posts the typed
// replies (JSON, and a chunk's pixels as a transferred Uint16Array).
let loaded;

self.onmessage = async ({ data }) => {
  if (data.mainJS) {
    loaded = import(data.mainJS).then(async (pkg) => {
      await pkg.default({ module_or_path: data.module });
      return pkg;
    });
  }
  if (data.request === undefined) return;
  let pkg;
  try {
    pkg = await loaded;
  } catch (error) {
    postMessage({ loadFailed: String(error) });
    return;
  }
  pkg.worker_request(data.request, (reply, pixels) =>
    postMessage({ reply, pixels }, pixels ? [pixels.buffer] : []));
};
