package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An IAM access key used after its owner deleted it or made it inactive: someone holds a key its owner revoked (MITRE
 * ATT&amp;CK T1078.004 valid cloud accounts, used after the defender's response; GuardDuty has no finding for it, its
 * {@code InstanceCredentialExfiltration} findings are about where, not when). AWS refuses such a key ({@code
 * InvalidClientTokenId}; an inactive key's call is refused too), so a refused call is the holder trying it, and a
 * successful one means a reactivation that was not collected, logs out of order or a forged record: both are signals
 * ({@code revoked_key_use}, credential access, High; a call already a signal keeps its stage and gains the reason).
 *
 * <p>Read from the same CloudTrail records the correlation job's {@code join-key-status} reads ({@code
 * iam:DeleteAccessKey}: deleted; {@code iam:UpdateAccessKey} {@code requestParameters.status} Inactive / Active;
 * successful ones only), keyed by {@code requestParameters.accessKeyId}: the enriched event carries no status field
 * (docs/correlation.md "A created key's status": the fact is on the restated binding, whose id alone the call's
 * enrichment names), so the incident job keeps the status changes itself. This also covers a user's own keys, which
 * the correlation job's statements do not (it closes only keys a role session created). A call is judged against the
 * latest change strictly before it (a reactivation in between makes it fine again), once the watermark passed it; a
 * change that arrives later than a call re-judges that key's calls after it, so both arrival orders give the same row.
 * The decision is a row's reason and summary, not state: after a restore or a newer revision of the call it is taken
 * again from the members.
 */
final class RevokedKeyUse {
  private RevokedKeyUse() {}

  static final String REASON = "revoked_key_use";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  static final String DELETED = "deleted";
  static final String INACTIVE = "inactive";
  static final String ACTIVE = "active";

  /**
   * {@code keys|<key>|<status>|<by>|<call key>} for a successful {@code DeleteAccessKey} / {@code UpdateAccessKey},
   * else null; {@code callKey} ({@link CredentialClients#key}, may be null) rides along so the client rule still sees
   * the call.
   */
  static String key(EvidenceEvent e, String callKey) {
    if (!"aws_cloudtrail".equals(e.getSourceFormat()) || e.getApi() == null || e.getUnmapped() == null
        || "Failure".equals(e.getStatus()) || (e.getApi().getResponseError() != null
            && !e.getApi().getResponseError().isBlank())) {
      return null;
    }
    String op = e.getApi().getOperation();
    if (!"DeleteAccessKey".equals(op) && !"UpdateAccessKey".equals(op)) return null;
    String req = e.getUnmapped().get("requestParameters");
    if (req == null || req.isEmpty() || req.charAt(0) != '{') return null;
    try {
      var r = JSON.readTree(req);
      String keyId = EntityKeys.trim(r.path("accessKeyId").asText(null));
      String status = "DeleteAccessKey".equals(op) ? DELETED : EntityKeys.trim(r.path("status").asText(null));
      if (keyId == null || status == null || keyId.contains("|")) return null;
      status = status.toLowerCase(Locale.ROOT);
      if (!status.equals(DELETED) && !status.equals(INACTIVE) && !status.equals(ACTIVE)) return null;
      String by = e.getActor() == null ? null : EntityKeys.first(e.getActor().getUserUid(), e.getActor().getUserName());
      return "keys|" + keyId + "|" + status + "|" + (by == null ? "" : by.replace('|', '_')) + "|"
          + (callKey == null ? "" : callKey);
    } catch (Exception truncated) {
      return null;
    }
  }

  /** The call key a status change's key carries ({@link CredentialClients}), or null; other keys as they are. */
  static String callKey(String k) {
    if (k == null || !k.startsWith("keys|")) return k;
    String[] p = k.split("\\|", 5);
    return p.length < 5 || p[4].isEmpty() ? null : p[4];
  }

  /** The key a member used (its access key entity as the actor, a CloudTrail call), or null. */
  static String usedKey(Member m) {
    if (!"aws_cloudtrail".equals(m.sourceFormat())) return null;
    for (Entity x : m.entities()) {
      if (Entity.ACCESS_KEY.equals(x.type()) && Entity.ACTOR.equals(x.role())) return x.key();
    }
    return null;
  }

  /** The call's member made a revoked key's use ({@code decision}: {@code <key>|<status>|<time>|<event>|<by>}). */
  static Member apply(Member m, String decision) {
    String[] d = decision.split("\\|", 5);
    long at = Long.parseLong(d[2]);
    String when = Instant.ofEpochSecond(Math.floorDiv(at, 1_000_000L), Math.floorMod(at, 1_000_000L) * 1000).toString();
    String what = DELETED.equals(d[1]) ? "deleted it (DeleteAccessKey" : "made it inactive (UpdateAccessKey Inactive";
    String summary = m.summary() + " (access key " + d[0] + " used after its owner " + what + " at " + when
        + (d[4].isEmpty() ? "" : " by " + d[4]) + ", event " + d[3] + "): someone holds a key its owner revoked)";
    boolean was = m.signal();
    return new Member(m.eventId(), m.timeMicros(), m.layer(), m.className(), m.sourceFormat(), summary, true,
        Math.max(4, m.severityId()), was ? m.stage() : AttackStage.CREDENTIAL_ACCESS,
        m.reason() == null ? REASON : m.reason() + "; " + REASON, m.artifactSha256(), m.origin(), m.byteOffset(),
        m.lineNumber(), m.recordIndex(), m.entities(), m.indicators(), m.burstKey(), m.detections(), m.lane(),
        m.execKey());
  }

  static boolean decided(Member m) {
    return m.reason() != null && m.reason().contains(REASON);
  }

  /** Status changes and uses per key: derived state, rebuilt from the members. */
  static final class Ledger {
    /** key -> time -> event id -> {status, by}. */
    private final Map<String, TreeMap<Long, TreeMap<String, String[]>>> changes = new HashMap<>();
    /** key -> time -> undecided uses. */
    private final Map<String, TreeMap<Long, TreeSet<String>>> uses = new HashMap<>();
    /** Keys with an undecided use to judge at the next flush. */
    private final Set<String> dirty = new HashSet<>();
    /** event id -> {kind, key, time}. */
    private final Map<String, Object[]> added = new HashMap<>();

    void add(Member m) {
      if (added.containsKey(m.eventId())) return;
      String k = m.execKey();
      long t = m.timeMicros();
      if (k != null && k.startsWith("keys|")) {
        String[] p = k.split("\\|", 5);
        changes.computeIfAbsent(p[1], x -> new TreeMap<>()).computeIfAbsent(t, x -> new TreeMap<>())
            .put(m.eventId(), new String[] {p[2], p[3]});
        added.put(m.eventId(), new Object[] {"c", p[1], t});
        if (uses.containsKey(p[1])) dirty.add(p[1]); // calls judged before it arrived: again
      }
      String used = usedKey(m);
      if (used == null || decided(m)) return;
      uses.computeIfAbsent(used, x -> new TreeMap<>()).computeIfAbsent(t, x -> new TreeSet<>()).add(m.eventId());
      if (!added.containsKey(m.eventId())) added.put(m.eventId(), new Object[] {"u", used, t});
      else added.put(m.eventId(), new Object[] {"cu", used, t, added.get(m.eventId())[1]});
      dirty.add(used);
    }

    void remove(String eventId) {
      Object[] a = added.remove(eventId);
      if (a == null) return;
      long t = (Long) a[2];
      String kind = (String) a[0];
      if (kind.startsWith("c")) {
        String key = kind.equals("cu") ? (String) a[3] : (String) a[1];
        TreeMap<Long, TreeMap<String, String[]>> byTime = changes.get(key);
        if (byTime != null) {
          TreeMap<String, String[]> at = byTime.get(t);
          if (at != null) {
            at.remove(eventId);
            if (at.isEmpty()) byTime.remove(t);
          }
          if (byTime.isEmpty()) changes.remove(key);
        }
      }
      if (kind.endsWith("u")) {
        String key = (String) a[1];
        TreeMap<Long, TreeSet<String>> byTime = uses.get(key);
        if (byTime == null) return;
        TreeSet<String> at = byTime.get(t);
        if (at != null) {
          at.remove(eventId);
          if (at.isEmpty()) byTime.remove(t);
        }
        if (byTime.isEmpty()) uses.remove(key);
      }
    }

    /** The uses of revoked keys at {@code watermarkMicros} (MAX: all; MIN: none): event id -> decision. */
    Map<String, String> decide(long watermarkMicros) {
      Map<String, String> out = new LinkedHashMap<>();
      if (watermarkMicros == Long.MIN_VALUE || dirty.isEmpty()) return out;
      Set<String> again = new HashSet<>();
      for (String key : dirty) {
        TreeMap<Long, TreeSet<String>> byTime = uses.get(key);
        TreeMap<Long, TreeMap<String, String[]>> ch = changes.get(key);
        if (byTime == null) continue;
        for (Map.Entry<Long, TreeSet<String>> at : byTime.entrySet()) {
          long t = at.getKey();
          if (watermarkMicros != Long.MAX_VALUE && t > watermarkMicros) {
            again.add(key);
            break;
          }
          Map.Entry<Long, TreeMap<String, String[]>> last = ch == null ? null : ch.lowerEntry(t);
          if (last == null) continue;
          // two changes at one time: a deletion wins (it cannot be undone)
          String id = null;
          String[] change = null;
          for (Map.Entry<String, String[]> c : last.getValue().entrySet()) {
            if (change == null || DELETED.equals(c.getValue()[0]) && !DELETED.equals(change[0])) {
              id = c.getKey();
              change = c.getValue();
            }
          }
          if (change == null || ACTIVE.equals(change[0])) continue;
          for (String use : at.getValue()) {
            if (!use.equals(id)) out.put(use, key + "|" + change[0] + "|" + last.getKey() + "|" + id + "|" + change[1]);
          }
        }
      }
      dirty.clear();
      dirty.addAll(again);
      return out;
    }
  }
}
