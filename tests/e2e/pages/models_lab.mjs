// Page object for the Models lab: the only place e2e tests touch its DOM.
export class ModelsLab {
  constructor(page) {
    this.page = page;
    this.root = page.locator('section.models-lab');
  }

  async ready() {
    await this.root.locator('article.config svg rect.span').first().waitFor();
    return this;
  }

  config(label) {
    return this.root.locator(`article.config[data-model="${label}"]`);
  }

  async configLabels() {
    return this.root.locator('article.config').evaluateAll((cards) => cards.map((card) => card.dataset.model));
  }

  async makespan(label) {
    const text = await this.config(label).locator('.makespan-badge').innerText();
    return Number(/done at (\d+)/.exec(text)[1]);
  }

  /** The makespan of configuration `n` (1-based), whatever its label. */
  async makespanOf(n) {
    const text = await this.root.locator('article.config').nth(n - 1).locator('.makespan-badge').innerText();
    return Number(/done at (\d+)/.exec(text)[1]);
  }

  async loadPreset(title) {
    await this.root.getByLabel('Load a preset workload').selectOption({ label: title });
  }

  async cursor() {
    const text = await this.root.locator('.cursor-time').innerText();
    return Number(/^(\d+)/.exec(text)[1]);
  }

  async scrubTo(time) {
    await this.root.getByLabel('Time cursor').fill(String(time));
  }

  async play() {
    await this.root.getByRole('button', { name: 'Play' }).click();
  }

  async pause() {
    await this.root.getByRole('button', { name: 'Pause' }).click();
  }

  async nextEvent() {
    await this.root.getByRole('button', { name: 'Next event' }).click();
  }

  async selectConfig(index) {
    await this.root.locator('article.config .select-config').nth(index).click();
  }

  narration() {
    return this.root.locator('.narration');
  }

  laneState(lane) {
    return this.root.locator(`.lane-states li[data-lane="${lane}"] .lane-state`);
  }

  queue() {
    return this.root.locator('.cursor-details .queue');
  }

  parked() {
    return this.root.locator('.cursor-details .parked');
  }

  durationField(task, step) {
    return this.root.getByLabel(`${task}, step ${step} duration`);
  }

  /** Opens Share / Embed and returns { link, snippet }. */
  async share() {
    await this.root.getByRole('button', { name: 'Share / Embed' }).click();
    const dialog = this.page.getByRole('dialog');
    const link = await dialog.getByLabel('Share link').inputValue();
    const snippet = await dialog.getByLabel('Embed code').inputValue();
    await dialog.getByRole('button', { name: 'Close' }).click();
    return { link, snippet };
  }

  /** Waits until the address holds a state (edits are saved after a pause). */
  async waitForSavedState() {
    await this.page.waitForFunction(() => location.hash.includes('s=v1.'));
  }

  /** Sets configuration `n` (1-based): model kind, threads, cores ('' for one per thread). */
  async setConfig(n, { kind, threads, cores } = {}) {
    if (kind !== undefined) await this.root.getByLabel(`Configuration ${n} model`).selectOption(kind);
    if (threads !== undefined) await this.root.getByLabel(`Configuration ${n} threads`).fill(String(threads));
    if (cores !== undefined) await this.root.getByLabel(`Configuration ${n} cores`).selectOption(String(cores));
  }

  async addConfig() {
    await this.root.getByRole('button', { name: '+ Compare another configuration' }).click();
  }

  async removeConfig(n) {
    await this.root.getByRole('button', { name: `Remove configuration ${n}` }).click();
  }

  /** A task's steps as the editor shows them: [{ kind, duration }]. */
  async steps(task) {
    return this.root.locator('aside.editor li.segment').evaluateAll(
      (items, name) =>
        items
          .filter((item) => item.querySelector('select').getAttribute('aria-label').startsWith(`${name}, step `))
          .map((item) => ({ kind: item.querySelector('select').value, duration: Number(item.querySelector('input').value) })),
      task,
    );
  }

  async addStep(task) {
    await this.root.getByRole('button', { name: `Add a step to ${task}` }).click();
  }

  async moveStep(task, step, direction) {
    await this.root.getByRole('button', { name: `Move ${task}, step ${step} ${direction}` }).click();
  }

  async setStepKind(task, step, value) {
    await this.root.getByLabel(`${task}, step ${step} kind`).selectOption(value);
  }

  async codeTab(language) {
    await this.root.getByRole('tab', { name: language }).click();
  }

  copyButton() {
    return this.root.locator('.code-view button.copy');
  }

  /** The selected configuration's timeline (its card's SVG). */
  timeline(label) {
    return this.config(label).locator('figure.timeline svg');
  }

  code() {
    return this.root.locator('.code-view pre');
  }
}
