//! The built-ins a program can reach: the globals (`console`, timers,
//! `Promise`, `Math`, …), the methods of strings, numbers, arrays,
//! functions and promises, and the lab's two simulated helpers, `io`
//! and `work`. A built-in JavaScript has but this lab does not model
//! stops the run with "… is not supported in this lab" instead of acting
//! differently.

use std::rc::Rc;

use super::heap::{Kind, MathFn, Method, Native, Obj, Static, Stream};
use super::heap::{METHODS, method_name, static_name};
use super::machine::{
    Abrupt, Completion, Each, EachOp, Entry, Flow, Machine, NativeFrame, SortPhase, SortState,
};
use super::value::{ObjId, Value, number_to_string, string_to_number};

/// A fixed start for `Date.now()`: 2026-01-01T00:00:00Z.
pub const EPOCH_MS: f64 = 1_767_225_600_000.0;

/// Methods JavaScript has on each kind of value that this lab does not.
const UNSUPPORTED_ARRAY: &[&str] = &[
    "flatMap",
    "copyWithin",
    "toSorted",
    "toReversed",
    "toSpliced",
    "with",
    "values",
    "group",
    "groupBy",
    "findLastIndex_",
    "toLocaleString",
    "valueOf",
];
const UNSUPPORTED_STRING: &[&str] = &[
    "match",
    "matchAll",
    "search",
    "normalize",
    "localeCompare",
    "codePointAt",
    "toLocaleUpperCase",
    "toLocaleLowerCase",
    "isWellFormed",
    "toWellFormed",
    "valueOf",
    "anchor",
    "substr",
];
const UNSUPPORTED_NUMBER: &[&str] = &["toPrecision", "toExponential", "toLocaleString", "valueOf"];
const UNSUPPORTED_FUNCTION: &[&str] = &["prototype", "toString", "arguments", "caller"];
const UNSUPPORTED_OBJECT: &[&str] = &[
    "__proto__",
    "constructor",
    "valueOf",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "__defineGetter__",
    "__lookupGetter__",
];

/// Builds the globals and the shared method objects.
pub fn install(m: &mut Machine) -> Completion<()> {
    for (method, _) in METHODS {
        let id = m.alloc(Obj::new(Kind::Native(Native::Method(*method))))?;
        m.method_fns.push((*method, id));
    }
    let mut globals: Vec<(&str, Value)> = Vec::new();
    let plain = |m: &mut Machine,
                 entries: Vec<(&str, Native)>,
                 constants: Vec<(&str, Value)>|
     -> Completion<Value> {
        let id = m.alloc(Obj::new(Kind::Plain))?;
        for (name, native) in entries {
            let f = m.alloc_value(Kind::Native(native))?;
            m.obj_mut(id).set_own(Rc::from(name), f);
        }
        for (name, v) in constants {
            m.obj_mut(id).set_own(Rc::from(name), v);
        }
        Ok(Value::Obj(id))
    };
    let console = plain(
        m,
        vec![
            ("log", Native::Log(Stream::Log)),
            ("info", Native::Log(Stream::Info)),
            ("debug", Native::Log(Stream::Debug)),
            ("warn", Native::Log(Stream::Warn)),
            ("error", Native::Log(Stream::Error)),
        ],
        Vec::new(),
    )?;
    globals.push(("console", console));
    for (name, native) in [
        ("setTimeout", Native::SetTimeout),
        ("setInterval", Native::SetInterval),
        ("clearTimeout", Native::ClearTimer),
        ("clearInterval", Native::ClearTimer),
        ("queueMicrotask", Native::QueueMicrotask),
        ("requestAnimationFrame", Native::RequestAnimationFrame),
        ("cancelAnimationFrame", Native::CancelAnimationFrame),
        ("io", Native::Io),
        ("work", Native::Work),
        ("parseInt", Native::ParseInt),
        ("parseFloat", Native::ParseFloat),
        ("isNaN", Native::IsNaN),
        ("isFinite", Native::IsFinite),
    ] {
        let f = m.alloc_value(Kind::Native(native))?;
        globals.push((name, f));
    }
    let performance = plain(m, vec![("now", Native::PerformanceNow)], Vec::new())?;
    globals.push(("performance", performance));
    let date = plain(m, vec![("now", Native::DateNow)], Vec::new())?;
    globals.push(("Date", date));
    let math_fns = [
        MathFn::Floor,
        MathFn::Ceil,
        MathFn::Round,
        MathFn::Trunc,
        MathFn::Abs,
        MathFn::Sign,
        MathFn::Sqrt,
        MathFn::Cbrt,
        MathFn::Pow,
        MathFn::Max,
        MathFn::Min,
        MathFn::Log,
        MathFn::Log2,
        MathFn::Log10,
        MathFn::Exp,
        MathFn::Sin,
        MathFn::Cos,
        MathFn::Tan,
        MathFn::Atan2,
        MathFn::Hypot,
    ];
    let math = plain(
        m,
        math_fns
            .iter()
            .map(|f| {
                (
                    static_name(Static::Math(*f)),
                    Native::Static(Static::Math(*f)),
                )
            })
            .collect(),
        vec![
            ("PI", Value::Num(std::f64::consts::PI)),
            ("E", Value::Num(std::f64::consts::E)),
            ("SQRT2", Value::Num(std::f64::consts::SQRT_2)),
            ("LN2", Value::Num(std::f64::consts::LN_2)),
            ("LN10", Value::Num(std::f64::consts::LN_10)),
        ],
    )?;
    globals.push(("Math", math));
    let json = plain(
        m,
        vec![("stringify", Native::Static(Static::JsonStringify))],
        Vec::new(),
    )?;
    globals.push(("JSON", json));
    // Constructors with statics.
    let with_statics = |m: &mut Machine,
                        ctor: Native,
                        statics: Vec<Static>,
                        constants: Vec<(&str, Value)>|
     -> Completion<Value> {
        let id = m.alloc(Obj::new(Kind::Native(ctor)))?;
        for s in statics {
            let f = m.alloc_value(Kind::Native(Native::Static(s)))?;
            m.obj_mut(id).set_own(Rc::from(static_name(s)), f);
        }
        for (name, v) in constants {
            m.obj_mut(id).set_own(Rc::from(name), v);
        }
        Ok(Value::Obj(id))
    };
    let promise = with_statics(
        m,
        Native::PromiseCtor,
        vec![
            Static::PromiseResolve,
            Static::PromiseReject,
            Static::PromiseAll,
            Static::PromiseAllSettled,
            Static::PromiseRace,
            Static::PromiseAny,
        ],
        Vec::new(),
    )?;
    globals.push(("Promise", promise));
    let object = with_statics(
        m,
        Native::ObjectFn,
        vec![
            Static::ObjectKeys,
            Static::ObjectValues,
            Static::ObjectEntries,
            Static::ObjectAssign,
        ],
        Vec::new(),
    )?;
    globals.push(("Object", object));
    let array = with_statics(
        m,
        Native::ArrayFn,
        vec![Static::ArrayIsArray, Static::ArrayFrom, Static::ArrayOf],
        Vec::new(),
    )?;
    globals.push(("Array", array));
    let number = with_statics(
        m,
        Native::NumberFn,
        vec![
            Static::NumberIsInteger,
            Static::NumberIsFinite,
            Static::NumberIsNaN,
        ],
        vec![
            ("MAX_SAFE_INTEGER", Value::Num(9007199254740991.0)),
            ("MIN_SAFE_INTEGER", Value::Num(-9007199254740991.0)),
            ("EPSILON", Value::Num(f64::EPSILON)),
            ("MAX_VALUE", Value::Num(f64::MAX)),
            ("POSITIVE_INFINITY", Value::Num(f64::INFINITY)),
            ("NEGATIVE_INFINITY", Value::Num(f64::NEG_INFINITY)),
        ],
    )?;
    globals.push(("Number", number));
    let string = with_statics(
        m,
        Native::StringFn,
        vec![Static::StringFromCharCode],
        Vec::new(),
    )?;
    globals.push(("String", string));
    let boolean = m.alloc_value(Kind::Native(Native::BooleanFn))?;
    globals.push(("Boolean", boolean));
    for name in [
        "Error",
        "TypeError",
        "RangeError",
        "SyntaxError",
        "ReferenceError",
        "AggregateError",
    ] {
        let f = m.alloc_value(Kind::Native(Native::ErrorCtor(Rc::from(name))))?;
        globals.push((name, f));
    }
    globals.push(("undefined", Value::Undefined));
    globals.push(("NaN", Value::Num(f64::NAN)));
    globals.push(("Infinity", Value::Num(f64::INFINITY)));
    m.globals = globals.into_iter().map(|(n, v)| (Rc::from(n), v)).collect();
    Ok(())
}

/// V8's words for a value that cannot be iterated when it has no source
/// text to name it by.
pub fn not_iterable(m: &Machine, v: &Value) -> String {
    let what = match v {
        Value::Undefined => "undefined".to_owned(),
        Value::Null => "object null".to_owned(),
        Value::Num(n) => format!("number {}", number_to_string(*n)),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Str(s) => format!("string \"{s}\""),
        Value::Obj(_) => {
            if m.is_callable(v) {
                "function".to_owned()
            } else {
                "object".to_owned()
            }
        }
    };
    format!("{what} is not iterable (cannot read property Symbol(Symbol.iterator))")
}

/// Node's message for a callback that is not a function.
fn received(m: &Machine, v: &Value) -> String {
    match v {
        Value::Undefined => "Received undefined".into(),
        Value::Null => "Received null".into(),
        Value::Str(s) => format!("Received type string ('{s}')"),
        Value::Num(n) => format!("Received type number ({})", number_to_string(*n)),
        Value::Bool(b) => format!("Received type boolean ({b})"),
        Value::Obj(id) => match &m.obj(*id).kind {
            Kind::Array(_) => "Received an instance of Array".into(),
            Kind::Promise(_) => "Received an instance of Promise".into(),
            Kind::Error { name, .. } => format!("Received an instance of {name}"),
            _ => "Received an instance of Object".into(),
        },
    }
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Undefined)
}

impl Machine {
    pub fn method_value(&self, m: Method) -> Value {
        let id = self
            .method_fns
            .iter()
            .find(|(x, _)| *x == m)
            .map(|(_, id)| *id)
            .expect("every method has a function object");
        Value::Obj(id)
    }

    /// A property that built-in values have through their prototypes.
    pub fn builtin_member(&mut self, object: &Value, key: &str) -> Completion<Value> {
        let method = |name: &str, table: &[(Method, &str)]| {
            table.iter().find(|(_, n)| *n == name).map(|(m, _)| *m)
        };
        let (table, unsupported): (Vec<(Method, &str)>, &[&str]) = match object {
            Value::Str(_) => (
                METHODS
                    .iter()
                    .filter(|(m, _)| {
                        matches!(
                            m,
                            Method::CharAt
                                | Method::CharCodeAt
                                | Method::StrIndexOf
                                | Method::StrLastIndexOf
                                | Method::StrIncludes
                                | Method::StartsWith
                                | Method::EndsWith
                                | Method::StrSlice
                                | Method::Substring
                                | Method::ToUpperCase
                                | Method::ToLowerCase
                                | Method::Trim
                                | Method::TrimStart
                                | Method::TrimEnd
                                | Method::PadStart
                                | Method::PadEnd
                                | Method::Repeat
                                | Method::Split
                                | Method::StrConcat
                                | Method::Replace
                                | Method::ReplaceAll
                                | Method::StrAt
                                | Method::ToString
                        )
                    })
                    .copied()
                    .collect(),
                UNSUPPORTED_STRING,
            ),
            Value::Num(_) => (
                vec![(Method::ToFixed, "toFixed"), (Method::ToString, "toString")],
                UNSUPPORTED_NUMBER,
            ),
            Value::Bool(_) => (vec![(Method::ToString, "toString")], &[]),
            Value::Obj(id) => match &self.obj(*id).kind {
                Kind::Array(_) => (
                    METHODS
                        .iter()
                        .filter(|(m, _)| {
                            matches!(
                                m,
                                Method::Push
                                    | Method::Pop
                                    | Method::Shift
                                    | Method::Unshift
                                    | Method::Slice
                                    | Method::Splice
                                    | Method::Concat
                                    | Method::Join
                                    | Method::Reverse
                                    | Method::IndexOf
                                    | Method::LastIndexOf
                                    | Method::Includes
                                    | Method::Map
                                    | Method::Filter
                                    | Method::ForEach
                                    | Method::Reduce
                                    | Method::ReduceRight
                                    | Method::Find
                                    | Method::FindIndex
                                    | Method::FindLast
                                    | Method::FindLastIndex
                                    | Method::Some
                                    | Method::Every
                                    | Method::Sort
                                    | Method::Fill
                                    | Method::At
                                    | Method::Flat
                                    | Method::Keys
                                    | Method::Entries
                                    | Method::ToString
                            )
                        })
                        .copied()
                        .collect(),
                    UNSUPPORTED_ARRAY,
                ),
                Kind::Promise(_) => (
                    vec![
                        (Method::Then, "then"),
                        (Method::Catch, "catch"),
                        (Method::Finally, "finally"),
                    ],
                    UNSUPPORTED_OBJECT,
                ),
                Kind::Closure { .. } | Kind::Native(_) | Kind::Bound { .. } => (
                    vec![
                        (Method::Call, "call"),
                        (Method::Apply, "apply"),
                        (Method::Bind, "bind"),
                    ],
                    UNSUPPORTED_FUNCTION,
                ),
                Kind::Error { .. } => (vec![(Method::ToString, "toString")], UNSUPPORTED_OBJECT),
                _ => (
                    vec![
                        (Method::HasOwnProperty, "hasOwnProperty"),
                        (Method::ToString, "toString"),
                    ],
                    UNSUPPORTED_OBJECT,
                ),
            },
            Value::Undefined | Value::Null => unreachable!("checked by get_prop"),
        };
        if let Some(m) = method(key, &table) {
            return Ok(self.method_value(m));
        }
        if let Value::Obj(id) = object
            && !matches!(self.obj(*id).kind, Kind::Plain)
            && key == "hasOwnProperty"
        {
            return Ok(self.method_value(Method::HasOwnProperty));
        }
        if unsupported.contains(&key)
            || (matches!(object, Value::Obj(_)) && UNSUPPORTED_OBJECT.contains(&key))
        {
            return self.unsupported(format!("`.{key}` is not supported in this lab"));
        }
        if key == "random"
            && let Value::Obj(id) = object
            && Some(Value::Obj(*id)) == self.global("Math")
        {
            return self.unsupported(
                        "`Math.random` is not supported in this lab: a run must come out the same every time (pick the numbers yourself)",
                    );
        }
        Ok(Value::Undefined)
    }

    /// Runs a built-in function.
    pub fn call_native(
        &mut self,
        native: Native,
        this: Value,
        args: Vec<Value>,
    ) -> Completion<Flow> {
        let done = |v: Value| Ok(Flow::Done(v));
        match native {
            Native::Log(stream) => {
                self.console_log(stream, &args)?;
                done(Value::Undefined)
            }
            Native::SetTimeout | Native::SetInterval => {
                let f = arg(&args, 0);
                if !self.is_callable(&f) {
                    let msg = format!(
                        "The \"callback\" argument must be of type function. {}",
                        received(self, &f)
                    );
                    return self.throw("TypeError", msg);
                }
                let delay = self.to_number(&arg(&args, 1))?;
                let extra = args.iter().skip(2).cloned().collect();
                let id = self.set_timer(f, delay, extra, matches!(native, Native::SetInterval))?;
                done(Value::Num(id as f64))
            }
            Native::ClearTimer => {
                if let Value::Num(n) = arg(&args, 0) {
                    self.clear_timer(n);
                }
                done(Value::Undefined)
            }
            Native::QueueMicrotask => {
                let f = arg(&args, 0);
                if !self.is_callable(&f) {
                    let msg = format!(
                        "The \"callback\" argument must be of type function. {}",
                        received(self, &f)
                    );
                    return self.throw("TypeError", msg);
                }
                self.queue_microtask(f)?;
                done(Value::Undefined)
            }
            Native::RequestAnimationFrame => {
                let f = arg(&args, 0);
                if !self.is_callable(&f) {
                    return self.throw(
                        "TypeError",
                        "Failed to execute 'requestAnimationFrame' on 'Window': The callback provided as parameter 1 is not a function.",
                    );
                }
                let id = self.request_frame(f)?;
                done(Value::Num(id as f64))
            }
            Native::CancelAnimationFrame => {
                if let Value::Num(n) = arg(&args, 0) {
                    self.cancel_frame(n);
                }
                done(Value::Undefined)
            }
            Native::Io => {
                let label = self.to_string(&arg(&args, 0))?;
                let ms = self.to_number(&arg(&args, 1))?;
                if !(0.0..=60_000.0).contains(&ms) {
                    return self.throw("RangeError", "io(name, ms) takes 0 to 60000 ms");
                }
                // As `(label, ms, value = label) => …`: the value defaults to the label.
                let value = match arg(&args, 2) {
                    Value::Undefined => arg(&args, 0),
                    v => v,
                };
                let promise = self.start_io(label, ms, value)?;
                done(Value::Obj(promise))
            }
            Native::Work => {
                let ms = self.to_number(&arg(&args, 0))?;
                if !(0.0..=60_000.0).contains(&ms) {
                    return self.throw("RangeError", "work(ms) takes 0 to 60000 ms");
                }
                self.work(ms)?;
                done(Value::Undefined)
            }
            Native::PerformanceNow => done(Value::Num(self.clock as f64 / 1000.0)),
            Native::DateNow => done(Value::Num(EPOCH_MS + (self.clock / 1000) as f64)),
            Native::ParseInt => {
                let text = self.to_string(&arg(&args, 0))?;
                let radix = match arg(&args, 1) {
                    Value::Undefined => 0,
                    v => self.to_number(&v)? as i64,
                };
                done(Value::Num(parse_int(&text, radix)))
            }
            Native::ParseFloat => {
                let text = self.to_string(&arg(&args, 0))?;
                done(Value::Num(parse_float(&text)))
            }
            Native::IsNaN => {
                let n = self.to_number(&arg(&args, 0))?;
                done(Value::Bool(n.is_nan()))
            }
            Native::IsFinite => {
                let n = self.to_number(&arg(&args, 0))?;
                done(Value::Bool(n.is_finite()))
            }
            Native::NumberFn => {
                let n = if args.is_empty() {
                    0.0
                } else {
                    self.to_number(&args[0])?
                };
                done(Value::Num(n))
            }
            Native::StringFn => {
                let s = if args.is_empty() {
                    Rc::from("")
                } else {
                    self.to_string(&args[0])?
                };
                done(Value::Str(s))
            }
            Native::BooleanFn => done(Value::Bool(arg(&args, 0).truthy())),
            Native::ObjectFn => match arg(&args, 0) {
                v @ Value::Obj(_) => done(v),
                Value::Undefined | Value::Null => done(self.alloc_value(Kind::Plain)?),
                _ => self.unsupported(
                    "`Object(primitive)` (wrapper objects) is not supported in this lab",
                ),
            },
            Native::ArrayFn => done(self.array_constructor(args)?),
            Native::ErrorCtor(name) => done(self.construct_error(&name, args)?),
            Native::PromiseCtor => self.throw(
                "TypeError",
                "Promise constructor cannot be invoked without 'new'",
            ),
            Native::Static(s) => self.call_static(s, this, args),
            Native::Method(m) => self.call_method(m, this, args),
            Native::Resolve { promise, once } => {
                done(self.call_resolving(promise, &once, arg(&args, 0), false)?)
            }
            Native::Reject { promise, once } => {
                done(self.call_resolving(promise, &once, arg(&args, 0), true)?)
            }
            Native::Element {
                kind,
                index,
                values,
                remaining,
                resolve,
                reject,
                once,
            } => done(self.call_element(
                kind,
                index,
                values,
                &remaining,
                &resolve,
                &reject,
                &once,
                arg(&args, 0),
            )?),
            Native::ThenFinally(f) => self.call_finally_handler(&f, arg(&args, 0), false),
            Native::CatchFinally(f) => self.call_finally_handler(&f, arg(&args, 0), true),
            Native::ValueThunk(v) => done(v),
            Native::Thrower(v) => Err(Abrupt::Throw(v)),
        }
    }

    pub fn construct_error(&mut self, name: &str, args: Vec<Value>) -> Completion<Value> {
        let (message_arg, errors, options) = if name == "AggregateError" {
            (arg(&args, 1), Some(arg(&args, 0)), arg(&args, 2))
        } else {
            (arg(&args, 0), None, arg(&args, 1))
        };
        if let Value::Obj(_) = options {
            return self.unsupported("error options (`{ cause }`) are not supported in this lab");
        }
        let message: Rc<str> = match message_arg {
            Value::Undefined => Rc::from(""),
            v => self.to_string(&v)?,
        };
        let errors = match errors {
            Some(errors) => {
                let items = self.iterate(&errors, None)?;
                Some(self.new_array(items)?)
            }
            None => None,
        };
        let stack = super::machine::error_text(name, &message);
        self.alloc_value(Kind::Error {
            name: Rc::from(name),
            message,
            stack: Rc::from(stack.as_str()),
            errors,
        })
    }

    pub fn array_constructor(&mut self, args: Vec<Value>) -> Completion<Value> {
        if args.len() == 1
            && let Value::Num(_) = args[0]
        {
            return self.unsupported(
                    "`new Array(n)` makes empty slots, which this lab does not support: write `Array.from({ length: n }, () => 0)`",
                );
        }
        self.new_array(args)
    }

    fn call_static(&mut self, s: Static, _this: Value, args: Vec<Value>) -> Completion<Flow> {
        let done = |v: Value| Ok(Flow::Done(v));
        match s {
            Static::PromiseResolve => done(self.promise_static_resolve(arg(&args, 0))?),
            Static::PromiseReject => done(self.promise_static_reject(arg(&args, 0))?),
            Static::PromiseAll
            | Static::PromiseAllSettled
            | Static::PromiseRace
            | Static::PromiseAny => done(self.promise_combinator(s, arg(&args, 0))?),
            Static::ObjectKeys | Static::ObjectValues | Static::ObjectEntries => {
                let target = arg(&args, 0);
                if target.is_nullish() {
                    return self.throw("TypeError", "Cannot convert undefined or null to object");
                }
                let entries = self.own_entries(&target)?;
                let mut items = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    items.push(match s {
                        Static::ObjectKeys => Value::Str(k),
                        Static::ObjectValues => v,
                        _ => self.new_array(vec![Value::Str(k), v])?,
                    });
                }
                done(self.new_array(items)?)
            }
            Static::ObjectAssign => {
                let target = arg(&args, 0);
                if target.is_nullish() {
                    return self.throw("TypeError", "Cannot convert undefined or null to object");
                }
                for source in args.iter().skip(1) {
                    if source.is_nullish() {
                        continue;
                    }
                    for (k, v) in self.own_entries(source)? {
                        self.set_prop(&target, k, v)?;
                    }
                }
                done(target)
            }
            Static::ArrayIsArray => {
                let is = matches!(arg(&args, 0), Value::Obj(id) if matches!(self.obj(id).kind, Kind::Array(_)));
                done(Value::Bool(is))
            }
            Static::ArrayOf => done(self.new_array(args)?),
            Static::ArrayFrom => {
                let source = arg(&args, 0);
                let items = match &source {
                    Value::Str(_) => self.iterate(&source, None)?,
                    Value::Obj(id) if matches!(self.obj(*id).kind, Kind::Array(_)) => {
                        self.iterate(&source, None)?
                    }
                    Value::Obj(_) => {
                        // An array-like: `{ length: n }`.
                        let len = self.get_prop(&source, "length")?;
                        let len = self.to_number(&len)?;
                        let len = if len.is_nan() || len <= 0.0 {
                            0.0
                        } else {
                            len.floor()
                        };
                        if len > self.limits.max_array as f64 {
                            return Err(self.limit(format!(
                                "an array grew past {} elements",
                                self.limits.max_array
                            )));
                        }
                        let mut items = Vec::with_capacity(len as usize);
                        for i in 0..len as usize {
                            items.push(self.get_prop(&source, &i.to_string())?);
                        }
                        items
                    }
                    Value::Undefined | Value::Null => {
                        let what = not_iterable(self, &source);
                        return self.throw("TypeError", what);
                    }
                    _ => Vec::new(),
                };
                let map = arg(&args, 1);
                if map == Value::Undefined {
                    return done(self.new_array(items)?);
                }
                if !self.is_callable(&map) {
                    let what = self.short_text(&map);
                    return self.throw("TypeError", format!("{what} is not a function"));
                }
                let len = items.len();
                let source = self.new_array(items)?;
                self.drive_each(
                    Each {
                        op: EachOp::From,
                        array: source,
                        f: map,
                        this_arg: arg(&args, 2),
                        index: 0,
                        len,
                        acc: Value::Undefined,
                        out: Vec::new(),
                        current: Value::Undefined,
                    },
                    None,
                )
            }
            Static::NumberIsInteger => done(Value::Bool(
                matches!(arg(&args, 0), Value::Num(n) if n.is_finite() && n.fract() == 0.0),
            )),
            Static::NumberIsFinite => done(Value::Bool(
                matches!(arg(&args, 0), Value::Num(n) if n.is_finite()),
            )),
            Static::NumberIsNaN => done(Value::Bool(
                matches!(arg(&args, 0), Value::Num(n) if n.is_nan()),
            )),
            Static::JsonStringify => {
                if !matches!(arg(&args, 1), Value::Undefined | Value::Null) {
                    return self.unsupported(
                        "a replacer for `JSON.stringify` is not supported in this lab",
                    );
                }
                let indent = match arg(&args, 2) {
                    Value::Num(n) => " ".repeat(n.clamp(0.0, 10.0) as usize),
                    Value::Str(s) => s.chars().take(10).collect(),
                    _ => String::new(),
                };
                let mut seen = Vec::new();
                match self.json(&arg(&args, 0), &indent, "", &mut seen)? {
                    Some(text) => done(self.string(text)?),
                    None => done(Value::Undefined),
                }
            }
            Static::StringFromCharCode => {
                let mut units = Vec::new();
                for a in &args {
                    units.push(super::value::to_uint32(self.to_number(a)?) as u16);
                }
                done(Value::Str(Rc::from(
                    String::from_utf16_lossy(&units).as_str(),
                )))
            }
            Static::Math(f) => {
                let mut nums = Vec::with_capacity(args.len());
                for a in &args {
                    nums.push(self.to_number(a)?);
                }
                let x = nums.first().copied().unwrap_or(f64::NAN);
                let y = nums.get(1).copied().unwrap_or(f64::NAN);
                let v = match f {
                    MathFn::Floor => x.floor(),
                    MathFn::Ceil => x.ceil(),
                    MathFn::Round => js_round(x),
                    MathFn::Trunc => x.trunc(),
                    MathFn::Abs => x.abs(),
                    MathFn::Sign => {
                        if x.is_nan() || x == 0.0 {
                            x
                        } else {
                            x.signum()
                        }
                    }
                    MathFn::Sqrt => x.sqrt(),
                    MathFn::Cbrt => x.cbrt(),
                    MathFn::Pow => super::machine::js_pow(x, y),
                    MathFn::Max => nums.iter().fold(f64::NEG_INFINITY, |a, &b| {
                        if a.is_nan() || b.is_nan() {
                            f64::NAN
                        } else if a == 0.0 && b == 0.0 {
                            if a.is_sign_positive() || b.is_sign_positive() {
                                0.0
                            } else {
                                -0.0
                            }
                        } else {
                            a.max(b)
                        }
                    }),
                    MathFn::Min => nums.iter().fold(f64::INFINITY, |a, &b| {
                        if a.is_nan() || b.is_nan() {
                            f64::NAN
                        } else if a == 0.0 && b == 0.0 {
                            if a.is_sign_negative() || b.is_sign_negative() {
                                -0.0
                            } else {
                                0.0
                            }
                        } else {
                            a.min(b)
                        }
                    }),
                    MathFn::Log => x.ln(),
                    MathFn::Log2 => x.log2(),
                    MathFn::Log10 => x.log10(),
                    MathFn::Exp => x.exp(),
                    MathFn::Sin => x.sin(),
                    MathFn::Cos => x.cos(),
                    MathFn::Tan => x.tan(),
                    MathFn::Atan2 => x.atan2(y),
                    MathFn::Hypot => nums.iter().map(|n| n * n).sum::<f64>().sqrt(),
                };
                done(Value::Num(v))
            }
        }
    }

    fn json(
        &mut self,
        v: &Value,
        indent: &str,
        current: &str,
        seen: &mut Vec<ObjId>,
    ) -> Completion<Option<String>> {
        Ok(Some(match v {
            Value::Undefined => return Ok(None),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => {
                if n.is_finite() {
                    number_to_string(*n)
                } else {
                    "null".into()
                }
            }
            Value::Str(s) => json_quote(s),
            Value::Obj(id) => {
                if self.is_callable(v) {
                    return Ok(None);
                }
                if seen.contains(id) {
                    return self.throw("TypeError", "Converting circular structure to JSON");
                }
                if seen.len() >= super::machine::MAX_VALUE_DEPTH {
                    return Err(self.limit(format!(
                        "stopped: `JSON.stringify` went more than {} objects deep",
                        super::machine::MAX_VALUE_DEPTH
                    )));
                }
                seen.push(*id);
                let inner = format!("{current}{indent}");
                let (open, close, parts) = if let Kind::Array(items) = self.obj(*id).kind.clone() {
                    let mut parts = Vec::new();
                    for item in &items {
                        parts.push(
                            self.json(item, indent, &inner, seen)?
                                .unwrap_or_else(|| "null".into()),
                        );
                    }
                    ('[', ']', parts)
                } else {
                    let mut parts = Vec::new();
                    for (k, value) in self.own_entries(v)? {
                        if let Some(text) = self.json(&value, indent, &inner, seen)? {
                            let sep = if indent.is_empty() { ":" } else { ": " };
                            parts.push(format!("{}{sep}{text}", json_quote(&k)));
                        }
                    }
                    ('{', '}', parts)
                };
                seen.pop();
                if parts.is_empty() {
                    format!("{open}{close}")
                } else if indent.is_empty() {
                    format!("{open}{}{close}", parts.join(","))
                } else {
                    format!(
                        "{open}\n{inner}{}\n{current}{close}",
                        parts.join(&format!(",\n{inner}"))
                    )
                }
            }
        }))
    }

    fn this_array(&mut self, this: &Value, name: &str) -> Completion<ObjId> {
        match this {
            Value::Obj(id) if matches!(self.obj(*id).kind, Kind::Array(_)) => Ok(*id),
            _ => self.unsupported(format!(
                "calling `{name}` on something that is not an array is not supported in this lab"
            )),
        }
    }

    fn items(&self, id: ObjId) -> &Vec<Value> {
        match &self.obj(id).kind {
            Kind::Array(items) => items,
            _ => unreachable!("an array"),
        }
    }

    fn items_mut(&mut self, id: ObjId) -> &mut Vec<Value> {
        match &mut self.obj_mut(id).kind {
            Kind::Array(items) => items,
            _ => unreachable!("an array"),
        }
    }

    fn this_string(&mut self, this: &Value) -> Completion<Rc<str>> {
        if this.is_nullish() {
            return self.throw(
                "TypeError",
                "String.prototype method called on null or undefined",
            );
        }
        self.to_string(this)
    }

    fn call_method(&mut self, m: Method, this: Value, args: Vec<Value>) -> Completion<Flow> {
        let done = |v: Value| Ok(Flow::Done(v));
        let name = method_name(m);
        match m {
            // ---- promises ----
            Method::Then | Method::Catch | Method::Finally => {
                let Some(promise) = self.is_promise(&this) else {
                    return self.throw(
                        "TypeError",
                        format!(
                            "Method Promise.prototype.{name} called on incompatible receiver {}",
                            self.short_text(&this)
                        ),
                    );
                };
                done(match m {
                    Method::Then => self.promise_then(promise, &arg(&args, 0), &arg(&args, 1))?,
                    Method::Catch => {
                        self.promise_then(promise, &Value::Undefined, &arg(&args, 0))?
                    }
                    _ => self.promise_finally(promise, &arg(&args, 0))?,
                })
            }
            // ---- functions ----
            Method::Call => {
                let mut args = args.into_iter();
                let this_arg = args.next().unwrap_or(Value::Undefined);
                self.invoke(&this, this_arg, args.collect(), None)
            }
            Method::Apply => {
                let this_arg = arg(&args, 0);
                let list = match arg(&args, 1) {
                    Value::Undefined | Value::Null => Vec::new(),
                    v => self.iterate(&v, None)?,
                };
                self.invoke(&this, this_arg, list, None)
            }
            Method::Bind => {
                let mut args = args.into_iter();
                let this_arg = args.next().unwrap_or(Value::Undefined);
                done(self.alloc_value(Kind::Bound {
                    target: this,
                    this: this_arg,
                    args: args.collect(),
                })?)
            }
            // ---- any value ----
            Method::ToString => {
                if let Value::Num(n) = this
                    && let Value::Num(radix) = arg(&args, 0)
                    && radix != 10.0
                {
                    if !(2.0..=36.0).contains(&radix) {
                        return self
                            .throw("RangeError", "toString() radix must be between 2 and 36");
                    }
                    if n.fract() != 0.0 {
                        return self.unsupported(
                            "fractions in bases other than 10 are not supported in this lab",
                        );
                    }
                    return done(Value::Str(Rc::from(to_radix(n, radix as u32).as_str())));
                }
                if let Value::Obj(id) = this
                    && matches!(self.obj(id).kind, Kind::Plain)
                {
                    return done(Value::str("[object Object]"));
                }
                done(Value::Str(self.to_string(&this)?))
            }
            Method::HasOwnProperty => {
                let key = self.to_key(&arg(&args, 0))?;
                let has = match &this {
                    Value::Obj(id) => {
                        self.obj(*id).own(&key).is_some()
                            || match &self.obj(*id).kind {
                                Kind::Array(items) => {
                                    &*key == "length"
                                        || super::value::array_index(&key)
                                            .is_some_and(|i| i < items.len())
                                }
                                Kind::Error { .. } => &*key == "message",
                                _ => false,
                            }
                    }
                    _ => false,
                };
                done(Value::Bool(has))
            }
            Method::ToFixed => {
                let Value::Num(n) = this else {
                    return self.throw(
                        "TypeError",
                        "Number.prototype.toFixed requires that 'this' be a Number",
                    );
                };
                let digits = self.to_number(&arg(&args, 0))?;
                let digits = if digits.is_nan() { 0.0 } else { digits.trunc() };
                if !(0.0..=100.0).contains(&digits) {
                    return self.throw(
                        "RangeError",
                        "toFixed() digits argument must be between 0 and 100",
                    );
                }
                done(Value::Str(Rc::from(to_fixed(n, digits as usize).as_str())))
            }
            // ---- strings ----
            Method::CharAt
            | Method::CharCodeAt
            | Method::StrIndexOf
            | Method::StrLastIndexOf
            | Method::StrIncludes
            | Method::StartsWith
            | Method::EndsWith
            | Method::StrSlice
            | Method::Substring
            | Method::ToUpperCase
            | Method::ToLowerCase
            | Method::Trim
            | Method::TrimStart
            | Method::TrimEnd
            | Method::PadStart
            | Method::PadEnd
            | Method::Repeat
            | Method::Split
            | Method::StrConcat
            | Method::Replace
            | Method::ReplaceAll
            | Method::StrAt => {
                let s = self.this_string(&this)?;
                self.string_method(m, &s, &args).map(Flow::Done)
            }
            // ---- arrays ----
            _ => self.array_method(m, this, args),
        }
    }

    fn int_arg(&mut self, args: &[Value], i: usize, default: f64) -> Completion<f64> {
        match args.get(i) {
            None | Some(Value::Undefined) => Ok(default),
            Some(v) => {
                let n = self.to_number(v)?;
                Ok(if n.is_nan() { 0.0 } else { n.trunc() })
            }
        }
    }

    fn string_method(&mut self, m: Method, s: &str, args: &[Value]) -> Completion<Value> {
        let units: Vec<u16> = s.encode_utf16().collect();
        let len = units.len() as f64;
        let text = |u: &[u16]| Value::Str(Rc::from(String::from_utf16_lossy(u).as_str()));
        let relative = |n: f64| -> usize {
            if n < 0.0 {
                (len + n).max(0.0) as usize
            } else {
                n.min(len) as usize
            }
        };
        Ok(match m {
            Method::CharAt => {
                let i = self.int_arg(args, 0, 0.0)?;
                if i < 0.0 || i >= len {
                    Value::str("")
                } else {
                    text(&units[i as usize..i as usize + 1])
                }
            }
            Method::CharCodeAt => {
                let i = self.int_arg(args, 0, 0.0)?;
                if i < 0.0 || i >= len {
                    Value::Num(f64::NAN)
                } else {
                    Value::Num(units[i as usize] as f64)
                }
            }
            Method::StrAt => {
                let i = self.int_arg(args, 0, 0.0)?;
                let i = if i < 0.0 { len + i } else { i };
                if i < 0.0 || i >= len {
                    Value::Undefined
                } else {
                    text(&units[i as usize..i as usize + 1])
                }
            }
            Method::StrIndexOf
            | Method::StrLastIndexOf
            | Method::StrIncludes
            | Method::StartsWith
            | Method::EndsWith => {
                let needle: Vec<u16> = self.to_string(&arg(args, 0))?.encode_utf16().collect();
                let found = |at: usize| {
                    at + needle.len() <= units.len() && units[at..at + needle.len()] == needle[..]
                };
                match m {
                    Method::StrIndexOf => {
                        let from = self.int_arg(args, 1, 0.0)?.clamp(0.0, len) as usize;
                        Value::Num(
                            (from..=units.len())
                                .find(|&i| found(i))
                                .map_or(-1.0, |i| i as f64),
                        )
                    }
                    Method::StrLastIndexOf => Value::Num(
                        (0..=units.len())
                            .rev()
                            .find(|&i| found(i))
                            .map_or(-1.0, |i| i as f64),
                    ),
                    Method::StrIncludes => {
                        let from = self.int_arg(args, 1, 0.0)?.clamp(0.0, len) as usize;
                        Value::Bool((from..=units.len()).any(found))
                    }
                    Method::StartsWith => {
                        let at = self.int_arg(args, 1, 0.0)?.clamp(0.0, len) as usize;
                        Value::Bool(found(at))
                    }
                    _ => {
                        let end = self.int_arg(args, 1, len)?.clamp(0.0, len) as usize;
                        Value::Bool(
                            end >= needle.len() && units[end - needle.len()..end] == needle[..],
                        )
                    }
                }
            }
            Method::StrSlice => {
                let from = relative(self.int_arg(args, 0, 0.0)?);
                let to = relative(self.int_arg(args, 1, len)?);
                if from >= to {
                    Value::str("")
                } else {
                    text(&units[from..to])
                }
            }
            Method::Substring => {
                let a = self.int_arg(args, 0, 0.0)?.clamp(0.0, len) as usize;
                let b = self.int_arg(args, 1, len)?.clamp(0.0, len) as usize;
                let (from, to) = if a <= b { (a, b) } else { (b, a) };
                text(&units[from..to])
            }
            Method::ToUpperCase => Value::Str(Rc::from(s.to_uppercase().as_str())),
            Method::ToLowerCase => Value::Str(Rc::from(s.to_lowercase().as_str())),
            Method::Trim => Value::Str(Rc::from(s.trim_matches(is_js_space))),
            Method::TrimStart => Value::Str(Rc::from(s.trim_start_matches(is_js_space))),
            Method::TrimEnd => Value::Str(Rc::from(s.trim_end_matches(is_js_space))),
            Method::PadStart | Method::PadEnd => {
                let target = self.int_arg(args, 0, 0.0)?;
                if target > self.limits.max_string as f64 {
                    return Err(self.limit(format!(
                        "a string grew past {} characters",
                        self.limits.max_string
                    )));
                }
                let fill: Vec<u16> = match arg(args, 1) {
                    Value::Undefined => vec![b' ' as u16],
                    v => self.to_string(&v)?.encode_utf16().collect(),
                };
                let target = target.max(0.0) as usize;
                if target <= units.len() || fill.is_empty() {
                    return Ok(Value::Str(Rc::from(s)));
                }
                let pad: Vec<u16> = fill
                    .iter()
                    .copied()
                    .cycle()
                    .take(target - units.len())
                    .collect();
                let all: Vec<u16> = if m == Method::PadStart {
                    pad.into_iter().chain(units).collect()
                } else {
                    units.into_iter().chain(pad).collect()
                };
                text(&all)
            }
            Method::Repeat => {
                let n = self.to_number(&arg(args, 0))?;
                let n = if n.is_nan() { 0.0 } else { n.trunc() };
                if n < 0.0 || n.is_infinite() {
                    let shown = number_to_string(n);
                    return self.throw("RangeError", format!("Invalid count value: {shown}"));
                }
                if n * len > self.limits.max_string as f64 {
                    return Err(self.limit(format!(
                        "a string grew past {} characters",
                        self.limits.max_string
                    )));
                }
                Value::Str(Rc::from(s.repeat(n as usize).as_str()))
            }
            Method::Split => {
                let limit = match arg(args, 1) {
                    Value::Undefined => usize::MAX,
                    v => super::value::to_uint32(self.to_number(&v)?) as usize,
                };
                let parts: Vec<Value> = match arg(args, 0) {
                    Value::Undefined => vec![Value::Str(Rc::from(s))],
                    sep => {
                        let sep = self.to_string(&sep)?;
                        if sep.is_empty() {
                            units
                                .iter()
                                .map(|u| text(std::slice::from_ref(u)))
                                .collect()
                        } else {
                            s.split(&*sep).map(|p| Value::Str(Rc::from(p))).collect()
                        }
                    }
                };
                let parts = parts.into_iter().take(limit).collect();
                self.new_array(parts)?
            }
            Method::StrConcat => {
                let mut out = s.to_owned();
                for a in args {
                    out.push_str(&self.to_string(a)?);
                }
                self.string(out)?
            }
            Method::Replace | Method::ReplaceAll => {
                let pattern = self.to_string(&arg(args, 0))?;
                let replacement = arg(args, 1);
                if self.is_callable(&replacement) {
                    return self.unsupported(
                        "a function as the replacement in `replace` is not supported in this lab",
                    );
                }
                let replacement = self.to_string(&replacement)?;
                if replacement.contains('$') {
                    return self.unsupported(
                        "`$` patterns in a replacement are not supported in this lab",
                    );
                }
                let out = if m == Method::Replace {
                    s.replacen(&*pattern, &replacement, 1)
                } else if pattern.is_empty() {
                    let mut out = String::new();
                    for c in s.chars() {
                        out.push_str(&replacement);
                        out.push(c);
                    }
                    out.push_str(&replacement);
                    out
                } else {
                    s.replace(&*pattern, &replacement)
                };
                self.string(out)?
            }
            _ => unreachable!("string methods only"),
        })
    }

    fn array_method(&mut self, m: Method, this: Value, args: Vec<Value>) -> Completion<Flow> {
        let name = method_name(m);
        let id = self.this_array(&this, name)?;
        let done = |v: Value| Ok(Flow::Done(v));
        let len = self.items(id).len();
        let relative = |n: f64| -> usize {
            if n < 0.0 {
                (len as f64 + n).max(0.0) as usize
            } else {
                n.min(len as f64) as usize
            }
        };
        match m {
            Method::Push => {
                let n = self.array_push(&this, args)?;
                done(Value::Num(n as f64))
            }
            Method::Pop => done(self.items_mut(id).pop().unwrap_or(Value::Undefined)),
            Method::Shift => {
                let items = self.items_mut(id);
                done(if items.is_empty() { Value::Undefined } else { items.remove(0) })
            }
            Method::Unshift => {
                if len + args.len() > self.limits.max_array {
                    return Err(self.limit(format!("an array grew past {} elements", self.limits.max_array)));
                }
                let items = self.items_mut(id);
                for (i, v) in args.into_iter().enumerate() {
                    items.insert(i, v);
                }
                done(Value::Num(items.len() as f64))
            }
            Method::Slice => {
                let from = relative(self.int_arg(&args, 0, 0.0)?);
                let to = relative(self.int_arg(&args, 1, len as f64)?);
                let part = if from < to { self.items(id)[from..to].to_vec() } else { Vec::new() };
                done(self.new_array(part)?)
            }
            Method::Splice => {
                let start = relative(self.int_arg(&args, 0, 0.0)?);
                let count = if args.len() < 2 {
                    if args.is_empty() { 0 } else { len - start }
                } else {
                    (self.int_arg(&args, 1, 0.0)?.max(0.0) as usize).min(len - start)
                };
                let insert: Vec<Value> = args.iter().skip(2).cloned().collect();
                if len - count + insert.len() > self.limits.max_array {
                    return Err(self.limit(format!("an array grew past {} elements", self.limits.max_array)));
                }
                let removed: Vec<Value> = self.items_mut(id).splice(start..start + count, insert).collect();
                done(self.new_array(removed)?)
            }
            Method::Concat => {
                let mut out = self.items(id).clone();
                for a in &args {
                    match a {
                        Value::Obj(other) if matches!(self.obj(*other).kind, Kind::Array(_)) => {
                            out.extend(self.items(*other).iter().cloned())
                        }
                        v => out.push(v.clone()),
                    }
                }
                done(self.new_array(out)?)
            }
            Method::Join | Method::ToString => {
                let separator = match arg(&args, 0) {
                    Value::Undefined => Rc::from(","),
                    v if m == Method::Join => self.to_string(&v)?,
                    _ => Rc::from(","),
                };
                done(Value::Str(self.join_array(id, &separator)?))
            }
            Method::Reverse => {
                self.items_mut(id).reverse();
                done(this)
            }
            Method::IndexOf | Method::LastIndexOf | Method::Includes => {
                let target = arg(&args, 0);
                let items = self.items(id);
                let found = match m {
                    Method::IndexOf => items.iter().position(|v| super::machine::strict_equals(v, &target)),
                    Method::LastIndexOf => items.iter().rposition(|v| super::machine::strict_equals(v, &target)),
                    _ => {
                        let is_nan = matches!(target, Value::Num(n) if n.is_nan());
                        let has = items.iter().any(|v| {
                            super::machine::strict_equals(v, &target) || (is_nan && matches!(v, Value::Num(n) if n.is_nan()))
                        });
                        return done(Value::Bool(has));
                    }
                };
                done(Value::Num(found.map_or(-1.0, |i| i as f64)))
            }
            Method::Fill => {
                let value = arg(&args, 0);
                let from = relative(self.int_arg(&args, 1, 0.0)?);
                let to = relative(self.int_arg(&args, 2, len as f64)?);
                for slot in self.items_mut(id).iter_mut().take(to).skip(from) {
                    *slot = value.clone();
                }
                done(this)
            }
            Method::At => {
                let i = self.int_arg(&args, 0, 0.0)?;
                let i = if i < 0.0 { len as f64 + i } else { i };
                done(if i < 0.0 || i >= len as f64 {
                    Value::Undefined
                } else {
                    self.items(id)[i as usize].clone()
                })
            }
            Method::Flat => {
                let depth = self.int_arg(&args, 0, 1.0)?;
                let items = self.items(id).clone();
                let out = self.flatten(items, depth)?;
                done(self.new_array(out)?)
            }
            Method::Keys | Method::Entries => self.unsupported(format!(
                "`.{name}()` on arrays (iterators) is not supported in this lab: use a for loop or Object.{name}"
            )),
            Method::Sort => self.sort(id, this, arg(&args, 0)),
            Method::Map
            | Method::Filter
            | Method::ForEach
            | Method::Reduce
            | Method::ReduceRight
            | Method::Find
            | Method::FindIndex
            | Method::FindLast
            | Method::FindLastIndex
            | Method::Some
            | Method::Every => {
                let f = arg(&args, 0);
                if !self.is_callable(&f) {
                    let what = self.short_text(&f);
                    return self.throw("TypeError", format!("{what} is not a function"));
                }
                let op = match m {
                    Method::Map => EachOp::Map,
                    Method::Filter => EachOp::Filter,
                    Method::ForEach => EachOp::ForEach,
                    Method::Reduce => EachOp::Reduce,
                    Method::ReduceRight => EachOp::ReduceRight,
                    Method::Find => EachOp::Find,
                    Method::FindIndex => EachOp::FindIndex,
                    Method::FindLast => EachOp::FindLast,
                    Method::FindLastIndex => EachOp::FindLastIndex,
                    Method::Some => EachOp::Some,
                    _ => EachOp::Every,
                };
                let mut each = Each {
                    op,
                    array: this,
                    f,
                    this_arg: arg(&args, 1),
                    index: 0,
                    len,
                    acc: Value::Undefined,
                    out: Vec::new(),
                    current: Value::Undefined,
                };
                if matches!(op, EachOp::Reduce | EachOp::ReduceRight) {
                    each.this_arg = Value::Undefined;
                    if args.len() >= 2 {
                        each.acc = args[1].clone();
                    } else {
                        if len == 0 {
                            return self.throw("TypeError", "Reduce of empty array with no initial value");
                        }
                        let first = if op == EachOp::Reduce { 0 } else { len - 1 };
                        each.acc = self.items(id)[first].clone();
                        each.index = 1;
                    }
                }
                if matches!(op, EachOp::FindLast | EachOp::FindLastIndex | EachOp::ReduceRight) {
                    // These walk from the end: `index` counts steps taken.
                }
                self.drive_each(each, None)
            }
            _ => unreachable!("array methods only"),
        }
    }

    fn flatten(&mut self, items: Vec<Value>, depth: f64) -> Completion<Vec<Value>> {
        self.flatten_at(items, depth, 0)
    }

    fn flatten_at(
        &mut self,
        items: Vec<Value>,
        depth: f64,
        level: usize,
    ) -> Completion<Vec<Value>> {
        if level > super::machine::MAX_VALUE_DEPTH {
            return Err(self.limit(format!(
                "stopped: `flat` went more than {} arrays deep",
                super::machine::MAX_VALUE_DEPTH
            )));
        }
        let mut out = Vec::new();
        for item in items {
            match &item {
                Value::Obj(id) if depth >= 1.0 && matches!(self.obj(*id).kind, Kind::Array(_)) => {
                    let inner = self.items(*id).clone();
                    out.extend(self.flatten_at(inner, depth - 1.0, level + 1)?);
                }
                _ => out.push(item),
            }
            if out.len() > self.limits.max_array {
                return Err(self.limit(format!(
                    "an array grew past {} elements",
                    self.limits.max_array
                )));
            }
        }
        Ok(out)
    }

    /// The position in the array that step `index` of `each` looks at.
    fn each_position(each: &Each) -> usize {
        match each.op {
            EachOp::FindLast | EachOp::FindLastIndex | EachOp::ReduceRight => {
                each.len - 1 - each.index
            }
            _ => each.index,
        }
    }

    /// Calls the callback for each element in turn; `result` is the last
    /// call's value, if one just returned.
    pub fn drive_each(&mut self, mut each: Each, mut result: Option<Value>) -> Completion<Flow> {
        loop {
            if let Some(r) = result.take() {
                let position = Self::each_position(&each);
                let current = each.current.clone();
                let stop = match each.op {
                    EachOp::Map | EachOp::From => {
                        each.out.push(r);
                        None
                    }
                    EachOp::Filter => {
                        if r.truthy() {
                            each.out.push(current);
                        }
                        None
                    }
                    EachOp::ForEach => None,
                    EachOp::Reduce | EachOp::ReduceRight => {
                        each.acc = r;
                        None
                    }
                    EachOp::Find | EachOp::FindLast => r.truthy().then_some(current),
                    EachOp::FindIndex | EachOp::FindLastIndex => {
                        r.truthy().then_some(Value::Num(position as f64))
                    }
                    EachOp::Some => r.truthy().then_some(Value::Bool(true)),
                    EachOp::Every => (!r.truthy()).then_some(Value::Bool(false)),
                };
                if let Some(v) = stop {
                    return Ok(Flow::Done(v));
                }
                each.index += 1;
            }
            // The array is read live, but never past the length it had at the start.
            let items_len = match &each.array {
                Value::Obj(id) => self.items(*id).len(),
                _ => 0,
            };
            let position = if each.index < each.len {
                Some(Self::each_position(&each))
            } else {
                None
            };
            let Some(position) = position.filter(|&p| p < items_len) else {
                return Ok(Flow::Done(match each.op {
                    EachOp::Map | EachOp::Filter | EachOp::From => {
                        self.new_array(std::mem::take(&mut each.out))?
                    }
                    EachOp::ForEach => Value::Undefined,
                    EachOp::Reduce | EachOp::ReduceRight => each.acc.clone(),
                    EachOp::Find | EachOp::FindLast => Value::Undefined,
                    EachOp::FindIndex | EachOp::FindLastIndex => Value::Num(-1.0),
                    EachOp::Some => Value::Bool(false),
                    EachOp::Every => Value::Bool(true),
                }));
            };
            let value = match &each.array {
                Value::Obj(id) => self.items(*id)[position].clone(),
                _ => Value::Undefined,
            };
            each.current = value.clone();
            let index = Value::Num(position as f64);
            let args = match each.op {
                EachOp::Reduce | EachOp::ReduceRight => {
                    vec![each.acc.clone(), value, index, each.array.clone()]
                }
                EachOp::From => vec![value, index],
                _ => vec![value, index, each.array.clone()],
            };
            let f = each.f.clone();
            let this_arg = each.this_arg.clone();
            self.stack.push(Entry::Native(NativeFrame::Each(each)));
            match self.invoke(&f, this_arg, args, None) {
                Ok(Flow::Pushed) => return Ok(Flow::Pushed),
                Ok(Flow::Done(v)) => {
                    let Some(Entry::Native(NativeFrame::Each(back))) = self.stack.pop() else {
                        unreachable!()
                    };
                    each = back;
                    result = Some(v);
                }
                Err(abrupt) => {
                    self.stack.pop();
                    return Err(abrupt);
                }
            }
        }
    }

    pub fn resume_each(&mut self, each: Each, value: Value) -> Completion<Flow> {
        self.drive_each(each, Some(value))
    }

    fn sort(&mut self, id: ObjId, this: Value, compare: Value) -> Completion<Flow> {
        if compare != Value::Undefined && !self.is_callable(&compare) {
            return self.throw(
                "TypeError",
                "The comparison function must be either a function or undefined",
            );
        }
        let all = self.items(id).clone();
        let undefined = all.iter().filter(|v| **v == Value::Undefined).count();
        let items: Vec<Value> = all.into_iter().filter(|v| *v != Value::Undefined).collect();
        if compare == Value::Undefined {
            let mut keyed = Vec::with_capacity(items.len());
            for item in items {
                let key: Vec<u16> = self.to_string(&item)?.encode_utf16().collect();
                keyed.push((key, item));
            }
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            let mut sorted: Vec<Value> = keyed.into_iter().map(|(_, v)| v).collect();
            sorted.extend(std::iter::repeat_n(Value::Undefined, undefined));
            *self.items_mut(id) = sorted;
            return Ok(Flow::Done(this));
        }
        if items.len() < 2 {
            let mut sorted = items;
            sorted.extend(std::iter::repeat_n(Value::Undefined, undefined));
            *self.items_mut(id) = sorted;
            return Ok(Flow::Done(this));
        }
        let state = SortState {
            array: id,
            items,
            undefined,
            compare,
            phase: SortPhase::Run {
                idx: 1,
                descending: None,
            },
        };
        self.drive_sort(state, None)
    }

    pub fn resume_sort(&mut self, state: SortState, value: Value) -> Completion<Flow> {
        self.drive_sort(state, Some(value))
    }

    fn drive_sort(&mut self, mut s: SortState, mut result: Option<Value>) -> Completion<Flow> {
        let n = s.items.len();
        loop {
            if let Some(r) = result.take() {
                let order = self.to_number(&r)?;
                let negative = order < 0.0;
                match s.phase {
                    SortPhase::Run { idx, descending } => {
                        let descending_now = descending.unwrap_or(negative);
                        let continues = if descending.is_none() {
                            true
                        } else if descending_now {
                            negative
                        } else {
                            !negative
                        };
                        if continues {
                            s.phase = SortPhase::Run {
                                idx: idx + 1,
                                descending: Some(descending_now),
                            };
                        } else {
                            // The run is items[..idx].
                            if descending_now {
                                s.items[..idx].reverse();
                            }
                            s.phase = SortPhase::Insert {
                                start: idx,
                                left: 0,
                                right: idx,
                            };
                        }
                    }
                    SortPhase::Insert { start, left, right } => {
                        let mid = left + ((right - left) >> 1);
                        let (left, right) = if negative {
                            (left, mid)
                        } else {
                            (mid + 1, right)
                        };
                        s.phase = SortPhase::Insert { start, left, right };
                    }
                }
            }
            // What to compare next.
            let pair = match s.phase {
                SortPhase::Run { idx, descending } => {
                    if idx >= n {
                        if descending == Some(true) {
                            s.items.reverse();
                        }
                        s.phase = SortPhase::Insert {
                            start: n,
                            left: 0,
                            right: n,
                        };
                        continue;
                    }
                    (s.items[idx].clone(), s.items[idx - 1].clone())
                }
                SortPhase::Insert { start, left, right } => {
                    if start >= n {
                        let mut sorted = std::mem::take(&mut s.items);
                        sorted.extend(std::iter::repeat_n(Value::Undefined, s.undefined));
                        *self.items_mut(s.array) = sorted;
                        return Ok(Flow::Done(Value::Obj(s.array)));
                    }
                    if left >= right {
                        let pivot = s.items.remove(start);
                        s.items.insert(left, pivot);
                        let next = start + 1;
                        s.phase = SortPhase::Insert {
                            start: next,
                            left: 0,
                            right: next,
                        };
                        continue;
                    }
                    let mid = left + ((right - left) >> 1);
                    (s.items[start].clone(), s.items[mid].clone())
                }
            };
            let compare = s.compare.clone();
            self.stack.push(Entry::Native(NativeFrame::Sort(s)));
            match self.invoke(&compare, Value::Undefined, vec![pair.0, pair.1], None) {
                Ok(Flow::Pushed) => return Ok(Flow::Pushed),
                Ok(Flow::Done(v)) => {
                    let Some(Entry::Native(NativeFrame::Sort(back))) = self.stack.pop() else {
                        unreachable!()
                    };
                    s = back;
                    result = Some(v);
                }
                Err(abrupt) => {
                    self.stack.pop();
                    return Err(abrupt);
                }
            }
        }
    }
}

fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn json_quote(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `Math.round`: halves go up (towards +∞), and -0 stays.
fn js_round(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    if x > 0.0 && x < 0.5 {
        return 0.0;
    }
    if (-0.5..0.0).contains(&x) {
        return -0.0;
    }
    (x + 0.5).floor()
}

fn parse_int(text: &str, radix: i64) -> f64 {
    let t = text.trim_start_matches(is_js_space);
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let mut radix = radix;
    let mut t = t;
    if (radix == 0 || radix == 16)
        && let Some(rest) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))
    {
        t = rest;
        radix = 16;
    }
    if radix == 0 {
        radix = 10;
    }
    if !(2..=36).contains(&radix) {
        return f64::NAN;
    }
    let digits: Vec<u32> = t.chars().map_while(|c| c.to_digit(radix as u32)).collect();
    if digits.is_empty() {
        return f64::NAN;
    }
    let value = digits
        .iter()
        .fold(0.0, |acc, &d| acc * radix as f64 + d as f64);
    if negative { -value } else { value }
}

fn parse_float(text: &str) -> f64 {
    let t = text.trim_start_matches(is_js_space);
    // The longest prefix that reads as a number.
    let mut best = f64::NAN;
    let chars: Vec<char> = t.chars().take(400).collect();
    for end in (1..=chars.len()).rev() {
        let prefix: String = chars[..end].iter().collect();
        if prefix.ends_with(['e', 'E', '+', '-']) {
            continue;
        }
        if prefix == "Infinity" || prefix == "+Infinity" || prefix == "-Infinity" {
            return string_to_number(&prefix);
        }
        if prefix
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        {
            let n = string_to_number(&prefix);
            if !n.is_nan() && !prefix.starts_with("0x") && !prefix.starts_with("0X") {
                best = n;
                break;
            }
        }
    }
    best
}

/// `Number.prototype.toFixed`: from the exact value of the double, a tie
/// going to the larger digits (`(2.5).toFixed(0)` is `"3"`).
fn to_fixed(n: f64, digits: usize) -> String {
    if !n.is_finite() || n.abs() >= 1e21 {
        return number_to_string(n);
    }
    let negative = n < 0.0;
    // Every double below 1e21 has at most 1074 digits after the point:
    // this text is exact.
    let exact = format!("{:.1100}", n.abs());
    let (int_part, frac_part) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut kept: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes().take(digits))
        .collect();
    let next = frac_part.as_bytes().get(digits).copied().unwrap_or(b'0');
    if next >= b'5' {
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, b'1');
                break;
            }
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let split = kept.len() - digits;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&kept[..split]).unwrap_or("0"));
    if digits > 0 {
        out.push('.');
        out.push_str(std::str::from_utf8(&kept[split..]).unwrap_or(""));
    }
    out
}

fn to_radix(n: f64, radix: u32) -> String {
    if !n.is_finite() {
        return number_to_string(n);
    }
    let negative = n < 0.0;
    let mut x = n.abs();
    let mut digits = Vec::new();
    if x == 0.0 {
        return "0".into();
    }
    while x >= 1.0 {
        let d = (x % radix as f64) as u32;
        digits.push(std::char::from_digit(d, radix).unwrap_or('0'));
        x = (x / radix as f64).floor();
    }
    if negative {
        digits.push('-');
    }
    digits.iter().rev().collect()
}
