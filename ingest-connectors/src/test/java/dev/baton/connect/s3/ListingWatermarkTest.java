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
  void anEmptyOffsetStartsFromNothing() {
    assertThat(ListingWatermark.fromOffset(null, 0).isNew("x", 0)).isTrue();
    assertThat(ListingWatermark.fromOffset(Map.of(), 0).isNew("x", Long.MIN_VALUE + 1)).isTrue();
  }
}
