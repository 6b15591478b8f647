//! What a history import may not contain: the rules over the parsed files and what the
//! records already hold (asked through `Recorded`), with no storage of their own. Both
//! storage backends feed them the same way (`store/history.rs`).

use std::collections::{HashMap, HashSet, VecDeque};

use crate::codes::Quantity;
use crate::masterdata::{History, ImportError};
use crate::workflow::StockView;

/// What the records hold about a code, as the rules ask it.
pub trait Recorded {
    /// When a lot was received or a batch made, if it exists.
    fn made_at(&mut self, code: &str) -> Option<jiff::Timestamp>;
    /// Balance, quantity and item of a lot or batch, if it exists.
    fn stock(&mut self, code: &str) -> Option<StockView>;
}

/// A problem at a line and column of one of a history's files (which may be unnamed).
pub(crate) fn located(
    file: &Option<String>,
    line: u64,
    column: &str,
    message: String,
) -> ImportError {
    ImportError::at(file.as_deref().unwrap_or_default(), line, column, message)
}

/// One use of a lot or batch in an imported history: what, when, and where it was read.
struct Use<'a> {
    code: &'a str,
    at: jiff::Timestamp,
    file: &'a Option<String>,
    line: u64,
    column: &'static str,
    what: &'static str,
}

/// With every imported row recorded (in the import's transaction), refuses what cannot
/// have happened: a lot or batch used beyond what it held (its quantity and any
/// corrections), a use dated before what it uses was received or made, and a batch that
/// consumed nothing (unless the history has no consumptions on purpose). Each refusal
/// names the file, line and column.
pub fn refuse_the_impossible(
    history: &History,
    allow_batches_without_consumptions: bool,
    recorded: &mut impl Recorded,
) -> Result<(), ImportError> {
    let files = &history.files;
    if !allow_batches_without_consumptions {
        let consumed: std::collections::HashSet<&str> = history
            .consumptions
            .iter()
            .map(|c| c.batch_code.as_str())
            .collect();
        for batch in &history.batches {
            if !consumed.contains(batch.batch_code.as_str()) {
                let why = if files.consumptions.is_none() {
                    "there is no consumptions.csv"
                } else {
                    "consumptions.csv has no line for it"
                };
                return Err(located(
                    &files.batches,
                    batch.line,
                    "batch_code",
                    format!(
                        "batch {} consumed nothing ({why}): a trace could not reach its ingredients. Add its consumptions, or import with --without-consumptions if the old records never had them",
                        batch.batch_code
                    ),
                ));
            }
        }
    }
    let produced: HashMap<&str, jiff::Timestamp> = history
        .batches
        .iter()
        .map(|b| (b.batch_code.as_str(), b.produced_at))
        .collect();
    let mut uses: Vec<Use<'_>> = Vec::new();
    for row in &history.consumptions {
        let Some(at) = produced
            .get(row.batch_code.as_str())
            .copied()
            .or_else(|| recorded.made_at(&row.batch_code))
        else {
            continue;
        };
        uses.push(Use {
            code: &row.input_code,
            at,
            file: &files.consumptions,
            line: row.line,
            column: "input_code",
            what: "consumed in a batch made",
        });
    }
    for row in &history.shipments {
        uses.push(Use {
            code: &row.batch_code,
            at: row.shipped_at,
            file: &files.shipments,
            line: row.line,
            column: "batch_code",
            what: "shipped",
        });
    }
    for row in &history.wastes {
        uses.push(Use {
            code: &row.code,
            at: row.at,
            file: &files.wastes,
            line: row.line,
            column: "code",
            what: "written off",
        });
    }
    // dated before what it uses existed
    for used in &uses {
        if let Some(since) = recorded.made_at(used.code)
            && used.at < since
        {
            return Err(located(
                used.file,
                used.line,
                used.column,
                format!(
                    "{} is {} on {}, before it was received or made ({})",
                    used.code, used.what, used.at, since
                ),
            ));
        }
    }
    // used beyond what it held: the last line that uses it is the one that overdraws
    let mut last_use: HashMap<&str, &Use<'_>> = HashMap::new();
    for used in &uses {
        last_use.insert(used.code, used);
    }
    let mut codes: Vec<&&str> = last_use.keys().collect();
    codes.sort();
    for code in codes {
        let used = last_use[*code];
        let Some(stock) = recorded.stock(code) else {
            continue;
        };
        if stock.balance < 0 {
            let unit = stock.item.unit;
            return Err(located(
                used.file,
                used.line,
                used.column,
                format!(
                    "{code} is used beyond what it held: it had {}, and {} of it would be used, {} more than it had (every use in this history and before counts)",
                    Quantity::from_base(stock.initial).display_in(unit),
                    Quantity::from_base(stock.initial - stock.balance).display_in(unit),
                    Quantity::from_base(-stock.balance).display_in(unit),
                ),
            ));
        }
    }
    Ok(())
}

/// With the new batch-to-batch edges (input, batch, file line) among `edges` (every
/// batch-to-batch consumption, recorded and new), is there a loop? The file line of a new
/// edge on it.
pub fn find_cycle(edges: &[(String, String)], new_edges: &[(String, String, u64)]) -> Option<u64> {
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut indegree: HashMap<&str, usize> = HashMap::new();
    for (from, to) in edges.iter().map(|(a, b)| (a.as_str(), b.as_str())) {
        out.entry(from).or_default().push(to);
        *indegree.entry(to).or_default() += 1;
        indegree.entry(from).or_default();
    }
    // Kahn: what can be peeled off from the sources is not on a loop
    let mut queue: VecDeque<&str> = indegree
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(n, _)| *n)
        .collect();
    let mut removed = HashSet::new();
    while let Some(node) = queue.pop_front() {
        removed.insert(node);
        for next in out.get(node).into_iter().flatten() {
            if let Some(d) = indegree.get_mut(next) {
                *d -= 1;
                if *d == 0 {
                    queue.push_back(next);
                }
            }
        }
    }
    new_edges
        .iter()
        .find(|(from, to, _)| !removed.contains(from.as_str()) && !removed.contains(to.as_str()))
        .map(|(_, _, line)| *line)
}

#[cfg(test)]
mod tests {
    use super::find_cycle;

    fn edges(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_loop_is_found_at_the_new_edge_on_it() {
        let recorded = edges(&[("B1", "B2"), ("B2", "B3"), ("B3", "B1"), ("B4", "B5")]);
        let new = vec![("B3".to_string(), "B1".to_string(), 7)];
        assert_eq!(find_cycle(&recorded, &new), Some(7));
        let new = vec![("B4".to_string(), "B5".to_string(), 9)];
        assert_eq!(find_cycle(&edges(&[("B4", "B5")]), &new), None);
    }
}
