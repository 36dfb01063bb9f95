console.log("before");
class Counter {
  constructor() { this.n = 0; }
}
