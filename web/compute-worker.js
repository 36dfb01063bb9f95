// A message-passing compute worker: its own wasm instance and memory, for
// pages that are not cross-origin isolated (no shared memory). It runs one
// chunk per message and posts the result back; times are absolute
// (timeOrigin + now), so the page can put every worker on one clock.
let pkg;

self.onmessage = async ({ data }) => {
  if (data.type === 'init') {
    try {
      pkg = await import(data.mainJS);
      await pkg.default({ module_or_path: data.module });
      postMessage({ type: 'ready' });
    } catch (error) {
      postMessage({ type: 'error', message: String(error) });
    }
    return;
  }
  if (data.type === 'chunk') {
    const start = performance.timeOrigin + performance.now();
    const result = pkg.mp_run_items(data.kind, data.size, data.chunk, data.serial, data.start, data.end);
    const end = performance.timeOrigin + performance.now();
    const rows = result.rows ?? null;
    postMessage({ type: 'done', start, end, checksum: result.checksum, rows }, rows ? [rows.buffer] : []);
  }
};
