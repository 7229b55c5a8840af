//! Unix seconds as calendar dates in UTC and back, for people and files (the
//! console's times, the audit export's RFC 3339): the proleptic Gregorian
//! calendar by H. Hinnant's `civil_from_days` / `days_from_civil`.

use crate::id::Timestamp;

/// A moment in UTC, as a calendar shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Timestamp {
    pub fn utc(self) -> Utc {
        let (days, secs) = (self.0.div_euclid(86_400), self.0.rem_euclid(86_400));
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Utc {
            year: yoe + era * 400 + i64::from(month <= 2),
            month: month as u32,
            day: day as u32,
            hour: (secs / 3600) as u32,
            minute: (secs % 3600 / 60) as u32,
            second: (secs % 60) as u32,
        }
    }

    /// Midnight UTC of a calendar day; `None` for a month or day that cannot be.
    pub fn from_date(year: i64, month: u32, day: u32) -> Option<Timestamp> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let (month, day) = (i64::from(month), i64::from(day));
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Timestamp((era * 146_097 + doe - 719_468) * 86_400))
    }

    /// `2024-05-01T12:00:00Z`.
    pub fn rfc3339(self) -> String {
        let t = self.utc();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_read_as_rfc3339_in_utc() {
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(951_782_400).rfc3339(), "2000-02-29T00:00:00Z");
        assert_eq!(Timestamp(1_700_000_000).rfc3339(), "2023-11-14T22:13:20Z");
        assert_eq!(Timestamp(4_107_542_399).rfc3339(), "2100-02-28T23:59:59Z");
        assert_eq!(Timestamp(-1).rfc3339(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn a_date_is_its_midnight_and_impossible_dates_are_none() {
        assert_eq!(Timestamp::from_date(1970, 1, 1), Some(Timestamp(0)));
        assert_eq!(
            Timestamp::from_date(2000, 2, 29),
            Some(Timestamp(951_782_400))
        );
        assert_eq!(Timestamp::from_date(2100, 2, 29), None);
        assert_eq!(Timestamp::from_date(2026, 13, 1), None);
        assert_eq!(Timestamp::from_date(2026, 4, 31), None);
    }

    #[test]
    fn every_day_of_four_centuries_goes_there_and_back() {
        let mut t = Timestamp::from_date(1900, 1, 1).unwrap();
        while t.0 < Timestamp::from_date(2300, 1, 1).unwrap().0 {
            let u = t.utc();
            assert_eq!(Timestamp::from_date(u.year, u.month, u.day), Some(t));
            t = t.plus_days(1);
        }
    }
}
