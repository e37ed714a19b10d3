package dev.baton.cli;

import dev.baton.control.pipeline.PipelineDefinition;
import dev.baton.control.pipeline.PipelineParser;
import dev.baton.control.pipeline.PipelineValidationException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code baton validate}: checks pipeline files. */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Validate pipeline YAML files.")
final class ValidateCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", description = "Pipeline files.")
  Path[] files;

  @Override
  public Integer call() {
    int invalid = 0;
    for (Path file : files) {
      try {
        PipelineDefinition pipeline = PipelineParser.parse(file);
        System.out.printf("%s: valid pipeline '%s' with %d stages%n", file, pipeline.name(), pipeline.stages().size());
      } catch (PipelineValidationException e) {
        invalid++;
        System.err.println(e.getMessage());
      }
    }
    return invalid == 0 ? 0 : 1;
  }
}
