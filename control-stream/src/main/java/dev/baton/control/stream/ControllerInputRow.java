package dev.baton.control.stream;

import java.io.Serializable;

/**
 * A Kafka record after decoding, as a Spark bean: the run it belongs to, where it came from, the
 * original bytes (for the dead-letter topic) and the decoded input as JSON. Records that cannot be
 * decoded carry an empty runId and a {@code rejected} input.
 */
public class ControllerInputRow implements Serializable {
  private static final long serialVersionUID = 1L;

  private String runId;
  private String pipeline;
  private String topic;
  private int partition;
  private long offset;
  private byte[] key;
  private byte[] value;
  private byte[] input;

  public String getRunId() {
    return runId;
  }

  public void setRunId(String runId) {
    this.runId = runId;
  }

  public String getPipeline() {
    return pipeline;
  }

  public void setPipeline(String pipeline) {
    this.pipeline = pipeline;
  }

  public String getTopic() {
    return topic;
  }

  public void setTopic(String topic) {
    this.topic = topic;
  }

  public int getPartition() {
    return partition;
  }

  public void setPartition(int partition) {
    this.partition = partition;
  }

  public long getOffset() {
    return offset;
  }

  public void setOffset(long offset) {
    this.offset = offset;
  }

  public byte[] getKey() {
    return key;
  }

  public void setKey(byte[] key) {
    this.key = key;
  }

  public byte[] getValue() {
    return value;
  }

  public void setValue(byte[] value) {
    this.value = value;
  }

  public byte[] getInput() {
    return input;
  }

  public void setInput(byte[] input) {
    this.input = input;
  }
}
