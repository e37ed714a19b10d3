package dev.baton.local.catalog;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.Slf4jRequestLogWriter;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/**
 * The Jetty server of Iceberg's {@code RESTCatalogServer} (its {@link RESTCatalogServlet} over a
 * {@link RESTCatalogAdapter}, behind a gzip handler), but bound to one host instead of every
 * interface, and behind a {@link BearerTokenFilter}. Every request is logged (Jetty's access log,
 * through slf4j logger {@code org.eclipse.jetty.server.RequestLog}): time, request line and status,
 * never a header.
 */
final class RestCatalogServer {
  private final Server server;
  private final ServerConnector connector;
  private final String host;

  private RestCatalogServer(Server server, ServerConnector connector, String host) {
    this.server = server;
    this.connector = connector;
    this.host = host;
  }

  /**
   * Serves {@code catalog} over Iceberg's REST protocol.
   *
   * @param host the address to bind, e.g. {@code 127.0.0.1}
   * @param port the port, or 0 for any free one
   * @param token the bearer token every request must carry
   * @throws Exception if Jetty cannot start (e.g. the port is taken)
   */
  static RestCatalogServer start(Catalog catalog, String host, int port, String token) throws Exception {
    requireNonNull(catalog, "Invalid catalog: null");
    requireNonNull(host, "Invalid host: null");
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(new ServletHolder(new RESTCatalogServlet(new RESTCatalogAdapter(catalog))), "/*");
    context.addFilter(new FilterHolder(new BearerTokenFilter(token)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.insertHandler(new GzipHandler());

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(context);
    server.setRequestLog(new CustomRequestLog(new Slf4jRequestLogWriter(), "%{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}t \"%r\" %s"));
    server.setStopAtShutdown(false); // RestCatalogMain stops the server, then closes the catalog
    server.start();
    return new RestCatalogServer(server, connector, host);
  }

  /** The catalog's URI, the {@code uri} property of a REST catalog client. */
  URI uri() {
    return URI.create("http://" + host + ":" + connector.getLocalPort());
  }

  /** Stops accepting requests and waits for the ones in flight; the catalog stays open. */
  void stop() throws Exception {
    server.stop();
  }
}
