//! Queueing theory, the Servers engine's oracle: mean time in system for
//! Poisson arrivals and exponential service times.

/// M/M/1: one server, arrival rate `lambda`, service rate `mu` (same unit);
/// `None` when the queue grows without bound (`lambda >= mu`).
pub fn mm1_mean_time(lambda: f64, mu: f64) -> Option<f64> {
    (lambda < mu).then(|| 1.0 / (mu - lambda))
}

/// Erlang's C formula: the chance that an arrival to an M/M/c queue waits.
pub fn erlang_c(servers: u32, lambda: f64, mu: f64) -> Option<f64> {
    let c = servers as f64;
    let load = lambda / mu;
    let rho = load / c;
    if servers == 0 || rho >= 1.0 {
        return None;
    }
    // sum_{k<c} a^k/k!, term by term to stay finite for large c.
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..servers {
        sum += term;
        term *= load / (k + 1) as f64;
    }
    // term is now a^c / c!.
    let top = term / (1.0 - rho);
    Some(top / (sum + top))
}

/// M/M/c: mean time in system (waiting plus service).
pub fn mmc_mean_time(servers: u32, lambda: f64, mu: f64) -> Option<f64> {
    let wait = erlang_c(servers, lambda, mu)? / (servers as f64 * mu - lambda);
    Some(wait + 1.0 / mu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_of_one_server_is_the_load() {
        let p = erlang_c(1, 0.7, 1.0).unwrap();
        assert!((p - 0.7).abs() < 1e-12);
        let w = mmc_mean_time(1, 70.0, 100.0).unwrap();
        assert!((w - mm1_mean_time(70.0, 100.0).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn erlang_c_matches_a_table_value() {
        // c = 2, a = 1 (rho = 0.5): C = 1/3.
        assert!((erlang_c(2, 1.0, 1.0).unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(erlang_c(2, 2.0, 1.0), None);
    }
}
