//! Built-in workloads, taken from the seed's world.

use crate::models::scenario::{Lab, Model, Scenario, Segment, TaskSpec, TimeUnit, WaitKind};

#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Stable id, used in links: `web-requests`.
    pub id: &'static str,
    pub title: &'static str,
    /// What to look for, in one or two sentences.
    pub lesson: &'static str,
    build: fn() -> Vec<TaskSpec>,
}

impl Preset {
    pub fn scenario(&self) -> Scenario {
        Scenario {
            lab: Some(Lab::Models),
            name: Some(self.title.to_owned()),
            unit: TimeUnit::Ms,
            model: Model::default(),
            tasks: (self.build)(),
            generate: None,
        }
    }

    pub fn by_id(id: &str) -> Option<(usize, &'static Preset)> {
        PRESETS
            .iter()
            .enumerate()
            .find(|(_, preset)| preset.id == id)
    }
}

pub static PRESETS: [Preset; 5] = [
    Preset {
        id: "three-requests",
        title: "Three requests that each wait on a database",
        lesson: "One synchronous thread is blocked during every wait; one event loop overlaps the three waits and finishes in less than half the time.",
        build: three_requests,
    },
    Preset {
        id: "web-requests",
        title: "Web requests calling a database",
        lesson: "Eight requests arrive 5 ms apart, each mostly waiting on the database. More threads or an event loop keep several requests in progress at once.",
        build: web_requests,
    },
    Preset {
        id: "downloads",
        title: "Downloads",
        lesson: "Almost all of a download is waiting on the network: the CPU is idle in the synchronous model unless there are as many threads as downloads.",
        build: downloads,
    },
    Preset {
        id: "cpu-batch",
        title: "A CPU-heavy batch",
        lesson: "Nothing waits, so the asynchronous model gains nothing: only more threads on more cores help.",
        build: cpu_batch,
    },
    Preset {
        id: "mixed",
        title: "User input, database reads and computation",
        lesson: "A long computation on the event loop delays every other task; threads let the report run while input and reads are handled.",
        build: mixed,
    },
];

fn task(name: &str, arrival: u64, segments: Vec<Segment>) -> TaskSpec {
    TaskSpec {
        name: Some(name.to_owned()),
        arrival,
        colour: None,
        segments,
    }
}

fn c(duration: u64) -> Segment {
    Segment::Compute(duration)
}

fn w(duration: u64, on: WaitKind) -> Segment {
    Segment::Wait { duration, on }
}

fn three_requests() -> Vec<TaskSpec> {
    Scenario::default_models().tasks
}

fn web_requests() -> Vec<TaskSpec> {
    (0..8)
        .map(|idx| {
            let name = [
                "GET /",
                "GET /cart",
                "POST /login",
                "GET /search",
                "GET /item/7",
                "GET /",
                "POST /order",
                "GET /help",
            ][idx];
            task(
                name,
                idx as u64 * 5,
                vec![
                    c(3),
                    w(40 + (idx as u64 % 3) * 10, WaitKind::Database),
                    c(4),
                ],
            )
        })
        .collect()
}

fn downloads() -> Vec<TaskSpec> {
    ["photo.jpg", "video.mp4", "report.pdf", "song.mp3"]
        .iter()
        .enumerate()
        .map(|(idx, name)| {
            task(
                name,
                0,
                vec![c(2), w(80 + idx as u64 * 30, WaitKind::Http), c(6)],
            )
        })
        .collect()
}

fn cpu_batch() -> Vec<TaskSpec> {
    (1..=4)
        .map(|idx| task(&format!("resize {idx}"), 0, vec![c(40)]))
        .collect()
}

fn mixed() -> Vec<TaskSpec> {
    vec![
        task("click handler", 0, vec![w(30, WaitKind::Input), c(4)]),
        task(
            "load profile",
            0,
            vec![c(3), w(25, WaitKind::Database), c(3)],
        ),
        task("report", 5, vec![c(60)]),
        task(
            "load orders",
            10,
            vec![c(3), w(25, WaitKind::Database), c(5)],
        ),
        task(
            "autosave",
            20,
            vec![w(20, WaitKind::Timer), c(2), w(15, WaitKind::Disk)],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_has_a_unique_id() {
        for (idx, preset) in PRESETS.iter().enumerate() {
            assert_eq!(preset.scenario().validate(), Ok(()), "{}", preset.id);
            assert_eq!(Preset::by_id(preset.id).map(|(i, _)| i), Some(idx));
        }
    }
}
