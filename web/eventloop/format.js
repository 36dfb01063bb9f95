// What console.log prints, as Node prints it (util.format and util.inspect
// with their defaults: depth 2, 80 columns, compact 3), for the Event loop
// lab's real runs in the browser. It follows the lab's own formatter
// (crates/core/src/eventloop/inspect.rs) rule for rule; the end-to-end
// tests check both against Node's util.inspect. A promise's state cannot
// be read by a page: it prints as `Promise { … }`.
//
// A classic script: it defines `InterleaveFormat` on the global object,
// and the sandbox sends its source text into the worker that runs the
// program.
(function (global) {
  'use strict';
  const BREAK_LENGTH = 80;
  const COMPACT = 3;
  const DEPTH = 2;
  const MAX_ARRAY_LENGTH = 100;
  const MAX_STRING_LENGTH = 10000;
  const MIN_LINE_LENGTH = 16;

  function quote(s) {
    let q = "'";
    if (s.includes("'")) {
      if (!s.includes('"')) q = '"';
      else if (!s.includes('`') && !s.includes('${')) q = '`';
    }
    let out = q;
    for (const c of s) {
      const code = c.codePointAt(0);
      if (c === '\n') out += '\\n';
      else if (c === '\t') out += '\\t';
      else if (c === '\r') out += '\\r';
      else if (c === '\b') out += '\\b';
      else if (c === '\f') out += '\\f';
      else if (c === '\\') out += '\\\\';
      else if (c === "'" && q === "'") out += "\\'";
      else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += '\\x' + code.toString(16).toUpperCase().padStart(2, '0');
      else out += c;
    }
    return out + q;
  }

  function formatNumber(n) {
    return Object.is(n, -0) ? '-0' : String(n);
  }

  function isPlainKey(key) {
    return /^[a-zA-Z_][a-zA-Z_0-9]*$/.test(key);
  }

  function formatString(ctx, s) {
    let trailer = '';
    if (s.length > MAX_STRING_LENGTH) {
      const remaining = s.length - MAX_STRING_LENGTH;
      s = s.slice(0, MAX_STRING_LENGTH);
      trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
    }
    if (s.length > MIN_LINE_LENGTH && s.length + ctx.indentation + 4 > BREAK_LENGTH) {
      const lines = s.split(/(?<=\n)/).map(quote);
      return lines.join(` +\n${' '.repeat(ctx.indentation + 2)}`) + trailer;
    }
    return quote(s) + trailer;
  }

  function functionBase(f) {
    const isAsync = Object.prototype.toString.call(f) === '[object AsyncFunction]';
    const kind = isAsync ? 'AsyncFunction' : 'Function';
    return f.name ? `[${kind}: ${f.name}]` : `[${kind} (anonymous)]`;
  }

  function errorBase(e) {
    const stack = typeof e.stack === 'string' ? e.stack.split('\n')[0] : `${e.name}: ${e.message}`;
    return `[${stack}]`;
  }

  function formatValue(ctx, v, recurse, depth) {
    if (v === undefined) return 'undefined';
    if (v === null) return 'null';
    switch (typeof v) {
      case 'boolean': return String(v);
      case 'number': return formatNumber(v);
      case 'string': return formatString(ctx, v);
      case 'bigint': return `${v}n`;
      case 'symbol': return v.toString();
    }
    if (ctx.seen.includes(v)) {
      let index = ctx.circular.indexOf(v);
      if (index === -1) {
        ctx.circular.push(v);
        index = ctx.circular.length - 1;
      }
      return `[Circular *${index + 1}]`;
    }
    return formatRaw(ctx, v, recurse, depth);
  }

  function formatRaw(ctx, v, recurse, depth) {
    const keys = Object.keys(v);
    let base = '';
    let braces = ['{', '}'];
    let isArray = false;
    let items = null;
    let promise = false;
    const hidden = [];
    let name;
    if (Array.isArray(v)) {
      if (v.length === 0 && keys.length === 0) return '[]';
      braces = ['[', ']'];
      isArray = true;
      items = v;
      name = 'Array';
    } else if (typeof v === 'function') {
      base = functionBase(v);
      if (keys.length === 0) return base;
      name = 'Function';
    } else if (v instanceof Error) {
      base = errorBase(v);
      if (Array.isArray(v.errors)) hidden.push(['[errors]', v.errors]);
      if (keys.length === 0 && hidden.length === 0) return base;
      name = 'Error';
    } else if (v instanceof Promise) {
      braces = ['Promise {', '}'];
      promise = true;
      name = 'Promise';
    } else {
      if (keys.length === 0) return '{}';
      name = 'Object';
    }
    if (recurse > depth) return `[${name}]`;
    recurse += 1;
    ctx.seen.push(v);
    ctx.currentDepth = recurse;
    const output = [];
    let moreItems = false;
    if (items) {
      const len = Math.min(items.length, MAX_ARRAY_LENGTH);
      for (let i = 0; i < len; i++) {
        ctx.indentation += 2;
        output.push(formatValue(ctx, items[i], recurse, depth));
        ctx.indentation -= 2;
      }
      if (items.length > len) {
        const remaining = items.length - len;
        output.push(`... ${remaining} more item${remaining > 1 ? 's' : ''}`);
        moreItems = true;
      }
    }
    if (promise) output.push('…');
    for (const key of keys) {
      if (isArray && /^(0|[1-9][0-9]*)$/.test(key)) continue;
      ctx.indentation += 2;
      const s = formatValue(ctx, v[key], recurse, depth);
      ctx.indentation -= 2;
      output.push(`${isPlainKey(key) ? key : quote(key)}: ${s}`);
    }
    for (const [label, value] of hidden) {
      ctx.indentation += 2;
      const s = formatValue(ctx, value, recurse, depth);
      ctx.indentation -= 2;
      output.push(`${label}: ${s}`);
    }
    const circular = ctx.circular.indexOf(v);
    if (circular !== -1) {
      const reference = `<ref *${circular + 1}>`;
      base = base === '' ? reference : `${reference} ${base}`;
    }
    ctx.seen.pop();
    return reduceToSingleString(ctx, output, base, braces, isArray, recurse, items, moreItems);
  }

  function isBelowBreakLength(output, start, base) {
    let total = output.length + start;
    if (total + output.length > BREAK_LENGTH) return false;
    for (const entry of output) {
      total += entry.length;
      if (total > BREAK_LENGTH) return false;
    }
    return base === '' || !base.includes('\n');
  }

  function reduceToSingleString(ctx, output, base, braces, isArray, recurse, values, moreItems) {
    const entries = output.length;
    if (isArray && entries > 6) output = groupArrayElements(ctx, output, values, moreItems);
    if (ctx.currentDepth - recurse < COMPACT && entries === output.length) {
      const start = output.length + ctx.indentation + braces[0].length + base.length + 10;
      if (isBelowBreakLength(output, start, base)) {
        const joined = output.join(', ');
        if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
      }
    }
    const indentation = `\n${' '.repeat(ctx.indentation)}`;
    return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
  }

  function groupArrayElements(ctx, output, values, moreItems) {
    let total = 0;
    let maxLength = 0;
    const outputLength = moreItems ? output.length - 1 : output.length;
    const separatorSpace = 2;
    const dataLen = [];
    for (let i = 0; i < outputLength; i++) {
      const len = output[i].length;
      dataLen.push(len);
      total += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentation < BREAK_LENGTH && (total / actualMax > 5 || maxLength <= 6)) {
      const averageBias = Math.sqrt(actualMax - total / output.length);
      const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      const columns = Math.min(
        Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
        Math.floor((BREAK_LENGTH - ctx.indentation) / actualMax),
        COMPACT * 4,
        15,
      );
      if (columns <= 1) return output;
      const maxLineLength = [];
      for (let i = 0; i < columns; i++) {
        let lineMax = 0;
        for (let j = i; j < output.length; j += columns) {
          if (dataLen[j] > lineMax) lineMax = dataLen[j];
        }
        maxLineLength.push(lineMax + separatorSpace);
      }
      let numbers = true;
      for (let i = 0; i < output.length; i++) {
        if (!values || typeof values[i] !== 'number') {
          numbers = false;
          break;
        }
      }
      const grouped = [];
      for (let i = 0; i < outputLength; i += columns) {
        const max = Math.min(i + columns, outputLength);
        let line = '';
        let j = i;
        for (; j < max - 1; j++) {
          const cell = `${output[j]}, `;
          line += numbers ? cell.padStart(maxLineLength[j - i], ' ') : cell.padEnd(maxLineLength[j - i], ' ');
        }
        line += numbers ? output[j].padStart(maxLineLength[j - i] - separatorSpace, ' ') : output[j];
        grouped.push(line);
      }
      if (moreItems) grouped.push(output[outputLength]);
      return grouped;
    }
    return output;
  }

  function inspect(v, depth = DEPTH) {
    return formatValue({ indentation: 0, seen: [], currentDepth: 0, circular: [] }, v, 0, depth);
  }

  /** The line `console.log(...args)` prints. */
  function formatLog(args) {
    let out = '';
    let a = 0;
    let join = '';
    if (typeof args[0] === 'string') {
      if (args.length === 1) return args[0];
      const first = args[0];
      let last = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first[i] !== '%') continue;
        const next = first[++i];
        if (a + 1 !== args.length) {
          let text;
          switch (next) {
            case 's': {
              const v = args[++a];
              text = typeof v === 'number' ? formatNumber(v)
                : typeof v === 'object' && v !== null ? inspect(v, 0) : String(v);
              break;
            }
            case 'j':
              try { text = JSON.stringify(args[++a]); } catch { text = '[Circular]'; }
              break;
            case 'd': {
              const v = args[++a];
              text = formatNumber(typeof v === 'object' ? NaN : Number(v));
              break;
            }
            case 'i': text = formatNumber(parseInt(args[++a])); break;
            case 'f': text = formatNumber(parseFloat(args[++a])); break;
            case 'O': text = inspect(args[++a]); break;
            case 'c': a += 1; text = ''; break;
            case '%': out += first.slice(last, i); last = i + 1; continue;
            default: continue;
          }
          if (last !== i - 1) out += first.slice(last, i - 1);
          out += text;
          last = i + 1;
        } else if (next === '%') {
          out += first.slice(last, i);
          last = i + 1;
        }
      }
      if (last !== 0) {
        a += 1;
        join = ' ';
        if (last < first.length) out += first.slice(last);
      }
    }
    while (a < args.length) {
      const v = args[a];
      out += join + (typeof v === 'string' ? v : inspect(v));
      join = ' ';
      a += 1;
    }
    return out;
  }

  global.InterleaveFormat = { formatLog, inspect, quote };
})(globalThis);
