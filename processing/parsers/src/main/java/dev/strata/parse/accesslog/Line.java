package dev.strata.parse.accesslog;

/** A cursor over one message: the small steps the text access log grammars are made of. */
final class Line {
  final String s;
  final int n;
  int p;

  Line(String s, int from) {
    this.s = s;
    this.n = s.length();
    this.p = from;
  }

  boolean atEnd() {
    return p >= n;
  }

  /** Consumes {@code c} when it is next. */
  boolean eat(char c) {
    if (p < n && s.charAt(p) == c) {
      p++;
      return true;
    }
    return false;
  }

  /** Consumes {@code text} when it is next. */
  boolean eat(String text) {
    if (s.startsWith(text, p)) {
      p += text.length();
      return true;
    }
    return false;
  }

  void spaces() {
    while (p < n && s.charAt(p) == ' ') p++;
  }

  /** The characters up to the next space (or the end); null when there are none. */
  String token() {
    int a = p;
    int sp = s.indexOf(' ', p);
    p = sp < 0 ? n : sp;
    return p > a ? s.substring(a, p) : null;
  }

  /**
   * A double-quoted value (the quote next), as written between the quotes; a backslash escapes the next character
   * (Apache writes {@code \"}, nginx {@code \x22}). Null when no quote is next or it is never closed.
   */
  String quoted() {
    if (p >= n || s.charAt(p) != '"') return null;
    int a = p + 1;
    int q = s.indexOf('"', a);
    while (q > 0) {
      int backslashes = 0;
      for (int i = q - 1; i >= a && s.charAt(i) == '\\'; i--) backslashes++;
      if ((backslashes & 1) == 0) {
        p = q + 1;
        return s.substring(a, q);
      }
      q = s.indexOf('"', q + 1); // an escaped quote
    }
    return null;
  }

  /** Decimal digits next (at least one), as text; null otherwise. */
  String digits() {
    int a = p;
    while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9') p++;
    return p > a ? s.substring(a, p) : null;
  }

  /** A three-digit HTTP status next, followed by a space or the end. */
  String status() {
    if (p + 3 > n) return null;
    for (int i = p; i < p + 3; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return null;
    if (p + 3 < n && s.charAt(p + 3) != ' ') return null;
    p += 3;
    return s.substring(p - 3, p);
  }

  static Long number(String t) {
    if (t == null || t.isEmpty() || t.length() > 18) return null;
    for (int i = 0; i < t.length(); i++) if (t.charAt(i) < '0' || t.charAt(i) > '9') return null;
    return Long.parseLong(t);
  }
}
