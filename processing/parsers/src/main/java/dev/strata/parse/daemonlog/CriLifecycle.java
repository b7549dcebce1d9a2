package dev.strata.parse.daemonlog;

import dev.strata.parse.OcsfClass;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Resource;

/**
 * What the CRI runtimes' daemon logs (containerd, CRI-O) say about a container or pod sandbox, put on an event the
 * same way for both: container.uid / name / runtime, kubernetes pod (namespace, name, uid) and container name, the
 * pod sandbox as unmapped {@code pod_sandbox_id} and a resource {@code {type pod_sandbox}}, the image, the outcome
 * of a CRI call and a container's exit code. A pod sandbox is a container of its pod here (its id is the pause /
 * infra container's), so its end closes what it held, like any container's.
 */
public final class CriLifecycle {
  private CriLifecycle() {}

  /** OCSF 0 Base Event, activity 99 Other, named by the lifecycle verb ({@code created}, {@code exited}, ...). */
  public static EvidenceEvent lifecycle(DaemonLogLine line, dev.strata.parse.ChunkContext ctx, String verb) {
    return line.newEvent(ctx, OcsfClass.BASE_EVENT, OcsfClass.ACTIVITY_OTHER, verb);
  }

  /** container.uid (and name when known) of the runtime. */
  public static Container container(EvidenceEvent e, String id, String name, String runtime) {
    Container c = e.getContainer();
    if (c == null) {
      c = new Container();
      e.setContainer(c);
    }
    if (id != null && !id.isEmpty()) c.setUid(id);
    if (name != null && !name.isEmpty()) c.setName(name);
    c.setRuntime(runtime);
    return c;
  }

  /** kubernetes namespace / pod name / pod uid / container name (null values are left unset). */
  public static void pod(EvidenceEvent e, String namespace, String podName, String podUid, String containerName) {
    if (namespace == null && podName == null && podUid == null) return;
    Kubernetes k = e.getKubernetes();
    if (k == null) {
      k = new Kubernetes();
      e.setKubernetes(k);
    }
    if (namespace != null) k.setNamespace(namespace);
    if (podName != null) k.setPodName(podName);
    if (podUid != null) k.setPodUid(podUid);
    if (containerName != null) k.setContainerName(containerName);
  }

  /** unmapped pod_sandbox_id and a resource {type pod_sandbox, uid, name = pod, namespace}. */
  public static void sandbox(EvidenceEvent e, String sandboxId, String namespace, String podName) {
    if (sandboxId == null || sandboxId.isEmpty()) return;
    e.getUnmapped().put("pod_sandbox_id", sandboxId);
    e.getResources().add(new Resource("pod_sandbox", podName, sandboxId, namespace, null, null));
  }

  /** status Success, or Failure with the error as status_detail. */
  public static void outcome(EvidenceEvent e, boolean success, String error) {
    e.setStatus(success ? "Success" : "Failure");
    if (!success && error != null && !error.isEmpty()) e.setStatusDetail(DaemonLogReader.cut(error));
  }

  /** status_code = the exit status; Success for 0, else Failure. */
  public static void exit(EvidenceEvent e, String exitStatus) {
    if (exitStatus == null) return;
    e.setStatusCode(exitStatus);
    e.setStatus("0".equals(exitStatus) ? "Success" : "Failure");
  }

  /**
   * An image reference as a runtime logs it: {@code repo@sha256:..} (name + digest), {@code sha256:..} (image id),
   * else a name ({@code repo:tag}); set on the event's container.
   */
  public static void image(EvidenceEvent e, String ref, String runtime) {
    if (ref == null || ref.isEmpty()) return;
    Container c = container(e, null, null, runtime);
    int at = ref.indexOf("@sha256:");
    if (at > 0) {
      if (c.getImageName() == null) c.setImageName(ref.substring(0, at));
      c.setImageDigest(ref.substring(at + 1));
    } else if (ref.startsWith("sha256:")) {
      c.setImageUid(ref);
    } else if (c.getImageName() == null) {
      c.setImageName(ref);
    }
  }
}
