package dev.strata.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CollectorOptionsTest {
  @Test
  void defaults() {
    CollectorOptions o = CollectorOptions.defaults();
    assertThat(o.chunkSize()).isEqualTo(512 * 1024);
    assertThat(o.maxRecordBytes()).isEqualTo(4 * 1024 * 1024);
    assertThat(o.maxContentBytes()).isEqualTo(8L << 30);
    assertThat(o.maxGzipRatio()).isEqualTo(1000);
    assertThat(o.toBuilder().cluster("c").host("h").build().contextDefaults().cluster()).isEqualTo("c");
  }

  @Test
  void errorsNameTheOption() {
    assertThatThrownBy(() -> CollectorOptions.builder().chunkSize(0).build())
        .hasMessage("collector option chunk_size: must be > 0, got 0");
    assertThatThrownBy(() -> CollectorOptions.builder().chunkSize(2048).maxRecordBytes(1024).build())
        .hasMessageContaining("chunk_size: must be <= max_record_bytes (1024)");
    assertThatThrownBy(() -> CollectorOptions.builder().maxRecordBytes(16 << 20).build())
        .hasMessageContaining("max_record_bytes: must be <=");
    assertThatThrownBy(() -> CollectorOptions.builder().maxContentBytes(-1).build())
        .hasMessageContaining("max_content_bytes");
    assertThatThrownBy(() -> CollectorOptions.builder().maxGzipRatio(0.5).build())
        .hasMessageContaining("max_gzip_ratio");
    assertThatThrownBy(() -> CollectorOptions.builder().maxGzipRatio(Double.NaN).build())
        .hasMessageContaining("max_gzip_ratio");
    assertThatThrownBy(() -> CollectorOptions.builder().runId(" ").build()).hasMessageContaining("run_id");
  }
}
