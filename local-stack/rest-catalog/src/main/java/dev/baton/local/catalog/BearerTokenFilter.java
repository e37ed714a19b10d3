package dev.baton.local.catalog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.MessageDigest;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.apache.iceberg.rest.responses.ErrorResponseParser;

/**
 * Lets a request through only when it carries {@code Authorization: Bearer <token>} with the
 * configured token; answers every other request (including {@code /v1/oauth/tokens}) with 401 and
 * an Iceberg {@code ErrorResponse}, which Iceberg's REST client raises as {@code
 * NotAuthorizedException}. Clients set the catalog property {@code token}.
 */
final class BearerTokenFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;
  private static final String PREFIX = "Bearer ";

  private final byte[] token;

  BearerTokenFilter(String token) {
    requireNonNull(token, "Invalid token: null");
    if (token.isBlank()) {
      throw new IllegalArgumentException("Cannot protect the catalog: the token is blank");
    }
    this.token = token.getBytes(UTF_8);
  }

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (authorized(request.getHeader("Authorization"))) {
      chain.doFilter(request, response);
      return;
    }
    ErrorResponse error = ErrorResponse.builder()
        .responseCode(HttpServletResponse.SC_UNAUTHORIZED)
        .withType("NotAuthorizedException")
        .withMessage("Not authorized: missing or wrong bearer token")
        .build();
    response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    response.setHeader("WWW-Authenticate", "Bearer");
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(ErrorResponseParser.toJson(error));
  }

  private boolean authorized(String header) {
    if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    // constant-time comparison: the token is the only thing between a local user and the catalog
    return MessageDigest.isEqual(token, header.substring(PREFIX.length()).strip().getBytes(UTF_8));
  }
}
