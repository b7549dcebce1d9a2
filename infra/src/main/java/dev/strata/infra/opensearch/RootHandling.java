package dev.strata.infra.opensearch;

import java.util.Optional;

/**
 * How the OpenSearch child is started with respect to user ids. OpenSearch refuses to run as root, and CI runs as
 * root, so:
 *
 * <ul>
 *   <li>not root: run it directly ({@link #AS_CURRENT_USER});
 *   <li>root, and user {@code nobody} can reach the distribution and the data dir: run it as {@code nobody} through
 *       {@code setpriv} ({@link #AS_NOBODY_VIA_SETPRIV}), with its config, data, logs and tmp dirs owned by
 *       {@code nobody};
 *   <li>root otherwise ({@code setpriv} missing, or a parent directory closed to {@code nobody}, like {@code /root}):
 *       run it as root with JNA disabled, which skips the root check ({@link #AS_ROOT_WITHOUT_JNA}); a warning says
 *       why.
 * </ul>
 */
public enum RootHandling {
  /** Not root: OpenSearch runs as the current user. */
  AS_CURRENT_USER,
  /** Root: OpenSearch runs as {@code nobody} via {@code setpriv --reuid=nobody --regid=<group> --clear-groups}. */
  AS_NOBODY_VIA_SETPRIV,
  /** Root, fallback: OpenSearch runs as root with {@code -Djna.nosys=true -Djna.nounpack=true ...}. */
  AS_ROOT_WITHOUT_JNA;

  /**
   * The choice for a process with the given privileges.
   *
   * @param root whether this JVM runs with effective uid 0
   * @param setprivProblem empty when {@code nobody} can run the distribution on the data dir through setpriv, else
   *     why not
   */
  public static RootHandling choose(boolean root, Optional<String> setprivProblem) {
    if (!root) {
      return AS_CURRENT_USER;
    }
    return setprivProblem.isEmpty() ? AS_NOBODY_VIA_SETPRIV : AS_ROOT_WITHOUT_JNA;
  }
}
