package dev.strata.job.incident;

import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.RuleMatch;
import dev.strata.schema.correlate.TimelineLayer;
import dev.strata.schema.event.EvidenceEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the incident job keeps of one event (a few hundred bytes): its timeline row, its entities and indicators,
 * whether it is a signal, the detection rules its record matched. {@link #encode}/{@link #decode} is the state format
 * (version byte first; version 1, before Sigma rules, is read as a member without detections; version 2, before
 * per-source event time, as a member of no lane). {@code lane}: the collection run that brought the event ({@code
 * lineage.collector_run_id}, null when unknown), whose own event time seals its incidents in streaming runs
 * ({@link LaneClocks}). {@code execKey}: what the runtime exec judgement reads of it ({@link RuntimeExecAudit#key}:
 * an audit record of a cluster, an API exec request, a runtime exec undecided or decided; or {@link EntryFlows#key}:
 * a candidate entry flow, undecided or decided), null for the rest
 * (version 4; earlier states read as null).
 */
public record Member(
    String eventId,
    long timeMicros,
    TimelineLayer layer,
    String className,
    String sourceFormat,
    String summary,
    boolean signal,
    int severityId,
    AttackStage stage,
    String reason,
    String artifactSha256,
    String origin,
    long byteOffset,
    Long lineNumber,
    Long recordIndex,
    List<Entity> entities,
    List<Indicator> indicators,
    String burstKey,
    List<RuleMatch> detections,
    String lane,
    String execKey) {
  private static final int VERSION = 4;

  /** The member for an event. */
  public static Member of(EvidenceEvent e, EntityKeys.Extraction x, SignalRules rules) {
    SignalRules.Verdict verdict = rules.judge(e);
    SignalRules.Signal s = verdict.signal();
    long micros = e.getTime() == null ? 0 : e.getTime().getEpochSecond() * 1_000_000L + e.getTime().getNano() / 1000;
    return new Member(
        e.getEventId(),
        micros,
        x.layer(),
        e.getClassName() == null ? "" : e.getClassName(),
        e.getSourceFormat() == null ? "" : e.getSourceFormat(),
        s != null && s.reason().contains(SystemWorkloadLookalikes.REASON)
            ? Summaries.of(e) + SystemWorkloadLookalikes.note(e) : Summaries.of(e),
        s != null,
        s == null ? Math.max(0, e.getSeverityId()) : s.severityId(),
        s == null ? null : s.stage(),
        s == null ? null : s.reason(),
        e.getLineage().getArtifactSha256(),
        e.getLineage().getOrigin(),
        e.getLineage().getByteOffset(),
        e.getLineage().getLineNumber(),
        e.getLineage().getRecordIndex(),
        s == null ? List.copyOf(x.entities()) : imageAsPivot(x.entities()),
        List.copyOf(x.indicators()),
        SignalRules.secretBurstKey(e),
        verdict.detections(),
        laneOf(e),
        judgementKey(e, x, s, rules));
  }

  /**
   * What a judgement at a flush reads of the event ({@code execKey}): the runtime exec's ({@link RuntimeExecAudit#key})
   * a CloudTrail call's or an EC2 inventory record's ({@link CredentialClients#key}), or, for a context flow, the entry
   * flow's ({@link EntryFlows#key}) or the exfiltration volume's ({@link ExfilVolume#key}); no two apply to one event.
   */
  static String judgementKey(EvidenceEvent e, EntityKeys.Extraction x, SignalRules.Signal s, SignalRules rules) {
    String k = RuntimeExecAudit.key(e, x, s);
    if (k != null && k.startsWith("audit|")) {
      // a Service's node ports or a pod's labels (EntryFlows: which pods a NodePort reaches), after the audit key
      String o = EntryFlows.objectKey(e);
      return o == null ? k : k + "|" + o;
    }
    if (k == null) {
      k = CredentialClients.key(e, x, s); // CloudTrail calls and EC2 inventory records only
      String status = RevokedKeyUse.key(e, k); // an access key's deletion / deactivation, carrying the call's key
      if (status != null) return status;
    }
    if (k == null) {
      String sbom = ImagePackageDiff.sbomKey(e); // an SBOM's package of an image digest (a re-pushed tag's diff)
      if (sbom != null) return sbom;
    }
    if (k != null || s != null) return k;
    k = EntryFlows.key(e, x, rules::known); // inbound flows from a public address, a sensor's accepts
    return k != null ? k : ExfilVolume.key(e, x, rules::known); // outbound flows to a public address
  }

  /**
   * A signal's entities, its image made its pivot when it names nothing else that links (an SBOM or scan finding is
   * about the image alone: {@link SupplyChainSignals}); containers' evidence expands to the image they run
   * ({@link EntityKeys}), so the finding joins their incidents. Otherwise the entities as they are.
   */
  static List<Entity> imageAsPivot(List<Entity> entities) {
    boolean image = false;
    for (Entity x : entities) {
      if (x.pivot()) return List.copyOf(entities);
      image |= Entity.IMAGE.equals(x.type());
    }
    if (!image) return List.copyOf(entities);
    List<Entity> out = new ArrayList<>(entities.size());
    for (Entity x : entities) {
      // its digest and, for an SBOM or scan, its id (what a Docker container's state names)
      out.add(Entity.IMAGE.equals(x.type()) ? new Entity(x.type(), x.key(), x.scope(), Entity.TARGET, true) : x);
    }
    return List.copyOf(out);
  }

  /** This member promoted to a signal (the GetSecretValue burst rule). */
  public Member asSignal(AttackStage stage, int severity, String why) {
    return new Member(eventId, timeMicros, layer, className, sourceFormat, summary, true, Math.max(severityId, severity),
        stage, why, artifactSha256, origin, byteOffset, lineNumber, recordIndex, entities, indicators, burstKey,
        detections, lane, execKey);
  }

  /** The source lane of an event: its collection run ({@code lineage.collector_run_id}), or null. */
  static String laneOf(EvidenceEvent e) {
    String run = e.getLineage() == null ? null : e.getLineage().getCollectorRunId();
    return run == null || run.isBlank() ? null : run;
  }

  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream o = new DataOutputStream(bytes)) {
      o.writeByte(VERSION);
      o.writeUTF(eventId);
      o.writeLong(timeMicros);
      o.writeByte(layer.ordinal());
      o.writeUTF(className);
      o.writeUTF(sourceFormat);
      o.writeUTF(summary);
      o.writeBoolean(signal);
      o.writeInt(severityId);
      o.writeByte(stage == null ? -1 : stage.ordinal());
      str(o, reason);
      o.writeUTF(artifactSha256);
      str(o, origin);
      o.writeLong(byteOffset);
      o.writeLong(lineNumber == null ? Long.MIN_VALUE : lineNumber);
      o.writeLong(recordIndex == null ? Long.MIN_VALUE : recordIndex);
      o.writeInt(entities.size());
      for (Entity en : entities) {
        o.writeUTF(en.type());
        o.writeUTF(en.key());
        str(o, en.scope());
        str(o, en.role());
        o.writeBoolean(en.pivot());
      }
      o.writeInt(indicators.size());
      for (Indicator i : indicators) {
        o.writeUTF(i.type());
        o.writeUTF(i.value());
      }
      str(o, burstKey);
      o.writeInt(detections.size());
      for (RuleMatch d : detections) {
        o.writeUTF(d.getEngine());
        o.writeUTF(d.getRuleId());
        o.writeUTF(d.getTitle());
        str(o, d.getAuthor());
        o.writeUTF(d.getLevel());
        o.writeUTF(d.getCredit());
      }
      str(o, lane);
      str(o, execKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static Member decode(byte[] b) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      int v = in.readByte();
      if (v < 1 || v > VERSION) throw new IOException("unknown member state version " + v);
      String id = in.readUTF();
      long t = in.readLong();
      TimelineLayer layer = TimelineLayer.values()[in.readByte()];
      String cls = in.readUTF();
      String fmt = in.readUTF();
      String summary = in.readUTF();
      boolean signal = in.readBoolean();
      int sev = in.readInt();
      int st = in.readByte();
      String reason = str(in);
      String sha = in.readUTF();
      String origin = str(in);
      long off = in.readLong();
      long ln = in.readLong();
      long ri = in.readLong();
      int n = in.readInt();
      List<Entity> ents = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ents.add(new Entity(in.readUTF(), in.readUTF(), str(in), str(in), in.readBoolean()));
      }
      int m = in.readInt();
      List<Indicator> inds = new ArrayList<>(m);
      for (int i = 0; i < m; i++) {
        inds.add(new Indicator(in.readUTF(), in.readUTF()));
      }
      String burst = str(in);
      List<RuleMatch> detections = List.of();
      if (v >= 2) {
        int k = in.readInt();
        List<RuleMatch> ds = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
          ds.add(new RuleMatch(in.readUTF(), in.readUTF(), in.readUTF(), str(in), in.readUTF(), in.readUTF()));
        }
        detections = ds;
      }
      String lane = v >= 3 ? str(in) : null;
      String execKey = v >= 4 ? str(in) : null;
      return new Member(id, t, layer, cls, fmt, summary, signal, sev, st < 0 ? null : AttackStage.values()[st], reason,
          sha, origin, off, ln == Long.MIN_VALUE ? null : ln, ri == Long.MIN_VALUE ? null : ri, ents, inds, burst,
          detections, lane, execKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void str(DataOutputStream o, String s) throws IOException {
    o.writeBoolean(s != null);
    if (s != null) o.writeUTF(s.length() > 16_000 ? s.substring(0, 16_000) : s);
  }

  private static String str(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
