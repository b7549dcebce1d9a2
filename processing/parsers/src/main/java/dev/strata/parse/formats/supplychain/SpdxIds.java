package dev.strata.parse.formats.supplychain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.Values;
import dev.strata.parse.formats.supplychain.JsonDocuments.Cursor;
import dev.strata.parse.formats.supplychain.SupplyChain.Relationships;
import java.io.IOException;
import java.util.Arrays;

/**
 * The SPDX element ids of one document, each made into a String once: a package's SPDXID and every relationship
 * naming it (a syft document has one relationship per package, both ends ≈ 50 characters) are looked up from the
 * JSON parser's characters, so a mention costs a compare (with the id the caller expects, e.g. the one after the
 * previous relationship's target: documents list relationships in package order) or a hash and a compare, instead
 * of a new String, its hash and a map probe. An id carries what the document says of it: its relationships and
 * whether it is the image.
 */
final class SpdxIds {

  /** One SPDX id of the document. */
  static final class Id {
    final String text;
    private final char[] chars;
    private int hash;
    private Id next;
    /** the id made after this one (document order) */
    Id after;
    /** package.relationships of the element: from the whole document (or a split document's context) */
    Relationships rels;
    /** from the relationships the collector joined to a split document's chunk */
    Relationships joined;
    /** the element is the image the document describes (no package event of its own) */
    boolean image;

    private Id(String text, char[] chars, int hash) {
      this.text = text;
      this.chars = chars;
      this.hash = hash;
    }

    Relationships rels(boolean joinedSide) {
      if (joinedSide) return joined == null ? joined = new Relationships() : joined;
      return rels == null ? rels = new Relationships() : rels;
    }
  }

  private Id[] table = new Id[256];
  private int size;
  /** the first and last id made (each links the next: {@link Id#after}) */
  private Id first;
  private Id last;
  /** hash every character, not only the last {@link #TAIL} (once a chain grew long: ids alike at their end) */
  private boolean full;
  private static final int TAIL = 16;
  private static final int LONG_CHAIN = 8;

  /**
   * The id the cursor's current value names (consumed as {@link Cursor#string} consumes it), or null where that
   * gives null (blank, null, object, array); {@code expected} (may be null) is compared first.
   */
  Id read(Cursor c, Id expected) throws IOException {
    JsonParser p = c.p;
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      String s = c.string();
      return s == null ? null : get(s);
    }
    char[] cs = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    if (len == 0) return null;
    char first = cs[off];
    if (first <= ' ' || first >= 0x7f) { // maybe blank: as Cursor.string decides
      String s = new String(cs, off, len);
      return Values.isBlank(s) ? null : get(s);
    }
    if (expected != null && Arrays.equals(expected.chars, 0, expected.chars.length, cs, off, off + len)) {
      return expected;
    }
    return get(cs, off, len, null);
  }

  /** The id of a text (made if new). */
  Id get(String s) {
    char[] cs = s.toCharArray();
    return get(cs, 0, cs.length, s);
  }

  private Id get(char[] cs, int off, int len, String text) {
    int h = hash(cs, off, len);
    int slot = h & (table.length - 1);
    int chain = 0;
    for (Id e = table[slot]; e != null; e = e.next, chain++) {
      if (e.hash == h && Arrays.equals(e.chars, 0, e.chars.length, cs, off, off + len)) return e;
    }
    Id e = new Id(text != null ? text : new String(cs, off, len), Arrays.copyOfRange(cs, off, off + len), h);
    e.next = table[slot];
    table[slot] = e;
    if (last != null) last.after = e;
    else first = e;
    last = e;
    if (++size > table.length - (table.length >> 2)) {
      rehash(table.length * 2);
    } else if (chain >= LONG_CHAIN && !full) {
      full = true;
      for (Id x = first; x != null; x = x.after) x.hash = hash(x.chars, 0, x.chars.length);
      rehash(table.length);
    }
    return e;
  }

  private void rehash(int capacity) {
    Id[] old = table;
    table = new Id[capacity];
    for (Id head : old) {
      for (Id e = head; e != null; ) {
        Id next = e.next;
        int slot = e.hash & (table.length - 1);
        e.next = table[slot];
        table[slot] = e;
        e = next;
      }
    }
  }

  /**
   * A hash over the last {@link #TAIL} characters and the length (ids differ at their end: a package name, version or
   * hash suffix), or over every character once {@link #full}; in four independent lanes (a single multiply chain is
   * slow).
   */
  private int hash(char[] cs, int off, int len) {
    int h0 = 0;
    int h1 = 0;
    int h2 = 0;
    int h3 = 0;
    int end = off + len;
    int i = full || len <= TAIL ? off : end - TAIL;
    for (; i + 4 <= end; i += 4) {
      h0 = h0 * 31 + cs[i];
      h1 = h1 * 31 + cs[i + 1];
      h2 = h2 * 31 + cs[i + 2];
      h3 = h3 * 31 + cs[i + 3];
    }
    for (; i < end; i++) h0 = h0 * 31 + cs[i];
    int h = ((h0 * 0x9E3779B1 + h1) * 0x9E3779B1 + h2) * 0x9E3779B1 + h3 + len;
    return h ^ (h >>> 16);
  }
}
