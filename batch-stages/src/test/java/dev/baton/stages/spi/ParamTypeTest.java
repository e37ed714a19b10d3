package dev.baton.stages.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ParamTypeTest {

  @Test
  void parsesEachTypeToTheJavaValueSparkBindsAsItsLiteral() {
    assertThat(ParamType.STRING.parse("x'; DROP TABLE t; --")).isEqualTo("x'; DROP TABLE t; --");
    assertThat(ParamType.LONG.parse("-42")).isEqualTo(-42L);
    assertThat(ParamType.BOOLEAN.parse("false")).isEqualTo(false);
    assertThat(ParamType.DATE.parse("2026-12-03")).isEqualTo(LocalDate.of(2026, 12, 3));
    assertThat(ParamType.TIMESTAMP.parse("2026-12-03T13:00:00+01:00")).isEqualTo(Instant.parse("2026-12-03T12:00:00Z"));
  }

  @Test
  void refusesTextThatIsNotAValueOfTheType() {
    assertThatThrownBy(() -> ParamType.LONG.parse("1 OR 1=1"))
        .hasMessage("expected a long (a decimal 64-bit integer), got '1 OR 1=1'");
    assertThatThrownBy(() -> ParamType.LONG.parse("99999999999999999999")).hasMessageStartingWith("expected a long");
    assertThatThrownBy(() -> ParamType.BOOLEAN.parse("TRUE")).hasMessage("expected a boolean (true or false), got 'TRUE'");
    assertThatThrownBy(() -> ParamType.DATE.parse("2026-13-01")).hasMessage("expected a date (yyyy-MM-dd), got '2026-13-01'");
    assertThatThrownBy(() -> ParamType.TIMESTAMP.parse("2026-12-03 12:00")).hasMessageStartingWith("expected a timestamp");
  }

  @Test
  void yamlNamesRoundTrip() {
    for (ParamType type : ParamType.values()) {
      assertThat(ParamType.fromYamlName(type.yamlName())).contains(type);
    }
    assertThat(ParamType.fromYamlName("int")).isEmpty();
    assertThat(ParamType.yamlNames()).isEqualTo("string, long, boolean, date, timestamp");
  }
}
