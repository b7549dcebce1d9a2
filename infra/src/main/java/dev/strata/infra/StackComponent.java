package dev.strata.infra;

/** A part of the embedded stack that can be started on its own. */
public enum StackComponent {
  /** Kafka 4.4 broker (KRaft, combined broker + controller) in a child JVM. */
  KAFKA("kafka"),
  /** OpenSearch 2.19 single node in a child process. */
  OPENSEARCH("opensearch"),
  /** S3Proxy in this JVM on the filesystem backend. */
  S3("s3");

  private final String id;

  StackComponent(String id) {
    this.id = id;
  }

  /** Lower-case name used in messages and as the component's sub-directory of the data dir. */
  public String id() {
    return id;
  }
}
