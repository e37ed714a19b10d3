package dev.baton.control.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.junit.jupiter.api.Test;

class ClockSourceTest {

  private static List<Long> rows(ClockSource.ClockStream stream, long from, long to) throws Exception {
    List<Long> seconds = new ArrayList<>();
    for (InputPartition partition : stream.planInputPartitions(new ClockSource.SecondOffset(from),
        new ClockSource.SecondOffset(to))) {
      try (PartitionReader<InternalRow> reader = stream.createReaderFactory().createReader(partition)) {
        while (reader.next()) {
          seconds.add(reader.get().getLong(0));
        }
      }
    }
    return seconds;
  }

  @Test
  void aMicroBatchGetsOneRowPerElapsedSecondOfItsRange() throws Exception {
    ClockSource.ClockStream stream = new ClockSource.ClockStream();
    long now = System.currentTimeMillis() / 1000;
    long latest = ((ClockSource.SecondOffset) stream.latestOffset()).second;
    assertThat(latest).isBetween(now, now + 1);
    assertThat(rows(stream, latest - 3, latest)).containsExactly(latest - 3, latest - 2, latest - 1);
    assertThat(rows(stream, latest, latest)).isEmpty();
    // consecutive ranges tile: each second once
    List<Long> tiled = new ArrayList<>(rows(stream, latest - 10, latest - 4));
    tiled.addAll(rows(stream, latest - 4, latest));
    assertThat(tiled).doesNotHaveDuplicates().hasSize(10).startsWith(latest - 10).endsWith(latest - 1);
    assertThat(stream.deserializeOffset(new ClockSource.SecondOffset(latest).json()))
        .isInstanceOfSatisfying(ClockSource.SecondOffset.class, offset -> assertThat(offset.second).isEqualTo(latest));
  }

  @Test
  void aRateSourceOffsetOfAnOlderCheckpointResumesFromTheEndOfTheRange() throws Exception {
    ClockSource.ClockStream stream = new ClockSource.ClockStream();
    long latest = ((ClockSource.SecondOffset) stream.latestOffset()).second;
    assertThat(rows(stream, 12_501, latest)).isEmpty(); // seconds since the rate source's start: not epoch seconds
  }

  @Test
  void theOffsetNeverGoesBackAndOneMicroBatchCoversAtMostAnHour() {
    ClockSource.ClockStream stream = new ClockSource.ClockStream();
    long now = ((ClockSource.SecondOffset) stream.latestOffset()).second;
    // a committed second ahead of the wall clock (stepped back): the range stays empty, nothing is delivered again
    assertThat(((ClockSource.SecondOffset) stream.latestOffset(new ClockSource.SecondOffset(now + 100),
        org.apache.spark.sql.connector.read.streaming.ReadLimit.allAvailable())).second).isEqualTo(now + 100);
    // a day down: the first micro-batch covers its first hour
    assertThat(((ClockSource.SecondOffset) stream.latestOffset(new ClockSource.SecondOffset(now - 86_400),
        org.apache.spark.sql.connector.read.streaming.ReadLimit.allAvailable())).second).isEqualTo(now - 86_400 + 3_600);
    assertThat(((ClockSource.SecondOffset) stream.latestOffset(new ClockSource.SecondOffset(now - 5),
        org.apache.spark.sql.connector.read.streaming.ReadLimit.allAvailable())).second).isBetween(now, now + 1);
  }
}
