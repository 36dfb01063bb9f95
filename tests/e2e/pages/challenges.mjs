// Page object for the challenge bar above every lab and the challenges
// page (#/challenges): the only place e2e tests touch their DOM.
export class ChallengeBar {
  constructor(page) {
    this.page = page;
    this.root = page.getByTestId('challenges');
  }

  title() {
    return this.root.getByTestId('challenge-title');
  }

  async waitForTitle() {
    await this.title().waitFor();
    return (await this.title().innerText()).replace(/^(Predict|Goal|Target)\s*/i, '');
  }

  /** Commits a prediction: a number or values typed, a choice picked, or lines put in order. */
  async answer(answer) {
    const form = this.root.getByTestId('answer-form');
    if (typeof answer === 'number') {
      await form.getByTestId('answer-number').fill(String(answer));
    } else if (typeof answer === 'string') {
      await form.getByRole('radio', { name: answer, exact: true }).check();
    } else if (answer.values) {
      await form.getByTestId('answer-values').fill(answer.values);
    } else if (answer.order) {
      // Moves each wanted line to its place with the buttons (no drag).
      for (let place = 0; place < answer.order.length; place += 1) {
        for (;;) {
          const lines = await form.locator('fieldset.answer-order li code').allInnerTexts();
          const at = lines.indexOf(answer.order[place]);
          if (at === place) break;
          await form.getByRole('button', { name: `Move \u201c${answer.order[place]}\u201d up` }).click();
        }
      }
    }
    await form.getByTestId('commit-answer').click();
    await this.root.getByTestId('comparison').waitFor();
  }

  comparison() {
    return this.root.getByTestId('comparison');
  }

  win() {
    return this.root.getByTestId('challenge-win');
  }

  state() {
    return this.root.getByTestId('challenge-state');
  }

  problem() {
    return this.root.getByTestId('challenge-problem');
  }

  async revealHint() {
    await this.root.getByTestId('hint').click();
  }

  async hints() {
    const list = this.root.getByTestId('hints');
    return (await list.count()) ? list.locator('li').allInnerTexts() : [];
  }
}

export class ChallengesPage {
  constructor(page) {
    this.page = page;
    this.root = page.getByTestId('challenges-page');
  }

  async ready() {
    await this.root.waitFor();
    return this;
  }

  async openSet(name, text) {
    await this.root.getByLabel('Open a challenge set').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  }

  async openReport(name, text) {
    await this.root.getByLabel("Open a student's report").setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  }

  /** The report's rows: `[title, status]`. */
  async reportRows(which = this.root.getByTestId('report').first()) {
    const rows = which.getByTestId('report-row');
    await rows.first().waitFor();
    const out = [];
    for (let i = 0; i < (await rows.count()); i += 1) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      out.push([cells[1], cells[3]]);
    }
    return out;
  }
}
