// Page object for the Servers lab: the only place e2e tests touch its DOM.
export class ServersLab {
  constructor(page) {
    this.page = page;
    this.root = page.locator('section.servers-lab');
  }

  async ready() {
    await this.root.getByTestId('servers-compare').waitFor();
    return this;
  }

  async loadPreset(id) {
    await this.root.getByTestId('servers-preset').selectOption(id);
  }

  narration() {
    return this.root.getByTestId('servers-narration');
  }

  /** The comparison table: one row per model, keyed by model id. */
  async comparison() {
    const rows = {};
    for (const row of await this.root.locator('[data-testid=servers-compare] tbody tr').all()) {
      const model = await row.getAttribute('data-model');
      rows[model] = {
        selected: (await row.getAttribute('class'))?.includes('selected') ?? false,
        p99: await row.getByTestId('p99').innerText(),
        answered: Number(await row.getByTestId('answered').innerText()),
        late: Number(await row.getByTestId('late').innerText()),
        dropped: Number(await row.getByTestId('dropped').innerText()),
        rejected: Number(await row.getByTestId('rejected').innerText()),
      };
    }
    return rows;
  }

  async showModel(id) {
    await this.root.locator(`tr[data-model=${id}] button`).click();
  }

  lanesHeading() {
    return this.root.locator('.lab-main h3').first();
  }

  laneNames() {
    return this.root.locator('.timeline .lane-label').allTextContents();
  }

  /** Sets a numeric field by its accessible name. */
  async setField(label, value) {
    await this.root.getByLabel(label, { exact: true }).fill(String(value));
  }

  settingsError() {
    return this.root.getByTestId('settings-error');
  }

  /** Waits until the address has changed from `hash` (edits settle after 300 ms). */
  async addressChangedFrom(hash) {
    await this.page.waitForFunction((old) => location.hash !== old && location.hash.includes('s=v1.'), hash);
  }

  async editJson(text) {
    const details = this.root.locator('details.json-editor');
    if (!(await details.getAttribute('open'))) await details.locator('summary').click();
    await this.root.getByTestId('servers-json').fill(text);
  }

  jsonText() {
    return this.root.getByTestId('servers-json').inputValue();
  }

  jsonError() {
    return this.root.getByTestId('json-error');
  }

  async sweep({ wait = true } = {}) {
    await this.root.getByTestId('sweep').click();
    if (wait) await this.root.getByTestId('sweep-result').waitFor({ timeout: 60_000 });
  }

  sweepProgress() {
    return this.root.getByTestId('sweep-progress');
  }

  async cancelSweep() {
    await this.root.getByTestId('cancel-sweep').click();
  }

  /** The sweep chart's accessible summary (where each model first fails). */
  sweepSummary() {
    return this.root.locator('.sweep-chart > svg').getAttribute('aria-label');
  }

  /** The scenario as the JSON editor shows it, parsed. */
  async scenario() {
    return JSON.parse(await this.jsonText());
  }

  async check(label, on) {
    const box = this.root.getByLabel(label, { exact: true });
    if (on) await box.check();
    else await box.uncheck();
  }

  async choose(label, value) {
    await this.root.getByLabel(label, { exact: true }).selectOption(value);
  }

  /** The backlog chart: its accessible summary and whether the backlog limit is drawn. */
  async queueChart() {
    const chart = this.root.locator('figure.queue-chart');
    return {
      label: await chart.locator('svg').getAttribute('aria-label'),
      backlogLine: await chart.locator('g.backlog-line text').allTextContents(),
    };
  }

  /** The latency histogram: answered count, percentiles, bars and the timeout line. */
  async histogram() {
    const figure = this.root.locator('figure.latency-histogram');
    return {
      label: await figure.locator('svg').getAttribute('aria-label'),
      legend: await figure.getByTestId('percentiles').innerText(),
      bars: await figure.locator('rect.hist-bar').evaluateAll((bars) => bars.map((bar) => Number(/^(\d+) requests/.exec(bar.textContent)[1]))),
      timeoutLine: await figure.locator('line.timeout-line').count(),
    };
  }

  /** Load points drawn on the sweep chart. */
  async sweepPoints() {
    return Number(await this.root.locator('figure.sweep-chart').getAttribute('data-points'));
  }

  async zoomIn() {
    await this.root.getByRole('button', { name: 'Zoom in' }).click();
  }

  showing() {
    return this.root.locator('.timeline-tools .note').innerText();
  }
}
