//! Reusable view components.

pub mod metrics_table;
pub mod timeline;

pub use metrics_table::{MetricsTable, Run};
pub use timeline::{Legend, Timeline};
