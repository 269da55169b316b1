//! The header lines news pages print above the article text: a byline (`By Jane Doe`)
//! and a date line (`Mar 2, 2024, 11:05 a.m.`, `Updated … Published …`). Two parsers
//! meet them in differently written text, so each rule takes the kind of [`Line`]:
//! paragraphs of a DOM or Markdown body (`html::text`, where they are dropped from the
//! top of the text) and lines of a page dump (`pagedump`, where they are read).
//!
//! It does not read names or dates out of a header (`pagedump` does; dates are parsed by
//! `normalize::dates`).

use std::sync::OnceLock;

use regex::Regex;

use crate::normalize::dates::parse_date;

/// The kind of text a header line was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// A paragraph of a DOM or Markdown body: words are spaced, a byline is a few words
    /// and no sentence, a date line is one date that [`parse_date`] reads whole.
    Paragraph,
    /// A line of a page dump: `By` may be glued to the name (`ByDana Whitfield`), and a
    /// date line is mostly dates as news sites print them, with their labels.
    Dump,
}

/// A labelled or bare date inside a page header, as printed by news sites: month first
/// (`Mar 2, 2024, 11:05 a.m.`, `Fri, Jul 11, 2025, 8:35 AM`, `October 31, 2018 01:19am
/// EDT`), day first (`Thu 27 Feb 2025 03.35 GMT`, `28 June, 2013`), time first (`06:41
/// EDT, 24 June 2013`), numeric (`11/07/2025`, `Fri, 11072025 - 15:28`) or year first
/// (`2025-08-04`, `2025-06-02 14:05 UTC`). Group 1 is the
/// label (`Updated`, `Published`, `First published`, `Posted`, `Added`), group 2 the date.
pub(crate) fn date_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        const MON: &str = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?";
        const DAY: &str = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? )?";
        // a.m./p.m. after a space, or after the narrow no-break space (U+202F) that
        // CLDR-based date formatting puts there
        const TIME: &str = r"[0-9]{1,2}[:.][0-9]{2}(?:[ \u{a0}\u{202f}]?[ap]\.?m\.?)?";
        // every abbreviation `normalize::dates` reads, longest first, in capitals only
        // (`ART`, `CAT` and `EAT` are words too)
        let mut zones: Vec<&str> = crate::normalize::dates::zone_names().collect();
        zones.sort_by_key(|z| std::cmp::Reverse(z.len()));
        let zone = format!(
            r"(?: (?-i:{})(?:[+-][0-9]{{1,2}}(?::?[0-9]{{2}})?)?(?-u:\b))?",
            zones.join("|")
        );
        let month_first = format!(
            r"{DAY}{MON} {{1,2}}[0-9]{{1,2}}(?:st|nd|rd|th)?,? [0-9]{{4}}(?:,? (?:at |[|·•–-] )?{TIME})?{zone}"
        );
        let day_first = format!(
            r"{DAY}[0-9]{{1,2}}(?:st|nd|rd|th)? {MON},? [0-9]{{4}}(?:,? (?:at |[|·•–-] )?{TIME})?{zone}"
        );
        let time_first = format!(r"{TIME}{zone},? [0-9]{{1,2}} {MON},? [0-9]{{4}}");
        let numeric = format!(
            r"{DAY}(?:[0-9]{{1,2}}[/.][0-9]{{1,2}}[/.][0-9]{{4}}|[0-3][0-9][01][0-9](?:19|20)[0-9][0-9])(?-u:\b)(?:,? (?:- )?[0-9]{{1,2}}:[0-9]{{2}}(?:[ \u{{a0}}\u{{202f}}]?[ap]\.?m\.?)?)?{zone}"
        );
        // ISO and year-first numerics (`2025-08-04`, `2025-06-02 14:05 UTC`,
        // `2025-08-04T12:00:00+02:00`, `2025/08/04`), one separator throughout
        let clock = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2}(?-u:\b))?";
        let iso = format!(
            r"(?:19|20)[0-9]{{2}}(?:-[01]?[0-9]-[0-3]?[0-9]|/[01]?[0-9]/[0-3]?[0-9])(?:T{clock}|(?-u:\b)(?:,? {clock})?){zone}"
        );
        // day-first with a month name of another language (`7. Juli 2025 - 14:30`,
        // `3 de março de 2024`): `normalize::dates` reads them. Every name begins and
        // ends with an ASCII letter, so the ASCII word boundary serves, and keeps the
        // regex on the lazy DFA (a Unicode `\b` fell back to the PikeVM: 10x the build
        // time on page dumps)
        let names: Vec<&str> = crate::normalize::dates::FOREIGN_MONTHS
            .iter()
            .map(|(n, _)| *n)
            .collect();
        let foreign = format!(
            r"[0-9]{{1,2}}\.? (?:de )?(?:{})(?-u:\b)\.?(?: de)? [0-9]{{4}}(?:,? (?:- |à |um )?{TIME})?{zone}",
            names.join("|")
        );
        Regex::new(&format!(
            r"(?i)(first published|last updated|updated|published|posted|added)?(?:[ :]| on )*((?:{time_first})|(?:{month_first})|(?:{day_first})|(?:{numeric})|(?:{iso})|(?:{foreign}))"
        ))
        .expect("header regex compiles")
    })
}

/// Whether `s` holds four ASCII digits in a row, as every match of [`date_re`] does
/// (each form ends in a four-digit year, or is eight digits).
pub(crate) fn has_year_digits(s: &str) -> bool {
    let mut run = 0;
    for &b in s.as_bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run == 4 {
            return true;
        }
    }
    false
}

/// "By" in the languages of the archives (lowercase), for bylines of saved HTML and of
/// page dumps.
pub(crate) const BY_WORDS: &[&str] = &[
    "by", "von", "par", "por", "door", "di", "av", "przez", "oleh",
];

/// A `By Jane Doe and Sam Lee` line.
pub(crate) fn is_byline(line: &str, kind: Line) -> bool {
    match kind {
        Line::Paragraph => {
            // a short line, not a sentence starting with "By"
            let words: Vec<&str> = line.split_whitespace().collect();
            words.len() >= 2
                && words.len() <= 8
                && words[0].eq_ignore_ascii_case("by")
                && words[1].chars().next().is_some_and(char::is_uppercase)
                && !line.ends_with(['.', '!', '?'])
        }
        Line::Dump => {
            static R: OnceLock<Regex> = OnceLock::new();
            let by = R.get_or_init(|| {
                Regex::new(r"^(?i:by)\s*[A-Z][\w.'’-]+").expect("header regex compiles")
            });
            by.is_match(line) && line.len() < 200
        }
    }
}

/// A line that is only a date (`March 8, 2019`, `2019-03-08 17:45`), or in a page dump
/// mostly dates and their labels.
pub(crate) fn is_dateline(line: &str, kind: Line) -> bool {
    match kind {
        Line::Paragraph => line.len() < 60 && parse_date(line, chrono_tz::UTC).is_some(),
        // every date the regex reads holds a year: four ASCII digits in a row, which
        // most lines of a page lack (a cheaper test than the regex's scan)
        // (a URL holds year-first dates in its path; it is no date line)
        Line::Dump => {
            has_year_digits(line)
                && !line.contains("://")
                && date_re().find(line).is_some_and(|m| {
                    // a date line is mostly dates and labels
                    let rest = date_re().replace_all(line, "");
                    m.start() < 20 && rest.trim().len() < 25
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole time is part of the date, a.m./p.m. included, however it is spaced:
    /// site learning keeps these spans from being cut, and a `p.m.` cut away as part of
    /// a recurring caption turned 9:39 p.m. into 9:39 a.m.
    #[test]
    fn the_meridiem_is_part_of_the_date_after_any_space() {
        for (text, date) in [
            (
                "Published Feb 12, 2010, 9:39 p.m. Committee",
                "Feb 12, 2010, 9:39 p.m.",
            ),
            (
                "Published Feb 12, 2010, 9:39\u{202f}p.m. Committee",
                "Feb 12, 2010, 9:39\u{202f}p.m.",
            ),
            (
                "Updated Jun 18, 2018, 10:44\u{a0}AM EDT and",
                "Jun 18, 2018, 10:44\u{a0}AM EDT",
            ),
            (
                "Posted 11/07/2025, 8:35\u{202f}pm",
                "11/07/2025, 8:35\u{202f}pm",
            ),
            ("July 11, 2025 | 3:28 pm By", "July 11, 2025 | 3:28 pm"),
        ] {
            let found = date_re().captures(text).map(|c| c[2].to_string());
            assert_eq!(found.as_deref(), Some(date), "{text:?}");
        }
    }

    /// Year-first dates, as some sites and most CMS themes print them, are read whole
    /// and parse to the printed day; a year range or a version number is no date.
    #[test]
    fn year_first_dates_are_found_and_read() {
        let tz = chrono_tz::UTC;
        for (text, date, day) in [
            ("2025-08-04", "2025-08-04", "2025-08-04"),
            (
                "Published: 2025-06-02 14:05 UTC",
                "2025-06-02 14:05 UTC",
                "2025-06-02",
            ),
            (
                "Updated 2025-06-02T23:30:00-04:00",
                "2025-06-02T23:30:00-04:00",
                "2025-06-03",
            ),
            ("Posted on 2024/01/10", "2024/01/10", "2024-01-10"),
        ] {
            let Some(c) = date_re().captures(text) else {
                panic!("no date in {text:?}");
            };
            assert_eq!(&c[2], date, "{text:?}");
            let got = parse_date(&c[2], tz).map(|d| d.format("%Y-%m-%d").to_string());
            assert_eq!(got.as_deref(), Some(day), "{text:?}");
        }
        for text in [
            "the 2024-2025 season",
            "version 2025.1",
            "up 2025-10 points",
        ] {
            assert!(date_re().find(text).is_none(), "{text:?}");
        }
        assert!(is_dateline("Published: 2025-06-02 14:05 UTC", Line::Dump));
    }

    /// Every zone abbreviation the date parser knows is part of the printed date, in
    /// capitals only: `JST` moves the day, `art` after a date is a word.
    #[test]
    fn zone_abbreviations_belong_to_the_date() {
        for (text, day) in [
            ("April 3, 2025 | 07:30 JST", "2025-04-02"),
            ("April 4, 2025 | 15:30 WIB", "2025-04-04"),
            ("Apr 9, 2025, 9:12 PM EDT", "2025-04-10"),
            ("3 April 2025 23:10 NZDT", "2025-04-03"),
        ] {
            let c = date_re().captures(text).expect(text);
            let got = parse_date(&c[2], chrono_tz::UTC).map(|d| d.format("%Y-%m-%d").to_string());
            assert_eq!(got.as_deref(), Some(day), "{text}: {:?}", &c[2]);
        }
        let c = date_re()
            .captures("March 3, 2025 art fairs opened")
            .unwrap();
        assert_eq!(&c[2], "March 3, 2025");
    }

    #[test]
    fn printed_dates_in_other_languages_are_found() {
        for (text, date) in [
            (
                "Von Anna Muster, 7. Juli 2025 - 14:30",
                "7. Juli 2025 - 14:30",
            ),
            (
                "Publié le 14 juillet 2022 à 10:05",
                "14 juillet 2022 à 10:05",
            ),
            ("Por Ana, 3 de março de 2024", "3 de março de 2024"),
            ("12. März 2024", "12. März 2024"),
        ] {
            let found = date_re().captures(text).map(|c| c[2].to_string());
            assert_eq!(found.as_deref(), Some(date), "{text}");
        }
        // a month name inside prose without a day and year is no date
        assert!(date_re().find("Im Juli kaufte er mehr").is_none());
    }

    /// The year-digits test that guards the regex passes every date the regex reads
    /// (each of its forms, here and in the tables above) and fails text without one.
    #[test]
    fn every_printed_date_holds_year_digits() {
        for text in [
            "Feb 12, 2010, 9:39 p.m.",
            "Fri, Jul 11, 2025, 8:35 AM",
            "Thu 27 Feb 2025 03.35 GMT",
            "06:41 EDT, 24 June 2013",
            "11/07/2025",
            "Fri, 11072025 - 15:28",
            "7. Juli 2025 - 14:30",
            "3 de março de 2024",
            "2025-06-02 14:05 UTC",
        ] {
            let m = date_re().find(text).expect("a date");
            assert!(has_year_digits(m.as_str()), "{text}");
        }
        for text in ["Markets 24/7", "BTC $61,204.11", "Jan 2, 25", ""] {
            assert!(!has_year_digits(text), "{text}");
        }
    }

    #[test]
    fn the_two_kinds_of_line_table() {
        // (line, byline in a paragraph, byline in a dump)
        let bylines = [
            ("By Jane Doe and Sam Lee", true, true),
            ("ByDana Whitfield,Omar Reyes", false, true),
            ("By Jane Doe, who covers markets.", false, true),
            ("By the close, prices had fallen", false, false),
            ("Byron Lee", false, false),
        ];
        for (l, paragraph, dump) in bylines {
            assert_eq!(is_byline(l, Line::Paragraph), paragraph, "{l}");
            assert_eq!(is_byline(l, Line::Dump), dump, "{l}");
        }
        // (line, date line in a paragraph, date line in a dump)
        let datelines = [
            ("March 8, 2019", true, true),
            ("2019-03-08 17:45", true, true),
            (
                "Updated Mar 3, 2024, 9:14 p.m. Published Mar 2, 2024, 11:05 a.m.",
                false,
                true,
            ),
            ("Prices fell on March 8, 2019 as miners sold.", false, false),
            (
                "Published: 06:41 EDT, 24 June 2013 | Updated: 10:04 EDT, 24 June 2013",
                false,
                true,
            ),
            ("Thu 27 Feb 2025 03.35 GMT", true, true),
            ("Fri, 11072025 - 15:28", true, true),
        ];
        for (l, paragraph, dump) in datelines {
            assert_eq!(is_dateline(l, Line::Paragraph), paragraph, "{l}");
            assert_eq!(is_dateline(l, Line::Dump), dump, "{l}");
        }
    }
}
