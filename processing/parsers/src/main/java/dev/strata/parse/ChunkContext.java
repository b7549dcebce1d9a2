package dev.strata.parse;

import dev.strata.schema.common.CollectorInfo;
import dev.strata.schema.common.EvidenceContext;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.Lineage;
import dev.strata.schema.raw.ChunkInfo;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a parser needs about the chunk it is parsing, computed once per chunk: the payload, lineage, evidence
 * context and id generator, and the one place where events get their OCSF class, ids and lineage. Positions passed
 * in are offsets in the payload; this class turns them into content offsets, line numbers and record indexes.
 *
 * <p>Not thread-safe: one per chunk parse.
 */
public final class ChunkContext {

  /** raw_data holds at most this many bytes of the record's original text. */
  public static final int MAX_RAW_DATA_BYTES = 16 * 1024;

  private final RawArtifactChunk chunk;
  private final byte[] payload;
  private final String artifactSha256;
  private final String origin;
  private final String sourceType;
  /** source_format of the events made here: the chunk's source_type, or the format a log carries ({@link #carried}). */
  private final String eventFormat;
  private final int chunkIndex;
  private final int chunkCount;
  private final long chunkOffset;
  private final long firstLine;
  private final long firstRecord;
  private final String runId;
  private final String storageUri;
  private final Instant observedTime;
  private final long observedMicros;
  private final Framing framing;
  private final boolean truncatedRecord;
  private final String host;
  private final String cluster;
  private final String cloudProvider;
  private final String cloudAccount;
  private final String cloudRegion;
  /** The host's cloud instance (context manifest {@code cloud_instance}): device.instance_uid of every event. */
  private final String cloudInstance;
  private final EventIds.Generator ids;

  // incremental newline counter: line of payload position linePos is lineAtPos
  private int linePos;
  private long lineAtPos;
  private boolean unhashedIds;
  /** see {@link #sharedContext}: the objects every event of the chunk holds (made at the first event) */
  private boolean sharedContext;
  private boolean contextMade;
  private Device device;
  private Kubernetes kubernetes;
  private Cloud cloud;

  private ChunkContext(RawArtifactChunk chunk) {
    this.chunk = Objects.requireNonNull(chunk, "chunk");
    this.payload = Payloads.bytes(chunk);
    this.artifactSha256 = chunk.getArtifactSha256();
    this.origin = chunk.getOrigin();
    this.sourceType = chunk.getSourceType();
    this.eventFormat = sourceType;
    ChunkInfo ci = chunk.getChunk();
    this.chunkIndex = ci == null ? 0 : ci.getIndex();
    this.chunkCount = ci == null ? 1 : ci.getCount();
    this.chunkOffset = ci == null ? 0 : ci.getOffset();
    this.firstLine = ci == null || ci.getFirstLine() < 1 ? 1 : ci.getFirstLine();
    this.firstRecord = ci == null ? 0 : ci.getFirstRecord();
    this.truncatedRecord = ci != null && ci.getTruncatedRecord();
    CollectorInfo col = chunk.getCollector();
    this.runId = col == null ? null : col.getRunId();
    this.storageUri = chunk.getStorageUri();
    this.observedTime = chunk.getCollectedAt() == null ? Instant.EPOCH : chunk.getCollectedAt();
    this.observedMicros = Timestamps.toMicros(observedTime);
    this.framing = chunk.getFraming() == null ? Framing.WHOLE : chunk.getFraming();
    EvidenceContext ec = chunk.getContext();
    this.host = ec == null ? null : blankToNull(ec.getHost());
    this.cluster = ec == null ? null : blankToNull(ec.getCluster());
    this.cloudProvider = ec == null ? null : blankToNull(ec.getCloudProvider());
    this.cloudAccount = ec == null ? null : blankToNull(ec.getCloudAccount());
    this.cloudRegion = ec == null ? null : blankToNull(ec.getCloudRegion());
    this.cloudInstance = ec == null ? null : blankToNull(ec.getCloudInstance());
    this.ids = new EventIds.Generator(artifactSha256);
    this.linePos = 0;
    this.lineAtPos = firstLine;
  }

  public static ChunkContext of(RawArtifactChunk chunk) {
    return new ChunkContext(chunk);
  }

  /** A view of {@code base} whose events carry {@code eventFormat} as their source_format. */
  private ChunkContext(ChunkContext base, String eventFormat) {
    this.chunk = base.chunk;
    this.payload = base.payload;
    this.artifactSha256 = base.artifactSha256;
    this.origin = base.origin;
    this.sourceType = base.sourceType;
    this.eventFormat = eventFormat;
    this.chunkIndex = base.chunkIndex;
    this.chunkCount = base.chunkCount;
    this.chunkOffset = base.chunkOffset;
    this.firstLine = base.firstLine;
    this.firstRecord = base.firstRecord;
    this.runId = base.runId;
    this.storageUri = base.storageUri;
    this.observedTime = base.observedTime;
    this.observedMicros = base.observedMicros;
    this.framing = base.framing;
    this.truncatedRecord = base.truncatedRecord;
    this.host = base.host;
    this.cluster = base.cluster;
    this.cloudProvider = base.cloudProvider;
    this.cloudAccount = base.cloudAccount;
    this.cloudRegion = base.cloudRegion;
    this.cloudInstance = base.cloudInstance;
    this.ids = base.ids;
    this.linePos = 0;
    this.lineAtPos = firstLine;
    this.unhashedIds = base.unhashedIds;
    this.sharedContext = base.sharedContext;
  }

  /**
   * The same chunk for records of another format that its log lines carry (a Falco alert printed by the Falco
   * container, read from that container's log: {@link CarriedRecords}): events made through the view have
   * {@code source_format = format}, while their lineage (artifact, source_type, offsets, lines) stays the carrier's.
   */
  public ChunkContext carried(String format) {
    return new ChunkContext(this, Objects.requireNonNull(format, "format"));
  }

  /**
   * Events of this chunk get unhashed positional ids ({@link EventIds}: artifact hash prefix + offset + record +
   * sub-index, no SHA-256 per event), for formats with many small events per artifact.
   */
  public ChunkContext unhashedEventIds() {
    this.unhashedIds = true;
    return this;
  }

  /**
   * Events of this chunk hold one shared {@code device}, {@code kubernetes} and {@code cloud} object (the evidence
   * context, the same for every event of the chunk) and one empty, immutable {@code resources} list, instead of a
   * copy each: for formats whose parser sets none of them after {@link #newEvent} (nested records are values; nothing
   * changes them in place once an event is made).
   */
  public ChunkContext sharedContext() {
    this.sharedContext = true;
    return this;
  }

  // ---- the chunk -------------------------------------------------------------------------------------------

  public RawArtifactChunk chunk() {
    return chunk;
  }

  /** The payload bytes (do not modify). */
  public byte[] payload() {
    return payload;
  }

  public int length() {
    return payload.length;
  }

  public Framing framing() {
    return framing;
  }

  public int chunkIndex() {
    return chunkIndex;
  }

  public int chunkCount() {
    return chunkCount;
  }

  public boolean isLastChunk() {
    return chunkIndex >= chunkCount - 1;
  }

  /** The collector cut the last record of this payload at its max record size. */
  public boolean truncatedRecord() {
    return truncatedRecord;
  }

  public String origin() {
    return origin;
  }

  public String host() {
    return host;
  }

  public String cluster() {
    return cluster;
  }

  public String cloudProvider() {
    return cloudProvider;
  }

  public String cloudAccount() {
    return cloudAccount;
  }

  public String cloudRegion() {
    return cloudRegion;
  }

  public Instant observedTime() {
    return observedTime;
  }

  // ---- positions --------------------------------------------------------------------------------------------

  /** Content offset of a payload position. */
  public long contentOffset(int payloadPos) {
    return chunkOffset + payloadPos;
  }

  /** chunk.first_record + ordinal of the record in this chunk. */
  public long recordIndex(long ordinalInChunk) {
    return firstRecord + ordinalInChunk;
  }

  /**
   * 1-based content line of a payload position. Cheap when called with non-decreasing positions (it counts only the
   * newlines since the previous call).
   */
  public long lineAt(int payloadPos) {
    if (payloadPos < linePos) {
      linePos = 0;
      lineAtPos = firstLine;
    }
    int end = Math.min(payloadPos, payload.length);
    long line = lineAtPos + Bytes.countNewlines(payload, linePos, end);
    linePos = end;
    lineAtPos = line;
    return line;
  }

  /** Tells the line counter that {@code payloadPos} is on content line {@code line} (saves recounting). */
  public void markLine(int payloadPos, long line) {
    linePos = payloadPos;
    lineAtPos = line;
  }

  /** chunk.first_line + the number of newlines in the payload before {@code payloadPos}, for a known count. */
  public long lineFromCount(long newlinesBefore) {
    return firstLine + newlinesBefore;
  }

  // ---- events -----------------------------------------------------------------------------------------------

  /**
   * A new event with everything that does not depend on the record filled in: id, OCSF class and activity,
   * lineage, source format, observed time, time (= observed time until the parser sets it), evidence context
   * (device.hostname = host, kubernetes.cluster = cluster, cloud from the context), empty resources and unmapped.
   *
   * @param start payload offset of the record's first byte
   * @param end payload offset just after the record's last byte (byte_length = end - start)
   * @param line 1-based content line of the record's first byte
   * @param recordOrdinal index of the record among the records of this chunk
   * @param subIndex 0 for the first event made from a record, 1, 2, ... for more
   */
  public EvidenceEvent newEvent(
      OcsfClass cls, int activityId, String activityName, int start, int end, long line, long recordOrdinal,
      int subIndex) {
    return newEvent(cls, activityId, activityName, start, end, line, recordOrdinal, subIndex, new HashMap<>(8));
  }

  /** As above, with the (mutable) map to use as unmapped, e.g. one the parser filled while reading the record. */
  public EvidenceEvent newEvent(
      OcsfClass cls, int activityId, String activityName, int start, int end, long line, long recordOrdinal,
      int subIndex, Map<String, String> unmapped) {
    return newEvent(null, cls, activityId, activityName, start, end, line, recordOrdinal, subIndex, unmapped);
  }

  /**
   * As above, with the event id given by the parser (e.g. a {@link #keyedId} of the record's own identity), or null
   * for the positional id.
   */
  public EvidenceEvent newEvent(
      String eventId, OcsfClass cls, int activityId, String activityName, int start, int end, long line,
      long recordOrdinal, int subIndex, Map<String, String> unmapped) {
    long offset = chunkOffset + start;
    long recordIndex = firstRecord + recordOrdinal;
    EvidenceEvent e = new EvidenceEvent();
    e.setEventId(eventId != null ? eventId
        : unhashedIds ? ids.unhashedId(offset, recordIndex, subIndex)
        : ids.eventId(offset, recordIndex, subIndex));
    e.setOcsfVersion("1.3.0");
    e.setClassUid(cls.uid);
    e.setClassName(cls.className);
    e.setCategoryUid(cls.categoryUid);
    e.setCategoryName(cls.categoryName);
    e.setActivityId(activityId);
    e.setActivityName(activityName);
    e.setTypeUid(cls.typeUid(activityId));
    e.setSeverityId(0);
    e.setTime(observedTime);
    e.setObservedTime(observedTime);
    e.setSourceFormat(eventFormat);
    e.setResources(sharedContext ? List.of() : new ArrayList<>(1));
    e.setUnmapped(unmapped);
    e.setLineage(
        new Lineage(
            artifactSha256,
            origin,
            sourceType,
            chunkIndex,
            offset,
            (long) (end - start),
            line,
            recordIndex,
            runId,
            storageUri));
    if (!sharedContext) {
      e.setDevice(device());
      e.setKubernetes(kubernetes());
      e.setCloud(cloud());
      return e;
    }
    if (!contextMade) {
      contextMade = true;
      device = device();
      kubernetes = kubernetes();
      cloud = cloud();
    }
    e.setDevice(device);
    e.setKubernetes(kubernetes);
    e.setCloud(cloud);
    return e;
  }

  /** device.hostname = the context's host, device.instance_uid = its cloud instance (null without either). */
  private Device device() {
    return host == null && cloudInstance == null ? null : new Device(host, null, cloudInstance);
  }

  /** kubernetes.cluster = the context's cluster (null without one). */
  private Kubernetes kubernetes() {
    if (cluster == null) return null;
    Kubernetes k = new Kubernetes();
    k.setCluster(cluster);
    return k;
  }

  /** cloud from the context (null without one). */
  private Cloud cloud() {
    if (cloudProvider == null && cloudAccount == null && cloudRegion == null) return null;
    return new Cloud(cloudProvider, cloudAccount, cloudRegion, null, null, null, null, null, null, null);
  }

  /** {@link EventIds.Generator#keyedId}: the id of a record by its own identity, e.g. an audit ID and stage. */
  public String keyedId(String... parts) {
    return ids.keyedId(parts);
  }

  /**
   * Sets time and time_original from a timestamp text. A missing or unreadable timestamp keeps the record: time =
   * observed time and a warning in unmapped["strata.warning"]. A timestamp without UTC offset is read as UTC, with a
   * warning.
   */
  public void applyTime(EvidenceEvent e, String text, String field) {
    if (text == null) {
      Events.warn(e, "missing timestamp field '" + field + "'; time = observed_time");
      return;
    }
    e.setTimeOriginal(text);
    long micros = Timestamps.toMicros(text);
    if (micros == Timestamps.INVALID) {
      Events.warn(e, "bad timestamp in '" + field + "': '" + Events.excerpt(text, 64) + "'; time = observed_time");
      return;
    }
    if (!Timestamps.hasOffset(text)) {
      Events.warn(e, "timestamp in '" + field + "' has no UTC offset; read as UTC");
    }
    e.setTime(micros == observedMicros ? observedTime : Timestamps.toInstant(micros));
  }

  /** The record's original text for raw_data: UTF-8 decoded, at most {@link #MAX_RAW_DATA_BYTES} bytes. */
  public String rawText(int start, int end) {
    return text(payload, start, end, MAX_RAW_DATA_BYTES);
  }

  /** UTF-8 text of a byte range, cut to at most {@code maxBytes} bytes at a character boundary. */
  public static String text(byte[] buf, int start, int end, int maxBytes) {
    int len = end - start;
    if (len > maxBytes) {
      len = maxBytes;
      // do not cut inside a multi-byte sequence
      while (len > 0 && (buf[start + len] & 0xC0) == 0x80) len--;
    }
    return new String(buf, start, len, StandardCharsets.UTF_8);
  }

  // ---- rejections -------------------------------------------------------------------------------------------

  /** A rejection of the payload range [start, end) with lineage computed from the positions. */
  public Rejection rejection(RejectReason reason, String message, int start, int end, long recordOrdinal) {
    return rejection(reason, message, start, end, lineAt(start), recordOrdinal);
  }

  public Rejection rejection(
      RejectReason reason, String message, int start, int end, long line, long recordOrdinal) {
    int s = Math.max(0, Math.min(start, payload.length));
    int e = Math.max(s, Math.min(end, payload.length));
    byte[] original = java.util.Arrays.copyOfRange(payload, s, e);
    boolean truncated = reason == RejectReason.RECORD_TOO_LARGE;
    return new Rejection(
        reason, message, chunkOffset + s, line, firstRecord + recordOrdinal, original, truncated);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
