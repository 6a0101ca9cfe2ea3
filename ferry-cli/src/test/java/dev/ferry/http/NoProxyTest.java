package dev.ferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code NO_PROXY} as curl reads it, with ports as Go adds them: each form of entry. */
class NoProxyTest {
  private static boolean direct(String noProxy, String host, int port) {
    return NoProxy.parse(noProxy).bypass(host, port);
  }

  @Test
  void anAsteriskAloneMatchesEveryHost() {
    assertThat(direct("*", "api.example.com", 443)).isTrue();
    assertThat(direct("*", "10.1.2.3", 80)).isTrue();
    assertThat(direct("foo, *", "anything", 443)).isTrue();
  }

  @Test
  void aDomainMatchesItselfAndItsSubDomainsWithOrWithoutALeadingDotOrAsterisk() {
    for (String entry : new String[] {"example.com", ".example.com", "*.example.com", "example.com."}) {
      assertThat(direct(entry, "example.com", 443)).as(entry).isTrue();
      assertThat(direct(entry, "api.example.com", 443)).as(entry).isTrue();
      assertThat(direct(entry, "a.b.example.com.", 443)).as(entry + ", a trailing dot on the host").isTrue();
      assertThat(direct(entry, "notexample.com", 443)).as(entry).isFalse();
      assertThat(direct(entry, "example.com.evil.net", 443)).as(entry).isFalse();
    }
  }

  @Test
  void namesAreComparedWithoutRegardToCase() {
    assertThat(direct("Internal.CORP", "API.internal.corp", 443)).isTrue();
    assertThat(direct("internal.corp", "Api.Internal.Corp", 443)).isTrue();
    assertThat(direct("FD00::/8", "fd00::1", 443)).isTrue();
  }

  @Test
  void entriesAreSeparatedByCommasOrWhiteSpaceAndEmptyOnesAreIgnored() {
    NoProxy p = NoProxy.parse(" a.corp,,b.corp  c.corp\t, ");
    assertThat(p.bypass("x.a.corp", 443)).isTrue();
    assertThat(p.bypass("b.corp", 443)).isTrue();
    assertThat(p.bypass("c.corp", 443)).isTrue();
    assertThat(p.bypass("d.corp", 443)).isFalse();
    assertThat(NoProxy.parse(" , ").isEmpty()).isTrue();
    assertThat(NoProxy.parse(null).bypass("a", 1)).isFalse();
  }

  @Test
  void anIpAddressMatchesThatAddressHoweverItIsWritten() {
    assertThat(direct("10.0.0.7", "10.0.0.7", 443)).isTrue();
    assertThat(direct("10.0.0.7", "10.0.0.70", 443)).isFalse();
    assertThat(direct("::1", "0:0:0:0:0:0:0:1", 443)).isTrue();
    assertThat(direct("[2001:db8::1]", "[2001:DB8:0::1]", 443)).isTrue();
    assertThat(direct("2001:db8::1", "2001:db8::2", 443)).isFalse();
    assertThat(direct("10.0.0.7", "ten.example", 443)).as("a name is not resolved").isFalse();
  }

  @Test
  void aCidrBlockMatchesTheAddressesInIt() {
    assertThat(direct("10.0.0.0/8", "10.200.3.4", 443)).isTrue();
    assertThat(direct("10.0.0.0/8", "11.0.0.1", 443)).isFalse();
    assertThat(direct("192.168.1.0/24", "192.168.1.255", 443)).isTrue();
    assertThat(direct("192.168.1.0/24", "192.168.2.1", 443)).isFalse();
    assertThat(direct("172.16.0.0/12", "172.31.255.1", 443)).isTrue();
    assertThat(direct("172.16.0.0/12", "172.32.0.1", 443)).isFalse();
    assertThat(direct("0.0.0.0/0", "8.8.8.8", 443)).isTrue();
    assertThat(direct("::1/128", "::1", 443)).isTrue();
    assertThat(direct("::1/128", "::2", 443)).isFalse();
    assertThat(direct("fd00::/8", "fd12:3456::1", 443)).isTrue();
    assertThat(direct("fd00::/8", "fe80::1", 443)).isFalse();
    assertThat(direct("[fd00::]/8", "fd00::9", 443)).isTrue();
    assertThat(direct("10.0.0.0/8", "10.example.com", 443)).as("a name is not resolved").isFalse();
    assertThat(direct("10.0.0.0/8", "::ffff:10.1.1.1", 443)).as("an IPv4-mapped address").isTrue();
    assertThat(direct("10.0.0.0/8", "fd00::1", 443)).as("another family").isFalse();
  }

  @Test
  void aPortLimitsAnEntryToTargetsOnThatPort() {
    assertThat(direct("example.com:8443", "api.example.com", 8443)).isTrue();
    assertThat(direct("example.com:8443", "api.example.com", 443)).isFalse();
    assertThat(direct("10.0.0.7:80", "10.0.0.7", 80)).isTrue();
    assertThat(direct("10.0.0.7:80", "10.0.0.7", 443)).isFalse();
    assertThat(direct("[::1]:8080", "::1", 8080)).isTrue();
    assertThat(direct("[::1]:8080", "::1", 8081)).isFalse();
    assertThat(direct("10.0.0.0/8:80", "10.1.1.1", 80)).as("a CIDR with a port").isTrue();
    assertThat(direct("10.0.0.0/8:80", "10.1.1.1", 81)).isFalse();
  }

  @Test
  void entriesThatAreNoneOfTheseMatchNothing() {
    for (String bad : new String[] {"10.0.0.0/33", "10.0.0.0/x", "example.com:http", "example.com:0",
        "example.com:70000", "[::1", "[::1]x", "300.1.1.1/8", "."}) {
      NoProxy p = NoProxy.parse(bad);
      assertThat(p.bypass("example.com", 443)).as(bad).isFalse();
      assertThat(p.bypass("10.1.1.1", 443)).as(bad).isFalse();
      assertThat(p.bypass("::1", 443)).as(bad).isFalse();
    }
  }

  @Test
  void theTargetsPortIsItsSchemesDefaultWhenTheUrlHasNone() {
    ProxySettings s = ProxySettings.from(Map.of("HTTPS_PROXY", "proxy:3128", "HTTP_PROXY", "proxy:3128",
        "NO_PROXY", "a.corp:443,b.corp:80,10.0.0.0/8"), new Properties());
    assertThat(s.proxyFor(URI.create("https://x.a.corp/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://x.a.corp:8443/"))).isNotNull();
    assertThat(s.proxyFor(URI.create("http://b.corp/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://b.corp/"))).isNotNull();
    assertThat(s.proxyFor(URI.create("https://10.9.8.7:9000/"))).isNull();
    assertThat(s.proxyFor(URI.create("https://[::2]/"))).isNotNull();
  }
}
