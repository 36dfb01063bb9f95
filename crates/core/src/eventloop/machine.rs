//! The machine that runs compiled code: a call stack of frames, each with
//! its own value stack, so that an `await` can set a frame aside whole and
//! a microtask can pick it up again. Built-in functions that call back
//! into the program (`map`, `new Promise`, `finally`) push a native frame
//! that takes the callback's result; nothing recurses on the Rust stack,
//! so the program's call depth is a checked limit, not a crash.

use std::rc::Rc;

use super::compile::{Op, Program};
use super::heap::{Env, EnvId, Kind, MAX_ENVS, MAX_OBJECTS, Native, Obj};
use super::queues::LoopState;
use super::record::Recorder;
use super::syntax::ast::BinaryOp;
use super::value::{
    ObjId, Value, array_index, number_to_string, string_to_number, to_int32, to_uint32,
};

/// Bounds on one run, each checked before the work it bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Statements run (steps of the lab).
    pub max_steps: u64,
    /// Instructions run, a backstop for loops without statements.
    pub max_ops: u64,
    /// Virtual time, in microseconds.
    pub max_time_us: u64,
    /// Jobs waiting in any one queue, timers and I/O included.
    pub max_queue: usize,
    /// Frames on the call stack.
    pub max_depth: usize,
    /// Characters in one string.
    pub max_string: usize,
    /// Elements in one array.
    pub max_array: usize,
    /// Lines printed.
    pub max_console: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_steps: 100_000,
            max_ops: 20_000_000,
            max_time_us: 60_000_000,
            max_queue: 10_000,
            max_depth: 1_000,
            max_string: 1_000_000,
            max_array: 100_000,
            max_console: 10_000,
        }
    }
}

/// Why a run ended early.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// A limit was reached: what and where.
    Limit(String),
    /// An exception no one caught: Node prints it and exits (the value is
    /// kept for the views).
    Uncaught(Value),
    /// A promise was rejected and nothing handled it by the end of the
    /// microtask queue: Node exits.
    Unhandled(Value),
    /// The program used something this lab does not model.
    Unsupported(String),
}

/// How an operation ended when not normally.
#[derive(Debug, Clone, PartialEq)]
pub enum Abrupt {
    /// A JavaScript exception.
    Throw(Value),
    /// The run ends.
    Stop(Stop),
}

pub type Completion<T> = Result<T, Abrupt>;

/// What calling a function did: finished with a value, or pushed a frame
/// whose result will come later.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    Done(Value),
    Pushed,
}

#[derive(Debug, Clone)]
pub struct Handler {
    pub pc: u32,
    pub stack_len: u32,
    pub env: EnvId,
}

#[derive(Debug, Clone)]
pub struct AsyncState {
    pub promise: ObjId,
    /// The caller is still waiting for the call to return (no `await`
    /// has suspended the frame yet).
    pub caller_waiting: bool,
}

#[derive(Debug, Clone)]
pub struct Frame {
    pub func: u32,
    pub pc: u32,
    pub stack: Vec<Value>,
    pub env: EnvId,
    pub this: Value,
    pub args: Vec<Value>,
    pub handlers: Vec<Handler>,
    pub async_state: Option<AsyncState>,
    /// The statement running now (`program.stmts` index).
    pub stmt: Option<u32>,
}

/// A built-in function in the middle of calling the program back.
#[derive(Debug, Clone)]
pub enum NativeFrame {
    /// The bottom of a job's stack: what to do with the callback's outcome.
    Job(JobBase),
    /// `new Promise(executor)`: the executor runs now.
    Executor { promise: ObjId, reject: Value },
    /// An array method calling its callback once per element.
    Each(Each),
    /// `sort` with a comparator.
    Sort(SortState),
    /// `finally`'s handler ran: pass on the value or the reason.
    Finally { value: Value, rejected: bool },
}

/// An array method's work, one callback at a time.
#[derive(Debug, Clone)]
pub struct Each {
    pub op: EachOp,
    pub array: Value,
    pub f: Value,
    pub this_arg: Value,
    pub index: usize,
    pub len: usize,
    pub acc: Value,
    pub out: Vec<Value>,
    /// The element the callback is looking at now.
    pub current: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EachOp {
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
    /// `Array.from(source, mapFn)`: `array` holds the source values.
    From,
}

/// `sort(compare)`: V8's TimSort for short arrays (a run found by
/// comparing neighbours, then binary insertion), one comparison at a time.
#[derive(Debug, Clone)]
pub struct SortState {
    pub array: ObjId,
    pub items: Vec<Value>,
    /// Undefined elements, put at the end without comparing.
    pub undefined: usize,
    pub compare: Value,
    pub phase: SortPhase,
}

#[derive(Debug, Clone)]
pub enum SortPhase {
    /// Finding the first run: `idx` is compared with `idx - 1`.
    Run {
        idx: usize,
        descending: Option<bool>,
    },
    /// Inserting `items[start]` into `items[..start]` between `left` and `right`.
    Insert {
        start: usize,
        left: usize,
        right: usize,
    },
}

#[derive(Debug, Clone)]
pub enum JobBase {
    /// A promise reaction: its outcome settles `capability`.
    Reaction { capability: Option<ObjId> },
    /// A callback the event loop called (script, timer, I/O, microtask,
    /// frame): an exception escaping it ends the program.
    Callback,
    /// Resolving a promise with a thenable: a throw from `then` rejects.
    Thenable { reject: Value },
}

#[derive(Debug, Clone)]
pub enum Entry {
    Js(Frame),
    Native(NativeFrame),
}

#[derive(Debug)]
pub struct Machine {
    /// The line of the innermost frame an exception left unhandled, while
    /// it unwinds (0 when none): where an uncaught error is reported.
    pub throw_line: u32,
    pub program: Rc<Program>,
    pub source: Rc<str>,
    pub objs: Vec<Obj>,
    pub envs: Vec<Env>,
    pub globals: Vec<(Rc<str>, Value)>,
    pub stack: Vec<Entry>,
    /// Frames set aside by `await`, by id.
    pub suspended: Vec<Option<Frame>>,
    pub limits: Limits,
    pub steps: u64,
    pub ops: u64,
    /// Virtual time in microseconds.
    pub clock: u64,
    pub loop_state: LoopState,
    pub rec: Recorder,
    /// The function objects of methods, made once (`Method as usize`).
    pub method_fns: Vec<(super::heap::Method, ObjId)>,
    pub promises_made: u32,
    /// Arrays being joined into text now (a cycle joins as `""`, as in V8).
    pub join_stack: Vec<ObjId>,
}

/// How deep values may nest when turned into text (arrays in arrays,
/// `JSON.stringify`, `flat`); deeper is a limit of the lab, not an error.
pub const MAX_VALUE_DEPTH: usize = 200;

/// What a statement costs in virtual time: 1 µs (a real engine is
/// faster; `work(ms)` is what takes time).
pub const STEP_US: u64 = 1;

impl Machine {
    pub fn obj(&self, id: ObjId) -> &Obj {
        &self.objs[id as usize]
    }

    pub fn obj_mut(&mut self, id: ObjId) -> &mut Obj {
        &mut self.objs[id as usize]
    }

    pub fn alloc(&mut self, obj: Obj) -> Completion<ObjId> {
        if self.objs.len() >= MAX_OBJECTS {
            return Err(self.limit(format!("the program made more than {MAX_OBJECTS} objects")));
        }
        self.objs.push(obj);
        Ok((self.objs.len() - 1) as ObjId)
    }

    pub fn alloc_value(&mut self, kind: Kind) -> Completion<Value> {
        self.alloc(Obj::new(kind)).map(Value::Obj)
    }

    pub fn limit(&self, what: String) -> Abrupt {
        Abrupt::Stop(Stop::Limit(what))
    }

    pub fn unsupported<T>(&self, what: impl Into<String>) -> Completion<T> {
        Err(Abrupt::Stop(Stop::Unsupported(what.into())))
    }

    fn new_env(&mut self, scope: u32, parent: Option<EnvId>) -> Completion<EnvId> {
        if self.envs.len() >= MAX_ENVS {
            return Err(self.limit(format!("the program entered more than {MAX_ENVS} scopes")));
        }
        let size = self.program.scopes[scope as usize].names.len();
        self.envs.push(Env {
            slots: vec![None; size],
            parent,
            scope,
        });
        Ok((self.envs.len() - 1) as EnvId)
    }

    /// An error object, as `new TypeError(message)` makes.
    pub fn make_error(&mut self, name: &str, message: impl Into<String>) -> Completion<Value> {
        let message: String = message.into();
        let stack = error_text(name, &message);
        self.alloc_value(Kind::Error {
            name: Rc::from(name),
            message: Rc::from(message.as_str()),
            stack: Rc::from(stack.as_str()),
            errors: None,
        })
    }

    pub fn throw<T>(&mut self, name: &str, message: impl Into<String>) -> Completion<T> {
        let error = self.make_error(name, message)?;
        Err(Abrupt::Throw(error))
    }

    pub fn string(&self, text: String) -> Completion<Value> {
        if text.chars().count() > self.limits.max_string {
            return Err(self.limit(format!(
                "a string grew past {} characters",
                self.limits.max_string
            )));
        }
        Ok(Value::Str(Rc::from(text.as_str())))
    }

    pub fn new_array(&mut self, items: Vec<Value>) -> Completion<Value> {
        if items.len() > self.limits.max_array {
            return Err(self.limit(format!(
                "an array grew past {} elements",
                self.limits.max_array
            )));
        }
        self.alloc_value(Kind::Array(items))
    }

    pub fn is_callable(&self, value: &Value) -> bool {
        match value {
            Value::Obj(id) => self.obj(*id).is_callable(),
            _ => false,
        }
    }

    fn frame(&mut self) -> &mut Frame {
        match self.stack.last_mut() {
            Some(Entry::Js(frame)) => frame,
            _ => unreachable!("the top of the stack runs code"),
        }
    }

    fn pop(&mut self) -> Value {
        self.frame()
            .stack
            .pop()
            .expect("the compiler balances the stack")
    }

    fn push(&mut self, value: Value) {
        self.frame().stack.push(value);
    }

    /// How many frames the program has on the stack (what the depth limit
    /// counts).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    // ---- running ----

    /// Runs the stack until it is empty (the job is over).
    pub fn run(&mut self) -> Result<(), Stop> {
        let program = self.program.clone();
        loop {
            let (func, pc) = match self.stack.last_mut() {
                None => return Ok(()),
                Some(Entry::Js(frame)) => {
                    let at = (frame.func, frame.pc);
                    frame.pc += 1;
                    at
                }
                Some(Entry::Native(_)) => unreachable!("native frames are resumed, never run"),
            };
            self.ops += 1;
            if self.ops > self.limits.max_ops {
                return Err(Stop::Limit(format!(
                    "stopped after {} instructions",
                    self.limits.max_ops
                )));
            }
            let op = program.funcs[func as usize].code[pc as usize];
            match self.op(op) {
                Ok(()) => {}
                Err(abrupt) => self.deliver(Err(abrupt))?,
            }
        }
    }

    /// Gives a completion to the top of the stack: a value to a frame that
    /// waits for it, an exception to the nearest handler (unwinding frames
    /// on the way), either to a native frame, which goes on from there.
    pub fn deliver(&mut self, mut completion: Completion<Value>) -> Result<(), Stop> {
        loop {
            match self.stack.last_mut() {
                None => {
                    return match completion {
                        Ok(_) => Ok(()),
                        Err(Abrupt::Throw(value)) => Err(Stop::Uncaught(value)),
                        Err(Abrupt::Stop(stop)) => Err(stop),
                    };
                }
                Some(Entry::Js(frame)) => match completion {
                    Ok(value) => {
                        frame.stack.push(value);
                        return Ok(());
                    }
                    Err(Abrupt::Stop(stop)) => return Err(stop),
                    Err(Abrupt::Throw(error)) => {
                        if let Some(handler) = frame.handlers.pop() {
                            frame.stack.truncate(handler.stack_len as usize);
                            frame.env = handler.env;
                            frame.stack.push(error);
                            frame.pc = handler.pc;
                            self.throw_line = 0;
                            return Ok(());
                        }
                        if self.throw_line == 0 {
                            self.throw_line = frame
                                .stmt
                                .map_or(0, |s| self.program.stmts[s as usize].start.line);
                        }
                        let Some(Entry::Js(frame)) = self.stack.pop() else {
                            unreachable!()
                        };
                        completion = self.finish_frame(frame, Err(error));
                    }
                },
                Some(Entry::Native(_)) => {
                    let Some(Entry::Native(native)) = self.stack.pop() else {
                        unreachable!()
                    };
                    completion = match self.resume(native, completion) {
                        Ok(Flow::Done(value)) => Ok(value),
                        Ok(Flow::Pushed) => return Ok(()),
                        Err(abrupt) => Err(abrupt),
                    };
                }
            }
        }
    }

    /// A frame ends with `outcome`: an async function settles its promise
    /// (and gives it to a caller still waiting); others pass the outcome on.
    fn finish_frame(&mut self, frame: Frame, outcome: Result<Value, Value>) -> Completion<Value> {
        match frame.async_state {
            Some(state) => {
                match outcome {
                    Ok(value) => self.resolve_promise(state.promise, value)?,
                    Err(error) => self.reject_promise(state.promise, error)?,
                }
                self.rec.frames_changed = true;
                if state.caller_waiting {
                    Ok(Value::Obj(state.promise))
                } else {
                    Ok(Value::Undefined)
                }
            }
            None => {
                self.rec.frames_changed = true;
                outcome.map_err(Abrupt::Throw)
            }
        }
    }

    /// Calls `f`: a frame is pushed for the program's own functions,
    /// built-ins run at once (or push frames of their own).
    pub fn invoke(
        &mut self,
        f: &Value,
        this: Value,
        args: Vec<Value>,
        text: Option<&str>,
    ) -> Completion<Flow> {
        let id = match f {
            Value::Obj(id) if self.obj(*id).is_callable() => *id,
            _ => {
                let what = text
                    .map(str::to_owned)
                    .unwrap_or_else(|| self.short_text(f));
                return self.throw("TypeError", format!("{what} is not a function"));
            }
        };
        if self.depth() >= self.limits.max_depth {
            return self.throw("RangeError", "Maximum call stack size exceeded");
        }
        match self.obj(id).kind.clone() {
            Kind::Closure {
                func,
                env,
                this: lexical,
            } => {
                let proto = &self.program.funcs[func as usize];
                let is_async = proto.is_async;
                let this = lexical.unwrap_or(this);
                let async_state = if is_async {
                    let promise = self.new_promise()?;
                    Some(AsyncState {
                        promise,
                        caller_waiting: true,
                    })
                } else {
                    None
                };
                self.stack.push(Entry::Js(Frame {
                    func,
                    pc: 0,
                    stack: Vec::new(),
                    env,
                    this,
                    args,
                    handlers: Vec::new(),
                    async_state,
                    stmt: None,
                }));
                self.rec.frames_changed = true;
                Ok(Flow::Pushed)
            }
            Kind::Native(native) => self.call_native(native, this, args),
            Kind::Bound {
                target,
                this: bound_this,
                args: mut bound_args,
            } => {
                bound_args.extend(args);
                self.invoke(&target, bound_this, bound_args, None)
            }
            _ => unreachable!("checked callable"),
        }
    }

    /// Calls `f` and, if it pushed a frame, runs it to its end first: for
    /// callbacks the event loop makes (a job's whole stack).
    pub fn call_job(
        &mut self,
        base: JobBase,
        f: &Value,
        this: Value,
        args: Vec<Value>,
    ) -> Result<(), Stop> {
        self.stack.push(Entry::Native(NativeFrame::Job(base)));
        match self.invoke(f, this, args, None) {
            Ok(Flow::Pushed) => {}
            Ok(Flow::Done(value)) => self.deliver(Ok(value))?,
            Err(abrupt) => self.deliver(Err(abrupt))?,
        }
        self.run()
    }

    /// A native frame gets the outcome of what it called.
    fn resume(&mut self, native: NativeFrame, completion: Completion<Value>) -> Completion<Flow> {
        match native {
            NativeFrame::Job(base) => match base {
                JobBase::Reaction { capability } => {
                    if let Some(promise) = capability {
                        match completion {
                            Ok(value) => self.resolve_promise(promise, value)?,
                            Err(Abrupt::Throw(error)) => self.reject_promise(promise, error)?,
                            Err(stop) => return Err(stop),
                        }
                    } else {
                        completion?;
                    }
                    Ok(Flow::Done(Value::Undefined))
                }
                JobBase::Callback => completion.map(|_| Flow::Done(Value::Undefined)),
                JobBase::Thenable { reject } => match completion {
                    Ok(_) => Ok(Flow::Done(Value::Undefined)),
                    Err(Abrupt::Throw(error)) => {
                        // The resolving function runs no code of the program.
                        self.invoke(&reject, Value::Undefined, vec![error], None)?;
                        Ok(Flow::Done(Value::Undefined))
                    }
                    Err(stop) => Err(stop),
                },
            },
            NativeFrame::Executor { promise, reject } => {
                self.rec.frames_changed = true;
                match completion {
                    Ok(_) => Ok(Flow::Done(Value::Obj(promise))),
                    Err(Abrupt::Throw(error)) => {
                        self.invoke(&reject, Value::Undefined, vec![error], None)?;
                        Ok(Flow::Done(Value::Obj(promise)))
                    }
                    Err(stop) => Err(stop),
                }
            }
            NativeFrame::Each(each) => {
                self.rec.frames_changed = true;
                self.resume_each(each, completion?)
            }
            NativeFrame::Sort(sort) => {
                self.rec.frames_changed = true;
                self.resume_sort(sort, completion?)
            }
            NativeFrame::Finally { value, rejected } => {
                self.rec.frames_changed = true;
                let result = completion?;
                self.after_finally(result, value, rejected)
            }
        }
    }

    // ---- variables ----

    fn env_at(&self, hops: u16) -> EnvId {
        let mut env = match self.stack.last() {
            Some(Entry::Js(frame)) => frame.env,
            _ => unreachable!(),
        };
        for _ in 0..hops {
            env = self.envs[env as usize]
                .parent
                .expect("the compiler counts hops");
        }
        env
    }

    fn slot_name(&self, env: EnvId, slot: u16) -> Rc<str> {
        let scope = self.envs[env as usize].scope;
        self.program.scopes[scope as usize].names[slot as usize].clone()
    }

    pub fn global(&self, name: &str) -> Option<Value> {
        self.globals
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v.clone())
    }

    // ---- the instructions ----

    fn op(&mut self, op: Op) -> Completion<()> {
        match op {
            Op::Stmt(n) => self.step(n)?,
            Op::Undefined => self.push(Value::Undefined),
            Op::Null => self.push(Value::Null),
            Op::Bool(b) => self.push(Value::Bool(b)),
            Op::Num(n) => self.push(Value::Num(n)),
            Op::Str(n) => {
                let text = self.program.names[n as usize].clone();
                self.push(Value::Str(text));
            }
            Op::Pop => {
                self.pop();
            }
            Op::Dup => {
                let v = self.frame().stack.last().cloned().expect("a value to copy");
                self.push(v);
            }
            Op::Dup2 => {
                let stack = &mut self.frame().stack;
                let n = stack.len();
                let (a, b) = (stack[n - 2].clone(), stack[n - 1].clone());
                stack.push(a);
                stack.push(b);
            }
            Op::Swap => {
                let stack = &mut self.frame().stack;
                let n = stack.len();
                stack.swap(n - 1, n - 2);
            }
            Op::Rot3 => {
                let stack = &mut self.frame().stack;
                let n = stack.len();
                let a = stack.remove(n - 3);
                stack.push(a);
            }
            Op::GetVar { hops, slot } => {
                let env = self.env_at(hops);
                match &self.envs[env as usize].slots[slot as usize] {
                    Some(v) => {
                        let v = v.clone();
                        self.push(v);
                    }
                    None => {
                        let name = self.slot_name(env, slot);
                        return self.throw(
                            "ReferenceError",
                            format!("Cannot access '{name}' before initialization"),
                        );
                    }
                }
            }
            Op::SetVar { hops, slot } => {
                let env = self.env_at(hops);
                let name = self.slot_name(env, slot);
                if self.envs[env as usize].slots[slot as usize].is_none() {
                    return self.throw(
                        "ReferenceError",
                        format!("Cannot access '{name}' before initialization"),
                    );
                }
                let scope = self.envs[env as usize].scope;
                if self.program.scopes[scope as usize].constants[slot as usize] {
                    return self.throw("TypeError", "Assignment to constant variable.");
                }
                let v = self.frame().stack.last().cloned().expect("a value");
                self.envs[env as usize].slots[slot as usize] = Some(v);
            }
            Op::InitVar { hops, slot } => {
                let v = self.pop();
                let env = self.env_at(hops);
                self.envs[env as usize].slots[slot as usize] = Some(v);
            }
            Op::GetGlobal(n) => {
                let name = self.program.names[n as usize].clone();
                match self.global(&name) {
                    Some(v) => self.push(v),
                    None => return self.throw("ReferenceError", format!("{name} is not defined")),
                }
            }
            Op::SetGlobal(n) => {
                let name = self.program.names[n as usize].clone();
                let v = self.frame().stack.last().cloned().expect("a value");
                match self.globals.iter_mut().find(|(g, _)| *g == name) {
                    Some(slot) => slot.1 = v,
                    None => return self.throw("ReferenceError", format!("{name} is not defined")),
                }
            }
            Op::TypeofGlobal(n) => {
                let name = self.program.names[n as usize].clone();
                let t = match self.global(&name) {
                    Some(v) => self.type_of(&v),
                    None => "undefined",
                };
                self.push(Value::str(t));
            }
            Op::PushScope(scope) => {
                let parent = self.frame().env;
                let env = self.new_env(scope, Some(parent))?;
                self.frame().env = env;
            }
            Op::PopScope => {
                let env = self.frame().env;
                let parent = self.envs[env as usize].parent.expect("a scope to leave");
                self.frame().env = parent;
            }
            Op::CopyScope => {
                let env = self.frame().env;
                let copy = self.envs[env as usize].clone();
                if self.envs.len() >= MAX_ENVS {
                    return Err(
                        self.limit(format!("the program entered more than {MAX_ENVS} scopes"))
                    );
                }
                self.envs.push(copy);
                let id = (self.envs.len() - 1) as EnvId;
                self.frame().env = id;
            }
            Op::This => {
                let this = self.frame().this.clone();
                self.push(this);
            }
            Op::GetProp(n) => {
                let object = self.pop();
                let key = self.program.names[n as usize].clone();
                let v = self.get_prop(&object, &key)?;
                self.push(v);
            }
            Op::SetProp(n) => {
                let value = self.pop();
                let object = self.pop();
                let key = self.program.names[n as usize].clone();
                self.set_prop(&object, key, value.clone())?;
                self.push(value);
            }
            Op::GetIndex => {
                let key = self.pop();
                let object = self.pop();
                let v = self.get_index(&object, &key)?;
                self.push(v);
            }
            Op::SetIndex => {
                let value = self.pop();
                let key = self.pop();
                let object = self.pop();
                let key = self.to_key(&key)?;
                self.set_prop(&object, key, value.clone())?;
                self.push(value);
            }
            Op::DeleteProp(n) => {
                let object = self.pop();
                let key = self.program.names[n as usize].clone();
                let done = self.delete_prop(&object, &key)?;
                self.push(Value::Bool(done));
            }
            Op::DeleteIndex => {
                let key = self.pop();
                let object = self.pop();
                let key = self.to_key(&key)?;
                let done = self.delete_prop(&object, &key)?;
                self.push(Value::Bool(done));
            }
            Op::NewArray(n) => {
                let stack = &mut self.frame().stack;
                let items = stack.split_off(stack.len() - n as usize);
                let array = self.new_array(items)?;
                self.push(array);
            }
            Op::ArrayPush => {
                let v = self.pop();
                let array = self.frame().stack.last().cloned().expect("an array");
                self.array_push(&array, vec![v])?;
            }
            Op::ArraySpread => {
                let iterable = self.pop();
                let items = self.iterate(&iterable, None)?;
                let array = self.frame().stack.last().cloned().expect("an array");
                self.array_push(&array, items)?;
            }
            Op::NewObject => {
                let object = self.alloc_value(Kind::Plain)?;
                self.push(object);
            }
            Op::DefineProp(n) => {
                let value = self.pop();
                let object = self.frame().stack.last().cloned().expect("an object");
                let key = self.program.names[n as usize].clone();
                if let Value::Obj(id) = object {
                    self.obj_mut(id).set_own(key, value);
                }
            }
            Op::DefineIndex => {
                let value = self.pop();
                let key = self.pop();
                let key = self.to_key(&key)?;
                let object = self.frame().stack.last().cloned().expect("an object");
                if let Value::Obj(id) = object {
                    self.obj_mut(id).set_own(key, value);
                }
            }
            Op::ObjectSpread => {
                let source = self.pop();
                let object = self.frame().stack.last().cloned().expect("an object");
                let entries = self.own_entries(&source)?;
                if let Value::Obj(id) = object {
                    for (k, v) in entries {
                        self.obj_mut(id).set_own(k, v);
                    }
                }
            }
            Op::Closure { func } => {
                let is_arrow = self.program.funcs[func as usize].is_arrow;
                let frame = self.frame();
                let env = frame.env;
                let this = is_arrow.then(|| frame.this.clone());
                let closure = self.alloc_value(Kind::Closure { func, env, this })?;
                self.push(closure);
            }
            Op::Template(n) => {
                let stack = &mut self.frame().stack;
                let parts = stack.split_off(stack.len() - n as usize);
                let mut text = String::new();
                for part in &parts {
                    text.push_str(&self.to_string(part)?);
                    if text.len() > self.limits.max_string {
                        return Err(self.limit(format!(
                            "a string grew past {} characters",
                            self.limits.max_string
                        )));
                    }
                }
                let v = self.string(text)?;
                self.push(v);
            }
            Op::Binary(op) => {
                let right = self.pop();
                let left = self.pop();
                let v = self.binary(op, &left, &right)?;
                self.push(v);
            }
            Op::Not => {
                let v = self.pop();
                self.push(Value::Bool(!v.truthy()));
            }
            Op::Neg => {
                let v = self.pop();
                let n = self.to_number(&v)?;
                self.push(Value::Num(-n));
            }
            Op::Plus | Op::ToNumber => {
                let v = self.pop();
                let n = self.to_number(&v)?;
                self.push(Value::Num(n));
            }
            Op::BitNot => {
                let v = self.pop();
                let n = self.to_number(&v)?;
                self.push(Value::Num(!to_int32(n) as f64));
            }
            Op::Typeof => {
                let v = self.pop();
                let t = self.type_of(&v);
                self.push(Value::str(t));
            }
            Op::UpdateProp {
                name,
                increment,
                prefix,
            } => {
                let object = self.pop();
                let key = self.program.names[name as usize].clone();
                let old = self.get_prop(&object, &key)?;
                let old = self.to_number(&old)?;
                let new = if increment { old + 1.0 } else { old - 1.0 };
                self.set_prop(&object, key, Value::Num(new))?;
                self.push(Value::Num(if prefix { new } else { old }));
            }
            Op::UpdateIndex { increment, prefix } => {
                let key = self.pop();
                let object = self.pop();
                let key = self.to_key(&key)?;
                let old = self.get_prop(&object, &key)?;
                let old = self.to_number(&old)?;
                let new = if increment { old + 1.0 } else { old - 1.0 };
                self.set_prop(&object, key, Value::Num(new))?;
                self.push(Value::Num(if prefix { new } else { old }));
            }
            Op::Jump(target) => self.frame().pc = target,
            Op::JumpIfFalse(target) => {
                if !self.pop().truthy() {
                    self.frame().pc = target;
                }
            }
            Op::JumpIfTrue(target) => {
                if self.pop().truthy() {
                    self.frame().pc = target;
                }
            }
            Op::JumpIfFalseKeep(target)
            | Op::JumpIfTrueKeep(target)
            | Op::JumpIfNotNullishKeep(target)
            | Op::JumpIfNotUndefinedKeep(target) => {
                let v = self.frame().stack.last().cloned().expect("a value");
                let jump = match op {
                    Op::JumpIfFalseKeep(_) => !v.truthy(),
                    Op::JumpIfTrueKeep(_) => v.truthy(),
                    Op::JumpIfNotNullishKeep(_) => !v.is_nullish(),
                    _ => v != Value::Undefined,
                };
                if jump {
                    self.frame().pc = target;
                }
            }
            Op::OptionalCheck { target, depth } => {
                let frame = self.frame();
                if frame.stack.last().is_some_and(Value::is_nullish) {
                    let n = frame.stack.len();
                    frame.stack.truncate(n - depth as usize);
                    frame.stack.push(Value::Undefined);
                    frame.pc = target;
                }
            }
            Op::Call { argc, text } => {
                let stack = &mut self.frame().stack;
                let args = stack.split_off(stack.len() - argc as usize);
                let f = self.pop();
                let this = self.pop();
                self.call_op(f, this, args, text)?;
            }
            Op::CallSpread { text } => {
                let args = self.pop();
                let args = self.array_items(&args);
                let f = self.pop();
                let this = self.pop();
                self.call_op(f, this, args, text)?;
            }
            Op::New { argc, text } => {
                let stack = &mut self.frame().stack;
                let args = stack.split_off(stack.len() - argc as usize);
                let f = self.pop();
                self.construct(f, args, text)?;
            }
            Op::NewSpread { text } => {
                let args = self.pop();
                let args = self.array_items(&args);
                let f = self.pop();
                self.construct(f, args, text)?;
            }
            Op::Return => {
                let value = self.pop();
                let Some(Entry::Js(frame)) = self.stack.pop() else {
                    unreachable!()
                };
                let completion = self.finish_frame(frame, Ok(value));
                self.deliver(completion).map_err(Abrupt::Stop)?;
            }
            Op::Await => {
                let value = self.pop();
                self.await_value(value)?;
            }
            Op::Throw => {
                let value = self.pop();
                return Err(Abrupt::Throw(value));
            }
            Op::EnterTry(pc) => {
                let frame = self.frame();
                let handler = Handler {
                    pc,
                    stack_len: frame.stack.len() as u32,
                    env: frame.env,
                };
                frame.handlers.push(handler);
            }
            Op::PopHandler => {
                self.frame().handlers.pop();
            }
            Op::IterStart { keys, text } => {
                let target = self.pop();
                let keys = if keys {
                    Some(match &target {
                        Value::Undefined | Value::Null => Vec::new(),
                        _ => self.enumerable_keys(&target),
                    })
                } else {
                    self.require_iterable(&target, text)?;
                    None
                };
                let iter = self.alloc_value(Kind::Iter {
                    target,
                    index: 0,
                    keys,
                })?;
                self.push(iter);
            }
            Op::IterNext(end) => {
                let iter = self.frame().stack.last().cloned().expect("an iterator");
                let id = iter.as_obj().expect("an iterator object");
                let next = self.iter_next(id);
                match next {
                    Some(v) => self.push(v),
                    None => {
                        self.pop();
                        self.frame().pc = end;
                    }
                }
            }
            Op::RequireIterable(text) => {
                let v = self.frame().stack.last().cloned().expect("a value");
                self.require_iterable(&v, Some(text))?;
            }
            Op::RequireObject(n) => {
                let v = self.frame().stack.last().cloned().expect("a value");
                if v.is_nullish() {
                    let what = if v == Value::Null {
                        "null"
                    } else {
                        "undefined"
                    };
                    let first = self.program.names[n as usize].clone();
                    return if first.is_empty() {
                        self.throw(
                            "TypeError",
                            format!("Cannot destructure '{what}' as it is {what}."),
                        )
                    } else {
                        self.throw(
                            "TypeError",
                            format!(
                                "Cannot destructure property '{first}' of '{what}' as it is {what}."
                            ),
                        )
                    };
                }
            }
            Op::ArrayRest(from) => {
                let v = self.pop();
                let items = self.iterate(&v, None)?;
                let rest = items.into_iter().skip(from as usize).collect();
                let array = self.new_array(rest)?;
                self.push(array);
            }
            Op::ObjectRest(n) => {
                let v = self.pop();
                let used = self.program.name_lists[n as usize].clone();
                let entries = self.own_entries(&v)?;
                let object = self.alloc(Obj::new(Kind::Plain))?;
                for (k, value) in entries {
                    if !used.contains(&k) {
                        self.obj_mut(object).set_own(k, value);
                    }
                }
                self.push(Value::Obj(object));
            }
            Op::RestArgs(from) => {
                let _ = self.pop();
                let args: Vec<Value> = self
                    .frame()
                    .args
                    .iter()
                    .skip(from as usize)
                    .cloned()
                    .collect();
                let array = self.new_array(args)?;
                self.push(array);
            }
            Op::Arg(n) => {
                let v = self
                    .frame()
                    .args
                    .get(n as usize)
                    .cloned()
                    .unwrap_or(Value::Undefined);
                self.push(v);
            }
        }
        Ok(())
    }

    /// One step: a statement starts. Costs [`STEP_US`] of virtual time.
    fn step(&mut self, stmt: u32) -> Completion<()> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return Err(self.limit(format!("stopped after {} steps", self.limits.max_steps)));
        }
        self.frame().stmt = Some(stmt);
        self.advance(STEP_US)?;
        self.record_step(Some(stmt));
        Ok(())
    }

    /// Virtual time passes while the program runs.
    pub fn advance(&mut self, us: u64) -> Completion<()> {
        let until = self.clock.saturating_add(us);
        if until > self.limits.max_time_us {
            return Err(self.limit(format!(
                "stopped at {} s of virtual time",
                self.limits.max_time_us / 1_000_000
            )));
        }
        self.clock = until;
        Ok(())
    }

    fn call_op(&mut self, f: Value, this: Value, args: Vec<Value>, text: u32) -> Completion<()> {
        let text = self.program.names[text as usize].clone();
        match self.invoke(&f, this, args, Some(&text))? {
            Flow::Done(v) => self.push(v),
            Flow::Pushed => {}
        }
        Ok(())
    }

    fn construct(&mut self, f: Value, args: Vec<Value>, text: u32) -> Completion<()> {
        let text = self.program.names[text as usize].clone();
        let native = match &f {
            Value::Obj(id) => match &self.obj(*id).kind {
                Kind::Native(native) => Some(native.clone()),
                Kind::Closure { .. } | Kind::Bound { .. } => {
                    return self.unsupported(format!(
                        "`new {text}`: `new` with the program's own functions is not supported in this lab (return an object from a function instead)"
                    ));
                }
                _ => None,
            },
            _ => None,
        };
        let flow = match native {
            Some(Native::PromiseCtor) => self.new_promise_from_executor(args)?,
            Some(Native::ErrorCtor(name)) => {
                let e = self.construct_error(&name, args)?;
                Flow::Done(e)
            }
            Some(Native::ArrayFn) => Flow::Done(self.array_constructor(args)?),
            Some(Native::ObjectFn) => Flow::Done(self.alloc_value(Kind::Plain)?),
            Some(Native::NumberFn | Native::StringFn | Native::BooleanFn) => {
                return self.unsupported(format!(
                    "`new {text}` (wrapper objects) is not supported in this lab"
                ));
            }
            Some(_) => return self.throw("TypeError", format!("{text} is not a constructor")),
            None => return self.throw("TypeError", format!("{text} is not a constructor")),
        };
        match flow {
            Flow::Done(v) => self.push(v),
            Flow::Pushed => {}
        }
        Ok(())
    }

    /// `await value`: the frame is set aside until the value settles; the
    /// caller (if it still waits) gets the function's promise now.
    fn await_value(&mut self, value: Value) -> Completion<()> {
        let promise = self.promise_resolve(value)?;
        let Some(Entry::Js(mut frame)) = self.stack.pop() else {
            unreachable!()
        };
        let id = self.suspended.len() as u32;
        let state = frame
            .async_state
            .as_mut()
            .expect("await only in async code");
        let to_caller = if state.caller_waiting {
            state.caller_waiting = false;
            Value::Obj(state.promise)
        } else {
            Value::Undefined
        };
        let name = self.frame_name(&frame);
        let line = frame
            .stmt
            .map(|s| self.program.stmts[s as usize].start.line)
            .unwrap_or(0);
        self.suspended.push(Some(frame));
        self.rec.frames_changed = true;
        self.note_await(promise, name, line);
        self.perform_then(
            promise,
            super::heap::Handler::Resume(id),
            super::heap::Handler::Resume(id),
            None,
        )?;
        self.deliver(Ok(to_caller)).map_err(Abrupt::Stop)
    }

    /// Picks up a frame an `await` set aside, with the awaited outcome.
    pub fn resume_frame(&mut self, id: u32, outcome: Result<Value, Value>) -> Result<(), Stop> {
        let frame = self.suspended[id as usize]
            .take()
            .expect("a frame resumes once");
        self.stack
            .push(Entry::Native(NativeFrame::Job(JobBase::Callback)));
        self.stack.push(Entry::Js(frame));
        self.rec.frames_changed = true;
        match outcome {
            Ok(value) => self.deliver(Ok(value))?,
            Err(error) => self.deliver(Err(Abrupt::Throw(error)))?,
        }
        self.run()
    }

    pub fn frame_name(&self, frame: &Frame) -> Rc<str> {
        let proto = &self.program.funcs[frame.func as usize];
        if frame.func == 0 {
            Rc::from("script")
        } else if proto.name.is_empty() {
            Rc::from("(anonymous)")
        } else {
            proto.name.clone()
        }
    }

    // ---- conversions ----

    pub fn type_of(&self, v: &Value) -> &'static str {
        match v.primitive_type() {
            Some(t) => t,
            None => {
                if self.is_callable(v) {
                    "function"
                } else {
                    "object"
                }
            }
        }
    }

    pub fn to_number(&mut self, v: &Value) -> Completion<f64> {
        Ok(match v {
            Value::Undefined => f64::NAN,
            Value::Null => 0.0,
            Value::Bool(b) => *b as u8 as f64,
            Value::Num(n) => *n,
            Value::Str(s) => string_to_number(s),
            Value::Obj(_) => {
                let text = self.to_string(v)?;
                string_to_number(&text)
            }
        })
    }

    /// `ToString`.
    pub fn to_string(&mut self, v: &Value) -> Completion<Rc<str>> {
        Ok(match v {
            Value::Undefined => Rc::from("undefined"),
            Value::Null => Rc::from("null"),
            Value::Bool(b) => Rc::from(if *b { "true" } else { "false" }),
            Value::Num(n) => Rc::from(number_to_string(*n).as_str()),
            Value::Str(s) => s.clone(),
            Value::Obj(id) => {
                if let Some(Value::Obj(f)) = self.obj(*id).own("toString").cloned()
                    && self.obj(f).is_callable()
                {
                    return self.unsupported(
                            "turning an object with its own `toString` into text is not supported in this lab",
                        );
                }
                match self.obj(*id).kind.clone() {
                    Kind::Plain | Kind::Iter { .. } => Rc::from("[object Object]"),
                    Kind::Promise(_) => Rc::from("[object Promise]"),
                    Kind::Array(_) => self.join_array(*id, ",")?,
                    Kind::Error { name, message, .. } => {
                        Rc::from(error_text(&name, &message).as_str())
                    }
                    Kind::Closure { .. } | Kind::Native(_) | Kind::Bound { .. } => {
                        return self.unsupported(
                            "turning a function into text is not supported in this lab",
                        );
                    }
                }
            }
        })
    }

    /// `Array.prototype.join`: nested arrays joined in turn, a cycle as `""`.
    pub fn join_array(&mut self, id: ObjId, separator: &str) -> Completion<Rc<str>> {
        if self.join_stack.contains(&id) {
            return Ok(Rc::from(""));
        }
        if self.join_stack.len() >= MAX_VALUE_DEPTH {
            return Err(self.limit(format!(
                "stopped: arrays nested more than {MAX_VALUE_DEPTH} deep were turned into text"
            )));
        }
        self.join_stack.push(id);
        let result = self.join_items(id, separator);
        self.join_stack.pop();
        result
    }

    fn join_items(&mut self, id: ObjId, separator: &str) -> Completion<Rc<str>> {
        let items = match &self.obj(id).kind {
            Kind::Array(items) => items.clone(),
            _ => Vec::new(),
        };
        let mut out = String::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            if !item.is_nullish() {
                out.push_str(&self.to_string(item)?);
            }
            if out.len() > self.limits.max_string {
                return Err(self.limit(format!(
                    "a string grew past {} characters",
                    self.limits.max_string
                )));
            }
        }
        Ok(Rc::from(out.as_str()))
    }

    /// A property key from any value.
    pub fn to_key(&mut self, v: &Value) -> Completion<Rc<str>> {
        self.to_string(v)
    }

    /// A short description of a value for error messages.
    pub fn short_text(&self, v: &Value) -> String {
        match v {
            Value::Str(s) => format!("\"{s}\""),
            Value::Num(n) => number_to_string(*n),
            Value::Bool(b) => b.to_string(),
            Value::Undefined => "undefined".into(),
            Value::Null => "null".into(),
            Value::Obj(id) => match &self.obj(*id).kind {
                Kind::Array(_) => "array".into(),
                _ => "object".into(),
            },
        }
    }

    fn binary(&mut self, op: BinaryOp, a: &Value, b: &Value) -> Completion<Value> {
        use BinaryOp::*;
        Ok(match op {
            Add => {
                let a = self.primitive_of(a)?;
                let b = self.primitive_of(b)?;
                if matches!(a, Value::Str(_)) || matches!(b, Value::Str(_)) {
                    let left = self.to_string(&a)?;
                    let right = self.to_string(&b)?;
                    if left.chars().count() + right.chars().count() > self.limits.max_string {
                        return Err(self.limit(format!(
                            "a string grew past {} characters",
                            self.limits.max_string
                        )));
                    }
                    let mut text = String::with_capacity(left.len() + right.len());
                    text.push_str(&left);
                    text.push_str(&right);
                    Value::Str(Rc::from(text.as_str()))
                } else {
                    Value::Num(self.to_number(&a)? + self.to_number(&b)?)
                }
            }
            Sub => Value::Num(self.to_number(a)? - self.to_number(b)?),
            Mul => Value::Num(self.to_number(a)? * self.to_number(b)?),
            Div => Value::Num(self.to_number(a)? / self.to_number(b)?),
            Rem => {
                let (x, y) = (self.to_number(a)?, self.to_number(b)?);
                Value::Num(x % y)
            }
            Exp => {
                let (x, y) = (self.to_number(a)?, self.to_number(b)?);
                Value::Num(js_pow(x, y))
            }
            StrictEq => Value::Bool(strict_equals(a, b)),
            StrictNotEq => Value::Bool(!strict_equals(a, b)),
            Eq => Value::Bool(self.loose_equals(a, b)?),
            NotEq => Value::Bool(!self.loose_equals(a, b)?),
            Lt => Value::Bool(self.less_than(a, b)? == Some(true)),
            Gt => Value::Bool(self.less_than(b, a)? == Some(true)),
            LtEq => Value::Bool(self.less_than(b, a)? == Some(false)),
            GtEq => Value::Bool(self.less_than(a, b)? == Some(false)),
            BitAnd => {
                Value::Num((to_int32(self.to_number(a)?) & to_int32(self.to_number(b)?)) as f64)
            }
            BitOr => {
                Value::Num((to_int32(self.to_number(a)?) | to_int32(self.to_number(b)?)) as f64)
            }
            BitXor => {
                Value::Num((to_int32(self.to_number(a)?) ^ to_int32(self.to_number(b)?)) as f64)
            }
            Shl => {
                let (x, y) = (to_int32(self.to_number(a)?), to_uint32(self.to_number(b)?));
                Value::Num(x.wrapping_shl(y & 31) as f64)
            }
            Shr => {
                let (x, y) = (to_int32(self.to_number(a)?), to_uint32(self.to_number(b)?));
                Value::Num((x >> (y & 31)) as f64)
            }
            UShr => {
                let (x, y) = (to_uint32(self.to_number(a)?), to_uint32(self.to_number(b)?));
                Value::Num((x >> (y & 31)) as f64)
            }
            In => {
                let Value::Obj(_) = b else {
                    let key = self.to_string(a)?;
                    let target = self.to_string(b)?;
                    return self.throw(
                        "TypeError",
                        format!("Cannot use 'in' operator to search for '{key}' in {target}"),
                    );
                };
                let key = self.to_key(a)?;
                Value::Bool(self.has_property(b, &key))
            }
            Instanceof => Value::Bool(self.instance_of(a, b)?),
        })
    }

    /// `ToPrimitive` for the values this lab has (no user `valueOf`).
    fn primitive_of(&mut self, v: &Value) -> Completion<Value> {
        match v {
            Value::Obj(_) => Ok(Value::Str(self.to_string(v)?)),
            other => Ok(other.clone()),
        }
    }

    fn loose_equals(&mut self, a: &Value, b: &Value) -> Completion<bool> {
        Ok(match (a, b) {
            (Value::Undefined | Value::Null, Value::Undefined | Value::Null) => true,
            (Value::Undefined | Value::Null, _) | (_, Value::Undefined | Value::Null) => false,
            (Value::Obj(x), Value::Obj(y)) => x == y,
            (Value::Num(_), Value::Str(_)) | (Value::Str(_), Value::Num(_)) => {
                self.to_number(a)? == self.to_number(b)?
            }
            (Value::Bool(_), _) => {
                let n = Value::Num(self.to_number(a)?);
                self.loose_equals(&n, b)?
            }
            (_, Value::Bool(_)) => {
                let n = Value::Num(self.to_number(b)?);
                self.loose_equals(a, &n)?
            }
            (Value::Obj(_), _) => {
                let p = self.primitive_of(a)?;
                self.loose_equals(&p, b)?
            }
            (_, Value::Obj(_)) => {
                let p = self.primitive_of(b)?;
                self.loose_equals(a, &p)?
            }
            _ => strict_equals(a, b),
        })
    }

    /// `a < b`: `None` when either side is NaN (every comparison false).
    fn less_than(&mut self, a: &Value, b: &Value) -> Completion<Option<bool>> {
        let a = self.primitive_of(a)?;
        let b = self.primitive_of(b)?;
        if let (Value::Str(x), Value::Str(y)) = (&a, &b) {
            return Ok(Some(x.encode_utf16().lt(y.encode_utf16())));
        }
        let (x, y) = (self.to_number(&a)?, self.to_number(&b)?);
        if x.is_nan() || y.is_nan() {
            return Ok(None);
        }
        Ok(Some(x < y))
    }

    // ---- properties ----

    pub fn get_index(&mut self, object: &Value, key: &Value) -> Completion<Value> {
        if let (Value::Obj(id), Value::Num(n)) = (object, key)
            && let Kind::Array(items) = &self.obj(*id).kind
            && *n >= 0.0
            && n.fract() == 0.0
        {
            return Ok(items.get(*n as usize).cloned().unwrap_or(Value::Undefined));
        }
        let key = match (object, key) {
            (Value::Undefined | Value::Null, _) => {
                let k = self.to_key(key)?;
                return self.get_prop(object, &k);
            }
            _ => self.to_key(key)?,
        };
        self.get_prop(object, &key)
    }

    pub fn get_prop(&mut self, object: &Value, key: &str) -> Completion<Value> {
        match object {
            Value::Undefined | Value::Null => {
                let what = if *object == Value::Null {
                    "null"
                } else {
                    "undefined"
                };
                self.throw(
                    "TypeError",
                    format!("Cannot read properties of {what} (reading '{key}')"),
                )
            }
            Value::Str(s) => {
                if key == "length" {
                    return Ok(Value::Num(s.encode_utf16().count() as f64));
                }
                if let Some(i) = array_index(key) {
                    let unit: Vec<u16> = s.encode_utf16().skip(i).take(1).collect();
                    return Ok(if unit.is_empty() {
                        Value::Undefined
                    } else {
                        Value::Str(Rc::from(String::from_utf16_lossy(&unit).as_str()))
                    });
                }
                self.builtin_member(object, key)
            }
            Value::Num(_) | Value::Bool(_) => self.builtin_member(object, key),
            Value::Obj(id) => {
                let id = *id;
                if let Some(v) = self.obj(id).own(key) {
                    return Ok(v.clone());
                }
                match &self.obj(id).kind {
                    Kind::Array(items) => {
                        if key == "length" {
                            return Ok(Value::Num(items.len() as f64));
                        }
                        if let Some(i) = array_index(key) {
                            return Ok(items.get(i).cloned().unwrap_or(Value::Undefined));
                        }
                    }
                    Kind::Error {
                        name,
                        message,
                        stack,
                        errors,
                    } => match key {
                        "name" => return Ok(Value::Str(name.clone())),
                        "message" => return Ok(Value::Str(message.clone())),
                        "stack" => return Ok(Value::Str(stack.clone())),
                        "errors" if errors.is_some() => {
                            return Ok(errors.clone().unwrap_or(Value::Undefined));
                        }
                        _ => {}
                    },
                    Kind::Closure { func, .. } => match key {
                        "name" => {
                            return Ok(Value::Str(self.program.funcs[*func as usize].name.clone()));
                        }
                        "length" => {
                            return Ok(Value::Num(
                                self.program.funcs[*func as usize].length as f64,
                            ));
                        }
                        _ => {}
                    },
                    Kind::Native(native) => match key {
                        "name" => {
                            return Ok(Value::Str(Rc::from(super::heap::native_name(native))));
                        }
                        "length" => {
                            return Ok(Value::Num(super::heap::native_length(native) as f64));
                        }
                        _ => {}
                    },
                    _ => {}
                }
                self.builtin_member(object, key)
            }
        }
    }

    pub fn set_prop(&mut self, object: &Value, key: Rc<str>, value: Value) -> Completion<()> {
        match object {
            Value::Undefined | Value::Null => {
                let what = if *object == Value::Null {
                    "null"
                } else {
                    "undefined"
                };
                self.throw(
                    "TypeError",
                    format!("Cannot set properties of {what} (setting '{key}')"),
                )
            }
            Value::Str(s) => {
                let s = s.clone();
                self.throw(
                    "TypeError",
                    format!("Cannot create property '{key}' on string '{s}'"),
                )
            }
            Value::Num(n) => {
                let n = number_to_string(*n);
                self.throw(
                    "TypeError",
                    format!("Cannot create property '{key}' on number '{n}'"),
                )
            }
            Value::Bool(b) => self.throw(
                "TypeError",
                format!("Cannot create property '{key}' on boolean '{b}'"),
            ),
            Value::Obj(id) => {
                let id = *id;
                let max_array = self.limits.max_array;
                let quiet = self.to_string_quiet(&value);
                let kind = &mut self.objs[id as usize].kind;
                match kind {
                    Kind::Array(items) => {
                        if &*key == "length" {
                            let n = match value {
                                Value::Num(n) if n >= 0.0 && n.fract() == 0.0 => n as usize,
                                _ => return self.throw("RangeError", "Invalid array length"),
                            };
                            if n > items.len() {
                                return self.unsupported(
                                    "making an array longer by setting `length` (holes) is not supported in this lab",
                                );
                            }
                            items.truncate(n);
                            return Ok(());
                        }
                        if let Some(i) = array_index(&key) {
                            if i < items.len() {
                                items[i] = value;
                                return Ok(());
                            }
                            if i == items.len() {
                                if items.len() >= max_array {
                                    return Err(self.limit(format!(
                                        "an array grew past {max_array} elements"
                                    )));
                                }
                                items.push(value);
                                return Ok(());
                            }
                            return self.unsupported(
                                "writing past the end of an array (holes) is not supported in this lab",
                            );
                        }
                    }
                    Kind::Error { name, message, .. } => match &*key {
                        "name" => {
                            *name = quiet;
                            return Ok(());
                        }
                        "message" => {
                            *message = quiet;
                            return Ok(());
                        }
                        _ => {}
                    },
                    _ => {}
                }
                if self.objs[id as usize].props.len() >= 10_000
                    && self.objs[id as usize].own(&key).is_none()
                {
                    return Err(self.limit("an object grew past 10000 properties".into()));
                }
                self.obj_mut(id).set_own(key, value);
                Ok(())
            }
        }
    }

    /// `ToString` of a primitive, for fields that hold text.
    fn to_string_quiet(&self, v: &Value) -> Rc<str> {
        match v {
            Value::Str(s) => s.clone(),
            Value::Num(n) => Rc::from(number_to_string(*n).as_str()),
            Value::Bool(b) => Rc::from(b.to_string().as_str()),
            Value::Undefined => Rc::from("undefined"),
            Value::Null => Rc::from("null"),
            Value::Obj(_) => Rc::from("[object Object]"),
        }
    }

    fn delete_prop(&mut self, object: &Value, key: &str) -> Completion<bool> {
        match object {
            Value::Obj(id) => {
                let id = *id;
                if let Kind::Array(items) = &self.obj(id).kind
                    && (array_index(key).is_some_and(|i| i < items.len()) || key == "length")
                {
                    return self.unsupported(
                        "`delete` on array elements (holes) is not supported in this lab",
                    );
                }
                self.obj_mut(id).delete_own(key);
                Ok(true)
            }
            Value::Undefined | Value::Null => {
                let what = if *object == Value::Null {
                    "null"
                } else {
                    "undefined"
                };
                self.throw("TypeError", format!("Cannot convert {what} to object"))
            }
            _ => Ok(true),
        }
    }

    pub fn has_property(&mut self, object: &Value, key: &str) -> bool {
        let Value::Obj(id) = object else { return false };
        let obj = self.obj(*id);
        if obj.own(key).is_some() {
            return true;
        }
        match &obj.kind {
            Kind::Array(items)
                if (key == "length" || array_index(key).is_some_and(|i| i < items.len())) =>
            {
                return true;
            }
            Kind::Error { errors, .. }
                if matches!(key, "name" | "message" | "stack")
                    || (key == "errors" && errors.is_some()) =>
            {
                return true;
            }
            _ => {}
        }
        matches!(self.builtin_member(object, key), Ok(v) if v != Value::Undefined)
    }

    /// Own enumerable string keys (`Object.keys`, `for … in`).
    pub fn enumerable_keys(&self, v: &Value) -> Vec<Rc<str>> {
        match v {
            Value::Obj(id) => {
                let obj = self.obj(*id);
                let mut keys: Vec<Rc<str>> = match &obj.kind {
                    Kind::Array(items) => (0..items.len())
                        .map(|i| Rc::from(i.to_string().as_str()))
                        .collect(),
                    _ => Vec::new(),
                };
                keys.extend(obj.keys());
                keys
            }
            Value::Str(s) => (0..s.encode_utf16().count())
                .map(|i| Rc::from(i.to_string().as_str()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Own enumerable properties with their values (spread, `Object.entries`).
    pub fn own_entries(&mut self, v: &Value) -> Completion<Vec<(Rc<str>, Value)>> {
        let keys = self.enumerable_keys(v);
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let value = self.get_prop(v, &key)?;
            out.push((key, value));
        }
        Ok(out)
    }

    pub fn array_items(&self, v: &Value) -> Vec<Value> {
        match v {
            Value::Obj(id) => match &self.obj(*id).kind {
                Kind::Array(items) => items.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    pub fn array_push(&mut self, array: &Value, more: Vec<Value>) -> Completion<usize> {
        let max = self.limits.max_array;
        let Value::Obj(id) = array else {
            unreachable!("an array")
        };
        let Kind::Array(items) = &mut self.objs[*id as usize].kind else {
            unreachable!("an array")
        };
        if items.len() + more.len() > max {
            return Err(Abrupt::Stop(Stop::Limit(format!(
                "an array grew past {max} elements"
            ))));
        }
        items.extend(more);
        Ok(items.len())
    }

    fn require_iterable(&mut self, v: &Value, text: Option<u32>) -> Completion<()> {
        let ok = match v {
            Value::Str(_) => true,
            Value::Obj(id) => matches!(self.obj(*id).kind, Kind::Array(_)),
            _ => false,
        };
        if ok {
            return Ok(());
        }
        if let Value::Obj(id) = v
            && !matches!(
                self.obj(*id).kind,
                Kind::Plain
                    | Kind::Error { .. }
                    | Kind::Promise(_)
                    | Kind::Closure { .. }
                    | Kind::Native(_)
                    | Kind::Bound { .. }
            )
        {
            return self.unsupported("iterating over this value is not supported in this lab");
        }
        let what = match text {
            Some(n) if !self.program.names[n as usize].is_empty() => {
                self.program.names[n as usize].to_string()
            }
            _ => self.short_text(v),
        };
        self.throw("TypeError", format!("{what} is not iterable"))
    }

    /// The elements of an array or the characters of a string.
    pub fn iterate(&mut self, v: &Value, text: Option<u32>) -> Completion<Vec<Value>> {
        self.require_iterable(v, text)?;
        Ok(match v {
            Value::Str(s) => s
                .chars()
                .map(|c| Value::Str(Rc::from(c.to_string().as_str())))
                .collect(),
            Value::Obj(id) => match &self.obj(*id).kind {
                Kind::Array(items) => items.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        })
    }

    fn iter_next(&mut self, id: ObjId) -> Option<Value> {
        let Kind::Iter {
            target,
            index,
            keys,
        } = self.obj(id).kind.clone()
        else {
            unreachable!("an iterator")
        };
        let next = match &keys {
            Some(keys) => keys.get(index).map(|k| Value::Str(k.clone())),
            None => match &target {
                Value::Str(s) => s
                    .chars()
                    .nth(index)
                    .map(|c| Value::Str(Rc::from(c.to_string().as_str()))),
                Value::Obj(t) => match &self.obj(*t).kind {
                    Kind::Array(items) => items.get(index).cloned(),
                    _ => None,
                },
                _ => None,
            },
        };
        if let Kind::Iter { index, .. } = &mut self.obj_mut(id).kind {
            *index += 1;
        }
        next
    }

    fn instance_of(&mut self, v: &Value, class: &Value) -> Completion<bool> {
        let Value::Obj(class_id) = class else {
            return self.throw(
                "TypeError",
                "Right-hand side of 'instanceof' is not an object",
            );
        };
        if !self.obj(*class_id).is_callable() {
            return self.throw(
                "TypeError",
                "Right-hand side of 'instanceof' is not callable",
            );
        }
        let Value::Obj(id) = v else { return Ok(false) };
        let kind = &self.obj(*id).kind;
        Ok(match &self.obj(*class_id).kind {
            Kind::Native(Native::ErrorCtor(name)) => match kind {
                Kind::Error { name: own, .. } => &**name == "Error" || own == name,
                _ => false,
            },
            Kind::Native(Native::PromiseCtor) => matches!(kind, Kind::Promise(_)),
            Kind::Native(Native::ArrayFn) => matches!(kind, Kind::Array(_)),
            Kind::Native(Native::ObjectFn) => true,
            _ => false,
        })
    }
}

/// What an error reads as in text: `TypeError: message`.
pub fn error_text(name: &str, message: &str) -> String {
    match (name.is_empty(), message.is_empty()) {
        (_, true) => name.to_owned(),
        (true, false) => message.to_owned(),
        (false, false) => format!("{name}: {message}"),
    }
}

pub fn strict_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x == y,
        _ => a == b,
    }
}

/// `**` as JavaScript defines it (which differs from `powf` at 1 and NaN).
pub fn js_pow(x: f64, y: f64) -> f64 {
    if y.is_nan() {
        return f64::NAN;
    }
    if y == 0.0 {
        return 1.0;
    }
    if (x == 1.0 || x == -1.0) && y.is_infinite() {
        return f64::NAN;
    }
    x.powf(y)
}
