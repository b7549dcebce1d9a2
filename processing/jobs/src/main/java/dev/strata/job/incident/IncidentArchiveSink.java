package dev.strata.job.incident;

import dev.strata.schema.correlate.Incident;
import dev.strata.sink.Secret;
import dev.strata.sink.s3.IncidentArchive;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.io.Serializable;
import java.net.URI;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes each incident revision to the evidence bucket ({@link IncidentArchive}: incidents/&lt;id&gt;/&lt;revision&gt;.json),
 * synchronously: revisions are few (one per changed incident per flush). At-least-once; a replay rewrites the same
 * key with the same bytes. S3 errors were retried by the SDK; what is left fails the job (restart from checkpoint).
 */
public final class IncidentArchiveSink implements Sink<Incident> {
  private static final long serialVersionUID = 1L;
  private final Settings settings;

  public IncidentArchiveSink(S3EvidenceStoreConfig config) {
    this.settings = new Settings(config.endpoint(), config.region(), config.bucket(), config.accessKey(),
        config.secretKey(), config.pathStyle(), config.keyPrefix(), config.maxAttempts());
  }

  /** The store settings the writer needs (the config record itself is not Serializable). */
  private record Settings(URI endpoint, String region, String bucket, Secret accessKey, Secret secretKey,
      boolean pathStyle, String keyPrefix, int maxAttempts) implements Serializable {
    S3EvidenceStoreConfig config() {
      return S3EvidenceStoreConfig.builder().endpoint(endpoint).region(region).bucket(bucket)
          .credentials(accessKey == null ? null : accessKey.reveal(), secretKey == null ? null : secretKey.reveal())
          .pathStyle(pathStyle).keyPrefix(keyPrefix).maxAttempts(maxAttempts).build();
    }
  }

  @Override
  public SinkWriter<Incident> createWriter(WriterInitContext context) {
    S3EvidenceStore store = S3EvidenceStore.create(settings.config());
    IncidentArchive archive = new IncidentArchive(store);
    return new SinkWriter<>() {
      @Override
      public void write(Incident incident, Context ctx) {
        archive.put(incident);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {
        store.close();
      }
    };
  }
}
