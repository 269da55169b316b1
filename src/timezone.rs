//! The timezone rules both paths share: the default zone of times printed without an
//! offset, reading a zone name, and reading a wall-clock time in a zone as UTC. The
//! indexer reads page times with them (`normalize::dates`), and the query side reads
//! calendar bounds such as `--to 2023-12-31` with them (`search::filters`), so neither
//! path imports the other's stage.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Default timezone of page times and calendar dates when none is given.
pub const DEFAULT_TIMEZONE: &str = "America/New_York";

/// Reads a wall-clock time in `tz`; a time in a DST gap moves forward an hour.
pub fn local_to_utc(n: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&n)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(n + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|d| d.with_timezone(&Utc))
}

/// Parses an IANA timezone name, with a message fit for the user.
pub fn parse_timezone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!("unknown timezone `{name}`: use an IANA name such as America/New_York, Europe/London or UTC")
    })
}
