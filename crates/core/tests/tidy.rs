//! Tidiness the compiler does not check: every module says what it is in
//! a `//!` doc, and ARCHITECTURE.md (the map) names only files and modules
//! that exist.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every file under `dir` whose name ends with `ext`, recursively.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
}

fn sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for krate in ["core", "web", "worker", "cli"] {
        files(
            &root().join("crates").join(krate).join("src"),
            ".rs",
            &mut out,
        );
    }
    out
}

#[test]
fn every_module_says_what_it_is() {
    let undocumented: Vec<String> = sources()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let first = text
                .lines()
                .find(|line| !line.trim().is_empty() && !line.starts_with("#!["));
            !first.is_some_and(|line| line.starts_with("//!"))
        })
        .map(|path| path.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(
        undocumented.is_empty(),
        "modules without a //! doc at the top: {undocumented:?}"
    );
}

/// Where ARCHITECTURE.md's relative paths may start.
const BASES: [&str; 12] = [
    "",
    "crates/core/src",
    "crates/web/src",
    "crates/cli/src",
    "crates/core",
    "crates/web",
    "crates/cli",
    "tests/e2e",
    "tests",
    "web",
    "scripts",
    "docs",
];

/// Names the map uses that are not files in the repository: the build's
/// output, and the file every golden folder has.
const NOT_IN_THE_TREE: [&str; 2] = ["dist/", "expected.txt"];

const FILE_ENDINGS: [&str; 10] = [
    ".rs", ".mjs", ".js", ".md", ".toml", ".sh", ".py", ".txt", ".html", ".css",
];

#[test]
fn the_architecture_map_names_only_what_exists() {
    let root = root();
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    // Paths in backticks: `app/parallel_lab.rs`, `tests/e2e/pages`.
    for (idx, quoted) in map.split('`').enumerate() {
        let is_code = idx % 2 == 1;
        let looks_like_path = !quoted.contains([' ', '*', '<', '{', '(', '#', ':', '='])
            && (quoted.contains('/') || FILE_ENDINGS.iter().any(|end| quoted.ends_with(end)))
            && !quoted.starts_with("../")
            && !quoted.starts_with("http");
        if is_code && looks_like_path && !NOT_IN_THE_TREE.contains(&quoted) {
            let path = quoted.trim_end_matches('/');
            if !BASES.iter().any(|base| root.join(base).join(path).exists()) {
                missing.push(format!("path `{quoted}`"));
            }
        }
    }
    // List items naming a module: "- `share`: ...".
    let mut modules: Vec<String> = Vec::new();
    for path in sources() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        modules.push(name);
        if let Some(dir) = path.parent() {
            modules.push(dir.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    for line in map.lines() {
        let item = line.trim_start();
        let Some(rest) = item.strip_prefix("- `") else {
            continue;
        };
        let Some((name, _)) = rest.split_once('`') else {
            continue;
        };
        let is_module_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if is_module_name && !modules.iter().any(|module| module == name) {
            missing.push(format!("module `{name}`"));
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names what does not exist: {missing:?}"
    );
}
