// How many cores this machine really gives right now: a fixed-time busy
// loop on one worker thread, then on `n` at once; the ratio of the work
// done is the parallelism a speedup test can hope for. On a host whose
// other tenants take a core, it falls below n, and a speedup threshold
// that assumes n cores would fail for no fault of the page.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
const end = Date.now() + workerData;
let count = 0;
while (Date.now() < end) {
  for (let i = 0; i < 1000; i++) count++;
}
parentPort.postMessage(count);
`;

function spin(ms) {
  return new Promise((ok, fail) => {
    const worker = new Worker(SPIN, { eval: true, workerData: ms });
    worker.once('message', ok);
    worker.once('error', fail);
  });
}

/**
 * { cores, effective, tries }: the cores the OS reports, and the best
 * parallelism measured with `n` threads in a few tries (a passing burst of
 * other work lowers one try; a host short of cores lowers them all).
 */
export async function effectiveCores(n = 2, ms = 200, tries = 3) {
  const measured = [];
  for (let i = 0; i < tries; i++) {
    const one = await spin(ms);
    const many = await Promise.all(Array.from({ length: n }, () => spin(ms)));
    measured.push(many.reduce((a, b) => a + b, 0) / one);
  }
  return { cores: availableParallelism(), effective: Math.max(...measured), tries: measured };
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
