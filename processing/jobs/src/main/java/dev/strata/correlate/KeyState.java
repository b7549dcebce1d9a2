package dev.strata.correlate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bindings stated for one lookup key: a compact interval list per binding kind, and its byte encoding (one value
 * per key in Flink state, so RocksDB reads and writes one small blob per record).
 *
 * <p>An entry is either a <em>start</em> (the subject is bound to an object from {@code from}, until {@code to} if
 * stated) or an <em>end</em> (from {@code from} the subject is no longer bound to that object: pod deleted,
 * container died, task stopped). At time t the binding of a kind is found by walking back from the last entry with
 * {@code from <= t}: ends met on the way name objects that are over; the first start whose object is not over, and
 * whose stated end is after t, is the answer. So a later start of another object closes the previous one (an IP given
 * to another pod), and evidence can arrive in any order: the list is kept sorted by time, and resolving is a pure
 * function of the list.
 *
 * <p>Scopes: the state of a {@link LookupKeys#stateKey} shared by the scopes of one address holds each entry with the
 * scopes it was stated for ({@code aws:<account>:<vpc>}, {@code k8s:<cluster>}, ...); the intervals of each scope are
 * walked alone ({@link #resolve(String, long)}), so a start in one VPC never closes a holder in another. An entry of an
 * unshared key has no scopes (null) and answers the lookups of scope null.
 *
 * <p>Restatements (every Falco alert restates container -> pod) do not grow the list: a start of the object already
 * bound at that time is dropped, and one slightly earlier than the current start moves the start back.
 *
 * <p>Encoding per entry (since session 19, flag 64): kind, flags, attribute bit mask, the mask of the attributes not
 * written whole ({@link #coded}: a cluster or account the entry's scopes state, a service account's namespace, a UUID),
 * object key (omitted when it is the attributes' namespace/pod_name), the other attribute values (UTF-8, varint
 * length), for an entry with scopes (flag 8) their count and the scopes, then from (zig-zag varint delta to the
 * previous entry; in seconds with flag 32), to (varint delta to from), the UUIDs' 16 bytes and the 32-byte binding id:
 * what repeats from key to key first, the random-looking bytes last, one run each for RocksDB's LZ4. Typical ip -> pod
 * entry with namespace, pod name, uid, node, cluster, service account, account, in a VPC's and a cluster's scopes:
 * ~155 bytes, ~91 in an LZ4 block of such entries (CorrelateBenchmark's extractor shape). The layout before (times
 * and id first, every value written, a UUID as a marker and 16 bytes) still decodes ({@code decodeBefore19}).
 */
public final class KeyState {
  /** One statement. {@code to == OPEN} when no end is stated. */
  public static final class Entry {
    final byte kind;
    final boolean end;
    final long from;
    final long to;
    final byte[] bindingId;
    final String object;
    final String[] attrs; // by Attr code, null where absent
    final String[] scopes; // the scopes it was stated for; null: an unshared key's entry

    public Entry(BindingKind kind, boolean end, long from, long to, byte[] bindingId, String object, String[] attrs) {
      this((byte) kind.ordinal(), end, from, to, bindingId, object, attrs, null);
    }

    Entry(byte kind, boolean end, long from, long to, byte[] bindingId, String object, String[] attrs,
        String[] scopes) {
      this.kind = kind;
      this.end = end;
      this.from = from;
      this.to = to;
      this.bindingId = bindingId;
      this.object = object;
      this.attrs = attrs;
      this.scopes = scopes;
    }

    /** This statement, stated for {@code scopes} (in the state of a shared key; null: unscoped). */
    public Entry inScopes(List<String> scopes) {
      return new Entry(kind, end, from, to, bindingId, object, attrs,
          scopes == null ? null : scopes.toArray(new String[0]));
    }

    /**
     * This statement with only the attributes of {@code mask} ({@link Attr} codes; -1 keeps all): what the lookups of
     * a key type may fill ({@link LookupKeys#fillable}).
     */
    public Entry keeping(int mask) {
      String[] kept = null;
      for (int c = 0; c < attrs.length; c++) {
        if (attrs[c] != null && (mask & (1 << c)) == 0) {
          if (kept == null) kept = attrs.clone();
          kept[c] = null;
        }
      }
      return kept == null ? this : new Entry(kind, end, from, to, bindingId, object, kept, scopes);
    }

    /** Whether this entry answers lookups of {@code scope} (null: the unscoped lookups of an unshared key). */
    boolean in(String scope) {
      if (scopes == null) return scope == null;
      if (scope == null) return false;
      for (String s : scopes) if (s.equals(scope)) return true;
      return false;
    }

    /** Whether the two entries have a scope in common (both unscoped counts). */
    boolean sharesScope(Entry o) {
      if (scopes == null) return o.scopes == null;
      for (String s : scopes) if (o.in(s)) return true;
      return false;
    }

    /** The scopes to walk for this entry (one null for an unscoped one). */
    String[] walkScopes() {
      return scopes == null ? NO_SCOPE : scopes;
    }

    public BindingKind kind() {
      return KINDS[kind];
    }

    public boolean isEnd() {
      return end;
    }

    public long from() {
      return from;
    }
  }

  public static final long OPEN = Long.MIN_VALUE;
  private static final String[] NO_SCOPE = {null};
  private static final BindingKind[] KINDS = BindingKind.values();
  private static final HexFormat HEX = HexFormat.of();

  private final List<Entry> entries;

  public KeyState() {
    this.entries = new ArrayList<>(2);
  }

  private KeyState(List<Entry> entries) {
    this.entries = entries;
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Adds a statement. Returns false when it changes nothing (same binding id already there, or a restatement of the
   * binding in force that adds nothing).
   */
  public boolean add(Entry n) {
    int held = heldInPlaceOf(n);
    if (held >= 0) return restate(held, n, n.attrs[INSTANCE] != null);
    int insertAt = entries.size();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (Arrays.equals(e.bindingId, n.bindingId)) {
        return false;
      }
      if (insertAt == entries.size() && (e.kind > n.kind || (e.kind == n.kind && e.from > n.from))) {
        insertAt = i;
      }
    }
    if (!n.end && n.to == OPEN) {
      // restatement of what is in force at n.from in each of its scopes: nothing new but the attributes it adds
      boolean inForce = true;
      for (String scope : n.walkScopes()) inForce &= openStartOf(n.kind, scope, n.object, n.from) != null;
      if (inForce) {
        boolean changed = false;
        for (String scope : n.walkScopes()) changed |= restate(entries.indexOf(openStartOf(n.kind, scope, n.object, n.from)), n, false);
        return changed;
      }
      // the next entry of this kind is an open start of the same object: moved back to n's start instead of adding one
      if (insertAt < entries.size()) {
        Entry next = entries.get(insertAt);
        if (next.kind == n.kind && !next.end && next.to == OPEN && next.object.equals(n.object)
            && Arrays.equals(next.scopes, n.scopes)) {
          return restate(insertAt, n, false);
        }
      }
    }
    entries.add(insertAt, n);
    return true;
  }

  private static final int INSTANCE = Attr.code(Attr.INSTANCE_UID);
  private static final int SERVICE_ACCOUNT = Attr.code(Attr.SERVICE_ACCOUNT);
  private static final int POD_UID = Attr.code(Attr.POD_UID);

  /**
   * {@code n} restates the held start at index {@code i} (the same kind and object): the one step of every
   * restatement ({@link #add}: the start in force, the next start moved back, the statement and its restatement with
   * the node's instance, {@link #heldInPlaceOf}). The held start's place gets the earlier of the two starts and the
   * union of the two statements' attributes: {@code n}'s where {@code nWins} (it carries the node's instance), else the
   * held ones, never changing one the winner has; so what the list holds for a binding is the union of what its
   * statements said, whichever came first (before session 19 the first statement's attributes stayed: a container's
   * start without its image digest, a kubelet's PLEG line, arriving before the one with it left every event of the
   * container without the digest; SupplyChainRolloutScenarioIT, one CI run in two). A new entry takes the held one's
   * place (an entry object may be held elsewhere too: never written in place); when its attributes changed it carries
   * {@code n}'s id, because the lookups detect a changed answer by its binding ids ({@code Resolution.ids}): the events
   * the held start covers are answered again, now with what was filled in. Returns whether anything changed.
   */
  private boolean restate(int i, Entry n, boolean nWins) {
    if (i < 0) return false;
    Entry held = entries.get(i);
    if (held == n) return false;
    String[] a = union(nWins ? n.attrs : held.attrs, nWins ? held.attrs : n.attrs);
    boolean filled = !Arrays.equals(a, held.attrs);
    long from = Math.min(held.from, n.from);
    if (!filled && from == held.from) return false;
    entries.set(i, new Entry(held.kind, held.end, from, held.to, filled ? n.bindingId : held.bindingId, held.object,
        a, held.scopes));
    return true;
  }

  /** {@code first}'s attributes with those it lacks taken from {@code second} ({@code first} itself if none). */
  private static String[] union(String[] first, String[] second) {
    String[] a = first;
    for (int c = 0; c < first.length && c < second.length; c++) {
      if (first[c] == null && second[c] != null) {
        if (a == first) a = first.clone();
        a[c] = second[c];
      }
    }
    return a;
  }

  /** Whether {@link #restate} of the held start {@code held} by {@code n} (held's attributes winning) fills any. */
  private static boolean fills(Entry held, Entry n) {
    return held != null && held != n && union(held.attrs, n.attrs) != held.attrs;
  }

  /**
   * The index of the held entry that {@code n} and it are a statement and its restatement with the node's instance
   * (one of the two carries {@code instance_uid}), or -1: arriving second, the one with the instance takes the held
   * entry's place, its attributes winning ({@link #restate}); arriving first it makes the other a restatement. For an
   * open start the held entry is the one in force at its start (a restatement moved it back).
   */
  private int heldInPlaceOf(Entry n) {
    if (n.end) return -1;
    boolean has = n.attrs[INSTANCE] != null;
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      boolean same = e.kind == n.kind && !e.end && e.to == n.to && e.object.equals(n.object)
          && Arrays.equals(e.scopes, n.scopes);
      if (!same || (e.from != n.from && !(n.to == OPEN && e == openStartOf(n.kind, n.walkScopes()[0], n.object, n.from)))) {
        continue;
      }
      boolean held = e.attrs[INSTANCE] != null;
      if (held == has || Arrays.equals(e.bindingId, n.bindingId)) return -1;
      return i;
    }
    return -1;
  }

  /**
   * The earliest time (micros) whose answer {@link #add}ing {@code n} may change: its start, or, for a restatement with
   * the node's instance that takes the place of a held entry whose start an earlier statement moved back, that held
   * start (the replacement keeps it: the events between the two starts get the instance too).
   */
  public long changesFrom(Entry n) {
    int i = heldInPlaceOf(n);
    if (i >= 0) return Math.min(n.from, entries.get(i).from);
    long from = n.from;
    if (!n.end && n.to == OPEN) {
      // a restatement filling the attributes of the start in force changes what that start answers, from its start
      for (String scope : n.walkScopes()) {
        Entry held = openStartOf(n.kind, scope, n.object, n.from);
        if (fills(held, n)) from = Math.min(from, held.from);
      }
    }
    return from;
  }

  /** The open start of {@code object} in force at t in {@code scope} (the one resolve would answer), or null. */
  private Entry openStartOf(byte kind, String scope, String object, long t) {
    Entry s = walk(kind, scope, t);
    return s != null && s.to == OPEN && s.object.equals(object) ? s : null;
  }

  /** The bindings in force at time t (micros), one per kind at most, in kind order: those of an unshared key. */
  public List<Hit> resolve(long t) {
    return resolve(null, t);
  }

  /**
   * The bindings in force at time t (micros) in {@code scope} ({@link LookupKeys#stateScope} of the lookup key; null
   * for an unshared key), one per kind at most, in kind order.
   */
  public List<Hit> resolve(String scope, long t) {
    List<Hit> out = new ArrayList<>(1);
    byte last = -1;
    for (Entry e : entries) {
      if (e.kind != last) {
        last = e.kind;
        Entry s = walk(e.kind, scope, t);
        if (s != null && e.kind == POD_NODE) {
          // a statement of the pod naming no node (its create, before the scheduler's binding) does not hide the
          // node an earlier statement of the same pod names: a pod never moves
          Entry known = s.object.isEmpty() ? knownNodeBefore(s, scope, t) : null;
          Entry answer = known != null ? known : s;
          out.add(hit(answer));
          Entry sa = answer.attrs[SERVICE_ACCOUNT] != null ? null
              : known != null && s.attrs[SERVICE_ACCOUNT] != null ? s : serviceAccountBefore(answer, scope);
          if (sa != null) out.add(hit(sa));
        } else if (s != null) {
          out.add(hit(s));
        }
      }
    }
    return out;
  }

  private static final byte POD_NODE = (byte) BindingKind.POD_NODE.ordinal();

  /**
   * When the pod's statement in force ({@code s}, a {@code pod_node}) does not name the pod's service account, the
   * latest earlier statement of the same pod that does, with no end of the pod between them: a pod's
   * {@code spec.serviceAccountName} cannot change during its life, but only the API server's pod objects state it, and
   * later statements of the pod's node (the scheduler's event, a sensor's pod metadata, a kubelet's status patch)
   * do not. Without it, the job pod of {@code CiRunnerEscapeScenarioIT} (created with its service account at 14:00:00,
   * scheduled at 14:00:01) lost its service account in every later event. Answered as a hit of its own, so the
   * enrichment lists its binding too (lineage); an earlier statement of another pod uid conflicts there and is not
   * used. Limit: once {@link #prune} dropped the earlier statement (past the lateness horizon) it no longer answers.
   */
  private Entry serviceAccountBefore(Entry s, String scope) {
    int sa = SERVICE_ACCOUNT;
    if (s.attrs[sa] != null) return null;
    int i = entries.indexOf(s);
    for (int j = i - 1; j >= 0; j--) {
      Entry e = entries.get(j);
      if (e.kind != s.kind) break;
      if (!e.in(scope)) continue;
      if (e.end) return null; // an end of the pod (a later pod of the same name is another pod)
      if (e.attrs[sa] != null) return e;
    }
    return null;
  }

  /**
   * For the pod's statement in force {@code s} that names no node ({@code pod_node} to "": the API server's create,
   * before the scheduler's binding; a request with the pod's token that names no node), the latest earlier start of
   * the same pod that names one, with no end of the pod between them, or null. Arrival order made this matter: the
   * Kubernetes event "Scheduled" (second precision: 10:04:09) and the scheduler's binding (10:04:09.407) are one start
   * once the earlier restatement moved the later back, so the create (10:04:09.124, no node) arriving last became the
   * pod's statement in force for the rest of its life, and every later event of the pod lost its node
   * (SupplyChainRolloutScenarioIT, the Pod Identity session's calls after the pod's delete, one CI run in two).
   */
  private Entry knownNodeBefore(Entry s, String scope, long t) {
    String uid = s.attrs[POD_UID];
    int at = entries.indexOf(s);
    for (int j = at - 1; j >= 0; j--) {
      Entry e = entries.get(j);
      if (e.kind != s.kind) break;
      if (!e.in(scope)) continue;
      if (e.end) return null; // an end of the pod (a later pod of the same name is another pod)
      if (e.object.isEmpty()) continue;
      if (uid != null && e.attrs[POD_UID] != null && !uid.equals(e.attrs[POD_UID])) return null; // another pod
      if (e.to != OPEN && e.to <= s.from) return null;
      // the pod's end after the statement naming no node (an end names the node: it does not close that statement)
      for (int k = at + 1; k < entries.size() && entries.get(k).kind == s.kind; k++) {
        Entry x = entries.get(k);
        if (x.from > t) break;
        if (x.end && x.in(scope) && x.object.equals(e.object)) {
          return t - x.from <= KINDS[s.kind].afterEndMicros() ? e : null;
        }
      }
      return e;
    }
    return null;
  }

  /** The start of {@code kind} in force at t in {@code scope}: entries of other scopes are not looked at. */
  private Entry walk(byte kind, String scope, long t) {
    List<String> ended = null;
    long endedAt = OPEN;
    for (int i = entries.size() - 1; i >= 0; i--) {
      Entry e = entries.get(i);
      if (e.kind > kind) continue;
      if (e.kind < kind) break;
      if (e.from > t || !e.in(scope)) continue;
      if (e.end) {
        if (ended == null) ended = new ArrayList<>(2);
        ended.add(e.object);
        endedAt = e.from; // walking back: the end nearest the start it closes
        continue;
      }
      if (ended != null && ended.contains(e.object)) {
        return KINDS[kind].keptAfterEnd() || t - endedAt <= KINDS[kind].afterEndMicros() ? e : null;
      }
      if (e.to != OPEN && t >= e.to) return t - e.to <= KINDS[kind].afterEndMicros() ? e : null;
      return e;
    }
    return null;
  }

  private static Hit hit(Entry e) {
    Map<String, String> attrs = new LinkedHashMap<>();
    for (int c = 0; c < e.attrs.length; c++) {
      if (e.attrs[c] != null) attrs.put(Attr.ALL.get(c), e.attrs[c]);
    }
    return new Hit(KINDS[e.kind], HEX.formatHex(e.bindingId), e.object, attrs);
  }

  /**
   * Drops what can no longer answer a lookup: starts whose interval (stated end, or the next entry of the kind)
   * ended before {@code horizon}, then ends with no start before them and before the horizon. If more than
   * {@code maxEntries} remain in one scope (an unshared key: in all), the oldest of that scope closed in each of its
   * scopes go first, so the statements of one scope never push out another scope's (a state key shared by the VPCs of
   * many accounts that reuse one address holds up to {@code maxEntries} per VPC). Returns how many were dropped.
   */
  public int prune(long horizon, int maxEntries) {
    int before = entries.size();
    List<Entry> keep = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      long endOf = effectiveEnd(i);
      if (!e.end && endOf != OPEN && endOf < horizon) continue;
      if (e.end && e.from < horizon && !hasStartBefore(keep, e)) continue;
      keep.add(e);
    }
    for (String[] over = crowdedScope(keep, maxEntries); over != null; over = crowdedScope(keep, maxEntries)) {
      int victim = -1;
      int first = -1;
      for (int i = 0; i < keep.size() && victim < 0; i++) {
        if (!keep.get(i).in(over[0])) continue;
        if (first < 0) first = i;
        if (followedInEachScope(keep, i)) victim = i; // not the last of its kind in any of its scopes
      }
      keep.remove(victim < 0 ? first : victim);
    }
    entries.clear();
    entries.addAll(keep);
    return before - entries.size();
  }

  private long effectiveEnd(int i) {
    return endOf(entries, i);
  }

  /**
   * When entry i of {@code list} stops answering: its stated end, or the next entry of its kind in its scope,
   * whichever comes first; in several scopes, the latest of those ends; OPEN while it is open in one of them.
   */
  private static long endOf(List<Entry> list, int i) {
    Entry e = list.get(i);
    long latest = Long.MIN_VALUE;
    for (String scope : e.walkScopes()) {
      long end = e.to;
      for (int j = i + 1; j < list.size() && list.get(j).kind == e.kind; j++) {
        if (list.get(j).in(scope)) {
          long next = list.get(j).from;
          end = end == OPEN ? next : Math.min(end, next);
          break;
        }
      }
      if (end == OPEN) return OPEN;
      latest = Math.max(latest, end);
    }
    return latest;
  }

  /** A scope (in a one-element array: the scope of an unshared key is null) with more than {@code max} entries. */
  private static String[] crowdedScope(List<Entry> list, int max) {
    if (list.size() <= max) return null;
    Map<String, Integer> count = new java.util.HashMap<>();
    for (Entry e : list) {
      for (String scope : e.walkScopes()) {
        if (count.merge(scope == null ? "" : "|" + scope, 1, Integer::sum) > max) return new String[] {scope};
      }
    }
    return null;
  }

  /** Whether a later entry of its kind follows entry i of {@code list} in each of its scopes. */
  private static boolean followedInEachScope(List<Entry> list, int i) {
    Entry e = list.get(i);
    for (String scope : e.walkScopes()) {
      boolean followed = false;
      for (int j = i + 1; j < list.size() && list.get(j).kind == e.kind && !followed; j++) {
        followed = list.get(j).in(scope);
      }
      if (!followed) return false;
    }
    return true;
  }

  private static boolean hasStartBefore(List<Entry> kept, Entry end) {
    for (Entry k : kept) {
      if (k.kind == end.kind && !k.end && k.sharesScope(end)) return true;
    }
    return false;
  }

  /**
   * Whether {@link #prune} can ever drop something here: an end, a start with a stated end, or a start followed by
   * another of its kind. A key whose only statements are open starts (most keys: a pod IP, a container) needs no
   * cleanup timer until a later statement closes one of them.
   */
  public boolean prunable() {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).end || effectiveEnd(i) != OPEN) return true;
    }
    return false;
  }

  /** {@link #prunable()} of an encoded state, read from the flags alone when it holds one entry. */
  public static boolean prunable(byte[] encoded) {
    if (encoded.length > 2 && encoded[0] == 1) return (encoded[2] & 3) != 0; // one entry: an end, or a stated end
    return decode(encoded).prunable();
  }

  /** The latest time any entry mentions (for cleanup timers). */
  public long latestTime() {
    long t = Long.MIN_VALUE;
    for (Entry e : entries) {
      t = Math.max(t, e.from);
      if (e.to != OPEN) t = Math.max(t, e.to);
    }
    return t;
  }

  // ------------------------------------------------------------------------------------------------- encoding

  private static final int NS = Attr.code(Attr.NAMESPACE);
  private static final int POD = Attr.code(Attr.POD_NAME);

  /** The object key is namespace/pod_name of the attributes: not stored twice. */
  private static boolean isPodKey(Entry e) {
    return e.attrs[NS] != null && e.attrs[POD] != null && e.object.length() == e.attrs[NS].length() + 1
        + e.attrs[POD].length() && e.object.startsWith(e.attrs[NS]) && e.object.endsWith(e.attrs[POD])
        && e.object.charAt(e.attrs[NS].length()) == '/';
  }

  // entry flags 64 and 32 (since the node join's session 19; an entry without 64 decodes as before)
  /**
   * Session 19's layout: the attribute mask, the mask of the attributes not written whole ({@link #coded}), the object,
   * the attributes' strings, the scopes, then the times, the UUIDs' 16 bytes and the id.
   */
  private static final int FORM_19 = 64;
  /** 3fdad2b's flag (main 07:26-, before this layout): the mask of the attributes not written whole follows the mask. */
  private static final int CODED_3FDAD2B = 16;
  /** The times' deltas are whole seconds, written in seconds (a Kubernetes object's times have no fraction). */
  private static final int SECONDS = 32;
  private static final long SECOND = 1_000_000L;
  private static final int CLUSTER = Attr.code(Attr.CLUSTER);
  private static final int ACCOUNT = Attr.code(Attr.ACCOUNT_UID);
  private static final int SA = Attr.code(Attr.SERVICE_ACCOUNT);

  /**
   * The attributes of {@code e} not written whole, as a mask of their codes: a {@code cluster} that the entry's first
   * {@code k8s:<cluster>} scope states and an {@code account_uid} that its first {@code aws:<account>[:<vpc>]} scope
   * states (not written: an address's entry holds both scopes), a {@code service_account} {@code <namespace>/<name>} of
   * the entry's own namespace (only the name written); any other attribute whose value is a lower-case UUID (its 16
   * bytes written after the times). Each is checked against what {@link #decode} gives back.
   */
  private static int coded(Entry e) {
    int coded = 0;
    for (int c = 0; c < e.attrs.length; c++) {
      if (e.attrs[c] != null && c != CLUSTER && c != ACCOUNT && c != SA && isUuid(e.attrs[c])) coded |= 1 << c;
    }
    if (e.attrs[CLUSTER] != null && e.attrs[CLUSTER].equals(scopePart(e.scopes, "k8s:"))) coded |= 1 << CLUSTER;
    if (e.attrs[ACCOUNT] != null && e.attrs[ACCOUNT].equals(scopePart(e.scopes, "aws:"))) coded |= 1 << ACCOUNT;
    String sa = e.attrs[SA];
    String ns = e.attrs[NS];
    if (sa != null && ns != null && sa.length() > ns.length() + 1 && sa.charAt(ns.length()) == '/'
        && sa.startsWith(ns)) {
      coded |= 1 << SA;
    }
    return coded;
  }

  /**
   * The cluster of the first {@code k8s:<cluster>} scope ({@code prefix} "k8s:"), or the account of the first {@code
   * aws:<account>[:...]} one ("aws:"); null when there is none (an unscoped entry) or it is empty.
   */
  private static String scopePart(String[] scopes, String prefix) {
    if (scopes == null) return null;
    for (String s : scopes) {
      if (s == null || !s.startsWith(prefix)) continue;
      int end = prefix.equals("aws:") ? s.indexOf(':', 4) : -1;
      String part = s.substring(4, end < 0 ? s.length() : end);
      return part.isEmpty() ? null : part;
    }
    return null;
  }

  /** {@code e} alone, encoded: the state of a key that holds only {@code e} ({@link #decode} reads it back). */
  public static byte[] encode(Entry e) {
    KeyState s = new KeyState();
    s.entries.add(e);
    return s.encode();
  }

  /** The first entry of an encoded state (of a one-entry state: its entry). */
  public static Entry firstEntry(byte[] encoded) {
    return decode(encoded).entries.get(0);
  }

  public byte[] encode() {
    Out o = new Out(64 + entries.size() * 128);
    o.varint(entries.size());
    long prev = 0;
    for (Entry e : entries) {
      // session 19's layout (FORM_19): what repeats from entry to entry and key to key first (kind, flags, masks,
      // strings, scopes), the random-looking bytes last (times, UUIDs, the id), so RocksDB's LZ4 finds one run
      o.write(e.kind);
      boolean podKey = isPodKey(e);
      int coded = coded(e);
      boolean seconds = (e.from - prev) % SECOND == 0 && (e.to == OPEN || (e.to - e.from) % SECOND == 0);
      o.write((e.end ? 1 : 0) | (e.to != OPEN ? 2 : 0) | (podKey ? 4 : 0) | (e.scopes != null ? 8 : 0)
          | (seconds ? SECONDS : 0) | FORM_19);
      int mask = 0;
      for (int c = 0; c < e.attrs.length; c++) if (e.attrs[c] != null) mask |= 1 << c;
      o.varint(mask);
      o.varint(coded);
      if (!podKey) o.string(e.object);
      for (int c = 0; c < e.attrs.length; c++) {
        if (e.attrs[c] == null) continue;
        if ((coded & 1 << c) == 0) {
          o.string(e.attrs[c]);
        } else if (c == SA) {
          o.string(e.attrs[c].substring(e.attrs[NS].length() + 1)); // the part after "<namespace>/"
        }
      }
      if (e.scopes != null) {
        o.varint(e.scopes.length);
        for (String scope : e.scopes) o.string(scope);
      }
      long unit = seconds ? SECOND : 1;
      o.zigzag((e.from - prev) / unit);
      prev = e.from;
      if (e.to != OPEN) o.zigzag((e.to - e.from) / unit);
      for (int c = 0; c < e.attrs.length; c++) {
        if ((coded & 1 << c) != 0 && c != CLUSTER && c != ACCOUNT && c != SA) o.uuid(e.attrs[c]);
      }
      o.write(e.bindingId, 0, 32);
    }
    return o.toByteArray();
  }

  public static KeyState decode(byte[] b) {
    if (b == null || b.length == 0) return new KeyState();
    In in = new In(b);
    int n = (int) in.varint();
    List<Entry> list = new ArrayList<>(n + 1);
    long prev = 0;
    for (int i = 0; i < n; i++) {
      byte kind = b[in.p++];
      int flags = b[in.p++];
      Entry e = (flags & FORM_19) != 0 ? decode19(in, kind, flags, prev) : decodeBefore19(in, kind, flags, prev);
      prev = e.from;
      list.add(e);
    }
    return new KeyState(list);
  }

  /**
   * An entry of the layout before session 19: times, id, object, attributes, scopes; as 3fdad2b (session 19's first
   * landing) wrote it also with flag 16 (a mask of the attributes not written whole, {@link #coded} without the UUIDs)
   * and 32 ({@link #SECONDS}).
   */
  private static Entry decodeBefore19(In in, byte kind, int flags, long prev) {
    long unit = (flags & SECONDS) != 0 ? SECOND : 1;
    long from = prev + in.zigzag() * unit;
    long to = (flags & 2) != 0 ? from + in.zigzag() * unit : OPEN;
    byte[] id = Arrays.copyOfRange(in.b, in.p, in.p + 32);
    in.p += 32;
    String object = (flags & 4) != 0 ? null : in.string();
    int mask = (int) in.varint();
    int coded = (flags & CODED_3FDAD2B) != 0 ? (int) in.varint() : 0;
    String[] attrs = attrs(in, mask, coded);
    if (object == null) object = attrs[NS] + "/" + attrs[POD];
    String[] scopes = scopes(in, flags, coded, attrs);
    return new Entry(kind, (flags & 1) != 0, from, to, id, object, attrs, scopes);
  }

  /**
   * The attribute values of {@code mask} (a coded service account is its name under the namespace attribute's), as the
   * layouts since 3fdad2b write them.
   */
  private static String[] attrs(In in, int mask, int coded) {
    String[] attrs = new String[Attr.ALL.size()];
    for (int c = 0; c < attrs.length; c++) {
      if ((mask & (1 << c)) != 0 && ((coded & 1 << c) == 0 || c == SA)) attrs[c] = in.string();
    }
    if ((coded & 1 << SA) != 0) attrs[SA] = attrs[NS] + "/" + attrs[SA];
    return attrs;
  }

  /** The entry's scopes (flag 8; else null), and the cluster / account attributes its scopes state when coded. */
  private static String[] scopes(In in, int flags, int coded, String[] attrs) {
    String[] scopes = null;
    if ((flags & 8) != 0) {
      scopes = new String[(int) in.varint()];
      for (int s = 0; s < scopes.length; s++) scopes[s] = in.string();
    }
    if ((coded & 1 << CLUSTER) != 0) attrs[CLUSTER] = scopePart(scopes, "k8s:");
    if ((coded & 1 << ACCOUNT) != 0) attrs[ACCOUNT] = scopePart(scopes, "aws:");
    return scopes;
  }

  /** An entry of session 19's layout ({@link #encode}). */
  private static Entry decode19(In in, byte kind, int flags, long prev) {
    int mask = (int) in.varint();
    int coded = (int) in.varint();
    String object = (flags & 4) != 0 ? null : in.string();
    String[] attrs = attrs(in, mask, coded);
    if (object == null) object = attrs[NS] + "/" + attrs[POD];
    String[] scopes = scopes(in, flags, coded, attrs);
    long unit = (flags & SECONDS) != 0 ? SECOND : 1;
    long from = prev + in.zigzag() * unit;
    long to = (flags & 2) != 0 ? from + in.zigzag() * unit : OPEN;
    for (int c = 0; c < attrs.length; c++) {
      if ((coded & 1 << c) != 0 && c != CLUSTER && c != ACCOUNT && c != SA) attrs[c] = in.uuid();
    }
    byte[] id = Arrays.copyOfRange(in.b, in.p, in.p + 32);
    in.p += 32;
    return new Entry(kind, (flags & 1) != 0, from, to, id, object, attrs, scopes);
  }

  /** Growable output with varints and compact strings. */
  private static final class Out extends ByteArrayOutputStream {
    Out(int size) {
      super(size);
    }

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      write((int) v);
    }

    void zigzag(long v) {
      varint((v << 1) ^ (v >> 63));
    }

    /** A UUID's 16 bytes ({@link #isUuid}). */
    void uuid(String s) {
      for (int i = 0; i < 36; i += 2) {
        if (s.charAt(i) == '-') i++;
        write(Character.digit(s.charAt(i), 16) << 4 | Character.digit(s.charAt(i + 1), 16));
      }
    }

    /** UUID-shaped (8-4-4-4-12 lower hex): marker 0 + 16 bytes; else varint(len+1) + UTF-8. */
    void string(String s) {
      if (isUuid(s)) {
        write(0);
        uuid(s);
        return;
      }
      byte[] u = s.getBytes(StandardCharsets.UTF_8);
      varint(u.length + 1L);
      write(u, 0, u.length);
    }
  }

  private static boolean isUuid(String s) {
    if (s.length() != 36) return false;
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  private static final class In {
    final byte[] b;
    int p;

    In(byte[] b) {
      this.b = b;
    }

    long varint() {
      long v = 0;
      int shift = 0;
      while (true) {
        int x = b[p++];
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) return v;
        shift += 7;
      }
    }

    long zigzag() {
      long v = varint();
      return (v >>> 1) ^ -(v & 1);
    }

    /** A UUID's 16 bytes as its 8-4-4-4-12 text. */
    String uuid() {
      StringBuilder s = new StringBuilder(36);
      for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.append('-');
        s.append(HEX.toHexDigits(b[p++]));
      }
      return s.toString();
    }

    String string() {
      int len = (int) varint();
      if (len == 0) return uuid();
      String s = new String(b, p, len - 1, StandardCharsets.UTF_8);
      p += len - 1;
      return s;
    }
  }
}
