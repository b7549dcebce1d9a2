package dev.strata.detect.sigma;

import java.net.InetAddress;

/** IP address literals and CIDR blocks, parsed without name lookups. */
final class IpLiteral {
  private IpLiteral() {}

  /** The address bytes of an IPv4 / IPv6 literal, or null for anything else (never resolves names). */
  static byte[] parse(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) return null;
    if (s.indexOf(':') < 0) return v4(s);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return null;
    }
    try {
      return InetAddress.getByName(s).getAddress(); // a literal: no lookup
    } catch (Exception e) {
      return null;
    }
  }

  private static byte[] v4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i == s.length() ? '.' : s.charAt(i);
      if (c == '.') {
        if (value < 0 || part > 3) return null;
        out[part++] = (byte) value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) return null;
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  static boolean inside(byte[] a, byte[] net, int bits) {
    for (int i = 0; i < bits; i++) {
      int bit = 7 - (i % 8);
      if (((a[i / 8] >> bit) & 1) != ((net[i / 8] >> bit) & 1)) return false;
    }
    return true;
  }
}
