package dev.strata.parse;

import java.time.Instant;

/**
 * Allocation-free RFC 3339 timestamp reading: {@code 2024-05-01T12:00:00.123456789Z}, any number of fraction digits
 * (kept to the microsecond), {@code Z} or {@code ±hh:mm} offsets, {@code T}, {@code t} or a space between date and
 * time. Leniently also: no offset (read as UTC, see {@link #hasOffset}), {@code ±hhmm} and {@code ±hh} offsets.
 */
public final class Timestamps {

  /** Returned by {@link #toMicros} for text that is not a timestamp. */
  public static final long INVALID = Long.MIN_VALUE;

  private Timestamps() {}

  /** UTC microseconds since the epoch, or {@link #INVALID}. */
  public static long toMicros(CharSequence s) {
    if (s == null) return INVALID;
    int n = s.length();
    if (n < 19) return INVALID;
    int year = digits(s, 0, 4);
    if (year < 0 || s.charAt(4) != '-') return INVALID;
    int month = digits(s, 5, 2);
    if (month < 1 || month > 12 || s.charAt(7) != '-') return INVALID;
    int day = digits(s, 8, 2);
    if (day < 1 || day > daysInMonth(year, month)) return INVALID;
    char sep = s.charAt(10);
    if (sep != 'T' && sep != 't' && sep != ' ') return INVALID;
    int hour = digits(s, 11, 2);
    if (hour < 0 || hour > 23 || s.charAt(13) != ':') return INVALID;
    int minute = digits(s, 14, 2);
    if (minute < 0 || minute > 59 || s.charAt(16) != ':') return INVALID;
    int second = digits(s, 17, 2);
    if (second < 0 || second > 60) return INVALID; // 60: leap second, rolls over
    int i = 19;
    long micros = 0;
    if (i < n && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
      i++;
      int start = i;
      int scale = 100_000;
      while (i < n) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') break;
        micros += (c - '0') * (long) scale;
        scale /= 10;
        i++;
      }
      if (i == start) return INVALID;
    }
    long offsetSeconds = 0;
    if (i < n) {
      char c = s.charAt(i);
      if (c == 'Z' || c == 'z') {
        i++;
      } else if (c == '+' || c == '-') {
        int oh = digits(s, i + 1, 2);
        if (oh < 0 || oh > 23) return INVALID;
        int j = i + 3;
        int om = 0;
        if (j < n && s.charAt(j) == ':') j++;
        if (j < n) {
          om = digits(s, j, 2);
          if (om < 0 || om > 59) return INVALID;
          j += 2;
        }
        offsetSeconds = (oh * 3600L + om * 60L) * (c == '-' ? -1 : 1);
        i = j;
      } else {
        return INVALID;
      }
    }
    if (i != n) return INVALID;
    long days = daysFromCivil(year, month, day);
    long epochSeconds = days * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
    return epochSeconds * 1_000_000L + micros;
  }

  /** True if the text ends in a UTC offset ({@code Z} or {@code ±hh[:mm]}); call only on valid timestamps. */
  public static boolean hasOffset(CharSequence s) {
    int n = s.length();
    char last = s.charAt(n - 1);
    if (last == 'Z' || last == 'z') return true;
    for (int i = n - 1; i >= 19; i--) {
      char c = s.charAt(i);
      if (c == '+' || c == '-') return true;
      if (c == '.' || c == ',') return false;
    }
    return false;
  }

  public static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  public static long toMicros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  private static int digits(CharSequence s, int from, int count) {
    if (from + count > s.length()) return -1;
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int daysInMonth(int y, int m) {
    switch (m) {
      case 2:
        return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
      case 4:
      case 6:
      case 9:
      case 11:
        return 30;
      default:
        return 31;
    }
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
  static long daysFromCivil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }
}
