package io.fusionpipe.ingest.fetch;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every textual form of an internal address is refused; no DNS and no connection are needed to decide. */
class AddressPolicyTest {

    private static final AddressPolicy DEFAULT = AddressPolicy.allowing(List.of());

    @Test
    void parsesIpv4LikeACResolver() {
        byte[] loopback = {127, 0, 0, 1};
        for (String form : List.of("127.0.0.1", "2130706433", "0x7f000001", "0x7F.1", "0177.0.0.1", "0177.1", "127.1",
                "127.0.1", "0x7f.0.0.0x1", "017700000001")) {
            assertArrayEquals(loopback, AddressPolicy.parseIpv4(form.toLowerCase()), form);
        }
        for (String bad : List.of("256.0.0.1", "1.2.3.4.5", "08.0.0.1", "1.2.3.256", "127.16777216", "1..2", "4294967296")) {
            assertNull(AddressPolicy.parseIpv4(bad), bad);
        }
    }

    @Test
    void refusesEveryInternalRangeInEveryForm() throws Exception {
        for (String host : List.of("127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0", "0.0.0.0",
                "10.1.2.3", "012.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                "0xa9fea9fe", "2852039166", "100.64.0.1", "224.0.0.1", "239.255.255.250", "255.255.255.255",
                "198.18.0.1", "[::1]", "::1", "[0:0:0:0:0:0:0:1]", "[::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
                "[::ffff:169.254.169.254]", "[::127.0.0.1]", "[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::]", "[fc00::1]",
                "[fd12:3456::1]", "[fe80::1]", "[fe80::1%25lo]", "[ff02::1]", "localhost", "LOCALHOST.", "127.0.0.1.")) {
            AddressPolicy.Decision d = DEFAULT.check(host.replace("%25", "%"));
            assertFalse(d.allowed(), host + " must be refused, resolved to " + d.address());
            assertTrue(d.refusal().contains("allow-private"), d.refusal());
        }
    }

    @Test
    void publicAddressesPass() throws Exception {
        for (String host : List.of("8.8.8.8", "1.1.1.1", "134744072", "[2606:4700:4700::1111]", "172.32.0.1", "100.128.0.1",
                "11.0.0.1", "[::ffff:8.8.8.8]")) {
            AddressPolicy.Decision d = DEFAULT.check(host);
            assertTrue(d.allowed(), host + ": " + d.refusal());
        }
        assertEquals(InetAddress.getByName("8.8.8.8"), DEFAULT.check("134744072").address(), "connects to the parsed address");
    }

    @Test
    void allowPrivateOpensOnlyWhatItNames() throws Exception {
        AddressPolicy p = AddressPolicy.allowing(List.of("10.20.0.0/16", "images.internal", "fd00::/8", "127.0.0.2"));
        assertTrue(p.check("10.20.3.4").allowed());
        assertTrue(p.check("0xa140304").allowed(), "10.20.3.4 in hex is the same address");
        assertTrue(p.check("[::ffff:10.20.3.4]").allowed(), "the mapped form of an allowed address");
        assertFalse(p.check("10.21.0.1").allowed());
        assertTrue(p.check("[fd00::5]").allowed());
        assertTrue(p.check("127.0.0.2").allowed());
        assertFalse(p.check("127.0.0.1").allowed(), "a /32 entry allows one address");
        assertFalse(p.check("169.254.169.254").allowed());
        assertThrows(IllegalArgumentException.class, () -> AddressPolicy.allowing(List.of("10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> AddressPolicy.allowing(List.of("http://x")));
    }

    @Test
    void aNumericHostThatIsNoAddressIsRefusedNotResolved() throws Exception {
        AddressPolicy.Decision d = DEFAULT.check("08.1");
        assertFalse(d.allowed());
        assertTrue(d.refusal().contains("neither a valid IPv4 address"), d.refusal());
    }
}
