package dev.strata.job.correlate;

import dev.strata.job.S3StoreSettings;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.sink.s3.BindingArchive;
import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.io.ByteArrayOutputStream;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes the binding facts to the evidence bucket in batches ({@link BindingArchive}: bindings/yyyy/mm/dd/&lt;sha256&gt;.jsonl).
 * Each fact is turned into its JSON line as it arrives (the job reuses objects, so none is kept); a batch is stored
 * when it reaches {@link #MAX_BATCH_BYTES} and at every checkpoint and at the end of input ({@code flush}, called
 * before the checkpoint is taken): at-least-once, nothing stated before a completed checkpoint is lost. S3 errors
 * were retried by the SDK; what is left fails the job (restart from the checkpoint).
 */
public final class BindingArchiveSink implements Sink<EntityBinding> {
  private static final long serialVersionUID = 1L;

  /** A batch is stored once it holds this many bytes of JSON lines. */
  public static final int MAX_BATCH_BYTES = 8 << 20;

  private final S3StoreSettings settings;

  public BindingArchiveSink(S3EvidenceStoreConfig config) {
    this.settings = S3StoreSettings.of(config);
  }

  @Override
  public SinkWriter<EntityBinding> createWriter(WriterInitContext context) {
    S3EvidenceStore store = S3EvidenceStore.create(settings.config());
    BindingArchive archive = new BindingArchive(store);
    return new SinkWriter<>() {
      private final ByteArrayOutputStream batch = new ByteArrayOutputStream(64 * 1024);
      private long firstValidFrom = Long.MIN_VALUE;

      @Override
      public void write(EntityBinding b, Context ctx) {
        if (batch.size() == 0) firstValidFrom = micros(b);
        batch.writeBytes(BindingArchive.line(b));
        if (batch.size() >= MAX_BATCH_BYTES) store();
      }

      @Override
      public void flush(boolean endOfInput) {
        store();
      }

      private void store() {
        if (batch.size() == 0) return;
        archive.put(batch.toByteArray(), firstValidFrom);
        batch.reset();
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }

  private static long micros(EntityBinding b) {
    java.time.Instant t = b.getValidFrom();
    return t == null ? 0 : t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }
}
