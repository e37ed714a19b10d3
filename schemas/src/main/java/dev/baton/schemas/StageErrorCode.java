package dev.baton.schemas;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a failed attempt's error type ({@code StageCompleted.error.type}) means: whose fault it is
 * ({@link Kind}) and whether launching the attempt again can help ({@link #retryable()}). Modelled
 * on Trino's {@code StandardErrorCode} and {@code ErrorType}. The error type on the wire stays as
 * precise as its producer makes it (an exception class name, {@code EMR_STEP_FAILED}); {@link
 * #of(String)} maps it to its code. Retry policies read the code ({@code retryableErrors: ["*"]}
 * retries the retryable codes), not free-form strings.
 */
public enum StageErrorCode {
  /** A quality rule failed (the {@code quality} stage). */
  QUALITY_FAILED(Kind.USER, false),
  /** An ingest's malformed rows exceeded {@code maxBadRowsFraction}. */
  TOO_MANY_BAD_ROWS(Kind.USER, false),
  /** An ingest's input lacks a declared column (a Parquet, Avro or ORC file without it). */
  INPUT_SCHEMA_MISMATCH(Kind.USER, false),
  /**
   * An ingest's target table exists with a schema or partitioning its declared schema cannot evolve to (a
   * narrowing or incompatible type change, other partition fields).
   */
  INCOMPATIBLE_TABLE(Kind.USER, false),
  /**
   * An incremental export cannot export only appended rows: a snapshot since the last export deleted or replaced
   * rows, or the last exported snapshot is no longer an ancestor of the table's current one.
   */
  EXPORT_NOT_INCREMENTAL(Kind.USER, false),
  /** The run lacks a parameter the stage uses. */
  MISSING_PARAMETER(Kind.USER, false),
  /** A run parameter's value cannot be used where the stage puts it (not a safe path part, wrong type). */
  INVALID_PARAMETER(Kind.USER, false),
  /** The stage's options, after parameter substitution, do not fit its type. */
  INVALID_OPTIONS(Kind.USER, false),
  /** The attempt died with the process that ran it, or went past its timeout without a completion. */
  LOST(Kind.EXTERNAL, true),
  /** The launcher had no room for the attempt. */
  NO_CAPACITY(Kind.EXTERNAL, true),
  /** The attempt was interrupted (its process shutting down). */
  INTERRUPTED(Kind.EXTERNAL, true),
  /** A job Baton did not run reported failure: a legacy job's flag file, an EMR step or job run ({@code EMR_*}). */
  EXTERNAL_JOB_FAILED(Kind.EXTERNAL, true),
  /** The stage names a launcher profile the configuration does not define (any more). */
  UNKNOWN_LAUNCHER(Kind.USER, false),
  /** A spark-app stage was handed to a launcher that runs stages inside a session instead of starting applications. */
  NOT_AN_APPLICATION_LAUNCHER(Kind.USER, false),
  /**
   * A cloud API refused to start the attempt's job as invalid: {@code ValidationException} or another
   * 4xx answer that is neither throttling nor a conflict (a wrong application id, role or release label).
   */
  INVALID_REQUEST(Kind.USER, false),
  /** A cloud API refused to start the attempt's job for lack of permission ({@code AccessDeniedException}, HTTP 403). */
  ACCESS_DENIED(Kind.EXTERNAL, false),
  /** spark-submit (or a cloud API, after its own retries) could not start the attempt's application. */
  SUBMISSION_FAILED(Kind.EXTERNAL, true),
  /**
   * The attempt's Spark application ended without success: {@code APPLICATION_FAILED}, {@code _KILLED} or
   * {@code _LOST} (its final state), and for a user's application the job's own error.
   */
  APPLICATION_FAILED(Kind.EXTERNAL, true),
  /** A failure injected on purpose (the {@code noop} stage's {@code failureRate}). */
  INJECTED_FAILURE(Kind.INTERNAL, true),
  /** Any other error: the stage threw an exception or a JVM error (the type is its class name). */
  INTERNAL_ERROR(Kind.INTERNAL, true);

  /** Whose fault a failure is, as in Trino's {@code ErrorType}. */
  public enum Kind {
    /** The pipeline, its parameters or its input are wrong: the same input fails the same way. */
    USER,
    /** Something outside the stage's own logic failed: the controller, the cluster, another job. */
    EXTERNAL,
    /** The stage itself crashed. */
    INTERNAL
  }

  private static final Map<String, StageErrorCode> BY_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));

  private final Kind kind;
  private final boolean retryable;

  StageErrorCode(Kind kind, boolean retryable) {
    this.kind = kind;
    this.retryable = retryable;
  }

  /** Whose fault it is. */
  public Kind kind() {
    return kind;
  }

  /**
   * Whether another attempt on the same input can succeed; USER errors cannot, nor can a missing
   * permission ({@link #ACCESS_DENIED}) until someone grants it.
   */
  public boolean retryable() {
    return retryable;
  }

  /**
   * The code of {@code errorType}: the code of that name; {@link #EXTERNAL_JOB_FAILED} for {@code
   * FLAG_FILE_FAILED} and the {@code EMR_…} types of the event connector; {@link #APPLICATION_FAILED} for
   * {@code APPLICATION_<final state>}; {@link #INTERNAL_ERROR} for
   * anything else, null included (an exception's class name).
   */
  public static StageErrorCode of(String errorType) {
    if (errorType == null) {
      return INTERNAL_ERROR;
    }
    if (errorType.startsWith("APPLICATION_")) {
      return APPLICATION_FAILED;
    }
    StageErrorCode code = BY_NAME.get(errorType);
    if (code != null) {
      return code;
    }
    if (errorType.equals("FLAG_FILE_FAILED") || errorType.startsWith("EMR_")) {
      return EXTERNAL_JOB_FAILED;
    }
    return INTERNAL_ERROR;
  }
}
