//! What the explorer's counts count, in the words the page and the CLI
//! both use. With the partial-order reduction the explorer runs one
//! schedule of each class of equivalent ones (schedules that differ only
//! in the order of independent steps end the same way): those are
//! "essentially different orders". The exact number of schedules (every
//! order of the steps) is counted beside, through the state graph, where
//! it is finite; a count that overflowed is "more than" ([`crate::count`]).

use super::{OutcomeCount, Report};
use crate::count;

impl Report {
    /// `6 essentially different orders (20 schedules)`, or `20
    /// schedules` when every schedule was counted one by one.
    pub fn counts_text(&self) -> String {
        let schedules = self
            .schedules
            .map(|n| count::counted(n, "schedule", "schedules"));
        if self.interleavings == 0 {
            return "no schedule ends".to_owned();
        }
        if !self.classes {
            return count::counted(self.interleavings, "schedule", "schedules");
        }
        let orders = count::counted(
            self.interleavings,
            "essentially different order",
            "essentially different orders",
        );
        match schedules {
            Some(schedules) => format!("{orders} ({schedules})"),
            None => orders,
        }
    }

    /// An outcome's counts: `4 orders, 18 schedules`, `4 orders`, or `18
    /// schedules`.
    pub fn outcome_counts_text(&self, outcome: &OutcomeCount) -> String {
        if !self.classes {
            return count::counted(outcome.count, "schedule", "schedules");
        }
        let orders = count::counted(outcome.count, "order", "orders");
        match outcome.schedules {
            Some(n) => format!("{orders}, {}", count::counted(n, "schedule", "schedules")),
            None => orders,
        }
    }

    /// Failing (or deadlocked, with `deadlock`) runs: `4 orders (18
    /// schedules)`, `0`.
    pub fn failing_text(&self, deadlock: bool) -> String {
        let (counted, which): (u64, fn(&OutcomeCount) -> bool) = if deadlock {
            (self.deadlocks, |o| o.outcome.deadlock)
        } else {
            (self.failing, |o| o.outcome.failing)
        };
        if counted == 0 || !self.classes {
            return count::text(counted);
        }
        let schedules = self
            .outcomes
            .iter()
            .filter(|o| which(o))
            .map(|o| o.schedules)
            .try_fold(0u64, |sum, n| n.map(|n| sum.saturating_add(n)));
        let orders = count::counted(counted, "order", "orders");
        match schedules {
            Some(n) => format!("{orders} ({})", count::counted(n, "schedule", "schedules")),
            None => orders,
        }
    }

    /// What the counts mean, for a reader who would take "4 of 6" for a
    /// frequency; `None` when every schedule was counted one by one.
    pub fn counts_meaning(&self) -> Option<String> {
        if !self.classes {
            return None;
        }
        let mut text = "Orders that differ only in the order of independent steps, such as two threads' steps on their own locals, end the same way, so the explorer runs one of each: those are the essentially different orders. Schedules count every order of the steps.".to_owned();
        if let Some(why) = &self.schedules_unknown {
            text.push_str(&format!(" The number of schedules is not given: {why}."));
        }
        Some(text)
    }

    /// What a complete search that found nothing bad says: the good news
    /// it is (with a goal: the program is safe from it, in every order).
    pub fn nothing_fails_text(&self, has_goal: bool) -> String {
        let every = match self.schedules {
            Some(n) => format!("in all {}", count::counted(n, "schedule", "schedules")),
            None if self.classes => format!(
                "in all {}",
                count::counted(
                    self.interleavings,
                    "essentially different order",
                    "essentially different orders"
                )
            ),
            None => format!(
                "in all {}",
                count::counted(self.interleavings, "schedule", "schedules")
            ),
        };
        if has_goal {
            format!(
                "No schedule meets the goal: it cannot happen here, {every}. If you changed the program to prevent it, the fix works."
            )
        } else {
            format!("No schedule fails: {every} the program does what it should.")
        }
    }

    /// The count a histogram's bar shows: schedules where they are known
    /// (how often, if every schedule were as likely), else orders.
    pub fn bar_count(&self, outcome: &OutcomeCount) -> u64 {
        match (self.schedules, outcome.schedules) {
            (Some(_), Some(n)) => n,
            _ => outcome.count,
        }
    }

    /// The largest [`Report::bar_count`], at least 1.
    pub fn most_bar_count(&self) -> u64 {
        self.outcomes
            .iter()
            .map(|o| self.bar_count(o))
            .max()
            .unwrap_or(1)
            .max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::explore_lesson;

    #[test]
    fn the_lost_update_says_what_each_number_counts() {
        let report = explore_lesson("lost-update");
        assert_eq!(
            report.counts_text(),
            "6 essentially different orders (20 schedules)"
        );
        let one = report
            .outcomes
            .iter()
            .find(|o| o.outcome.values_text() == "x = 1")
            .unwrap();
        assert_eq!(report.outcome_counts_text(one), "4 orders, 18 schedules");
        assert_eq!(report.failing_text(false), "4 orders (18 schedules)");
        assert_eq!(report.failing_text(true), "0");
        assert_eq!(report.bar_count(one), 18);
        let fixed = explore_lesson("counter-mutex");
        assert!(
            fixed
                .nothing_fails_text(true)
                .starts_with("No schedule meets the goal: it cannot happen here, in all "),
            "{}",
            fixed.nothing_fails_text(true)
        );
        assert!(
            report
                .counts_meaning()
                .unwrap()
                .contains("essentially different orders")
        );
        let spin = explore_lesson("spinlock-starve");
        assert!(
            spin.counts_meaning()
                .unwrap()
                .ends_with("there are infinitely many."),
            "{:?}",
            spin.counts_meaning()
        );
    }
}
