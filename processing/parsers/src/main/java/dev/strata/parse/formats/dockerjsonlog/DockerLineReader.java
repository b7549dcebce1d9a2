package dev.strata.parse.formats.dockerjsonlog;

import dev.strata.parse.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;

/**
 * Fast path for the common json-file line: an object of ASCII strings with the keys log, stream, time and attrs (an
 * object of strings), with the escapes JSON allows. Anything else (other keys or value types, non-ASCII bytes, control
 * characters, bad escapes, trailing data) returns false and the line goes to the Jackson path, which decides what it
 * is; so this reader never accepts a line Jackson would reject, and reads the same values Jackson would.
 */
final class DockerLineReader {

  private static final byte[] LOG = "log".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STREAM = "stream".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TIME = "time".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ATTRS = "attrs".getBytes(StandardCharsets.US_ASCII);

  private char[] scratch = new char[256];
  private byte[] bytes = new byte[512];
  private byte[] b;
  private int i;
  private int end;
  // result of the last string()
  private int strStart;
  private int strEnd;
  private boolean strEscaped;
  private int strFirstEscape;

  /** Reads buf[s, e) (no surrounding whitespace) into {@code out}; false if the line needs the general path. */
  boolean read(byte[] buf, int s, int e, DockerLine out) {
    b = buf;
    i = s;
    end = e;
    if (i >= end || b[i] != '{') return false;
    i++;
    boolean seenLog = false;
    while (true) {
      ws();
      if (!string()) return false;
      int ks = strStart;
      int kl = strEnd - strStart;
      if (strEscaped) return false;
      ws();
      if (i >= end || b[i] != ':') return false;
      i++;
      ws();
      if (is(ks, kl, ATTRS)) {
        if (!attrs(out)) return false;
      } else {
        if (!string()) return false;
        if (is(ks, kl, LOG)) {
          if (seenLog) return false; // duplicate key: let Jackson decide
          seenLog = true;
          logValue(out);
          if (out.body == null) return false;
        } else if (is(ks, kl, STREAM)) {
          out.stream = stream();
        } else if (is(ks, kl, TIME)) {
          out.time = value();
          if (out.time == null) return false;
        } else {
          return false;
        }
      }
      ws();
      if (i >= end) return false;
      if (b[i] == ',') {
        i++;
        continue;
      }
      if (b[i] == '}') {
        i++;
        break;
      }
      return false;
    }
    ws();
    if (i != end || !seenLog) return false;
    out.ascii = true;
    return true;
  }

  private boolean attrs(DockerLine out) {
    if (i >= end || b[i] != '{') return false;
    i++;
    HashMap<String, String> m = new HashMap<>(8);
    ws();
    if (i < end && b[i] == '}') {
      i++;
      out.attrs = m;
      return true;
    }
    while (true) {
      ws();
      if (!string()) return false;
      String k = value();
      if (k == null) return false;
      ws();
      if (i >= end || b[i] != ':') return false;
      i++;
      ws();
      if (!string()) return false;
      String v = value();
      if (v == null) return false;
      m.put(k, v);
      ws();
      if (i >= end) return false;
      if (b[i] == ',') {
        i++;
        continue;
      }
      if (b[i] == '}') {
        i++;
        break;
      }
      return false;
    }
    out.attrs = m;
    return true;
  }

  /** Scans a string at i (must start with '"'); sets strStart/strEnd (content) and strEscaped. */
  private boolean string() {
    if (i >= end || b[i] != '"') return false;
    int j = ++i;
    boolean esc = false;
    while (true) {
      j = Bytes.indexOfStringSpecial(b, j, end);
      if (j >= end) return false;
      byte c = b[j];
      if (c == '"') {
        strStart = i;
        strEnd = j;
        strEscaped = esc;
        i = j + 1;
        return true;
      }
      if (c != '\\') return false; // control character or non-ASCII byte
      if (!esc) strFirstEscape = j;
      esc = true;
      j += 2; // skip the escaped char; validated when decoding
    }
  }

  private String value() {
    if (!strEscaped) return new String(b, strStart, strEnd - strStart, StandardCharsets.ISO_8859_1);
    return decode(strStart, strFirstEscape, strEnd);
  }

  private void logValue(DockerLine out) {
    int s = strStart;
    int e = strEnd;
    // the usual case: the only escape is the final \n
    if (strEscaped && strFirstEscape == e - 2 && b[e - 1] == 'n') {
      out.body = new String(b, s, e - s - 2, StandardCharsets.ISO_8859_1);
      out.complete = true;
      return;
    }
    String v = strEscaped ? decode(s, strFirstEscape, e) : new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    if (v == null) {
      out.body = null; // bad escape: caller falls back
      return;
    }
    out.setLog(v);
  }

  private String stream() {
    if (!strEscaped && strEnd - strStart == 6 && b[strStart] == 's' && b[strStart + 1] == 't' && b[strStart + 2] == 'd') {
      if (b[strStart + 3] == 'o' && b[strStart + 4] == 'u' && b[strStart + 5] == 't') return "stdout";
      if (b[strStart + 3] == 'e' && b[strStart + 4] == 'r' && b[strStart + 5] == 'r') return "stderr";
    }
    return value();
  }

  /** Decodes JSON escapes in b[s, e) (ASCII; the first backslash is at firstEscape); null on an invalid escape. */
  private String decode(int s, int firstEscape, int e) {
    if (bytes.length < e - s) bytes = new byte[Math.max(e - s, bytes.length * 2)];
    byte[] o = bytes;
    int n = 0;
    int k = s;
    int bs = firstEscape;
    while (k < e) {
      if (bs < k) {
        bs = Bytes.indexOf(b, (byte) '\\', k, e);
        if (bs < 0) bs = e;
      }
      System.arraycopy(b, k, o, n, bs - k);
      n += bs - k;
      k = bs;
      if (k >= e) break;
      if (++k >= e) return null;
      switch (b[k]) {
        case '"' -> o[n++] = '"';
        case '\\' -> o[n++] = '\\';
        case '/' -> o[n++] = '/';
        case 'b' -> o[n++] = '\b';
        case 'f' -> o[n++] = '\f';
        case 'n' -> o[n++] = '\n';
        case 'r' -> o[n++] = '\r';
        case 't' -> o[n++] = '\t';
        case 'u' -> {
          int v = hex4(k + 1, e);
          if (v < 0) return null;
          if (v > 0xFF) return decodeChars(s, e); // beyond Latin-1: the char path
          o[n++] = (byte) v;
          k += 4;
        }
        default -> {
          return null;
        }
      }
      k++;
    }
    return new String(o, 0, n, StandardCharsets.ISO_8859_1);
  }

  private int hex4(int from, int e) {
    if (from + 4 > e) return -1;
    int v = 0;
    for (int h = 0; h < 4; h++) {
      int d = Character.digit(b[from + h], 16);
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    return v;
  }

  /** Decodes JSON escapes in b[s, e) into chars (for \\u escapes beyond Latin-1); null on an invalid escape. */
  private String decodeChars(int s, int e) {
    if (scratch.length < e - s) scratch = new char[Math.max(e - s, scratch.length * 2)];
    char[] c = scratch;
    int n = 0;
    for (int k = s; k < e; k++) {
      byte x = b[k];
      if (x != '\\') {
        c[n++] = (char) x;
        continue;
      }
      if (++k >= e) return null;
      switch (b[k]) {
        case '"' -> c[n++] = '"';
        case '\\' -> c[n++] = '\\';
        case '/' -> c[n++] = '/';
        case 'b' -> c[n++] = '\b';
        case 'f' -> c[n++] = '\f';
        case 'n' -> c[n++] = '\n';
        case 'r' -> c[n++] = '\r';
        case 't' -> c[n++] = '\t';
        case 'u' -> {
          int v = hex4(k + 1, e);
          if (v < 0) return null;
          c[n++] = (char) v;
          k += 4;
        }
        default -> {
          return null;
        }
      }
    }
    return new String(c, 0, n);
  }

  private void ws() {
    while (i < end) {
      byte c = b[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') i++;
      else break;
    }
  }

  private boolean is(int s, int len, byte[] word) {
    if (len != word.length) return false;
    for (int k = 0; k < len; k++) if (b[s + k] != word[k]) return false;
    return true;
  }
}
