//! Fuzzes the share-link decoder: any text, with and without the `v1.`
//! prefix, must name a lab and decode to a valid state of that lab, or
//! give a `LinkError`, never panic; and a decoded lab must encode and
//! decode to itself.
#![no_main]

use interleave_core::eventloop::lab::EventLoopLab;
use interleave_core::labs::{Lab, LabId};
use interleave_core::models::lab::ModelsLab;
use interleave_core::parallel::lab::ParallelLab;
use interleave_core::races::lab::RacesLab;
use interleave_core::servers::lab::ServersLab;
use interleave_core::share::{Fragment, decode, encode, lab_of};
use libfuzzer_sys::fuzz_target;

/// Decodes `text` as an `L` link; a decoded lab round-trips.
fn round_trip<L: Lab + std::fmt::Debug>(text: &str) {
    if let Ok(lab) = decode::<L>(text) {
        assert_eq!(decode::<L>(&encode(&lab)).as_ref(), Ok(&lab));
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Fragment::parse(text);
    for candidate in [text.to_owned(), format!("v1.{text}")] {
        match lab_of(&candidate) {
            Ok(LabId::Models) => round_trip::<ModelsLab>(&candidate),
            Ok(LabId::Servers) => round_trip::<ServersLab>(&candidate),
            Ok(LabId::Races) => round_trip::<RacesLab>(&candidate),
            Ok(LabId::Parallel) => round_trip::<ParallelLab>(&candidate),
            Ok(LabId::EventLoop) => round_trip::<EventLoopLab>(&candidate),
            Err(_) => round_trip::<ModelsLab>(&candidate),
        }
    }
});
