// Long computations off the page's main thread: each job gets its own
// worker and its own wasm instance, calls one export of the app's module
// (`data.job`) with `data.args` and a progress callback, and posts the
// JSON it returns. The page cancels by terminating the worker.
self.onmessage = async ({ data }) => {
  try {
    const pkg = await import(data.mainJS);
    await pkg.default({ module_or_path: data.module });
    const progress = (...args) => postMessage({ type: 'progress', args });
    const json = pkg[data.job](...data.args, progress);
    postMessage({ type: 'done', json });
  } catch (error) {
    postMessage({ type: 'done', json: JSON.stringify({ error: String(error) }) });
  }
};
