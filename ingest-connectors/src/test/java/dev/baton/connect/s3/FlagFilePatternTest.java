package dev.baton.connect.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlagFilePatternTest {

  @Test
  void matchesJobStatusFilesInABatchFolder() {
    FlagFilePattern pattern = FlagFilePattern.compile("orders/{batch}/_job_status{n}");

    assertThat(pattern.match("orders/2026-11-24/_job_status12"))
        .contains(new FlagFilePattern.Flag("orders/2026-11-24/", 12, 1));
    assertThat(pattern.match("orders/2026-11-24/_job_status")).isEmpty();
    assertThat(pattern.match("orders/2026-11-24/part-1.csv")).isEmpty();
    assertThat(pattern.match("orders/a/b/_job_status1")).isEmpty();
    assertThat(pattern.match("xorders/2026-11-24/_job_status1")).isEmpty();
  }

  @Test
  void literalTextIsNotARegex() {
    FlagFilePattern pattern = FlagFilePattern.compile("in.put/{batch}/status.{n}");

    assertThat(pattern.match("in.put/b1/status.3")).isPresent();
    assertThat(pattern.match("inXput/b1/status.3")).isEmpty();
    assertThat(pattern.match("in.put/b1/statusX3")).isEmpty();
  }

  @Test
  void attemptPlaceholder() {
    assertThat(FlagFilePattern.compile("{batch}/_job_status{n}.attempt{attempt}").match("b7/_job_status3.attempt2"))
        .contains(new FlagFilePattern.Flag("b7/", 3, 2));
  }

  @Test
  void invalidPatternsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> FlagFilePattern.compile("orders/_job_status{n}")).hasMessageContaining("{batch}");
    assertThatThrownBy(() -> FlagFilePattern.compile("orders/{batch}/_job_status")).hasMessageContaining("{n}");
    assertThatThrownBy(() -> FlagFilePattern.compile("orders/{batch}_job_status{n}")).hasMessageContaining("followed by '/'");
    assertThatThrownBy(() -> FlagFilePattern.compile("{batch}/{job}{n}")).hasMessageContaining("unknown placeholder {job}");
    assertThatThrownBy(() -> FlagFilePattern.compile("{batch}/{n}{n}")).hasMessageContaining("twice");
  }
}
