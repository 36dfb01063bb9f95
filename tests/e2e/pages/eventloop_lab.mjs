// Page object for the Event loop lab: the only place e2e tests touch its DOM.
export class EventLoopLab {
  constructor(page) {
    this.page = page;
    this.root = page.locator('section.eventloop-lab');
  }

  async ready() {
    await this.root.getByTestId('code').waitFor();
    return this;
  }

  async loadLesson(id) {
    await this.root.getByTestId('lesson').selectOption(id);
    await this.root.getByTestId('code').waitFor();
  }

  /** Replaces the program's text (the editor opens if it is closed). */
  async edit(text) {
    const editor = this.root.locator('details.program-editor');
    if (!(await editor.evaluate((d) => d.open))) await editor.locator('summary').click();
    await this.root.getByTestId('program').fill(text);
  }

  async press(testId, times = 1) {
    for (let i = 0; i < times; i += 1) await this.root.getByTestId(testId).click();
  }

  /** `{ at, of }` from "step 4 of 12 · …". */
  async position() {
    const text = await this.root.getByTestId('position').innerText();
    const [, at, of] = /step (\d+) of (\d+)/.exec(text);
    return { at: Number(at), of: Number(of), text };
  }

  async scrubTo(step) {
    await this.root.getByTestId('scrubber').fill(String(step));
  }

  narration() {
    return this.root.getByTestId('narration');
  }

  /** The lines of a panel's list (`call-stack`, `microtasks`, `timers`, `io`, `console`). */
  async items(panel) {
    const list = this.root.getByTestId(panel).locator('ol > li:not(.empty)');
    return (await list.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** The entry marked as the one the event loop takes next, if any. */
  async next() {
    const marked = this.root.locator('ol.queue li.next');
    return (await marked.count()) ? (await marked.first().innerText()).replace(/\s+/g, ' ').trim() : null;
  }

  currentLine() {
    return this.root.locator('.code-line.current').getAttribute('data-line');
  }

  /** Runs the program for real and returns the verdict's first line. */
  async runForReal(timeout = 15000) {
    await this.root.getByTestId('run-real').click();
    const verdict = this.root.getByTestId('real-verdict');
    await verdict.waitFor({ timeout });
    return (await verdict.innerText()).split('\n')[0];
  }

  async realConsole() {
    return (await this.root.getByTestId('real-console').locator('li').allInnerTexts()).map((t) => t.trim());
  }
}
