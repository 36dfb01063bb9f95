//! The Parallel lab's jobs for web workers ([`ParallelJobs`]): the
//! message-passing pool's workers (pages that are not cross-origin
//! isolated) each answer that they have started, then compute one range
//! of a kernel's items at a time, timed on the page's shared clock, with
//! a Mandelbrot chunk's pixels sent beside the JSON.

use std::ops::Range;
use std::sync::atomic::{AtomicU16, Ordering};

use serde::{Deserialize, Serialize};

use crate::labs::LabId;
use crate::parallel::kernels::KernelSpec;
use crate::protocol::{Jobs, NoProgress, Worker};

/// The Parallel lab's [`Jobs`].
#[derive(Debug)]
pub enum ParallelJobs {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Job {
    /// Answer [`Done::Started`] once the module is loaded (the pool waits
    /// for every worker before a run).
    Start,
    /// One range of a kernel's items, computed and timed on the worker.
    Chunk { spec: KernelSpec, items: Range<u64> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Done {
    Started,
    /// A chunk's times (ms on the shared clock, `timeOrigin + now`) and
    /// checksum; for Mandelbrot, `pixels` iteration counts come beside the
    /// message (a transferred `Uint16Array`).
    Chunk {
        start: f64,
        end: f64,
        checksum: u64,
        pixels: usize,
    },
}

impl Jobs for ParallelJobs {
    const LAB: LabId = LabId::Parallel;
    type Job = Job;
    type Done = Done;
    type Progress = NoProgress;

    fn answer(job: Job, worker: &mut Worker<'_, NoProgress>) -> Result<Done, String> {
        let (spec, items) = match job {
            Job::Start => return Ok(Done::Started),
            Job::Chunk { spec, items } => (spec, items),
        };
        spec.validate()
            .map_err(|error| error.within("spec").to_string())?;
        if items.start > items.end || items.end > spec.items() {
            return Err(format!(
                "items {}..{} are outside the kernel's 0..{}",
                items.start,
                items.end,
                spec.items()
            ));
        }
        // Only this chunk's rows, not the whole image.
        let rows: Vec<AtomicU16> = (0..(items.end - items.start) as usize * spec.row_pixels())
            .map(|_| AtomicU16::new(0))
            .collect();
        let start = worker.now();
        let checksum = spec.run_items(items, &rows);
        let end = worker.now();
        let pixels: Vec<u16> = rows
            .iter()
            .map(|pixel| pixel.load(Ordering::Relaxed))
            .collect();
        let count = pixels.len();
        worker.attach_pixels(pixels);
        Ok(Done::Chunk {
            start,
            end,
            checksum,
            pixels: count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::kernels::KernelKind;
    use crate::protocol::tests::{assert_messages_round_trip, run};

    #[test]
    fn every_message_round_trips_through_json() {
        assert_messages_round_trip::<ParallelJobs>(vec![
            Job::Start,
            Job::Chunk {
                spec: KernelSpec::default_for(KernelKind::Mandelbrot),
                items: 8..16,
            },
        ]);
    }

    #[test]
    fn a_chunk_is_the_kernels_own_result() {
        let spec = KernelSpec::default_for(KernelKind::Mandelbrot);
        let (answer, _, pixels) = run::<ParallelJobs>(Job::Chunk {
            spec,
            items: 100..104,
        });
        let image = spec.new_image();
        let checksum = spec.run_items(100..104, spec.rows_of(&image, &(100..104)));
        let expected: Vec<u16> = spec
            .rows_of(&image, &(100..104))
            .iter()
            .map(|p| p.load(Ordering::Relaxed))
            .collect();
        // The ticking clock moves 60 ms a reading: the worker read it once
        // when it started, then at the chunk's start and end.
        assert_eq!(
            answer,
            Ok(Done::Chunk {
                start: 120.0,
                end: 180.0,
                checksum,
                pixels: 4 * 1600
            })
        );
        assert_eq!(pixels, expected);
        let primes = KernelSpec::default_for(KernelKind::Primes);
        let (answer, _, pixels) = run::<ParallelJobs>(Job::Chunk {
            spec: primes,
            items: 0..100,
        });
        assert!(matches!(
            answer,
            Ok(Done::Chunk {
                checksum: 25,
                pixels: 0,
                ..
            })
        ));
        assert!(pixels.is_empty());
        assert_eq!(run::<ParallelJobs>(Job::Start).0, Ok(Done::Started));
    }

    #[test]
    fn bad_chunks_fail_saying_what_and_where() {
        let failure = |job| run::<ParallelJobs>(job).0.unwrap_err();
        let spec = KernelSpec::default_for(KernelKind::HashChain);
        assert_eq!(
            failure(Job::Chunk {
                spec,
                items: 10..spec.items() + 1
            }),
            "items 10..4000001 are outside the kernel's 0..4000000"
        );
        assert!(
            failure(Job::Chunk {
                spec: KernelSpec { chunk: 0, ..spec },
                items: 0..1
            })
            .contains("spec.chunk"),
        );
        // A request that does not decode says where.
        let error = crate::protocol::Request::<Job>::from_json(r#"{"id": 3, "lab": "parallel", "job": {"chunk": {"spec": {"kind": "fractal", "size": 1, "chunk": 1, "serial_fraction": 0}, "items": {"start": 0, "end": 1}}}}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "1:65 job.chunk.spec.kind: unknown variant `fractal`, expected one of `mandelbrot`, `primes`, `hash-chain`"
        );
    }
}
