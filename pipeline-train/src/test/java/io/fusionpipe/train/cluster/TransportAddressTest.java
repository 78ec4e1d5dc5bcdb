package io.fusionpipe.train.cluster;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportAddressTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void theMaskSelectsTheAddressAloneAndDl4jsMatcherPicksIt() throws Exception {
        List<InetAddress> host = List.of(ip("127.0.0.1"), ip("10.213.0.12"), ip("172.17.0.1"));
        // .12 is the network address of its /30: the next wider mask that holds it strictly inside
        assertEquals("10.213.0.8/29", TransportAddress.maskSelecting(ip("10.213.0.12"), host));
        assertEquals("10.213.0.12/30", TransportAddress.maskSelecting(ip("10.213.0.13"), List.of(ip("10.213.0.13"))));
        // the same commons-net matcher DL4J's NetworkOrganizer uses
        var info = new org.apache.commons.net.util.SubnetUtils(TransportAddress.maskSelecting(ip("10.213.0.12"), host)).getInfo();
        assertTrue(info.isInRange("10.213.0.12"));
        for (InetAddress other : host) {
            if (!other.getHostAddress().equals("10.213.0.12")) {
                assertTrue(!info.isInRange(other.getHostAddress()), other.toString());
            }
        }
    }

    @Test
    void twoAddressesTooCloseToTellApartAskForAConfiguredMask() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TransportAddress.maskSelecting(ip("10.0.0.1"), List.of(ip("10.0.0.1"), ip("10.0.0.2"))));
        assertTrue(e.getMessage().contains("10.0.0.2") && e.getMessage().contains("fusionpipe.train.shared.network-mask"), e.getMessage());
    }

    @Test
    void theRouteToALoopbackControllerLeavesFromLoopback() {
        assertTrue(TransportAddress.towards("127.0.0.1", 40999).isLoopbackAddress());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TransportAddress.towards("no-such-host.invalid", 40999));
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
    }

    @Test
    void aLoopbackExecutorIsRefusedOnlyWhenTheDriverIsNotOnLoopback() {
        var lo = new ExecutorProbe.ExecutorInfo("1", "hostA", "127.0.0.1", 40123, 1L << 30, 1L << 30, 1L << 31, "CpuBackend", "1", null, null);
        assertEquals(List.of(), ExecutorProbe.problems(List.of(lo), "127.0.0.1"));
        List<String> p = ExecutorProbe.problems(List.of(lo), "10.213.0.1");
        assertTrue(p.size() == 1 && p.get(0).contains("executor 1 on hostA") && p.get(0).contains("127.0.0.1")
                && p.get(0).contains("10.213.0.1"), p.toString());
    }
}
