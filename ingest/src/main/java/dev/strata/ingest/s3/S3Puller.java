package dev.strata.ingest.s3;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.ingest.checkpoint.CheckpointedPublisher;
import dev.strata.ingest.cloudtrail.TrailValidator;
import dev.strata.ingest.checkpoint.Position;
import dev.strata.ingest.context.ContextManifest;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 puller: collects the logs that AWS delivers to S3 (CloudTrail, CloudTrail digests, VPC Flow Logs, extra
 * prefixes) into Kafka, exactly once across kills and restarts.
 *
 * <p>Each configured prefix is split one level down (the region folders of the standard layouts) into
 * <em>streams</em>; a stream is listed with ListObjectsV2 (paginated) in lexical key order, which is delivery order
 * inside one region folder of these layouts ({@code YYYY/MM/DD/<account>_..._<yyyyMMddTHHmmZ>_...}), starting after
 * its checkpoint ({@code start_after} = last key done). Each object is streamed to a spool file (at most {@code
 * max_object_bytes}), then recognized, hashed, preserved in the evidence store and chunked by {@link
 * FileCollector#runObject} exactly as a collected file, with origin {@code s3://bucket/key}. Its chunks, its manifest
 * and the stream's new {@code start_after} are committed in one Kafka transaction ({@link CheckpointedPublisher}):
 * after a kill, the restarted puller restores the positions from the checkpoint topic and redoes at most the object
 * whose transaction was open, which read_committed consumers never saw. CloudTrail digest files are collected like
 * any artifact ({@code aws_cloudtrail_digest}); their S3 metadata signature ({@code x-amz-meta-signature}) is handed
 * to the collector, which carries it on the chunks' format_header. Objects that are not recognized (formats without a
 * recognizer) or too large are reported as skipped, and their keys are checkpointed too.
 *
 * <p>Limitation: an object delivered late with a key that sorts before its stream's checkpoint (same minute, smaller
 * random suffix) is not seen; re-pull with a fresh collector id to sweep a window again.
 */
public final class S3Puller {
  private static final Logger LOG = LoggerFactory.getLogger(S3Puller.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String COLLECTOR_ID = "s3_puller";
  /** Test hook: halt the JVM (as kill -9 would) inside the transaction of the object after this many objects. */
  public static final String HALT_PROPERTY = "strata.s3pull.haltAfterObjects";

  /**
   * @param spoolDir where objects are downloaded (one file at a time)
   * @param maxObjectBytes larger objects are skipped ({@code too_large})
   * @param pollInterval follow mode: pause between two listings that found nothing new
   * @param once list every stream to its end once, then return
   * @param pageSize ListObjectsV2 max-keys
   * @param collector recognition/chunking options (its run id is fixed for the whole run)
   * @param objectDelay pause after each object (throttle; zero for none)
   * @param mirrorDir null, or a directory that receives a copy of every object as {@code <bucket>/<key>}, digests
   *     with their S3 metadata as {@code <key>.metadata.json} (so {@code strata verify-trail} runs offline on it)
   */
  public record Options(Path spoolDir, long maxObjectBytes, Duration pollInterval, boolean once, int pageSize,
      CollectorOptions collector, Duration objectDelay, Path mirrorDir) {
    public Options {
      Objects.requireNonNull(spoolDir, "spoolDir");
      Objects.requireNonNull(pollInterval, "pollInterval");
      Objects.requireNonNull(collector, "collector");
      objectDelay = objectDelay == null ? Duration.ZERO : objectDelay;
      if (maxObjectBytes < 1) {
        throw new IllegalArgumentException("max_object_bytes must be positive");
      }
      if (pageSize < 1 || pageSize > 1000) {
        throw new IllegalArgumentException("page_size must be 1..1000, got " + pageSize);
      }
    }

    public static Options defaults(Path spoolDir) {
      return new Options(spoolDir, 8L * 1024 * 1024 * 1024, Duration.ofSeconds(60), true, 1000,
          CollectorOptions.defaults(), Duration.ZERO, null);
    }

    public Options withOnce(boolean v) {
      return new Options(spoolDir, maxObjectBytes, pollInterval, v, pageSize, collector, objectDelay, mirrorDir);
    }

    public Options withPollInterval(Duration v) {
      return new Options(spoolDir, maxObjectBytes, v, once, pageSize, collector, objectDelay, mirrorDir);
    }

    public Options withCollector(CollectorOptions v) {
      return new Options(spoolDir, maxObjectBytes, pollInterval, once, pageSize, v, objectDelay, mirrorDir);
    }

    public Options withObjectDelay(Duration v) {
      return new Options(spoolDir, maxObjectBytes, pollInterval, once, pageSize, collector, v, mirrorDir);
    }

    public Options withPageSize(int v) {
      return new Options(spoolDir, maxObjectBytes, pollInterval, once, v, collector, objectDelay, mirrorDir);
    }

    public Options withMirrorDir(Path v) {
      return new Options(spoolDir, maxObjectBytes, pollInterval, once, pageSize, collector, objectDelay, v);
    }

    public Options withMaxObjectBytes(long v) {
      return new Options(spoolDir, v, pollInterval, once, pageSize, collector, objectDelay, mirrorDir);
    }
  }

  /** What happened to one object. {@code outcome} is {@code collected} or {@code skipped}. */
  public record ObjectResult(String stream, String bucket, String key, long size, String outcome, String sourceType,
      String artifactSha256, long chunks, String skipReason, String detail) {}

  /** Called after each object's transaction committed (same thread). */
  @FunctionalInterface
  public interface Listener {
    Listener NONE = r -> {};

    void onObject(ObjectResult result);
  }

  /** Totals of a run. */
  public record Summary(long objects, long collected, Map<String, Long> skippedByReason, long chunks, long bytes,
      Map<String, String> positions) {
    public String line() {
      return String.format("%d objects: %d collected (%d chunks, %d bytes), %d skipped %s", objects, collected, chunks,
          bytes, skippedByReason.values().stream().mapToLong(Long::longValue).sum(), skippedByReason);
    }
  }

  private final List<S3Source> sources;
  private final Function<S3Source, S3Client> clients;
  private final CheckpointedPublisher publisher;
  private final EvidencePreserver preserver;
  private final Options options;
  private final Listener listener;
  private final FileCollector collector = new FileCollector();
  private final long haltAfter = Long.getLong(HALT_PROPERTY, -1L);
  /** The bucket being pulled's context manifests (entries relative to the bucket's root), see {@link #manifests}. */
  private List<ContextManifest.Entry> context = List.of();
  private volatile boolean stopping;

  private long objects;
  private long collected;
  private long chunks;
  private long bytes;
  private final Map<String, Long> skipped = new TreeMap<>();

  public S3Puller(List<S3Source> sources, Function<S3Source, S3Client> clients, CheckpointedPublisher publisher,
      EvidencePreserver preserver, Options options, Listener listener) {
    if (sources == null || sources.isEmpty()) {
      throw new IllegalArgumentException("no S3 sources");
    }
    this.sources = List.copyOf(sources);
    this.clients = Objects.requireNonNull(clients, "clients");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.preserver = preserver == null ? EvidencePreserver.NONE : preserver;
    CollectorOptions c = options.collector();
    if (c.runId() == null) {
      c = c.toBuilder().runId(UUID.randomUUID().toString()).build();
    }
    this.options = options.withCollector(c);
    this.listener = listener == null ? Listener.NONE : listener;
  }

  /** The checkpoint key of a stream. */
  public static String streamKey(String bucket, String prefix) {
    return "s3://" + bucket + "/" + prefix;
  }

  /** Asks a running {@link #run()} to return after the current object (its transaction completes or aborts). */
  public void stop() {
    stopping = true;
  }

  /**
   * Restores the checkpoints, then pulls: once to the end of every stream ({@code once}), or until {@link #stop()}.
   */
  public Summary run() throws IOException, InterruptedException {
    Files.createDirectories(options.spoolDir());
    publisher.restore();
    Map<S3Source, S3Client> opened = new LinkedHashMap<>();
    try {
      while (!stopping) {
        long before = objects;
        for (S3Source source : sources) {
          S3Client s3 = opened.computeIfAbsent(source, clients);
          context = manifests(s3, source);
          for (String prefix : source.prefixes()) {
            for (Stream stream : streams(s3, source.bucket(), prefix)) {
              if (stopping) {
                break;
              }
              pull(s3, source.bucket(), stream);
            }
          }
        }
        if (options.once()) {
          break;
        }
        if (objects == before && !stopping) {
          Thread.sleep(options.pollInterval().toMillis());
        }
      }
    } finally {
      for (S3Client c : opened.values()) {
        c.close();
      }
    }
    Map<String, String> pos = new TreeMap<>();
    publisher.positions().forEach((k, v) -> pos.put(k, v.getString("start_after")));
    return new Summary(objects, collected, Map.copyOf(skipped), chunks, bytes, pos);
  }

  /**
   * The context manifests ({@code strata-context.yaml} / {@code .yml} / {@code .json}) at the root of the source's
   * extra prefixes, read before any object: what a responder's exports do not name themselves. A CloudWatch Logs
   * export task's objects ({@code <prefix>/<task>/<log stream>/000000.gz}) name neither the log group (the EKS
   * cluster) nor the account, so two clusters' audit logs exported into one bucket would be one nameless cluster;
   * a manifest beside them says which prefix is which cluster and account, as one does in a collected directory
   * (its entries' paths are relative to the manifest's folder). Objects whose key says it (AWSLogs/...) keep
   * the key's context.
   */
  List<ContextManifest.Entry> manifests(S3Client s3, S3Source source) throws IOException {
    List<ContextManifest.Entry> out = new ArrayList<>();
    Path spool = options.spoolDir().resolve("manifest-" + COLLECTOR_ID + ".spool");
    for (String prefix : source.extraPrefixes()) {
      String folder = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix.substring(0, prefix.lastIndexOf('/') + 1);
      for (String name : ContextManifest.FILE_NAMES) {
        String key = folder + name;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(source.bucket()).key(key))) {
          Files.copy(in, spool, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchKeyException e) {
          continue;
        }
        // relative to the objects' origins (s3://bucket/key), which the collector resolves context by
        out.addAll(ContextManifest.read(spool, "s3://" + source.bucket() + "/" + key));
        Files.deleteIfExists(spool);
        LOG.info("context manifest s3://{}/{}: {}", source.bucket(), key, out);
      }
    }
    return List.copyOf(out);
  }

  private static boolean isManifest(String key) {
    return ContextManifest.FILE_NAMES.contains(key.substring(key.lastIndexOf('/') + 1));
  }

  /** A prefix listed recursively, or only its own level ({@code delimited}). */
  record Stream(String prefix, boolean delimited) {}

  /** The prefix's own level, then one stream per sub-folder (the regions, in the standard layouts). */
  List<Stream> streams(S3Client s3, String bucket, String prefix) {
    List<Stream> out = new ArrayList<>();
    if (!prefix.endsWith("/")) {
      out.add(new Stream(prefix, false));
      return out;
    }
    out.add(new Stream(prefix, true));
    String token = null;
    do {
      ListObjectsV2Request.Builder rb = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).delimiter("/")
          .maxKeys(options.pageSize());
      if (token != null) {
        rb.continuationToken(token);
      }
      ListObjectsV2Response r = s3.listObjectsV2(rb.build());
      for (CommonPrefix cp : r.commonPrefixes()) {
        out.add(new Stream(cp.prefix(), false));
      }
      token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
    } while (token != null);
    return out;
  }

  private void pull(S3Client s3, String bucket, Stream stream) throws IOException, InterruptedException {
    String key = streamKey(bucket, stream.prefix());
    Position pos = publisher.positions().get(key);
    String startAfter = pos == null ? null : pos.getString("start_after");
    String token = null;
    do {
      ListObjectsV2Request.Builder rb = ListObjectsV2Request.builder().bucket(bucket).prefix(stream.prefix())
          .maxKeys(options.pageSize());
      if (stream.delimited()) {
        rb.delimiter("/");
      }
      if (token != null) {
        rb.continuationToken(token);
      } else if (startAfter != null) {
        rb.startAfter(startAfter);
      }
      ListObjectsV2Response r = s3.listObjectsV2(rb.build());
      for (S3Object o : r.contents()) {
        if (stopping) {
          return;
        }
        one(s3, bucket, key, o);
        if (!options.objectDelay().isZero()) {
          Thread.sleep(options.objectDelay().toMillis());
        }
      }
      token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
    } while (token != null);
  }

  private void one(S3Client s3, String bucket, String stream, S3Object o) throws IOException {
    String key = o.key();
    String origin = "s3://" + bucket + "/" + key;
    Path spool = options.spoolDir().resolve("object-" + COLLECTOR_ID + ".spool");
    ObjectResult result;
    try (CheckpointedPublisher.Batch batch = publisher.begin()) {
      if (key.endsWith("/") && o.size() == 0) {
        result = skip(stream, bucket, o, "folder_marker", null);
      } else if (isManifest(key)) {
        result = skip(stream, bucket, o, "context_manifest", "read before the prefix's objects");
      } else if (o.size() > options.maxObjectBytes()) {
        result = skip(stream, bucket, o, "too_large", o.size() + " bytes > max_object_bytes " + options.maxObjectBytes());
      } else {
        Instant mtime = o.lastModified() == null ? Instant.EPOCH : o.lastModified();
        Downloaded d = download(s3, bucket, key, spool);
        if (d.vanished() != null) {
          result = skip(stream, bucket, o, "vanished", d.vanished());
        } else {
          Adapter adapter = new Adapter(batch);
          CollectionReport r = collector.runObject(
              FileCollector.RemoteObject.of(spool, origin, "s3://" + bucket, mtime, COLLECTOR_ID)
                  .withMetadata(d.metadata()).withContext(context),
              options.collector(), adapter, preserver, ProgressListener.NONE);
          result = result(stream, bucket, o, r, adapter.chunks);
          if (r.hasErrors()) {
            // a partial publication must never become visible: abort, then checkpoint the key as skipped
            batch.abort();
            try (CheckpointedPublisher.Batch again = publisher.begin()) {
              again.advance(stream, Position.of("start_after", key));
              again.commit();
            }
            Files.deleteIfExists(spool);
            count(result);
            listener.onObject(result);
            return;
          }
        }
      }
      if (haltAfter >= 0 && objects >= haltAfter) {
        LOG.warn("test hook {}={}: halting inside the transaction of {}", HALT_PROPERTY, haltAfter, origin);
        sleepQuietly(500); // let the producer send the open transaction's records
        Runtime.getRuntime().halt(137);
      }
      batch.advance(stream, Position.of("start_after", key));
      batch.commit();
    } finally {
      Files.deleteIfExists(spool);
    }
    count(result);
    listener.onObject(result);
  }

  private void count(ObjectResult r) {
    objects++;
    if (r.outcome().equals("collected")) {
      collected++;
      chunks += r.chunks();
    } else {
      skipped.merge(r.skipReason(), 1L, Long::sum);
    }
  }

  private ObjectResult skip(String stream, String bucket, S3Object o, String reason, String detail) {
    return new ObjectResult(stream, bucket, o.key(), o.size(), "skipped", null, null, 0, reason, detail);
  }

  private static ObjectResult result(String stream, String bucket, S3Object o, CollectionReport r, long chunks) {
    if (r.artifactCount() > 0 && !r.hasErrors()) {
      CollectionReport.Artifact a = r.artifacts().get(0);
      return new ObjectResult(stream, bucket, o.key(), o.size(), "collected", a.sourceType(), a.artifactSha256(),
          chunks, null, null);
    }
    CollectionReport.Skipped s = r.skipped().isEmpty() ? null : r.skipped().get(0);
    return new ObjectResult(stream, bucket, o.key(), o.size(), "skipped", null, null, 0,
        s == null ? "not_collected" : s.reason(), s == null ? null : s.detail());
  }

  /** A downloaded object's S3 user metadata, or why it could not be downloaded ({@code vanished} not null). */
  private record Downloaded(Map<String, String> metadata, String vanished) {}

  /** Streams the object to {@code spool}, with its user metadata (a digest's signature). */
  private Downloaded download(S3Client s3, String bucket, String key, Path spool) throws IOException {
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key));
        OutputStream out = Files.newOutputStream(spool, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      long n = copy(in, out, options.maxObjectBytes());
      bytes += n;
      out.close();
      Map<String, String> metadata = in.response().metadata() == null ? Map.of() : in.response().metadata();
      mirror(bucket, key, spool, metadata);
      return new Downloaded(metadata, null);
    } catch (NoSuchKeyException e) {
      return new Downloaded(Map.of(), "deleted between listing and download");
    }
  }

  private void mirror(String bucket, String key, Path spool, Map<String, String> metadata) throws IOException {
    if (options.mirrorDir() == null) {
      return;
    }
    Path target = options.mirrorDir().resolve(bucket).resolve(key).normalize();
    if (!target.startsWith(options.mirrorDir().resolve(bucket).normalize())) {
      throw new IOException("key " + key + " escapes the mirror directory");
    }
    Files.createDirectories(target.getParent());
    Files.copy(spool, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    if (TrailValidator.DIGEST_PATH.matcher(key).matches() && metadata != null && !metadata.isEmpty()) {
      ObjectNode head = JSON.createObjectNode();
      ObjectNode m = head.putObject("Metadata");
      new TreeMap<>(metadata).forEach(m::put);
      Files.writeString(target.resolveSibling(target.getFileName() + ".metadata.json"), JSON.writeValueAsString(head));
    }
  }

  private static long copy(InputStream in, OutputStream out, long max) throws IOException {
    byte[] buf = new byte[256 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > max) {
        throw new IOException("object grew beyond max_object_bytes " + max + " while downloading");
      }
      out.write(buf, 0, n);
    }
    return total;
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The collector's publisher view of an open transaction. */
  private static final class Adapter implements ChunkPublisher {
    private final CheckpointedPublisher.Batch batch;
    long chunks;
    long records;

    Adapter(CheckpointedPublisher.Batch batch) {
      this.batch = batch;
    }

    @Override
    public void publish(RawArtifactChunk chunk) {
      batch.add(chunk);
      chunks++;
      records++;
    }

    @Override
    public void publishManifest(ArtifactManifest manifest) {
      batch.addManifest(manifest);
      records++;
    }

    @Override
    public long flush() {
      return records; // acknowledged at commit: a failed send fails the commit
    }

    @Override
    public void close() {}
  }
}
