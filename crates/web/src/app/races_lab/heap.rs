//! The heap as boxes and arrows: each node shows its value and its next
//! pointer; shared variables point in from above, threads' locals from
//! below; nodes no shared variable reaches are greyed out, so a node that
//! was "removed" but is still in the list is plain to see.

use std::rc::Rc;

use interleave_core::races::Program;
use interleave_core::races::machine::State;
use interleave_core::races::program::Value;
use interleave_core::races::schedule::thread_colour;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeapDiagramProps {
    pub program: Rc<Program>,
    pub state: Rc<State>,
}

const BOX_W: f64 = 76.0;
const BOX_H: f64 = 34.0;
const GAP: f64 = 44.0;
const TOP: f64 = 42.0;
/// Drawn top to bottom (a phone): room for shared variables on the left,
/// the vertical gap between boxes, and room for locals on the right.
const V_LEFT: f64 = 96.0;
const V_GAP: f64 = 30.0;
const V_RIGHT: f64 = 120.0;

fn follow(state: &State, start: &Value, order: &mut Vec<usize>, reachable: &mut [bool]) {
    let mut cur = start.clone();
    while let Value::Node(node) = cur {
        let node = node as usize;
        if reachable[node] {
            break;
        }
        reachable[node] = true;
        order.push(node);
        cur = state.world.heap[node].next.clone();
    }
}

#[function_component(HeapDiagram)]
pub fn heap_diagram(props: &HeapDiagramProps) -> Html {
    let box_ref = use_node_ref();
    let available = crate::components::use_width(&box_ref);
    let program = &props.program;
    let state = &props.state;
    let heap = &state.world.heap;
    let mut order = Vec::new();
    let mut reachable = vec![false; heap.len()];
    for value in &state.world.shared {
        follow(state, value, &mut order, &mut reachable);
    }
    let reached = reachable.clone();
    for (node, seen) in reachable.iter_mut().enumerate() {
        if !*seen {
            *seen = true;
            order.push(node);
        }
    }
    let mut column = vec![0usize; heap.len()];
    for (col, node) in order.iter().enumerate() {
        column[*node] = col;
    }
    let x_of = |node: usize| 12.0 + column[node] as f64 * (BOX_W + GAP);
    let mut below: Vec<Vec<(String, &'static str)>> = vec![Vec::new(); heap.len()];
    for (thread, (code, now)) in program.threads.iter().zip(&state.threads).enumerate() {
        for (slot, value) in code.slots.iter().zip(&now.locals) {
            if let (false, Value::Node(node)) = (slot.temp, value) {
                below[*node as usize].push((
                    format!("{}.{}", code.name, slot.name),
                    thread_colour(thread),
                ));
            }
        }
    }
    let mut above: Vec<Vec<String>> = vec![Vec::new(); heap.len()];
    for (var, value) in program.shared.iter().zip(&state.world.shared) {
        if let Value::Node(node) = value {
            above[*node as usize].push(var.name.clone());
        }
    }
    let most_below = below.iter().map(Vec::len).max().unwrap_or(0) as f64;
    let wide = 24.0 + order.len() as f64 * (BOX_W + GAP);
    // Left to right when it fits at full size, else top to bottom, so the
    // text keeps its size on a phone.
    let vertical = wide > available;
    let (width, height, top) = if vertical {
        let rows = order.len() as f64;
        (V_LEFT + BOX_W + V_RIGHT, rows * (BOX_H + V_GAP) + 10.0, 0.0)
    } else {
        (wide, TOP + BOX_H + 34.0 + most_below * 14.0 + 10.0, -30.0)
    };
    // The top-left corner of a node's box.
    let at = |node: usize| -> (f64, f64) {
        if vertical {
            (V_LEFT, 10.0 + column[node] as f64 * (BOX_H + V_GAP))
        } else {
            (x_of(node), TOP)
        }
    };

    let boxes = order.iter().map(|&node| {
        let (x, y) = at(node);
        let cell = &heap[node];
        let live = reached[node];
        let labels_above = above[node].iter().enumerate().map(|(idx, name)| {
            if vertical {
                html! { <text class="heap-var" x={(x - 6.0).to_string()} y={(y + 14.0 + idx as f64 * 13.0).to_string()} text-anchor="end">{ format!("{name} →") }</text> }
            } else {
                html! { <text class="heap-var" x={(x + BOX_W / 2.0).to_string()} y={(y - 10.0 - idx as f64 * 13.0).to_string()} text-anchor="middle">{ format!("{name} ↓") }</text> }
            }
        });
        let labels_below = below[node].iter().enumerate().map(|(idx, (name, colour))| {
            if vertical {
                html! { <text class="heap-local" x={(x + BOX_W + 6.0).to_string()} y={(y + 14.0 + idx as f64 * 13.0).to_string()}
                    fill={*colour}>{ format!("← {name}") }</text> }
            } else {
                html! { <text class="heap-local" x={(x + BOX_W / 2.0).to_string()} y={(y + BOX_H + 16.0 + idx as f64 * 14.0).to_string()}
                    text-anchor="middle" fill={*colour}>{ format!("↑ {name}") }</text> }
            }
        });
        let (note_x, note_y, note_anchor) = if vertical {
            (x - 6.0, y + BOX_H - 2.0, "end")
        } else {
            (x + BOX_W / 2.0, y - 10.0, "middle")
        };
        html! {
            <g class={classes!("heap-node", (!live).then_some("unreachable"))} data-node={node.to_string()}>
                <title>{ format!("node {node}: value {}, next {}{}", cell.value, cell.next, if live { "" } else { " (not reachable from any shared variable)" }) }</title>
                <rect x={x.to_string()} y={y.to_string()} width={BOX_W.to_string()} height={BOX_H.to_string()} rx="4" />
                <line x1={(x + BOX_W * 0.62).to_string()} x2={(x + BOX_W * 0.62).to_string()} y1={y.to_string()} y2={(y + BOX_H).to_string()} />
                <text class="heap-value" x={(x + BOX_W * 0.31).to_string()} y={(y + BOX_H / 2.0 + 5.0).to_string()} text-anchor="middle">{ cell.value.to_string() }</text>
                if matches!(cell.next, Value::Null) {
                    <text class="heap-null" x={(x + BOX_W * 0.81).to_string()} y={(y + BOX_H / 2.0 + 4.0).to_string()} text-anchor="middle">{ "∅" }</text>
                } else {
                    <circle cx={(x + BOX_W * 0.81).to_string()} cy={(y + BOX_H / 2.0).to_string()} r="3" />
                }
                { for labels_above }
                { for labels_below }
                if !live {
                    <text class="heap-note" x={note_x.to_string()} y={note_y.to_string()} text-anchor={note_anchor}>{ "unreachable" }</text>
                }
            </g>
        }
    });
    let arrows = order.iter().filter_map(|&node| {
        let Value::Node(target) = heap[node].next else {
            return None;
        };
        let target = target as usize;
        let (x, y) = at(node);
        let (tx, ty) = at(target);
        let (x0, y0) = (x + BOX_W * 0.81, y + BOX_H / 2.0);
        let next_box = column[target] == column[node] + 1;
        let path = match (vertical, next_box) {
            (false, true) => format!("M{x0},{y0} L{},{y0}", tx - 2.0),
            // Not the next box: arc over the boxes in between (or back).
            (false, false) => {
                let x1 = tx + BOX_W / 2.0;
                let lift = 26.0 + 6.0 * (column[target] as f64 - column[node] as f64).abs();
                format!("M{x0},{y0} C{x0},{} {x1},{} {x1},{}", TOP - lift, TOP - lift, TOP - 2.0)
            }
            (true, true) => format!("M{x0},{y0} L{x0},{}", ty - 2.0),
            // Not the box below: arc out to the right and into its side.
            (true, false) => {
                let reach = 30.0 + 8.0 * (column[target] as f64 - column[node] as f64).abs();
                let (x1, y1) = (tx + BOX_W + 2.0, ty + BOX_H / 2.0);
                format!("M{x0},{y0} C{},{y0} {},{y1} {x1},{y1}", x + BOX_W + reach, tx + BOX_W + reach)
            }
        };
        let live = reached[node];
        Some(html! {
            <path class={classes!("heap-arrow", (!live).then_some("unreachable"))} d={path} marker-end="url(#heap-arrowhead)" />
        })
    });
    html! {
        <div class={classes!("heap", vertical.then_some("vertical"))} data-testid="heap" ref={box_ref}>
            <svg viewBox={format!("0 {top} {width} {}", height - top)} width={width.to_string()} role="img"
                aria-label={format!("Heap: the list from each shared pointer; {}", state.world.shared.iter().filter(|v| matches!(v, Value::Node(_))).map(|v| state.list_text(v)).collect::<Vec<_>>().join(", "))}>
                <defs>
                    <marker id="heap-arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" />
                    </marker>
                </defs>
                { for arrows }
                { for boxes }
            </svg>
        </div>
    }
}
