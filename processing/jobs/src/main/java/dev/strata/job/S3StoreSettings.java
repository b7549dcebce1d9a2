package dev.strata.job;

import dev.strata.sink.Secret;
import dev.strata.sink.s3.S3EvidenceStoreConfig;
import java.io.Serializable;
import java.net.URI;

/**
 * What a Flink sink needs to open the evidence store on a task manager: the {@link S3EvidenceStoreConfig} record
 * itself is not Serializable, this snapshot of it is (secrets stay {@link Secret}s).
 */
public record S3StoreSettings(URI endpoint, String region, String bucket, Secret accessKey, Secret secretKey,
    boolean pathStyle, String keyPrefix, int maxAttempts) implements Serializable {

  public static S3StoreSettings of(S3EvidenceStoreConfig c) {
    return new S3StoreSettings(c.endpoint(), c.region(), c.bucket(), c.accessKey(), c.secretKey(), c.pathStyle(),
        c.keyPrefix(), c.maxAttempts());
  }

  public S3EvidenceStoreConfig config() {
    return S3EvidenceStoreConfig.builder().endpoint(endpoint).region(region).bucket(bucket)
        .credentials(accessKey == null ? null : accessKey.reveal(), secretKey == null ? null : secretKey.reveal())
        .pathStyle(pathStyle).keyPrefix(keyPrefix).maxAttempts(maxAttempts).build();
  }
}
