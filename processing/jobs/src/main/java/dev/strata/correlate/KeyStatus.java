package dev.strata.correlate;

import dev.strata.schema.correlate.EntityBinding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An IAM user key's status changes close what its creation stated. A created key ({@code iam:CreateAccessKey} by a
 * role session: {@code accesskey_session}, and what {@link CreatedKeys} and the extractor derived from it: {@code
 * accesskey_pod}, {@code accesskey_task}, {@code accesskey_instance}) is open from the creation; CloudTrail's {@code
 * DeleteAccessKey} and {@code UpdateAccessKey} ({@code Inactive}, {@code Active}) state {@code accesskey_status}
 * ({@link BindingExtractor}). Each pair (a created-key statement H from f, a status S at t >= f) yields ({@link #join}):
 *
 * <ul>
 *   <li>a closing statement of H at t (H's fact ends there: {@code valid_to}, {@code end_observed});
 *   <li>H restated from t + 1 µs with attribute {@code accesskey_status} = S (and {@code accesskey_status_at}), until
 *       {@link #UNTIL}: for {@code deleted} and {@code inactive} with confidence min(H's, {@link
 *       #DEAD_KEY_CONFIDENCE}), for {@code active} (a reactivation) with H's.
 * </ul>
 *
 * What a call with the key after its deletion or deactivation gets: still the creating session's pod / task /
 * instance (whoever holds the key got it from there: the key's origin does not change with its status), through the
 * restated fact, whose status and lowered confidence say the key was dead then (its id is in the call's {@code
 * enrichment.binding_ids}). AWS refuses a deleted or inactive key ({@code InvalidClientTokenId}), so such a call that
 * succeeded is odd evidence: clocks or log delivery out of order, a reactivation not collected, or a forged record.
 * A later status restates again (each pair alone: the lookups' walk takes the latest restatement before a call, so
 * the result is the same in any arrival order). The restatement has a stated end ({@link #UNTIL}) rather than none: an
 * open start of an object already bound at its start is a restatement the lookups drop, and the closing may reach them
 * after it (another path through the graph).
 */
public final class KeyStatus {
  public static final String DELETED = "deleted";
  public static final String INACTIVE = "inactive";
  public static final String ACTIVE = "active";
  /** Attribute of a restated created-key statement: the key's status from its start on. */
  public static final String STATUS = "accesskey_status";
  /** Attribute of a restated created-key statement: when the status changed (ISO-8601). */
  public static final String STATUS_AT = "accesskey_status_at";
  /** Attribute of {@code accesskey_status}: the principal that changed the key. */
  public static final String STATUS_BY = "key_status_by";
  /** A dead key's calls are attributed at most this sure. */
  public static final float DEAD_KEY_CONFIDENCE = 0.5f;
  /**
   * The end of a restatement (none in practice: the next status change restates again); before 2262, the last instant
   * a statement's nanoseconds since the epoch hold in a long.
   */
  public static final long UNTIL = Instant.parse("2200-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;

  private static final Set<String> HELD = Set.of(BindingKind.ACCESSKEY_POD.id(), BindingKind.ACCESSKEY_TASK.id(),
      BindingKind.ACCESSKEY_INSTANCE.id());

  private KeyStatus() {}

  /** The access key at which {@code b} joins, or null: a status change, a created key's statement (not restated). */
  public static String key(EntityBinding b) {
    if (BindingExtractor.isClosing(b) || b.getAttributes().containsKey(STATUS)) return null;
    if (isStatus(b) || CreatedKeys.isCreatedKey(b) || HELD.contains(b.getKind())) return b.getSubject().getKey();
    return null;
  }

  public static boolean isStatus(EntityBinding b) {
    return BindingKind.ACCESSKEY_STATUS.id().equals(b.getKind());
  }

  /** What {@code arriving} yields with the key's other statements {@code others} (see the class doc). */
  public static List<EntityBinding> join(BindingExtractor x, EntityBinding arriving, Collection<EntityBinding> others) {
    String key = key(arriving);
    if (key == null) return List.of();
    List<EntityBinding> out = new ArrayList<>();
    for (EntityBinding o : others) {
      if (!key.equals(key(o)) || isStatus(o) == isStatus(arriving)) continue;
      EntityBinding status = isStatus(arriving) ? arriving : o;
      EntityBinding held = status == arriving ? o : arriving;
      out.addAll(restated(x, held, status));
    }
    return out;
  }

  /** The closing of {@code held} at the status change and its restatement with the status, or none (an earlier change). */
  static List<EntityBinding> restated(BindingExtractor x, EntityBinding held, EntityBinding status) {
    long at = BindingExtractor.micros(status.getValidFrom());
    if (at < BindingExtractor.micros(held.getValidFrom())) return List.of();
    BindingKind kind = BindingKind.of(held.getKind());
    String s = status.getObject().getKey();
    Map<String, String> a = new LinkedHashMap<>(held.getAttributes());
    a.put(STATUS, s);
    a.put(STATUS_AT, status.getValidFrom().toString());
    float confidence = ACTIVE.equals(s) ? held.getConfidence() : Math.min(held.getConfidence(), DEAD_KEY_CONFIDENCE);
    EntityBinding closing = x.closing(held, at, status.getLineage().getEventId(), status.getLineage(),
        status.getSourceFormat());
    EntityBinding again = x.derived(kind, held.getSubject().getScope(), held.getSubject().getKey(),
        held.getObject().getScope(), held.getObject().getKey(), a, at + 1, UNTIL, confidence, status);
    return List.of(closing, again);
  }
}
