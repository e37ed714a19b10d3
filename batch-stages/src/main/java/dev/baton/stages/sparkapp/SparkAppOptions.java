package dev.baton.stages.sparkapp;

import dev.baton.stages.runner.StageParameters;
import dev.baton.stages.spi.InvalidStageOptionsException;
import dev.baton.stages.spi.StageOptions;
import java.util.List;
import java.util.Map;

/**
 * Options of a {@code spark-app} stage: a user's Spark application, launched unchanged with {@code
 * spark-submit}. String values may hold {@code ${param}} placeholders (substituted with the run's
 * validated parameters before launch).
 *
 * <pre>{@code
 * - name: q5
 *   type: spark-app
 *   options:
 *     resource: s3://jobs/qx-jobs.jar         # a .jar (then mainClass) or a .py file, path or URI
 *     mainClass: com.example.qx.Q5
 *     args: [--date, "${asOf}"]
 *     conf: {spark.executor.memory: 4g}
 *     jars: [s3://jobs/lib/extra.jar]
 *     files: [s3://jobs/conf/q5.properties]
 *     pyFiles: []
 *     packages: [org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.10.0]
 * }</pre>
 *
 * @param resource the application's jar or Python file ({@code spark-submit}'s primary resource)
 * @param mainClass the main class of a jar; not used for a Python file
 * @param args the application's arguments, in order
 * @param conf Spark settings of this application (over the launcher profile's)
 * @param jars more jars for the driver and executors ({@code --jars})
 * @param files files placed in each executor's working directory ({@code --files})
 * @param pyFiles Python dependencies ({@code --py-files})
 * @param packages Maven coordinates {@code group:artifact:version} ({@code --packages})
 */
public record SparkAppOptions(String resource, String mainClass, List<String> args, Map<String, String> conf,
    List<String> jars, List<String> files, List<String> pyFiles, List<String> packages) {

  public SparkAppOptions {
    if (resource == null || resource.isBlank()) {
      throw new InvalidStageOptionsException("resource", "is required: the application's .jar or .py file");
    }
    boolean python = resource.endsWith(".py");
    if (!python && !resource.endsWith(".jar")) {
      throw new InvalidStageOptionsException("resource", "expected a .jar or .py file, got '" + resource + "'");
    }
    if (!python && (mainClass == null || mainClass.isBlank())) {
      throw new InvalidStageOptionsException("mainClass", "is required for a jar application");
    }
    if (python && mainClass != null) {
      throw new InvalidStageOptionsException("mainClass", "a Python application has no main class");
    }
    args = args == null ? List.of() : List.copyOf(args);
    conf = conf == null ? Map.of() : Map.copyOf(conf);
    for (String key : conf.keySet()) {
      if (!key.startsWith("spark.")) {
        throw new InvalidStageOptionsException("conf." + key, "not a Spark setting (spark.*)");
      }
    }
    jars = jars == null ? List.of() : List.copyOf(jars);
    files = files == null ? List.of() : List.copyOf(files);
    pyFiles = pyFiles == null ? List.of() : List.copyOf(pyFiles);
    packages = packages == null ? List.of() : List.copyOf(packages);
    for (int i = 0; i < packages.size(); i++) {
      if (!packages.get(i).matches("[^:\\s]+:[^:\\s]+:[^:\\s]+")) {
        throw new InvalidStageOptionsException("packages[" + i + "]", "expected group:artifact:version, got '"
            + packages.get(i) + "'");
      }
    }
  }

  /**
   * Binds YAML options (placeholders already substituted).
   *
   * @throws InvalidStageOptionsException naming the option
   */
  public static SparkAppOptions bind(Map<String, Object> options) {
    return StageOptions.bind(options, SparkAppOptions.class);
  }

  /**
   * Binds YAML options as written, after substituting the run's parameters into their {@code ${name}}
   * placeholders ({@link StageParameters#substitute}).
   *
   * @throws dev.baton.stages.spi.StageFailedException {@code MISSING_PARAMETER} or {@code INVALID_PARAMETER}
   * @throws InvalidStageOptionsException naming the option
   */
  public static SparkAppOptions bind(Map<String, Object> options, Map<String, String> params) {
    return bind(StageParameters.substitute(options, params));
  }
}
