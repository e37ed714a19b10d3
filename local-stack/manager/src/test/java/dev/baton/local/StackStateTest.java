package dev.baton.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StackStateTest {

  /**
   * The services' ports come from below Linux's ephemeral range (32768–60999), where no client's outgoing
   * connection can take one between the choice and the service's bind; each is bindable and handed out once.
   */
  @Test
  void portsAreBelowTheEphemeralRangeBindableAndNeverHandedOutTwice() throws Exception {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = StackState.freePort();
      assertThat(port).isBetween(StackState.FIRST_PORT, StackState.END_PORT - 1);
      assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      }
    }
  }

  /** Parallel test forks take disjoint slices of the range, which together cover it. */
  @Test
  void portSlicesAreDisjointAndCoverTheRange() {
    assertThat(StackState.portRange(null)).containsExactly(StackState.FIRST_PORT, StackState.END_PORT);
    int[] first = StackState.portRange("1/2");
    int[] second = StackState.portRange("2/2");
    assertThat(first[0]).isEqualTo(StackState.FIRST_PORT);
    assertThat(second[0]).isEqualTo(first[1]);
    assertThat(second[1]).isBetween(StackState.END_PORT - 1, StackState.END_PORT);
    for (String invalid : new String[] {"0/2", "3/2", "2", "a/b", "1/17"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> StackState.portRange(invalid))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(StackState.PORT_SLICE_PROPERTY);
    }
  }
}
