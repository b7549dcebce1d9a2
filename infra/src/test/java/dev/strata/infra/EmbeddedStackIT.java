package dev.strata.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.infra.testing.SharedStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The shared stack works end to end: Kafka (incl. 8 MiB records), OpenSearch over HTTP, S3 with the AWS SDK. */
@ExtendWith(SharedStack.class)
class EmbeddedStackIT {

  @Test
  void kafkaRoundTripsAThousandRecordsThroughAnIdempotentProducer(StackEndpoints stack) throws Exception {
    String topic = "it.roundtrip." + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(stack), new StringSerializer(),
        new StringSerializer())) {
      for (int i = 0; i < 1000; i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
      }
      producer.flush();
    }

    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerConfig(stack), new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
      consumer.seekToBeginning(consumer.assignment());
      long deadline = System.currentTimeMillis() + 30_000;
      while (received.size() < 1000 && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
      }
    }
    assertThat(received).hasSize(1000);
    assertThat(received).allSatisfy(r -> assertThat(r.value()).isEqualTo(r.key().replace("key-", "value-")));
    assertThat(received.stream().map(ConsumerRecord::key).distinct()).hasSize(1000);
  }

  @Test
  void strataTopicsTakeRecordsUpToEightMiB(StackEndpoints stack) throws Exception {
    Topics.ensure(stack.kafkaBootstrap());
    Topics.ensure(stack.kafkaBootstrap()); // idempotent

    byte[] twoMiB = new byte[2 * 1024 * 1024];
    new Random(42).nextBytes(twoMiB);
    Properties config = producerConfig(stack);
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
    RecordMetadata written;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      written = producer.send(new ProducerRecord<>(Topics.RAW, "big".getBytes(), twoMiB)).get();
      byte[] nineMiB = new byte[9 * 1024 * 1024];
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.RAW, nineMiB)).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RecordTooLargeException.class);
    }

    Properties consumerConfig = consumerConfig(stack);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(Topics.RAW, written.partition());
      consumer.assign(List.of(partition));
      consumer.seek(partition, written.offset());
      byte[] read = null;
      long deadline = System.currentTimeMillis() + 30_000;
      while (read == null && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          read = record.value();
        }
      }
      assertThat(read).isEqualTo(twoMiB);
    }
  }

  @Test
  void openSearchIndexesAndFindsADocument(StackEndpoints stack) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String index = "strata-it-" + UUID.randomUUID();
    HttpResponse<String> indexed =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.openSearchUrl() + "/" + index + "/_doc/evt-1?refresh=true"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"message\":\"container escaped\",\"severity\":5}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(201);

    HttpResponse<String> found =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.openSearchUrl() + "/" + index + "/_search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":{\"match\":{\"message\":\"escaped\"}}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(found.statusCode()).isEqualTo(200);
    assertThat(found.body()).contains("\"total\":{\"value\":1").contains("\"_id\":\"evt-1\"");
  }

  @Test
  void s3StoresAndReturnsAnObjectWithAVerifiedChecksum(StackEndpoints stack) throws Exception {
    byte[] content = "original evidence bytes\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    String sha256 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(content));
    String key = "artifacts/sha256/it-" + UUID.randomUUID();
    try (S3Client s3 = s3Client(stack)) {
      s3.putObject(
          b -> b.bucket(stack.evidenceBucket()).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256)
              .checksumSHA256(sha256),
          RequestBody.fromBytes(content));
      byte[] read = s3.getObjectAsBytes(b -> b.bucket(stack.evidenceBucket()).key(key)).asByteArray();
      assertThat(read).isEqualTo(content);
      assertThat(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(read)))
          .isEqualTo(sha256);

      String wrong = Base64.getEncoder().encodeToString(new byte[32]);
      assertThatThrownBy(
              () ->
                  s3.putObject(
                      b -> b.bucket(stack.evidenceBucket()).key(key + "-bad").checksumSHA256(wrong),
                      RequestBody.fromBytes(content)))
          .isInstanceOf(S3Exception.class)
          .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(400));
    }
  }

  static S3Client s3Client(StackEndpoints stack) {
    return S3Client.builder()
        .endpointOverride(stack.s3Endpoint())
        .region(Region.of(stack.s3Region()))
        .forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(stack.s3AccessKey(), stack.s3SecretKey())))
        .build();
  }

  private static Properties producerConfig(StackEndpoints stack) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // a topic created a moment ago: several requests in flight can lose records (KAFKA-15591, see KafkaTestSupport)
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return config;
  }

  private static Properties consumerConfig(StackEndpoints stack) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    return config;
  }
}
