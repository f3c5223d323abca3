//! Loads the embedded catalogue N times (default 50) and prints the median
//! time, for profiling start-up cost: `perf record target/release/examples/catalog_load`.
use std::time::Instant;
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let mut t = Vec::new();
    for _ in 0..n {
        let s = Instant::now();
        let c = humiao::catalog::Catalog::embedded();
        t.push(s.elapsed().as_secs_f64() * 1e3);
        assert!(c.is_ok());
    }
    t.sort_by(f64::total_cmp);
    println!("median {:.2} ms over {n} loads", t[n / 2]);
}
