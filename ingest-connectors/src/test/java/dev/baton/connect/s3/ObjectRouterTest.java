package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.schemas.EventSerde;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The filters an object passes before it becomes a record (flag files are covered by the IT, which reads S3). */
class ObjectRouterTest {

  private static ObjectRouter router(Map<String, String> extra) {
    Map<String, String> props = new HashMap<>(Map.of("mode", "sqs", "sqs.queue.url", "u"));
    props.putAll(extra);
    return new ObjectRouter(new S3EventSourceConfig(props), EventSerde.builtIn(), null);
  }

  @Test
  void withoutFiltersEverythingIsKept() {
    ObjectRouter router = router(Map.of());
    assertThat(router.keeps("any", "a/b/c.csv")).isTrue();
    assertThat(router.keeps("other", "x")).isTrue();
  }

  @Test
  void bucketAndPrefixes() {
    ObjectRouter router = router(Map.of("s3.bucket", "landing", "s3.prefixes", "orders/,customers/"));
    assertThat(router.keeps("landing", "orders/b1/part.csv")).isTrue();
    assertThat(router.keeps("landing", "customers/b1/part.csv")).isTrue();
    assertThat(router.keeps("landing", "parts/b1/part.csv")).isFalse();
    assertThat(router.keeps("raw", "orders/b1/part.csv")).isFalse();
  }

  @Test
  void includeAndExcludeGlobs() {
    ObjectRouter router = router(Map.of("key.include.globs", "**/*.csv,**/_job_status*", "key.exclude.globs", "tmp/**"));
    assertThat(router.keeps("b", "orders/2026/part 1.csv")).isTrue();
    assertThat(router.keeps("b", "orders/2026/_job_status12")).isTrue();
    assertThat(router.keeps("b", "orders/2026/part.parquet")).isFalse();
    assertThat(router.keeps("b", "tmp/orders/part.csv")).isFalse();
    assertThat(router.keeps("b", "top.csv")).isFalse(); // '**/' needs at least one folder
  }

  @Test
  void excludeOnly() {
    ObjectRouter router = router(Map.of("key.exclude.globs", "**/_SUCCESS"));
    assertThat(router.keeps("b", "orders/b1/_SUCCESS")).isFalse();
    assertThat(router.keeps("b", "orders/b1/data.csv")).isTrue();
  }

  @Test
  void theReasonAFilterDropsAnObjectIsNamed() {
    ObjectRouter router = router(Map.of("s3.bucket", "landing", "s3.prefixes", "orders/",
        "key.include.globs", "**/*.csv", "key.exclude.globs", "orders/tmp/**"));
    assertThat(router.exclusion("raw", "orders/b1/part.csv")).contains("bucket raw is not s3.bucket landing");
    assertThat(router.exclusion("landing", "parts/b1/part.csv")).contains("key outside s3.prefixes [orders/]");
    assertThat(router.exclusion("landing", "orders/b1/part.parquet")).contains("key matches no key.include.globs [**/*.csv]");
    assertThat(router.exclusion("landing", "orders/tmp/part.csv")).contains("key matches key.exclude.globs [orders/tmp/**]");
    assertThat(router.exclusion("landing", "orders/b1/part.csv")).isEmpty();
  }
}
