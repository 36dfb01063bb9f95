//! The Servers-lab scenario: a server's settings, the traffic it gets and
//! the mix of requests, read from JSON (`docs/servers-format.md`).
//!
//! Durations are milliseconds (fractions allowed); the engine works in
//! whole microseconds.

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::input::parse_json;

/// The most processes a server may have.
pub const MAX_PROCESSES: u32 = 64;
/// The most threads one process may have.
pub const MAX_THREADS: u32 = 256;
/// The most workers (processes x threads) a model may have.
pub const MAX_WORKERS: u32 = 1024;
/// The most CPU cores.
pub const MAX_CORES: u32 = 256;
/// The most threads in the evented model's offload pool.
pub const MAX_OFFLOAD: u32 = 64;
/// The most requests one run may hold.
pub const MAX_REQUESTS: u32 = 100_000;
/// The highest arrival rate, in requests per second.
pub const MAX_RATE: f64 = 100_000.0;
/// The most request types in a mix.
pub const MAX_TYPES: usize = 8;
/// The longest CPU or I/O time of one request, in milliseconds (10 minutes).
pub const MAX_DURATION_MS: f64 = 600_000.0;
/// The largest listen backlog.
pub const MAX_BACKLOG: u32 = 1_000_000;
/// The longest request timeout, in milliseconds (one hour).
pub const MAX_TIMEOUT_MS: f64 = 3_600_000.0;
/// The longest request-type name, in characters.
pub const MAX_NAME_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServersScenario {
    /// Always `"servers"`: tells this file from a Models-lab scenario.
    pub lab: ServersTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The model `interleave run` and the page show unless told otherwise.
    #[serde(default)]
    pub model: ServerModel,
    #[serde(default)]
    pub server: ServerSettings,
    pub traffic: Traffic,
    /// Request types, each picked with probability weight / total weight.
    pub mix: Vec<RequestType>,
    /// The most accepted requests waiting for a worker, across the whole
    /// server; a request arriving to a full backlog is rejected (503).
    /// `null`: no limit.
    #[serde(default = "default_backlog")]
    pub backlog: Option<u32>,
    /// A client gives up after this many milliseconds: a request still
    /// waiting then is dropped when a worker reaches it; one answered later
    /// counts as timed out (its work was wasted). `null`: no timeout.
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    pub memory: MemoryModel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServersTag {
    Servers,
}

/// The four I/O concurrency models.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerModel {
    /// P single-threaded processes behind a load balancer, one request each.
    #[default]
    MultiProcess,
    /// One process with T threads taking requests from one queue.
    MultiThreaded,
    /// One event-loop thread with non-blocking I/O (plus an optional CPU
    /// offload pool).
    Evented,
    /// P processes x T threads behind a load balancer.
    Hybrid,
}

impl ServerModel {
    pub const ALL: [ServerModel; 4] = [
        ServerModel::MultiProcess,
        ServerModel::MultiThreaded,
        ServerModel::Evented,
        ServerModel::Hybrid,
    ];

    /// The name in files and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            ServerModel::MultiProcess => "multi_process",
            ServerModel::MultiThreaded => "multi_threaded",
            ServerModel::Evented => "evented",
            ServerModel::Hybrid => "hybrid",
        }
    }

    pub fn from_id(id: &str) -> Option<ServerModel> {
        ServerModel::ALL.into_iter().find(|model| model.id() == id)
    }

    /// A short human name.
    pub fn title(self) -> &'static str {
        match self {
            ServerModel::MultiProcess => "Multi-process",
            ServerModel::MultiThreaded => "Multi-threaded",
            ServerModel::Evented => "Evented",
            ServerModel::Hybrid => "Hybrid",
        }
    }
}

/// How the load balancer in front of several processes picks one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Balancer {
    /// Each process in turn.
    #[default]
    RoundRobin,
    /// The process with the fewest requests queued or in service (lowest
    /// number on a tie).
    LeastOutstanding,
    /// A process chosen at random (seeded from the traffic's seed).
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// P: processes of the multi-process and hybrid models.
    pub processes: u32,
    /// T: threads of the multi-threaded model, and per process in the hybrid.
    pub threads: u32,
    /// A global interpreter lock per process: one thread computes at a time
    /// (threads waiting on I/O do not hold it). Multi-threaded and hybrid.
    pub gil: bool,
    /// Threads in the evented model's CPU offload pool; 0: the loop computes.
    pub offload: u32,
    pub balancer: Balancer,
    /// CPU cores shared by every model's threads. A thread that wants to
    /// compute waits for a free core; a CPU phase runs to its end once it
    /// has one.
    pub cores: u32,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            processes: 4,
            threads: 16,
            gil: false,
            offload: 0,
            balancer: Balancer::RoundRobin,
            cores: 4,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    #[serde(default)]
    pub arrival: ArrivalPattern,
    /// Mean arrival rate, requests per second.
    pub rate: f64,
    /// How many requests arrive in the run.
    pub requests: u32,
    #[serde(default)]
    pub seed: u64,
    /// Requests per burst (`"arrival": "bursts"`); bursts come often enough
    /// to keep the mean `rate`.
    #[serde(default = "default_burst")]
    pub burst: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalPattern {
    /// Evenly spaced, 1/rate apart.
    Constant,
    /// Exponential gaps with mean 1/rate (seeded).
    #[default]
    Poisson,
    /// `burst` requests at once, bursts evenly spaced.
    Bursts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestType {
    pub name: String,
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// CPU time, first: parsing, logic, rendering.
    #[serde(default = "Millis::zero")]
    pub cpu_ms: Millis,
    /// Blocking I/O time after the CPU part: a database, an HTTP API.
    #[serde(default = "Millis::zero")]
    pub io_ms: Millis,
}

/// Milliseconds: a number, `{"exponential": mean}` or `{"uniform": [lo, hi]}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Millis {
    Fixed(f64),
    Random(RandomMillis),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RandomMillis {
    Exponential(f64),
    Uniform([f64; 2]),
}

impl Millis {
    pub fn zero() -> Millis {
        Millis::Fixed(0.0)
    }

    /// The mean in milliseconds.
    pub fn mean(self) -> f64 {
        match self {
            Millis::Fixed(ms) => ms,
            Millis::Random(RandomMillis::Exponential(mean)) => mean,
            Millis::Random(RandomMillis::Uniform([lo, hi])) => (lo + hi) / 2.0,
        }
    }

    fn check(self, path: &str) -> Result<(), ScenarioError> {
        let in_range = |ms: f64| ms.is_finite() && (0.0..=MAX_DURATION_MS).contains(&ms);
        let ok = match self {
            Millis::Fixed(ms) => in_range(ms),
            Millis::Random(RandomMillis::Exponential(mean)) => in_range(mean) && mean > 0.0,
            Millis::Random(RandomMillis::Uniform([lo, hi])) => {
                in_range(lo) && in_range(hi) && lo <= hi
            }
        };
        if ok {
            Ok(())
        } else {
            let written = serde_json::to_string(&self).expect("durations serialise");
            Err(ScenarioError::at_path(
                path,
                format!("{written} is not a time in 0..={MAX_DURATION_MS} ms"),
            )
            .with_hint("write a number of milliseconds, {\"exponential\": mean} or {\"uniform\": [lo, hi]}"))
        }
    }
}

/// What memory each model costs: documented defaults, editable per scenario.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MemoryModel {
    /// Resident memory of one server process (runtime, app code, heap), MB.
    pub process_mb: f64,
    /// One thread's stack and thread state, MB.
    pub thread_mb: f64,
    /// One accepted connection (socket buffers, request state), KB; every
    /// request the server holds, waiting or in service, costs this.
    pub connection_kb: f64,
}

impl Default for MemoryModel {
    fn default() -> Self {
        MemoryModel {
            process_mb: 60.0,
            thread_mb: 1.0,
            connection_kb: 16.0,
        }
    }
}

fn default_backlog() -> Option<u32> {
    Some(1024)
}

fn default_burst() -> u32 {
    50
}

fn default_weight() -> f64 {
    1.0
}

fn hint_for(message: &str) -> Option<&'static str> {
    if message.contains("did not match any variant of untagged enum Millis") {
        Some(
            "a time is a number of milliseconds, {\"exponential\": mean} or {\"uniform\": [lo, hi]}",
        )
    } else if message.contains("unknown variant") && message.contains("multi_process") {
        Some("a model is multi_process, multi_threaded, evented or hybrid")
    } else if message.contains("unknown variant") && message.contains("round_robin") {
        Some("a balancer is round_robin, least_outstanding or random")
    } else if message.contains("unknown variant") && message.contains("poisson") {
        Some("an arrival pattern is constant, poisson or bursts")
    } else if message.contains("unknown variant") && message.contains("servers") {
        Some("a Servers-lab file starts with \"lab\": \"servers\"")
    } else if message.contains("EOF") {
        Some("the file ends early: check for a missing } or ]")
    } else {
        None
    }
}

impl ServersScenario {
    /// Parses and validates; errors name the line:column or field path.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        let scenario: ServersScenario = parse_json(text, hint_for)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Pretty JSON that [`ServersScenario::from_json`] reads back unchanged.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    /// Checks the limits and rules that the JSON shape cannot express.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let server = &self.server;
        let count = |path: &str, value: u32, lo: u32, hi: u32| {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(ScenarioError::at_path(
                    path,
                    format!("{value} is outside {lo}..={hi}"),
                ))
            }
        };
        count("server.processes", server.processes, 1, MAX_PROCESSES)?;
        count("server.threads", server.threads, 1, MAX_THREADS)?;
        count("server.offload", server.offload, 0, MAX_OFFLOAD)?;
        count("server.cores", server.cores, 1, MAX_CORES)?;
        if server.processes * server.threads > MAX_WORKERS {
            return Err(ScenarioError::at_path(
                "server.threads",
                format!(
                    "{} processes x {} threads is more than {MAX_WORKERS} workers",
                    server.processes, server.threads
                ),
            ));
        }
        let traffic = &self.traffic;
        if !(traffic.rate.is_finite() && traffic.rate > 0.0 && traffic.rate <= MAX_RATE) {
            return Err(ScenarioError::at_path(
                "traffic.rate",
                format!(
                    "{} is not a rate in (0, {MAX_RATE}] requests per second",
                    traffic.rate
                ),
            ));
        }
        count("traffic.requests", traffic.requests, 1, MAX_REQUESTS)?;
        count("traffic.burst", traffic.burst, 1, MAX_REQUESTS)?;
        if self.mix.is_empty() || self.mix.len() > MAX_TYPES {
            return Err(ScenarioError::at_path(
                "mix",
                format!("a mix needs 1..={MAX_TYPES} request types"),
            ));
        }
        for (idx, kind) in self.mix.iter().enumerate() {
            let path = format!("mix[{idx}]");
            if kind.name.trim().is_empty() || kind.name.chars().count() > MAX_NAME_CHARS {
                return Err(ScenarioError::at_path(
                    format!("{path}.name"),
                    format!("a request type needs a name of 1..={MAX_NAME_CHARS} characters"),
                ));
            }
            if !(kind.weight.is_finite() && kind.weight > 0.0 && kind.weight <= 1e6) {
                return Err(ScenarioError::at_path(
                    format!("{path}.weight"),
                    format!("{} is not a weight in (0, 1000000]", kind.weight),
                ));
            }
            kind.cpu_ms.check(&format!("{path}.cpu_ms"))?;
            kind.io_ms.check(&format!("{path}.io_ms"))?;
            if kind.cpu_ms.mean() + kind.io_ms.mean() <= 0.0 {
                return Err(
                    ScenarioError::at_path(path, format!("{:?} takes no time", kind.name))
                        .with_hint("give it some cpu_ms or io_ms"),
                );
            }
        }
        if let Some(backlog) = self.backlog {
            count("backlog", backlog, 0, MAX_BACKLOG)?;
        }
        if let Some(timeout) = self.timeout_ms
            && !(timeout.is_finite() && timeout > 0.0 && timeout <= MAX_TIMEOUT_MS)
        {
            return Err(ScenarioError::at_path(
                "timeout_ms",
                format!("{timeout} is not a timeout in (0, {MAX_TIMEOUT_MS}] ms"),
            )
            .with_hint("write null for no timeout"));
        }
        let memory = &self.memory;
        for (path, value) in [
            ("memory.process_mb", memory.process_mb),
            ("memory.thread_mb", memory.thread_mb),
            ("memory.connection_kb", memory.connection_kb),
        ] {
            if !(value.is_finite() && (0.0..=1e6).contains(&value)) {
                return Err(ScenarioError::at_path(
                    path,
                    format!("{value} is not a size in 0..=1000000"),
                ));
            }
        }
        Ok(())
    }

    /// The offered load: mean CPU and I/O milliseconds per request.
    pub fn mean_demand_ms(&self) -> (f64, f64) {
        let total: f64 = self.mix.iter().map(|kind| kind.weight).sum();
        self.mix.iter().fold((0.0, 0.0), |(cpu, io), kind| {
            let share = kind.weight / total;
            (
                cpu + share * kind.cpu_ms.mean(),
                io + share * kind.io_ms.mean(),
            )
        })
    }

    /// The same scenario with another arrival rate (for sweeps).
    pub fn at_rate(&self, rate: f64) -> ServersScenario {
        let mut scenario = self.clone();
        scenario.traffic.rate = rate.clamp(f64::MIN_POSITIVE, MAX_RATE);
        scenario
    }
}
