package dev.strata.correlate;

import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.BindingLineage;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.EntityRef;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A statement in a compact binary form, for statements held only to be given back whole (the node join's statements
 * waiting for their node's instance, {@code join-node-instances}): lossless, about two thirds of the Avro form (the
 * extractor's statements of the correlation scenario). What the Avro form spends and this one does not: 64-character
 * hex ids as their 32 bytes (the binding id, the lineage's event id, the artifact's SHA-256; the lineage's event id
 * omitted when it is the binding id), attribute names as their {@link Attr} code (the codes {@code KeyState} holds:
 * {@link Attr#ALL} only grows at its end), the object's key omitted when it is the attributes' {@code
 * namespace/pod_name} (as {@code KeyState} does), times as varints, defaults as flag bits; since session 18 also an
 * attribute value that the statement's scopes state (a pod's {@code cluster}, an address's {@code account_uid}) as a
 * code, a UUID as its 16 bytes, and, in the join's state only, the statement's id where the extractor's formula gives
 * it back ({@link #withoutDerivableId}); since session 19 (form 5) an address as its 4 bytes, a service account of the
 * statement's namespace as its name, whole seconds in seconds, and each statement's strings before its random-looking
 * values (one run for RocksDB's LZ4 where values repeat along a node's list). A statement this form does
 * not describe (a fact's fields set: evidence, counts, revision, retracted) is held as its Avro bytes behind a tag
 * byte, so every {@link EntityBinding} round-trips.
 *
 * <p>The fields it knows are {@link #FIELDS} (and those of {@code EntityRef} and {@code BindingLineage}): {@code
 * CompactStatementsTest} fails when the schema gains one, so a new field is never dropped silently.
 */
public final class CompactStatements {
  /** The fields of {@link EntityBinding} this form writes (or, for a statement, knows to be at their default). */
  public static final List<String> FIELDS = List.of("binding_id", "kind", "subject", "object", "attributes",
      "valid_from", "valid_to", "end_observed", "confidence", "source_format", "lineage", "evidence", "evidence_count",
      "revision", "retracted");

  /** Session 17's form (still read: savepoints hold it): flags as one byte, attribute values as strings. */
  private static final byte COMPACT = 1;
  private static final byte AVRO = 2;
  /**
   * Since session 18: the id omitted where it is derived ({@link #ID_DERIVED}), attribute values
   * derived from the statement's scopes or written as a UUID's 16 bytes where they can be ({@link #value}).
   */
  private static final byte COMPACT_2 = 3;
  /**
   * Since session 18 (what {@link #encode} wrote until session 19): form 3's fields grouped by how they repeat along one node's list
   * of waiting statements. First what the statements of a list share (flags, kind, the types and scopes, source
   * format, artifact, the attributes' names, and the values of the node's name and of the attributes the scopes
   * state), then what each has of its own (keys, other attribute values, times, event id, offsets) and the id last
   * (so {@link #withoutDerivableId} cuts it off). RocksDB compresses a list's blocks with LZ4: a shared run of bytes
   * costs one back-reference where form 3 interleaved it with each statement's own bytes (a reference per field).
   */
  private static final byte GROUPED = 4;
  /**
   * Since session 19 (what {@link #encode} writes): form 4 and a second flags byte ({@link #SECONDS}), the subject's
   * key of an {@code ip} as its 4 bytes ({@link #IPV4}), a {@code service_account} of the statement's own namespace as
   * its name ({@link #SA_OF_NAMESPACE}), times in whole seconds where they are.
   */
  private static final byte GROUPED_5 = 5;
  /** Form 5's second flags byte: the start and the stated end are whole seconds, written in seconds. */
  private static final int SECONDS = 1;
  private static final long SECOND = 1_000_000L;
  private static final int TO = 1;
  private static final int END = 2;
  private static final int EVENT_IS_BINDING = 4;
  private static final int LINE = 8;
  private static final int RECORD = 16;
  private static final int CONFIDENCE = 32;
  private static final int OBJECT_IS_POD = 64;
  /** The id is the extractor's formula over the statement's own fields ({@link BindingExtractor#bindingId}): omitted. */
  private static final int ID_DERIVED = 128;
  // an attribute value that is not written as a string (after a 0 where a string's length + 1 would be)
  private static final int CLUSTER_OF_OBJECT = 1; // the object's scope is k8s:<value>
  private static final int CLUSTER_OF_SUBJECT = 2; // the subject's scope is k8s:<value>
  private static final int ACCOUNT_OF_SUBJECT = 3; // the subject's scope is aws:<value>[:...]
  private static final int ACCOUNT_OF_OBJECT = 4; // the object's scope is aws:<value>[:...]
  private static final int UUID = 5; // a lower-case 8-4-4-4-12 UUID: its 16 bytes follow
  private static final int SA_OF_NAMESPACE = 6; // <namespace>/<name> of the statement's namespace: <name> follows
  private static final int IPV4 = 7; // a dotted-quad IPv4 address as written by Java: its 4 bytes follow
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final AvroCodec<EntityBinding> avro = AvroCodec.of(EntityBinding.class);
  private final MessageDigest sha256;

  public CompactStatements() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code b} in the compact form. */
  public byte[] encode(EntityBinding b) {
    if (!b.getEvidence().isEmpty() || b.getEvidenceCount() != 0 || b.getRevision() != 0 || b.getRetracted()) {
      byte[] a = avro.encode(b);
      byte[] out = new byte[a.length + 1];
      out[0] = AVRO;
      System.arraycopy(a, 0, out, 1, a.length);
      return out;
    }
    Out o = new Out();
    BindingLineage l = b.getLineage();
    Map<String, String> attrs = b.getAttributes();
    String podKey = podKey(attrs);
    int flags = (b.getValidTo() != null ? TO : 0) | (b.getEndObserved() ? END : 0)
        | (l.getEventId().equals(b.getBindingId()) ? EVENT_IS_BINDING : 0) | (l.getLineNumber() != null ? LINE : 0)
        | (l.getRecordIndex() != null ? RECORD : 0) | (b.getConfidence() != 1.0f ? CONFIDENCE : 0)
        | (podKey != null && podKey.equals(b.getObject().getKey()) ? OBJECT_IS_POD : 0);
    long from = BindingExtractor.micros(b.getValidFrom());
    long to = b.getValidTo() != null ? BindingExtractor.micros(b.getValidTo()) : from;
    boolean seconds = from % SECOND == 0 && (to - from) % SECOND == 0;
    o.write(GROUPED_5);
    o.write(flags);
    o.write(seconds ? SECONDS : 0);
    // what the statements of one node's list share
    o.string(b.getKind());
    o.string(b.getSubject().getType());
    o.string(b.getSubject().getScope());
    o.string(b.getObject().getType());
    o.string(b.getObject().getScope());
    o.string(b.getSourceFormat());
    o.id(l.getArtifactSha256());
    o.varint(attrs.size());
    String subjectScope = b.getSubject().getScope();
    String objectScope = b.getObject().getScope();
    // each attribute's code and derivation once (Attr.code is a list search; this runs per statement)
    String[] own = new String[attrs.size()];
    boolean[] ofNamespace = new boolean[attrs.size()];
    boolean[] uuids = new boolean[attrs.size()];
    String ns = attrs.get(Attr.NAMESPACE);
    int i = 0;
    for (Map.Entry<String, String> a : attrs.entrySet()) {
      int code = Attr.code(a.getKey());
      // only the attributes a scope states are tried (the decode reads a derivation of any)
      int derived = code == CLUSTER_CODE || code == ACCOUNT_CODE ? derived(a.getValue(), subjectScope, objectScope) : 0;
      boolean shared = code == NODE_NAME_CODE || derived != 0;
      boolean uuid = !shared && isUuid(a.getValue());
      // a UUID's name is marked: its 16 bytes come after the strings (and its name precedes its value in the list)
      o.varint((code + 1) << 2 | (uuid ? 2 : 0) | (shared ? 1 : 0));
      if (code < 0) o.string(a.getKey());
      if (shared) {
        value(o, a.getValue(), derived);
      } else {
        ofNamespace[i] = code == SA_CODE && ofNamespace(a.getValue(), ns);
        uuids[i] = uuid;
        own[i++] = a.getValue();
      }
    }
    // what each has of its own: the values written as strings first, then the random-looking ones (the subject's
    // address, a UUID), so that what repeats along the list (a namespace, a service account) is one run for LZ4
    if ((flags & OBJECT_IS_POD) == 0) o.string(b.getObject().getKey());
    for (int j = 0; j < i; j++) {
      if (ofNamespace[j]) {
        o.write(0);
        o.write(SA_OF_NAMESPACE);
        o.string(own[j].substring(ns.length() + 1));
      } else if (!uuids[j]) {
        o.string(own[j]);
      }
    }
    subjectKey(o, b.getSubject().getType(), b.getSubject().getKey());
    for (int j = 0; j < i; j++) if (uuids[j]) uuid(o, own[j]);
    long unit = seconds ? SECOND : 1;
    o.varlong(zigzag(from / unit));
    if ((flags & TO) != 0) o.varlong(zigzag((to - from) / unit));
    if ((flags & CONFIDENCE) != 0) o.int32(Float.floatToIntBits(b.getConfidence()));
    o.varlong(zigzag(l.getByteOffset()));
    if ((flags & LINE) != 0) o.varlong(zigzag(l.getLineNumber()));
    if ((flags & RECORD) != 0) o.varlong(zigzag(l.getRecordIndex()));
    if ((flags & EVENT_IS_BINDING) == 0) o.id(l.getEventId());
    o.id(b.getBindingId());
    return o.toByteArray();
  }

  private static final int NODE_NAME_CODE = Attr.code(Attr.NODE_NAME);
  private static final int CLUSTER_CODE = Attr.code(Attr.CLUSTER);
  private static final int ACCOUNT_CODE = Attr.code(Attr.ACCOUNT_UID);
  private static final int SA_CODE = Attr.code(Attr.SERVICE_ACCOUNT);

  /** Whether a service account {@code sa} is {@code <ns>/<name>} ({@link #SA_OF_NAMESPACE}). */
  private static boolean ofNamespace(String sa, String ns) {
    return ns != null && sa.length() > ns.length() + 1 && sa.charAt(ns.length()) == '/' && sa.startsWith(ns);
  }

  /** The subject's key: an {@code ip}'s dotted quad as its 4 bytes ({@link #IPV4}), else the string. */
  private static void subjectKey(Out o, String type, String key) {
    int[] quad = "ip".equals(type) ? quad(key) : null;
    if (quad == null) {
      o.string(key);
      return;
    }
    o.write(0);
    o.write(IPV4);
    for (int q : quad) o.write(q);
  }

  /** The 4 numbers of a dotted quad as {@link #ipv4} gives it back (no leading zeros, 0-255), else null. */
  private static int[] quad(String s) {
    int[] q = new int[4];
    int part = 0;
    int digits = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (digits == 0 || ++part > 3) return null;
        digits = 0;
      } else if (c >= '0' && c <= '9') {
        if (digits > 0 && q[part] == 0) return null; // a leading zero
        q[part] = q[part] * 10 + (c - '0');
        if (++digits > 3 || q[part] > 255) return null;
      } else {
        return null;
      }
    }
    return part == 3 && digits > 0 ? q : null;
  }

  /** A lower-case 8-4-4-4-12 UUID's 16 bytes ({@link #isUuid}). */
  private static void uuid(Out o, String v) {
    for (int i = 0; i < 36; i += 2) {
      if (v.charAt(i) == '-') i++;
      o.write(Character.digit(v.charAt(i), 16) << 4 | Character.digit(v.charAt(i + 1), 16));
    }
  }

  private static String uuid(In in) {
    char[] c = new char[36];
    int j = 0;
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) c[j++] = '-';
      int x = in.read();
      c[j++] = HEX[x >>> 4];
      c[j++] = HEX[x & 15];
    }
    return new String(c);
  }

  private static String ipv4(In in) {
    return in.read() + "." + in.read() + "." + in.read() + "." + in.read();
  }

  /** {@link #GROUPED}'s and {@link #GROUPED_5}'s decode. */
  private EntityBinding decodeGrouped(byte[] bytes) {
    boolean v5 = bytes[0] == GROUPED_5;
    In in = new In(bytes, 1);
    int flags = in.read();
    int flags2 = v5 ? in.read() : 0;
    String kindId = in.string();
    String subjectType = in.string();
    String subjectScope = in.string();
    String objectType = in.string();
    String objectScope = in.string();
    String format = in.string();
    String artifact = in.id();
    int n = in.varint();
    String[] names = new String[n];
    String[] values = new String[n];
    boolean[] uuids = new boolean[n];
    for (int i = 0; i < n; i++) {
      int c = in.varint();
      int code = (c >>> (v5 ? 2 : 1)) - 1;
      uuids[i] = v5 && (c & 2) != 0;
      names[i] = code < 0 ? in.string() : Attr.ALL.get(code);
      if ((c & 1) != 0) values[i] = value(in, subjectScope, objectScope);
    }
    String subjectKey = v5 ? null : in.string();
    String objectKey = (flags & OBJECT_IS_POD) == 0 ? in.string() : null;
    Map<String, String> attrs = new LinkedHashMap<>(Math.max(4, n * 2));
    String saName = null;
    for (int i = 0; i < n; i++) {
      if (values[i] != null) {
        attrs.put(names[i], values[i]);
      } else if (!v5) {
        attrs.put(names[i], value(in, subjectScope, objectScope));
      } else if (uuids[i]) {
        attrs.put(names[i], null); // after the subject's key (its place in the map kept)
      } else if (in.b[in.p] == 0 && in.b[in.p + 1] == SA_OF_NAMESPACE) {
        in.p += 2;
        saName = in.string();
        attrs.put(names[i], null); // filled below, once the namespace is read
      } else {
        attrs.put(names[i], in.string());
      }
    }
    if (saName != null) attrs.put(Attr.SERVICE_ACCOUNT, attrs.get(Attr.NAMESPACE) + "/" + saName);
    if (v5) {
      subjectKey = value(in, null, null);
      for (int i = 0; i < n; i++) if (uuids[i]) attrs.put(names[i], uuid(in));
    }
    EntityRef subject = new EntityRef(subjectType, subjectKey, subjectScope);
    if (objectKey == null) objectKey = podKey(attrs);
    long unit = (flags2 & SECONDS) != 0 ? SECOND : 1;
    long from = unzigzag(in.varlong()) * unit;
    Long to = (flags & TO) != 0 ? from + unzigzag(in.varlong()) * unit : null;
    float confidence = (flags & CONFIDENCE) != 0 ? Float.intBitsToFloat(in.int32()) : 1.0f;
    long offset = unzigzag(in.varlong());
    Long line = (flags & LINE) != 0 ? unzigzag(in.varlong()) : null;
    Long record = (flags & RECORD) != 0 ? unzigzag(in.varlong()) : null;
    String eventId = (flags & EVENT_IS_BINDING) != 0 ? null : in.id();
    EntityRef object = new EntityRef(objectType, objectKey, objectScope);
    String id;
    if ((flags & ID_DERIVED) != 0) {
      // closing as BindingExtractor#isClosing: an end observed whose stated end is its start
      id = derivedId(kindId, subject, object, from, (flags & END) != 0 && to != null && to == from, eventId);
    } else {
      id = in.id();
    }
    if (eventId == null) eventId = id;
    return new EntityBinding(id, kindId, subject, object, attrs, instant(from), to == null ? null : instant(to),
        (flags & END) != 0, confidence, format, new BindingLineage(eventId, artifact, offset, line, record),
        new ArrayList<>(0), 0, 0, false);
  }

  /**
   * {@code compact} ({@link #encode} of {@code b}) without {@code b}'s id when the id is what the extractor derives
   * from the statement's own fields ({@link BindingExtractor#bindingId}: kind, subject, object, start, the lineage's
   * event id, closing) and {@link #decode} can derive it again: the form a statement is held in while it waits. The
   * extractor's statements are all such (32 bytes of 32 + 32 random-looking id bytes per statement: the other is the
   * lineage's event id, which nothing derives); a statement from elsewhere (a join's, a test's) keeps its id. Checked
   * here, per statement, by recomputing the id: lossless whatever the id's origin.
   */
  public byte[] withoutDerivableId(byte[] compact, EntityBinding b) {
    if (compact[0] != GROUPED && compact[0] != GROUPED_5) return compact;
    int flags = compact[1] & 0xff;
    int idAt = compact.length - 33; // the id is last
    if ((flags & (EVENT_IS_BINDING | ID_DERIVED)) != 0 || idAt < 2 || compact[idAt] != 0) return compact;
    if (!b.getBindingId().equals(derivedId(b.getKind(), b.getSubject(), b.getObject(),
        BindingExtractor.micros(b.getValidFrom()), BindingExtractor.isClosing(b), b.getLineage().getEventId()))) {
      return compact; // not the formula's (a join's statement, a test's): kept
    }
    byte[] out = java.util.Arrays.copyOf(compact, idAt);
    out[1] = (byte) (flags | ID_DERIVED);
    return out;
  }

  private String derivedId(String kind, EntityRef subject, EntityRef object, long from, boolean closing,
      String eventId) {
    return BindingExtractor.bindingId(sha256, kind, subject, object, from, closing, eventId);
  }

  /** The statement {@link #encode} (or {@link #withoutDerivableId}) wrote. */
  public EntityBinding decode(byte[] bytes) {
    if (bytes[0] == AVRO) {
      byte[] a = new byte[bytes.length - 1];
      System.arraycopy(bytes, 1, a, 0, a.length);
      return avro.decode(a);
    }
    if (bytes[0] == GROUPED || bytes[0] == GROUPED_5) return decodeGrouped(bytes);
    boolean v2 = bytes[0] == COMPACT_2;
    if (!v2 && bytes[0] != COMPACT) throw new IllegalArgumentException("not a compact statement: tag " + bytes[0]);
    In in = new In(bytes, 1);
    int flags = in.read();
    String id = (flags & ID_DERIVED) != 0 ? null : in.id();
    String kindId = in.string();
    EntityRef subject = new EntityRef(in.string(), in.string(), in.string());
    String objectType = in.string();
    String objectKey = (flags & OBJECT_IS_POD) == 0 ? in.string() : null;
    String objectScope = in.string();
    int n = in.varint();
    Map<String, String> attrs = new LinkedHashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      int code = in.varint() - 1;
      String name = code < 0 ? in.string() : Attr.ALL.get(code);
      attrs.put(name, v2 ? value(in, subject.getScope(), objectScope) : in.string());
    }
    if (objectKey == null) objectKey = podKey(attrs);
    long from = unzigzag(in.varlong());
    Long to = (flags & TO) != 0 ? from + unzigzag(in.varlong()) : null;
    float confidence = (flags & CONFIDENCE) != 0 ? Float.intBitsToFloat(in.int32()) : 1.0f;
    String format = in.string();
    String eventId = (flags & EVENT_IS_BINDING) != 0 ? id : in.id();
    String artifact = in.id();
    long offset = unzigzag(in.varlong());
    Long line = (flags & LINE) != 0 ? unzigzag(in.varlong()) : null;
    Long record = (flags & RECORD) != 0 ? unzigzag(in.varlong()) : null;
    EntityRef object = new EntityRef(objectType, objectKey, objectScope);
    if (id == null) {
      // closing as BindingExtractor#isClosing: an end observed whose stated end is its start
      id = derivedId(kindId, subject, object, from, (flags & END) != 0 && to != null && to == from, eventId);
    }
    // the constructor, not the builder: a builder fills the fields left unset with deep copies of their defaults
    return new EntityBinding(id, kindId, subject, object, attrs,
        instant(from), to == null ? null : instant(to), (flags & END) != 0, confidence, format,
        new BindingLineage(eventId, artifact, offset, line, record), new ArrayList<>(0), 0, 0, false);
  }

  /**
   * An attribute value: where the statement's scopes already say it (a pod's {@code cluster}, its {@code k8s:<cluster>}
   * scope; an {@code account_uid}, its address's {@code aws:<account>:<vpc>} scope) a 0 and where; a UUID (a pod's
   * uid) as a 0, {@link #UUID} and its 16 bytes; else the string ({@code derived}: {@link #derived} of it).
   */
  private static void value(Out o, String v, int derived) {
    if (derived != 0) {
      o.write(0);
      o.write(derived);
    } else if (isUuid(v)) {
      o.write(0);
      o.write(UUID);
      for (int i = 0; i < 36; i += 2) {
        if (v.charAt(i) == '-') i++;
        o.write(Character.digit(v.charAt(i), 16) << 4 | Character.digit(v.charAt(i + 1), 16));
      }
    } else {
      o.string(v);
    }
  }

  private static String value(In in, String subjectScope, String objectScope) {
    if (in.b[in.p] != 0) return in.string();
    in.p++;
    int how = in.read();
    switch (how) {
      case CLUSTER_OF_OBJECT:
        return cluster(objectScope);
      case CLUSTER_OF_SUBJECT:
        return cluster(subjectScope);
      case ACCOUNT_OF_SUBJECT:
        return account(subjectScope);
      case ACCOUNT_OF_OBJECT:
        return account(objectScope);
      case IPV4:
        return ipv4(in);
      case UUID: {
        char[] c = new char[36];
        int j = 0;
        for (int i = 0; i < 16; i++) {
          if (i == 4 || i == 6 || i == 8 || i == 10) c[j++] = '-';
          int x = in.read();
          c[j++] = HEX[x >>> 4];
          c[j++] = HEX[x & 15];
        }
        return new String(c);
      }
      default:
        throw new IllegalArgumentException("unknown attribute value form " + how);
    }
  }

  /**
   * Which of the scopes' parts {@code v} is ({@link #value}'s code: as {@link #cluster} / {@link #account} would
   * give them back), else 0; compared in place (no substring per attribute and statement: this runs per statement
   * before the shuffle).
   */
  private static int derived(String v, String subjectScope, String objectScope) {
    if (v.isEmpty()) return 0;
    if (isPart("k8s:", objectScope, v, false)) return CLUSTER_OF_OBJECT;
    if (isPart("k8s:", subjectScope, v, false)) return CLUSTER_OF_SUBJECT;
    if (isPart("aws:", subjectScope, v, true)) return ACCOUNT_OF_SUBJECT;
    if (isPart("aws:", objectScope, v, true)) return ACCOUNT_OF_OBJECT;
    return 0;
  }

  /** Whether {@code scope} is {@code prefix + v} (or, {@code upToColon}, {@code prefix + v + ":..."}). */
  private static boolean isPart(String prefix, String scope, String v, boolean upToColon) {
    int end = prefix.length() + v.length();
    if (!scope.startsWith(prefix) || scope.length() < end || !scope.regionMatches(end - v.length(), v, 0, v.length())) {
      return false;
    }
    if (upToColon && v.indexOf(':') >= 0) return false; // an account ends at the scope's next ':'
    return scope.length() == end || upToColon && scope.charAt(end) == ':';
  }

  /** The cluster of a {@code k8s:<cluster>} scope, else null. */
  private static String cluster(String scope) {
    return scope.startsWith("k8s:") && scope.length() > 4 ? scope.substring(4) : null;
  }

  /** The account of an {@code aws:<account>[:...]} scope, else null. */
  private static String account(String scope) {
    if (!scope.startsWith("aws:") || scope.length() == 4) return null;
    int end = scope.indexOf(':', 4);
    return end == 4 ? null : scope.substring(4, end < 0 ? scope.length() : end);
  }

  /** 8-4-4-4-12 lower-case hex digits (what {@link #value} writes as 16 bytes). */
  private static boolean isUuid(String s) {
    if (s.length() != 36) return false;
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') return false;
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static String podKey(Map<String, String> attrs) {
    String ns = attrs.get(Attr.NAMESPACE);
    String pod = attrs.get(Attr.POD_NAME);
    return ns == null || pod == null ? null : ns + "/" + pod;
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** 64 lower-case hex digits: their 32 bytes are written instead. */
  private static boolean isHexId(String s) {
    if (s.length() != 64) return false;
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  private static final class Out extends ByteArrayOutputStream {
    Out() {
      super(192);
    }

    void varint(int v) {
      varlong(v & 0xffffffffL);
    }

    void varlong(long v) {
      while ((v & ~0x7fL) != 0) {
        write((int) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      write((int) v);
    }

    void int32(int v) {
      write(v >>> 24);
      write(v >>> 16);
      write(v >>> 8);
      write(v);
    }

    /** A string: its UTF-8 length + 1, then its bytes (0 is a 32-byte id, {@link #id}). */
    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length + 1);
      write(b, 0, b.length);
    }

    void id(String s) {
      if (!isHexId(s)) {
        string(s);
        return;
      }
      write(0);
      for (int i = 0; i < 64; i += 2) {
        write(Character.digit(s.charAt(i), 16) << 4 | Character.digit(s.charAt(i + 1), 16));
      }
    }
  }

  private static final class In {
    final byte[] b;
    int p;

    In(byte[] b, int p) {
      this.b = b;
      this.p = p;
    }

    int read() {
      return b[p++] & 0xff;
    }

    int varint() {
      return (int) varlong();
    }

    long varlong() {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        int x = read();
        v |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) return v;
      }
    }

    int int32() {
      return read() << 24 | read() << 16 | read() << 8 | read();
    }

    String string() {
      int n = varint() - 1;
      if (n < 0) throw new IllegalArgumentException("an id where a string was written");
      String s = new String(b, p, n, StandardCharsets.UTF_8);
      p += n;
      return s;
    }

    String id() {
      if (b[p] != 0) return string();
      p++;
      char[] c = new char[64];
      for (int i = 0; i < 32; i++) {
        int x = read();
        c[2 * i] = HEX[x >>> 4];
        c[2 * i + 1] = HEX[x & 15];
      }
      return new String(c);
    }
  }
}
