//! Entry point of the browser app: Trunk builds this binary.

fn main() {
    interleave_web::start();
}
