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

/// The modules of one folder that `text` (a module of that folder, its
/// code before its tests) refers to: `super::name`, `super::{a, b}`,
/// `crate::<folder path>::name`.
fn sibling_uses(text: &str, folder_path: &str, siblings: &[String]) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut used = Vec::new();
    let prefixes = [
        "super::".to_owned(),
        if folder_path.is_empty() {
            "crate::".to_owned()
        } else {
            format!("crate::{folder_path}::")
        },
    ];
    for prefix in &prefixes {
        let mut rest = code;
        while let Some(at) = rest.find(prefix.as_str()) {
            rest = &rest[at + prefix.len()..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                // The group's top-level names: `{a, b::{c, d}, e}`.
                let mut depth = 0;
                let mut end = group.len();
                for (idx, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            end = idx;
                            break;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                let mut names = Vec::new();
                let mut depth = 0;
                let mut start = 0;
                let group = &group[..end];
                for (idx, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            names.push(&group[start..idx]);
                            start = idx + 1;
                        }
                        _ => {}
                    }
                }
                names.push(&group[start..]);
                names
            } else {
                vec![rest]
            };
            for name in names {
                let name: String = name
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if siblings.contains(&name) && !used.contains(&name) {
                    used.push(name);
                }
            }
        }
    }
    used
}

/// No two modules of one folder use each other, directly or round a
/// circle: a helper both need belongs in one of them, or below them.
#[test]
fn modules_of_one_folder_use_each_other_one_way() {
    let mut circles = Vec::new();
    for krate in ["core", "web", "worker", "cli"] {
        let src = root().join("crates").join(krate).join("src");
        let mut folders = vec![src.clone()];
        while let Some(folder) = folders.pop() {
            let entries: Vec<PathBuf> = std::fs::read_dir(&folder)
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .collect();
            folders.extend(entries.iter().filter(|path| path.is_dir()).cloned());
            let files: Vec<&PathBuf> = entries
                .iter()
                .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
                .collect();
            let names: Vec<String> = files
                .iter()
                .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
                .collect();
            let folder_path = folder
                .strip_prefix(&src)
                .unwrap()
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("::");
            let uses: Vec<Vec<usize>> = files
                .iter()
                .map(|path| {
                    let text = std::fs::read_to_string(path).unwrap();
                    sibling_uses(&text, &folder_path, &names)
                        .iter()
                        .filter_map(|name| names.iter().position(|n| n == name))
                        .collect()
                })
                .collect();
            // A circle: a module that reaches itself.
            for start in 0..names.len() {
                let mut path = vec![start];
                let mut stack = vec![(start, 0usize)];
                while let Some((node, next)) = stack.pop() {
                    if next < uses[node].len() {
                        stack.push((node, next + 1));
                        let to = uses[node][next];
                        if to == start {
                            let mut circle: Vec<&str> =
                                path.iter().map(|&m| names[m].as_str()).collect();
                            circle.sort_unstable();
                            let circle = format!(
                                "{}: {{{}}}",
                                folder.strip_prefix(root()).unwrap().display(),
                                circle.join(",")
                            );
                            if !circles.contains(&circle) {
                                circles.push(circle);
                            }
                        } else if !path.contains(&to) {
                            path.push(to);
                            stack.push((to, 0));
                        }
                    } else {
                        path.pop();
                    }
                }
            }
        }
    }
    assert!(
        circles.is_empty(),
        "modules that use each other round a circle: {circles:?}"
    );
}

/// `FILE.md, "Section"` in any comment or doc names a heading of that
/// file; a link in the docs leads to a file of the repository.
#[test]
fn every_section_a_comment_or_doc_points_to_exists() {
    let root = root();
    let mut texts = Vec::new();
    for (dir, ext) in [
        ("crates", ".rs"),
        ("crates", ".toml"),
        ("scripts", ".sh"),
        ("scripts", ".mjs"),
        ("tests", ".mjs"),
        ("web", ".js"),
        ("web", ".css"),
        ("docs", ".md"),
        (".cargo", ".toml"),
    ] {
        files(&root.join(dir), ext, &mut texts);
    }
    for file in [
        "README.md",
        "ARCHITECTURE.md",
        "index.html",
        "Trunk.toml",
        "Cargo.toml",
    ] {
        texts.push(root.join(file));
    }
    let mut missing = Vec::new();
    for path in &texts {
        // This file names the pattern itself.
        if path
            .components()
            .any(|part| part.as_os_str() == "target" || part.as_os_str() == "node_modules")
            || path.ends_with("crates/core/tests/tidy.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        // `ARCHITECTURE.md, "A module per lab"`, across a line break and
        // a comment marker too.
        let flat = text
            .lines()
            .map(|line| {
                line.trim()
                    .trim_start_matches("//!")
                    .trim_start_matches("///")
                    .trim_start_matches("//")
                    .trim_start_matches('#')
                    .trim_start_matches('*')
                    .trim()
            })
            .collect::<Vec<_>>()
            .join(" ");
        let mut rest = flat.as_str();
        while let Some(at) = rest.find(".md, \"") {
            let before = &rest[..at];
            let doc_start = before
                .rfind(|c: char| c.is_whitespace() || c == '(' || c == '`')
                .map_or(0, |idx| idx + 1);
            let doc = format!("{}.md", &before[doc_start..]);
            let after = &rest[at + 6..];
            let Some(end) = after.find('"') else { break };
            let section = &after[..end];
            rest = &after[end..];
            let doc_path = root.join(&doc);
            let doc_path = if doc_path.exists() {
                doc_path
            } else {
                root.join("docs").join(&doc)
            };
            match std::fs::read_to_string(&doc_path) {
                Ok(doc_text) => {
                    let found = doc_text.lines().any(|line| {
                        line.starts_with('#') && line.trim_start_matches('#').trim() == section
                    });
                    if !found {
                        missing.push(format!(
                            "{name} points to {doc}, \"{section}\", which has no such heading"
                        ));
                    }
                }
                Err(_) => missing.push(format!("{name} points to {doc}, which does not exist")),
            }
        }
        // Links in Markdown lead inside the repository, to what exists.
        if name.ends_with(".md") {
            let mut rest = text.as_str();
            while let Some(at) = rest.find("](") {
                rest = &rest[at + 2..];
                let Some(end) = rest.find(')') else { break };
                let target = rest[..end].split('#').next().unwrap_or("");
                rest = &rest[end..];
                if target.is_empty() || target.starts_with("http") || target.starts_with("mailto:")
                {
                    continue;
                }
                let base = path.parent().unwrap();
                let resolved = base.join(target);
                let inside = resolved
                    .canonicalize()
                    .is_ok_and(|resolved| resolved.starts_with(&root));
                if !inside {
                    missing.push(format!(
                        "{name} links to {target}, not a file of the repository"
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_circle_check_reads_every_kind_of_use() {
    let names: Vec<String> = ["a", "b", "c", "d"].map(str::to_owned).to_vec();
    let text =
        "use super::{a, b::{X, Y}};\nfn f() { crate::x::c::go() }\n#[cfg(test)]\nuse super::d;";
    assert_eq!(sibling_uses(text, "x", &names), ["a", "b", "c"]);
}
