package dev.baton.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Baton's images ({@code deploy/spark-image/Dockerfile}: stages and the controller; {@code deploy/emr-on-eks}: its EMR
 * on EKS twin) checked without Docker: every COPY source is produced by the build, which has built every other module when this one's tests run. Here
 * rather than beside the image's other checks in control-stream, because the image copies the CLI, built later.
 */
class ImageCopySourcesTest {
  private static final Path REPOSITORY = Terraform.ROOT.getParent();

  @Test
  void everyCopySourceOfTheSparkImageIsProducedByTheBuild() throws IOException {
    assertThat(copySources("deploy/spark-image/Dockerfile")).hasSize(8);
    // the stage jars: Baton's own and the Iceberg/AWS libraries, and no Spark jar (the image has them) but
    // spark-avro, an external Spark module the image lacks (the ingest stage's format: avro)
    assertThat(names("batch-stages/target/image-jars")).anyMatch(name -> name.startsWith("iceberg-spark-runtime-3.5_2.12-"))
        .anyMatch(name -> name.startsWith("iceberg-aws-bundle-")).anyMatch(name -> name.startsWith("hadoop-aws-"))
        .anyMatch(name -> name.startsWith("baton-schemas-")).anyMatch(name -> name.startsWith("spark-avro_2.12-"))
        .noneMatch(name -> name.startsWith("spark-") && !name.startsWith("spark-avro_2.12-"));
    // the CLI's: everything `baton controller` loads, the MSK IAM login module among them
    assertThat(names("cli/target/image-lib")).anyMatch(name -> name.startsWith("baton-control-stream-"))
        .anyMatch(name -> name.startsWith("spark-sql_2.12-")).anyMatch(name -> name.startsWith("aws-msk-iam-auth-"))
        .anyMatch(name -> name.startsWith("picocli-"));
    // the launcher runs the CLI's main class with the flags file the build wrote
    String launcher = Files.readString(REPOSITORY.resolve("deploy/spark-image/baton"));
    assertThat(launcher).contains("/opt/baton/jvm.flags", "/opt/baton/lib/*", "dev.baton.cli.BatonCli");
    assertThat(Files.readString(REPOSITORY.resolve("cli/target/jvm.flags"))).contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    assertThat(Files.isExecutable(REPOSITORY.resolve("deploy/spark-image/baton"))).isTrue();
  }

  @Test
  void theEmrOnEksImageAddsBatonToAnEmrBaseImageAsHadoopWithoutS3Libraries() throws IOException {
    List<String> copied = copySources("deploy/emr-on-eks/Dockerfile");
    List<String> lines = Files.readAllLines(REPOSITORY.resolve("deploy/emr-on-eks/Dockerfile"));
    assertThat(lines).anyMatch(line -> line.startsWith("FROM public.ecr.aws/emr-on-eks/spark/"));
    assertThat(lines.stream().filter(line -> line.startsWith("USER ")).reduce((first, last) -> last))
        .as("EMR on EKS refuses to run jobs as root").hasValue("USER hadoop:hadoop");
    // the path README and EmrLauncherSettings give for launchers.<name>.stage-runner-jar
    assertThat(lines).anyMatch(line -> line.startsWith("COPY ") && line.endsWith(" /usr/lib/baton/baton-stage-runner.jar"));
    assertThat(copied).contains("batch-stages/target/emr-image-jars/");
    // EMR reads S3 with EMRFS and its own S3A: a second Hadoop AWS or SDK v1 on its classpath would clash
    assertThat(names("batch-stages/target/emr-image-jars")).anyMatch(name -> name.startsWith("iceberg-spark-runtime-3.5_2.12-"))
        .anyMatch(name -> name.startsWith("baton-catalog-")).anyMatch(name -> name.startsWith("kafka-clients-"))
        .noneMatch(name -> name.startsWith("hadoop-")).noneMatch(name -> name.startsWith("aws-java-sdk"))
        .noneMatch(name -> name.startsWith("spark-"));
  }

  /** The COPY sources of a Dockerfile, each checked to exist (a folder: not empty; a glob: matching a file). */
  private static List<String> copySources(String dockerfile) throws IOException {
    List<String> sources = new ArrayList<>();
    for (String line : Files.readAllLines(REPOSITORY.resolve(dockerfile))) {
      if (line.startsWith("COPY ")) {
        List<String> tokens = Arrays.stream(line.substring(5).trim().split("\\s+")).filter(t -> !t.startsWith("--")).toList();
        sources.addAll(tokens.subList(0, tokens.size() - 1));
      }
    }
    for (String source : sources) {
      List<Path> matches = matching(source);
      assertThat(matches).as("COPY source " + source + " of " + dockerfile).isNotEmpty();
      for (Path path : matches) {
        if (Files.isDirectory(path)) {
          try (Stream<Path> files = Files.list(path)) {
            assertThat(files.count()).as("files in " + source).isPositive();
          }
        }
      }
    }
    return sources;
  }

  private static List<Path> matching(String source) throws IOException {
    if (!source.contains("*")) {
      Path path = REPOSITORY.resolve(source);
      return Files.exists(path) ? List.of(path) : List.of();
    }
    Path folder = REPOSITORY.resolve(source.substring(0, source.lastIndexOf('/')));
    PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + source.substring(source.lastIndexOf('/') + 1));
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(file -> glob.matches(file.getFileName())).toList();
    }
  }

  private static List<String> names(String folder) throws IOException {
    try (Stream<Path> files = Files.list(REPOSITORY.resolve(folder))) {
      return files.map(file -> file.getFileName().toString()).toList();
    }
  }
}
