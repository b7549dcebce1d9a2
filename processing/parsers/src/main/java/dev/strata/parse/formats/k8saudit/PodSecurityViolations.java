package dev.strata.parse.formats.k8saudit;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The risk hints a Pod Security Admission audit annotation names ({@code pod-security.kubernetes.io/audit-violations}:
 * {@code would violate PodSecurity "<level>:<version>": <reason> (<detail>), <reason> (<detail>), ...}, the checks'
 * ForbiddenReason / ForbiddenDetail of k8s.io/pod-security-admission). With a Metadata-level audit policy the request
 * object is not logged, and the annotation is the only record that an admitted pod was privileged or shared the
 * node's namespaces or file system. Only explicit settings become hints, in {@link AuditedObject}'s names:
 *
 * <pre>
 * privileged (container "x" must not set securityContext.privileged=true)    -> privileged
 * host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)              -> host_network, host_pid, host_ipc
 * hostPath volumes (volume "x")                                                -> host_path
 * restricted volume types (volume "x" uses restricted volume type "hostPath") -> host_path
 * runAsUser=0 (pod must not set runAsUser=0)                                  -> run_as_root
 * non-default capabilities (... must not include "SYS_ADMIN", ... in securityContext.capabilities.add)
 *                                                                              -> cap_sys_admin, cap_net_admin,
 *                                                                                 cap_sys_ptrace, cap_sys_module, cap_all
 * </pre>
 *
 * The restricted level's "must set" reasons (allowPrivilegeEscalation != false, runAsNonRoot != true, seccompProfile,
 * unrestricted capabilities) name a setting left at its default, not a risk the pod asked for: no hint.
 */
final class PodSecurityViolations {

  static final String AUDIT_VIOLATIONS = "pod-security.kubernetes.io/audit-violations";

  private static final Set<String> RISKY_CAPS = Set.of("SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "ALL");
  private static final Pattern CAPS =
      Pattern.compile("non-default capabilities \\([^)]*?must not include ((?:\"[^\"]*\"(?:, )?)+) in "
          + "securityContext\\.capabilities\\.add");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private PodSecurityViolations() {}

  /** The hints of an audit-violations annotation's text, in a stable order; empty for none or null. */
  static Set<String> risks(String violations) {
    Set<String> risks = new LinkedHashSet<>();
    if (violations == null || !violations.contains("PodSecurity")) return risks;
    if (violations.contains("securityContext.privileged=true")) risks.add("privileged");
    if (violations.contains("hostNetwork=true")) risks.add("host_network");
    if (violations.contains("hostPID=true")) risks.add("host_pid");
    if (violations.contains("hostIPC=true")) risks.add("host_ipc");
    if (violations.contains("hostPath volumes (") || violations.contains("restricted volume type \"hostPath\"")) {
      risks.add("host_path");
    }
    if (violations.contains("must not set runAsUser=0")) risks.add("run_as_root");
    Matcher m = CAPS.matcher(violations);
    if (m.find()) {
      Matcher q = QUOTED.matcher(m.group(1));
      while (q.find()) {
        String cap = q.group(1).toUpperCase(Locale.ROOT).replace("CAP_", "");
        if (RISKY_CAPS.contains(cap)) risks.add("cap_" + cap.toLowerCase(Locale.ROOT));
      }
    }
    return risks;
  }
}
