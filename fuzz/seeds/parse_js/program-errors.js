function attempt(label, f) {
  try {
    f();
    console.log(label, "no error");
  } catch (e) {
    console.log(label, e.name + ": " + e.message);
  } finally {
    console.log(label, "finally");
  }
}
const o = { a: {} };
attempt("call", () => o.missing());
attempt("deep", () => o.a.b.c);
attempt("undefined", () => undefined.x);
attempt("set null", () => { const n = null; n.x = 1; });
attempt("const", () => { const c = 1; c = 2; });
attempt("tdz", () => { y + 1; let y = 1; });
attempt("not defined", () => nope);
attempt("resolver", () => new Promise());
attempt("iterable", () => { const [a] = 5; });
attempt("spread", () => [...5]);
attempt("instanceof", () => 5 instanceof 3);
attempt("in", () => "a" in "abc");
attempt("string prop", () => { const s = "abc"; s.x = 1; });
attempt("recursion", () => { const r = () => r(); r(); });
attempt("reduce", () => [].reduce((a, b) => a + b));
attempt("toFixed", () => (1).toFixed(200));
attempt("repeat", () => "a".repeat(-1));
attempt("optional", () => { const u = undefined; return u?.x.y; });
attempt("timer", () => setTimeout("not a function"));
attempt("thrown value", () => { throw { code: 7 }; });
function tryReturn() {
  try {
    return "from try";
  } finally {
    console.log("finally runs before the return");
  }
}
console.log(tryReturn());
function finallyWins() {
  try {
    throw new Error("lost");
  } finally {
    return "finally wins";
  }
}
console.log(finallyWins());
for (let i = 0; i < 3; i++) {
  try {
    if (i === 1) continue;
    console.log("loop", i);
  } finally {
    console.log("loop finally", i);
  }
}
const e1 = new Error("x");
console.log(e1 instanceof Error, e1 instanceof TypeError, new TypeError("t") instanceof Error, String(e1), e1.stack);
