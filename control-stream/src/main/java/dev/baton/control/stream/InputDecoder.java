package dev.baton.control.stream;

import dev.baton.schemas.RunIds;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.state.Input;
import dev.baton.schemas.EventDecodingException;
import dev.baton.schemas.EventSerde;
import dev.baton.schemas.SchemaRegistries;
import java.util.HashMap;
import java.util.Map;
import dev.baton.schemas.event.ControlEvent;
import dev.baton.schemas.event.ObjectCreated;
import dev.baton.schemas.event.RunCancelRequested;
import dev.baton.schemas.event.RunAdmitted;
import dev.baton.schemas.event.RunCompleted;
import dev.baton.schemas.event.RunQueued;
import dev.baton.control.state.AttemptPools;
import dev.baton.control.state.Slots;
import dev.baton.schemas.event.AttemptAdmitted;
import dev.baton.schemas.event.AttemptQueued;
import dev.baton.schemas.event.RunRequested;
import dev.baton.schemas.event.RunResumeRequested;
import dev.baton.schemas.event.StageLaunched;
import dev.baton.schemas.event.StageCompleted;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * Decodes Kafka rows (key, value, topic, partition, offset) into {@link ControllerInputRow}s keyed
 * by runId. An object event yields one row per pipeline whose trigger it falls in (none when it
 * falls in no trigger); {@code RunRequested}, {@code StageCompleted} and the operators' resume and
 * cancel requests one each (a SUCCEEDED {@code StageCompleted} also one per tables trigger of another
 * pipeline watching a table it wrote, keyed by that trigger's state key); the controller's own {@code
 * RunQueued} one for its pipeline's run slots ({@link Slots}) and {@code AttemptQueued} one for its pool's
 * slots, {@code RunAdmitted} and {@code AttemptAdmitted} one for the run, {@code RunCompleted} one for its
 * pipeline's run slots and one per attempt pool with a limit, a {@code StageCompleted} also one for its pool's
 * slots when the pool has a limit, and {@code StageLaunched} none; anything undecodable yields a rejected row; a
 * control event of an unknown
 * pipeline, a rejected row keyed by its runId (the run, if it exists, is of a deleted pipeline).
 */
final class InputDecoder implements FlatMapFunction<Row, ControllerInputRow> {
  private static final long serialVersionUID = 1L;
  /** Group key of rejected rows: they have no run. */
  static final String NO_RUN = "";

  private final Pipelines pipelines;
  private final String objectsTopic;
  private final HashMap<String, String> schemaRegistry;
  private AttemptPools pools = AttemptPools.none();
  private transient EventSerde serde;

  /** {@code schemaRegistry}: the {@code schema.registry.*} settings each task builds its registry client from. */
  InputDecoder(Pipelines pipelines, String objectsTopic, Map<String, String> schemaRegistry) {
    this.pipelines = pipelines;
    this.objectsTopic = objectsTopic;
    this.schemaRegistry = new HashMap<>(schemaRegistry);
  }

  /**
   * Routes the ends of attempts and runs to the slots of the attempt pools with a limit ({@code pools}).
   *
   * @return this
   */
  InputDecoder withAttemptPools(AttemptPools attemptPools) {
    this.pools = attemptPools;
    return this;
  }

  @Override
  public Iterator<ControllerInputRow> call(Row row) {
    if (serde == null) {
      serde = SchemaRegistries.serde(schemaRegistry);
    }
    String topic = row.getAs("topic");
    byte[] value = row.getAs("value");
    List<ControllerInputRow> out = new ArrayList<>();
    try {
      if (topic.equals(objectsTopic)) {
        ObjectCreated object = serde.deserialize(value, ObjectCreated.class);
        for (Pipelines.TriggerMatch match : pipelines.match(object.getBucket(), object.getKey())) {
          out.add(row(row, match.runId(), match.pipeline(), new Input.ObjectArrived(object.getEventId(),
              match.pipeline(), object.getBucket(), object.getKey(), match.triggerKey(), match.batch(), match.file(),
              object.getEventTime() == null ? null : object.getEventTime().toEpochMilli())));
        }
      } else {
        ControlEvent event = serde.deserialize(value, ControlEvent.class);
        Object payload = event.getPayload();
        if (payload instanceof RunCompleted completed) {
          // our own: it frees the run's slot in its pipeline's run slots, and in the attempt pools the slots of its
          // attempts (one queued or running when the run ended)
          Input.RunEnded ended = new Input.RunEnded(event.getEventId(), event.getPipeline(), event.getRunId(),
              completed.getStatus().name());
          // to the slots whatever the pipeline says now: it may have lost its limit (the slots then admit every
          // queued run) or been deleted since the run was queued
          out.add(row(row, Slots.runsKey(event.getPipeline()), event.getPipeline(), ended));
          pools.pools().forEach(pool -> out.add(row(row, Slots.attemptsKey(pool), event.getPipeline(), ended)));
          return out.iterator();
        }
        if (payload instanceof StageLaunched) {
          return out.iterator(); // our own StageLaunched: informational
        }
        if (pipelines.get(event.getPipeline()).isEmpty()) {
          // to its run, if any: a run whose pipeline was deleted while it was open fails on it
          String reason = "unknown pipeline '" + event.getPipeline() + "'";
          out.add(event.getRunId() == null || event.getRunId().isEmpty() ? rejected(row, reason)
              : row(row, event.getRunId(), event.getPipeline(), new Input.Rejected(reason)));
        } else if (payload instanceof RunResumeRequested resume) {
          out.add(row(row, event.getRunId(), event.getPipeline(), new Input.ResumeRequested(event.getEventId(),
              event.getPipeline(), resume.getRequestedBy(), resume.getReason())));
        } else if (payload instanceof RunCancelRequested cancel) {
          out.add(row(row, event.getRunId(), event.getPipeline(), new Input.CancelRequested(event.getEventId(),
              event.getPipeline(), cancel.getRequestedBy(), cancel.getReason())));
        } else if (payload instanceof RunQueued queued) {
          out.add(row(row, Slots.runsKey(event.getPipeline()), event.getPipeline(), new Input.RunQueued(
              event.getEventId(), event.getPipeline(), event.getRunId(), queued.getTriggeredAt().toEpochMilli(),
              queued.getResumes())));
        } else if (payload instanceof RunAdmitted admitted) {
          out.add(row(row, event.getRunId(), event.getPipeline(), new Input.RunAdmitted(event.getEventId(),
              event.getPipeline(), admitted.getActiveRuns())));
        } else if (payload instanceof AttemptQueued queued) {
          out.add(row(row, Slots.attemptsKey(queued.getPool()), event.getPipeline(), new Input.AttemptQueued(
              event.getEventId(), event.getPipeline(), event.getRunId(), queued.getStage(), queued.getAttempt(),
              queued.getPool(), queued.getPriority(), queued.getReadyAt().toEpochMilli())));
        } else if (payload instanceof AttemptAdmitted admitted) {
          out.add(row(row, event.getRunId(), event.getPipeline(), new Input.AttemptAdmitted(event.getEventId(),
              event.getPipeline(), admitted.getStage(), admitted.getAttempt())));
        } else if (payload instanceof RunRequested request) {
          String expected = RunIds.of(event.getPipeline(), request.getTriggerKey());
          if (!expected.equals(event.getRunId())) {
            out.add(rejected(row, "RunRequested runId " + event.getRunId() + " is not the runId of pipeline "
                + event.getPipeline() + " and trigger key '" + request.getTriggerKey() + "' (" + expected + ")"));
          } else {
            out.add(row(row, event.getRunId(), event.getPipeline(), new Input.RunRequested(event.getEventId(),
                event.getPipeline(), request.getTriggerKey(), request.getParams(), event.getTime().toEpochMilli())));
          }
        } else {
          StageCompleted completed = (StageCompleted) payload;
          boolean maintenance = pipelines.get(event.getPipeline()).flatMap(p -> p.stage(completed.getStage()))
              .map(stage -> stage.type().equals("maintenance")).orElse(false);
          if (completed.getStatus() == dev.baton.schemas.event.StageStatus.SUCCEEDED && !maintenance) {
            // new snapshots of tables other pipelines' tables triggers watch: to those triggers' state (a maintenance
            // stage's compaction and expiry snapshots hold no new data)
            for (dev.baton.schemas.event.StageOutput output : completed.getOutputs()) {
              if (output.getSnapshotId() == null) {
                continue;
              }
              for (var watcher : pipelines.watching(output.getTable(), event.getPipeline())) {
                out.add(row(row, dev.baton.control.pipeline.TablesTrigger.stateKey(watcher.name()), watcher.name(),
                    new Input.TablesUpdated(event.getEventId(), watcher.name(), output.getTable(), output.getSnapshotId(),
                        event.getPipeline(), event.getRunId())));
              }
            }
          }
          // the attempt's slot in its pool, if its stage's pool has a limit
          pipelines.get(event.getPipeline()).flatMap(p -> p.stage(completed.getStage())).flatMap(pools::poolOf)
              .ifPresent(pool -> out.add(row(row, Slots.attemptsKey(pool), event.getPipeline(), new Input.AttemptEnded(
                  event.getEventId(), event.getPipeline(), event.getRunId(), completed.getStage(),
                  completed.getAttempt()))));
          out.add(row(row, event.getRunId(), event.getPipeline(), new Input.StageCompleted(event.getEventId(),
              event.getPipeline(), completed.getStage(), completed.getAttempt(), completed.getStatus().name(),
              completed.getStartedAt().toEpochMilli(), completed.getFinishedAt().toEpochMilli(),
              completed.getError() == null ? null : completed.getError().getType(),
              completed.getError() == null ? null : completed.getError().getMessage(), completed.getApplicationId(),
              completed.getLogUri())));
        }
      }
    } catch (EventDecodingException | IllegalArgumentException e) {
      out.clear();
      out.add(rejected(row, e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
    } catch (RuntimeException e) {
      // anything else about this record must not stop the query: it would fail again on every replay
      out.clear();
      out.add(rejected(row, "Cannot decode event: " + e));
    }
    return out.iterator();
  }

  private static ControllerInputRow rejected(Row source, String reason) {
    return row(source, NO_RUN, null, new Input.Rejected(reason));
  }

  private static ControllerInputRow row(Row source, String runId, String pipeline, Input input) {
    ControllerInputRow row = new ControllerInputRow();
    row.setRunId(runId);
    row.setPipeline(pipeline);
    row.setTopic(source.getAs("topic"));
    row.setPartition(source.<Integer>getAs("partition"));
    row.setOffset(source.<Long>getAs("offset"));
    row.setKey(source.getAs("key"));
    row.setValue(source.getAs("value"));
    row.setInput(Json.write(input));
    return row;
  }
}
