#!/usr/bin/env python3
"""Writes the hostile-input corpus into a folder: inputs built to crash,
exhaust or hang the CLI (huge numbers, deep nesting, explosive inlining,
runaway strings, decompression bombs, long links, inputs just inside and
just outside each limit). Each case is `NAME.ARGS` (the command line, with
FILE for the case's input) plus `NAME.input` when it has one. Deterministic:
the same corpus every run. `scripts/hostile.sh` runs every case under a
memory and time cap and checks a clean exit (0, or 2 with a message)."""
import base64
import json
import os
import sys
import zlib

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
count = 0


def case(name, args, data=None):
    global count
    count += 1
    with open(os.path.join(out, f"{name}.args"), "w") as f:
        f.write(args)
    if data is not None:
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(os.path.join(out, f"{name}.input"), mode) as f:
            f.write(data)


def run(name, data, extra=""):
    case(name, f"run FILE {extra}".strip(), data)


def explore(name, data, extra=""):
    case(name, f"explore FILE {extra}".strip(), data)


def js(name, data, extra=""):
    """An Event loop lab program: `interleave run FILE.js` (the CLI knows a
    program by its name), so the input is written as NAME.input.js too."""
    case(name, f"run FILE.js {extra}".strip(), data)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(out, f"{name}.input.js"), mode) as f:
        f.write(data)


def link(state_json, route="models", raw=None):
    payload = raw if raw is not None else state_json.encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(payload) + packer.flush()
    text = base64.urlsafe_b64encode(packed).decode().rstrip("=")
    return f"https://example.org/#/{route}?s=v1.{text}"


def models(tasks=None, **extra):
    doc = {"tasks": tasks if tasks is not None else [{"segments": [{"compute": 10}]}]}
    doc.update(extra)
    return json.dumps(doc)


# --- Models scenarios -------------------------------------------------------
run("models-huge-compute", models([{"segments": [{"compute": 10**30}]}]))
run("models-u64-overflow", models([{"segments": [{"compute": 18446744073709551616}]}]))
run("models-negative", models([{"segments": [{"compute": -1}]}]))
run("models-float-duration", models([{"segments": [{"compute": 1e308}]}]))
run("models-max-duration", models([{"segments": [{"compute": 1000000000}]}]))
run("models-deep-json", "[" * 100000 + "]" * 100000)
run("models-deep-json-object", '{"a":' * 50000 + "1" + "}" * 50000)
run("models-empty", "")
run("models-whitespace", " \n\t " * 1000)
run("models-null", "null")
run("models-array", "[]")
run("models-no-tasks", "{}")
run("models-invalid-utf8", b'{"tasks": [{"name": "\xff\xfe", "segments": [{"compute": 1}]}]}')
run("models-nul-bytes", '{"tasks": [{"name": "a\u0000b", "segments": [{"compute": 1}]}]}')
run("models-long-name", models([{"name": "x" * 100000, "segments": [{"compute": 1}]}]))
run("models-many-tasks-outside", models([{"segments": [{"compute": 1}]}] * 100001))
run("models-many-segments-outside", models([{"segments": [{"compute": 1}] * 1001}]))
run("models-generate-bomb", json.dumps({"generate": {"tasks": 100000, "segments": [{"compute": 1}] * 1000}}))
run("models-generate-inside", json.dumps({"generate": {"tasks": 1000, "segments": [{"compute": 1}, {"wait": 2, "on": "disk"}] * 100}}))
run("models-generate-outside", json.dumps({"generate": {"tasks": 1000, "segments": [{"compute": 1}, {"wait": 2, "on": "disk"}] * 500 + [{"compute": 1}]}}))
run("models-slicing-bomb", json.dumps({"model": {"kind": "sync", "threads": 2, "cores": 1, "quantum": 1},
                                       "tasks": [{"segments": [{"compute": 1000000000}]}] * 2}))
run("models-slicing-inside", json.dumps({"model": {"kind": "sync", "threads": 2, "cores": 1, "quantum": 1},
                                         "tasks": [{"segments": [{"compute": 100000}]}] * 2}))
run("models-slicing-outside", json.dumps({"model": {"kind": "sync", "threads": 2, "cores": 1, "quantum": 1},
                                          "tasks": [{"segments": [{"compute": 500000}]}] * 2}))
run("models-cli-slicing-bomb", models([{"segments": [{"compute": 1000000000}]}] * 2), "--model sync:64:1")
run("models-threads-outside", models(), "--threads 65")
run("models-exponential-huge", json.dumps({"generate": {"tasks": 10, "segments": [{"compute": {"exponential": 1e9}}]}}))
run("models-uniform-reversed", json.dumps({"generate": {"tasks": 10, "segments": [{"compute": {"uniform": [10, 1]}}]}}))
run("models-arrival-late", models([{"arrival": 10**12, "segments": [{"compute": 1}]}]))
run("models-unknown-field", models(extra_field=1) if False else '{"tasks": [], "zzz": 1}')
run("models-size-just-outside", '{"tasks": [' + " " * (2 << 20) + "]}")
run("models-size-just-inside", '{"name": "' + "x" * ((2 << 20) - 200) + '", "tasks": [{"segments": [{"compute": 1}]}]}')
run("models-dev-zero", None)
with open(os.path.join(out, "models-dev-zero.args"), "w") as f:
    f.write("run /dev/zero")

# --- Servers scenarios -------------------------------------------------------
def servers(**extra):
    doc = {"lab": "servers", "traffic": {"rate": 50, "requests": 200}, "mix": [{"name": "a", "cpu_ms": 1, "io_ms": 5}]}
    doc.update(extra)
    return json.dumps(doc)

run("servers-requests-outside", servers(traffic={"rate": 50, "requests": 100001}), "--model all")
run("servers-requests-limit", servers(traffic={"rate": 100000, "requests": 100000}), "--model all")
run("servers-rate-huge", servers(traffic={"rate": 1e308, "requests": 10}))
run("servers-workers-outside", servers(server={"processes": 64, "threads": 64}))
run("servers-backlog-huge", servers(backlog=10**12))
run("servers-timeout-negative", servers(timeout_ms=-5))
run("servers-trailing-comma", '{"lab": "servers", "traffic": {"rate": 5,}}')
run("servers-deep-json", '{"lab": "servers", "mix": ' + "[" * 10000 + "]" * 10000 + "}")
run("servers-mix-many", servers(mix=[{"name": f"t{i}", "cpu_ms": 1} for i in range(100000)]))
run("servers-mix-zero-weights", servers(mix=[{"name": "a", "cpu_ms": 1, "weight": 0}]))
run("servers-io-huge", servers(mix=[{"name": "a", "io_ms": 1e300}]))
run("servers-memory-nan", servers(memory={"process_mb": "NaN"}))

# --- Races programs ----------------------------------------------------------
def thread_body(body, shared="shared x = 0\n"):
    return f"{shared}thread A {{\n  {body}\n}}\n"

explore("race-parens-inside", thread_body("x = " + "(" * 150 + "1" + ")" * 150))
explore("race-parens-outside", thread_body("x = " + "(" * 4000 + "1" + ")" * 4000))
explore("race-nots-outside", thread_body("x = " + "!" * 15000 + "1"))
explore("race-negs-outside", thread_body("x = " + "- " * 5000 + "1"))
explore("race-chain-inside", thread_body("x = 1" + " + 1" * 150))
explore("race-chain-outside", thread_body("x = 1" + " + 1" * 3000))
explore("race-fields-outside", thread_body("n = head" + ".next" * 3000, "shared head = nodes(1)\n"))
explore("race-blocks-outside", thread_body("if x == 0 { " * 500 + "x = 1" + " }" * 500))
explore("race-else-if-outside", thread_body("if x == 0 { x = 1 }" + " else if x == 1 { x = 2 }" * 1000))
inline = ["shared x = 0", "fn f0(a) {", "  x = x + 1", "}"]
for i in range(1, 27):
    inline += [f"fn f{i}(a) {{", f"  f{i-1}(a)", f"  f{i-1}(a)", "}"]
inline += ["thread A {", "  f26(1)", "}"]
explore("race-inline-bomb", "\n".join(inline) + "\n")
empty = ["shared x = 0", "fn g0() {", "}"]
for i in range(1, 30):
    empty += [f"fn g{i}() {{", f"  g{i-1}()", f"  g{i-1}()", "}"]
empty += ["thread A {", "  g29()", "}"]
explore("race-inline-empty-bomb", "\n".join(empty) + "\n")
explore("race-recursion", "fn f() {\n  f()\n}\nthread A {\n  f()\n}\n")
explore("race-string-doubling", 'shared s = "ab"\nthread A {\n  while true {\n    s = s + s\n  }\n}\n')
explore("race-string-append", 'shared s = ""\nthread A {\n  while true {\n    s = s + "x"\n  }\n}\n')
explore("race-int-overflow", thread_body("x = 9223372036854775807 + 1"))
explore("race-int-literal-huge", thread_body("x = 99999999999999999999999999"))
explore("race-div-zero", thread_body("x = 1 / 0"))
explore("race-too-many-threads", "shared x = 0\n" + "".join(f"thread T{i} {{\n  x = x + 1\n}}\n" for i in range(9)))
explore("race-nodes-runaway", "shared head = nodes(0)\nthread A {\n  while true {\n    n = new(1)\n    n.next = head.next\n    head.next = n\n  }\n}\n")
explore("race-file-runaway", 'file log = ""\nthread A {\n  h = open(log)\n  while true {\n    append(h, "0123456789")\n  }\n}\n')
explore("race-shared-many", "".join(f"shared v{i} = 0\n" for i in range(100)) + "thread A {\n  v0 = 1\n}\n")
explore("race-empty", "")
explore("race-comments-only", "// nothing\n" * 100)
explore("race-unterminated-string", 'shared s = "abc\nthread A {\n}\n')
explore("race-nul", "shared x = 0\u0000\nthread A {\n  x = 1\n}\n")
explore("race-unicode-names", "shared ✓ = 0\nthread Ä {\n  ✓ = 1\n}\n")
explore("race-lock-undeclared", thread_body("lock(m)"))
explore("race-step-limit", thread_body("i = 0\n  while true {\n    i = i + 1\n  }"))
explore("race-state-explosion", "shared x = 0\nshared y = 0\nthread A {\n  while true {\n    x = x + 1\n  }\n}\nthread B {\n  while true {\n    y = y + x\n  }\n}\nthread C {\n  while true {\n    x = x - y\n  }\n}\n", "--max-states 20000")
explore("race-size-outside", thread_body("x = 1\n" + "  x = 1\n" * 5000))
case("race-sample-runs-outside", "sample FILE --runs 10000001", thread_body("x = 1"))
case("race-replay-huge-schedule", "replay FILE A*100000000", thread_body("x = 1"))

# --- Event loop lab programs (`run FILE.js`) ------------------------------------
# Exit 0, 1 (an uncaught error, as Node) or 3 (stopped at a limit) are clean
# endings here, as is 2 with a located error.

js("eventloop-endless-loop", "while (true) {}\n")
js("eventloop-microtask-loop", "function again() { queueMicrotask(again); }\nagain();\n")
js("eventloop-promise-loop", "function spin() { return Promise.resolve().then(spin); }\nspin();\n")
js("eventloop-timer-bomb", "function bomb() { for (let i = 0; i < 100; i++) setTimeout(bomb, 0); }\nbomb();\n")
js("eventloop-interval-forever", "setInterval(() => {}, 1);\n")
js("eventloop-deep-promise-chain", "let p = Promise.resolve(0);\nfor (let i = 0; i < 200000; i++) p = p.then((v) => v + 1);\np.then(console.log);\n")
js("eventloop-deep-recursion", "function f(n) { return f(n + 1) + 1; }\nf(0);\n")
js("eventloop-deep-async-recursion", "async function f(n) { await null; return f(n + 1); }\nf(0);\n")
js("eventloop-huge-string", "let s = 'x';\nwhile (true) s = s + s;\n")
js("eventloop-huge-array", "const a = [];\nwhile (true) a.push(a.length);\n")
js("eventloop-console-flood", "for (let i = 0; ; i++) console.log('line', i);\n")
js("eventloop-deep-value", "let v = [];\nfor (let i = 0; i < 100000; i++) v = [v];\nconsole.log(JSON.stringify(v).length);\n")
js("eventloop-cyclic-print", "const a = {}; a.a = a; a.list = [a, a];\nconsole.log(a, JSON.stringify([1]));\n")
js("eventloop-long-work", "work(60000);\nwork(60000);\n")
js("eventloop-bad-io", "io('db', -1);\n")
js("eventloop-nesting", "(" * 20000 + "1" + ")" * 20000 + "\n")
js("eventloop-nested-blocks", "{" * 20000 + "}" * 20000 + "\n")
js("eventloop-nested-functions", "() => " * 7000 + "1;\n")
js("eventloop-too-big", "// " + "x" * 60000 + "\n")
js("eventloop-unsupported-class", "class A {}\n")
js("eventloop-unsupported-regex", "const r = /a+/g;\n")
js("eventloop-unsupported-generator", "function* g() { yield 1; }\n")
js("eventloop-unterminated", "console.log(`abc\n")
js("eventloop-nul", "console.log(1)\u0000;\n")
js("eventloop-binary", bytes(range(256)) * 4)
js("eventloop-empty", "")
js("eventloop-uncaught", "setTimeout(() => { throw new Error('boom'); }, 1);\n")
js("eventloop-unhandled", "Promise.reject(new Error('nobody listens'));\n")

# --- Challenge sets and progress reports ------------------------------------

def challenge_set(challenges, title="Week 1", fmt="interleave-challenges/2"):
    return json.dumps({"format": fmt, "title": title, "challenges": challenges})

def one(lab, kind, state, check, **extra):
    return dict({"lab": lab, "kind": kind, "title": "x", "state": state, "check": check}, **extra)

MODELS_STATE = {"scenario": {"tasks": [{"segments": [{"compute": 10}]}]}, "configs": [{"kind": "sync"}]}
case("set-not-json", "check FILE", "{\"format\": ")
case("set-binary", "check FILE", bytes(range(256)) * 4)
case("set-nesting", "check FILE", "[" * 100000 + "]" * 100000)
case("set-empty", "check FILE", challenge_set([]))
case("set-too-many", "check FILE", challenge_set([one("models", "predict", MODELS_STATE, "first_to_finish")] * 51))
case("set-long-title", "check FILE", challenge_set([one("models", "predict", MODELS_STATE, "first_to_finish")], title="t" * 100000))
case("set-many-hints", "check FILE", challenge_set([one("models", "predict", MODELS_STATE, "first_to_finish", hints=["h"] * 100000)]))
case("set-unknown-lab", "check FILE", challenge_set([one("chemistry", "goal", {}, "goal")]))
case("set-wrong-kind", "check FILE", challenge_set([one("models", "target", MODELS_STATE, {"makespan": {"config": 0, "tolerance": 1}})]))
case("set-bad-config", "check FILE", challenge_set([one("models", "predict", MODELS_STATE, {"makespan": {"config": 99, "tolerance": 1}})]))
case("set-nan-tolerance", "check FILE", challenge_set([one("models", "predict", MODELS_STATE, {"makespan": {"config": 0, "tolerance": 1e400}})]))
case("set-generate-bomb", "check FILE", challenge_set([one("models", "predict", {
    "scenario": {"generate": {"tasks": 100000, "segments": [{"compute": 1}] * 1000}, "tasks": []},
    "configs": [{"kind": "sync"}]}, {"makespan": {"config": 0, "tolerance": 1}})]))
case("set-servers-flood", "check FILE", challenge_set([one("servers", "predict",
    {"scenario": {"lab": "servers", "model": "evented", "traffic": {"rate": 1e9, "requests": 4294967295}, "mix": [{"name": "a", "cpu_ms": 1, "io_ms": 1}]}},
    "breaks_first")]))
case("set-races-explosion", "check FILE", challenge_set([one("races", "predict",
    {"source": "shared x = 0\n" + "".join(f"thread T{i} {{ x = x + 1\n x = x + 1\n x = x + 1 }}\n" for i in range(8))},
    {"final_values": {"variable": "x"}})]))
case("set-races-bad-program", "check FILE", challenge_set([one("races", "target", {"source": "thread A { y = x }"}, {"safe": {}})]))
case("set-eventloop-endless", "check FILE", challenge_set([one("eventloop", "predict", {"source": "while (true) {}\n"}, "order")]))
case("set-eventloop-flood", "check FILE", challenge_set([one("eventloop", "predict", {"source": "for (let i = 0; ; i++) console.log(i);\n"}, "order")]))
case("set-huge-answer", "check FILE", challenge_set([one("races", "predict", {"source": "shared x = 0\nthread A { x = 1 }\n"},
    {"final_values": {"variable": "x"}}, solution={"answer": list(range(100000))})]))
case("set-solution-not-a-state", "check FILE", challenge_set([one("models", "target", MODELS_STATE, {"finish_by": {"by": 5, "max_threads": 1}},
    solution={"state": {"scenario": 7}})]))
case("set-v1-bad-program", "check FILE", challenge_set([{"title": "x", "program": "thread A { y = x }\ngoal assert\n"}], fmt="interleave-challenges/1"))
case("set-v1-huge-program", "check FILE", challenge_set([{"title": "x", "program": "x" * 1000000}], fmt="interleave-challenges/1"))
case("set-future-format", "check FILE", challenge_set([], fmt="interleave-challenges/9"))

def progress(entries, challenges=3):
    return json.dumps({"format": "interleave-progress/1", "set": "Week 1", "set_id": "0", "challenges": challenges, "entries": entries})

ENTRY = {"at": 0, "title": "x", "lab": "models", "kind": "predict", "won": True}
case("progress-not-json", "report FILE", "{")
case("progress-binary", "report FILE", bytes(range(256)) * 4)
case("progress-too-many-entries", "report FILE", progress([dict(ENTRY, at=i) for i in range(100)], challenges=3))
case("progress-out-of-order", "report FILE", progress([dict(ENTRY, at=2), dict(ENTRY, at=1)]))
case("progress-huge-answer", "report FILE", progress([dict(ENTRY, answer=["line"] * 100000)]))
case("progress-long-title", "report FILE", progress([dict(ENTRY, title="t" * 100000)]))
case("progress-unknown-lab", "report FILE", progress([dict(ENTRY, lab="chemistry")]))
case("progress-huge-count", "report FILE", progress([], challenges=10**30))
case("progress-nesting", "report FILE", "{\"a\":" * 50000 + "1" + "}" * 50000)

# --- Links -------------------------------------------------------------------

case("link-deflate-bomb", "run --link " + link(None, raw=b"0" * (64 << 20)))
case("link-generate-bomb", "run --link " + link(json.dumps({"models": {
    "scenario": {"generate": {"tasks": 100000, "segments": [{"compute": 1}] * 1000}, "tasks": []},
    "configs": [{"kind": "sync", "threads": 1}], "cursor": 0, "selected": 0}})))
case("link-too-long", "run --link https://example.org/#/models?s=v1." + "A" * 120000)
case("link-bad-base64", "run --link https://example.org/#/models?s=v1.!!!!")
case("link-future-version", "run --link https://example.org/#/models?s=v9.AAAA")
case("link-no-state", "run --link https://example.org/#/models")
case("link-not-json", "run --link " + link(None, raw=b"\xff\x00 not json"))
case("race-link-bomb", "explore --link " + link(None, route="races", raw=b"{" * 100000))

print(count)
