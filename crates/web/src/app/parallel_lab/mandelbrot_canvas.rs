//! The Mandelbrot image, painted from the shared image buffer while the
//! workers fill it, chunk by chunk.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use gloo::timers::callback::Interval;
use interleave_core::parallel::kernels::MANDELBROT_MAX_ITER;
use yew::prelude::*;

#[derive(Properties)]
pub struct MandelbrotCanvasProps {
    pub image: Arc<Vec<AtomicU16>>,
    pub width: u64,
    pub height: u64,
    /// A run is filling the image.
    pub running: bool,
    /// Paint while it runs (only when a core is left over).
    pub live: bool,
}

impl PartialEq for MandelbrotCanvasProps {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.image, &other.image)
            && self.width == other.width
            && self.height == other.height
            && self.running == other.running
            && self.live == other.live
    }
}

impl std::fmt::Debug for MandelbrotCanvasProps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MandelbrotCanvasProps")
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

/// Repaint interval while a run fills the image.
const PAINT_MILLIS: u32 = 100;

#[function_component(MandelbrotCanvas)]
pub fn mandelbrot_canvas(props: &MandelbrotCanvasProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let (image, width, height) = (
            props.image.clone(),
            props.width as usize,
            props.height as usize,
        );
        // Re-run when the image changes, when a run ends (to paint it all)
        // and when live painting starts or stops.
        use_effect_with(
            (
                Arc::as_ptr(&props.image) as usize,
                props.running,
                props.live,
            ),
            move |(_, _, live)| {
                // Rows already on the canvas: each tick paints only rows that
                // finished since, so painting costs the page one pass over the
                // image per run, not one per tick (on a machine with as many
                // workers as cores, page work slows the workers down).
                let mut painted = vec![false; height];
                paint_new_rows(&canvas, &image, width, &mut painted);
                let interval = live.then(|| {
                    let canvas = canvas.clone();
                    Interval::new(PAINT_MILLIS, move || {
                        paint_new_rows(&canvas, &image, width, &mut painted)
                    })
                });
                move || drop(interval)
            },
        );
    }
    html! {
        <figure class="mandelbrot">
            <canvas ref={canvas} width={props.width.to_string()} height={props.height.to_string()}
                role="img" aria-label="The Mandelbrot image computed by the workers" />
        </figure>
    }
}

/// Paints every finished row not painted yet (a row is finished when its
/// last pixel is set: computed pixels are never 0). Unfinished rows show
/// the background. Pixels go through a plain (not shared) array: ImageData
/// refuses views of shared memory.
fn paint_new_rows(canvas: &NodeRef, image: &[AtomicU16], width: usize, painted: &mut [bool]) {
    let Some(canvas) = canvas.cast::<web_sys::HtmlCanvasElement>() else {
        return;
    };
    let Some(context) = crate::export::context_2d(&canvas) else {
        return;
    };
    if width == 0 {
        return;
    }
    let height = painted.len();
    let finished = |row: usize| {
        image
            .get(row * width + width - 1)
            .is_some_and(|pixel| pixel.load(Ordering::Relaxed) != 0)
    };
    if painted.iter().all(|done| !done) && !(0..height).any(finished) {
        context.set_fill_style_str("#e3e5e8");
        context.fill_rect(0.0, 0.0, width as f64, height as f64);
        return;
    }
    let mut row = 0;
    while row < height {
        if painted[row] || !finished(row) {
            row += 1;
            continue;
        }
        let first = row;
        while row < height && !painted[row] && finished(row) {
            painted[row] = true;
            row += 1;
        }
        let pixels = &image[first * width..row * width];
        let mut rgba = vec![0u8; pixels.len() * 4];
        for (pixel, out) in pixels.iter().zip(rgba.chunks_exact_mut(4)) {
            let [r, g, b] = colour(pixel.load(Ordering::Relaxed) as u32);
            out.copy_from_slice(&[r, g, b, 255]);
        }
        let array = js_sys::Uint8ClampedArray::new_with_length(rgba.len() as u32);
        array.copy_from(&rgba);
        if let Ok(data) = web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(
            &array,
            width as u32,
            (row - first) as u32,
        ) {
            let _ = context.put_image_data(&data, 0.0, first as f64);
        }
    }
}

/// Inside the set: dark; outside: a blue ramp by escape time.
fn colour(iter: u32) -> [u8; 3] {
    if iter >= MANDELBROT_MAX_ITER {
        [0x1f, 0x29, 0x37]
    } else {
        let t = (iter as f64 / 48.0).min(1.0);
        [
            (0x56 as f64 * (1.0 - t) + 0xff as f64 * t * 0.2) as u8,
            (0xb4 as f64 * t + 40.0) as u8,
            (0xe9 as f64 * t + 60.0).min(255.0) as u8,
        ]
    }
}
