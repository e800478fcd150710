package org.pgmigrate.engine.pg;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Properties;
import javax.net.SocketFactory;
import jdk.net.ExtendedSocketOptions;

/**
 * The sockets of every pgmigrate connection (pgjdbc's {@code socketFactory}): TCP keepalives that probe after
 * {@value #IDLE_SECONDS} s of silence, every {@value #INTERVAL_SECONDS} s, and give up after {@value #COUNT}
 * unanswered probes. pgjdbc's own {@code tcpKeepAlive} only turns keepalives on, with the kernel's timing (Linux:
 * two hours of silence before the first probe), so a server that vanished (a crashed host, a NAT or firewall that
 * dropped the flow, a cut link) left a session waiting for an answer for hours.
 *
 * <p>Why keepalives and not a socket read timeout: a legitimate statement can run for hours without sending a byte
 * (an index build, a COPY that scans a huge table for a range). Keepalives are answered by the peer's kernel while
 * its backend works, so they tell a dead peer from a busy one; a read timeout cannot.
 *
 * <p>What they cannot see: a session whose own bytes are unacknowledged (it is writing into a dead link) is bounded
 * by the kernel's retransmission timeout instead, and Java cannot set {@code TCP_USER_TIMEOUT}; the copy's stall
 * watch covers that case for COPY (see {@code copy.CopyStallWatch}).
 */
public final class KeepaliveSocketFactory extends SocketFactory {

    /** Seconds of silence before the first probe. */
    public static final int IDLE_SECONDS = 15;
    /** Seconds between unanswered probes. */
    public static final int INTERVAL_SECONDS = 5;
    /** Unanswered probes after which the connection is declared dead. */
    public static final int COUNT = 4;

    /** pgjdbc instantiates the factory with the connection's properties; none of them matter here. */
    public KeepaliveSocketFactory(Properties ignored) {
    }

    public KeepaliveSocketFactory() {
    }

    /** How long a silent dead peer goes unnoticed at most. */
    public static Duration deadPeerDetection() {
        return Duration.ofSeconds(IDLE_SECONDS + (long) INTERVAL_SECONDS * COUNT);
    }

    @Override
    public Socket createSocket() throws IOException {
        return configure(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    /** Turns keepalives on with pgmigrate's timing, where the platform lets Java set it (Linux, macOS, Windows 10+). */
    static Socket configure(Socket s) throws IOException {
        s.setKeepAlive(true);
        set(s, ExtendedSocketOptions.TCP_KEEPIDLE, IDLE_SECONDS);
        set(s, ExtendedSocketOptions.TCP_KEEPINTERVAL, INTERVAL_SECONDS);
        set(s, ExtendedSocketOptions.TCP_KEEPCOUNT, COUNT);
        return s;
    }

    private static void set(Socket s, SocketOption<Integer> option, int value) throws IOException {
        if (s.supportedOptions().contains(option)) {
            s.setOption(option, value);
        }
    }
}
