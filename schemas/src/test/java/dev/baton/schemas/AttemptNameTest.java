package dev.baton.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AttemptNameTest {
  private static final String RUN = RunIds.of("sales", "landing/2026-12-03/_SUCCESS");

  @Test
  void aNameIsFormattedAndParsedBack() {
    AttemptName name = new AttemptName("sales", RUN, "ingest_orders", 12);
    assertThat(name.toString()).isEqualTo("baton:sales:" + RUN + ":ingest_orders:12");
    assertThat(AttemptName.parse(name.toString())).contains(name);
    assertThat(name.launchKey()).isEqualTo(RUN + "/ingest_orders/12");
  }

  @Test
  void aNameThatIsNotWhollyAnAttemptNameIsNotParsed() {
    assertThat(AttemptName.parse(null)).isEmpty();
    assertThat(AttemptName.parse("nightly-etl")).isEmpty();
    assertThat(AttemptName.parse("baton:sales:" + RUN + ":ingest")).isEmpty();
    assertThat(AttemptName.parse("baton:sales:" + RUN + ":ingest:1:extra")).isEmpty();
    assertThat(AttemptName.parse("xbaton:sales:" + RUN + ":ingest:1")).isEmpty();
    assertThat(AttemptName.parse("baton:Sales:" + RUN + ":ingest:1")).as("upper case").isEmpty();
    assertThat(AttemptName.parse("baton:sales:" + RUN + ":ingest:0")).as("attempts start at 1").isEmpty();
    assertThat(AttemptName.parse("baton:sales:" + RUN + ":ingest:12345")).isEmpty();
  }

  @Test
  void aPartThatDoesNotFitIsRefusedByName() {
    assertThatThrownBy(() -> new AttemptName("sales:x", RUN, "ingest", 1)).hasMessageContaining("pipeline");
    assertThatThrownBy(() -> new AttemptName("sales", "../etc", "ingest", 1)).hasMessageContaining("runId");
    assertThatThrownBy(() -> new AttemptName("sales", RUN, "", 1)).hasMessageContaining("stage");
    assertThatThrownBy(() -> new AttemptName("sales", RUN, "ingest", 0)).hasMessageContaining("attempt");
  }
}
