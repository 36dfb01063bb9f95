//! Three CPU-bound kernels, each a function of a range of items. No
//! allocation inside: safe in hot parallel loops under wasm atomics, where
//! the allocator is behind one lock.

use std::ops::Range;
use std::sync::atomic::{AtomicU16, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KernelKind {
    /// Rows of a Mandelbrot image; items are rows, costs vary by row.
    Mandelbrot,
    /// Counting primes by trial division; later numbers cost more.
    Primes,
    /// A chain of 64 hash rounds per item; every item costs the same.
    HashChain,
}

impl KernelKind {
    pub const ALL: [KernelKind; 3] = [
        KernelKind::Mandelbrot,
        KernelKind::Primes,
        KernelKind::HashChain,
    ];

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn title(self) -> &'static str {
        match self {
            KernelKind::Mandelbrot => "Mandelbrot image",
            KernelKind::Primes => "counting primes",
            KernelKind::HashChain => "hash chains",
        }
    }

    /// What a spec's `size` is, as the page's field names it.
    pub fn size_label(self) -> &'static str {
        match self {
            KernelKind::Mandelbrot => "image width (px)",
            KernelKind::Primes => "count primes below",
            KernelKind::HashChain => "items",
        }
    }

    /// The sizes a spec of this kernel may have.
    pub fn size_range(self) -> (u64, u64) {
        match self {
            KernelKind::Mandelbrot => (16, 4096),
            KernelKind::Primes | KernelKind::HashChain => (100, 200_000_000),
        }
    }
}

/// How a run hands out its chunks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Handout {
    /// Every chunk `chunk` items (the last may be shorter).
    #[default]
    Fixed,
    /// `chunk` items at most, and never more than the items left over
    /// twice the workers: as the end nears, chunks shrink, so the workers
    /// finish together instead of waiting on one last big chunk (guided
    /// self-scheduling).
    Guided,
}

impl Handout {
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn is_fixed(&self) -> bool {
        *self == Handout::Fixed
    }
}

/// Mandelbrot images are `size` × `size * 2 / 3` pixels.
pub const MANDELBROT_MAX_ITER: u32 = 256;
/// Rounds per item of the hash-chain kernel.
pub const HASH_ROUNDS: u32 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelSpec {
    pub kind: KernelKind,
    /// Mandelbrot: image width; primes: count primes below it; hash chain:
    /// number of items.
    pub size: u64,
    /// Items per chunk (rows for Mandelbrot): the unit of work a worker
    /// takes at a time.
    pub chunk: u64,
    /// Share of the items done first, serially, on one worker, 0 to 0.95.
    pub serial_fraction: f64,
    #[serde(default, skip_serializing_if = "Handout::is_fixed")]
    pub handout: Handout,
}

impl KernelSpec {
    /// Defaults sized for a few hundred milliseconds on one core of a laptop
    /// in wasm: long enough that fixed costs (waking workers, timers) stay
    /// small next to the work.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn default_for(kind: KernelKind) -> Self {
        let (size, chunk) = match kind {
            KernelKind::Mandelbrot => (1600, 8),
            KernelKind::Primes => (3_000_000, 50_000),
            KernelKind::HashChain => (4_000_000, 50_000),
        };
        KernelSpec {
            kind,
            size,
            chunk,
            serial_fraction: 0.0,
            handout: Handout::Fixed,
        }
    }

    /// `1600 px wide, 8 rows a chunk, 0 % serial`.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn describe(&self) -> String {
        let (size, unit) = match self.kind {
            KernelKind::Mandelbrot => (format!("{} px wide", self.size), "rows"),
            KernelKind::Primes => (format!("primes below {}", self.size), "numbers"),
            KernelKind::HashChain => (format!("{} items", self.size), "items"),
        };
        format!(
            "{size}, {} {unit} a chunk{}, {:.0} % serial",
            self.chunk,
            match self.handout {
                Handout::Fixed => "",
                Handout::Guided => ", smaller toward the end",
            },
            self.serial_fraction * 100.0
        )
    }

    /// The number of items (rows for Mandelbrot).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn items(&self) -> u64 {
        match self.kind {
            KernelKind::Mandelbrot => self.height(),
            KernelKind::Primes | KernelKind::HashChain => self.size,
        }
    }

    /// Mandelbrot image width in pixels.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn width(&self) -> u64 {
        self.size
    }

    /// A zeroed image for this spec (empty unless Mandelbrot).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn new_image(&self) -> Vec<AtomicU16> {
        (0..self.pixels()).map(|_| AtomicU16::new(0)).collect()
    }

    /// Pixels of the image (none unless Mandelbrot).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn pixels(&self) -> usize {
        if self.kind == KernelKind::Mandelbrot {
            (self.width() * self.height()) as usize
        } else {
            0
        }
    }

    /// Mandelbrot image height in pixels.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn height(&self) -> u64 {
        (self.size * 2 / 3).max(1)
    }

    /// The part of `image` (`new_image`) that holds `items`' rows: empty
    /// unless Mandelbrot.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn rows_of<'i>(&self, image: &'i [AtomicU16], items: &Range<u64>) -> &'i [AtomicU16] {
        let width = self.row_pixels();
        let from = (items.start as usize * width).min(image.len());
        let to = (items.end as usize * width).min(image.len());
        &image[from..to]
    }

    /// Pixels a row (an item) stores: the width for Mandelbrot, else none.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn row_pixels(&self) -> usize {
        if self.kind == KernelKind::Mandelbrot {
            self.width() as usize
        } else {
            0
        }
    }

    /// Items done serially before the parallel part.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn serial_items(&self) -> u64 {
        ((self.items() as f64) * self.serial_fraction).round() as u64
    }

    /// This problem grown for weak scaling on `workers` workers: the
    /// parallel part `workers` times as large, the serial part as it is,
    /// so the work grows by Gustafson's factor g = s + n (1 - s). Hash
    /// chains get g times the items; a Mandelbrot image gets √g times the
    /// width (about g times the pixels of the same picture). Counting
    /// primes does not scale evenly (a larger number costs more to test),
    /// and a grown problem past the kernel's size limit is refused.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn scaled(&self, workers: usize) -> Result<KernelSpec, ScenarioError> {
        let s = self.serial_fraction;
        let growth = crate::parallel::amdahl::gustafson(s, workers.max(1) as f64);
        let size = match self.kind {
            KernelKind::HashChain => (self.size as f64 * growth).round() as u64,
            KernelKind::Mandelbrot => (self.size as f64 * growth.sqrt()).round() as u64,
            KernelKind::Primes => {
                return Err(ScenarioError::at_path(
                    "kind",
                    "counting primes costs more per number as the numbers grow, so its work cannot be grown evenly: weak scaling uses hash chains or the Mandelbrot image",
                ));
            }
        };
        let scaled = KernelSpec {
            size,
            serial_fraction: s / growth,
            ..*self
        };
        scaled.validate().map_err(|error| {
            ScenarioError::at_path(
                error.path.clone(),
                format!("grown for {workers} workers: {}", error.message),
            )
        })?;
        Ok(scaled)
    }

    /// The chunks of the parallel part for a run on `workers` workers, in
    /// order of hand-out.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn chunks_for(&self, workers: usize) -> Vec<Range<u64>> {
        match self.handout {
            Handout::Fixed => self.chunks(),
            Handout::Guided => {
                let (mut from, end) = (self.serial_items(), self.items());
                let share = 2 * workers.max(1) as u64;
                let mut chunks = Vec::new();
                while from < end {
                    let size = self.chunk.max(1).min((end - from).div_ceil(share));
                    chunks.push(from..from + size);
                    from += size;
                }
                chunks
            }
        }
    }

    /// The chunks of the parallel part, `chunk` items each, in order.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn chunks(&self) -> Vec<Range<u64>> {
        let start = self.serial_items();
        let end = self.items();
        let chunk = self.chunk.max(1);
        (start..end)
            .step_by(chunk as usize)
            .map(|from| from..(from + chunk).min(end))
            .collect()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let (min, max) = self.kind.size_range();
        if !(min..=max).contains(&self.size) {
            return Err(ScenarioError::at_path(
                "size",
                format!("{} is outside {min}..={max}", self.size),
            ));
        }
        if self.chunk == 0 || self.chunk > self.items() {
            return Err(ScenarioError::at_path(
                "chunk",
                format!(
                    "a chunk of {} items is outside 1..={}",
                    self.chunk,
                    self.items()
                ),
            ));
        }
        if self.items() / self.chunk > 100_000 {
            return Err(ScenarioError::at_path(
                "chunk",
                "more than 100000 chunks: make chunks larger",
            ));
        }
        if !(0.0..=0.95).contains(&self.serial_fraction) {
            return Err(ScenarioError::at_path(
                "serial_fraction",
                format!("{} is outside 0..=0.95", self.serial_fraction),
            ));
        }
        Ok(())
    }

    /// Runs `items` and returns their checksum. For Mandelbrot, stores the
    /// iteration count of every pixel of those rows into `rows`, which
    /// holds exactly those rows (atomics, so a page can paint the image
    /// while workers fill it).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn run_items(&self, items: Range<u64>, rows: &[AtomicU16]) -> u64 {
        match self.kind {
            KernelKind::Mandelbrot => mandelbrot_rows(self.width(), self.height(), items, rows),
            KernelKind::Primes => count_primes(items),
            KernelKind::HashChain => items.fold(0u64, |sum, item| {
                sum.wrapping_add(hash_chain(item, HASH_ROUNDS))
            }),
        }
    }
}

/// Combines the checksums of disjoint ranges (order does not matter).
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn combine(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

/// The hash chain of one item: `rounds` rounds of a 64-bit mixer.
#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn hash_chain(item: u64, rounds: u32) -> u64 {
    let mut x = item ^ 0x9E37_79B9_7F4A_7C15;
    for _ in 0..rounds {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
    }
    x
}

/// How many of the numbers in `range` are prime (trial division).
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn count_primes(range: Range<u64>) -> u64 {
    range.filter(|&n| is_prime(n)).count() as u64
}

#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n < 4 {
        return true;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut divisor = 3;
    while divisor * divisor <= n {
        if n.is_multiple_of(divisor) {
            return false;
        }
        divisor += 2;
    }
    true
}

/// Iteration counts of rows `rows_range` of a `width` × `height` view of
/// the Mandelbrot set; returns the sum of the counts.
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn mandelbrot_rows(width: u64, height: u64, rows_range: Range<u64>, out: &[AtomicU16]) -> u64 {
    let (x0, x1, y0, y1) = (-2.2f64, 0.8f64, -1.0f64, 1.0f64);
    let mut sum = 0u64;
    for (row_idx, row) in rows_range.enumerate() {
        let ci = y0 + (y1 - y0) * (row as f64 + 0.5) / height as f64;
        for col in 0..width {
            let cr = x0 + (x1 - x0) * (col as f64 + 0.5) / width as f64;
            let (mut zr, mut zi, mut iter) = (0.0f64, 0.0f64, 0u32);
            while iter < MANDELBROT_MAX_ITER && zr * zr + zi * zi <= 4.0 {
                let next = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = next;
                iter += 1;
            }
            if let Some(slot) = out.get(row_idx * width as usize + col as usize) {
                slot.store(iter as u16, Ordering::Relaxed);
            }
            sum += iter as u64;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_scaling_grows_the_parallel_part_and_keeps_the_serial_part() {
        let hash = KernelSpec {
            size: 100_000,
            serial_fraction: 0.2,
            ..KernelSpec::default_for(KernelKind::HashChain)
        };
        // g = 0.2 + 8 x 0.8 = 6.6: 660,000 items, of which the same
        // 20,000 serial ones.
        let grown = hash.scaled(8).unwrap();
        assert_eq!(grown.size, 660_000);
        assert_eq!(grown.serial_items(), hash.serial_items());
        assert_eq!(
            grown.items() - grown.serial_items(),
            8 * (hash.items() - hash.serial_items())
        );
        assert_eq!(hash.scaled(1).unwrap(), hash);
        // A Mandelbrot image: √g times as wide, about g times the pixels.
        let image = KernelSpec::default_for(KernelKind::Mandelbrot);
        let wide = image.scaled(4).unwrap();
        assert_eq!(wide.size, 3200);
        let ratio = wide.pixels() as f64 / image.pixels() as f64;
        assert!((ratio - 4.0).abs() < 0.01, "{ratio}");
        // Past the size limit, and a kernel that does not scale evenly.
        let error = image.scaled(16).unwrap_err();
        assert_eq!(error.path, "size");
        assert!(
            error
                .message
                .starts_with("grown for 16 workers: 6400 is outside"),
            "{}",
            error.message
        );
        let primes = KernelSpec::default_for(KernelKind::Primes);
        assert_eq!(primes.scaled(2).unwrap_err().path, "kind");
    }

    fn checksum(spec: &KernelSpec) -> u64 {
        let width = if spec.kind == KernelKind::Mandelbrot {
            spec.width() as usize
        } else {
            0
        };
        let image = spec.new_image();
        let serial = spec.serial_items();
        let mut sum = spec.run_items(0..serial, &image[..serial as usize * width]);
        for chunk in spec.chunks() {
            let rows = &image[chunk.start as usize * width..chunk.end as usize * width];
            sum = combine(sum, spec.run_items(chunk, rows));
        }
        sum
    }

    #[test]
    fn checksums_do_not_depend_on_chunking_or_serial_part() {
        for kind in KernelKind::ALL {
            let base = KernelSpec {
                size: if kind == KernelKind::Mandelbrot {
                    60
                } else {
                    5_000
                },
                chunk: 7,
                ..KernelSpec::default_for(kind)
            };
            let reference = checksum(&base);
            for (chunk, serial_fraction) in [(1, 0.0), (13, 0.5), (40, 0.9)] {
                let spec = KernelSpec {
                    chunk,
                    serial_fraction,
                    ..base
                };
                assert_eq!(
                    checksum(&spec),
                    reference,
                    "{kind:?} chunk {chunk} serial {serial_fraction}"
                );
            }
        }
    }

    #[test]
    fn primes_are_counted_right() {
        assert_eq!(count_primes(0..100), 25);
        assert_eq!(count_primes(0..10_000), 1229);
        assert_eq!(
            combine(count_primes(0..5_000), count_primes(5_000..10_000)),
            1229
        );
    }

    #[test]
    fn chunks_cover_the_parallel_part_exactly() {
        let spec = KernelSpec {
            size: 1000,
            chunk: 300,
            serial_fraction: 0.25,
            kind: KernelKind::HashChain,
            handout: Default::default(),
        };
        assert_eq!(spec.serial_items(), 250);
        assert_eq!(spec.chunks(), vec![250..550, 550..850, 850..1000]);
    }

    #[test]
    fn bad_specs_name_the_field() {
        let mut spec = KernelSpec::default_for(KernelKind::Primes);
        spec.chunk = 0;
        assert_eq!(spec.validate().unwrap_err().path, "chunk");
        spec.chunk = 100_000;
        spec.serial_fraction = 1.5;
        assert_eq!(spec.validate().unwrap_err().path, "serial_fraction");
        for kind in KernelKind::ALL {
            assert_eq!(KernelSpec::default_for(kind).validate(), Ok(()));
        }
    }
}
