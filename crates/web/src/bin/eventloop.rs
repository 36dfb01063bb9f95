//! The module of the Event loop lab (the feature `lab-eventloop`): the page's loader
//! (`web/loader.js`) loads it when that route is opened and calls its
//! exported `mount` (`interleave_web::entry`).

// Links the app's crate, whose exports (`mount`, ...) make the module.
use interleave_web as _;

fn main() {}
