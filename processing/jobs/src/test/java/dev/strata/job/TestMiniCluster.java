package dev.strata.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The MiniCluster the job tests share: one TaskManager with {@code slots} slots, Flink's test memory, and the patient
 * partition requests the jobs set for their own MiniCluster ({@link ParseJob#LOCAL_PARTITION_REQUEST_BACKOFF_MAX_MS}:
 * a task waits for a slow upstream task to deploy instead of failing the run, as a test once did at load 100 on two
 * cores).
 */
public final class TestMiniCluster {
  private TestMiniCluster() {}

  public static MiniClusterExtension extension(int slots) {
    Configuration conf = new Configuration();
    conf.set(NettyShuffleEnvironmentOptions.NETWORK_REQUEST_BACKOFF_MAX, ParseJob.LOCAL_PARTITION_REQUEST_BACKOFF_MAX_MS);
    return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder().setConfiguration(conf)
        .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(slots).build());
  }
}
