package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP request that asks the server to read a credential for the client: a server-side request forgery or local
 * file read whose URL or parameters name a local file ({@code file://}), a Kubernetes service-account or IRSA token
 * ({@code /var/run/secrets/...}), the process environment ({@code /proc/self/environ}: {@code AWS_ROLE_ARN},
 * {@code AWS_CONTAINER_CREDENTIALS_*}, keys) or a cloud metadata service (AWS IMDS {@code 169.254.169.254} and its
 * IPv6 {@code fd00:ec2::254}, ECS's credentials endpoint {@code 169.254.170.2}, GCP's {@code
 * metadata.google.internal}; the decimal and hex spellings SSRF payloads use for IMDS). MITRE ATT&amp;CK T1190 (the
 * request that exploits the public application) leading to T1552.005 (cloud instance metadata API) / T1552.001
 * (credentials in files); GuardDuty reports the use of what such a read returned ({@code
 * UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS}), this is the read itself.
 * FargateFleetScenarioIT: wkhtmltopdf (CVE-2022-35583) rendering {@code file:///proc/self/environ} and the IRSA token
 * for the attacker (X-Forwarded-For 198.51.100.61); the path started at the token's exchange.
 *
 * <p>Read in the access line's request target (OCSF HTTP Activity from a container's log: {@code LogMessageReaders}),
 * percent-decoded up to three times (double encoding: {@code file%253A%252F%252F}), lower-cased. An attempt counts
 * whatever the status (as a denied call does).
 *
 * <ul>
 *   <li>From a public address outside {@code incident.known_cidrs} (the client, X-Forwarded-For's first address behind
 *       a proxy): {@code ssrf_credential_request}, <b>entry</b>, High, for any of the above.</li>
 *   <li>From a private address or none (another workload, a proxy that names no client): a local file, a token path or
 *       the environment is credential access, Medium; a metadata service's address is <b>not</b> judged there (the
 *       metadata agents and credential proxies of a cluster, kube2iam / kiam / the EKS Pod Identity agent, and their
 *       health checks log requests naming it by design).</li>
 * </ul>
 */
final class SsrfRequests {
  private SsrfRequests() {}

  static final String REASON = "ssrf_credential_request";

  private static final int MAX = 16 * 1024;

  /** What a local read names: a file URL (not {@code profile:/}), a token path, the environment of a process. */
  private static final Pattern LOCAL = Pattern.compile(
      "(?<![a-z0-9+.-])file:/|/(?:var/)?run/secrets/(?:kubernetes\\.io|eks\\.amazonaws\\.com)/"
          + "|/proc/(?:self|thread-self|\\d+)/environ");

  /** Cloud metadata services, as a host (a digit or a letter after it is another address or name). */
  private static final Pattern METADATA = Pattern.compile(
      "(?<![0-9a-z.])(?:169\\.254\\.169\\.254|169\\.254\\.170\\.2|2852039166|0xa9fea9fe|\\[?fd00:ec2::254\\]?"
          + "|metadata\\.google\\.internal)(?![0-9a-z])");

  /**
   * The signal of an HTTP request reaching for credentials, or null. {@code known} says which addresses are the
   * organisation's own ({@code incident.known_cidrs}).
   */
  static SignalRules.Signal classify(EvidenceEvent e, Predicate<String> known) {
    if (e.getClassUid() != 4002 || e.getHttpRequest() == null) return null;
    String url = decoded(e.getHttpRequest().getUrl());
    if (url == null) return null;
    String ip = e.getSrcEndpoint() == null ? null : e.getSrcEndpoint().getIp();
    boolean outside = EntityKeys.isPublicIp(ip) && !known.test(ip);
    if (LOCAL.matcher(url).find()) {
      return outside ? new SignalRules.Signal(AttackStage.ENTRY, 4, REASON)
          : new SignalRules.Signal(AttackStage.CREDENTIAL_ACCESS, 3, REASON);
    }
    if (outside && METADATA.matcher(url).find()) return new SignalRules.Signal(AttackStage.ENTRY, 4, REASON);
    return null;
  }

  /** What the request names, for a reader of the row ("a file:// URL", ...), or null. */
  static String what(String rawUrl) {
    String url = decoded(rawUrl);
    if (url == null) return null;
    Matcher m = LOCAL.matcher(url);
    if (m.find()) return m.group();
    m = METADATA.matcher(url);
    return m.find() ? m.group() : null;
  }

  /** The URL percent-decoded until it no longer changes (at most three rounds), lower-cased; null if none. */
  static String decoded(String url) {
    if (url == null || url.isEmpty()) return null;
    String t = url.length() > MAX ? url.substring(0, MAX) : url;
    for (int i = 0; i < 3 && t.indexOf('%') >= 0; i++) {
      try {
        String d = URLDecoder.decode(t.replace("+", "%2B"), StandardCharsets.UTF_8);
        if (d.equals(t)) break;
        t = d;
      } catch (IllegalArgumentException bad) {
        break; // a stray '%': read as written
      }
    }
    return t.toLowerCase(Locale.ROOT);
  }
}
