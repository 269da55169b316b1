//! Validated settings built from the command line: paths, dates, limits, formats.
//!
//! Nothing past this module sees clap types. Date bounds accept `YYYY`, `YYYY-MM`,
//! `YYYY-MM-DD` and RFC 3339; calendar forms are read in the configured timezone (the
//! same one page times are read in), so `--to 2023-12-31` includes an article a New York
//! site printed at 11:30 p.m. that day. Both ends are inclusive.

use std::path::PathBuf;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::normalize::dates::{self, local_to_utc};

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

/// Resolves the timezone from the flag, then `COINDEX_TIMEZONE`, then the default.
pub fn timezone(flag: Option<&str>) -> Result<Tz> {
    let name = flag
        .map(str::to_string)
        .or_else(|| {
            std::env::var("COINDEX_TIMEZONE")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| dates::DEFAULT_TIMEZONE.to_string());
    dates::parse_timezone(&name).map_err(Error::user)
}

/// Resolves the index directory from the flag, then `COINDEX_INDEX`, then the platform
/// data directory.
pub fn index_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os("COINDEX_INDEX").filter(|s| !s.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join("coindex").join("index"))
        .ok_or_else(|| Error::user("cannot find a data directory for the index: pass --index PATH or set COINDEX_INDEX"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
