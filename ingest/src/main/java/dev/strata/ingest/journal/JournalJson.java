package dev.strata.ingest.journal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  private JournalJson() {}

  /** Appends the entry's JSON line (with the trailing newline) to {@code out}. */
  public static void write(JournalEntry e, ByteArrayOutputStream out) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (JournalField f : e.fields()) {
      if (f.name().equals("_BOOT_ID")) continue; // journalctl prints the entry's own boot id
      Object prev = fields.putIfAbsent(f.name(), f);
      if (prev instanceof JournalField p) {
        List<JournalField> all = new ArrayList<>(2);
        all.add(p);
        all.add(f);
        fields.put(f.name(), all);
      } else if (prev != null) {
        @SuppressWarnings("unchecked")
        List<JournalField> all = (List<JournalField>) prev;
        all.add(f);
      }
    }
    ascii(out, "{\"__CURSOR\":\"");
    ascii(out, e.cursor());
    ascii(out, "\",\"__REALTIME_TIMESTAMP\":\"");
    ascii(out, Long.toUnsignedString(e.realtime()));
    ascii(out, "\",\"__MONOTONIC_TIMESTAMP\":\"");
    ascii(out, Long.toUnsignedString(e.monotonic()));
    ascii(out, "\",\"__SEQNUM\":\"");
    ascii(out, Long.toUnsignedString(e.seqnum()));
    ascii(out, "\",\"__SEQNUM_ID\":\"");
    ascii(out, e.seqnumId());
    ascii(out, "\",\"_BOOT_ID\":\"");
    ascii(out, e.bootId());
    out.write('"');
    for (Map.Entry<String, Object> f : fields.entrySet()) {
      out.write(',');
      string(out, f.getKey().getBytes(StandardCharsets.UTF_8), 0, f.getKey().length());
      out.write(':');
      if (f.getValue() instanceof JournalField one) {
        value(out, one);
      } else {
        @SuppressWarnings("unchecked")
        List<JournalField> all = (List<JournalField>) f.getValue();
        out.write('[');
        for (int i = 0; i < all.size(); i++) {
          if (i > 0) out.write(',');
          value(out, all.get(i));
        }
        out.write(']');
      }
    }
    ascii(out, ",\"" + OFFSET_FIELD + "\":\"");
    ascii(out, Long.toString(e.offset()));
    ascii(out, "\"}\n");
  }

  private static void value(ByteArrayOutputStream out, JournalField f) {
    byte[] p = f.payload();
    int s = f.valueOffset();
    if (printable(p, s, p.length)) {
      string(out, p, s, p.length - s);
      return;
    }
    out.write('[');
    for (int i = s; i < p.length; i++) {
      if (i > s) out.write(',');
      ascii(out, Integer.toString(p[i] & 0xff));
    }
    out.write(']');
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

  private static void string(ByteArrayOutputStream out, byte[] b, int s, int n) {
    out.write('"');
    int start = s;
    int end = s + n;
    for (int i = s; i < end; i++) {
      int c = b[i] & 0xff;
      if (c == '"' || c == '\\' || c < 0x20) {
        out.write(b, start, i - start);
        out.write('\\');
        switch (c) {
          case '"', '\\' -> out.write(c);
          case '\n' -> out.write('n');
          case '\t' -> out.write('t');
          case '\r' -> out.write('r');
          case '\b' -> out.write('b');
          case '\f' -> out.write('f');
          default -> {
            out.write('u');
            out.write('0');
            out.write('0');
            out.write(HEXDIGITS[c >> 4]);
            out.write(HEXDIGITS[c & 15]);
          }
        }
        start = i + 1;
      }
    }
    out.write(b, start, end - start);
    out.write('"');
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    for (int i = 0; i < s.length(); i++) out.write(s.charAt(i));
  }
}
