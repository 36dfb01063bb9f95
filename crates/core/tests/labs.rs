//! The one list of labs (`interleave_core::labs`), everywhere outside
//! Rust that needs it: the page's loader and the build read
//! `web/labs.json`; `index.html` holds a Trunk module per lab and the
//! static header the loader shows while a module loads; the web crate
//! has a feature and a binary per lab. This test writes the generated
//! parts from the list (`UPDATE_EXPECT=1 cargo +stable test -p
//! interleave_core --test labs`) and fails, naming the file and the fix,
//! when any of them is out of step, so adding a lab cannot miss a place.

use std::path::{Path, PathBuf};

use interleave_core::labs::{LabId, TAGLINE};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

const REFRESH: &str =
    "run `UPDATE_EXPECT=1 cargo +stable test -p interleave_core --test labs` to write it";

/// Checks that `file` (relative to the root) is `expected`, or writes it.
fn expect_file(file: &str, expected: &str) {
    let path = root().join(file);
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual == expected {
        return;
    }
    if updating() {
        std::fs::write(&path, expected).unwrap();
    } else {
        panic!("{file} is not what the list of labs makes: {REFRESH}\n--- expected:\n{expected}");
    }
}

/// Checks that the part of `file` between `<!-- labs: NAME -->` and the
/// next `<!-- labs: end -->` is `expected`, or writes it.
fn expect_region(file: &str, name: &str, expected: &str) {
    let path = root().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let begin = format!("<!-- labs: {name} -->");
    let end = "<!-- labs: end -->";
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("{file} lacks the line {begin}"))
        + begin.len();
    let stop = start
        + text[start..]
            .find(end)
            .unwrap_or_else(|| panic!("{file}: {begin} has no {end} after it"));
    // The region is whole lines, indented as the end marker is.
    let indent: String = text[..stop]
        .rsplit('\n')
        .next()
        .unwrap()
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let body: String = expected
        .lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_owned()
            } else {
                format!("{indent}{line}\n")
            }
        })
        .collect();
    let wanted = format!("\n{body}{indent}");
    if text[start..stop] == wanted {
        return;
    }
    if updating() {
        let written = format!("{}{wanted}{}", &text[..start], &text[stop..]);
        std::fs::write(&path, written).unwrap();
    } else {
        panic!(
            "{file}'s part \"{name}\" is not what the list of labs makes: {REFRESH}\n--- expected:\n{expected}"
        );
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

#[test]
fn the_loader_reads_the_labs_from_labs_json() {
    let labs: Vec<String> = LabId::ALL
        .iter()
        .map(|lab| {
            format!(
                "    {{ \"name\": {}, \"path\": {}, \"nav\": {}, \"label\": {} }}",
                json_string(lab.name()),
                json_string(&lab.path()),
                json_string(lab.info().nav),
                json_string(&lab.the_lab()),
            )
        })
        .collect();
    let json = format!(
        "{{\n  \"//\": \"Written from crates/core/src/labs.rs by crates/core/tests/labs.rs: do not edit.\",\n  \"home\": {},\n  \"labs\": [\n{}\n  ]\n}}\n",
        json_string(LabId::HOME.name()),
        labs.join(",\n")
    );
    expect_file("web/labs.json", &json);
}

#[test]
fn index_html_builds_a_module_per_lab_and_shows_their_header_while_one_loads() {
    // The home page's lab is Trunk's one "main" asset; the others are
    // worker assets (ARCHITECTURE.md, "A module per lab").
    let mut modules = String::new();
    for lab in LabId::ALL {
        let name = lab.name();
        let kind = if lab == LabId::HOME {
            String::new()
        } else {
            "  data-type=\"worker\"\n  data-bindgen-target=\"web\"\n".to_owned()
        };
        let profile = lab.info().profile;
        modules.push_str(&format!(
            "<link\n  data-trunk\n  rel=\"rust\"\n  href=\"crates/web/Cargo.toml\"\n  data-bin=\"interleave_{name}\"\n{kind}  data-cargo-no-default-features\n  data-cargo-features=\"lab-{name}\"\n  data-cargo-profile-release=\"{profile}\"\n  data-wasm-opt=\"z\"\n  data-wasm-opt-params=\"--enable-threads --enable-bulk-memory\"\n/>\n"
        ));
    }
    expect_region("index.html", "modules", &modules);
    let nav: String = LabId::ALL
        .iter()
        .map(|lab| format!("    <a href=\"#{}\">{}</a>\n", lab.path(), lab.info().nav))
        .collect();
    let header = format!(
        "<header class=\"site-header\">\n  <a class=\"brand\" href=\"#/\"><h1>Interleave</h1></a>\n  <nav aria-label=\"Labs\">\n{nav}  </nav>\n  <p class=\"tagline\">{TAGLINE}</p>\n</header>\n"
    );
    expect_region("index.html", "header", &header);
}

#[test]
fn the_web_crate_has_a_feature_and_a_binary_per_lab() {
    let manifest = std::fs::read_to_string(root().join("crates/web/Cargo.toml")).unwrap();
    let mut missing = Vec::new();
    let default = manifest
        .lines()
        .find(|line| line.starts_with("default = "))
        .unwrap_or_default();
    for lab in LabId::ALL {
        let name = lab.name();
        let feature = format!("lab-{name}");
        if !manifest
            .lines()
            .any(|line| line.starts_with(&format!("{feature} = [")))
        {
            missing.push(format!("a feature `{feature} = [...]` in [features]"));
        }
        if !default.contains(&format!("\"{feature}\"")) {
            missing.push(format!("\"{feature}\" among the default features"));
        }
        let bin = format!(
            "[[bin]]\nname = \"interleave_{name}\"\npath = \"src/bin/{name}.rs\"\nrequired-features = [\"{feature}\"]\ntest = false\n"
        );
        if !manifest.contains(&bin) {
            missing.push(format!("the binary:\n{bin}"));
        }
        expect_file(
            &format!("crates/web/src/bin/{name}.rs"),
            &format!(
                "//! The module of {} (the feature `{feature}`): the page's loader\n//! (`web/loader.js`) loads it when that route is opened and calls its\n//! exported `mount` (`interleave_web::entry`).\n\n// Links the app's crate, whose exports (`mount`, ...) make the module.\nuse interleave_web as _;\n\nfn main() {{}}\n",
                if lab == LabId::HOME {
                    format!("the home page and {}", lab.the_lab())
                } else {
                    lab.the_lab()
                }
            ),
        );
    }
    assert!(
        missing.is_empty(),
        "crates/web/Cargo.toml lacks, for the labs of interleave_core::labs:\n{}",
        missing.join("\n")
    );
}
