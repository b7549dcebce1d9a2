package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;

/**
 * What a recognizer's content probe concluded.
 *
 * @param strength STRONG: the content is this format; WEAK: consistent with it but the sample could not prove it
 *     (e.g. a first record longer than the sample) — accepted only together with a path match; NONE: not this format
 * @param framing how to cut the content (when not NONE)
 * @param detail why (for reports)
 */
public record ContentMatch(Strength strength, Framing framing, String detail) {
  public enum Strength {
    NONE,
    WEAK,
    STRONG
  }

  public static ContentMatch none(String detail) {
    return new ContentMatch(Strength.NONE, null, detail);
  }

  public static ContentMatch weak(Framing framing, String detail) {
    return new ContentMatch(Strength.WEAK, framing, detail);
  }

  public static ContentMatch strong(Framing framing, String detail) {
    return new ContentMatch(Strength.STRONG, framing, detail);
  }
}
