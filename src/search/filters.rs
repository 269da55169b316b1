//! Hard filters: date bounds as users write them (`--from 2017-09`, `published:>=2024`),
//! resolved to UTC intervals in the filter timezone, and the tag, source and date
//! clauses they become. Filters match or not; they add nothing to a score. Owns the
//! meaning of a bound; parsing the query text is `query`'s job.

use std::ops::Bound;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur as TOccur, Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::Engine;
use crate::error::{Error, Result};
use crate::normalize::keys::{clean_tag, source_key};
use crate::schema::Fields;
use crate::timezone::local_to_utc;

/// Filters shared by search, count, facets, timeline and export.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub dates: DateInterval,
    /// Every tag must be present.
    pub tags: Vec<String>,
    /// Any of the sources.
    pub sources: Vec<String>,
}

/// A date bound as the user wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    Year(i32),
    Month(i32, u32),
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

impl DateBound {
    /// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or RFC 3339.
    pub fn parse(s: &str) -> std::result::Result<DateBound, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "invalid date `{s}`: use YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 time such as 2024-01-10T16:00:00Z"
            )
        };
        let year = |y: &str| -> std::result::Result<i32, String> {
            match y.parse::<i32>() {
                Ok(v) if y.len() == 4 && (1900..=2200).contains(&v) => Ok(v),
                _ => Err(bad()),
            }
        };
        if s.len() == 4 {
            return Ok(DateBound::Year(year(s)?));
        }
        if s.len() == 7 && s.as_bytes()[4] == b'-' {
            let y = year(&s[..4])?;
            let m: u32 = s[5..].parse().map_err(|_| bad())?;
            if !(1..=12).contains(&m) {
                return Err(format!("invalid month in `{s}`: months run from 01 to 12"));
            }
            return Ok(DateBound::Month(y, m));
        }
        if s.len() == 10 {
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
            year(&s[..4])?;
            return Ok(DateBound::Day(d));
        }
        let instant = DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| bad())?;
        // the same years as the calendar forms: the index stores dates as nanoseconds,
        // and year 9999 does not fit
        if !(1900..=2200).contains(&instant.year()) {
            return Err(format!(
                "invalid date `{s}`: years from 1900 to 2200 are supported"
            ));
        }
        Ok(DateBound::Instant(instant))
    }

    fn first_day(self) -> Option<NaiveDate> {
        match self {
            DateBound::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1),
            DateBound::Month(y, m) => NaiveDate::from_ymd_opt(y, m, 1),
            DateBound::Day(d) => Some(d),
            DateBound::Instant(_) => None,
        }
    }

    /// First instant covered by the bound.
    pub fn start(self, tz: Tz) -> Option<DateTime<Utc>> {
        match self {
            DateBound::Instant(i) => Some(i),
            other => local_to_utc(other.first_day()?.and_hms_opt(0, 0, 0)?, tz),
        }
    }

    /// First instant after the bound (exclusive end).
    pub fn end_exclusive(self, tz: Tz) -> Option<DateTime<Utc>> {
        let next = match self {
            DateBound::Instant(i) => return Some(i + Duration::seconds(1)),
            DateBound::Year(y) => NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
            DateBound::Month(y, m) => {
                if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)?
                }
            }
            DateBound::Day(d) => d.succ_opt()?,
        };
        let _ = next.year();
        local_to_utc(next.and_hms_opt(0, 0, 0)?, tz)
    }
}

/// A resolved date interval `[from, to)` in UTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateInterval {
    pub from: Option<DateTime<Utc>>,
    pub to_exclusive: Option<DateTime<Utc>>,
}

impl DateInterval {
    /// Builds the interval from `--from`/`--to` strings.
    pub fn from_flags(from: Option<&str>, to: Option<&str>, tz: Tz) -> Result<DateInterval> {
        let parse = |flag: &str, v: &str| {
            DateBound::parse(v).map_err(|m| Error::user(format!("{flag}: {m}")))
        };
        let from = from.map(|v| parse("--from", v)).transpose()?;
        let to = to.map(|v| parse("--to", v)).transpose()?;
        let iv = DateInterval {
            from: from.and_then(|b| b.start(tz)),
            to_exclusive: to.and_then(|b| b.end_exclusive(tz)),
        };
        if let (Some(a), Some(b)) = (iv.from, iv.to_exclusive)
            && a >= b
        {
            return Err(Error::user("--from is after --to: the date range is empty"));
        }
        Ok(iv)
    }
}

/// The term query of a tag, keyed the way the indexer keys tags.
pub(crate) fn tag_query(f: &Fields, tag: &str) -> Box<dyn TQuery> {
    term_query(f.tags, &clean_tag(tag))
}

/// The term query of a source, keyed the way the indexer keys sources.
pub(crate) fn source_query(f: &Fields, source: &str) -> Box<dyn TQuery> {
    term_query(f.source, &source_key(source))
}

/// An exact term on a keyword field (no frequencies, no positions).
pub(crate) fn term_query(field: Field, value: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// OR of the parts; `None` when there are none.
pub(crate) fn any_of(parts: Vec<Box<dyn TQuery>>) -> Option<Box<dyn TQuery>> {
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(
            parts.into_iter().map(|p| (TOccur::Should, p)).collect(),
        ))),
    }
}

/// The flag filters, one clause each. They match or not and add nothing to a
/// score: a tag's term would otherwise add BM25 over the tag list, favouring
/// documents with fewer tags, and a date range a constant.
pub(crate) fn clauses(f: &Fields, filters: &Filters) -> Vec<Box<dyn TQuery>> {
    let mut out: Vec<Box<dyn TQuery>> = Vec::new();
    if filters.dates.from.is_some() || filters.dates.to_exclusive.is_some() {
        out.push(range_query(f.published, filters.dates));
    }
    for t in &filters.tags {
        out.push(tag_query(f, t));
    }
    let sources: Vec<Box<dyn TQuery>> =
        filters.sources.iter().map(|s| source_query(f, s)).collect();
    if let Some(q) = any_of(sources) {
        out.push(q);
    }
    out.into_iter()
        .map(|q| Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn TQuery>)
        .collect()
}

impl Engine {
    /// A query matching every document that passes the filters (for listings).
    pub fn filter_query(&self, filters: &Filters) -> Box<dyn TQuery> {
        let mut all: Vec<(TOccur, Box<dyn TQuery>)> = clauses(self.fields(), filters)
            .into_iter()
            .map(|q| (TOccur::Must, q))
            .collect();
        all.push((TOccur::Must, Box::new(tantivy::query::AllQuery)));
        Box::new(BooleanQuery::new(all))
    }
}

pub(crate) fn range_query(field: Field, iv: DateInterval) -> Box<dyn TQuery> {
    let to_term = |d: DateTime<Utc>| {
        Term::from_field_date(field, tantivy::DateTime::from_timestamp_secs(d.timestamp()))
    };
    let lower = iv
        .from
        .map(|d| Bound::Included(to_term(d)))
        .unwrap_or(Bound::Unbounded);
    let upper = iv
        .to_exclusive
        .map(|d| Bound::Excluded(to_term(d)))
        .unwrap_or(Bound::Unbounded);
    Box::new(RangeQuery::new(lower, upper))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timezone as dates;

    #[test]
    fn bounds_table() {
        let ny = dates::parse_timezone("America/New_York").unwrap();
        let utc = dates::parse_timezone("UTC").unwrap();
        let f = |d: Option<DateTime<Utc>>| d.unwrap().to_rfc3339();
        let cases: &[(&str, Tz, &str, &str)] = &[
            (
                "2017",
                utc,
                "2017-01-01T00:00:00+00:00",
                "2018-01-01T00:00:00+00:00",
            ),
            (
                "2017-09",
                utc,
                "2017-09-01T00:00:00+00:00",
                "2017-10-01T00:00:00+00:00",
            ),
            (
                "2017-12",
                utc,
                "2017-12-01T00:00:00+00:00",
                "2018-01-01T00:00:00+00:00",
            ),
            (
                "2023-12-31",
                ny,
                "2023-12-31T05:00:00+00:00",
                "2024-01-01T05:00:00+00:00",
            ),
            (
                "2024-01-10T16:00:00Z",
                ny,
                "2024-01-10T16:00:00+00:00",
                "2024-01-10T16:00:01+00:00",
            ),
        ];
        for (s, tz, start, end) in cases {
            let b = DateBound::parse(s).unwrap();
            assert_eq!(f(b.start(*tz)), *start, "{s}");
            assert_eq!(f(b.end_exclusive(*tz)), *end, "{s}");
        }
        for bad in [
            "17",
            "2017-13",
            "2017-02-30",
            "0000",
            "99999",
            "yesterday",
            "2017-9",
            "9999-12-31T23:59:59Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert!(DateBound::parse(bad).is_err(), "{bad}");
        }
        assert!(DateInterval::from_flags(Some("2018"), Some("2017"), utc).is_err());
    }
}
