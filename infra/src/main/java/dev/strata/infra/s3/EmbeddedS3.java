package dev.strata.infra.s3;

import dev.strata.infra.StackEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible server in this JVM: S3Proxy on its {@code filesystem-nio2} backend (one sub-directory per bucket
 * under the data dir), on a free port of 127.0.0.1, with fixed development credentials ({@link #ACCESS_KEY} /
 * {@link #SECRET_KEY}, signature V2 or V4). Path-style access; no Object Lock, no versioning on this backend.
 */
public final class EmbeddedS3 implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);

  /** Development access key id of the embedded S3 (and of the compose/k8s MinIO). Not a secret. */
  public static final String ACCESS_KEY = "strata";
  /** Development secret key of the embedded S3 (and of the compose/k8s MinIO). Not a secret. */
  public static final String SECRET_KEY = "strata-dev-secret";

  private final S3Proxy proxy;
  private final BlobStore store;
  private final URI endpoint;

  private EmbeddedS3(S3Proxy proxy, BlobStore store, URI endpoint) {
    this.proxy = proxy;
    this.store = store;
    this.endpoint = endpoint;
  }

  /**
   * Starts S3Proxy on {@code dataDir} and creates {@code buckets} that do not exist yet.
   *
   * @throws IllegalStateException when S3Proxy does not reach state STARTED within {@code timeout}
   */
  public static EmbeddedS3 start(Path dataDir, Duration timeout, String... buckets) {
    Path dir;
    try {
      dir = Files.createDirectories(dataDir).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the S3 data dir " + dataDir + ": " + e.getMessage(), e);
    }
    S3Logging.quiet();
    Properties properties = new Properties();
    properties.setProperty("jclouds.identity", ACCESS_KEY);
    properties.setProperty("jclouds.credential", SECRET_KEY);
    properties.setProperty("jclouds.filesystem.basedir", dir.toString());
    properties.setProperty("jclouds.region", StackEndpoints.DEFAULT_S3_REGION);
    BlobStore store = BlobStores.create("filesystem-nio2", properties);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    EmbeddedS3 s3 = null;
    try {
      proxy.start();
      awaitStarted(proxy, timeout);
      s3 = new EmbeddedS3(proxy, store, URI.create("http://127.0.0.1:" + proxy.getPort()));
      for (String bucket : buckets) {
        if (!store.containerExists(bucket)) {
          store.createContainer(bucket);
        }
      }
      return s3;
    } catch (Exception e) {
      if (s3 != null) {
        s3.close();
      } else {
        stopQuietly(proxy, store);
      }
      throw new IllegalStateException("S3Proxy did not start on " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The endpoint for path-style access, e.g. {@code http://127.0.0.1:40125}. */
  public URI endpoint() {
    return endpoint;
  }

  /** Stops S3Proxy. Idempotent. */
  @Override
  public void close() {
    stopQuietly(proxy, store);
  }

  private static void awaitStarted(S3Proxy proxy, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "not STARTED within " + timeout.toSeconds() + " s (state " + proxy.getState() + ")");
      }
      Thread.sleep(20);
    }
  }

  private static void stopQuietly(S3Proxy proxy, BlobStore store) {
    try {
      if (!"STOPPED".equals(proxy.getState())) {
        proxy.stop();
      }
    } catch (Exception e) {
      LOG.warn("Stopping S3Proxy failed: {}", e.toString());
    }
    store.close();
  }
}
