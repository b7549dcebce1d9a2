package dev.strata.job.incident;

import dev.strata.job.S3StoreSettings;
import dev.strata.schema.correlate.Incident;
import dev.strata.sink.s3.IncidentArchive;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
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
  private final S3StoreSettings settings;

  public IncidentArchiveSink(S3EvidenceStoreConfig config) {
    this.settings = S3StoreSettings.of(config);
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
