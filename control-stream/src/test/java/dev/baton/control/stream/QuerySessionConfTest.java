package dev.baton.control.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuerySessionConfTest {
  private static final String MANAGER = "spark.sql.streaming.checkpointFileManagerClass";

  @Test
  void anObjectStoreCheckpointIsWrittenInPlaceAndALocalOneThroughTheFileSystem() {
    assertThat(Controller.querySessionConf("s3a://ops/baton/checkpoint")).containsEntry(MANAGER,
        "org.apache.spark.internal.io.cloud.AbortableStreamBasedCheckpointFileManager");
    assertThat(Controller.querySessionConf("s3://ops/baton/checkpoint")).containsEntry(MANAGER,
        "org.apache.spark.internal.io.cloud.AbortableStreamBasedCheckpointFileManager");
    assertThat(Controller.querySessionConf("/var/baton/checkpoint")).containsEntry(MANAGER,
        "org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager");
    assertThat(Controller.querySessionConf("file:///var/baton/checkpoint")).containsEntry(MANAGER,
        "org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager");
  }

  @Test
  void theAbortableStreamManagerIsOnTheClasspath() throws Exception {
    // spark-hadoop-cloud is a dependency of its own (its transitive ones excluded): Spark would fail the
    // query at start with ClassNotFoundException if it were missing
    assertThat(org.apache.spark.sql.execution.streaming.CheckpointFileManager.class)
        .isAssignableFrom(Class.forName("org.apache.spark.internal.io.cloud.AbortableStreamBasedCheckpointFileManager"));
  }
}
