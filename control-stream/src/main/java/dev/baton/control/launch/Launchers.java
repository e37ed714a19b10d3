package dev.baton.control.launch;

import static java.util.Objects.requireNonNull;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineValidationException;
import dev.baton.control.pipeline.Pipelines;
import dev.baton.control.pipeline.StageDefinition;
import dev.baton.stages.StageTypes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The controller's launchers by profile name ({@link LauncherProfile}), and which one runs a stage:
 * the stage's own {@code launcher}, else the controller's default. Each launcher's {@link
 * Launcher#name()} is its profile's name, which {@code StageLaunched.launcher} and the launch journal
 * record, so a restarted controller asks the same profile to {@link Launcher#reconcile reconcile}.
 */
public final class Launchers implements AutoCloseable {
  private final Map<String, Launcher> byName;
  private final String defaultName;

  /**
   * @param launchers the launchers, each under its {@link Launcher#name()}
   * @param defaultName the profile of stages that name none
   * @throws IllegalArgumentException if two launchers share a name, or none has {@code defaultName}
   */
  public Launchers(List<Launcher> launchers, String defaultName) {
    Map<String, Launcher> map = new LinkedHashMap<>();
    for (Launcher launcher : launchers) {
      if (map.put(launcher.name(), launcher) != null) {
        throw new IllegalArgumentException("Cannot use launchers: two are named " + launcher.name());
      }
    }
    if (!map.containsKey(requireNonNull(defaultName, "Invalid defaultName: null"))) {
      throw new IllegalArgumentException("Cannot use launchers: the default launcher " + defaultName
          + " is not one of " + map.keySet());
    }
    this.byName = Collections.unmodifiableMap(map);
    this.defaultName = defaultName;
  }

  /** One launcher, the default for every stage. */
  public static Launchers of(Launcher launcher) {
    return new Launchers(List.of(launcher), launcher.name());
  }

  /** The launcher profile of {@code stage}: its own, else the default (configured or not). */
  public String profileOf(StageDefinition stage) {
    return stage.launcher() == null ? defaultName : stage.launcher();
  }

  /**
   * The launcher of {@code stage}: its own profile, else the default.
   *
   * @throws IllegalStateException if the stage names a profile that is not configured
   */
  public Launcher forStage(StageDefinition stage) {
    String name = profileOf(stage);
    Launcher launcher = byName.get(name);
    if (launcher == null) { // check() refuses such pipelines at start
      throw new IllegalStateException("Cannot launch stage " + stage.name() + ": no launcher profile " + name
          + " (configured: " + byName.keySet() + ")");
    }
    return launcher;
  }

  /**
   * The launcher of profile {@code name}.
   *
   * @throws IllegalArgumentException if no such profile is configured (any more)
   */
  public Launcher named(String name) {
    Launcher launcher = byName.get(name);
    if (launcher == null) {
      throw new IllegalArgumentException("no launcher profile " + name + " is configured (configured: "
          + new TreeSet<>(byName.keySet()) + ")");
    }
    return launcher;
  }

  /** The configured profile names. */
  public Set<String> names() {
    return byName.keySet();
  }

  /**
   * Refuses pipelines whose stages name a launcher profile the configuration does not define, or whose
   * application stages ({@code spark-app}) fall to a launcher that does not start applications.
   *
   * @throws PipelineValidationException listing each such stage as {@code stages[i].launcher: ...}
   */
  public void check(Pipelines pipelines) {
    for (PipelineDefinition pipeline : pipelines.all()) {
      List<String> errors = new ArrayList<>();
      for (int i = 0; i < pipeline.stages().size(); i++) {
        StageDefinition stage = pipeline.stages().get(i);
        String launcher = stage.launcher();
        if (launcher != null && !byName.containsKey(launcher)) {
          errors.add("stages[" + i + "].launcher: unknown launcher profile '" + launcher + "' (configured: "
              + String.join(", ", new TreeSet<>(byName.keySet())) + "; define it with launchers." + launcher + ".type)");
        } else if (StageTypes.runsAsApplication(stage.type()) && !forStage(stage).startsApplications()) {
          errors.add("stages[" + i + "].launcher: a " + stage.type() + " stage is an application of its own, and"
              + " launcher profile '" + profileOf(stage) + "' runs stages inside a session: name a profile that starts"
              + " applications (spark-submit)" + (launcher == null ? ", here or in defaults.launcher" : ""));
        }
      }
      if (!errors.isEmpty()) {
        throw new PipelineValidationException(pipeline.name(), errors);
      }
    }
  }

  /** Cancels the attempt in whichever launcher runs it (the others have nothing to cancel). */
  public void cancel(String launchKey) {
    byName.values().forEach(launcher -> launcher.cancel(launchKey));
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (Launcher launcher : byName.values()) {
      try {
        launcher.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
