// Page object for the Parallel lab.
export class ParallelLab {
  constructor(page) {
    this.page = page;
    this.root = page.locator('section.parallel-lab');
  }

  /** Waits for the shared-memory pool; returns its worker count. */
  async poolReady() {
    const status = this.root.locator('[data-mode="isolated"]');
    await status.waitFor({ timeout: 30_000 });
    return Number(await status.getAttribute('data-workers'));
  }

  async chooseKernel(title) {
    await this.root.getByLabel('Kernel', { exact: true }).selectOption({ label: title });
  }

  /** Counting primes below `size` in chunks of `chunk` numbers. */
  async countPrimes(size, chunk) {
    await this.chooseKernel('counting primes');
    await this.setField('Kernel size', size);
    await this.setField('Items per chunk', chunk);
  }

  async sweep() {
    const before = Number(await this.root.locator('.parallel-results').getAttribute('data-sweeps'));
    await this.root.getByRole('button', { name: /^Sweep 1 to/ }).click();
    return before;
  }

  /** Starts a weak-scaling sweep; returns the sweep count before it. */
  async weakSweep() {
    const before = Number(await this.root.locator('.parallel-results').getAttribute('data-sweeps'));
    await this.root.getByRole('button', { name: 'Weak-scaling sweep' }).click();
    return before;
  }

  /** Rows of the weak-scaling table: [{ workers, size, gustafson }]. */
  async weakRows() {
    return this.root.locator('.weak-table tbody tr').evaluateAll((rows) =>
      rows.map((row) => ({ workers: Number(row.dataset.workers), size: Number(row.dataset.size), gustafson: Number(row.dataset.gustafson) })),
    );
  }

  async waitForSweeps(count, timeout = 120_000) {
    // Attached, not visible: a sweep that failed before measuring leaves
    // the results empty.
    await this.root.locator(`.parallel-results[data-sweeps="${count}"]`).waitFor({ state: 'attached', timeout });
  }

  /** Rows of this page's results table: [{ workers, ms, speedup, checksum }]. */
  async results(table = '.own-table') {
    return this.root.locator(`${table} tbody tr`).evaluateAll((rows) =>
      rows.map((row) => ({
        workers: Number(row.dataset.workers),
        ms: Number(row.dataset.ms),
        speedup: row.dataset.speedup === '' ? NaN : Number(row.dataset.speedup),
        checksum: row.dataset.checksum,
      })),
    );
  }

  /** Rows of the runs a link carried (the sender's). */
  async theirResults() {
    await this.root.getByTestId('their-runs').waitFor();
    return this.results('.their-table');
  }

  /** The sentence setting their machine beside this one. */
  comparison() {
    return this.root.getByTestId('comparison').innerText();
  }

  /** Waits for the message-passing workers (an un-isolated page); returns their count. */
  async messagePoolReady() {
    const status = this.root.locator('[data-mode="message-passing"]');
    await status.waitFor({ timeout: 30_000 });
    return Number(await status.getAttribute('data-workers'));
  }

  /** Sets a number field by its accessible name. */
  async setField(label, value) {
    await this.root.getByLabel(label, { exact: true }).fill(String(value));
  }

  runButton() {
    return this.root.getByRole('button', { name: /^Run on \d+ worker/ });
  }

  /** Runs on the chosen worker count and waits for the run to finish. */
  async run() {
    const before = Number(await this.root.locator('.parallel-results').getAttribute('data-sweeps'));
    await this.runButton().click();
    await this.waitForSweeps(before + 1);
  }

  running() {
    return this.root.getByText(/Running on \d+ worker/);
  }

  /** Chunks each worker computed in the last run. */
  async workerChunks() {
    const text = await this.root.locator('h3.last-run').getAttribute('data-worker-chunks');
    return text.split(',').map(Number);
  }

  /** The speedup chart: measured dots and which curves are drawn. */
  async chart() {
    // The strong-scaling chart (the weak one, when there is one, follows it).
    const chart = this.root.locator('figure.speedup-chart').first();
    return {
      dots: await chart.locator('circle.measured-dot').count(),
      curves: await chart.locator('polyline').evaluateAll((lines) => lines.map((line) => line.getAttribute('class'))),
      label: await chart.locator('svg').getAttribute('aria-label'),
      legend: await chart.locator('figcaption').innerText(),
    };
  }

  /** The Amdahl column of the results table, by worker count. */
  async amdahlColumn() {
    return this.root.locator('.speedup-table tbody tr').evaluateAll((rows) =>
      rows.map((row) => Number(row.querySelectorAll('td')[3].textContent.replace('×', ''))),
    );
  }

  async checksumsMatch() {
    return (await this.root.locator('.parallel-results').getAttribute('data-checksums-match')) === 'true';
  }

  /** Runs the race (with the page's defaults where not given); returns the table's rows. */
  async race(workers, perWorker) {
    if (workers !== undefined) await this.root.getByLabel('Race workers').fill(String(workers));
    if (perWorker !== undefined) await this.root.getByLabel('Increments per worker').fill(String(perWorker));
    const section = this.root.locator('section.race');
    const done = Number(await section.getAttribute('data-races')) + 1;
    await this.root.getByRole('button', { name: 'Run the race' }).click();
    // Wait on the run counter: the table of the previous race is still
    // there until the new one replaces it row by row.
    await this.root.locator(`section.race[data-races="${done}"]`).waitFor({ timeout: 60_000 });
    return this.root.locator('.race-table tbody tr').evaluateAll((rows) =>
      rows.map((row) => ({
        method: row.dataset.method,
        expected: Number(row.dataset.expected),
        actual: Number(row.dataset.actual),
        overlapMs: Number(row.dataset.overlapMs),
        together: row.dataset.together === 'true',
      })),
    );
  }
}
