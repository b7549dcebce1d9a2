package dev.strata.parse;

/** IP address literals as sources write them (no name lookups). */
public final class IpLiterals {
  private IpLiterals() {}

  /** An IPv4 or IPv6 literal (no name lookups; an IPv6 literal is checked for its characters only). */
  public static boolean isIp(String s) {
    return s != null && isIp(s, 0, s.length());
  }

  /** As {@link #isIp(String)} for the characters [from, to) of {@code s}. */
  public static boolean isIp(CharSequence s, int from, int to) {
    int len = to - from;
    if (len <= 0 || len > 45) return false;
    boolean colon = false;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == ':') {
        colon = true;
        break;
      }
    }
    if (colon) {
      int colons = 0;
      for (int i = from; i < to; i++) {
        char c = s.charAt(i);
        if (c == ':') colons++;
        boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!ok) return false;
      }
      return colons >= 2;
    }
    int parts = 0;
    int value = 0;
    int digits = 0;
    for (int i = from; i < to; i++) { // four dot-separated decimal parts, 1-3 digits each, each <= 255
      char c = s.charAt(i);
      if (c == '.') {
        if (digits == 0 || ++parts > 3) return false;
        value = digits = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) return false;
      } else {
        return false;
      }
    }
    return digits > 0 && parts == 3;
  }

  /**
   * The address as a client address is usually meant: an IPv4-mapped IPv6 literal ({@code ::ffff:203.0.113.5}, what
   * a dual-stack socket reports for an IPv4 peer, e.g. Node's {@code req.socket.remoteAddress}) as its IPv4 address;
   * anything else as given.
   */
  public static String unmapped(String ip) {
    if (ip.length() > 7 && ip.regionMatches(true, 0, "::ffff:", 0, 7) && ip.indexOf('.') > 0) {
      String v4 = ip.substring(7);
      if (isIp(v4) && v4.indexOf(':') < 0) return v4;
    }
    return ip;
  }
}
