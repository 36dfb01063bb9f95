//! Promises as ECMAScript defines them, step for step, so that every
//! ordering question ("which `then` runs first?") comes out as in V8:
//! resolving with a thenable costs a job (NewPromiseResolveThenableJob),
//! a reaction is a job (NewPromiseReactionJob), `await v` is
//! `PerformPromiseThen(PromiseResolve(v))`, `finally` calls `then` on the
//! promise its handler's result resolves to. Rejections that no handler
//! took by the end of a microtask checkpoint are Node's "unhandled".

use std::cell::Cell;
use std::rc::Rc;

use super::heap::{ElementKind, Handler, Kind, Native, Obj, Promise, PromiseState, Reaction};
use super::machine::{Abrupt, Completion, Entry, Flow, JobBase, Machine, NativeFrame};
use super::queues::Job;
use super::value::{ObjId, Value};

impl Machine {
    /// A new pending promise.
    pub fn new_promise(&mut self) -> Completion<ObjId> {
        self.promises_made += 1;
        let line = self.current_line();
        self.alloc(Obj::new(Kind::Promise(Promise {
            state: PromiseState::Pending {
                fulfill: Vec::new(),
                reject: Vec::new(),
            },
            handled: false,
            number: self.promises_made,
            line,
        })))
    }

    fn promise(&self, id: ObjId) -> &Promise {
        match &self.obj(id).kind {
            Kind::Promise(p) => p,
            _ => unreachable!("a promise"),
        }
    }

    fn promise_mut(&mut self, id: ObjId) -> &mut Promise {
        match &mut self.obj_mut(id).kind {
            Kind::Promise(p) => p,
            _ => unreachable!("a promise"),
        }
    }

    pub fn is_promise(&self, v: &Value) -> Option<ObjId> {
        match v {
            Value::Obj(id) if matches!(self.obj(*id).kind, Kind::Promise(_)) => Some(*id),
            _ => None,
        }
    }

    /// CreateResolvingFunctions: a `resolve` and a `reject` that share one
    /// "already resolved" flag.
    pub fn resolving_functions(&mut self, promise: ObjId) -> Completion<(Value, Value)> {
        let once = Rc::new(Cell::new(false));
        let resolve = self.alloc_value(Kind::Native(Native::Resolve {
            promise,
            once: once.clone(),
        }))?;
        let reject = self.alloc_value(Kind::Native(Native::Reject { promise, once }))?;
        Ok((resolve, reject))
    }

    /// The steps of a promise's resolve function (once the flag allows).
    pub fn resolve_promise(&mut self, promise: ObjId, resolution: Value) -> Completion<()> {
        if resolution == Value::Obj(promise) {
            let error = self.make_error(
                "TypeError",
                "Chaining cycle detected for promise #<Promise>",
            )?;
            return self.reject_promise(promise, error);
        }
        let Value::Obj(id) = resolution else {
            return self.fulfill_promise(promise, resolution);
        };
        let then = match self.get_prop(&resolution, "then") {
            Ok(then) => then,
            Err(Abrupt::Throw(error)) => return self.reject_promise(promise, error),
            Err(stop) => return Err(stop),
        };
        if !self.is_callable(&then) {
            return self.fulfill_promise(promise, resolution);
        }
        let _ = id;
        self.enqueue_microtask(Job::Thenable {
            promise,
            thenable: resolution,
            then,
        })
    }

    pub fn fulfill_promise(&mut self, promise: ObjId, value: Value) -> Completion<()> {
        let old = std::mem::replace(
            &mut self.promise_mut(promise).state,
            PromiseState::Fulfilled(value.clone()),
        );
        self.note_settled(promise, true, &value);
        if let PromiseState::Pending { fulfill, .. } = old {
            for reaction in fulfill {
                self.enqueue_microtask(Job::Reaction {
                    reaction,
                    argument: value.clone(),
                    rejected: false,
                })?;
            }
        }
        Ok(())
    }

    pub fn reject_promise(&mut self, promise: ObjId, reason: Value) -> Completion<()> {
        let old = std::mem::replace(
            &mut self.promise_mut(promise).state,
            PromiseState::Rejected(reason.clone()),
        );
        self.note_settled(promise, false, &reason);
        if !self.promise(promise).handled {
            self.loop_state.maybe_unhandled.push(promise);
        }
        if let PromiseState::Pending { reject, .. } = old {
            for reaction in reject {
                self.enqueue_microtask(Job::Reaction {
                    reaction,
                    argument: reason.clone(),
                    rejected: true,
                })?;
            }
        }
        Ok(())
    }

    /// PromiseResolve(%Promise%, v): a promise stays itself; anything else
    /// gets a new promise resolved with it.
    pub fn promise_resolve(&mut self, v: Value) -> Completion<ObjId> {
        if let Some(id) = self.is_promise(&v) {
            return Ok(id);
        }
        let promise = self.new_promise()?;
        self.resolve_promise(promise, v)?;
        Ok(promise)
    }

    /// PerformPromiseThen.
    pub fn perform_then(
        &mut self,
        promise: ObjId,
        on_fulfilled: Handler,
        on_rejected: Handler,
        capability: Option<ObjId>,
    ) -> Completion<()> {
        let fulfill = Reaction {
            capability,
            handler: on_fulfilled,
        };
        let reject = Reaction {
            capability,
            handler: on_rejected,
        };
        let state = self.promise(promise).state.clone();
        match state {
            PromiseState::Pending { .. } => {
                if let PromiseState::Pending {
                    fulfill: fulfills,
                    reject: rejects,
                } = &mut self.promise_mut(promise).state
                {
                    fulfills.push(fulfill);
                    rejects.push(reject);
                }
            }
            PromiseState::Fulfilled(value) => {
                self.enqueue_microtask(Job::Reaction {
                    reaction: fulfill,
                    argument: value,
                    rejected: false,
                })?;
            }
            PromiseState::Rejected(reason) => {
                if !self.promise(promise).handled {
                    // HostPromiseRejectionTracker "handle".
                    self.loop_state.maybe_unhandled.retain(|p| *p != promise);
                }
                self.enqueue_microtask(Job::Reaction {
                    reaction: reject,
                    argument: reason,
                    rejected: true,
                })?;
            }
        }
        self.promise_mut(promise).handled = true;
        Ok(())
    }

    fn handler_of(&self, f: &Value) -> Handler {
        if self.is_callable(f) {
            Handler::Function(f.clone())
        } else {
            Handler::PassThrough
        }
    }

    /// `promise.then(onFulfilled, onRejected)`: a new promise for the outcome.
    pub fn promise_then(
        &mut self,
        promise: ObjId,
        on_fulfilled: &Value,
        on_rejected: &Value,
    ) -> Completion<Value> {
        let derived = self.new_promise()?;
        let (f, r) = (self.handler_of(on_fulfilled), self.handler_of(on_rejected));
        self.perform_then(promise, f, r, Some(derived))?;
        Ok(Value::Obj(derived))
    }

    /// `promise.finally(onFinally)`.
    pub fn promise_finally(&mut self, promise: ObjId, on_finally: &Value) -> Completion<Value> {
        if !self.is_callable(on_finally) {
            return self.promise_then(promise, on_finally, on_finally);
        }
        let then_finally =
            self.alloc_value(Kind::Native(Native::ThenFinally(on_finally.clone())))?;
        let catch_finally =
            self.alloc_value(Kind::Native(Native::CatchFinally(on_finally.clone())))?;
        self.promise_then(promise, &then_finally, &catch_finally)
    }

    /// `thenFinally` / `catchFinally`: call the handler, then pass on.
    pub fn call_finally_handler(
        &mut self,
        on_finally: &Value,
        value: Value,
        rejected: bool,
    ) -> Completion<Flow> {
        self.stack
            .push(Entry::Native(NativeFrame::Finally { value, rejected }));
        match self.invoke(on_finally, Value::Undefined, Vec::new(), None) {
            Ok(Flow::Pushed) => Ok(Flow::Pushed),
            Ok(Flow::Done(result)) => {
                let Some(Entry::Native(NativeFrame::Finally { value, rejected })) =
                    self.stack.pop()
                else {
                    unreachable!()
                };
                self.after_finally(result, value, rejected)
            }
            Err(abrupt) => {
                self.stack.pop();
                Err(abrupt)
            }
        }
    }

    /// The handler gave `result`: wait for it, then give back the original
    /// value (or throw the original reason).
    pub fn after_finally(
        &mut self,
        result: Value,
        value: Value,
        rejected: bool,
    ) -> Completion<Flow> {
        let p = self.promise_resolve(result)?;
        let thunk = if rejected {
            self.alloc_value(Kind::Native(Native::Thrower(value)))?
        } else {
            self.alloc_value(Kind::Native(Native::ValueThunk(value)))?
        };
        self.promise_then(p, &thunk, &Value::Undefined)
            .map(Flow::Done)
    }

    /// `new Promise(executor)`: the executor runs at once, with the
    /// promise's resolving functions.
    pub fn new_promise_from_executor(&mut self, args: Vec<Value>) -> Completion<Flow> {
        let executor = args.into_iter().next().unwrap_or(Value::Undefined);
        if !self.is_callable(&executor) {
            let what = match &executor {
                Value::Str(s) => s.to_string(),
                v => self.short_text(v),
            };
            return self.throw(
                "TypeError",
                format!("Promise resolver {what} is not a function"),
            );
        }
        let promise = self.new_promise()?;
        let (resolve, reject) = self.resolving_functions(promise)?;
        self.stack.push(Entry::Native(NativeFrame::Executor {
            promise,
            reject: reject.clone(),
        }));
        self.rec.frames_changed = true;
        match self.invoke(
            &executor,
            Value::Undefined,
            vec![resolve, reject.clone()],
            None,
        ) {
            Ok(Flow::Pushed) => Ok(Flow::Pushed),
            Ok(Flow::Done(_)) => {
                self.stack.pop();
                Ok(Flow::Done(Value::Obj(promise)))
            }
            Err(Abrupt::Throw(error)) => {
                self.stack.pop();
                self.invoke(&reject, Value::Undefined, vec![error], None)?;
                Ok(Flow::Done(Value::Obj(promise)))
            }
            Err(stop) => Err(stop),
        }
    }

    /// The resolve or reject function of a promise is called.
    pub fn call_resolving(
        &mut self,
        promise: ObjId,
        once: &Rc<Cell<bool>>,
        value: Value,
        reject: bool,
    ) -> Completion<Value> {
        if once.get() {
            return Ok(Value::Undefined);
        }
        once.set(true);
        if reject {
            self.reject_promise(promise, value)?;
        } else {
            self.resolve_promise(promise, value)?;
        }
        Ok(Value::Undefined)
    }

    /// `Promise.resolve(v)`.
    pub fn promise_static_resolve(&mut self, v: Value) -> Completion<Value> {
        self.promise_resolve(v).map(Value::Obj)
    }

    /// `Promise.reject(r)`.
    pub fn promise_static_reject(&mut self, reason: Value) -> Completion<Value> {
        let promise = self.new_promise()?;
        self.reject_promise(promise, reason)?;
        Ok(Value::Obj(promise))
    }

    fn iterable_for_combinator(&mut self, v: &Value) -> Completion<Vec<Value>> {
        match v {
            Value::Str(_) => self.iterate(v, None),
            Value::Obj(id) if matches!(self.obj(*id).kind, Kind::Array(_)) => self.iterate(v, None),
            _ => {
                let what = super::builtins::not_iterable(self, v);
                let error = self.make_error("TypeError", what)?;
                Err(Abrupt::Throw(error))
            }
        }
    }

    /// `Promise.all`, `allSettled`, `race` and `any`: each element is made
    /// a promise and `then` is called on it, in order.
    pub fn promise_combinator(
        &mut self,
        which: super::heap::Static,
        iterable: Value,
    ) -> Completion<Value> {
        use super::heap::Static;
        let result = self.new_promise()?;
        let (resolve, reject) = self.resolving_functions(result)?;
        // An iterable that cannot be read rejects the result (IfAbruptRejectPromise).
        let items = match self.iterable_for_combinator(&iterable) {
            Ok(items) => items,
            Err(Abrupt::Throw(error)) => {
                self.invoke(&reject, Value::Undefined, vec![error], None)?;
                return Ok(Value::Obj(result));
            }
            Err(stop) => return Err(stop),
        };
        if which == Static::PromiseRace {
            for item in items {
                let next = self.promise_resolve(item)?;
                let derived = self.new_promise()?;
                let (f, r) = (self.handler_of(&resolve), self.handler_of(&reject));
                self.perform_then(next, f, r, Some(derived))?;
            }
            return Ok(Value::Obj(result));
        }
        let values = self.new_array(Vec::new())?;
        let values_id = values.as_obj().expect("an array");
        let remaining = Rc::new(Cell::new(1usize));
        for (index, item) in items.into_iter().enumerate() {
            self.array_push(&values, vec![Value::Undefined])?;
            let next = self.promise_resolve(item)?;
            let element = |m: &mut Machine, kind: ElementKind| {
                m.alloc_value(Kind::Native(Native::Element {
                    kind,
                    index,
                    values: values_id,
                    remaining: remaining.clone(),
                    resolve: resolve.clone(),
                    reject: reject.clone(),
                    once: Rc::new(Cell::new(false)),
                }))
            };
            remaining.set(remaining.get() + 1);
            let (on_f, on_r) = match which {
                Static::PromiseAll => (element(self, ElementKind::All)?, reject.clone()),
                Static::PromiseAllSettled => (
                    element(self, ElementKind::SettledFulfilled)?,
                    element(self, ElementKind::SettledRejected)?,
                ),
                _ => (resolve.clone(), element(self, ElementKind::AnyRejected)?),
            };
            let derived = self.new_promise()?;
            let (f, r) = (self.handler_of(&on_f), self.handler_of(&on_r));
            self.perform_then(next, f, r, Some(derived))?;
        }
        remaining.set(remaining.get() - 1);
        if remaining.get() == 0 {
            self.finish_combinator(which, values, &resolve, &reject)?;
        }
        Ok(Value::Obj(result))
    }

    fn finish_combinator(
        &mut self,
        which: super::heap::Static,
        values: Value,
        resolve: &Value,
        reject: &Value,
    ) -> Completion<()> {
        if which == super::heap::Static::PromiseAny {
            let error = self.make_error("AggregateError", "All promises were rejected")?;
            if let Value::Obj(id) = error
                && let Kind::Error { errors, .. } = &mut self.obj_mut(id).kind
            {
                *errors = Some(values);
            }
            self.invoke(reject, Value::Undefined, vec![error], None)?;
        } else {
            self.invoke(resolve, Value::Undefined, vec![values], None)?;
        }
        Ok(())
    }

    /// An element function of `all`, `allSettled` or `any` is called.
    #[allow(clippy::too_many_arguments)]
    pub fn call_element(
        &mut self,
        kind: ElementKind,
        index: usize,
        values: ObjId,
        remaining: &Rc<Cell<usize>>,
        resolve: &Value,
        reject: &Value,
        once: &Rc<Cell<bool>>,
        x: Value,
    ) -> Completion<Value> {
        if once.get() {
            return Ok(Value::Undefined);
        }
        once.set(true);
        let stored = match kind {
            ElementKind::All | ElementKind::AnyRejected => x,
            ElementKind::SettledFulfilled | ElementKind::SettledRejected => {
                let object = self.alloc(Obj::new(Kind::Plain))?;
                let (status, key) = if kind == ElementKind::SettledFulfilled {
                    ("fulfilled", "value")
                } else {
                    ("rejected", "reason")
                };
                self.obj_mut(object)
                    .set_own(Rc::from("status"), Value::str(status));
                self.obj_mut(object).set_own(Rc::from(key), x);
                Value::Obj(object)
            }
        };
        if let Kind::Array(items) = &mut self.obj_mut(values).kind {
            items[index] = stored;
        }
        remaining.set(remaining.get() - 1);
        if remaining.get() == 0 {
            let which = match kind {
                ElementKind::All => super::heap::Static::PromiseAll,
                ElementKind::AnyRejected => super::heap::Static::PromiseAny,
                _ => super::heap::Static::PromiseAllSettled,
            };
            self.finish_combinator(which, Value::Obj(values), resolve, reject)?;
        }
        Ok(Value::Undefined)
    }

    /// NewPromiseReactionJob runs.
    pub fn run_reaction(
        &mut self,
        reaction: Reaction,
        argument: Value,
        rejected: bool,
    ) -> Result<(), super::machine::Stop> {
        match reaction.handler {
            Handler::Resume(frame) => self.resume_frame(
                frame,
                if rejected {
                    Err(argument)
                } else {
                    Ok(argument)
                },
            ),
            Handler::PassThrough => {
                if let Some(capability) = reaction.capability {
                    let result = if rejected {
                        self.reject_promise(capability, argument)
                    } else {
                        self.resolve_promise(capability, argument)
                    };
                    match result {
                        Ok(()) => {}
                        Err(Abrupt::Stop(stop)) => return Err(stop),
                        Err(Abrupt::Throw(error)) => {
                            return Err(super::machine::Stop::Uncaught(error));
                        }
                    }
                }
                Ok(())
            }
            Handler::Function(f) => self.call_job(
                JobBase::Reaction {
                    capability: reaction.capability,
                },
                &f,
                Value::Undefined,
                vec![argument],
            ),
        }
    }

    /// NewPromiseResolveThenableJob runs: `then` is called on the thenable
    /// with fresh resolving functions of `promise`.
    pub fn run_thenable(
        &mut self,
        promise: ObjId,
        thenable: Value,
        then: Value,
    ) -> Result<(), super::machine::Stop> {
        let (resolve, reject) = match self.resolving_functions(promise) {
            Ok(fns) => fns,
            Err(Abrupt::Stop(stop)) => return Err(stop),
            Err(Abrupt::Throw(error)) => return Err(super::machine::Stop::Uncaught(error)),
        };
        self.call_job(
            JobBase::Thenable {
                reject: reject.clone(),
            },
            &then,
            thenable,
            vec![resolve, reject],
        )
    }
}
