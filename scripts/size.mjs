// What takes the space in the release wasm: reads `twiggy top --format csv`
// of a build with names kept (scripts/size.sh makes it) and prints the
// bytes (after wasm-opt, before gzip) by part of the program, then the
// largest single items. Usage: node scripts/size.mjs top.csv [items]
import { readFileSync } from 'node:fs';

const [csvPath, count = '15'] = process.argv.slice(2);
if (!csvPath) throw new Error('usage: node scripts/size.mjs top.csv [items]');

// twiggy's CSV: Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent;
// a name with a comma or a quote is quoted, with its quotes doubled.
const parse = (line) => {
  if (!line.startsWith('"')) {
    const fields = line.split(',');
    return { name: fields.slice(0, -4).join(','), bytes: Number(fields[fields.length - 4]) };
  }
  let end = 1;
  for (;;) {
    end = line.indexOf('"', end);
    if (line[end + 1] === '"') end += 2;
    else break;
  }
  return { name: line.slice(1, end).replaceAll('""', '"'), bytes: Number(line.slice(end + 2).split(',')[0]) };
};
const rows = readFileSync(csvPath, 'utf8').trim().split('\n').slice(1).map(parse)
  .filter(({ name }) => !/^("function names"|custom section|Σ|\.\.\. and)/.test(name));

// The first rule that matches names the part.
const PARTS = [
  ['JSON (serde, serde_json, serde_path_to_error)', /serde|zmij/],
  ["the labs' views (html!, callbacks, components)", /yew\[.*interleave_web|interleave_web.*yew\[/],
  ['yew runtime', /yew|indexmap|implicit_clone/],
  ['interleave_core (engines, labs, links)', /interleave_core/],
  ['web glue (bindings, workers, pool)', /interleave_web|js_sys|web_sys|wasm_bindgen|gloo|externref|wbg|^import |^export /],
  ['data (text, tables)', /^data segment/],
  ['formatting and panics (std)', /core\[\w+\]::fmt|::fmt::|flt2dec|dragon|grisu|panic/],
];
const parts = new Map();
let total = 0;
for (const { name, bytes } of rows) {
  const part = PARTS.find(([, re]) => re.test(name))?.[0] ?? 'std, alloc, rayon, miniz and the rest';
  parts.set(part, (parts.get(part) ?? 0) + bytes);
  total += bytes;
}
const fmt = (n) => n.toLocaleString('en-US').padStart(10);
console.log('bytes (after wasm-opt, before gzip) by part:');
for (const [part, bytes] of [...parts].sort((a, b) => b[1] - a[1])) console.log(`${fmt(bytes)}  ${part}`);
console.log(`${fmt(total)}  total`);
console.log(`\nthe ${count} largest items:`);
for (const { name, bytes } of [...rows].sort((a, b) => b.bytes - a.bytes).slice(0, Number(count))) {
  console.log(`${fmt(bytes)}  ${name.replace(/\[[0-9a-f]{16}\]/g, '').slice(0, 140)}`);
}
