//! The machine's heap: objects (plain objects, arrays, functions,
//! promises, errors) and the environments closures keep alive. Nothing is
//! ever freed: a run is bounded, and [`MAX_OBJECTS`] is checked before
//! each allocation.

use std::cell::Cell;
use std::rc::Rc;

use super::value::{ObjId, Value, array_index};

/// The most objects a run may make.
pub const MAX_OBJECTS: usize = 200_000;
/// The most environments (scopes entered) a run may make.
pub const MAX_ENVS: usize = 400_000;

/// An index into the machine's environments.
pub type EnvId = u32;

#[derive(Debug, Clone)]
pub struct Env {
    /// `None` until the declaration runs (the temporal dead zone).
    pub slots: Vec<Option<Value>>,
    pub parent: Option<EnvId>,
    /// Which compiled scope it is (its names).
    pub scope: u32,
}

#[derive(Debug, Clone)]
pub struct Obj {
    pub kind: Kind,
    /// Own properties in the order they were made (integer keys are put
    /// first when listed, as JavaScript does).
    pub props: Vec<(Rc<str>, Value)>,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Plain,
    Array(Vec<Value>),
    Closure {
        func: u32,
        env: EnvId,
        /// An arrow function's `this`, taken where it was made.
        this: Option<Value>,
    },
    /// A built-in function.
    Native(Native),
    /// `f.bind(this, …args)`.
    Bound {
        target: Value,
        this: Value,
        args: Vec<Value>,
    },
    Promise(Promise),
    Error {
        name: Rc<str>,
        message: Rc<str>,
        /// `err.stack`, fixed when the error is made (with no stack
        /// frames: `TypeError: message`).
        stack: Rc<str>,
        /// An AggregateError's `errors` (not enumerable).
        errors: Option<Value>,
    },
    /// The state of a `for … of` or `for … in` loop.
    Iter {
        target: Value,
        index: usize,
        keys: Option<Vec<Rc<str>>>,
    },
}

/// A settled-once flag shared by a promise's resolving functions.
pub type Once = Rc<Cell<bool>>;

#[derive(Debug, Clone)]
pub enum Native {
    // Globals.
    SetTimeout,
    SetInterval,
    ClearTimer,
    QueueMicrotask,
    RequestAnimationFrame,
    CancelAnimationFrame,
    Io,
    Work,
    Log(Stream),
    PerformanceNow,
    DateNow,
    ParseInt,
    ParseFloat,
    IsNaN,
    IsFinite,
    NumberFn,
    StringFn,
    BooleanFn,
    ObjectFn,
    ArrayFn,
    ErrorCtor(Rc<str>),
    PromiseCtor,
    Static(Static),
    Method(Method),
    // Promise internals.
    Resolve {
        promise: ObjId,
        once: Once,
    },
    Reject {
        promise: ObjId,
        once: Once,
    },
    Element {
        kind: ElementKind,
        index: usize,
        values: ObjId,
        remaining: Rc<Cell<usize>>,
        resolve: Value,
        reject: Value,
        once: Once,
    },
    ThenFinally(Value),
    CatchFinally(Value),
    ValueThunk(Value),
    Thrower(Value),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Log,
    Info,
    Debug,
    Warn,
    Error,
}

/// What a `Promise.all`, `allSettled` or `any` element function records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementKind {
    All,
    SettledFulfilled,
    SettledRejected,
    AnyRejected,
}

/// Functions that live on a built-in namespace (`Promise.all`, `Math.max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Static {
    PromiseResolve,
    PromiseReject,
    PromiseAll,
    PromiseAllSettled,
    PromiseRace,
    PromiseAny,
    ObjectKeys,
    ObjectValues,
    ObjectEntries,
    ObjectAssign,
    ArrayIsArray,
    ArrayFrom,
    ArrayOf,
    NumberIsInteger,
    NumberIsFinite,
    NumberIsNaN,
    JsonStringify,
    StringFromCharCode,
    Math(MathFn),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFn {
    Floor,
    Ceil,
    Round,
    Trunc,
    Abs,
    Sign,
    Sqrt,
    Cbrt,
    Pow,
    Max,
    Min,
    Log,
    Log2,
    Log10,
    Exp,
    Sin,
    Cos,
    Tan,
    Atan2,
    Hypot,
}

/// Methods reached through a value (`arr.map`, `s.split`, `p.then`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    // Arrays.
    Push,
    Pop,
    Shift,
    Unshift,
    Slice,
    Splice,
    Concat,
    Join,
    Reverse,
    IndexOf,
    LastIndexOf,
    Includes,
    Map,
    Filter,
    ForEach,
    Reduce,
    ReduceRight,
    Find,
    FindIndex,
    FindLast,
    FindLastIndex,
    Some,
    Every,
    Sort,
    Fill,
    At,
    Flat,
    Keys,
    Entries,
    // Strings.
    CharAt,
    CharCodeAt,
    StrIndexOf,
    StrLastIndexOf,
    StrIncludes,
    StartsWith,
    EndsWith,
    StrSlice,
    Substring,
    ToUpperCase,
    ToLowerCase,
    Trim,
    TrimStart,
    TrimEnd,
    PadStart,
    PadEnd,
    Repeat,
    Split,
    StrConcat,
    Replace,
    ReplaceAll,
    StrAt,
    // Numbers.
    ToFixed,
    // Any value.
    ToString,
    HasOwnProperty,
    // Functions.
    Call,
    Apply,
    Bind,
    // Promises.
    Then,
    Catch,
    Finally,
}

#[derive(Debug, Clone)]
pub struct Promise {
    pub state: PromiseState,
    /// A handler was ever attached (HostPromiseRejectionTracker).
    pub handled: bool,
    /// Where it was made, for the lab's views (`Promise #3, line 4`).
    pub number: u32,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub enum PromiseState {
    Pending {
        fulfill: Vec<Reaction>,
        reject: Vec<Reaction>,
    },
    Fulfilled(Value),
    Rejected(Value),
}

/// What to do when a promise settles (a PromiseReaction record).
#[derive(Debug, Clone)]
pub struct Reaction {
    /// The promise `then` returned, settled by the handler's outcome.
    pub capability: Option<ObjId>,
    pub handler: Handler,
}

#[derive(Debug, Clone)]
pub enum Handler {
    /// A function given to `then`, `catch`, `finally`, or a built-in one.
    Function(Value),
    /// No handler: the value passes through (fulfilled) or the reason is
    /// thrown on (rejected).
    PassThrough,
    /// An `await` continuation: resume the suspended frame.
    Resume(u32),
}

impl Obj {
    pub fn new(kind: Kind) -> Obj {
        Obj {
            kind,
            props: Vec::new(),
        }
    }

    pub fn own(&self, key: &str) -> Option<&Value> {
        self.props.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    pub fn set_own(&mut self, key: Rc<str>, value: Value) {
        match self.props.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.props.push((key, value)),
        }
    }

    pub fn delete_own(&mut self, key: &str) -> bool {
        let before = self.props.len();
        self.props.retain(|(k, _)| &**k != key);
        before != self.props.len()
    }

    /// Own enumerable keys in JavaScript's order: integer keys ascending,
    /// then the others as they were made.
    pub fn keys(&self) -> Vec<Rc<str>> {
        let mut ints: Vec<(usize, Rc<str>)> = Vec::new();
        let mut others = Vec::new();
        for (k, _) in &self.props {
            match array_index(k) {
                Some(i) => ints.push((i, k.clone())),
                None => others.push(k.clone()),
            }
        }
        ints.sort_by_key(|(i, _)| *i);
        ints.into_iter().map(|(_, k)| k).chain(others).collect()
    }

    pub fn is_callable(&self) -> bool {
        matches!(
            self.kind,
            Kind::Closure { .. } | Kind::Native(_) | Kind::Bound { .. }
        )
    }
}

pub fn native_name(native: &Native) -> &'static str {
    match native {
        Native::SetTimeout => "setTimeout",
        Native::SetInterval => "setInterval",
        Native::ClearTimer => "clearTimeout",
        Native::QueueMicrotask => "queueMicrotask",
        Native::RequestAnimationFrame => "requestAnimationFrame",
        Native::CancelAnimationFrame => "cancelAnimationFrame",
        Native::Io => "io",
        Native::Work => "work",
        Native::Log(stream) => match stream {
            Stream::Log => "log",
            Stream::Info => "info",
            Stream::Debug => "debug",
            Stream::Warn => "warn",
            Stream::Error => "error",
        },
        Native::PerformanceNow => "now",
        Native::DateNow => "now",
        Native::ParseInt => "parseInt",
        Native::ParseFloat => "parseFloat",
        Native::IsNaN => "isNaN",
        Native::IsFinite => "isFinite",
        Native::NumberFn => "Number",
        Native::StringFn => "String",
        Native::BooleanFn => "Boolean",
        Native::ObjectFn => "Object",
        Native::ArrayFn => "Array",
        Native::ErrorCtor(name) => match &**name {
            "TypeError" => "TypeError",
            "RangeError" => "RangeError",
            "SyntaxError" => "SyntaxError",
            "ReferenceError" => "ReferenceError",
            "AggregateError" => "AggregateError",
            _ => "Error",
        },
        Native::PromiseCtor => "Promise",
        Native::Static(s) => static_name(*s),
        Native::Method(m) => method_name(*m),
        Native::Resolve { .. } | Native::Reject { .. } | Native::Element { .. } => "",
        Native::ThenFinally(_)
        | Native::CatchFinally(_)
        | Native::ValueThunk(_)
        | Native::Thrower(_) => "",
    }
}

pub fn native_length(native: &Native) -> u32 {
    match native {
        Native::SetTimeout | Native::SetInterval | Native::ParseInt | Native::Io => 2,
        Native::Log(_) | Native::PerformanceNow | Native::DateNow | Native::ClearTimer => 0,
        Native::Static(Static::Math(MathFn::Max | MathFn::Min | MathFn::Hypot)) => 2,
        _ => 1,
    }
}

pub fn static_name(s: Static) -> &'static str {
    match s {
        Static::PromiseResolve => "resolve",
        Static::PromiseReject => "reject",
        Static::PromiseAll => "all",
        Static::PromiseAllSettled => "allSettled",
        Static::PromiseRace => "race",
        Static::PromiseAny => "any",
        Static::ObjectKeys => "keys",
        Static::ObjectValues => "values",
        Static::ObjectEntries => "entries",
        Static::ObjectAssign => "assign",
        Static::ArrayIsArray => "isArray",
        Static::ArrayFrom => "from",
        Static::ArrayOf => "of",
        Static::NumberIsInteger => "isInteger",
        Static::NumberIsFinite => "isFinite",
        Static::NumberIsNaN => "isNaN",
        Static::JsonStringify => "stringify",
        Static::StringFromCharCode => "fromCharCode",
        Static::Math(f) => match f {
            MathFn::Floor => "floor",
            MathFn::Ceil => "ceil",
            MathFn::Round => "round",
            MathFn::Trunc => "trunc",
            MathFn::Abs => "abs",
            MathFn::Sign => "sign",
            MathFn::Sqrt => "sqrt",
            MathFn::Cbrt => "cbrt",
            MathFn::Pow => "pow",
            MathFn::Max => "max",
            MathFn::Min => "min",
            MathFn::Log => "log",
            MathFn::Log2 => "log2",
            MathFn::Log10 => "log10",
            MathFn::Exp => "exp",
            MathFn::Sin => "sin",
            MathFn::Cos => "cos",
            MathFn::Tan => "tan",
            MathFn::Atan2 => "atan2",
            MathFn::Hypot => "hypot",
        },
    }
}

pub const METHODS: &[(Method, &str)] = &[
    (Method::Push, "push"),
    (Method::Pop, "pop"),
    (Method::Shift, "shift"),
    (Method::Unshift, "unshift"),
    (Method::Slice, "slice"),
    (Method::Splice, "splice"),
    (Method::Concat, "concat"),
    (Method::Join, "join"),
    (Method::Reverse, "reverse"),
    (Method::IndexOf, "indexOf"),
    (Method::LastIndexOf, "lastIndexOf"),
    (Method::Includes, "includes"),
    (Method::Map, "map"),
    (Method::Filter, "filter"),
    (Method::ForEach, "forEach"),
    (Method::Reduce, "reduce"),
    (Method::ReduceRight, "reduceRight"),
    (Method::Find, "find"),
    (Method::FindIndex, "findIndex"),
    (Method::FindLast, "findLast"),
    (Method::FindLastIndex, "findLastIndex"),
    (Method::Some, "some"),
    (Method::Every, "every"),
    (Method::Sort, "sort"),
    (Method::Fill, "fill"),
    (Method::At, "at"),
    (Method::Flat, "flat"),
    (Method::Keys, "keys"),
    (Method::Entries, "entries"),
    (Method::CharAt, "charAt"),
    (Method::CharCodeAt, "charCodeAt"),
    (Method::StrIndexOf, "indexOf"),
    (Method::StrLastIndexOf, "lastIndexOf"),
    (Method::StrIncludes, "includes"),
    (Method::StartsWith, "startsWith"),
    (Method::EndsWith, "endsWith"),
    (Method::StrSlice, "slice"),
    (Method::Substring, "substring"),
    (Method::ToUpperCase, "toUpperCase"),
    (Method::ToLowerCase, "toLowerCase"),
    (Method::Trim, "trim"),
    (Method::TrimStart, "trimStart"),
    (Method::TrimEnd, "trimEnd"),
    (Method::PadStart, "padStart"),
    (Method::PadEnd, "padEnd"),
    (Method::Repeat, "repeat"),
    (Method::Split, "split"),
    (Method::StrConcat, "concat"),
    (Method::Replace, "replace"),
    (Method::ReplaceAll, "replaceAll"),
    (Method::StrAt, "at"),
    (Method::ToFixed, "toFixed"),
    (Method::ToString, "toString"),
    (Method::HasOwnProperty, "hasOwnProperty"),
    (Method::Call, "call"),
    (Method::Apply, "apply"),
    (Method::Bind, "bind"),
    (Method::Then, "then"),
    (Method::Catch, "catch"),
    (Method::Finally, "finally"),
];

pub fn method_name(m: Method) -> &'static str {
    METHODS
        .iter()
        .find(|(x, _)| *x == m)
        .map(|(_, n)| *n)
        .unwrap_or("")
}
