package dev.strata.sink.opensearch;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds the newline-delimited {@code _bulk} body: one {@code index} action with the id (and, for a versioned
 * document, {@code version} + {@code version_type: external_gte}), then the source; a delete is the {@code delete}
 * action alone.
 */
final class BulkBody {
  private static final byte[] OPEN = "{\"index\":{\"_index\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OPEN_DELETE = "{\"delete\":{\"_index\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MID = "\",\"_id\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "\"}}\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VERSION = "\",\"version\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VERSION_CLOSE = ",\"version_type\":\"external_gte\"}}\n".getBytes(StandardCharsets.US_ASCII);

  private BulkBody() {}

  static byte[] of(List<DocWriteRequest> requests) {
    int size = 0;
    byte[][] idx = new byte[requests.size()][];
    byte[][] ids = new byte[requests.size()][];
    byte[][] close = new byte[requests.size()][];
    for (int i = 0; i < requests.size(); i++) {
      DocWriteRequest r = requests.get(i);
      idx[i] = escaped(r.index());
      ids[i] = escaped(r.id());
      close[i] = r.versioned() ? versionClose(r.version()) : CLOSE;
      size += OPEN.length + idx[i].length + MID.length + ids[i].length + close[i].length;
      size += r.delete() ? OPEN_DELETE.length - OPEN.length : r.source().length + 1;
    }
    byte[] out = new byte[size];
    int p = 0;
    for (int i = 0; i < requests.size(); i++) {
      p = put(out, p, requests.get(i).delete() ? OPEN_DELETE : OPEN);
      p = put(out, p, idx[i]);
      p = put(out, p, MID);
      p = put(out, p, ids[i]);
      p = put(out, p, close[i]);
      if (requests.get(i).delete()) {
        continue; // no source line
      }
      byte[] src = requests.get(i).source();
      System.arraycopy(src, 0, out, p, src.length);
      // a raw newline would cut the document in two (only possible outside strings, where it is whitespace)
      for (int j = p, end = p + src.length; j < end; j++) {
        if (out[j] == '\n' || out[j] == '\r') {
          out[j] = ' ';
        }
      }
      p += src.length;
      out[p++] = '\n';
    }
    return out;
  }

  private static byte[] versionClose(long version) {
    byte[] v = Long.toString(version).getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[VERSION.length + v.length + VERSION_CLOSE.length];
    System.arraycopy(VERSION, 0, out, 0, VERSION.length);
    System.arraycopy(v, 0, out, VERSION.length, v.length);
    System.arraycopy(VERSION_CLOSE, 0, out, VERSION.length + v.length, VERSION_CLOSE.length);
    return out;
  }

  private static int put(byte[] out, int p, byte[] b) {
    System.arraycopy(b, 0, out, p, b.length);
    return p + b.length;
  }

  /** JSON string content (without quotes). Ids and index names are usually plain ASCII: fast path. */
  static byte[] escaped(String s) {
    boolean plain = true;
    for (int i = 0; i < s.length() && plain; i++) {
      char c = s.charAt(i);
      plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    }
    if (plain) {
      return s.getBytes(StandardCharsets.US_ASCII);
    }
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
