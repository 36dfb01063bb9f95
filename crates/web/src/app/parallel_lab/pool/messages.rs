//! Real parallelism without shared memory: message-passing web workers
//! (`web/worker.js`), each with its own wasm instance, for pages that are
//! not cross-origin isolated (the usual LMS iframe). The one scheduler of
//! `interleave_core::parallel::schedule` hands out the chunks, as it does
//! for the shared pool; this module is its backend: a chunk is a
//! [`Job::Chunk`] request to one worker, and its times come back on the
//! shared clock (`timeOrigin + now`). A worker that fails its chunk (or
//! stops) fails the run, saying which worker and why.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};

use interleave_core::parallel::kernels::KernelSpec;
use interleave_core::parallel::run::KernelRun;
use interleave_core::parallel::jobs::{self, Job, ParallelJobs};
use interleave_core::parallel::schedule::{self, Backend, Done, Scheduler};

use crate::web::shared_clock;
use crate::workers::ProtocolWorker;

/// A set of message-passing workers, started once per page.
#[derive(Debug)]
pub struct MessagePool {
    workers: Vec<ProtocolWorker<ParallelJobs>>,
}

impl MessagePool {
    /// Starts `workers` workers and waits until each has its wasm instance.
    pub async fn start(workers: usize) -> Result<MessagePool, String> {
        let workers = (0..workers)
            .map(|_| ProtocolWorker::spawn())
            .collect::<Result<Vec<_>, _>>()?;
        for (idx, worker) in workers.iter().enumerate() {
            match worker.ask(Job::Start).await {
                Ok((jobs::Done::Started, _)) => {}
                Ok((other, _)) => return Err(format!("worker {} answered {other:?}", idx + 1)),
                Err(message) => return Err(format!("worker {}: {message}", idx + 1)),
            }
        }
        Ok(MessagePool { workers })
    }

    pub fn len(&self) -> usize {
        self.workers.len()
    }

    /// Runs `spec` on the first `workers` workers, chunk by chunk.
    pub async fn run(
        &self,
        spec: KernelSpec,
        workers: usize,
        image: Arc<Vec<AtomicU16>>,
        cancel: Arc<AtomicBool>,
    ) -> Result<KernelRun, String> {
        let scheduler = Scheduler::new(&spec, workers.clamp(1, self.len()));
        let backend = Chunks {
            pool: self,
            spec,
            image: &image,
            origin: shared_clock(),
        };
        scheduler.run_here(&backend, &cancel).await?;
        Ok(scheduler.finish(shared_clock() - backend.origin))
    }
}

/// The pool as the scheduler's backend for one run.
struct Chunks<'a> {
    pool: &'a MessagePool,
    spec: KernelSpec,
    image: &'a [AtomicU16],
    /// When the run started, on the shared clock.
    origin: f64,
}

impl Backend for Chunks<'_> {
    async fn run(&self, worker: usize, job: schedule::Job) -> Result<Done, String> {
        let request = Job::Chunk {
            spec: self.spec,
            items: job.items.clone(),
        };
        let answer = self.pool.workers[worker]
            .ask(request)
            .await
            .map_err(|message| format!("worker {}: {message}", worker + 1))?;
        match answer {
            (
                jobs::Done::Chunk {
                    start,
                    end,
                    checksum,
                    pixels: count,
                },
                pixels,
            ) => {
                let rows = self.spec.rows_of(self.image, &job.items);
                let sent = pixels.map_or_else(Vec::new, |pixels| pixels.to_vec());
                if count != rows.len() || sent.len() != rows.len() {
                    return Err(format!(
                        "a worker sent {} pixels for rows of {}",
                        sent.len(),
                        rows.len()
                    ));
                }
                for (pixel, value) in rows.iter().zip(sent) {
                    pixel.store(value, Ordering::Relaxed);
                }
                Ok(Done {
                    start: start - self.origin,
                    end: end - self.origin,
                    checksum,
                })
            }
            (other, _) => Err(format!("worker {} answered {other:?}", worker + 1)),
        }
    }
}
