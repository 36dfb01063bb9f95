//! What `console.log` prints, as Node prints it (`util.format` and
//! `util.inspect` with their defaults: depth 2, 80 columns, compact 3):
//! strings bare at the top and quoted inside, `[ 1, 2, 3 ]`,
//! `{ a: 1, 'b-c': 2 }`, long arrays grouped in columns, `[Object]` past
//! depth 2, `Promise { <pending> }`, `[Function: f]`, and errors as
//! `[Error: message]` (the runs compare with Node started with
//! `Error.stackTraceLimit = 0`, so no stack trace is printed).

use super::heap::{Kind, PromiseState};
use super::machine::{Abrupt, Completion, Machine};
use super::value::{ObjId, Value, number_to_string};

const BREAK_LENGTH: usize = 80;
const COMPACT: usize = 3;
const DEPTH: usize = 2;
const MAX_ARRAY_LENGTH: usize = 100;
const MAX_STRING_LENGTH: usize = 10_000;
const MIN_LINE_LENGTH: usize = 16;

struct Ctx {
    indentation: usize,
    seen: Vec<ObjId>,
    current_depth: usize,
    circular: Vec<ObjId>,
}

fn width(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Quotes a string as Node does: single quotes, or double quotes when it
/// holds a single quote, or backticks when it holds both.
pub fn quote(s: &str) -> String {
    let quote = if !s.contains('\'') {
        '\''
    } else if !s.contains('"') {
        '"'
    } else if !s.contains('`') && !s.contains("${") {
        '`'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        let code = c as u32;
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\\' => out.push_str("\\\\"),
            '\'' if quote == '\'' => out.push_str("\\'"),
            _ if code < 0x20 || (0x7f..0xa0).contains(&code) => {
                out.push_str(&format!("\\x{code:02X}"));
            }
            _ => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A number as `inspect` prints it (`-0` kept).
pub fn format_number(n: f64) -> String {
    if n == 0.0 && n.is_sign_negative() {
        "-0".into()
    } else {
        number_to_string(n)
    }
}

fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Machine {
    /// The line `console.log(...args)` prints.
    pub fn format_log(&mut self, args: &[Value]) -> Completion<String> {
        let mut out = String::new();
        let mut a = 0;
        let mut join = "";
        if let Some(Value::Str(first)) = args.first() {
            if args.len() == 1 {
                return Ok(first.to_string());
            }
            let first: Vec<char> = first.chars().collect();
            let mut last = 0;
            let mut i = 0;
            while i + 1 < first.len() {
                if first[i] == '%' {
                    i += 1;
                    let next = first[i];
                    if a + 1 != args.len() {
                        let text = match next {
                            's' => {
                                a += 1;
                                let v = &args[a];
                                match v {
                                    Value::Num(n) => format_number(*n),
                                    Value::Obj(id) if self.obj(*id).is_callable() => {
                                        return self.unsupported("printing a function with `%s` is not supported in this lab");
                                    }
                                    Value::Obj(_) => self.inspect_depth(v, 0)?,
                                    v => self.to_string(v)?.to_string(),
                                }
                            }
                            'j' => {
                                a += 1;
                                let v = args[a].clone();
                                let json = self.global("JSON").expect("JSON is a global");
                                let stringify = self.get_prop(&json, "stringify")?;
                                match self.invoke(&stringify, json, vec![v], None) {
                                    Ok(super::machine::Flow::Done(Value::Str(s))) => s.to_string(),
                                    Ok(_) => "undefined".into(),
                                    Err(Abrupt::Throw(_)) => "[Circular]".into(),
                                    Err(stop) => return Err(stop),
                                }
                            }
                            'd' | 'i' | 'f' => {
                                a += 1;
                                let v = args[a].clone();
                                let n = match next {
                                    'd' => {
                                        if let Value::Obj(_) = v {
                                            f64::NAN
                                        } else {
                                            self.to_number(&v)?
                                        }
                                    }
                                    'i' => {
                                        let s = self.to_string(&v)?;
                                        let t = s.trim_start();
                                        let (neg, t) = match t.strip_prefix('-') {
                                            Some(r) => (true, r),
                                            None => (false, t.strip_prefix('+').unwrap_or(t)),
                                        };
                                        let digits: String =
                                            t.chars().take_while(|c| c.is_ascii_digit()).collect();
                                        if digits.is_empty() {
                                            f64::NAN
                                        } else {
                                            let n: f64 = digits.parse().unwrap_or(f64::NAN);
                                            if neg { -n } else { n }
                                        }
                                    }
                                    _ => {
                                        let s = self.to_string(&v)?;
                                        super::value::string_to_number(s.trim()).to_owned()
                                    }
                                };
                                format_number(n)
                            }
                            'O' => {
                                a += 1;
                                let v = args[a].clone();
                                self.inspect(&v)?
                            }
                            'o' => {
                                return self.unsupported(
                                    "`%o` in console.log is not supported in this lab (use %O)",
                                );
                            }
                            'c' => {
                                a += 1;
                                String::new()
                            }
                            '%' => {
                                out.extend(&first[last..i]);
                                last = i + 1;
                                i += 1;
                                continue;
                            }
                            _ => {
                                i += 1;
                                continue;
                            }
                        };
                        if last != i - 1 {
                            out.extend(&first[last..i - 1]);
                        }
                        out.push_str(&text);
                        last = i + 1;
                    } else if next == '%' {
                        out.extend(&first[last..i]);
                        last = i + 1;
                    }
                }
                i += 1;
            }
            if last != 0 {
                a += 1;
                join = " ";
                if last < first.len() {
                    out.extend(&first[last..]);
                }
            }
        }
        while a < args.len() {
            out.push_str(join);
            match &args[a] {
                Value::Str(s) => out.push_str(s),
                v => {
                    let text = self.inspect(v)?;
                    out.push_str(&text);
                }
            }
            join = " ";
            a += 1;
        }
        Ok(out)
    }

    /// `util.inspect(value)` with Node's defaults.
    pub fn inspect(&mut self, v: &Value) -> Completion<String> {
        self.inspect_depth(v, DEPTH)
    }

    fn inspect_depth(&mut self, v: &Value, depth: usize) -> Completion<String> {
        let mut ctx = Ctx {
            indentation: 0,
            seen: Vec::new(),
            current_depth: 0,
            circular: Vec::new(),
        };
        self.format_value(&mut ctx, v, 0, depth)
    }

    fn format_value(
        &mut self,
        ctx: &mut Ctx,
        v: &Value,
        recurse: usize,
        depth: usize,
    ) -> Completion<String> {
        let id = match v {
            Value::Undefined => return Ok("undefined".into()),
            Value::Null => return Ok("null".into()),
            Value::Bool(b) => return Ok(b.to_string()),
            Value::Num(n) => return Ok(format_number(*n)),
            Value::Str(s) => return Ok(self.format_string(ctx, s)),
            Value::Obj(id) => *id,
        };
        if ctx.seen.contains(&id) {
            let index = match ctx.circular.iter().position(|c| *c == id) {
                Some(i) => i + 1,
                None => {
                    ctx.circular.push(id);
                    ctx.circular.len()
                }
            };
            return Ok(format!("[Circular *{index}]"));
        }
        self.format_raw(ctx, id, recurse, depth)
    }

    fn format_string(&self, ctx: &Ctx, s: &str) -> String {
        let mut s: &str = s;
        let owned;
        let mut trailer = String::new();
        let len = width(s);
        if len > MAX_STRING_LENGTH {
            let remaining = len - MAX_STRING_LENGTH;
            owned = String::from_utf16_lossy(
                &s.encode_utf16().take(MAX_STRING_LENGTH).collect::<Vec<_>>(),
            );
            s = &owned;
            trailer = format!(
                "... {remaining} more character{}",
                if remaining > 1 { "s" } else { "" }
            );
        }
        let len = width(s);
        if len > MIN_LINE_LENGTH && len + ctx.indentation + 4 > BREAK_LENGTH {
            let lines: Vec<String> = s.split_inclusive('\n').map(quote).collect();
            return lines.join(&format!(" +\n{}", " ".repeat(ctx.indentation + 2))) + &trailer;
        }
        quote(s) + &trailer
    }

    fn function_base(&self, id: ObjId) -> String {
        let (is_async, name): (bool, String) = match &self.obj(id).kind {
            Kind::Closure { func, .. } => {
                let proto = &self.program.funcs[*func as usize];
                (proto.is_async, proto.name.to_string())
            }
            Kind::Native(native) => (false, super::heap::native_name(native).to_owned()),
            Kind::Bound { target, .. } => {
                let inner = match target {
                    Value::Obj(t) => match &self.obj(*t).kind {
                        Kind::Closure { func, .. } => {
                            self.program.funcs[*func as usize].name.to_string()
                        }
                        Kind::Native(native) => super::heap::native_name(native).to_owned(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                (false, format!("bound {inner}"))
            }
            _ => (false, String::new()),
        };
        let kind = if is_async {
            "AsyncFunction"
        } else {
            "Function"
        };
        if name.is_empty() {
            format!("[{kind} (anonymous)]")
        } else {
            format!("[{kind}: {name}]")
        }
    }

    fn format_raw(
        &mut self,
        ctx: &mut Ctx,
        id: ObjId,
        recurse: usize,
        depth: usize,
    ) -> Completion<String> {
        let obj = self.obj(id).clone();
        let keys = obj.keys();
        let mut base = String::new();
        let mut braces = ("{".to_string(), "}");
        let mut is_array = false;
        enum Extra {
            None,
            Array(Vec<Value>),
            Promise(PromiseState),
        }
        let mut extra = Extra::None;
        let mut hidden_keys: Vec<(String, Value)> = Vec::new();
        let plain_name = match &obj.kind {
            Kind::Array(items) => {
                if items.is_empty() && keys.is_empty() {
                    return Ok("[]".into());
                }
                braces = ("[".into(), "]");
                is_array = true;
                extra = Extra::Array(items.clone());
                "Array"
            }
            Kind::Closure { .. } | Kind::Native(_) | Kind::Bound { .. } => {
                base = self.function_base(id);
                if keys.is_empty() {
                    return Ok(base);
                }
                "Function"
            }
            Kind::Error { stack, errors, .. } => {
                base = format!("[{stack}]");
                if let Some(errors) = errors {
                    // AggregateError's `errors` is not enumerable: Node lists it as `[errors]`.
                    hidden_keys.push(("[errors]".into(), errors.clone()));
                }
                if keys.is_empty() && hidden_keys.is_empty() {
                    return Ok(base);
                }
                "Error"
            }
            Kind::Promise(p) => {
                braces = ("Promise {".into(), "}");
                extra = Extra::Promise(p.state.clone());
                "Promise"
            }
            Kind::Plain | Kind::Iter { .. } => {
                if keys.is_empty() {
                    return Ok("{}".into());
                }
                "Object"
            }
        };
        if recurse > depth {
            return Ok(format!("[{plain_name}]"));
        }
        let recurse = recurse + 1;
        ctx.seen.push(id);
        ctx.current_depth = recurse;
        let mut output: Vec<String> = Vec::new();
        let mut more_items = false;
        match &extra {
            Extra::Array(items) => {
                let len = items.len().min(MAX_ARRAY_LENGTH);
                for item in items.iter().take(len) {
                    ctx.indentation += 2;
                    let s = self.format_value(ctx, item, recurse, depth)?;
                    ctx.indentation -= 2;
                    output.push(s);
                }
                if items.len() > len {
                    let remaining = items.len() - len;
                    output.push(format!(
                        "... {remaining} more item{}",
                        if remaining > 1 { "s" } else { "" }
                    ));
                    more_items = true;
                }
            }
            Extra::Promise(state) => match state {
                PromiseState::Pending { .. } => output.push("<pending>".into()),
                PromiseState::Fulfilled(v) | PromiseState::Rejected(v) => {
                    ctx.indentation += 2;
                    let s = self.format_value(ctx, v, recurse, depth)?;
                    ctx.indentation -= 2;
                    if matches!(state, PromiseState::Rejected(_)) {
                        output.push(format!("<rejected> {s}"));
                    } else {
                        output.push(s);
                    }
                }
            },
            Extra::None => {}
        }
        for key in &keys {
            let value = obj.own(key).cloned().unwrap_or(Value::Undefined);
            ctx.indentation += 2;
            let s = self.format_value(ctx, &value, recurse, depth)?;
            ctx.indentation -= 2;
            let name = if is_plain_key(key) {
                key.to_string()
            } else {
                quote(key)
            };
            output.push(format!("{name}: {s}"));
        }
        for (name, value) in &hidden_keys {
            ctx.indentation += 2;
            let s = self.format_value(ctx, value, recurse, depth)?;
            ctx.indentation -= 2;
            output.push(format!("{name}: {s}"));
        }
        if let Some(index) = ctx.circular.iter().position(|c| *c == id) {
            let reference = format!("<ref *{}>", index + 1);
            base = if base.is_empty() {
                reference
            } else {
                format!("{reference} {base}")
            };
        }
        ctx.seen.pop();
        let values = match &extra {
            Extra::Array(items) => Some(items.as_slice()),
            _ => None,
        };
        Ok(self.reduce_to_single_string(
            ctx,
            output,
            &base,
            (&braces.0, braces.1),
            is_array,
            recurse,
            values,
            more_items,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn reduce_to_single_string(
        &self,
        ctx: &Ctx,
        mut output: Vec<String>,
        base: &str,
        braces: (&str, &str),
        is_array: bool,
        recurse: usize,
        values: Option<&[Value]>,
        more_items: bool,
    ) -> String {
        let entries = output.len();
        if is_array && entries > 6 {
            output = group_array_elements(ctx, output, values, more_items);
        }
        if ctx.current_depth - recurse < COMPACT && entries == output.len() {
            let start = output.len() + ctx.indentation + width(braces.0) + width(base) + 10;
            if is_below_break_length(&output, start, base) {
                let joined = output.join(", ");
                if !joined.contains('\n') {
                    let prefix = if base.is_empty() {
                        String::new()
                    } else {
                        format!("{base} ")
                    };
                    return format!("{prefix}{} {joined} {}", braces.0, braces.1);
                }
            }
        }
        let indentation = format!("\n{}", " ".repeat(ctx.indentation));
        let prefix = if base.is_empty() {
            String::new()
        } else {
            format!("{base} ")
        };
        format!(
            "{prefix}{}{indentation}  {}{indentation}{}",
            braces.0,
            output.join(&format!(",{indentation}  ")),
            braces.1
        )
    }
}

fn is_below_break_length(output: &[String], start: usize, base: &str) -> bool {
    let mut total = output.len() + start;
    if total + output.len() > BREAK_LENGTH {
        return false;
    }
    for entry in output {
        total += width(entry);
        if total > BREAK_LENGTH {
            return false;
        }
    }
    base.is_empty() || !base.contains('\n')
}

fn group_array_elements(
    ctx: &Ctx,
    output: Vec<String>,
    values: Option<&[Value]>,
    more_items: bool,
) -> Vec<String> {
    let mut total = 0usize;
    let mut max_length = 0usize;
    let output_length = if more_items {
        output.len() - 1
    } else {
        output.len()
    };
    let separator_space = 2;
    let mut data_len = Vec::with_capacity(output_length);
    for entry in output.iter().take(output_length) {
        let len = width(entry);
        data_len.push(len);
        total += len + separator_space;
        max_length = max_length.max(len);
    }
    let actual_max = max_length + separator_space;
    if actual_max * 3 + ctx.indentation < BREAK_LENGTH
        && (total as f64 / actual_max as f64 > 5.0 || max_length <= 6)
    {
        let approx_char_heights = 2.5;
        let average_bias = (actual_max as f64 - total as f64 / output.len() as f64).sqrt();
        let biased_max = (actual_max as f64 - 3.0 - average_bias).max(1.0);
        let columns = [
            ((approx_char_heights * biased_max * output_length as f64).sqrt() / biased_max).round(),
            ((BREAK_LENGTH - ctx.indentation) as f64 / actual_max as f64).floor(),
            (COMPACT * 4) as f64,
            15.0,
        ]
        .into_iter()
        .fold(f64::INFINITY, f64::min);
        let columns = if columns.is_nan() {
            0
        } else {
            columns as usize
        };
        if columns <= 1 {
            return output;
        }
        let mut max_line_length = Vec::with_capacity(columns);
        for i in 0..columns {
            let mut line_max = 0;
            let mut j = i;
            while j < output.len() {
                if j < data_len.len() && data_len[j] > line_max {
                    line_max = data_len[j];
                }
                j += columns;
            }
            max_line_length.push(line_max + separator_space);
        }
        let numbers = values.is_some_and(|values| {
            (0..output.len()).all(|i| matches!(values.get(i), Some(Value::Num(_))))
        });
        let mut grouped = Vec::new();
        let mut i = 0;
        while i < output_length {
            let max = (i + columns).min(output_length);
            let mut line = String::new();
            let mut j = i;
            while j < max - 1 {
                let cell = format!("{}, ", output[j]);
                let padding = max_line_length[j - i];
                line.push_str(&pad(&cell, padding, numbers));
                j += 1;
            }
            if numbers {
                let padding = max_line_length[j - i] - separator_space;
                line.push_str(&pad(&output[j], padding, true));
            } else {
                line.push_str(&output[j]);
            }
            grouped.push(line);
            i += columns;
        }
        if more_items {
            grouped.push(output[output_length].clone());
        }
        return grouped;
    }
    output
}

fn pad(s: &str, to: usize, start: bool) -> String {
    let w = width(s);
    if w >= to {
        return s.to_owned();
    }
    let fill = " ".repeat(to - w);
    if start {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}
