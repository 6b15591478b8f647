//! Complaints and adverse events (MoCRA, for cosmetics): a customer's report about a
//! product, tied to the batch, order, shipment or lot it names; a serious one must reach the
//! FDA within 15 business days, and every one is kept (six years; three for a small
//! business). Kept as journal entries of kind `complaint`: append-only and hash-chained
//! like every record.

/// Business days a serious adverse event has before it must be reported to the FDA
/// (FD&C Act § 605(b)).
pub const SERIOUS_REPORT_BUSINESS_DAYS: i32 = 15;

/// The last day to report a serious adverse event received on `received`: 15 business
/// days (Monday to Friday) later. Public holidays are not known to the station and are
/// not skipped: the deadline is never later than the law's.
pub fn report_deadline(received: jiff::civil::Date) -> jiff::civil::Date {
    let mut day = received;
    let mut left = SERIOUS_REPORT_BUSINESS_DAYS;
    while left > 0 {
        day = day.tomorrow().unwrap_or(day);
        if !matches!(
            day.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            left -= 1;
        }
    }
    day
}

/// A complaint as recorded (the journal entry's body).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Complaint {
    pub customer: String,
    /// what the customer named: a batch, an order, a shipment or a lot
    pub code: String,
    pub kind: String,
    /// the batches that code stands for (an order's or a shipment's shipped batches)
    pub batches: Vec<String>,
    /// the lots that went into those batches (their backward trace)
    pub lots: Vec<String>,
    pub text: String,
    pub serious: bool,
    /// for a serious one: the last day to report it to the FDA (YYYY-MM-DD)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub report_by: Option<String>,
}

/// A recorded complaint with its place in the journal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ComplaintEntry {
    pub journal_seq: i64,
    pub at: String,
    #[serde(flatten)]
    pub complaint: Complaint,
}

impl ComplaintEntry {
    /// Whether it concerns any of these codes (as named, or through its batches and lots).
    pub fn touches(&self, codes: &std::collections::BTreeSet<String>) -> bool {
        let c = &self.complaint;
        codes.contains(&c.code)
            || c.batches.iter().any(|b| codes.contains(b))
            || c.lots.iter().any(|l| codes.contains(l))
    }
}

/// What the station says of a complaint it recorded (the CLI's and the API's answer).
pub fn describe_recorded(seq: i64, complaint: &Complaint, others: usize) -> String {
    let mut line = format!(
        "complaint recorded (journal entry {seq}): {} about {} {}",
        complaint.customer, complaint.kind, complaint.code
    );
    if !complaint.batches.is_empty() {
        line.push_str(&format!(", batches {}", complaint.batches.join(" ")));
    }
    if let Some(by) = &complaint.report_by {
        line.push_str(&format!(
            "\nserious adverse event: report it to the FDA (MedWatch form 3500A) by {by}, 15 business days from today"
        ));
    }
    if others > 0 {
        line.push_str(&format!(
            "\n{others} other complaints concern the same batches or lots: lotstation complaint list --code {}",
            complaint.batches.first().unwrap_or(&complaint.code)
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn fifteen_business_days_skip_weekends() {
        // a Monday: three whole weeks later
        assert_eq!(report_deadline(date(2026, 11, 30)), date(2026, 12, 21));
        // a Saturday: counted from the Monday after
        assert_eq!(report_deadline(date(2026, 11, 28)), date(2026, 12, 18));
        // a Friday
        assert_eq!(report_deadline(date(2026, 11, 27)), date(2026, 12, 18));
    }
}
