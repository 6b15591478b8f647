//! A row of the benchmark table and how a time becomes one: median and 99th percentile,
//! against a ceiling; the table printed. Both the in-process figures (`run.rs`) and the
//! whole-command ones (`whole.rs`) make their rows here.

use std::io::Write;
use std::time::Duration;

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub median: String,
    pub p99: String,
    pub target: String,
    /// how far from the target: >= 1.0 meets it
    pub ratio: Option<f64>,
}

impl Figure {
    fn verdict(&self) -> &'static str {
        match self.ratio {
            Some(r) if r >= 1.0 => "ok",
            Some(_) => "MISSED",
            None => "-",
        }
    }
}

/// Median and 99th percentile of samples.
pub fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    if samples.is_empty() {
        return (Duration::ZERO, Duration::ZERO);
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 0.1 {
        format!("{:.1} µs", ms * 1000.0)
    } else {
        format!("{ms:.2} ms")
    }
}

/// A time against a ceiling.
pub fn timed(name: &str, samples: &mut [Duration], ceiling: Duration, on: &str) -> Figure {
    let (median, p99) = percentiles(samples);
    let judged = if on == "p99" { p99 } else { median };
    Figure {
        name: name.into(),
        median: ms(median),
        p99: ms(p99),
        target: format!("{on} ≤ {}", ms(ceiling)),
        ratio: Some(ceiling.as_secs_f64() / judged.as_secs_f64().max(1e-9)),
    }
}

pub fn print_table(figures: &[Figure], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "| figure | median | p99 | target | ratio | |")?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for f in figures {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            f.name,
            f.median,
            f.p99,
            f.target,
            f.ratio
                .map(|r| format!("{r:.2}"))
                .unwrap_or_else(|| "-".into()),
            f.verdict()
        )?;
    }
    Ok(())
}
