//! Reusable view components.

pub mod bar_chart;
pub mod form;
pub mod glossary;
pub mod lab_file;
pub mod metrics_table;
pub mod number_field;
pub mod prose;
pub mod speedup_chart;
pub mod timeline;
pub mod timeline_downloads;

pub use bar_chart::{Bar, BarChart};
pub use glossary::Glossary;
pub use lab_file::LabFile;
pub use metrics_table::{MetricsTable, Run};
pub use number_field::{DecimalField, NumberField};
pub use speedup_chart::SpeedupChart;
pub use timeline::{Legend, Timeline, use_width};
pub use timeline_downloads::TimelineDownloads;
