const fns = [];
for (let i = 0; i < 3; i++) {
  fns.push(() => i);
}
console.log(fns.map((f) => f()));
const { a, b: { c = 5 } = {}, ...rest } = { a: 1, d: 4, e: 5 };
console.log(a, c, rest);
const [x, , y = 10, ...others] = [1, 2, undefined, 4, 5];
console.log(x, y, others);
let p = 1, q = 2;
[p, q] = [q, p];
console.log(p, q);
function defaults(m, n = m * 2, ...more) {
  return [m, n, more];
}
console.log(defaults(1), defaults(1, 5, 6, 7), defaults.length, defaults.name);
const obj = {
  name: "obj",
  greet() { return `hi from ${this.name}`; },
  arrow: () => typeof this,
};
console.log(obj.greet(), obj.arrow(), obj?.missing?.deep, obj.greet?.());
const counts = {};
for (const word of ["a", "b", "a"]) {
  counts[word] = (counts[word] ?? 0) + 1;
}
console.log(counts);
for (const key in { k1: 1, k2: 2 }) console.log("key", key);
for (const ch of "hé") console.log("char", ch);
let n = 0;
do { n++; } while (n < 3);
console.log(n, n++ + ++n, n);
let s = "";
while (true) {
  s += "x";
  if (s.length > 3) break;
}
console.log(s, s.length);
const nums = [5, 3, 8, 1];
console.log(nums.filter((v) => v > 2).map((v) => v * 10).reduce((acc, v) => acc + v, 0));
console.log(nums.find((v) => v > 4), nums.findIndex((v) => v > 100), nums.some((v) => v === 8), nums.every((v) => v > 0));
console.log([..."abc"], [...nums, 9], Math.max(...nums), { ...{ a: 1 }, b: 2 });
const sorted = [3, 1, 2].sort((m, k) => { console.log("compare", m, k); return m - k; });
console.log(sorted);
const bound = obj.greet.bind({ name: "bound" });
console.log(bound(), obj.greet.call({ name: "called" }), Math.max.apply(null, [1, 9, 3]));
let z = null;
z ??= "set";
z ||= "not set";
console.log(z, 0 || "or", 0 ?? "nullish", "" && "and");
console.log([1, 2, 3].join("-"), [1, [2, [3]]].toString(), Array.isArray([]), Array.of(1, 2));
const label = (v) => (v > 0 ? "positive" : v < 0 ? "negative" : "zero");
console.log(label(1), label(-1), label(0));
console.log(`multi
line`, `nested ${`inner ${1 + 1}`}`);
