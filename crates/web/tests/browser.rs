//! In-browser tests: mount components in real Chromium and read the DOM.

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;
use std::time::Duration;

use interleave_core::Scenario;
use interleave_core::models::scenario::Model;
use interleave_core::models::simulate;
use interleave_web::components::timeline::{Timeline, TimelineProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

async fn mount_timeline(model: Model) -> web_sys::Element {
    let root = fresh_root();
    let trace = Rc::new(simulate(&Scenario::default_models(), model));
    let props = TimelineProps {
        trace,
        window: Some((0, 210)),
        cursor: Some(15),
        on_scrub: None,
        label: model.label().into(),
    };
    yew::Renderer::<Timeline>::with_root_and_props(root.clone(), props).render();
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    root
}

fn count(root: &web_sys::Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

/// The timeline drawing's width (its viewBox, the box's CSS width) and
/// its lane-label column: 110 px, or 76 px under 600 px.
fn drawing_width(root: &web_sys::Element) -> (f64, f64) {
    let svg = root.query_selector("svg").unwrap().unwrap();
    let view_box = svg.get_attribute("viewBox").unwrap();
    let width: f64 = view_box.split(' ').nth(2).unwrap().parse().unwrap();
    let figure = root.query_selector("figure.timeline").unwrap().unwrap();
    assert_eq!(
        width,
        f64::from(figure.client_width()),
        "drawn at its box's width"
    );
    (width, if width < 600.0 { 76.0 } else { 110.0 })
}

#[wasm_bindgen_test]
async fn timeline_draws_one_lane_and_hatched_waits_for_sync() {
    let root = mount_timeline(Model::sync(1)).await;
    assert_eq!(count(&root, "g.lane"), 1);
    assert_eq!(count(&root, "rect.span.running"), 6);
    assert_eq!(count(&root, "rect.span.blocked"), 3);
    let blocked = root.query_selector("rect.span.blocked").unwrap().unwrap();
    assert!(
        blocked
            .get_attribute("fill")
            .unwrap()
            .starts_with("url(#hatch-")
    );
    let title = blocked
        .query_selector("title")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(title, "thread 1: A · blocked on I/O · 10–60 ms");
    let svg = root.query_selector("svg").unwrap().unwrap();
    assert_eq!(
        svg.get_attribute("aria-label").unwrap(),
        "Timeline, sync, 1 thread: 1 lanes, ends at 210 ms"
    );
}

#[wasm_bindgen_test]
async fn timeline_scales_spans_to_the_shared_axis() {
    let root = mount_timeline(Model::asynchronous(1)).await;
    assert_eq!(count(&root, "rect.span.blocked"), 0);
    assert_eq!(
        count(&root, "rect.span.idle"),
        1,
        "idle while all three tasks wait"
    );
    let widths: Vec<f64> = {
        let rects = root.query_selector_all("rect.span.running").unwrap();
        (0..rects.length())
            .map(|idx| {
                let rect: web_sys::Element = rects.item(idx).unwrap().dyn_into().unwrap();
                rect.get_attribute("width").unwrap().parse().unwrap()
            })
            .collect()
    };
    assert_eq!(widths.len(), 6);
    // Each 10 ms compute is 10/210 of the plot width (the drawing is as
    // wide as its box, after the lane labels and the right pad).
    let (width, labels) = drawing_width(&root);
    let expected = 10.0 / 210.0 * (width - labels - 16.0);
    for width in widths {
        assert!((width - expected).abs() < 0.01, "{width} vs {expected}");
    }
}

#[wasm_bindgen_test]
async fn timeline_draws_the_cursor_at_its_time() {
    let root = mount_timeline(Model::sync(1)).await;
    let cursor = root.query_selector(".cursor").unwrap().unwrap();
    let style = cursor.get_attribute("style").unwrap();
    let left: f64 = style
        .trim_start_matches("left:")
        .trim_end_matches('%')
        .parse()
        .unwrap();
    let (width, labels) = drawing_width(&root);
    let expected = (labels + 15.0 / 210.0 * (width - labels - 16.0)) / width * 100.0;
    assert!((left - expected).abs() < 1e-3, "{left} vs {expected}");
}

#[wasm_bindgen_test]
async fn a_huge_trace_draws_at_most_about_one_rect_per_pixel_per_lane() {
    use interleave_core::models::scenario::{Segment, TaskSpec};
    let mut scenario = Scenario::default_models();
    scenario.tasks = (0..5_000)
        .map(|_| TaskSpec {
            name: None,
            arrival: 0,
            colour: None,
            segments: vec![Segment::Compute(1), Segment::wait(1)],
        })
        .collect();
    let trace = Rc::new(simulate(&scenario, Model::sync(2)));
    let spans: usize = trace.lanes.iter().map(|lane| lane.spans.len()).sum();
    assert!(spans >= 10_000, "{spans} spans");
    let root = fresh_root();
    let props = TimelineProps {
        window: None,
        cursor: None,
        on_scrub: None,
        label: "big".into(),
        trace,
    };
    yew::Renderer::<Timeline>::with_root_and_props(root.clone(), props).render();
    yew::platform::time::sleep(Duration::from_millis(50)).await;
    let rects = count(&root, "rect.span");
    assert!(
        rects > 100 && rects <= 2 * 840,
        "{rects} rects for {spans} spans"
    );
}
