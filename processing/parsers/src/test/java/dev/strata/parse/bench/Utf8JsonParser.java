package dev.strata.parse.bench;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.core.base.ParserMinimalBase;
import com.fasterxml.jackson.core.io.ContentReference;
import com.fasterxml.jackson.core.json.DupDetector;
import com.fasterxml.jackson.core.json.JsonReadContext;
import com.fasterxml.jackson.core.json.PackageVersion;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An experimental strict (RFC 8259) JSON parser over a UTF-8 byte range, written to behave like Jackson's {@code
 * UTF8StreamJsonParser} with our factory's settings (tokens, names, text, numbers as written, parsing context, byte
 * offsets and line/column, {@code JsonParseException} on malformed JSON or invalid UTF-8, {@link
 * StreamReadConstraints}), only cheaper where session 7 expected the cost to be:
 *
 * <ul>
 *   <li>member names matched as bytes, 8 at a time, against a shared cache of interned names (no decoding on a hit);
 *   <li>strings scanned 8 bytes at a time (SWAR: quote, backslash, control or non-ASCII byte found by word
 *       arithmetic), and a string of ASCII without escapes made by a plain copy of its bytes (compact strings store
 *       Latin-1 as is), where Jackson decodes into a char[] and compresses that back;
 *   <li>numbers kept as their byte range and converted only when asked.
 * </ul>
 *
 * <p>Bench source only, not under the parsers: {@link JsonTokenizerBenchmark} measured it at 1.03-1.40x Jackson's
 * streaming walk (SBOM and scan files 1.04-1.20x; the gate was 1.5x), see docs/benchmarks.md "Session 8". Its token
 * stream equals Jackson's on the benchmark files (checked by the benchmark before it times anything); it was not put
 * through the differential test the wiring would have needed, and the caller must know the bytes are UTF-8 (no
 * encoding detection), so known gaps remain: an invalid escape or UTF-8 sequence is reported by the
 * {@code nextToken()} that reaches the string (Jackson: when its text is read or skipped), error messages are
 * worded alike but not identically, {@link #hasTextCharacters()} is always false.
 */
public final class Utf8JsonParser extends ParserMinimalBase {

  // byte classes inside a string: 0 = plain ASCII, 1 = quote, 2 = backslash, 3 = control, 4 = non-ASCII
  private static final byte[] STRING_CLASS = new byte[256];

  static {
    for (int i = 0; i < 0x20; i++) STRING_CLASS[i] = 3;
    STRING_CLASS['"'] = 1;
    STRING_CLASS['\\'] = 2;
    for (int i = 0x80; i < 256; i++) STRING_CLASS[i] = 4;
  }

  private static final ContentReference CONTENT = ContentReference.redacted();

  private final byte[] buf;
  /** the range: [start, end) */
  private final int start;
  private final int end;
  /** next byte to read */
  private int ptr;
  /** line (1-based) of ptr, and the index its line starts at */
  private int line = 1;
  private int lineStart;

  private ObjectCodec codec;
  private JsonReadContext ctx;
  private boolean closed;
  /** the value token after a FIELD_NAME, already started (as Jackson's _nextToken) */
  private JsonToken pending;

  /** where the current token starts: index, line, index of its line's start */
  private int tokStart;
  private int tokLine;
  private int tokLineStart;
  /** where the value after the current FIELD_NAME starts */
  private int valStart;
  private int valLine;
  private int valLineStart;

  // VALUE_STRING: content [strStart, strEnd); plain = ASCII without escapes
  private int strStart;
  private int strEnd;
  private boolean strPlain;
  /** true until the text of the current string is read (Jackson's location is then after the opening quote) */
  private boolean strUnread;
  private String text;
  private char[] chars;

  // numbers: the range as written, digits before the point, and the values converted so far
  private int numStart;
  private int numEnd;
  private int intLen;
  private boolean negative;
  private int numTypes;
  private int numInt;
  private long numLong;
  private BigInteger numBig;
  private double numDouble;
  private BigDecimal numDecimal;
  /** set once the decimal value of a float was asked for (Jackson's number type is then BIG_DECIMAL) */
  private boolean floatAsDecimal;

  public Utf8JsonParser(
      byte[] buf, int off, int len, int features, StreamReadConstraints constraints, ObjectCodec codec) {
    super(features, constraints);
    this.buf = buf;
    this.start = off;
    this.end = off + len;
    this.ptr = off;
    this.lineStart = off;
    this.codec = codec;
    DupDetector dups =
        JsonParser.Feature.STRICT_DUPLICATE_DETECTION.enabledIn(features) ? DupDetector.rootDetector(this) : null;
    this.ctx = JsonReadContext.createRootContext(dups);
    // a UTF-8 byte order mark is skipped (offsets still count it), as Jackson's bootstrapper does
    if (len >= 3 && (buf[off] & 0xFF) == 0xEF && (buf[off + 1] & 0xFF) == 0xBB && (buf[off + 2] & 0xFF) == 0xBF) {
      ptr += 3;
      lineStart += 3;
    }
  }

  // ---- tokens ------------------------------------------------------------------------------------------------

  @Override
  public JsonToken nextToken() throws IOException {
    if (_currToken == JsonToken.FIELD_NAME) return valueAfterName();
    numTypes = NR_UNKNOWN;
    text = null;
    chars = null;
    strUnread = false;
    if (closed) return null;
    int c = nextByte();
    if (c < 0) return atEof();
    tokStart = ptr;
    tokLine = line;
    tokLineStart = lineStart;
    if (c == ']' || c == '}') return closeScope(c);
    if (ctx.expectComma()) {
      if (c != ',') throw expectedComma(c);
      ptr++;
      c = nextByte();
      if (c < 0) return atEof();
      tokStart = ptr;
      tokLine = line;
      tokLineStart = lineStart;
      if (c == ']' || c == '}') throw expectedValue(c);
    }
    if (!ctx.inObject()) return value(c);
    if (c != '"') throw expectedName(c);
    ctx.setCurrentName(name());
    c = nextByte();
    if (c != ':') throw expectedColon(c);
    ptr++;
    c = nextByte();
    if (c < 0) throw eof(" within/between Object entries");
    valStart = ptr;
    valLine = line;
    valLineStart = lineStart;
    pending = startValue(c);
    return _currToken = JsonToken.FIELD_NAME;
  }

  private JsonParseException expectedComma(int c) {
    ptr++;
    return unexpected(c, "was expecting comma to separate " + ctx.typeDesc() + " entries");
  }

  private JsonParseException expectedValue(int c) {
    ptr++;
    return unexpected(c, "expected a value");
  }

  private JsonParseException expectedName(int c) {
    ptr++;
    return unexpected(c, "was expecting double-quote to start field name");
  }

  private JsonParseException expectedColon(int c) {
    if (c < 0) return eof(" within/between Object entries");
    ptr++;
    return unexpected(c, "was expecting a colon to separate field name and value");
  }

  /** The value after a name: started by nextToken (numbers and literals read, strings and containers not). */
  private JsonToken valueAfterName() throws IOException {
    tokStart = valStart;
    tokLine = valLine;
    tokLineStart = valLineStart;
    JsonToken t = pending;
    pending = null;
    text = null;
    chars = null;
    if (t == JsonToken.VALUE_STRING) {
      string();
    } else if (t == JsonToken.START_OBJECT) {
      ctx = ctx.createChildObjectContext(tokLine, col(tokStart, tokLineStart));
      _streamReadConstraints.validateNestingDepth(ctx.getNestingDepth());
    } else if (t == JsonToken.START_ARRAY) {
      ctx = ctx.createChildArrayContext(tokLine, col(tokStart, tokLineStart));
      _streamReadConstraints.validateNestingDepth(ctx.getNestingDepth());
    }
    return _currToken = t;
  }

  /**
   * Starts the value at ptr after a name, as Jackson does: a number or literal is read whole, a string or
   * container only its first byte.
   */
  private JsonToken startValue(int c) throws IOException {
    switch (c) {
      case '"':
        ptr++;
        return JsonToken.VALUE_STRING;
      case '{':
        ptr++;
        return JsonToken.START_OBJECT;
      case '[':
        ptr++;
        return JsonToken.START_ARRAY;
      case 't':
        literal("true");
        return JsonToken.VALUE_TRUE;
      case 'f':
        literal("false");
        return JsonToken.VALUE_FALSE;
      case 'n':
        literal("null");
        return JsonToken.VALUE_NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          numTypes = NR_UNKNOWN;
          return number(c);
        }
        ptr++;
        throw unexpectedValue(c);
    }
  }

  /** A value at ptr in an array or at the root. */
  private JsonToken value(int c) throws IOException {
    switch (c) {
      case '"':
        ptr++;
        string();
        return _currToken = JsonToken.VALUE_STRING;
      case '{':
        ptr++;
        ctx = ctx.createChildObjectContext(tokLine, col(tokStart, tokLineStart));
        _streamReadConstraints.validateNestingDepth(ctx.getNestingDepth());
        return _currToken = JsonToken.START_OBJECT;
      case '[':
        ptr++;
        ctx = ctx.createChildArrayContext(tokLine, col(tokStart, tokLineStart));
        _streamReadConstraints.validateNestingDepth(ctx.getNestingDepth());
        return _currToken = JsonToken.START_ARRAY;
      case 't':
        literal("true");
        return _currToken = JsonToken.VALUE_TRUE;
      case 'f':
        literal("false");
        return _currToken = JsonToken.VALUE_FALSE;
      case 'n':
        literal("null");
        return _currToken = JsonToken.VALUE_NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          JsonToken t = number(c);
          if (ctx.inRoot()) rootSpace();
          return _currToken = t;
        }
        ptr++;
        throw unexpectedValue(c);
    }
  }

  private JsonToken closeScope(int c) throws IOException {
    ptr++;
    if (c == ']') {
      if (!ctx.inArray()) throw mismatch(c, '}');
      ctx = ctx.clearAndGetParent();
      return _currToken = JsonToken.END_ARRAY;
    }
    if (!ctx.inObject()) throw mismatch(c, ']');
    ctx = ctx.clearAndGetParent();
    return _currToken = JsonToken.END_OBJECT;
  }

  private JsonToken atEof() throws IOException {
    _handleEOF();
    close();
    return _currToken = null;
  }

  @Override
  protected void _handleEOF() throws JsonParseException {
    if (!ctx.inRoot()) {
      String marker = ctx.inArray() ? "Array" : "Object";
      throw _constructError(
          String.format(
              "Unexpected end-of-input: expected close marker for %s (start marker at %s)",
              marker, ctx.startLocation(CONTENT)),
          null);
    }
  }

  /** As {@link #skipWs}, with the common case (no whitespace) first. */
  private int nextByte() throws JsonParseException {
    int p = ptr;
    if (p < end) {
      int c = buf[p] & 0xFF;
      if (c > 0x20) return c;
    }
    return skipWs();
  }

  /** Skips whitespace; the byte at ptr after it (not consumed), or -1 at the end. */
  private int skipWs() throws JsonParseException {
    final byte[] b = buf;
    int p = ptr;
    while (p < end) {
      int c = b[p] & 0xFF;
      if (c > 0x20) {
        ptr = p;
        return c;
      }
      p++;
      if (c == ' ' || c == '\t') continue;
      if (c == '\n') {
        line++;
        lineStart = p;
      } else if (c == '\r') {
        if (p < end && b[p] == '\n') p++;
        line++;
        lineStart = p;
      } else {
        ptr = p;
        throw _constructError(
            "Illegal character (" + _getCharDesc(c) + "): only regular white space (\\r, \\n, \\t) is allowed"
                + " between tokens",
            null);
      }
    }
    ptr = p;
    return -1;
  }

  /** After a root-level number: the next byte must be whitespace (consumed) or the end. */
  private void rootSpace() throws JsonParseException {
    if (ptr >= end) return;
    int c = buf[ptr] & 0xFF;
    ptr++;
    switch (c) {
      case ' ':
      case '\t':
        return;
      case '\r':
        if (ptr < end && buf[ptr] == '\n') ptr++;
        line++;
        lineStart = ptr;
        return;
      case '\n':
        line++;
        lineStart = ptr;
        return;
      default:
        throw unexpected(c, "Expected space separating root-level values");
    }
  }

  private void literal(String word) throws JsonParseException {
    int n = word.length();
    int p = ptr;
    for (int i = 0; i < n; i++, p++) {
      if (p >= end) {
        ptr = p;
        throw _constructError("Unexpected end-of-input in a value", null);
      }
      if (buf[p] != word.charAt(i)) {
        ptr = p;
        throw invalidToken(word.substring(0, i));
      }
    }
    ptr = p;
    if (p < end) {
      int c = buf[p] & 0xFF;
      if (c >= '0' && c != ']' && c != '}' && Character.isJavaIdentifierPart((char) c)) throw invalidToken(word);
    }
  }

  private JsonParseException invalidToken(String prefix) {
    StringBuilder sb = new StringBuilder(prefix);
    int p = ptr;
    while (p < end && sb.length() < MAX_ERROR_TOKEN_LENGTH) {
      char c = (char) (buf[p] & 0xFF);
      if (!Character.isJavaIdentifierPart(c)) break;
      sb.append(c);
      p++;
    }
    ptr = p;
    return _constructError(
        "Unrecognized token '" + sb + "': was expecting (JSON String, Number, Array, Object or token 'null',"
            + " 'true' or 'false')",
        null);
  }

  private JsonParseException unexpectedValue(int c) {
    if (Character.isJavaIdentifierStart((char) c)) {
      ptr--;
      return invalidToken("");
    }
    return unexpected(c, "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or"
        + " 'false')");
  }

  private JsonParseException unexpected(int c, String comment) {
    return _constructError("Unexpected character (" + _getCharDesc(c) + "): " + comment, null);
  }

  private JsonParseException mismatch(int c, int expected) {
    return _constructError(
        "Unexpected close marker '" + (char) c + "': expected '" + (char) expected + "' (for "
            + ctx.typeDesc() + " starting at " + ctx.startLocation(CONTENT) + ")",
        null);
  }

  private JsonParseException eof(String where) {
    ptr = end;
    return _constructError("Unexpected end-of-input" + where, null);
  }

  // ---- names -------------------------------------------------------------------------------------------------

  /** A member name at ptr (its opening quote); ptr ends after the closing quote. */
  private String name() throws IOException {
    final int s = ptr + 1;
    long x0 = word(s);
    long m = specials(x0);
    if (m != 0) { // shorter than 8 bytes: one word
      int k = Long.numberOfTrailingZeros(m) >>> 3;
      int p = s + k;
      if (p >= end) throw eof(" in field name");
      if (buf[p] != '"') return slowName(s);
      ptr = p + 1;
      return NAMES.get(buf, s, k, x0 & lowBytes(k), 0);
    }
    long x1 = word(s + 8);
    m = specials(x1);
    if (m != 0) { // 8 to 15 bytes: two words
      int k = Long.numberOfTrailingZeros(m) >>> 3;
      int p = s + 8 + k;
      if (p >= end) throw eof(" in field name");
      if (buf[p] != '"') return slowName(s);
      ptr = p + 1;
      return NAMES.get(buf, s, 8 + k, x0, x1 & lowBytes(k));
    }
    return longName(s, x0, x1);
  }

  /** A name of 16 bytes or more (see {@link #name}). */
  private String longName(int s, long x0, long x1) throws IOException {
    int p = s + 16;
    long h = x1;
    long m;
    while (true) {
      long x = word(p);
      m = specials(x);
      if (m == 0) {
        h = (h + x) * MIX;
        p += 8;
        continue;
      }
      int k = Long.numberOfTrailingZeros(m) >>> 3;
      p += k;
      if (p >= end) throw eof(" in field name");
      if (buf[p] != '"') return slowName(s);
      h = (h + (x & lowBytes(k))) * MIX;
      break;
    }
    ptr = p + 1;
    int len = p - s;
    if (len > MAX_CACHED_NAME) {
      _streamReadConstraints.validateNameLength(len);
      return new String(buf, s, len, StandardCharsets.ISO_8859_1).intern();
    }
    return NAMES.get(buf, s, len, x0, h);
  }

  /** A mask of the k low bytes of a word (k < 8). */
  private static long lowBytes(int k) {
    return (1L << (k << 3)) - 1;
  }

  private String slowName(int s) throws IOException {
    int e = scanString(s, true);
    ptr = e + 1;
    String n = decode(s, e).intern();
    _streamReadConstraints.validateNameLength(n.length());
    return n;
  }

  /**
   * Interned member names by their bytes, shared by all parsers (entries are immutable; a racing write loses one).
   * An entry is found by the name's first word {@code w0} and {@code w1}: its second word (names of 8 to 15 bytes),
   * 0 (shorter) or a hash of the words after the first (longer names, which compare their bytes too). Tried and
   * dropped: the same cache for short string values (SBOMs repeat many): 0.78-0.92x of the walk without it.
   */
  private static final class NameCache {
    private static final int BITS = 12;
    private final Entry[] table = new Entry[1 << BITS];

    private static final class Entry {
      final long w0;
      final long w1;
      final int len;
      final byte[] bytes;
      final String string;

      Entry(long w0, long w1, int len, byte[] bytes, String string) {
        this.w0 = w0;
        this.w1 = w1;
        this.len = len;
        this.bytes = bytes;
        this.string = string;
      }
    }

    String get(byte[] b, int s, int len, long w0, long w1) {
      int i = (int) (((w0 * MIX) ^ w1) * MIX >>> (64 - BITS));
      Entry e = table[i];
      if (e != null && e.w0 == w0 && e.w1 == w1 && e.len == len
          && (len < 16 || Arrays.equals(e.bytes, 0, len, b, s, s + len))) {
        return e.string;
      }
      String n = new String(b, s, len, StandardCharsets.ISO_8859_1).intern();
      table[i] = new Entry(w0, w1, len, len < 16 ? null : Arrays.copyOfRange(b, s, s + len), n);
      return n;
    }
  }

  private static final NameCache NAMES = new NameCache();
  /** names up to this many bytes are cached */
  private static final int MAX_CACHED_NAME = 64;

  // ---- words of 8 bytes --------------------------------------------------------------------------------------

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long MIX = 0x9E3779B97F4A7C15L;

  /** The 8 bytes at p, little-endian; past the end they read as 0 (a control byte, so {@link #specials} stops). */
  private long word(int p) {
    if (p + 8 <= end) return (long) LONGS.get(buf, p);
    long x = 0;
    for (int i = 0; p + i < end; i++) x |= (buf[p + i] & 0xFFL) << (i << 3);
    return x;
  }

  /**
   * The high bit of each byte of x that is a quote, a backslash, a control or a non-ASCII byte; exact for the
   * lowest such byte (above it a borrow may mark others).
   */
  private static long specials(long x) {
    long q = x ^ 0x2222222222222222L;
    long bs = x ^ 0x5C5C5C5C5C5C5C5CL;
    return ((q - ONES) & ~q | (bs - ONES) & ~bs | (x - 0x2020202020202020L) | x) & HIGHS;
  }

  // ---- strings -----------------------------------------------------------------------------------------------

  /** The string value whose content starts at ptr: scanned and validated; ptr ends after its closing quote. */
  private void string() throws IOException {
    final byte[] b = buf;
    final int s = ptr;
    int p = s;
    while (true) {
      long m = specials(word(p));
      if (m != 0) {
        p += Long.numberOfTrailingZeros(m) >>> 3;
        break;
      }
      p += 8;
    }
    strStart = s;
    strUnread = true;
    if (p < end && b[p] == '"') {
      strEnd = p;
      strPlain = true;
      ptr = p + 1;
    } else {
      strPlain = false;
      strEnd = scanString(p, false);
      ptr = strEnd + 1;
    }
    int len = strEnd - s;
    if (len > 1_000_000) _streamReadConstraints.validateStringLength(len);
  }

  /**
   * Scans string content from {@code p} to its closing quote, validating escapes, control characters and UTF-8 as
   * Jackson does; returns the index of the closing quote.
   */
  private int scanString(int p, boolean isName) throws JsonParseException {
    final byte[] b = buf;
    while (true) {
      if (p >= end) throw eof(isName ? " in field name" : ": was expecting closing quote for a string value");
      int c = b[p] & 0xFF;
      switch (STRING_CLASS[c]) {
        case 0:
          p++;
          break;
        case 1:
          return p;
        case 2:
          p = scanEscape(p + 1);
          break;
        case 3:
          ptr = p + 1;
          throw _constructError(
              "Illegal unquoted character (" + _getCharDesc(c) + "): has to be escaped using backslash to be"
                  + " included in " + (isName ? "name" : "string value"),
              null);
        default:
          p = scanUtf8(p, c);
      }
    }
  }

  /** Validates the escape after a backslash at p-1; returns the index after it. */
  private int scanEscape(int p) throws JsonParseException {
    if (p >= end) throw eof(" in character escape sequence");
    int c = buf[p] & 0xFF;
    switch (c) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return p + 1;
      case 'u':
        for (int i = 1; i <= 4; i++) {
          if (p + i >= end) throw eof(" in character escape sequence");
          int d = buf[p + i] & 0xFF;
          if (hex(d) < 0) {
            ptr = p + i + 1;
            throw unexpected(d, "expected a hex-digit for character escape sequence");
          }
        }
        return p + 5;
      default:
        ptr = p + 1;
        throw _constructError("Unrecognized character escape " + _getCharDesc(c), null);
    }
  }

  private static int hex(int d) {
    if (d >= '0' && d <= '9') return d - '0';
    if (d >= 'a' && d <= 'f') return d - 'a' + 10;
    if (d >= 'A' && d <= 'F') return d - 'A' + 10;
    return -1;
  }

  /** Number of bytes of the UTF-8 sequence led by c (as Jackson reads them: no overlong or range checks), or -1. */
  private static int utf8Length(int c) {
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return -1;
  }

  /** Validates the UTF-8 sequence at p (lead byte c); returns the index after it. */
  private int scanUtf8(int p, int c) throws JsonParseException {
    int n = utf8Length(c);
    if (n < 0) {
      ptr = p + 1;
      throw _constructError("Invalid UTF-8 start byte 0x" + Integer.toHexString(c), null);
    }
    for (int i = 1; i < n; i++) {
      if (p + i >= end) throw eof(" in a multi-byte UTF-8 character");
      int d = buf[p + i] & 0xFF;
      if ((d & 0xC0) != 0x80) {
        ptr = p + i + 1;
        throw _constructError("Invalid UTF-8 middle byte 0x" + Integer.toHexString(d), null);
      }
    }
    return p + n;
  }

  /** Decodes validated string content [s, e) (escapes, UTF-8). */
  private String decode(int s, int e) {
    char[] out = new char[e - s];
    int n = 0;
    final byte[] b = buf;
    int p = s;
    while (p < e) {
      int c = b[p] & 0xFF;
      if (c < 0x80) {
        if (c != '\\') {
          out[n++] = (char) c;
          p++;
          continue;
        }
        int x = b[p + 1];
        p += 2;
        switch (x) {
          case 'b' -> out[n++] = '\b';
          case 'f' -> out[n++] = '\f';
          case 'n' -> out[n++] = '\n';
          case 'r' -> out[n++] = '\r';
          case 't' -> out[n++] = '\t';
          case 'u' -> {
            out[n++] = (char) (hex(b[p]) << 12 | hex(b[p + 1]) << 8 | hex(b[p + 2]) << 4 | hex(b[p + 3]));
            p += 4;
          }
          default -> out[n++] = (char) x; // " \ /
        }
        continue;
      }
      int len = utf8Length(c);
      if (len == 2) {
        out[n++] = (char) (((c & 0x1F) << 6) | (b[p + 1] & 0x3F));
      } else if (len == 3) {
        out[n++] = (char) (((c & 0x0F) << 12) | ((b[p + 1] & 0x3F) << 6) | (b[p + 2] & 0x3F));
      } else {
        int cp = ((c & 0x07) << 18) | ((b[p + 1] & 0x3F) << 12) | ((b[p + 2] & 0x3F) << 6) | (b[p + 3] & 0x3F);
        cp -= 0x10000;
        out[n++] = (char) (0xD800 | (cp >> 10));
        out[n++] = (char) (0xDC00 | (cp & 0x3FF));
      }
      p += len;
    }
    return new String(out, 0, n);
  }

  private String stringText() throws IOException {
    strUnread = false;
    if (text == null) {
      if (strPlain) {
        int len = strEnd - strStart;
        text = new String(buf, strStart, len, StandardCharsets.ISO_8859_1);
      } else {
        text = decode(strStart, strEnd);
        if (text.length() > 1_000_000) _streamReadConstraints.validateStringLength(text.length());
      }
    }
    return text;
  }

  // ---- numbers -----------------------------------------------------------------------------------------------

  /** Reads the number at ptr (first byte c); ptr ends right after it. */
  private JsonToken number(int c) throws IOException {
    final byte[] b = buf;
    int s = ptr;
    int p = s;
    negative = c == '-';
    if (negative) {
      p++;
      if (p >= end) {
        ptr = p;
        throw _constructError("Unexpected end-of-input in a Number value", null);
      }
      c = b[p] & 0xFF;
      if (c < '0' || c > '9') {
        ptr = p + 1;
        throw _constructError(
            "Invalid numeric value: expected digit (0-9) to follow minus sign, for valid numeric value", null);
      }
    }
    int digits = p;
    if (c == '0' && p + 1 < end && b[p + 1] >= '0' && b[p + 1] <= '9') {
      ptr = p + 2;
      throw _constructError("Invalid numeric value: Leading zeroes not allowed", null);
    }
    while (p < end && b[p] >= '0' && b[p] <= '9') p++;
    intLen = p - digits;
    boolean fp = false;
    if (p < end && b[p] == '.') {
      fp = true;
      p++;
      int f = p;
      while (p < end && b[p] >= '0' && b[p] <= '9') p++;
      if (p == f) {
        ptr = p + 1;
        if (p >= end) throw _constructError("Unexpected end-of-input in a Number value", null);
        throw unexpected(b[p] & 0xFF, "Decimal point not followed by a digit");
      }
    }
    if (p < end && (b[p] == 'e' || b[p] == 'E')) {
      fp = true;
      p++;
      if (p < end && (b[p] == '+' || b[p] == '-')) p++;
      int x = p;
      while (p < end && b[p] >= '0' && b[p] <= '9') p++;
      if (p == x) {
        ptr = p + 1;
        if (p >= end) throw _constructError("Unexpected end-of-input in a Number value", null);
        throw unexpected(b[p] & 0xFF, "Exponent indicator not followed by a digit");
      }
    }
    numStart = s;
    numEnd = p;
    ptr = p;
    floatAsDecimal = false;
    if (fp) {
      if (p - s > 1000) _streamReadConstraints.validateFPLength(p - s);
      return JsonToken.VALUE_NUMBER_FLOAT;
    }
    if (intLen > 1000) _streamReadConstraints.validateIntegerLength(intLen);
    return JsonToken.VALUE_NUMBER_INT;
  }

  private String numberText() {
    return new String(buf, numStart, numEnd - numStart, StandardCharsets.ISO_8859_1);
  }

  private void parseNumber(int expType) throws IOException {
    if (_currToken == JsonToken.VALUE_NUMBER_INT) {
      int len = intLen;
      if (len <= 18) {
        long v = 0;
        for (int p = numEnd - len; p < numEnd; p++) v = v * 10 + (buf[p] - '0');
        if (negative) v = -v;
        if (len <= 9 || (len == 10 && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE)) {
          numInt = (int) v;
          numTypes = NR_INT;
        } else {
          numLong = v;
          numTypes = NR_LONG;
        }
        return;
      }
      BigInteger big = new BigInteger(numberText());
      if (len == 19 && big.bitLength() <= 63) {
        numLong = big.longValue();
        numTypes = NR_LONG;
      } else {
        numBig = big;
        numTypes = NR_BIGINT;
      }
      return;
    }
    if (_currToken != JsonToken.VALUE_NUMBER_FLOAT) {
      throw _constructError(
          "Current token (" + _currToken + ") not numeric, can not use numeric value accessors", null);
    }
    if (expType == NR_BIGDECIMAL) {
      numDecimal = new BigDecimal(numberText());
      numTypes |= NR_BIGDECIMAL;
      floatAsDecimal = true;
    } else {
      numDouble = Double.parseDouble(numberText());
      numTypes |= NR_DOUBLE;
    }
  }

  private void requireNumber() throws IOException {
    if (_currToken != JsonToken.VALUE_NUMBER_INT && _currToken != JsonToken.VALUE_NUMBER_FLOAT) {
      throw _constructError(
          "Current token (" + _currToken + ") not numeric, can not use numeric value accessors", null);
    }
  }

  @Override
  public NumberType getNumberType() throws IOException {
    requireNumber();
    if (_currToken == JsonToken.VALUE_NUMBER_INT) {
      if (numTypes == NR_UNKNOWN) parseNumber(NR_UNKNOWN);
      if ((numTypes & NR_INT) != 0) return NumberType.INT;
      if ((numTypes & NR_LONG) != 0) return NumberType.LONG;
      return NumberType.BIG_INTEGER;
    }
    return floatAsDecimal ? NumberType.BIG_DECIMAL : NumberType.DOUBLE;
  }

  @Override
  public Number getNumberValue() throws IOException {
    requireNumber();
    if (_currToken == JsonToken.VALUE_NUMBER_INT) {
      if (numTypes == NR_UNKNOWN) parseNumber(NR_UNKNOWN);
      if ((numTypes & NR_INT) != 0) return numInt;
      if ((numTypes & NR_LONG) != 0) return numLong;
      if ((numTypes & NR_BIGINT) != 0) return numBig;
    }
    if (floatAsDecimal) return numDecimal;
    return getDoubleValue();
  }

  @Override
  public int getIntValue() throws IOException {
    requireNumber();
    if ((numTypes & NR_INT) == 0) {
      if (numTypes == NR_UNKNOWN) parseNumber(NR_INT);
      if ((numTypes & NR_INT) == 0) {
        if ((numTypes & NR_LONG) != 0) {
          if (numLong < MIN_INT_L || numLong > MAX_INT_L) reportOverflowInt(getText());
          numInt = (int) numLong;
        } else if ((numTypes & NR_BIGINT) != 0) {
          if (BI_MIN_INT.compareTo(numBig) > 0 || BI_MAX_INT.compareTo(numBig) < 0) reportOverflowInt(getText());
          numInt = numBig.intValue();
        } else if ((numTypes & NR_BIGDECIMAL) != 0) {
          if (BD_MIN_INT.compareTo(numDecimal) > 0 || BD_MAX_INT.compareTo(numDecimal) < 0) {
            reportOverflowInt(getText());
          }
          numInt = numDecimal.intValue();
        } else {
          double d = getDoubleValue();
          if (d < MIN_INT_D || d > MAX_INT_D) reportOverflowInt(getText());
          numInt = (int) d;
        }
        numTypes |= NR_INT;
      }
    }
    return numInt;
  }

  @Override
  public long getLongValue() throws IOException {
    requireNumber();
    if ((numTypes & NR_LONG) == 0) {
      if (numTypes == NR_UNKNOWN) parseNumber(NR_LONG);
      if ((numTypes & NR_LONG) == 0) {
        if ((numTypes & NR_INT) != 0) {
          numLong = numInt;
        } else if ((numTypes & NR_BIGINT) != 0) {
          if (BI_MIN_LONG.compareTo(numBig) > 0 || BI_MAX_LONG.compareTo(numBig) < 0) reportOverflowLong(getText());
          numLong = numBig.longValue();
        } else if ((numTypes & NR_BIGDECIMAL) != 0) {
          if (BD_MIN_LONG.compareTo(numDecimal) > 0 || BD_MAX_LONG.compareTo(numDecimal) < 0) {
            reportOverflowLong(getText());
          }
          numLong = numDecimal.longValue();
        } else {
          double d = getDoubleValue();
          if (d < MIN_LONG_D || d > MAX_LONG_D) reportOverflowLong(getText());
          numLong = (long) d;
        }
        numTypes |= NR_LONG;
      }
    }
    return numLong;
  }

  @Override
  public BigInteger getBigIntegerValue() throws IOException {
    requireNumber();
    if ((numTypes & NR_BIGINT) == 0) {
      if (numTypes == NR_UNKNOWN) parseNumber(NR_BIGINT);
      if ((numTypes & NR_BIGINT) == 0) {
        if ((numTypes & NR_LONG) != 0) numBig = BigInteger.valueOf(numLong);
        else if ((numTypes & NR_INT) != 0) numBig = BigInteger.valueOf(numInt);
        else numBig = getDecimalValue().toBigInteger();
        numTypes |= NR_BIGINT;
      }
    }
    return numBig;
  }

  @Override
  public float getFloatValue() throws IOException {
    requireNumber();
    if (_currToken == JsonToken.VALUE_NUMBER_FLOAT) return Float.parseFloat(numberText());
    return (float) getDoubleValue();
  }

  @Override
  public double getDoubleValue() throws IOException {
    requireNumber();
    if ((numTypes & NR_DOUBLE) == 0) {
      if (_currToken == JsonToken.VALUE_NUMBER_FLOAT) {
        numDouble = Double.parseDouble(numberText());
      } else {
        if (numTypes == NR_UNKNOWN) parseNumber(NR_UNKNOWN);
        if ((numTypes & NR_INT) != 0) numDouble = numInt;
        else if ((numTypes & NR_LONG) != 0) numDouble = numLong;
        else numDouble = numBig.doubleValue();
      }
      numTypes |= NR_DOUBLE;
    }
    return numDouble;
  }

  @Override
  public BigDecimal getDecimalValue() throws IOException {
    requireNumber();
    if ((numTypes & NR_BIGDECIMAL) == 0) {
      if (_currToken == JsonToken.VALUE_NUMBER_FLOAT) {
        parseNumber(NR_BIGDECIMAL);
        return numDecimal;
      }
      if (numTypes == NR_UNKNOWN) parseNumber(NR_UNKNOWN);
      if ((numTypes & NR_INT) != 0) numDecimal = BigDecimal.valueOf(numInt);
      else if ((numTypes & NR_LONG) != 0) numDecimal = BigDecimal.valueOf(numLong);
      else numDecimal = new BigDecimal(numBig);
      numTypes |= NR_BIGDECIMAL;
    }
    return numDecimal;
  }

  // ---- text --------------------------------------------------------------------------------------------------

  @Override
  public String getText() throws IOException {
    JsonToken t = _currToken;
    if (t == JsonToken.VALUE_STRING) return stringText();
    if (t == null) return null;
    switch (t) {
      case FIELD_NAME:
        return ctx.getCurrentName();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return numberText();
      default:
        return t.asString();
    }
  }

  @Override
  public String getValueAsString() throws IOException {
    if (_currToken == JsonToken.VALUE_STRING) return stringText();
    return super.getValueAsString(null);
  }

  @Override
  public String getValueAsString(String defaultValue) throws IOException {
    if (_currToken == JsonToken.VALUE_STRING) return stringText();
    return super.getValueAsString(defaultValue);
  }

  @Override
  public char[] getTextCharacters() throws IOException {
    if (_currToken == JsonToken.VALUE_STRING) {
      stringText();
      if (chars == null) {
        chars = text.toCharArray();
      }
      return chars;
    }
    String s = getText();
    if (s == null) return null;
    if (chars == null) {
      chars = s.toCharArray();
    }
    return chars;
  }

  @Override
  public int getTextLength() throws IOException {
    String s = getText();
    return s == null ? 0 : s.length();
  }

  @Override
  public int getTextOffset() {
    return 0;
  }

  @Override
  public boolean hasTextCharacters() {
    return false;
  }

  @Override
  public byte[] getBinaryValue(Base64Variant variant) throws IOException {
    if (_currToken != JsonToken.VALUE_STRING) {
      throw _constructError(
          "Current token (" + _currToken + ") not VALUE_STRING, can not access as binary", null);
    }
    ByteArrayBuilder builder = new ByteArrayBuilder();
    _decodeBase64(stringText(), builder, variant);
    return builder.toByteArray();
  }

  // ---- context, locations, lifecycle -------------------------------------------------------------------------

  @Override
  public String getCurrentName() {
    return currentName();
  }

  @Override
  public String currentName() {
    if (_currToken == JsonToken.START_OBJECT || _currToken == JsonToken.START_ARRAY) {
      JsonReadContext parent = ctx.getParent();
      if (parent != null) return parent.getCurrentName();
    }
    return ctx.getCurrentName();
  }

  @Override
  public void overrideCurrentName(String name) {
    JsonReadContext c = ctx;
    if (_currToken == JsonToken.START_OBJECT || _currToken == JsonToken.START_ARRAY) c = c.getParent();
    try {
      c.setCurrentName(name);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public JsonStreamContext getParsingContext() {
    return ctx;
  }

  private static int col(int at, int lineStartAt) {
    return at - lineStartAt + 1;
  }

  @Override
  public JsonLocation currentTokenLocation() {
    if (_currToken == JsonToken.FIELD_NAME) {
      return new JsonLocation(CONTENT, tokStart - start, -1L, tokLine, col(tokStart, tokLineStart));
    }
    return new JsonLocation(CONTENT, tokStart - start, -1L, tokLine, col(tokStart, tokLineStart));
  }

  @Override
  public JsonLocation getTokenLocation() {
    return currentTokenLocation();
  }

  @Override
  public JsonLocation currentLocation() {
    int p = _currToken == JsonToken.VALUE_STRING && strUnread ? strStart : ptr;
    return new JsonLocation(CONTENT, p - start, -1L, line, col(p, lineStart));
  }

  @Override
  public JsonLocation getCurrentLocation() {
    return currentLocation();
  }

  @Override
  public ObjectCodec getCodec() {
    return codec;
  }

  @Override
  public void setCodec(ObjectCodec c) {
    codec = c;
  }

  @Override
  public Version version() {
    return PackageVersion.VERSION;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }
}
