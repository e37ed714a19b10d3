package dev.baton.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StageErrorCodeTest {

  @Test
  void errorTypesOnTheWireMapToTheirCode() {
    assertThat(StageErrorCode.of("QUALITY_FAILED")).isEqualTo(StageErrorCode.QUALITY_FAILED);
    assertThat(StageErrorCode.of("INVALID_PARAMETER").retryable()).isFalse();
    assertThat(StageErrorCode.of("LOST")).isEqualTo(StageErrorCode.LOST);
    assertThat(StageErrorCode.of("EMR_STEP_FAILED")).isEqualTo(StageErrorCode.EXTERNAL_JOB_FAILED);
    assertThat(StageErrorCode.of("EMR_SERVERLESS_CANCELLED")).isEqualTo(StageErrorCode.EXTERNAL_JOB_FAILED);
    assertThat(StageErrorCode.of("FLAG_FILE_FAILED")).isEqualTo(StageErrorCode.EXTERNAL_JOB_FAILED);
    assertThat(StageErrorCode.of("java.lang.OutOfMemoryError")).isEqualTo(StageErrorCode.INTERNAL_ERROR);
    assertThat(StageErrorCode.of(null)).isEqualTo(StageErrorCode.INTERNAL_ERROR);
  }

  @Test
  void onlyUserErrorsAndAMissingPermissionAreNotRetryable() {
    for (StageErrorCode code : StageErrorCode.values()) {
      assertThat(code.retryable()).as(code.name())
          .isEqualTo(code.kind() != StageErrorCode.Kind.USER && code != StageErrorCode.ACCESS_DENIED);
    }
    assertThat(StageErrorCode.ACCESS_DENIED.kind()).isEqualTo(StageErrorCode.Kind.EXTERNAL);
  }
}
