//! Downloads: scenario files, and timelines as SVG and PNG.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

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

/// A standalone SVG document of `svg`, styles inlined.
pub fn svg_document(svg: &web_sys::Element) -> Option<String> {
    let copy: web_sys::Element = svg.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    let view_box = copy.get_attribute("viewBox")?;
    let size: Vec<&str> = view_box.split_whitespace().collect();
    copy.set_attribute("xmlns", "http://www.w3.org/2000/svg")
        .ok()?;
    copy.set_attribute("width", size.get(2)?).ok()?;
    copy.set_attribute("height", size.get(3)?).ok()?;
    let document = gloo::utils::document();
    let style = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "style")
        .ok()?;
    style.set_text_content(Some(EXPORT_CSS));
    let background = document
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "rect")
        .ok()?;
    for (name, value) in [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")] {
        background.set_attribute(name, value).ok()?;
    }
    copy.insert_before(&background, copy.first_child().as_ref())
        .ok()?;
    copy.insert_before(&style, copy.first_child().as_ref())
        .ok()?;
    let markup = web_sys::XmlSerializer::new()
        .ok()?
        .serialize_to_string(&copy)
        .ok()?;
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{markup}\n"
    ))
}

pub fn download_svg(svg: &web_sys::Element, file_name: &str) {
    if let Some(text) = svg_document(svg) {
        download_text(file_name, "image/svg+xml", &text);
    }
}

/// Renders `svg` at twice its size onto a canvas and downloads a PNG.
pub fn download_png(svg: &web_sys::Element, file_name: &str) {
    let Some(text) = svg_document(svg) else {
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
