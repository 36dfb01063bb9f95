//! Tests of the lexer and the parser: what is refused, and where.

use super::parse;

/// The error for `source`, as `line:column: message`.
fn error(source: &str) -> String {
    match parse(source) {
        Ok(_) => panic!("{source:?} parsed"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_subset_a_lecture_writes_parses() {
    let program = r#"
        const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
        async function main({ a, b = 2 }, ...rest) {
          for (const x of [1, 2]) { await wait(x); }
          for (let i = 0; i < 3; i++) if (i % 2) continue; else console.log(i);
          try { throw new Error(`bad ${a}`); } catch { } finally { }
          const o = { a, [b]: 1, m() { return this.a; }, async n() {}, ...rest };
          return o?.m?.() ?? [...rest, a ** 2];
        }
        main({ a: 1 }).then(console.log)
        let x = 1
        x++
        await main({ a: 2 })
    "#;
    let body = parse(program).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body.len(), 6);
}

#[test]
fn what_the_lab_does_not_support_is_refused_where_it_is_written() {
    let cases = [
        ("class A {}", "1:1: classes: not supported in this lab"),
        ("var x = 1", "1:1: `var`: not supported in this lab"),
        (
            "function* g() {}",
            "1:9: generator functions (`function*`): not supported in this lab",
        ),
        (
            "const r = /ab+c/",
            "1:11: regular expressions: not supported in this lab",
        ),
        ("switch (x) {}", "1:1: `switch`: not supported in this lab"),
        (
            "outer: while (true) {}",
            "1:1: labels: not supported in this lab",
        ),
        (
            "const o = { get x() { return 1 } }",
            "1:13: getters and setters: not supported in this lab",
        ),
        (
            "import x from 'y'",
            "1:1: modules (`import`, `export`): not supported in this lab",
        ),
        (
            "const b = 10n",
            "1:11: BigInt numbers (`123n`): not supported in this lab",
        ),
        ("tag`x`", "1:4: tagged templates: not supported in this lab"),
        (
            "const a = [1, , 2]",
            "1:15: holes in array literals (`[1, , 2]`): not supported in this lab",
        ),
        (
            "function f() { return arguments }",
            "1:23: `arguments`: not supported in this lab",
        ),
    ];
    for (source, expected) in cases {
        let got = error(source);
        assert!(got.starts_with(expected), "{source:?}: {got}");
    }
}

#[test]
fn syntax_errors_name_the_line_and_column() {
    let cases = [
        ("let x = ;", "1:9: unexpected `;`"),
        (
            "console.log('open",
            "1:13: this string has no closing quote",
        ),
        ("if (x {\n}", "1:7: expected `)`, found `{`"),
        ("const x", "1:7: a `const` needs a value"),
        (
            "function () {}",
            "1:10: a function declaration needs a name",
        ),
        (
            "x = 1 y = 2",
            "1:7: expected `;` or a line break before `y`",
        ),
        ("return 1", "1:1: `return` outside a function"),
        ("break", "1:1: `break` outside a loop"),
        (
            "function f() { await g() }",
            "1:16: `await` works only inside an `async` function",
        ),
        (
            "a ?? b || c",
            "1:3: `??` cannot be mixed with `&&` or `||` without parentheses",
        ),
        (
            "-2 ** 2",
            "1:4: `**` after a unary operator needs parentheses",
        ),
        ("let let = 1", "1:5: `let` is a reserved word"),
        ("/* never closed", "1:1: this comment has no closing `*/`"),
        ("`a ${b", "1:4: this `${` has no closing `}`"),
        ("`a ${b}", "1:1: this template literal has no closing `"),
        ("{", "1:2: a `{` has no closing `}`"),
        ("1 = 2", "1:1: this cannot be assigned to"),
    ];
    for (source, expected) in cases {
        if expected.is_empty() {
            continue;
        }
        let got = match parse(source) {
            Ok(_) => format!("{source:?} parsed"),
            Err(e) => e.to_string(),
        };
        assert!(got.starts_with(expected), "{source:?}: {got}");
    }
}

#[test]
fn semicolons_may_be_left_out_where_javascript_inserts_them() {
    let body = parse("let a = 1\nlet b = a\n(function () {})\nconsole.log(a)").expect("parses");
    // `a\n(function…)` is a call: JavaScript reads it as one statement too.
    assert_eq!(body.len(), 3);
    let body = parse("function f() {\n  return\n  42\n}").expect("parses");
    assert_eq!(body.len(), 1);
}

#[test]
fn the_size_and_the_nesting_are_checked_before_the_work() {
    let long = "x".repeat(super::MAX_SOURCE_BYTES + 1);
    assert!(error(&long).contains("the most this lab reads is 50000"));
    // A debug build's frames are large (the release build needs about
    // 150 KB at the limit): a thread with room for them.
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(|| {
            for (open, close) in [
                ("(", ")"),
                ("{", "}"),
                ("[", "]"),
                ("if (x) ", ""),
                ("f(", ")"),
                ("() => ", ""),
            ] {
                let deep = format!("{}1{}", open.repeat(5_000), close.repeat(5_000));
                let got = error(&deep);
                assert!(got.contains("nested more than 100 deep"), "{open}: {got}");
            }
        })
        .expect("a thread")
        .join()
        .expect("no overflow");
}
