//! Downloads: scenario files, and timelines as SVG and PNG figures (a
//! title, the timeline, its legend).

use interleave_core::Trace;
use interleave_core::trace::SpanKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::components::timeline::task_colour;

/// The timeline's look, inlined into exported SVG files (the page's
/// stylesheet does not travel with them).
const EXPORT_CSS: &str = "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}\
.tick line{stroke:#d7dbe0;stroke-width:1}.tick text,.axis-unit{fill:#5b6472;font-size:11px}.axis-unit{font-style:italic}\
.lane-label{fill:#1f2937;font-size:12px;font-weight:600}rect.span{stroke:#1f2937;stroke-width:.6}rect.span.idle,rect.span.dense{stroke:none}\
rect.span.ready{fill-opacity:.25;stroke-dasharray:3 2}.cursor line{stroke:#b42318;stroke-width:1.5}.cursor circle{fill:#b42318}";

/// Offers `blob` as a file download.
pub fn download_blob(file_name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let document = gloo::utils::document();
    if let Ok(anchor) = document
        .create_element("a")
        .map(|a| a.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    // Revoke later: some browsers read the URL after click() returns.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

/// Offers `text` as a file download of type `mime`.
pub fn download_text(file_name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        download_blob(file_name, &blob);
    }
}

/// The canvas's 2D drawing context.
pub fn context_2d(
    canvas: &web_sys::HtmlCanvasElement,
) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// One entry of an exported figure's legend.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    /// A CSS colour, or `hatched` for a hatched swatch.
    pub fill: String,
    pub dashed: bool,
    pub label: String,
}

/// The legend of a figure of `trace`: a colour per task (the first 12),
/// or, where tasks share colours (the Servers lab colours by request
/// type), a colour per name they share ("#12 database read" is a
/// "database read"); then the kinds of span it has, in the page's words.
pub fn legend_items(trace: &Trace) -> Vec<LegendItem> {
    const ENTRIES: usize = 12;
    let item = |fill: &str, dashed: bool, label: &str| LegendItem {
        fill: fill.to_owned(),
        dashed,
        label: label.to_owned(),
    };
    // Each colour with the names of its tasks, in order of first use.
    let mut colours: Vec<(String, Vec<&str>)> = Vec::new();
    for (idx, task) in trace.tasks.iter().enumerate() {
        let colour = task_colour(trace, idx);
        let name = task
            .name
            .strip_prefix('#')
            .and_then(|rest| rest.split_once(' '))
            .filter(|(number, _)| number.chars().all(|c| c.is_ascii_digit()))
            .map_or(task.name.as_str(), |(_, name)| name);
        match colours.iter_mut().find(|(known, _)| *known == colour) {
            Some((_, names)) => names.push(name),
            None => colours.push((colour, vec![name])),
        }
    }
    let mut items = Vec::new();
    if colours.len() == trace.tasks.len() {
        for (colour, names) in colours.iter().take(ENTRIES) {
            items.push(item(colour, false, names[0]));
        }
        if colours.len() > ENTRIES {
            items.push(item(
                "none",
                false,
                &format!("and {} more", colours.len() - ENTRIES),
            ));
        }
    } else {
        let mut mixed = false;
        for (colour, names) in &colours {
            if names.iter().all(|name| *name == names[0]) && items.len() < ENTRIES {
                items.push(item(colour, false, names[0]));
            } else {
                mixed = true;
            }
        }
        if mixed {
            items.push(item("none", false, "other colours: a task each"));
        }
    }
    let has = |kind: SpanKind| trace.has_span_kind(kind);
    for (kind, fill, dashed) in [
        (SpanKind::Running, "#8a94a3", false),
        (SpanKind::Blocked, "hatched", false),
        (SpanKind::Waiting, "hatched", false),
        (SpanKind::Ready, "#d7dbe0", true),
        (SpanKind::Switching, "#3b3f46", false),
        (SpanKind::Idle, "#e3e5e8", false),
    ] {
        if has(kind) {
            items.push(item(fill, dashed, trace.kind_label(kind)));
        }
    }
    items
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A standalone SVG document of the timeline `svg` as a figure: `title`
/// above it, `legend` below, styles inlined, on white.
pub fn figure_document(
    svg: &web_sys::Element,
    title: &str,
    legend: &[LegendItem],
) -> Option<String> {
    const PAD: f64 = 12.0;
    const TITLE: f64 = 34.0;
    const ROW: f64 = 20.0;
    let copy: web_sys::Element = svg.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    let view_box = copy.get_attribute("viewBox")?;
    let size: Vec<f64> = view_box
        .split_whitespace()
        .filter_map(|part| part.parse().ok())
        .collect();
    let (width, height) = (*size.get(2)?, *size.get(3)?);
    copy.set_attribute("xmlns", "http://www.w3.org/2000/svg")
        .ok()?;
    for (name, value) in [
        ("width", width.to_string()),
        ("height", height.to_string()),
        ("x", "0".to_owned()),
        ("y", TITLE.to_string()),
    ] {
        copy.set_attribute(name, &value).ok()?;
    }
    let timeline = web_sys::XmlSerializer::new()
        .ok()?
        .serialize_to_string(&copy)
        .ok()?;
    // The legend in rows, each entry a swatch and its words (about 6.2 px
    // a character at 11 px).
    let (mut x, mut y) = (PAD, TITLE + height + 10.0);
    let mut entries = String::new();
    for item in legend {
        let wide = 22.0 + item.label.chars().count() as f64 * 6.2 + 14.0;
        if x + wide > width - PAD && x > PAD {
            x = PAD;
            y += ROW;
        }
        let fill = if item.fill == "hatched" {
            "url(#legend-hatch)".to_owned()
        } else {
            escape(&item.fill)
        };
        let dash = if item.dashed {
            " stroke-dasharray=\"3 2\""
        } else {
            ""
        };
        let stroke = if item.fill == "none" {
            "none"
        } else {
            "#1f2937"
        };
        entries.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"16\" height=\"11\" rx=\"2\" fill=\"{fill}\" stroke=\"{stroke}\"{dash}/>\
             <text class=\"legend-text\" x=\"{}\" y=\"{}\">{}</text>",
            x + 22.0,
            y + 10.0,
            escape(&item.label)
        ));
        x += wide;
    }
    let total = y + ROW + PAD / 2.0;
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{total}\" viewBox=\"0 0 {width} {total}\">\
         <style>{EXPORT_CSS}.export-title{{fill:#1f2937;font-size:15px;font-weight:600}}.legend-text{{fill:#1f2937;font-size:11px}}</style>\
         <defs><pattern id=\"legend-hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"5\" height=\"5\" fill=\"#ffffff\"/><rect width=\"2.5\" height=\"5\" fill=\"#8a94a3\"/></pattern></defs>\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\
         <text class=\"export-title\" x=\"{PAD}\" y=\"22\">{}</text>{timeline}<g class=\"export-legend\">{entries}</g></svg>\n",
        escape(title)
    ))
}

/// Downloads the timeline `svg` as an SVG figure (title and legend).
pub fn download_svg(svg: &web_sys::Element, title: &str, legend: &[LegendItem], file_name: &str) {
    if let Some(text) = figure_document(svg, title, legend) {
        download_text(file_name, "image/svg+xml", &text);
    }
}

/// Renders the SVG figure of `svg` (title and legend) at twice its size
/// onto a canvas and downloads a PNG.
pub fn download_png(svg: &web_sys::Element, title: &str, legend: &[LegendItem], file_name: &str) {
    let Some(text) = figure_document(svg, title, legend) else {
        return;
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(&text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let Ok(image) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let file_name = file_name.to_owned();
    let loaded = image.clone();
    let source = url.clone();
    let on_load = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&source);
        let scale = 2.0;
        let (width, height) = (
            loaded.natural_width() as f64 * scale,
            loaded.natural_height() as f64 * scale,
        );
        let document = gloo::utils::document();
        let Some(canvas) = document
            .create_element("canvas")
            .ok()
            .and_then(|canvas| canvas.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_width(width as u32);
        canvas.set_height(height as u32);
        let Some(context) = context_2d(&canvas) else {
            return;
        };
        let _ = context
            .draw_image_with_html_image_element_and_dw_and_dh(&loaded, 0.0, 0.0, width, height);
        let on_blob = Closure::once_into_js(move |blob: JsValue| {
            if let Ok(blob) = blob.dyn_into::<web_sys::Blob>() {
                download_blob(&file_name, &blob);
            }
        });
        let _ = canvas.to_blob(on_blob.unchecked_ref());
    });
    image.set_onload(Some(on_load.unchecked_ref()));
    image.set_src(&url);
}

#[cfg(test)]
mod tests {
    use interleave_core::trace::{Lane, LaneKind, Span, TaskInfo};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn trace(tasks: &[(&str, Option<&str>)]) -> Trace {
        Trace {
            unit: "ms".to_owned(),
            tasks: tasks
                .iter()
                .map(|(name, colour)| TaskInfo {
                    name: (*name).to_owned(),
                    colour: colour.map(str::to_owned),
                })
                .collect(),
            lanes: vec![Lane {
                name: "worker".to_owned(),
                kind: LaneKind::Worker,
                spans: vec![Span {
                    start: 0,
                    end: 5,
                    kind: SpanKind::Blocked,
                    task: Some(0),
                    other: None,
                }],
            }],
            events: Vec::new(),
            end: 5,
            kind_names: Vec::new(),
        }
    }

    fn labels(trace: &Trace) -> Vec<String> {
        legend_items(trace)
            .into_iter()
            .map(|item| item.label)
            .collect()
    }

    #[wasm_bindgen_test]
    fn a_legend_names_each_colour_once_and_only_the_spans_drawn() {
        // A colour a task: each task by name.
        let models = trace(&[("A", None), ("B", None)]);
        assert_eq!(labels(&models), ["A", "B", "blocked on I/O (hatched)"]);
        // Request types share colours: one entry per type.
        let servers = trace(&[
            ("#1 call an API", Some("#E69F00")),
            ("#2 read", Some("#56B4E9")),
            ("#3 read", Some("#56B4E9")),
        ]);
        assert_eq!(
            labels(&servers),
            ["call an API", "read", "blocked on I/O (hatched)"]
        );
        // Chunks cycle through the palette: no name fits a shared colour.
        let mut chunks: Vec<(String, Option<&str>)> =
            (1..=20).map(|n| (format!("chunk {n}"), None)).collect();
        chunks.push(("serial part".to_owned(), Some("#3b3f46")));
        let named: Vec<(&str, Option<&str>)> = chunks
            .iter()
            .map(|(name, colour)| (name.as_str(), *colour))
            .collect();
        let parallel = labels(&trace(&named));
        assert_eq!(
            parallel[..2],
            ["serial part", "other colours: a task each"],
            "{parallel:?}"
        );
    }
}
