package dev.strata.correlate;

import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Lineage;

/**
 * A container's end closes the bindings the container held, from the end event itself. A runtime's end of a
 * container (Docker events {@code die}/{@code stop}, Podman {@code died}/{@code cleanup}/{@code remove}, a state
 * file's or crictl's {@code finished}; {@link BindingExtractor#containerEnd}) names the container but rarely what it
 * held: a {@code die} carries no address, and a pod's labels carry no cluster. So the statements of a container are
 * remembered by container ({@link #held}), and each end at time t yields, for every binding the container held from
 * a start at or before t, a closing statement at t ({@link BindingExtractor#closing}) with the end event's lineage:
 *
 * <ul>
 *   <li>{@code ip_container} (host address -> plain container): the address is free from the die on, so a flow from
 *       it after the die resolves to nobody, or to the next container given the address;
 *   <li>{@code ip_pod} stated by the container's own state (a pod sandbox's address, from Docker / crictl / Podman
 *       state, never the API server's pod status: an app container's restart does not free the pod's IP);
 *   <li>{@code container_pod} and {@code container_image} of the container (with the object's real scope, which the
 *       end event may not know), and {@code pod_container} naming it (its pod's container by name).
 * </ul>
 *
 * A pure function of the set of (statement, end) pairs: the closings are the same whatever the arrival order, and
 * their ids are deterministic (a replay adds nothing). The Flink side is {@code CloseContainerBindings}, keyed by
 * {@link #key} of the container.
 */
public final class ContainerEnds {
  private static final char SEP = '\u0000';

  private ContainerEnds() {}

  /** The container that holds {@code b} (see the class doc), or null when its end does not close {@code b}. */
  public static String holder(EntityBinding b) {
    if (BindingExtractor.isClosing(b)) return null;
    BindingKind kind = BindingKind.of(b.getKind());
    if (kind == null) return null;
    String cid =
        switch (kind) {
          case CONTAINER_POD, CONTAINER_IMAGE -> b.getSubject().getKey();
          case IP_CONTAINER, POD_CONTAINER -> b.getObject().getKey();
          case IP_POD -> "k8s_audit".equals(b.getSourceFormat()) ? null : b.getAttributes().get(Attr.CONTAINER_UID);
          default -> null;
        };
    return cid == null || cid.length() < 12 ? null : cid;
  }

  /** The key both sides are grouped by: the container id's 12-char prefix (some sources name only that). */
  public static String key(String containerId) {
    return containerId.substring(0, 12);
  }

  /** What a closing statement of {@code b} needs: kind, subject and object (scope and key), container id. */
  public static String heldKey(EntityBinding b) {
    return b.getKind() + SEP + b.getSubject().getScope() + SEP + b.getSubject().getKey() + SEP
        + b.getObject().getScope() + SEP + b.getObject().getKey() + SEP + holder(b);
  }

  /** The start of {@code b} in micros (what {@link #closes} compares an end with). */
  public static long startMicros(EntityBinding b) {
    return BindingExtractor.micros(b.getValidFrom());
  }

  /** An end event, reduced to what its closing statements carry. */
  public record End(long micros, String eventId, String sourceFormat, BindingLineage lineage) {
    public static End of(EvidenceEvent e) {
      Lineage l = e.getLineage();
      return new End(BindingExtractor.micros(e.getTime()), e.getEventId(), e.getSourceFormat(),
          new BindingLineage(e.getEventId(), l.getArtifactSha256(), l.getByteOffset(), l.getLineNumber(),
              l.getRecordIndex()));
    }

    /** One line for keyed state: micros, event id, format, artifact, offset, line, record. */
    public String encode() {
      return "" + micros + SEP + eventId + SEP + sourceFormat + SEP + lineage.getArtifactSha256() + SEP
          + lineage.getByteOffset() + SEP + nz(lineage.getLineNumber()) + SEP + nz(lineage.getRecordIndex());
    }

    public static End decode(String s) {
      String[] f = s.split(String.valueOf(SEP), -1);
      return new End(Long.parseLong(f[0]), f[1], f[2],
          new BindingLineage(f[1], f[3], Long.parseLong(f[4]), num(f[5]), num(f[6])));
    }

    private static String nz(Long v) {
      return v == null ? "" : v.toString();
    }

    private static Long num(String s) {
      return s.isEmpty() ? null : Long.valueOf(s);
    }
  }

  /** Whether an end closes a held binding that started at {@code startMicros}: only a start before it. */
  public static boolean closes(long startMicros, End end) {
    return end.micros() >= startMicros;
  }

  /** The closing statement of the held binding {@code heldKey} at {@code end}. */
  public static EntityBinding closing(BindingExtractor extractor, String heldKey, End end) {
    String[] f = heldKey.split(String.valueOf(SEP), -1);
    EntityBinding held = EntityBinding.newBuilder()
        .setBindingId("")
        .setKind(f[0])
        .setSubject(new dev.strata.schema.correlate.EntityRef(BindingKind.of(f[0]).subjectType(), f[2], f[1]))
        .setObject(new dev.strata.schema.correlate.EntityRef(BindingKind.of(f[0]).objectType(), f[4], f[3]))
        .setAttributes(java.util.Map.of(Attr.CONTAINER_UID, f[5]))
        .setValidFrom(java.time.Instant.EPOCH)
        .setSourceFormat("")
        .setLineage(end.lineage())
        .build();
    return extractor.closing(held, end.micros(), end.eventId(), end.lineage(), end.sourceFormat());
  }
}
