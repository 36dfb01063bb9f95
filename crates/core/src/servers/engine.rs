//! The discrete-event engine of the Servers lab.
//!
//! Rules (also in `docs/servers-format.md`):
//! - A request runs its CPU part, then its blocking I/O part.
//! - Multi-process and hybrid: a load balancer puts each accepted request
//!   in one process's queue (round robin, least outstanding or random); a
//!   process's workers (1, or T threads) take requests in arrival order.
//!   Multi-threaded: T threads share one queue. A sync worker is held by
//!   its request for the whole CPU and I/O time.
//! - Evented: one loop thread takes jobs in order: a new request (its CPU
//!   part runs on the loop, or on the offload pool when there is one), or a
//!   finished I/O, which costs the loop nothing but must wait until the
//!   loop is free to send the response. I/O never holds the loop.
//! - Computing needs a core (lowest free first, waiters in order; a CPU
//!   part runs to its end once it has one) and, with a GIL, the process's
//!   lock first (held for the CPU part only).
//! - The backlog counts requests waiting for a worker across the server;
//!   an arrival to a full backlog is rejected. An event loop accepts every
//!   waiting connection whenever it is free, so its backlog fills only
//!   while it is busy. A request that has
//!   waited past the timeout is dropped when a worker reaches it (an
//!   offload thread too, for work the loop handed over); one answered
//!   after the timeout is late.
//! - Same time: engine events before arrivals, then in scheduling order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use super::scenario::{Balancer, ServerModel, ServersScenario};
use super::traffic::{Micros, Request, micros, requests};
use crate::trace::{Event, EventKind, Lane, LaneKind, PALETTE, Span, SpanKind, TaskInfo, Trace};

/// What one run of one model measured. Times are milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerMetrics {
    pub model: ServerModel,
    /// Requests that arrived.
    pub requests: u32,
    /// Answered within the timeout (all answered ones without a timeout).
    pub completed: u32,
    /// Turned away at once because the backlog was full (503).
    pub rejected: u32,
    /// Given up on by the client: `dropped` plus `late`.
    pub timed_out: u32,
    /// Answered, but after the client's timeout: the client had given up.
    #[serde(default)]
    pub late: u32,
    /// Waited past the timeout and dropped unanswered.
    #[serde(default)]
    pub dropped: u32,
    /// Answers within the timeout per second of the run.
    pub throughput: f64,
    /// Arrival to answer, over every answered request (late ones too).
    pub latency: Latency,
    /// From 0 to the last departure or arrival.
    pub duration_ms: f64,
    /// Processes, thread stacks and the most connections held at once, MB.
    pub peak_memory: f64,
    /// Processes and thread stacks alone, MB.
    pub base_memory: f64,
    /// The most requests held at once (waiting or in service).
    pub peak_in_system: u32,
    /// The longest the backlog got.
    pub max_queue: u32,
    /// Time-averaged backlog length.
    pub mean_queue: f64,
    pub little: Little,
    /// Share of the run each worker held a request (or, for an event loop
    /// or offload thread, had work), in lane order.
    pub worker_utilisation: Vec<f64>,
    /// Share of the run each core computed.
    pub core_utilisation: Vec<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub mean: f64,
    /// Nearest-rank percentiles.
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// Little's law, L = lambda W, from two independent tallies: the
/// time-average of requests in the server, and arrivals times mean stay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Little {
    /// Time-averaged requests in the server.
    pub l: f64,
    /// Accepted requests per second.
    pub lambda: f64,
    /// Mean time an accepted request stayed, ms (answered or dropped).
    pub w_ms: f64,
}

/// Backlog length and requests held, from `time` (µs) on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePoint {
    pub time: Micros,
    pub waiting: u32,
    pub in_system: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub metrics: ServerMetrics,
    /// Lanes per worker and core, in microseconds; only when asked for.
    pub trace: Option<Trace>,
    /// Every change of the counts; only when asked for.
    pub queue: Vec<QueuePoint>,
    /// Every answered request's latency in µs, sorted; only when asked for.
    pub latencies: Vec<Micros>,
}

/// Runs `model` on the scenario's traffic; `record` adds the trace and the
/// queue series (the sweep leaves them out).
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn simulate(scenario: &ServersScenario, model: ServerModel, record: bool) -> Outcome {
    let reqs = requests(scenario);
    simulate_requests(scenario, model, &reqs, record)
}

/// [`simulate`] on requests made already (a comparison shares them).
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn simulate_requests(
    scenario: &ServersScenario,
    model: ServerModel,
    reqs: &[Request],
    record: bool,
) -> Outcome {
    let mut sim = Sim::new(scenario, model, reqs, record);
    sim.run();
    sim.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Holds one request for its CPU and I/O time (process or thread).
    Sync,
    Loop,
    Offload,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Job {
    /// An accepted request, not started.
    New(u32),
    /// The loop sends the answer of a request whose I/O or offloaded work ended.
    Resume(u32),
    /// CPU work handed to the offload pool.
    Compute(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    CpuDone(u32),
    IoDone(u32),
    /// An evented request's non-blocking I/O ended.
    LoopIo(u32),
}

#[derive(Debug)]
struct Worker {
    role: Role,
    process: usize,
    queue: usize,
    request: Option<u32>,
    core: Option<usize>,
    state: SpanKind,
    since: Micros,
    busy: Micros,
}

#[derive(Debug, Default)]
struct Recorder {
    lanes: Vec<Lane>,
    events: Vec<Event>,
    queue: Vec<QueuePoint>,
}

#[derive(Debug)]
struct Sim<'a> {
    scenario: &'a ServersScenario,
    model: ServerModel,
    reqs: &'a [Request],
    gil: bool,
    timeout: Option<Micros>,
    workers: Vec<Worker>,
    queues: Vec<VecDeque<Job>>,
    idle: Vec<BinaryHeap<Reverse<usize>>>,
    /// Per process: requests queued or in service (the balancer's view).
    outstanding: Vec<u32>,
    /// Per request: the process that took it.
    process_of: Vec<u32>,
    gil_holder: Vec<Option<usize>>,
    gil_waiters: Vec<VecDeque<usize>>,
    free_cores: BinaryHeap<Reverse<usize>>,
    core_waiters: VecDeque<usize>,
    core_since: Vec<Micros>,
    core_busy: Vec<Micros>,
    events: BinaryHeap<Reverse<(Micros, u64, Ev)>>,
    seq: u64,
    next_process: usize,
    balancer_rng: Pcg64Mcg,
    processes: usize,
    threads: usize,
    /// Requests not started (the backlog, plus an event loop's own queue).
    waiting: u32,
    /// Requests in the listen backlog, not yet accepted: the same as
    /// `waiting` except for an event loop, which accepts every waiting
    /// connection each time it is free and keeps them in its own queue.
    kernel: u32,
    in_system: u32,
    last_change: Micros,
    area_in_system: u128,
    area_waiting: u128,
    peak_in_system: u32,
    max_waiting: u32,
    sojourn: u128,
    accepted: u32,
    rejected: u32,
    dropped: u32,
    late: u32,
    answered_in_time: u32,
    latencies: Vec<Micros>,
    end: Micros,
    rec: Option<Recorder>,
}

impl<'a> Sim<'a> {
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn new(
        scenario: &'a ServersScenario,
        model: ServerModel,
        reqs: &'a [Request],
        record: bool,
    ) -> Self {
        let settings = scenario.server;
        let (processes, per_process) = match model {
            ServerModel::MultiProcess => (settings.processes as usize, 1),
            ServerModel::MultiThreaded => (1, settings.threads as usize),
            ServerModel::Evented => (1, 1),
            ServerModel::Hybrid => (settings.processes as usize, settings.threads as usize),
        };
        let mut workers = Vec::new();
        let worker = |role, process, queue| Worker {
            role,
            process,
            queue,
            request: None,
            core: None,
            state: SpanKind::Idle,
            since: 0,
            busy: 0,
        };
        let mut queue_count = processes;
        if model == ServerModel::Evented {
            workers.push(worker(Role::Loop, 0, 0));
            if settings.offload > 0 {
                queue_count = 2;
                for _ in 0..settings.offload {
                    workers.push(worker(Role::Offload, 0, 1));
                }
            }
        } else {
            for process in 0..processes {
                for _ in 0..per_process {
                    workers.push(worker(Role::Sync, process, process));
                }
            }
        }
        let mut idle = vec![BinaryHeap::new(); queue_count];
        for (idx, worker) in workers.iter().enumerate() {
            idle[worker.queue].push(Reverse(idx));
        }
        let cores = settings.cores as usize;
        let threads = workers.len();
        let rec = record.then(|| {
            let mut lanes: Vec<Lane> = workers
                .iter()
                .enumerate()
                .map(|(idx, worker)| Lane {
                    name: lane_name(model, worker, idx, per_process),
                    kind: match (worker.role, model) {
                        (Role::Loop, _) => LaneKind::EventLoop,
                        (_, ServerModel::MultiProcess) => LaneKind::Process,
                        _ => LaneKind::Thread,
                    },
                    spans: Vec::new(),
                })
                .collect();
            lanes.extend((0..cores).map(|core| Lane {
                name: format!("core {}", core + 1),
                kind: LaneKind::Core,
                spans: Vec::new(),
            }));
            Recorder {
                lanes,
                ..Recorder::default()
            }
        });
        Sim {
            scenario,
            model,
            reqs,
            gil: settings.gil && matches!(model, ServerModel::MultiThreaded | ServerModel::Hybrid),
            timeout: scenario.timeout_ms.map(micros),
            workers,
            queues: vec![VecDeque::new(); queue_count],
            idle,
            outstanding: vec![0; processes],
            process_of: vec![0; reqs.len()],
            gil_holder: vec![None; processes],
            gil_waiters: vec![VecDeque::new(); processes],
            free_cores: (0..cores).map(Reverse).collect(),
            core_waiters: VecDeque::new(),
            core_since: vec![0; cores],
            core_busy: vec![0; cores],
            events: BinaryHeap::new(),
            seq: 0,
            next_process: 0,
            balancer_rng: Pcg64Mcg::seed_from_u64(scenario.traffic.seed ^ 0x5EED_BA1A_4CE5),
            processes,
            threads,
            waiting: 0,
            kernel: 0,
            in_system: 0,
            last_change: 0,
            area_in_system: 0,
            area_waiting: 0,
            peak_in_system: 0,
            max_waiting: 0,
            sojourn: 0,
            accepted: 0,
            rejected: 0,
            dropped: 0,
            late: 0,
            answered_in_time: 0,
            latencies: Vec::with_capacity(reqs.len()),
            end: 0,
            rec,
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn run(&mut self) {
        let mut next_arrival = 0;
        loop {
            let event_time = self.events.peek().map(|Reverse((time, _, _))| *time);
            let arrival_time = self.reqs.get(next_arrival).map(|req| req.arrival);
            match (event_time, arrival_time) {
                (None, None) => break,
                (Some(event), Some(arrival)) if event <= arrival => self.pop_event(),
                (Some(_), None) => self.pop_event(),
                (_, Some(arrival)) => {
                    self.arrive(next_arrival as u32, arrival);
                    next_arrival += 1;
                }
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn pop_event(&mut self) {
        let Some(Reverse((now, _, event))) = self.events.pop() else {
            return;
        };
        match event {
            Ev::CpuDone(worker) => self.cpu_done(worker as usize, now),
            Ev::IoDone(worker) => {
                let worker = worker as usize;
                // Close the blocked span while it still names its request.
                self.set_state(worker, now, SpanKind::Idle);
                let request = self.workers[worker]
                    .request
                    .take()
                    .expect("blocked on a request");
                self.event(now, EventKind::Unblock, Some(request), Some(worker));
                self.answer(request, now);
                self.next_job(worker, now);
            }
            Ev::LoopIo(request) => {
                self.event(now, EventKind::Ready, Some(request), None);
                self.queues[0].push_back(Job::Resume(request));
                self.wake(0, now);
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn schedule(&mut self, time: Micros, event: Ev) {
        self.seq += 1;
        self.events.push(Reverse((time, self.seq, event)));
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn event(&mut self, time: Micros, kind: EventKind, task: Option<u32>, lane: Option<usize>) {
        if let Some(rec) = &mut self.rec {
            rec.events.push(Event {
                time,
                kind,
                task: task.map(|task| task as usize),
                lane,
                other: None,
                wait: None,
            });
        }
    }

    /// Adds the time since the last change to the areas; call before any
    /// change of `waiting` or `in_system`.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn tally(&mut self, now: Micros) {
        let elapsed = (now - self.last_change) as u128;
        self.area_in_system += self.in_system as u128 * elapsed;
        self.area_waiting += self.waiting as u128 * elapsed;
        self.last_change = now;
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn note_counts(&mut self, now: Micros) {
        self.peak_in_system = self.peak_in_system.max(self.in_system);
        self.max_waiting = self.max_waiting.max(self.waiting);
        if let Some(rec) = &mut self.rec {
            let point = QueuePoint {
                time: now,
                waiting: self.waiting,
                in_system: self.in_system,
            };
            match rec.queue.last_mut() {
                Some(last) if last.time == now => *last = point,
                _ => rec.queue.push(point),
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn arrive(&mut self, request: u32, now: Micros) {
        self.end = self.end.max(now);
        self.event(now, EventKind::Arrive, Some(request), None);
        if self.scenario.backlog.is_some_and(|cap| self.kernel >= cap) {
            self.rejected += 1;
            self.event(now, EventKind::Reject, Some(request), None);
            return;
        }
        self.tally(now);
        self.accepted += 1;
        self.in_system += 1;
        self.waiting += 1;
        self.kernel += 1;
        self.note_counts(now);
        let process = self.balance();
        self.process_of[request as usize] = process as u32;
        self.outstanding[process] += 1;
        self.queues[process].push_back(Job::New(request));
        self.wake(process, now);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn balance(&mut self) -> usize {
        if self.processes == 1 {
            return 0;
        }
        match self.scenario.server.balancer {
            Balancer::RoundRobin => {
                let process = self.next_process;
                self.next_process = (process + 1) % self.processes;
                process
            }
            Balancer::LeastOutstanding => (0..self.processes)
                .min_by_key(|&process| (self.outstanding[process], process))
                .unwrap_or(0),
            Balancer::Random => self.balancer_rng.random_range(0..self.processes),
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn wake(&mut self, queue: usize, now: Micros) {
        if let Some(Reverse(worker)) = self.idle[queue].pop() {
            self.next_job(worker, now);
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn set_state(&mut self, worker: usize, now: Micros, state: SpanKind) {
        let cores_from = self.threads;
        let w = &mut self.workers[worker];
        if w.state != SpanKind::Idle {
            w.busy += now - w.since;
        }
        if let Some(rec) = &mut self.rec
            && w.since < now
        {
            let task = if w.state == SpanKind::Idle {
                None
            } else {
                w.request.map(|r| r as usize)
            };
            rec.lanes[worker].spans.push(Span {
                start: w.since,
                end: now,
                kind: w.state,
                task,
                other: w
                    .core
                    .filter(|_| w.state == SpanKind::Running)
                    .map(|c| cores_from + c),
            });
        }
        w.state = state;
        w.since = now;
    }

    /// The worker is free: it takes jobs from its queue until one keeps it
    /// busy, or goes idle.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn next_job(&mut self, worker: usize, now: Micros) {
        let queue = self.workers[worker].queue;
        let accepts_all = self.workers[worker].role == Role::Loop;
        if accepts_all {
            self.kernel = 0;
        }
        while let Some(job) = self.queues[queue].pop_front() {
            match job {
                Job::New(request) => {
                    self.tally(now);
                    self.waiting -= 1;
                    if !accepts_all {
                        self.kernel -= 1;
                    }
                    self.note_counts(now);
                    if self.drop_if_expired(request, worker, now) {
                        continue;
                    }
                    self.event(now, EventKind::Start, Some(request), Some(worker));
                    if self.workers[worker].role == Role::Loop && self.queues.len() > 1 {
                        self.queues[1].push_back(Job::Compute(request));
                        self.wake(1, now);
                        continue;
                    }
                    if self.begin(worker, request, now) {
                        return;
                    }
                }
                Job::Compute(request) => {
                    // Offloaded work that waited past its timeout is
                    // dropped here too, before an offload thread spends
                    // any time on it.
                    if self.drop_if_expired(request, worker, now) {
                        continue;
                    }
                    if self.begin(worker, request, now) {
                        return;
                    }
                }
                Job::Resume(request) => {
                    self.event(now, EventKind::Resume, Some(request), Some(worker));
                    self.answer(request, now);
                }
            }
        }
        self.workers[worker].request = None;
        self.set_state(worker, now, SpanKind::Idle);
        self.idle[queue].push(Reverse(worker));
    }

    /// Drops `request` when it has waited past its timeout as `worker`
    /// reaches it (no time is spent on it); whether it was dropped.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn drop_if_expired(&mut self, request: u32, worker: usize, now: Micros) -> bool {
        let arrival = self.reqs[request as usize].arrival;
        if self.timeout.is_none_or(|limit| now - arrival < limit) {
            return false;
        }
        self.dropped += 1;
        self.event(now, EventKind::TimeOut, Some(request), Some(worker));
        self.depart(request, now);
        true
    }

    /// Starts a request's CPU part (or its I/O when it has none); whether
    /// the worker is still busy with it.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn begin(&mut self, worker: usize, request: u32, now: Micros) -> bool {
        self.workers[worker].request = Some(request);
        if self.reqs[request as usize].cpu > 0 {
            self.want_cpu(worker, now);
            true
        } else {
            self.after_cpu(worker, now)
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn want_cpu(&mut self, worker: usize, now: Micros) {
        if self.gil {
            let process = self.workers[worker].process;
            match self.gil_holder[process] {
                None => self.gil_holder[process] = Some(worker),
                Some(_) => {
                    self.gil_waiters[process].push_back(worker);
                    self.set_state(worker, now, SpanKind::Waiting);
                    return;
                }
            }
        }
        self.want_core(worker, now);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn want_core(&mut self, worker: usize, now: Micros) {
        match self.free_cores.pop() {
            Some(Reverse(core)) => self.start_cpu(worker, core, now),
            None => {
                self.core_waiters.push_back(worker);
                self.set_state(worker, now, SpanKind::Ready);
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn start_cpu(&mut self, worker: usize, core: usize, now: Micros) {
        let request = self.workers[worker].request.expect("computes a request");
        self.set_state(worker, now, SpanKind::Running);
        self.workers[worker].core = Some(core);
        self.core_since[core] = now;
        let cpu = self.reqs[request as usize].cpu;
        self.schedule(now + cpu, Ev::CpuDone(worker as u32));
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn cpu_done(&mut self, worker: usize, now: Micros) {
        let request = self.workers[worker].request.expect("computes a request");
        let core = self.workers[worker].core.expect("computes on a core");
        // Close the running span while it still names its core.
        let state = self.workers[worker].state;
        self.set_state(worker, now, state);
        self.workers[worker].core = None;
        self.core_busy[core] += now - self.core_since[core];
        let threads = self.threads;
        if let Some(rec) = &mut self.rec {
            rec.lanes[threads + core].spans.push(Span {
                start: self.core_since[core],
                end: now,
                kind: SpanKind::Running,
                task: Some(request as usize),
                other: Some(worker),
            });
        }
        match self.core_waiters.pop_front() {
            Some(next) => self.start_cpu(next, core, now),
            None => self.free_cores.push(Reverse(core)),
        }
        if self.gil {
            let process = self.workers[worker].process;
            if self.gil_holder[process] == Some(worker) {
                self.gil_holder[process] = self.gil_waiters[process].pop_front();
                if let Some(next) = self.gil_holder[process] {
                    self.want_core(next, now);
                }
            }
        }
        if !self.after_cpu(worker, now) {
            self.next_job(worker, now);
        }
    }

    /// The CPU part is done: start the I/O or answer. Whether the worker is
    /// still busy with the request.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn after_cpu(&mut self, worker: usize, now: Micros) -> bool {
        let request = self.workers[worker].request.expect("works on a request");
        let io = self.reqs[request as usize].io;
        match self.workers[worker].role {
            Role::Sync if io > 0 => {
                self.event(now, EventKind::Block, Some(request), Some(worker));
                self.set_state(worker, now, SpanKind::Blocked);
                self.schedule(now + io, Ev::IoDone(worker as u32));
                true
            }
            Role::Sync | Role::Loop if io == 0 => {
                self.workers[worker].request = None;
                self.answer(request, now);
                false
            }
            Role::Offload if io == 0 => {
                self.workers[worker].request = None;
                self.queues[0].push_back(Job::Resume(request));
                self.wake(0, now);
                false
            }
            _ => {
                self.workers[worker].request = None;
                self.event(now, EventKind::Park, Some(request), Some(worker));
                self.schedule(now + io, Ev::LoopIo(request));
                false
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn answer(&mut self, request: u32, now: Micros) {
        let latency = now - self.reqs[request as usize].arrival;
        self.latencies.push(latency);
        if self.timeout.is_some_and(|limit| latency > limit) {
            self.late += 1;
            self.event(now, EventKind::TimeOut, Some(request), None);
        } else {
            self.answered_in_time += 1;
        }
        self.event(now, EventKind::Complete, Some(request), None);
        self.depart(request, now);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn depart(&mut self, request: u32, now: Micros) {
        self.tally(now);
        self.in_system -= 1;
        self.note_counts(now);
        self.outstanding[self.process_of[request as usize] as usize] -= 1;
        self.sojourn += (now - self.reqs[request as usize].arrival) as u128;
        self.end = self.end.max(now);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn finish(mut self) -> Outcome {
        let end = self.end;
        for worker in 0..self.workers.len() {
            self.set_state(worker, end, SpanKind::Idle);
        }
        self.tally(end);
        let duration_s = end as f64 / 1e6;
        let per_second = |count: f64| {
            if end == 0 { 0.0 } else { count / duration_s }
        };
        let share = |busy: Micros| {
            if end == 0 {
                0.0
            } else {
                busy as f64 / end as f64
            }
        };
        // A radix sort: the wasm's std is built for size, and its sort is
        // then a heapsort (`.cargo/config.toml`).
        let mut latencies = std::mem::take(&mut self.latencies);
        radsort::sort(&mut latencies);
        let rank = |p: f64| -> f64 {
            if latencies.is_empty() {
                return 0.0;
            }
            let idx = ((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1;
            latencies[idx] as f64 / 1000.0
        };
        let latency = Latency {
            mean: if latencies.is_empty() {
                0.0
            } else {
                latencies.iter().map(|&l| l as f64).sum::<f64>() / latencies.len() as f64 / 1000.0
            },
            p50: rank(0.50),
            p95: rank(0.95),
            p99: rank(0.99),
            max: latencies.last().map_or(0.0, |&l| l as f64 / 1000.0),
        };
        let memory = self.scenario.memory;
        let base_memory =
            self.processes as f64 * memory.process_mb + self.threads as f64 * memory.thread_mb;
        let metrics = ServerMetrics {
            model: self.model,
            requests: self.reqs.len() as u32,
            completed: self.answered_in_time,
            rejected: self.rejected,
            timed_out: self.dropped + self.late,
            late: self.late,
            dropped: self.dropped,
            throughput: per_second(self.answered_in_time as f64),
            latency,
            duration_ms: end as f64 / 1000.0,
            peak_memory: base_memory + self.peak_in_system as f64 * memory.connection_kb / 1024.0,
            base_memory,
            peak_in_system: self.peak_in_system,
            max_queue: self.max_waiting,
            mean_queue: if end == 0 {
                0.0
            } else {
                self.area_waiting as f64 / end as f64
            },
            little: Little {
                l: if end == 0 {
                    0.0
                } else {
                    self.area_in_system as f64 / end as f64
                },
                lambda: per_second(self.accepted as f64),
                w_ms: if self.accepted == 0 {
                    0.0
                } else {
                    self.sojourn as f64 / self.accepted as f64 / 1000.0
                },
            },
            worker_utilisation: self.workers.iter().map(|w| share(w.busy)).collect(),
            core_utilisation: self.core_busy.iter().map(|&busy| share(busy)).collect(),
        };
        debug_assert_eq!(
            self.accepted,
            self.answered_in_time + self.late + self.dropped,
            "every accepted request leaves"
        );
        let trace = self.rec.take().map(|rec| {
            let names: Vec<String> = self
                .scenario
                .mix
                .iter()
                .map(|kind| kind.name.clone())
                .collect();
            let tasks = self
                .reqs
                .iter()
                .enumerate()
                .map(|(idx, req)| TaskInfo {
                    name: format!("#{} {}", idx + 1, names[req.kind as usize]),
                    colour: Some(PALETTE[req.kind as usize % PALETTE.len()].to_owned()),
                })
                .collect();
            let queue = rec.queue;
            (
                Trace {
                    unit: "µs".to_owned(),
                    tasks,
                    lanes: rec.lanes,
                    events: rec.events,
                    end,
                    kind_names: Vec::new(),
                },
                queue,
            )
        });
        let (trace, queue, latencies) = match trace {
            Some((trace, queue)) => (Some(trace), queue, latencies),
            None => (None, Vec::new(), Vec::new()),
        };
        Outcome {
            metrics,
            trace,
            queue,
            latencies,
        }
    }
}

#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn lane_name(model: ServerModel, worker: &Worker, idx: usize, per_process: usize) -> String {
    match (worker.role, model) {
        (Role::Loop, _) => "event loop".to_owned(),
        (Role::Offload, _) => format!("offload {idx}"),
        (_, ServerModel::MultiProcess) => format!("process {}", idx + 1),
        (_, ServerModel::Hybrid) => {
            format!("p{} thread {}", worker.process + 1, idx % per_process + 1)
        }
        _ => format!("thread {}", idx + 1),
    }
}
