// The Races explorer, off the page's main thread: its own wasm instance
// runs every interleaving and posts progress; the page cancels by
// terminating this worker. One worker per exploration.
self.onmessage = async ({ data }) => {
  try {
    const pkg = await import(data.mainJS);
    await pkg.default({ module_or_path: data.module });
    const progress = (states, outcomes, shortening) =>
      postMessage({ type: 'progress', states, outcomes, shortening });
    const json = pkg.races_explore(data.source, new Uint32Array(data.schedule), data.reduction, data.maxStates, progress);
    postMessage({ type: 'done', json });
  } catch (error) {
    postMessage({ type: 'done', json: JSON.stringify({ error: String(error) }) });
  }
};
