package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who used a cloud credential, judged from what the principal's own calls say (PodmanHostScenarioIT: the attacker used
 * the instance role's credentials with {@code curl --aws-sigv4} from the host itself, where the apps' own SDK calls come
 * from; only the client told them apart). Two rules, both decided at a flush over the tenant's members (like {@link
 * RuntimeExecAudit} and {@link EntryFlows}: the answer needs the principal's earlier calls, which may arrive in another
 * file), and written into the member ({@code call-…}) so they hold after a restore:
 *
 * <ul>
 *   <li><b>A client tool new for the principal</b> ({@code new_client_tool}): a CloudTrail call made with an interactive
 *       client ({@link #kind}: curl, wget, python-requests, Go's http client, the AWS CLI, PowerShell, HTTPie,
 *       Postman) by a principal (the call's {@code actor.user_uid}: an instance's session is named after the instance,
 *       a task's after the task) whose earlier calls, before that client's first call, were <b>all</b> made by SDKs
 *       ({@code aws-sdk-*}, Boto3 / botocore, the ECR credential provider, tools built on an SDK: Terraform's {@code
 *       APN/…}), at least one, and within {@link #NEW_CLIENT_SPAN_MICROS} (1 h) of that first call. Stage by the
 *       operation as for a credential used from outside (credential access for GetCallerIdentity, exfiltration for
 *       Get / List / Describe / Head); Medium, High when the correlation job tied the call to a container (its
 *       credential was fetched from the metadata service by that container). Only context calls become such signals
 *       (a call from outside is one already). Quiet on: principals with a human history (console, CLI) before, a
 *       principal seen only through tools (an operator's role), SDK-only principals.</li>
 *   <li><b>The host's own public address</b>: an instance's credentials used from that instance's own public (elastic)
 *       address, which an EC2 inventory names ({@code aws_ec2_instances} / {@code aws_ec2_network_interfaces}:
 *       {@code ec2.public_ip}, {@code Association.PublicIp}), are used from the host, not from outside: the call's
 *       {@code instance_credentials_outside} / {@code unknown_source_ip} signal becomes context (the address links
 *       nothing), and the client rule above judges it as it judges the host's private address. Without such
 *       evidence the address is outside unless in {@code incident.known_cidrs}.</li>
 *   <li><b>A registry tag overwritten from another address</b> ({@code image_tag_overwritten}, entry, High): an ECR
 *       {@code PutImage} (a CloudTrail call that names an image reference with a tag and the digest it wrote: the
 *       parser reads them from the response) of a tag whose previous push, earlier in the state, wrote another digest
 *       from another source address (SupplyChainRolloutScenarioIT: CI pushed {@code v2.3.1} from its runner, minutes
 *       later the leaked CI key pushed its own image over it from 198.51.100.147, and the rollout pulled it). The
 *       image becomes the call's pivot, so it joins the incidents of the containers that ran the digest (as an image
 *       finding does, {@link SupplyChainSignals}). Quiet on: the first push of a tag in the evidence, a re-push from
 *       the same address (a CI rebuild), the same digest pushed again.</li>
 * </ul>
 */
final class CredentialClients {
  private CredentialClients() {}

  static final String REASON = "new_client_tool";
  static final String TAG_REASON = "image_tag_overwritten";

  /** How long after a client's first call of a principal its calls still count as that new client's. */
  static final long NEW_CLIENT_SPAN_MICROS = 3_600_000_000L;

  /** The signals of a call from outside that a call from the instance's own public address is not. */
  private static final Set<String> OUTSIDE_REASONS = Set.of("instance_credentials_outside", "unknown_source_ip");

  /** Interactive clients, by the user agent's first product token (lower case), and the kind each is. */
  private static final Map<String, String> TOOLS = Map.ofEntries(Map.entry("curl", "curl"), Map.entry("wget", "wget"),
      Map.entry("python-requests", "python-requests"), Map.entry("go-http-client", "go-http-client"),
      Map.entry("aws-cli", "aws-cli"), Map.entry("awspowershell", "powershell"),
      Map.entry("awspowershell.common", "powershell"), Map.entry("powershell", "powershell"),
      Map.entry("httpie", "httpie"), Map.entry("postmanruntime", "postman"), Map.entry("insomnia", "insomnia"));

  /**
   * The kind of client a CloudTrail user agent names: {@code sdk}, {@code console}, {@code service} (an AWS service or
   * "AWS Internal"), an interactive tool's name ({@link #TOOLS}), or {@code other}; null for none. S3 data events
   * write the agent in brackets ({@code [aws-cli/2.15.0 …]}).
   */
  static String kind(String userAgent) {
    if (userAgent == null) return null;
    String ua = userAgent.trim();
    if (ua.startsWith("[")) ua = ua.substring(1);
    if (ua.isEmpty()) return null;
    String lower = ua.toLowerCase(Locale.ROOT);
    int end = 0;
    while (end < lower.length() && lower.charAt(end) != '/' && lower.charAt(end) != ' ') end++;
    String product = lower.substring(0, end);
    String tool = TOOLS.get(product);
    if (tool != null) return tool;
    if (lower.contains("console.amazonaws.com") || lower.startsWith("signin.amazonaws.com")
        || lower.startsWith("console.")) {
      return "console";
    }
    if (lower.equals("aws internal") || lower.endsWith(".amazonaws.com")) return "service";
    if (lower.contains("aws-sdk-") || product.equals("boto3") || product.equals("botocore") || product.equals("apn")
        || lower.contains("aws-sdk") || lower.contains("botocore/")) {
      return "sdk";
    }
    return "other";
  }

  /** Whether {@code kind} is one of the interactive tools. */
  static boolean tool(String kind) {
    return kind != null && TOOLS.containsValue(kind);
  }

  /**
   * {@code call|<c|s>|<kind>|<stage>|<container?>|<source>|<instance>|<principal>} for a CloudTrail call with a
   * principal and a user agent ({@code c} context, {@code s} a signal), else null. (An EC2 inventory's public address
   * of an instance comes as a binding, {@code ip -> instance}: {@link EntityKeys}, {@link Ledger#addBinding}.)
   */
  static String key(EvidenceEvent e, EntityKeys.Extraction x, SignalRules.Signal s) {
    String f = e.getSourceFormat();
    if (f == null) return null;
    if (!"aws_cloudtrail".equals(f) || e.getActor() == null || e.getApi() == null || e.getApi().getOperation() == null) {
      return null;
    }
    String principal = e.getActor().getUserUid();
    String kind = kind(e.getHttpRequest() == null ? null : e.getHttpRequest().getUserAgent());
    if (principal == null || principal.isBlank() || kind == null || principal.contains("|")) return null;
    String op = e.getApi().getOperation();
    AttackStage stage = SignalRules.stageOfUse(op, SignalRules.operationStage(op));
    boolean container = e.getEnrichment() != null && e.getEnrichment().getContainerUid() != null
        && !e.getEnrichment().getContainerUid().isBlank();
    String src = e.getSrcEndpoint() == null || e.getSrcEndpoint().getIp() == null ? "" : e.getSrcEndpoint().getIp().trim();
    // the session's own instance (an instance profile's session is named after it), else the one the event names
    String instance = EntityKeys.instanceIdAtEnd(principal);
    if (instance == null && e.getCloud() != null) instance = e.getCloud().getInstanceUid();
    return "call|" + (s == null ? "c" : "s") + "|" + kind + "|" + stage + "|" + (container ? "1" : "0") + "|"
        + src.replace('|', '_') + "|" + (instance == null ? "" : instance) + "|" + principal;
  }

  /** A call key taken apart: {state, kind, stage, container, source, instance, principal}. */
  private static String[] call(String key) {
    String[] p = key.split("\\|", 8);
    return new String[] {p[1], p[2], p[3], p[4], p[5], p[6], p[7]};
  }

  /** {@code now} with {@code before}'s decision when it is the same call (a copy or a newer revision). */
  static Member carry(Member before, Member now) {
    if (before == null || before.execKey() == null || !before.execKey().startsWith("call-")
        || now.execKey() == null || !now.execKey().startsWith("call|")) {
      return now;
    }
    return apply(now, before.execKey());
  }

  /**
   * The call's member with {@code decision}: {@code call-tool|<first>|<n sdk calls>|<own>|<call key>} (a new client's
   * call: a signal) or {@code call-own|<call key>} (from the instance's own public address, no new client: context).
   */
  static Member apply(Member m, String decision) {
    // a re-pushed tag whose image adds packages (it wraps the tag rule's decision when there is one)
    if (decision.startsWith("call-pkg|")) return ImagePackageDiff.apply(m, decision);
    String[] d = decision.split("\\|", 2);
    boolean own;
    String callKey;
    String summary = m.summary();
    boolean signal = m.signal();
    int severity = m.severityId();
    AttackStage stage = m.stage();
    String reason = m.reason();
    if (d[0].equals("call-tag")) {
      // <previous push's time>|<its digest>|<its source>|<reference>|<call key>
      String[] p = d[1].split("\\|", 5);
      String[] c = call(p[4]);
      summary = summary + " (tag " + p[3] + " pointed to " + p[1] + ", pushed from " + p[2] + " at "
          + Instant.ofEpochSecond(Math.floorDiv(Long.parseLong(p[0]), 1_000_000L)) + ": overwritten from "
          + (c[4].isEmpty() ? "another address" : c[4]) + ")";
      List<Entity> out = new ArrayList<>(m.entities().size());
      for (Entity x : m.entities()) {
        // the image it wrote is what the incident is about: the pivot that joins the containers that ran it
        out.add(Entity.IMAGE.equals(x.type()) ? new Entity(x.type(), x.key(), x.scope(), Entity.TARGET, true) : x);
      }
      return new Member(m.eventId(), m.timeMicros(), m.layer(), m.className(), m.sourceFormat(), summary, true,
          Math.max(4, m.signal() ? m.severityId() : 0), AttackStage.ENTRY,
          m.reason() == null || !m.signal() ? TAG_REASON : TAG_REASON + "; " + m.reason(), m.artifactSha256(),
          m.origin(), m.byteOffset(), m.lineNumber(), m.recordIndex(), List.copyOf(out), m.indicators(), m.burstKey(),
          m.detections(), m.lane(), decision);
    }
    if (d[0].equals("call-tool")) {
      String[] p = d[1].split("\\|", 4);
      own = p[2].equals("1");
      callKey = p[3];
      String[] c = call(callKey);
      long first = Long.parseLong(p[0]);
      summary = summary + " (" + c[1] + ": a client new for " + c[6] + ", whose " + p[1]
          + " earlier calls were all made by SDKs; first used at " + Instant.ofEpochSecond(Math.floorDiv(first,
              1_000_000L)) + (own ? "; from the instance's own public address " + c[4] : "") + ")";
      signal = true;
      stage = AttackStage.valueOf(c[2]);
      severity = c[3].equals("1") ? 4 : 3;
      if (!own && m.signal()) severity = Math.max(severity, m.severityId());
      reason = own || reason == null ? REASON : REASON + "; " + reason;
    } else {
      own = true;
      callKey = d[1];
      String[] c = call(callKey);
      summary = summary + " (from the instance's own public address " + c[4] + ": not from outside)";
      signal = false;
      stage = null;
      reason = null;
      severity = 1; // a context call's (CloudTrail records carry none of their own)
    }
    List<Entity> entities = m.entities();
    if (own) {
      String src = call(callKey)[4];
      List<Entity> out = new ArrayList<>(entities.size());
      for (Entity x : entities) {
        // the host's own address is everywhere the host is: kept, never a link (as incident.known_cidrs)
        out.add(Entity.IP.equals(x.type()) && x.key().equals(src) && x.pivot()
            ? new Entity(x.type(), x.key(), x.scope(), x.role(), false) : x);
      }
      entities = List.copyOf(out);
    }
    return new Member(m.eventId(), m.timeMicros(), m.layer(), m.className(), m.sourceFormat(), summary, signal, severity,
        stage, reason, m.artifactSha256(), m.origin(), m.byteOffset(), m.lineNumber(), m.recordIndex(), entities,
        m.indicators(), m.burstKey(), m.detections(), m.lane(), decision);
  }

  /** The principals' calls and the instances' public addresses of one tenant's members: derived state. */
  static final class Ledger {
    /** principal -> time -> event id -> kind. */
    private final Map<String, TreeMap<Long, TreeMap<String, String>>> calls = new HashMap<>();
    /** Undecided calls: event id -> {key, time, reason}. */
    private final Map<String, Object[]> pending = new LinkedHashMap<>();
    /** public address -> the instances it is the own address of (bindings {@code ip -> instance}: never removed). */
    private final Map<String, Set<String>> hostIps = new HashMap<>();
    /** Calls found nothing to change (derived: judged again after a rebuild, with the same answer). */
    private final Set<String> rejected = new HashSet<>();
    /** event id -> {key, time} of what was added. */
    private final Map<String, Object[]> added = new HashMap<>();
    /** A registry push's tag reference -> time -> event id -> {digest, source}. */
    private final Map<String, TreeMap<Long, TreeMap<String, String[]>>> pushes = new HashMap<>();
    /** event id -> the tag reference it pushed. */
    private final Map<String, String> pushOf = new HashMap<>();

    void add(Member m) {
      String k = RevokedKeyUse.callKey(m.execKey()); // a key's status change carries its call's key
      if (k == null || added.containsKey(m.eventId())) return;
      long t = m.timeMicros();
      if (k.startsWith("call|") || k.startsWith("call-")) {
        String callKey = k.startsWith("call|") ? k : k.substring(k.lastIndexOf("call|"));
        String[] c = call(callKey);
        calls.computeIfAbsent(c[6], x -> new TreeMap<>()).computeIfAbsent(t, x -> new TreeMap<>()).put(m.eventId(), c[1]);
        String[] push = push(m);
        if (push != null) {
          pushes.computeIfAbsent(push[0], x -> new TreeMap<>()).computeIfAbsent(t, x -> new TreeMap<>())
              .put(m.eventId(), new String[] {push[1], c[4]});
          pushOf.put(m.eventId(), push[0]);
        }
        if (k.startsWith("call|")) {
          boolean candidate = push != null
              || (c[0].equals("c") ? tool(c[1]) : OUTSIDE_REASONS.contains(firstReason(m.reason())));
          if (candidate) pending.put(m.eventId(), new Object[] {k, t});
        }
      } else {
        return;
      }
      added.put(m.eventId(), new Object[] {k, t});
    }

    /**
     * {reference, digest} when the call wrote an image under a tag (its indicators name a tagged reference and the
     * digest: an ECR PutImage, whose response the parser reads), else null.
     */
    static String[] push(Member m) {
      String ref = null, digest = null;
      for (Indicator i : m.indicators()) {
        if ("image".equals(i.type())) ref = i.value();
        else if ("image_digest".equals(i.type())) digest = i.value();
      }
      if (ref == null || digest == null || ref.contains("@") || ref.contains("|") || digest.contains("|")) return null;
      int slash = ref.lastIndexOf('/');
      return ref.indexOf(':', slash + 1) > 0 ? new String[] {ref, digest} : null;
    }

    /** An EC2 inventory's {@code ip -> instance} binding: the instance's own public address. */
    void addBinding(Binding b) {
      if (Entity.typeOf(b.from()).equals(Entity.IP) && Entity.typeOf(b.to()).equals(Entity.INSTANCE)) {
        hostIps.computeIfAbsent(b.from().substring(b.from().indexOf('|') + 1), x -> new HashSet<>(2))
            .add(b.to().substring(b.to().indexOf('|') + 1));
      }
    }

    private static String firstReason(String reason) {
      if (reason == null) return "";
      int semi = reason.indexOf(';');
      return semi < 0 ? reason : reason.substring(0, semi);
    }

    void remove(String eventId) {
      Object[] a = added.remove(eventId);
      pending.remove(eventId);
      rejected.remove(eventId);
      String ref = pushOf.remove(eventId);
      if (a == null) return;
      if (ref != null) {
        TreeMap<Long, TreeMap<String, String[]>> byTime = pushes.get(ref);
        TreeMap<String, String[]> at = byTime == null ? null : byTime.get((Long) a[1]);
        if (at != null) {
          at.remove(eventId);
          if (at.isEmpty()) byTime.remove((Long) a[1]);
          if (byTime.isEmpty()) pushes.remove(ref);
        }
      }
      String k = (String) a[0];
      long t = (Long) a[1];
      String callKey = k.startsWith("call|") ? k : k.substring(k.lastIndexOf("call|"));
      String principal = call(callKey)[6];
      TreeMap<Long, TreeMap<String, String>> byTime = calls.get(principal);
      if (byTime == null) return;
      TreeMap<String, String> at = byTime.get(t);
      if (at != null) {
        at.remove(eventId);
        if (at.isEmpty()) byTime.remove(t);
      }
      if (byTime.isEmpty()) calls.remove(principal);
    }

    /**
     * The calls decided at {@code watermarkMicros} (MAX: all; MIN: none): event id -> decision. A call is due once the
     * watermark passed its time (its principal's earlier calls, and the inventory, are there).
     */
    Map<String, String> decide(long watermarkMicros) {
      Map<String, String> out = new LinkedHashMap<>();
      if (watermarkMicros == Long.MIN_VALUE) return out;
      for (Map.Entry<String, Object[]> p : pending.entrySet()) {
        String id = p.getKey();
        long t = (Long) p.getValue()[1];
        if (rejected.contains(id) || (watermarkMicros != Long.MAX_VALUE && t > watermarkMicros)) continue;
        String key = (String) p.getValue()[0];
        String[] c = call(key);
        String overwritten = overwritten(id, c[4], t);
        if (overwritten != null) {
          out.put(id, "call-tag|" + overwritten + "|" + key);
          continue;
        }
        boolean own = !c[4].isEmpty() && !c[5].isEmpty() && hostIps.getOrDefault(c[4], Set.of()).contains(c[5]);
        if (c[0].equals("s") && !own) {
          rejected.add(id); // a call from outside: its signal stands
          continue;
        }
        String novel = tool(c[1]) ? newClient(c[6], c[1], t) : null;
        if (novel != null) {
          out.put(id, "call-tool|" + novel + "|" + (own ? "1" : "0") + "|" + key);
        } else if (own) {
          out.put(id, "call-own|" + key);
        } else {
          rejected.add(id);
        }
      }
      for (String id : out.keySet()) pending.remove(id);
      return out;
    }

    /**
     * {@code <time>|<digest>|<source>|<reference>} of the push before {@code id} (at {@code t}, from {@code source}) of
     * the same tag when that push wrote another digest from another address, else null.
     */
    private String overwritten(String id, String source, long t) {
      String ref = pushOf.get(id);
      TreeMap<Long, TreeMap<String, String[]>> byTime = ref == null ? null : pushes.get(ref);
      if (byTime == null) return null;
      TreeMap<String, String[]> at = byTime.get(t);
      String[] mine = at == null ? null : at.get(id);
      if (mine == null) return null;
      String digest = mine[0];
      // the latest earlier push (a push at the same time is no "before")
      Map.Entry<Long, TreeMap<String, String[]>> before = byTime.lowerEntry(t);
      if (before == null) return null;
      String[] prev = before.getValue().lastEntry().getValue();
      if (prev[0].equals(digest) || source.isEmpty() || prev[1].isEmpty() || prev[1].equals(source)) return null;
      return before.getKey() + "|" + prev[0] + "|" + prev[1] + "|" + ref;
    }

    /**
     * {@code <first>|<n>} when {@code kind} is new for {@code principal} at {@code t}: its first call of that kind is
     * at most {@link #NEW_CLIENT_SPAN_MICROS} before {@code t} and every earlier call (n >= 1) was an SDK's; else null.
     */
    private String newClient(String principal, String kind, long t) {
      TreeMap<Long, TreeMap<String, String>> byTime = calls.get(principal);
      if (byTime == null) return null;
      Long first = null;
      int sdk = 0;
      for (Map.Entry<Long, TreeMap<String, String>> at : byTime.headMap(t, true).entrySet()) {
        if (at.getValue().containsValue(kind)) {
          first = at.getKey();
          break;
        }
        for (String k : at.getValue().values()) {
          if (!k.equals("sdk")) return null; // a human's or another tool's call before: not an SDK-only principal
          sdk++;
        }
      }
      if (first == null || sdk == 0 || t - first > NEW_CLIENT_SPAN_MICROS) return null;
      return first + "|" + sdk;
    }
  }
}
