// Page object for the Races lab: the only place e2e tests touch its DOM.
export class RacesLab {
  constructor(page) {
    this.page = page;
    this.root = page.locator('section.races-lab');
  }

  async ready() {
    await this.root.locator('.thread-pane').first().waitFor();
    return this;
  }

  async loadLesson(id) {
    await this.root.getByTestId('lesson').selectOption(id);
    await this.root.locator('.thread-pane').first().waitFor();
  }

  /** Steps threads by name, one indivisible step (or line) per name. */
  async step(...threads) {
    for (const thread of threads) await this.root.getByTestId(`step-${thread}`).click();
  }

  stepButton(thread) {
    return this.root.getByTestId(`step-${thread}`);
  }

  async stepCount() {
    const text = await this.root.getByTestId('step-count').innerText();
    const [, at, of] = /step (\d+) of (\d+)/.exec(text);
    return { at: Number(at), of: Number(of) };
  }

  async back() {
    await this.root.getByTestId('back').click();
  }

  async restart() {
    await this.root.getByRole('button', { name: 'Restart' }).click();
  }

  variable(name) {
    return this.root.getByTestId(`var-${name}`);
  }

  file(name) {
    return this.root.getByTestId(`file-${name}`);
  }

  /** A synchronisation object's row in the inspector: name, state, waiting. */
  async sync(name) {
    const cells = await this.root.getByTestId(`sync-${name}`).locator('th, td').allInnerTexts();
    return cells.map((cell) => cell.replace(/\s+/g, ' ').trim());
  }

  goal() {
    return this.root.getByTestId('goal');
  }

  narration() {
    return this.root.getByTestId('narration');
  }

  runStatus() {
    return this.root.getByTestId('run-status');
  }

  threadStatus(thread) {
    return this.root.getByTestId(`status-${thread}`);
  }

  heap() {
    return this.root.getByTestId('heap');
  }

  async editProgram(text) {
    const editor = this.root.locator('details.program-editor');
    if (!(await editor.evaluate((el) => el.open))) await editor.locator('summary').click();
    await this.root.getByTestId('program').fill(text);
  }

  programError() {
    return this.root.getByTestId('program-error');
  }

  async explore({ wait = true } = {}) {
    await this.root.getByTestId('explore').click();
    if (wait) await this.root.getByTestId('explore-result').waitFor({ timeout: 30_000 });
  }

  progress() {
    return this.root.getByTestId('explore-progress');
  }

  async cancelExplore() {
    await this.root.getByTestId('cancel-explore').click();
  }

  /**
   * The explorer's outcomes: [{ values, count, schedules, text, failing }]:
   * `count` the essentially different orders (or schedules, without the
   * reduction), `schedules` the exact number of schedules (NaN when not
   * known), `text` what the page says of them.
   */
  async outcomes() {
    return this.root.locator('[data-testid=outcomes] li.outcome').evaluateAll((items) =>
      items.map((item) => {
        const counts = item.querySelector('.outcome-count');
        return {
          values: item.querySelector('.outcome-values').textContent,
          count: Number(counts.dataset.orders),
          schedules: counts.dataset.schedules === '' ? NaN : Number(counts.dataset.schedules),
          text: counts.textContent,
          failing: item.classList.contains('failing'),
        };
      }),
    );
  }

  /** The explorer's summary of what it counted. */
  counts() {
    return this.root.getByTestId('explore-counts').innerText();
  }

  exploreResult() {
    return this.root.getByTestId('explore-result');
  }

  /** The goal's verdict: 'reached', 'unreachable' or 'unknown'. */
  goalVerdict() {
    return this.root.getByTestId('goal-verdict').getAttribute('data-verdict');
  }

  async setReduction(on) {
    const box = this.root.getByLabel(/merge equal states/);
    if (on) await box.check();
    else await box.uncheck();
  }

  /** Runs random schedules; resolves to { tried, failing }. */
  async sample() {
    await this.root.getByTestId('sample').click();
    const result = this.root.getByTestId('sample-result');
    await result.waitFor({ timeout: 120_000 });
    return { tried: Number(await result.getAttribute('data-tried')), failing: Number(await result.getAttribute('data-failing')) };
  }

  shortest() {
    return this.root.getByTestId('shortest');
  }

  /** A starvation ('starve-A') or livelock ('livelock') finding: its
   * schedule to the cycle and the cycle, as thread names. */
  async lasso(testid) {
    const row = this.root.getByTestId(testid);
    const [prefix, cycle] = await row.locator('code').allInnerTexts();
    const names = (text) => text.replace(/[()]/g, ' ').split(/\s+/).filter(Boolean);
    return { prefix: names(prefix), cycle: names(cycle) };
  }

  async loadLasso(testid) {
    await this.root.getByTestId(testid).getByRole('button').click();
  }

  liveness() {
    return this.root.getByTestId('liveness');
  }

  async loadShortest() {
    await this.root.getByTestId('load-shortest').click();
  }
}
