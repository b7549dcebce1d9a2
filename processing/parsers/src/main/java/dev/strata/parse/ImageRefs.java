package dev.strata.parse;

import java.util.regex.Pattern;

/** Image references as runtimes and their users write them ({@code repo:tag}, {@code repo:tag@sha256:..}). */
public final class ImageRefs {
  private static final Pattern PINNED = Pattern.compile(".*@(sha256:[0-9a-f]{64})");

  private ImageRefs() {}

  /**
   * The manifest digest a reference pins ({@code registry/repo:tag@sha256:<64 hex>} -> {@code sha256:<hex>}: a
   * compose file or {@code docker run} naming the image by digest, which the container's config, its events and its
   * inspect output keep as written), or null when it pins none (a tag alone, an image id {@code sha256:..}).
   */
  public static String pinnedDigest(String ref) {
    if (ref == null || ref.length() < 72 || ref.indexOf('@') < 0) return null;
    var m = PINNED.matcher(ref);
    return m.matches() ? m.group(1) : null;
  }
}
