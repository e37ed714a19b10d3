package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.local.LocalEndpoints;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton local up|status|down}: the embedded local stack. */
@Command(name = "local", mixinStandardHelpOptions = true, description = "Manage the embedded local stack.",
    subcommands = {LocalCommand.Up.class, LocalCommand.Status.class, LocalCommand.Down.class})
final class LocalCommand {

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the local services (harmless when running).")
  static final class Up implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    EventsModeOption events;

    @Option(names = "--secure", negatable = true,
        description = "Run Kafka with TLS + SASL/SCRAM and ACLs for the principals baton-controller, baton-producer and"
            + " baton-viewer, and the catalog as an Iceberg REST service with a bearer token; writes a configuration"
            + " file per principal under <home>/local/secure/. --no-secure: plaintext. Default: the last choice, else"
            + " plaintext.")
    Boolean secure;

    @Option(names = "--cdc", negatable = true,
        description = "Also run two PostgreSQL servers for change data capture: a source (wal_level=logical) and a"
            + " target, on 127.0.0.1 with generated passwords in <home>/local/cdc/credentials.properties (mode 0600)."
            + " --no-cdc: stop them (their data stays). Default: the last choice, else none.")
    Boolean cdc;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      BatonCli.refuseConfigOption(spec);
      LocalServices local = new LocalServices(Workspace.fromEnvironment());
      LocalServices.Started started = local.ensureRunning(System.out, events.mode(), secure, cdc);
      LocalEndpoints endpoints = started.endpoints();
      if (!started.startedNow()) {
        local.stack().serviceStates().forEach((service, state) -> System.out.printf("%-8s %s%n", service, state));
      }
      System.out.println("Object events: " + started.eventsMode());
      System.out.println("State: " + endpoints.home());
      endpoints.cdc().ifPresent(databases -> System.out.println("CDC databases: source " + databases.sourceJdbcUrl()
          + ", target " + databases.targetJdbcUrl() + "; credentials in " + databases.credentialsFile()));
      if (endpoints.kafkaSecure()) {
        for (String principal : LocalServices.SECURE_PRINCIPALS) {
          System.out.println("Principal " + principal + ": baton --config " + local.principalConfigFile(principal) + " ...");
        }
      }
      System.out.println("Configuration: " + local.configFile() + " (baton --config " + local.configFile() + " ...)");
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the local services and their endpoints.")
  static final class Status implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "text",
        description = "text, json, or env: shell exports for S3 clients (AWS CLI, SDKs), e.g."
            + " eval \"$(./baton local status --format env)\"; aws s3 cp sales.csv s3://landing/sales/b1/sales.csv")
    String format;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      BatonCli.refuseConfigOption(spec);
      LocalServices local = new LocalServices(Workspace.fromEnvironment());
      Optional<LocalEndpoints> endpoints = local.stack().status();
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("running", endpoints.isPresent());
      endpoints.ifPresent(e -> status.putAll(e.asMap()));
      status.put("services", local.stack().serviceStates());
      if (format.equals("env")) {
        if (endpoints.isEmpty()) {
          System.err.println("The local stack is not running: ./baton local up");
          return 3;
        }
        clientEnvironment(endpoints.get()).forEach((name, value) -> System.out.println("export " + name + "='" + value + "'"));
        return 0;
      }
      if (format.equals("json")) {
        System.out.println(new ObjectMapper().writeValueAsString(status));
      } else {
        status.forEach((key, value) -> System.out.printf("%-12s %s%n", key, value));
      }
      return endpoints.isPresent() ? 0 : 3;
    }
  }

  /**
   * What an S3 client (AWS CLI, AWS SDKs: {@code AWS_ENDPOINT_URL_S3}) needs to use the local
   * stack: the endpoint, the local-only key pair and the region.
   */
  static Map<String, String> clientEnvironment(LocalEndpoints endpoints) {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("AWS_ENDPOINT_URL_S3", endpoints.s3Endpoint().toString());
    environment.put("AWS_ACCESS_KEY_ID", endpoints.s3AccessKey());
    environment.put("AWS_SECRET_ACCESS_KEY", endpoints.s3SecretKey());
    environment.put("AWS_REGION", endpoints.region());
    return environment;
  }

  @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the services 'up' started; data stays.")
  static final class Down implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      BatonCli.refuseConfigOption(spec);
      LocalServices local = new LocalServices(Workspace.fromEnvironment());
      System.out.println("Stopped: " + local.stack().down());
      return 0;
    }
  }
}
