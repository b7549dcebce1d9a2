package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.ContainerEnds;
import dev.strata.correlate.SandboxPods;
import dev.strata.schema.correlate.EntityBinding;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Keyed by an app container's id (its 12-char prefix, {@link ContainerEnds#key}): the container's pod as a source of
 * app containers names it ({@code container_pod} from the audit log's {@code pods/status} {@code containerStatuses}, a
 * pods snapshot) and the sandbox containerd created it in ({@code container_sandbox}) -> the sandbox's pod
 * ({@link SandboxPods#sandboxPodOfContainer}), emitted as soon as both are here, in either order, before {@code
 * join-sandbox-pods}, which joins it with the sandbox's members (an {@code ipamd.log}-only address: its pod).
 *
 * <p>State: both sides once per (kind, subject, object, start), each kept {@link JoinSandboxPods#OPEN_SANDBOX_HOLD}
 * after it was written, in processing time (a container's statements come around its creation; everything in bounded
 * runs).
 */
public final class JoinContainerSandboxes extends BindingJoin<EntityBinding> {
  private static final long serialVersionUID = 1L;
  public static final String UID = "join-container-sandboxes";
  public static final String UID_MEMBERS = "container-sandbox-members";

  private transient Store statements;

  public JoinContainerSandboxes(long retentionMs, long closedTtlMs) {
    super(retentionMs, closedTtlMs);
  }

  /** {@code extracted} plus the sandboxes' pods found through their app containers. */
  public static DataStream<EntityBinding> attach(DataStream<EntityBinding> extracted,
      TypeInformation<EntityBinding> type, long retentionMs, long closedTtlMs) {
    return attach(extracted, type, UID_MEMBERS, JoinContainerSandboxes::container,
        new JoinContainerSandboxes(retentionMs, closedTtlMs), UID);
  }

  /** The app container (12-char key) at which {@code b} joins, or null. */
  static String container(EntityBinding b) {
    if (BindingExtractor.isClosing(b)) return null;
    String id = b.getSubject().getKey();
    if (id == null || id.length() < 12) return null;
    if (BindingKind.CONTAINER_SANDBOX.id().equals(b.getKind())) return ContainerEnds.key(id);
    if (BindingKind.CONTAINER_POD.id().equals(b.getKind()) && APP_CONTAINER_SOURCES.contains(b.getSourceFormat())) {
      return ContainerEnds.key(id);
    }
    return null;
  }

  /**
   * Sources whose {@code container_pod} names an app container (never a sandbox), from the container's start (one
   * member per container): the API server's records. Not the sensors' k8s fields (also app containers', but restated
   * with every alert's time: a member and a shuffle per alert).
   */
  private static final Set<String> APP_CONTAINER_SOURCES = Set.of("k8s_audit", "k8s_pod");

  @Override
  protected void openState() {
    long hold = keepsAll() ? Long.MAX_VALUE : JoinSandboxPods.OPEN_SANDBOX_HOLD.toMillis();
    statements = store("statements", hold);
  }

  @Override
  public void processElement(EntityBinding b, Context ctx, Collector<EntityBinding> out) throws Exception {
    if (!statements.addIfAbsent(statementKey(b), b)) return;
    boolean sandbox = BindingKind.CONTAINER_SANDBOX.id().equals(b.getKind());
    for (EntityBinding o : statements.all()) {
      if (BindingKind.CONTAINER_SANDBOX.id().equals(o.getKind()) == sandbox) continue;
      EntityBinding d = sandbox ? SandboxPods.sandboxPodOfContainer(extractor, o, b)
          : SandboxPods.sandboxPodOfContainer(extractor, b, o);
      if (d != null) out.collect(d);
    }
  }
}
