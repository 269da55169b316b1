//! Date parsing with ordered fallbacks, for every format coindex reads.
//!
//! Tried in order: RFC 3339 / ISO 8601 with an offset, RFC 2822, unix seconds or
//! milliseconds, naive ISO forms (`2024-01-10 16:05:00`, `2024-01-10T16:05`,
//! `2024-01-10`), then the human forms that news pages print (`Sep 20, 2017, 2:00 p.m.`,
//! `September 20, 2017`, `20 Sep 2017 14:00`, `Fri, Jul 11, 2025, 8:35 AM`,
//! `Thu 27 Feb 2025 03.35 GMT`, `October 31, 2018 01:19am EDT`, `06:41 EDT, 24 June
//! 2013`, `11/07/2025`, `Fri, 11072025 - 15:28`).
//!
//! Which zone a time is in:
//! - an offset (`+02:00`, `Z`) or a printed zone (`EDT`, `GMT-3`, `CET`, `ET`) wins;
//! - an ISO 8601 date-time without an offset (`2021-09-29T11:23:11`,
//!   `2023-06-15 17:20:00`) is a machine timestamp (exports, APIs, metadata) and is UTC;
//! - any other time without a zone (`Sep 20, 2017, 2:00 p.m.`) is a wall-clock time
//!   of the site and is read in the configured timezone (default `America/New_York`),
//!   as is a bare calendar date (`2019-05-21`, `May 23, 2019`: midnight there).
//!
//! All-numeric dates (`11/07/2025`) follow a [`DateOrder`]; see [`numeric_order`] for
//! the vote a site's unambiguous dates cast. Years outside 1990..=2100 are rejected as
//! nonsense. This module does not find dates inside page text: the format parsers do.

use std::sync::OnceLock;

use chrono::format::{self, Item, ParseResult, Parsed, StrftimeItems};
use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use regex::Regex;

pub use crate::timezone::{DEFAULT_TIMEZONE, local_to_utc, parse_timezone};

const MIN_YEAR: i32 = 1990;
const MAX_YEAR: i32 = 2100;

/// How a site writes an all-numeric date such as `11/07/2025`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// Not known: `11/07/2025` is read month-first (July would be `07/11`), a compact
    /// `11072025` day-first, and a dotted `11.07.2025` always day-first.
    #[default]
    Unknown,
    /// `11/07/2025` is 11 July.
    DayFirst,
    /// `11/07/2025` is 7 November.
    MonthFirst,
}

/// Parses a date string; `tz` interprets times that carry no offset or zone.
pub fn parse_date(input: &str, tz: Tz) -> Option<DateTime<Utc>> {
    parse_date_in(input, tz, DateOrder::Unknown)
}

/// [`parse_date`] with the site's order of all-numeric dates.
pub fn parse_date_in(input: &str, tz: Tz, order: DateOrder) -> Option<DateTime<Utc>> {
    let s = clean(input);
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    let dt = parse_offset(&s)
        .or_else(|| parse_unix(&s))
        // a machine timestamp without an offset (`2021-09-29T11:23:11`) is UTC
        .or_else(|| parse_iso_naive(&s).map(|n| Utc.from_utc_datetime(&n)))
        .or_else(|| parse_human(&s, tz, order))?;
    let year = chrono::Datelike::year(&dt);
    (MIN_YEAR..=MAX_YEAR).contains(&year).then_some(dt)
}

/// The weekday printed before a date (`Thu, 10/07/2025`), if any.
fn printed_weekday(s: &str) -> Option<Weekday> {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &R,
        r"(?i)(?-u:\b)(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? +[0-9]",
    );
    let c = r.captures(s)?;
    Some(match c[1].to_ascii_lowercase().as_str() {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        _ => Weekday::Sun,
    })
}

/// The order in which an ambiguous all-numeric date falls on the weekday printed with
/// it (`Thu, 10/07/2025` is 10 July, a Thursday; 7 October is a Tuesday); `None` when
/// the date is not ambiguous or both or neither order fit.
fn weekday_order(s: &str, w: Weekday) -> Option<DateOrder> {
    static COMPACT: OnceLock<Regex> = OnceLock::new();
    let compact = re(&COMPACT, r"(?-u:\b)([0-9]{2})([0-9]{2})([0-9]{4})(?-u:\b)");
    static SLASH: OnceLock<Regex> = OnceLock::new();
    let slash = re(
        &SLASH,
        r"(?-u:\b)([0-9]{1,2})[/-]([0-9]{1,2})[/-]([0-9]{4})(?-u:\b)",
    );
    let c = slash.captures(s).or_else(|| compact.captures(s))?;
    let (a, b, y): (u32, u32, i32) = (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    let fits = |m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).is_some_and(|n| n.weekday() == w);
    match (fits(b, a), fits(a, b)) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// What an all-numeric date printed on a page says about its site's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericDate {
    /// Only one order reads it (`25/12/2024`, `12252024`): a vote for that order.
    Shows(DateOrder),
    /// Both orders read it, as different days (`11/07/2025`, `11072025`): the site's
    /// order decides it.
    Ambiguous,
}

/// Classifies a date string as the page prints it (labels, weekdays, times and zones
/// around it are allowed): `None` when it is not an all-numeric day-month date, or its
/// order does not matter (`05/05/2025`, the always day-first `11.07.2025`, the
/// year-first `20250711`).
pub fn numeric_date(input: &str) -> Option<NumericDate> {
    let mut s = simplify(&clean(input));
    let _ = take_zone(&mut s);
    let s = move_leading_time(&crate::text::collapse_ws(&s));
    let s = s.trim_matches(|c: char| c == ',' || c == ' ' || c == '-' || c == '|');
    static COMPACT: OnceLock<Regex> = OnceLock::new();
    let compact = re(&COMPACT, r"^(\d{2})(\d{2})(\d{4})(?-u:\b)");
    let (a, b) = if let Some(c) = slash_re().captures(s) {
        if &c[2] == "." {
            return None;
        }
        (c[1].parse::<u32>().ok()?, c[3].parse::<u32>().ok()?)
    } else if let Some(c) = compact.captures(s) {
        let all = &c[0];
        let y: i32 = all[..4].parse().ok()?;
        let (m, d): (u32, u32) = (all[4..6].parse().ok()?, all[6..].parse().ok()?);
        if (MIN_YEAR..=MAX_YEAR).contains(&y) && NaiveDate::from_ymd_opt(y, m, d).is_some() {
            return None;
        }
        (c[1].parse::<u32>().ok()?, c[2].parse::<u32>().ok()?)
    } else {
        return None;
    };
    let valid = |n: u32| (1..=12).contains(&n);
    if valid(a)
        && valid(b)
        && a != b
        && let Some(order) = printed_weekday(input).and_then(|w| weekday_order(input, w))
    {
        // the weekday printed with it tells the order
        return Some(NumericDate::Shows(order));
    }
    match (a > 12 && a <= 31, b > 12 && b <= 31) {
        (true, false) if valid(b) => Some(NumericDate::Shows(DateOrder::DayFirst)),
        (false, true) if valid(a) => Some(NumericDate::Shows(DateOrder::MonthFirst)),
        (false, false) if valid(a) && valid(b) && a != b => Some(NumericDate::Ambiguous),
        _ => None,
    }
}

/// The order an unambiguous all-numeric date shows (`25/12/2024` → day-first), if any.
pub fn numeric_order(input: &str) -> Option<DateOrder> {
    match numeric_date(input)? {
        NumericDate::Shows(order) => Some(order),
        NumericDate::Ambiguous => None,
    }
}

fn re(cell: &'static OnceLock<Regex>, pat: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pat).expect("date regex compiles"))
}

/// Normalizes spacing and the a.m./p.m. spellings.
fn clean(input: &str) -> String {
    let s: String = input
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let s = crate::text::collapse_ws(&s);
    // `2:00 p.m.`, `01:19am`, `8:35 AM` -> `2:00 PM`, `01:19 AM`, `8:35 AM`
    // the pattern needs an `m` (`(?i)` gives `m` no non-ASCII variant)
    if !s.contains(['m', 'M']) {
        return s.trim_end_matches(['.', ',']).trim().to_string();
    }
    static AMPM: OnceLock<Regex> = OnceLock::new();
    let s = re(&AMPM, r"(?i)(\d) ?([ap])\.? ?m\.?(\s|,|$)")
        .replace_all(&s, |c: &regex::Captures| {
            format!("{} {}M{}", &c[1], c[2].to_ascii_uppercase(), &c[3])
        });
    s.trim_end_matches(['.', ',']).trim().to_string()
}

fn parse_offset(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    static OFFSET: Formats = Formats::new(&[
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%a, %d %b %Y %H:%M:%S %z",
        "%d %b %Y %H:%M:%S %z",
    ]);
    if let Some(d) = OFFSET.first(s, |p| p.to_datetime()) {
        return Some(d.with_timezone(&Utc));
    }
    // `2024-01-10T16:05:00Z` with a space or a fraction the forms above miss
    if let Some(rest) = s.strip_suffix('Z')
        && let Some(n) = parse_iso_naive(rest.trim_end())
    {
        return Some(Utc.from_utc_datetime(&n));
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

/// ISO 8601 date and time without an offset, as machines write them.
fn parse_iso_naive(s: &str) -> Option<NaiveDateTime> {
    if s.len() < 16 || s.as_bytes()[4] != b'-' {
        return None;
    }
    static ISO: Formats = Formats::new(&[
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]);
    ISO.first(s, naive_datetime)
}

/// A zone printed after (or inside) a human date.
#[derive(Debug, Clone, Copy)]
enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

/// Zone abbreviations news sites print, with their offsets in minutes. Only the
/// unambiguous common ones: `IST` (India, Ireland, Israel) and `CST` (US, China) are
/// read as India and US Central, the senses English news sites mean most.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("IST", 330),
    ("SGT", 480),
    ("HKT", 480),
    ("JST", 540),
    ("KST", 540),
    ("AEST", 600),
    ("AEDT", 660),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("WIB", 420),
    ("ICT", 420),
    ("PHT", 480),
    ("AWST", 480),
    ("NZST", 720),
    ("NZDT", 780),
    ("SAST", 120),
    ("CAT", 120),
    ("EAT", 180),
    ("GST", 240),
    ("PKT", 300),
    ("BRT", -180),
    ("ART", -180),
];

/// Every zone abbreviation [`take_zone`] reads (`ET`, `PT` and the table above), for the
/// page-header date pattern.
pub(crate) fn zone_names() -> impl Iterator<Item = &'static str> {
    ["ET", "PT"]
        .into_iter()
        .chain(ZONES.iter().map(|(n, _)| *n))
}

/// Removes a zone (`EDT`, `GMT-3`, `UTC+05:30`, `ET`) from `s` and returns it.
fn take_zone(s: &mut String) -> Option<Zone> {
    static OFF: OnceLock<Regex> = OnceLock::new();
    let off = re(
        &OFF,
        r"(?-u:\b)(?:UTC|GMT) ?([+-])(\d{1,2})(?::?(\d{2}))?(?-u:\b)",
    );
    if let Some(c) = off.captures(s) {
        let h: i32 = c[2].parse().ok()?;
        let m: i32 = c.get(3).map_or(Some(0), |m| m.as_str().parse().ok())?;
        let sign = if &c[1] == "-" { -1 } else { 1 };
        let zone = FixedOffset::east_opt(sign * (h * 3600 + m * 60)).map(Zone::Fixed);
        let range = c.get(0)?.range();
        s.replace_range(range, " ");
        return zone;
    }
    static ABBR: OnceLock<Regex> = OnceLock::new();
    let abbr = re(&ABBR, r"(?-u:\b)([A-Z]{2,4})(?-u:\b)");
    for c in abbr.captures_iter(&s.clone()) {
        let name = &c[1];
        let zone = match name {
            "ET" => Some(Zone::Named(chrono_tz::America::New_York)),
            "PT" => Some(Zone::Named(chrono_tz::America::Los_Angeles)),
            _ => ZONES
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, m)| FixedOffset::east_opt(m * 60))
                .map(Zone::Fixed),
        };
        if let Some(z) = zone {
            let range = c.get(0)?.range();
            s.replace_range(range, " ");
            return Some(z);
        }
    }
    None
}

/// Dates as pages print them: labels, weekdays, ordinals, zones, time first or last,
/// numeric day/month orders.
fn parse_human(s: &str, tz: Tz, order: DateOrder) -> Option<DateTime<Utc>> {
    let order = match printed_weekday(s) {
        Some(w) => weekday_order(s, w).unwrap_or(order),
        None => order,
    };
    let mut s = simplify(s);
    let zone = take_zone(&mut s);
    let s = move_leading_time(&crate::text::collapse_ws(&s));
    let s = s.trim_matches(|c: char| c == ',' || c == ' ' || c == '-' || c == '|');
    let n = parse_numeric(s, order).or_else(|| parse_naive(s))?;
    match zone {
        Some(Zone::Fixed(off)) => off
            .from_local_datetime(&n)
            .single()
            .map(|d| d.with_timezone(&Utc)),
        Some(Zone::Named(z)) => local_to_utc(n, z),
        None => local_to_utc(n, tz),
    }
}

/// Drops what a printed date carries around the date itself: a leading label
/// (`Published:`, `Updated`, `First published on`), a weekday, ordinals (`24th`),
/// commas, `at`, ` - ` and `|` between date and time, the dot of `Jan.` and of `03.35`.
fn simplify(s: &str) -> String {
    // each rewrite runs only when the text holds what its pattern must match (the
    // checks follow from the patterns, so the result is the same): most printed dates
    // need two or three of the eight, and a regex call costs even when it fails
    let mut s = s.to_string();
    if starts_with_any(&s, b"flpuam") {
        static LABEL: OnceLock<Regex> = OnceLock::new();
        let label = re(
            &LABEL,
            r"(?i)^(?:first published|last updated|last modified|published|updated|posted|added|modified)(?: on)?:? ?",
        );
        rewrite(&mut s, label, "");
    }
    if starts_with_any(&s, b"mtwfs") {
        static WEEKDAY: OnceLock<Regex> = OnceLock::new();
        let weekday = re(
            &WEEKDAY,
            r"(?i)^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?,? ",
        );
        rewrite(&mut s, weekday, "");
    }
    let mut s = english_months(&s);
    let dot = s.contains('.');
    if dot {
        static MONTH_DOT: OnceLock<Regex> = OnceLock::new();
        let month_dot = re(
            &MONTH_DOT,
            r"(?i)(?-u:\b)(jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.",
        );
        rewrite(&mut s, month_dot, "$1");
    }
    // (`(?i)` lets a non-ASCII letter stand for an ASCII one: `ſ` for `s`)
    if !s.is_ascii()
        || s.as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"sept"))
    {
        static SEPT: OnceLock<Regex> = OnceLock::new();
        rewrite(&mut s, re(&SEPT, r"(?i)(?-u:\b)sept(?-u:\b)"), "Sep");
    }
    if ["st", "nd", "rd", "th"].iter().any(|o| s.contains(o)) {
        static ORDINAL: OnceLock<Regex> = OnceLock::new();
        let ordinal = re(&ORDINAL, r"(?-u:\b)(\d{1,2})(?:st|nd|rd|th)(?-u:\b)");
        rewrite(&mut s, ordinal, "$1");
    }
    if dot {
        static DOT_TIME: OnceLock<Regex> = OnceLock::new();
        let dot_time = re(&DOT_TIME, r"(\d{4},? \d{1,2})\.(\d{2})(?-u:\b)");
        rewrite(&mut s, dot_time, "$1:$2");
    }
    if s.contains(" - ") || s.contains(" – ") {
        static YEAR_DASH_TIME: OnceLock<Regex> = OnceLock::new();
        let dash = re(&YEAR_DASH_TIME, r"(\d{4}) [-–] (\d{1,2}:\d{2})");
        rewrite(&mut s, dash, "$1 $2");
    }
    let s = s.replace(',', " ").replace(" at ", " ").replace(" | ", " ");
    // `at` in French and German (`14 juillet 2022 à 10:05`, `7. Juli 2025 um 14:30`)
    let s = s.replace(" à ", " ").replace(" um ", " ");
    crate::text::collapse_ws(&s)
}

/// Whether `s` starts with one of the ASCII letters `first` (lowercase) in any case, or
/// with a non-ASCII char (under `(?i)` it may stand for one of them).
fn starts_with_any(s: &str, first: &[u8]) -> bool {
    s.as_bytes()
        .first()
        .is_some_and(|&b| b >= 0x80 || first.contains(&b.to_ascii_lowercase()))
}

/// Replaces every match of `re` in `s`; `s` is left as it is when nothing matches.
fn rewrite(s: &mut String, re: &Regex, rep: &str) {
    if let std::borrow::Cow::Owned(o) = re.replace_all(s, rep) {
        *s = o;
    }
}

/// Month names of the other languages news sites print most (German, French, Spanish,
/// Italian, Dutch, Portuguese), full and in their usual abbreviations, as chrono's
/// English ones: `7. Juli 2025` -> `7 July 2025`, `3 de março de 2024` -> `3 March 2024`.
/// The day's dot (`7.`) and the Spanish and Portuguese `de` go with them. Abbreviations
/// that are English words (`ago`, `out`, `set`, `mag`) are left out.
pub(crate) const FOREIGN_MONTHS: &[(&str, &str)] = &[
    (
        "januar|jänner|janvier|enero|gennaio|januari|janeiro|janv|ene|genn",
        "January",
    ),
    (
        "februar|feber|février|fevrier|febrero|febbraio|februari|fevereiro|févr|fevr|feb",
        "February",
    ),
    ("märz|maerz|mars|marzo|maart|março|marco|mrz|mär", "March"),
    ("avril|abril|aprile|avr", "April"),
    ("mai|mayo|maggio|mei|maio", "May"),
    ("juni|juin|junio|giugno|junho|giu", "June"),
    ("juli|juillet|julio|luglio|julho|juil|lug", "July"),
    ("august|août|aout|agosto|augustus", "August"),
    ("septembre|septiembre|settembre|setembro|sett", "September"),
    ("oktober|octobre|octubre|ottobre|outubro|okt|ott", "October"),
    ("novembre|noviembre|novembro", "November"),
    (
        "dezember|décembre|decembre|diciembre|dicembre|dezembro|dic|dez|déc",
        "December",
    ),
];

fn english_months(s: &str) -> String {
    static FOREIGN: OnceLock<Regex> = OnceLock::new();
    // the pattern is built once, with the regex
    let foreign = FOREIGN.get_or_init(|| {
        let names: Vec<&str> = FOREIGN_MONTHS.iter().map(|(n, _)| *n).collect();
        Regex::new(&format!(
            r"(?i)(?-u:\b)(\d{{1,2}})?\.?\s*(?:de\s+)?(?-u:\b)({})(?-u:\b)\.?(?:\s+de(?-u:\b))?",
            names.join("|")
        ))
        .expect("date regex compiles")
    });
    if !foreign.is_match(s) {
        return s.to_string();
    }
    foreign
        .replace_all(s, |c: &regex::Captures| {
            let name = c[2].to_lowercase();
            let english = FOREIGN_MONTHS
                .iter()
                .find(|(n, _)| n.split('|').any(|x| x == name))
                .map_or("", |(_, e)| *e);
            match c.get(1) {
                Some(day) => format!("{} {english}", day.as_str()),
                None => english.to_string(),
            }
        })
        .into_owned()
}

/// `06:41 24 June 2013` -> `24 June 2013 06:41`.
fn move_leading_time(s: &str) -> String {
    static LEAD: OnceLock<Regex> = OnceLock::new();
    let lead = re(&LEAD, r"^(\d{1,2}:\d{2}(?::\d{2})?(?: [AP]M)?) (.+)$");
    match lead.captures(s) {
        Some(c) if c[2].chars().next().is_some_and(|ch| ch.is_alphanumeric()) => {
            format!("{} {}", &c[2], &c[1])
        }
        _ => s.to_string(),
    }
}

fn slash_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^(\d{1,2})([/.-])(\d{1,2})[/.-](\d{4})(?-u:\b)(.*)$")
}

/// All-numeric dates: `11/07/2025`, `11.07.2025`, `11072025`, `20250711`, each with an
/// optional time after it (`- 15:28`, `8:35 PM`).
fn parse_numeric(s: &str, order: DateOrder) -> Option<NaiveDateTime> {
    static COMPACT: OnceLock<Regex> = OnceLock::new();
    let compact = re(&COMPACT, r"^(\d{2})(\d{2})(\d{4})(?-u:\b)(.*)$");
    let (date, rest) = if let Some(c) = slash_re().captures(s) {
        let (a, b, y): (u32, u32, i32) =
            (c[1].parse().ok()?, c[3].parse().ok()?, c[4].parse().ok()?);
        let day_first = match (&c[2], order) {
            (".", _) => true,
            _ if a > 12 => true,
            _ if b > 12 => false,
            (_, DateOrder::DayFirst) => true,
            _ => false,
        };
        let (d, m) = if day_first { (a, b) } else { (b, a) };
        (NaiveDate::from_ymd_opt(y, m, d)?, c.get(5)?.as_str())
    } else if let Some(c) = compact.captures(s) {
        let ymd = || {
            let y: i32 = format!("{}{}", &c[1], &c[2]).parse().ok()?;
            let m: u32 = c[3][..2].parse().ok()?;
            let d: u32 = c[3][2..].parse().ok()?;
            (MIN_YEAR..=MAX_YEAR)
                .contains(&y)
                .then(|| NaiveDate::from_ymd_opt(y, m, d))
                .flatten()
        };
        let (a, b, y): (u32, u32, i32) =
            (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
        let dmy = || match order {
            DateOrder::MonthFirst => NaiveDate::from_ymd_opt(y, a, b),
            _ => NaiveDate::from_ymd_opt(y, b, a),
        };
        (ymd().or_else(dmy)?, c.get(4)?.as_str())
    } else {
        return None;
    };
    let rest = rest.trim_matches(|c: char| c == ' ' || c == '-' || c == ',');
    if rest.is_empty() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    static TIMES: Formats = Formats::new(&["%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M:%S %p"]);
    TIMES
        .first(rest, |p| p.to_naive_time())
        .map(|t| date.and_time(t))
}

/// Forms after [`simplify`] (no commas, no weekday, `Sep` for `Sept`); chrono's `%B`
/// also reads abbreviated month names.
static DATETIME_FORMATS: Formats = Formats::new(&[
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%B %d %Y %I:%M %p",
    "%B %d %Y %I:%M:%S %p",
    "%B %d %Y %H:%M:%S",
    "%B %d %Y %H:%M",
    "%d %B %Y %I:%M %p",
    "%d %B %Y %H:%M:%S",
    "%d %B %Y %H:%M",
]);

static DATE_FORMATS: Formats = Formats::new(&["%Y-%m-%d", "%Y/%m/%d", "%B %d %Y", "%d %B %Y"]);

/// Parses a naive (offset-less) date or date-time.
fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    DATETIME_FORMATS.first(s, naive_datetime).or_else(|| {
        DATE_FORMATS
            .first(s, |p| p.to_naive_date())
            .map(|d| d.and_time(NaiveTime::MIN))
    })
}

/// What `NaiveDateTime::parse_from_str` makes of what was parsed.
fn naive_datetime(p: &Parsed) -> ParseResult<NaiveDateTime> {
    p.to_naive_datetime_with_offset(0)
}

/// strftime formats tried in turn, each parsed into chrono's items once: chrono's
/// `parse_from_str` parses its format string again on every call, and with some twenty
/// formats tried per printed date that was most of the time of reading dates.
struct Formats {
    formats: &'static [&'static str],
    items: OnceLock<Vec<Vec<Item<'static>>>>,
}

impl Formats {
    const fn new(formats: &'static [&'static str]) -> Formats {
        Formats {
            formats,
            items: OnceLock::new(),
        }
    }

    /// The first format that reads all of `s`, made into a value by `make` (as
    /// `parse_from_str` would: the same parse, then the same conversion).
    fn first<T>(&self, s: &str, make: impl Fn(&Parsed) -> ParseResult<T>) -> Option<T> {
        let items = self.items.get_or_init(|| {
            self.formats
                .iter()
                .map(|f| {
                    StrftimeItems::new(f)
                        .parse_to_owned()
                        .expect("date format parses")
                })
                .collect()
        });
        items.iter().find_map(|items| {
            let mut p = Parsed::new();
            format::parse(&mut p, s, items.iter()).ok()?;
            make(&p).ok()
        })
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
            // a machine timestamp without an offset is UTC; a bare date is the site's day
            ("2024-01-10 16:05:00", Some("2024-01-10T16:05:00Z")),
            ("2021-09-29T23:23:11", Some("2021-09-29T23:23:11Z")),
            ("2021-09-29 23:23:11.250", Some("2021-09-29T23:23:11Z")),
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
            // zones printed as abbreviations or offsets
            ("October 31, 2018 01:19am EDT", Some("2018-10-31T05:19:00Z")),
            (
                "December 13, 2018 07:06pm EST",
                Some("2018-12-14T00:06:00Z"),
            ),
            ("Thu 27 Feb 2025 03.35 GMT", Some("2025-02-27T03:35:00Z")),
            // month names in other languages
            ("7. Juli 2025 - 14:30", Some("2025-07-07T18:30:00Z")),
            ("12. März 2024", Some("2024-03-12T04:00:00Z")),
            ("3 de março de 2024", Some("2024-03-03T05:00:00Z")),
            ("15 de enero de 2023", Some("2023-01-15T05:00:00Z")),
            ("14 juillet 2022", Some("2022-07-14T04:00:00Z")),
            ("14 juillet 2022 à 10:05", Some("2022-07-14T14:05:00Z")),
            ("7. Juli 2025 um 14:30", Some("2025-07-07T18:30:00Z")),
            ("1 août 2021 10:05", Some("2021-08-01T14:05:00Z")),
            ("5 settembre 2020", Some("2020-09-05T04:00:00Z")),
            ("2 mei 2019", Some("2019-05-02T04:00:00Z")),
            ("Fri, Jul 11, 2025, 8:35 AM", Some("2025-07-11T12:35:00Z")),
            // an ambiguous numeric date falls on the weekday printed with it
            ("Thu, 10/07/2025 - 15:28", Some("2025-07-10T19:28:00Z")),
            ("Tue, 10/07/2025 - 15:28", Some("2025-10-07T19:28:00Z")),
            (
                "Fri, Jul 11, 2025, 8:35 AM GMT-3",
                Some("2025-07-11T11:35:00Z"),
            ),
            ("Jul 11, 2025 8:35 UTC+05:30", Some("2025-07-11T03:05:00Z")),
            ("11 July 2025 14:00 CET", Some("2025-07-11T13:00:00Z")),
            ("11 July 2025 14:00 BST", Some("2025-07-11T13:00:00Z")),
            ("Jul 11, 2025, 10:00 a.m. ET", Some("2025-07-11T14:00:00Z")),
            ("06:41 EDT, 24 June 2013", Some("2013-06-24T10:41:00Z")),
            (
                "Published: 06:41 EDT, 24 June 2013",
                Some("2013-06-24T10:41:00Z"),
            ),
            (
                "First published on Thu 27 Feb 2025 03.35 GMT",
                Some("2025-02-27T03:35:00Z"),
            ),
            (
                "Updated: Monday, June 24th, 2013",
                Some("2013-06-24T04:00:00Z"),
            ),
            ("28 June, 2013", Some("2013-06-28T04:00:00Z")),
            ("2024-01-10 16:05 UTC", Some("2024-01-10T16:05:00Z")),
            // all-numeric dates: dotted and compact day-first, slashes month-first
            // unless a part is over 12
            ("11.07.2025", Some("2025-07-11T04:00:00Z")),
            ("11072025", Some("2025-07-11T04:00:00Z")),
            ("Fri, 11072025 - 15:28", Some("2025-07-11T19:28:00Z")),
            ("20250711", Some("2025-07-11T04:00:00Z")),
            ("07/11/2025", Some("2025-07-11T04:00:00Z")),
            ("25/12/2024 08:00", Some("2024-12-25T13:00:00Z")),
            ("12/25/2024, 8:00 PM", Some("2024-12-26T01:00:00Z")),
            ("31/31/2024", None),
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
    fn a_site_order_decides_ambiguous_numeric_dates() {
        let day = |s| parse_date_in(s, ny(), DateOrder::DayFirst).map(|d| d.date_naive());
        let month = |s| parse_date_in(s, ny(), DateOrder::MonthFirst).map(|d| d.date_naive());
        let jul11 = NaiveDate::from_ymd_opt(2025, 7, 11);
        assert_eq!(day("11/07/2025"), jul11);
        assert_eq!(month("07/11/2025"), jul11);
        assert_eq!(month("11072025"), NaiveDate::from_ymd_opt(2025, 11, 7));
        // an unambiguous date is read the one way it can be
        assert_eq!(month("25/12/2024"), NaiveDate::from_ymd_opt(2024, 12, 25));
        assert_eq!(numeric_order("25/12/2024"), Some(DateOrder::DayFirst));
        assert_eq!(
            numeric_order("12/25/2024 8:00"),
            Some(DateOrder::MonthFirst)
        );
        assert_eq!(numeric_order("11/07/2025"), None);
        assert_eq!(numeric_order("Jul 11, 2025"), None);
    }

    #[test]
    fn numeric_dates_vote_or_wait_for_the_site_order() {
        use NumericDate::*;
        let cases: &[(&str, Option<NumericDate>)] = &[
            ("25/12/2024", Some(Shows(DateOrder::DayFirst))),
            (
                "Published: 25-12-2024 08:00",
                Some(Shows(DateOrder::DayFirst)),
            ),
            (
                "12/25/2024, 8:00 PM EST",
                Some(Shows(DateOrder::MonthFirst)),
            ),
            ("Fri, 25072025 - 15:28", Some(Shows(DateOrder::DayFirst))),
            ("Fri, 07252025 - 15:28", Some(Shows(DateOrder::MonthFirst))),
            ("11/07/2025", Some(Ambiguous)),
            ("Fri, 11072025 - 15:28", Some(Ambiguous)),
            // the printed weekday fits one order only (11 July and 7 November 2025 are
            // both Fridays, so the line above stays ambiguous)
            ("Thu, 10/07/2025 - 15:28", Some(Shows(DateOrder::DayFirst))),
            ("Tue, 10/07/2025", Some(Shows(DateOrder::MonthFirst))),
            ("Updated 03/04/2024 10:15 GMT", Some(Ambiguous)),
            // the order does not matter, or is fixed by the form
            ("05/05/2025", None),
            ("11.07.2025", None),
            ("20250711", None),
            ("Jul 11, 2025", None),
            ("2025-07-11", None),
            ("31/31/2024", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(numeric_date(input), *want, "input: {input:?}");
        }
    }

    #[test]
    fn timezone_override_changes_the_instant() {
        let utc = parse_timezone("UTC").unwrap();
        let d = parse_date("Sep 20, 2017, 2:00 p.m.", utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2017-09-20T14:00:00+00:00");
        assert!(parse_timezone("Mars/Olympus").is_err());
    }

    #[test]
    fn formats_read_as_parse_from_str_does() {
        // every format of every table, on strings each form reads and strings it must not
        let inputs = [
            "2024-01-10 16:05:00",
            "2024-01-10 16:05:00.250",
            "2024-01-10T16:05",
            "2024/01/10 16:05",
            "2024/01/10",
            "2024-01-10",
            "January 10 2024 4:05 PM",
            "Jan 10 2024 04:05:09 PM",
            "10 January 2024 16:05",
            "10 Jan 2024 16:05:00 +0000",
            "Wed, 10 Jan 2024 16:05:00 +0200",
            "2024-01-10T16:05:00+02:00",
            "2024-01-10T16:05+0200",
            "16:05",
            "4:05 PM",
            "04:05:09 AM",
            "13:61",
            "February 30 2024",
            "2024-13-01",
            "",
        ];
        const MORE: &[&str] = &["%H:%M:%S", "%H:%M", "%I:%M %p", "%Y-%m-%d %H:%M:%S %z"];
        let formats = DATETIME_FORMATS
            .formats
            .iter()
            .chain(DATE_FORMATS.formats)
            .chain(MORE);
        for f in formats {
            let one = Formats::new(std::slice::from_ref(f));
            for s in inputs {
                let why = format!("{s:?} with {f:?}");
                let dt = one.first(s, naive_datetime);
                assert_eq!(dt, NaiveDateTime::parse_from_str(s, f).ok(), "{why}");
                let d = one.first(s, |p| p.to_naive_date());
                assert_eq!(d, NaiveDate::parse_from_str(s, f).ok(), "{why}");
                let t = one.first(s, |p| p.to_naive_time());
                assert_eq!(t, NaiveTime::parse_from_str(s, f).ok(), "{why}");
                let z = one.first(s, |p| p.to_datetime());
                assert_eq!(z, DateTime::parse_from_str(s, f).ok(), "{why}");
            }
        }
    }
}
