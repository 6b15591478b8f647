//! Complaints and adverse events (MoCRA, for cosmetics): a customer's report about a
//! product, tied to the batch, order, shipment or lot it names; a serious one must reach the
//! FDA within 15 business days, and every one is kept (six years; three for a small
//! business). Kept as journal entries of kind `complaint`: append-only and hash-chained
//! like every record.

/// Business days a serious adverse event has before it must be reported to the FDA
/// (FD&C Act § 605(b)).
pub const SERIOUS_REPORT_BUSINESS_DAYS: i32 = 15;

/// The last day to report a serious adverse event received on `received`: 15 business
/// days later, a business day being a weekday that is not a US federal holiday (as the FDA,
/// a federal agency, counts them).
pub fn report_deadline(received: jiff::civil::Date) -> jiff::civil::Date {
    let mut day = received;
    let mut left = SERIOUS_REPORT_BUSINESS_DAYS;
    while left > 0 {
        day = day.tomorrow().unwrap_or(day);
        if is_business_day(day) {
            left -= 1;
        }
    }
    day
}

/// Monday to Friday, and not a US federal holiday.
pub fn is_business_day(day: jiff::civil::Date) -> bool {
    !matches!(
        day.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    ) && !federal_holidays(day.year()).contains(&day)
}

/// The US federal holidays of `year` as observed (5 U.S.C. 6103): New Year's Day, Martin
/// Luther King Jr.'s Birthday, Washington's Birthday, Memorial Day, Juneteenth, Independence
/// Day, Labor Day, Columbus Day, Veterans Day, Thanksgiving and Christmas; one that falls on
/// a Saturday is observed the Friday before, on a Sunday the Monday after (New Year's Day
/// of the next year observed on 31 December counts in this year).
pub fn federal_holidays(year: i16) -> Vec<jiff::civil::Date> {
    use jiff::civil::{Date, Weekday};
    let date = |month: i8, day: i8| Date::new(year, month, day).ok();
    // the nth weekday of a month (n = -1: the last)
    let nth = |month: i8, weekday: Weekday, n: i8| -> Option<Date> {
        Date::new(year, month, 1)
            .ok()?
            .nth_weekday_of_month(n, weekday)
            .ok()
    };
    let observed = |day: Option<Date>| -> Option<Date> {
        let day = day?;
        match day.weekday() {
            Weekday::Saturday => day.yesterday().ok(),
            Weekday::Sunday => day.tomorrow().ok(),
            _ => Some(day),
        }
    };
    let mut days: Vec<Date> = [
        observed(date(1, 1)),
        nth(1, Weekday::Monday, 3),
        nth(2, Weekday::Monday, 3),
        nth(5, Weekday::Monday, -1),
        observed(date(6, 19)),
        observed(date(7, 4)),
        nth(9, Weekday::Monday, 1),
        nth(10, Weekday::Monday, 2),
        observed(date(11, 11)),
        nth(11, Weekday::Thursday, 4),
        observed(date(12, 25)),
        // next year's New Year's Day on a Saturday is observed on 31 December
        Date::new(year + 1, 1, 1)
            .ok()
            .filter(|d| d.weekday() == Weekday::Saturday)
            .and_then(|d| d.yesterday().ok()),
    ]
    .into_iter()
    .flatten()
    .filter(|d| d.year() == year)
    .collect();
    days.sort_unstable();
    days.dedup();
    days
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

    #[test]
    fn federal_holidays_are_not_business_days() {
        // over a weekend and Thanksgiving (Thursday 26 November 2026)
        assert_eq!(report_deadline(date(2026, 11, 18)), date(2026, 12, 10));
        // over Christmas and New Year's Day, both on a Friday
        assert_eq!(report_deadline(date(2026, 12, 17)), date(2027, 1, 11));
        assert_eq!(
            federal_holidays(2026),
            [
                date(2026, 1, 1),
                date(2026, 1, 19),
                date(2026, 2, 16),
                date(2026, 5, 25),
                date(2026, 6, 19),
                // 4 July on a Saturday: observed on the Friday
                date(2026, 7, 3),
                date(2026, 9, 7),
                date(2026, 10, 12),
                date(2026, 11, 11),
                date(2026, 11, 26),
                date(2026, 12, 25),
            ]
        );
        // New Year's Day 2022 on a Saturday: observed on 31 December 2021, and Christmas
        // 2021 (a Saturday) on the 24th
        let y2021 = federal_holidays(2021);
        assert!(y2021.contains(&date(2021, 12, 31)) && y2021.contains(&date(2021, 12, 24)));
        assert!(!federal_holidays(2022).contains(&date(2022, 1, 1)));
        // Memorial Day 2027: the last Monday of May is the 31st
        assert!(federal_holidays(2027).contains(&date(2027, 5, 31)));
    }
}
