package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ListingWatermarkTest {

  @Test
  void remembersEmittedKeysAcrossAnOffsetRoundTrip() {
    ListingWatermark watermark = ListingWatermark.empty(60_000).with("a", 1_000_000).with("b", 1_000_000);

    ListingWatermark restored = ListingWatermark.fromOffset(watermark.toOffset(), 60_000);

    assertThat(restored.isNew("a", 1_000_000)).isFalse();
    assertThat(restored.isNew("b", 1_000_000)).isFalse();
    assertThat(restored.isNew("c", 1_000_000)).isTrue();
  }

  @Test
  void lateObjectsWithinTheGraceWindowAreStillNewOlderOnesAreNot() {
    ListingWatermark watermark = ListingWatermark.empty(60_000).with("new", 1_000_000);

    assertThat(watermark.isNew("multipart-started-earlier", 1_000_000 - 59_000)).isTrue();
    assertThat(watermark.isNew("ancient", 1_000_000 - 61_000)).isFalse();
  }

  @Test
  void forgetsKeysThatLeftTheWindow() {
    ListingWatermark watermark = ListingWatermark.empty(10).with("old", 100).with("new", 200);

    Map<String, Object> offset = watermark.toOffset();

    assertThat(offset).containsEntry("maxLastModifiedMs", 200L);
    assertThat((String) offset.get("recentKeys")).isEqualTo("{\"new\":200}");
  }

  @Test
  void aRewrittenKeyIsNewAgain() {
    ListingWatermark watermark = ListingWatermark.empty(60_000).with("flag", 1_000_000);

    assertThat(watermark.classify("flag", 1_000_000)).isEqualTo(ListingWatermark.Verdict.ALREADY_EMITTED);
    assertThat(watermark.classify("flag", 1_005_000)).isEqualTo(ListingWatermark.Verdict.NEW);
  }

  @Test
  void theObjectOfAMultipartUploadStartedBeforeTheWindowIsNewWhileTheUploadIsTrackedAndEmittedOnce() {
    long initiated = 1_000_000;
    ListingWatermark watermark = ListingWatermark.empty(60_000)
        .listed(Map.of("u1", "big.csv"))
        .with("later.csv", initiated + 600_000);
    assertThat(watermark.classify("big.csv", initiated)).isEqualTo(ListingWatermark.Verdict.NEW_MULTIPART);
    // completed after this listing: the next listing no longer shows the upload, but still tracks it
    watermark = watermark.listed(Map.of());
    assertThat(watermark.classify("big.csv", initiated)).isEqualTo(ListingWatermark.Verdict.NEW_MULTIPART);
    assertThat(watermark.classify("other.csv", initiated)).isEqualTo(ListingWatermark.Verdict.BEHIND_WATERMARK);

    watermark = watermark.with("big.csv", initiated);
    assertThat(watermark.classify("big.csv", initiated)).isEqualTo(ListingWatermark.Verdict.ALREADY_EMITTED);
    ListingWatermark restored = ListingWatermark.fromOffset(watermark.toOffset(), 60_000);
    assertThat(restored.classify("big.csv", initiated)).isEqualTo(ListingWatermark.Verdict.ALREADY_EMITTED);
    // two listings without the upload: it is forgotten, its object is behind the watermark
    assertThat(watermark.listed(Map.of()).isNew("big.csv", initiated)).isFalse();
  }

  @Test
  void anOlderVersionListedWhileItsKeyIsBeingUploadedAgainIsEmittedOnceMoreThenTheNewOne() {
    ListingWatermark watermark = ListingWatermark.empty(60_000).with("later.csv", 2_000_000)
        .listed(Map.of("u1", "data.csv"));

    // the version of data.csv emitted long ago (forgotten): matched by key, emitted again with the same event id
    assertThat(watermark.classify("data.csv", 1_000_000)).isEqualTo(ListingWatermark.Verdict.NEW_MULTIPART);
    watermark = watermark.with("data.csv", 1_000_000);
    assertThat(watermark.classify("data.csv", 1_000_000)).isEqualTo(ListingWatermark.Verdict.ALREADY_EMITTED);
    // the upload's own object (LastModified: its start, also behind the window)
    assertThat(watermark.classify("data.csv", 1_500_000)).isEqualTo(ListingWatermark.Verdict.NEW_MULTIPART);
  }

  @Test
  void anUploadSeenBeforeARestartIsStillTrackedAfterIt() {
    long initiated = 1_000_000;
    ListingWatermark beforeRestart = ListingWatermark.empty(60_000)
        .listed(Map.of("u1", "big.csv"))
        .with("later.csv", initiated + 600_000);

    ListingWatermark restored = ListingWatermark.fromOffset(beforeRestart.toOffset(), 60_000).listed(Map.of());

    assertThat(restored.classify("big.csv", initiated)).isEqualTo(ListingWatermark.Verdict.NEW_MULTIPART);
  }

  @Test
  void anOffsetWrittenBeforeUploadsWereTrackedIsRead() {
    ListingWatermark watermark = ListingWatermark.fromOffset(
        Map.of("maxLastModifiedMs", 1_000_000L, "recentKeys", "{\"a\":1000000}"), 60_000);

    assertThat(watermark.classify("a", 1_000_000)).isEqualTo(ListingWatermark.Verdict.ALREADY_EMITTED);
    assertThat(watermark.trackedUploads()).isZero();
  }

  @Test
  void anEmptyOffsetStartsFromNothing() {
    assertThat(ListingWatermark.fromOffset(null, 0).isNew("x", 0)).isTrue();
    assertThat(ListingWatermark.fromOffset(Map.of(), 0).isNew("x", Long.MIN_VALUE + 1)).isTrue();
  }
}
