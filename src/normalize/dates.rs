//! Date parsing with ordered fallbacks, for every format coindex reads.
//!
//! Tried in order: RFC 3339 / ISO 8601 with an offset, RFC 2822, unix seconds or
//! milliseconds, naive ISO forms (`2024-01-10 16:05:00`, `2024-01-10T16:05`,
//! `2024-01-10`), then the human forms that news pages print (`Sep 20, 2017, 2:00 p.m.`,
//! `September 20, 2017`, `20 Sep 2017 14:00`). Times without an offset are wall-clock
//! times of the site and are read in the configured timezone (default
//! `America/New_York`), then stored as UTC. Years outside 1990..=2100 are rejected as
//! nonsense. This module does not find dates inside page text: the format parsers do.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

pub use crate::timezone::{DEFAULT_TIMEZONE, local_to_utc, parse_timezone};

const MIN_YEAR: i32 = 1990;
const MAX_YEAR: i32 = 2100;

/// Parses a date string; `tz` interprets times that carry no offset.
pub fn parse_date(input: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let s = clean(input);
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    let dt = parse_offset(&s)
        .or_else(|| parse_unix(&s))
        .or_else(|| parse_naive(&s).and_then(|n| local_to_utc(n, tz)))?;
    let year = chrono::Datelike::year(&dt);
    (MIN_YEAR..=MAX_YEAR).contains(&year).then_some(dt)
}

/// Normalizes spacing and the a.m./p.m. spellings.
fn clean(input: &str) -> String {
    let mut s: String = input
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    s = crate::text::collapse_ws(&s);
    for (from, to) in [
        ("a.m.", "AM"),
        ("p.m.", "PM"),
        ("A.M.", "AM"),
        ("P.M.", "PM"),
        (" am", " AM"),
        (" pm", " PM"),
    ] {
        s = s.replace(from, to);
    }
    // `2:00PM` -> `2:00 PM`
    for ap in ["AM", "PM"] {
        if let Some(i) = s.find(ap)
            && i > 0
            && s.as_bytes()[i - 1].is_ascii_digit()
        {
            s.insert(i, ' ');
        }
    }
    s.trim_end_matches(['.', ',']).trim().to_string()
}

fn parse_offset(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%a, %d %b %Y %H:%M:%S %z",
        "%d %b %Y %H:%M:%S %z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    // Trailing `Z`/`UTC`/`GMT` on a naive form.
    for suffix in [" UTC", " GMT", "Z", " Z"] {
        if let Some(rest) = s.strip_suffix(suffix)
            && let Some(n) = parse_naive(rest.trim())
        {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    None
}

fn parse_unix(s: &str) -> Option<DateTime<Utc>> {
    if !s.bytes().all(|b| b.is_ascii_digit()) || s.len() < 9 || s.len() > 13 {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    if s.len() >= 12 {
        DateTime::from_timestamp_millis(n)
    } else {
        DateTime::from_timestamp(n, 0)
    }
}

const DATETIME_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%b %d, %Y, %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y, %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y, %H:%M",
    "%b %d, %Y %H:%M",
    "%B %d, %Y at %I:%M %p",
    "%b %d, %Y at %I:%M %p",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%a, %d %b %Y %H:%M:%S",
    "%A, %B %d, %Y %I:%M %p",
];

const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%a, %d %b %Y",
    "%A, %B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
];

/// Parses a naive (offset-less) date or date-time.
fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    // `Sept` is common on news sites and unknown to strftime.
    let s = s.replace("Sept ", "Sep ").replace("Sept. ", "Sep ");
    let s = fix_month_dot(&s);
    for f in DATETIME_FORMATS {
        if let Ok(n) = NaiveDateTime::parse_from_str(&s, f) {
            return Some(n);
        }
    }
    for f in DATE_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(&s, f) {
            return Some(d.and_time(NaiveTime::MIN));
        }
    }
    None
}

/// `Jan. 5, 2024` -> `Jan 5, 2024`.
fn fix_month_dot(s: &str) -> String {
    match s.get(..4) {
        Some(head) if head.ends_with('.') && head[..3].chars().all(|c| c.is_alphabetic()) => {
            format!("{}{}", &head[..3], &s[4..])
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny() -> Tz {
        parse_timezone(DEFAULT_TIMEZONE).unwrap()
    }

    #[test]
    fn date_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Sep 20, 2017, 2:00 p.m.", Some("2017-09-20T18:00:00Z")),
            (
                "Sep 20, 2017, 2:00\u{202f}p.m.",
                Some("2017-09-20T18:00:00Z"),
            ),
            (
                "Feb 6, 2025, 11:42\u{202f}a.m.",
                Some("2025-02-06T16:42:00Z"),
            ),
            ("Dec 31, 2023, 11:30 p.m.", Some("2024-01-01T04:30:00Z")),
            ("Jan 1, 2024, 12:10 a.m.", Some("2024-01-01T05:10:00Z")),
            ("Sept 30, 2017, 9:00 p.m.", Some("2017-10-01T01:00:00Z")),
            ("September 20, 2017", Some("2017-09-20T04:00:00Z")),
            ("Jan. 5, 2024", Some("2024-01-05T05:00:00Z")),
            ("2024-01-10T16:05:00Z", Some("2024-01-10T16:05:00Z")),
            ("2024-01-10T16:05:00+02:00", Some("2024-01-10T14:05:00Z")),
            ("2024-01-10 16:05:00", Some("2024-01-10T21:05:00Z")),
            ("2024-01-10", Some("2024-01-10T05:00:00Z")),
            (
                "Wed, 10 Jan 2024 16:05:00 GMT",
                Some("2024-01-10T16:05:00Z"),
            ),
            (
                "Wed, 10 Jan 2024 16:05:00 +0000",
                Some("2024-01-10T16:05:00Z"),
            ),
            ("1704902700", Some("2024-01-10T16:05:00Z")),
            ("1704902700000", Some("2024-01-10T16:05:00Z")),
            ("0000-01-01", None),
            ("9999-12-31T00:00:00Z", None),
            ("yesterday", None),
            ("", None),
            ("2024-13-45", None),
        ];
        for (input, want) in cases {
            let got = parse_date(input, ny())
                .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            assert_eq!(got.as_deref(), *want, "input: {input:?}");
        }
    }

    #[test]
    fn timezone_override_changes_the_instant() {
        let utc = parse_timezone("UTC").unwrap();
        let d = parse_date("Sep 20, 2017, 2:00 p.m.", utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2017-09-20T14:00:00+00:00");
        assert!(parse_timezone("Mars/Olympus").is_err());
    }
}
