package dev.strata.ingest.journal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One journal entry as the JSON line {@code journalctl -o json --all} prints for it, so the parsers that read
 * journald exports read it unchanged: {@code __CURSOR} (the same cursor journalctl computes), {@code
 * __REALTIME_TIMESTAMP}, {@code __MONOTONIC_TIMESTAMP} (decimal microseconds as strings), {@code __SEQNUM}, {@code
 * __SEQNUM_ID} (as journalctl 254+ prints them), {@code _BOOT_ID} (the entry's), then the entry's fields in item order.
 * A value is a string when it is printable UTF-8 (systemd's {@code utf8_is_printable}: valid UTF-8, no control
 * character but tab and newline), else an array of its bytes; a field that occurs more than once is an array of its
 * values. Unlike journalctl without {@code --all}, long values are never replaced by null. Last comes {@value
 * #OFFSET_FIELD}: the ENTRY object's offset in the journal file, the entry's position in the evidence.
 */
public final class JournalJson {
  /** The field naming the entry's ENTRY object offset in its journal file (decimal). */
  public static final String OFFSET_FIELD = "__STRATA_JOURNAL_OFFSET";

  /** The line being written (one writer per thread: reused from line to line). */
  private byte[] buf = new byte[8192];
  private int n;

  /** Writes the entry's JSON line (with the trailing newline) to {@code out}. */
  public void write(JournalEntry e, OutputStream out) throws IOException {
    n = 0;
    List<JournalField> fields = e.fields();
    ascii("{\"__CURSOR\":\"");
    ascii(e.cursor());
    ascii("\",\"__REALTIME_TIMESTAMP\":\"");
    ascii(Long.toUnsignedString(e.realtime()));
    ascii("\",\"__MONOTONIC_TIMESTAMP\":\"");
    ascii(Long.toUnsignedString(e.monotonic()));
    ascii("\",\"__SEQNUM\":\"");
    ascii(Long.toUnsignedString(e.seqnum()));
    ascii("\",\"__SEQNUM_ID\":\"");
    ascii(e.seqnumId());
    ascii("\",\"_BOOT_ID\":\"");
    ascii(e.bootId());
    put('"');
    for (int i = 0; i < fields.size(); i++) {
      JournalField f = fields.get(i);
      String name = f.name();
      if (name.equals("_BOOT_ID") || seenBefore(fields, i)) continue; // journalctl prints the entry's own boot id
      put(',');
      if (!f.shared && !repeatedAfter(fields, i)) {
        string(f.payload(), 0, f.valueOffset() - 1);
        put(':');
        value(f);
        continue;
      }
      if (!repeatedAfter(fields, i)) {
        byte[] j = f.json;
        if (j == null) j = f.json = encoded(f);
        ensure(j.length);
        System.arraycopy(j, 0, buf, n, j.length);
        n += j.length;
        continue;
      }
      string(f.payload(), 0, f.valueOffset() - 1);
      put(':');
      put('[');
      value(f);
      for (int j = i + 1; j < fields.size(); j++) {
        if (same(fields.get(j).name(), name, name.hashCode())) {
          put(',');
          value(fields.get(j));
        }
      }
      put(']');
    }
    ascii(",\"" + OFFSET_FIELD + "\":\"");
    ascii(Long.toString(e.offset()));
    ascii("\"}\n");
    out.write(buf, 0, n);
  }

  /** {@code "NAME":value} of a field, made in this writer's buffer after what is already there. */
  private byte[] encoded(JournalField f) {
    int start = n;
    string(f.payload(), 0, f.valueOffset() - 1);
    put(':');
    value(f);
    byte[] j = java.util.Arrays.copyOfRange(buf, start, n);
    n = start;
    return j;
  }

  /** A field that occurs more than once is an array of its values, at its first occurrence. */
  private static boolean seenBefore(List<JournalField> fields, int i) {
    String name = fields.get(i).name();
    int h = name.hashCode();
    for (int j = 0; j < i; j++) {
      if (same(fields.get(j).name(), name, h)) return true;
    }
    return false;
  }

  private static boolean repeatedAfter(List<JournalField> fields, int i) {
    String name = fields.get(i).name();
    int h = name.hashCode();
    for (int j = i + 1; j < fields.size(); j++) {
      if (same(fields.get(j).name(), name, h)) return true;
    }
    return false;
  }

  /** Names compared by their (cached) hash first: most pairs differ there. */
  private static boolean same(String a, String b, int bHash) {
    return a == b || (a.hashCode() == bHash && a.equals(b));
  }

  private void value(JournalField f) {
    byte[] p = f.payload();
    int s = f.valueOffset();
    if (printable(p, s, p.length)) {
      string(p, s, p.length - s);
      return;
    }
    put('[');
    for (int i = s; i < p.length; i++) {
      if (i > s) put(',');
      int v = p[i] & 0xff;
      if (v >= 100) put('0' + v / 100);
      if (v >= 10) put('0' + v / 10 % 10);
      put('0' + v % 10);
    }
    put(']');
  }

  /** systemd's utf8_is_printable_newline(..., allow_newline=true): valid UTF-8 of valid code points, no C0 (but tab
   * and newline) or C1 control character, DEL included. */
  static boolean printable(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int c = b[i] & 0xff;
      int len;
      int cp;
      if (c < 0x80) {
        len = 1;
        cp = c;
      } else if ((c & 0xe0) == 0xc0) {
        len = 2;
        cp = c & 0x1f;
      } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        cp = c & 0x0f;
      } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        cp = c & 0x07;
      } else {
        return false;
      }
      if (i + len > to) return false;
      for (int k = 1; k < len; k++) {
        int cc = b[i + k] & 0xff;
        if ((cc & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (cc & 0x3f);
      }
      // overlong encodings are not valid
      if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
      if (cp >= 0x110000 || (cp & 0xFFFFF800) == 0xD800 || (cp >= 0xFDD0 && cp <= 0xFDEF)
          || (cp & 0xFFFE) == 0xFFFE) {
        return false;
      }
      if ((cp < ' ' && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F)) return false;
      i += len;
    }
    return true;
  }

  private static final byte[] HEXDIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private void string(byte[] b, int s, int len) {
    ensure(len * 6 + 2);
    buf[n++] = '"';
    int run = s;
    for (int i = s, end = s + len; i < end; i++) {
      int c = b[i] & 0xff;
      if (c != '"' && c != '\\' && c >= 0x20) continue;
      System.arraycopy(b, run, buf, n, i - run); // the bytes that need no escape, at once
      n += i - run;
      run = i + 1;
      buf[n++] = '\\';
      switch (c) {
        case '"', '\\' -> buf[n++] = (byte) c;
        case '\n' -> buf[n++] = 'n';
        case '\t' -> buf[n++] = 't';
        case '\r' -> buf[n++] = 'r';
        case '\b' -> buf[n++] = 'b';
        case '\f' -> buf[n++] = 'f';
        default -> {
          buf[n++] = 'u';
          buf[n++] = '0';
          buf[n++] = '0';
          buf[n++] = HEXDIGITS[c >> 4];
          buf[n++] = HEXDIGITS[c & 15];
        }
      }
    }
    System.arraycopy(b, run, buf, n, s + len - run);
    n += s + len - run;
    buf[n++] = '"';
  }

  private void ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) buf[n++] = (byte) s.charAt(i);
  }

  private void put(int c) {
    ensure(1);
    buf[n++] = (byte) c;
  }

  private void ensure(int more) {
    if (n + more > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
  }
}
