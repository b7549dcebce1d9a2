package dev.strata.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A stack stopped and started again on the same data dir keeps its cluster id, topics, records, documents and
 * objects; close() leaves no child process behind. Prints start-up times and peak RSS of the children.
 */
class EmbeddedStackRestartIT {
  private static final String INDEX = "strata-restart-it";
  private static final String KEY = "restart-it/object";

  private Path dataDir;

  @BeforeEach
  void createDataDir() throws IOException {
    Path target = Files.createDirectories(Path.of("target")).toAbsolutePath();
    dataDir =
        Files.createTempDirectory(
            target, "restart-it-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  @AfterEach
  void deleteDataDir() throws IOException {
    try (Stream<Path> tree = Files.walk(dataDir)) {
      tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Test
  void restartOnTheSameDataDirKeepsEverythingAndCloseLeavesNoProcess() throws Exception {
    String clusterId;
    try (EmbeddedStack stack = start("cold")) {
      StackEndpoints endpoints = stack.endpoints();
      clusterId = Files.readString(dataDir.resolve("kafka/cluster.id")).trim();
      Topics.ensure(endpoints.kafkaBootstrap());
      produce(endpoints, 10);
      put(endpoints, INDEX + "/_doc/1?refresh=true", "{\"message\":\"kept\"}");
      try (S3Client s3 = EmbeddedStackIT.s3Client(endpoints)) {
        s3.putObject(b -> b.bucket(endpoints.evidenceBucket()).key(KEY), RequestBody.fromString("kept"));
      }
      report("cold", stack);
      closeAndAssertNoChildLeft(stack);
    }

    try (EmbeddedStack stack = start("warm")) {
      StackEndpoints endpoints = stack.endpoints();
      assertThat(Files.readString(dataDir.resolve("kafka/cluster.id")).trim()).isEqualTo(clusterId);
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()))) {
        assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
        assertThat(admin.listTopics().names().get()).containsAll(Topics.ALL);
      }
      assertThat(countRecords(endpoints)).isEqualTo(10);
      assertThat(get(endpoints, INDEX + "/_doc/1")).contains("\"found\":true");
      try (S3Client s3 = EmbeddedStackIT.s3Client(endpoints)) {
        assertThat(s3.getObjectAsBytes(b -> b.bucket(endpoints.evidenceBucket()).key(KEY)).asUtf8String())
            .isEqualTo("kept");
      }
      report("warm", stack);
      closeAndAssertNoChildLeft(stack);
      stack.close(); // idempotent
    }
  }

  private EmbeddedStack start(String label) {
    return EmbeddedStack.builder()
        .dataDir(dataDir)
        .progress(message -> System.out.println("[strata " + label + "] " + message))
        .start();
  }

  private static void closeAndAssertNoChildLeft(EmbeddedStack stack) {
    List<ProcessHandle> tree = new ArrayList<>();
    for (ProcessHandle child : stack.childProcesses()) {
      tree.add(child);
      child.descendants().forEach(tree::add);
    }
    assertThat(stack.childProcesses()).hasSize(2).allMatch(ProcessHandle::isAlive);
    stack.close();
    assertThat(tree).noneMatch(ProcessHandle::isAlive);
    List<Long> stillOurs =
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
            .collect(Collectors.toList());
    assertThat(stillOurs).doesNotContainAnyElementsOf(tree.stream().map(ProcessHandle::pid).toList());
  }

  private static void report(String label, EmbeddedStack stack) {
    List<ProcessHandle> children = stack.childProcesses();
    System.out.printf(
        "[strata %s] start-up: %s | peak RSS: kafka %d MiB, opensearch %d MiB, test JVM (S3Proxy in-process) %d MiB%n",
        label,
        stack.startupTimes(),
        peakRssMiB(children.get(0)),
        peakRssMiB(children.get(1)),
        peakRssMiB(ProcessHandle.current()));
  }

  /** VmHWM (peak resident set) of a Linux process, in MiB. */
  private static long peakRssMiB(ProcessHandle process) {
    try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      return lines.filter(line -> line.startsWith("VmHWM:"))
          .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024)
          .findFirst()
          .orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }

  private static void produce(StackEndpoints endpoints, int count) {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
            ProducerConfig.ACKS_CONFIG, "all",
            // topics created a moment ago: several requests in flight can lose records (KAFKA-15591)
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(Topics.ARTIFACTS, "k" + i, "v" + i));
      }
      producer.flush();
    }
  }

  private static int countRecords(StackEndpoints endpoints) {
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.ARTIFACTS).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      int count = 0;
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline && count < 10) {
        count += consumer.poll(Duration.ofMillis(500)).count();
      }
      return count;
    }
  }

  private static void put(StackEndpoints endpoints, String path, String json) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(endpoints.openSearchUrl() + "/" + path))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
  }

  private static String get(StackEndpoints endpoints, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(endpoints.openSearchUrl() + "/" + path)).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .body();
  }
}
