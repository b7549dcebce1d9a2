package dev.strata.ingest.walk;

/**
 * Where a symlink inside the evidence root points, resolved by hand with the root as "/" (chroot semantics): an
 * absolute target is taken relative to the root, {@code ..} never climbs above the root, intermediate symlinks are
 * resolved the same way (at most {@value SymlinkResolver#MAX_HOPS} hops).
 *
 * @param kind what the chain ends in
 * @param target the final path relative to the root ('/' separators; "" = the root), null for LOOP
 * @param clamped true when a {@code ..} tried to climb above the root (and was kept at the root)
 * @param detail human explanation for BROKEN / LOOP / SPECIAL
 */
public record SymlinkResolution(Kind kind, String target, boolean clamped, String detail) {
  public enum Kind {
    FILE,
    DIRECTORY,
    SPECIAL,
    BROKEN,
    LOOP
  }
}
