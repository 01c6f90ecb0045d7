package jmail.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * A fake SMTP relay on 127.0.0.1 (ephemeral port) that records what clients send and answers
 * from a script, for tests that need a real SMTP peer over a real socket.
 *
 * <p>Every connection gets its own thread. Replies are sent line by line as commands are read
 * from a buffered stream, so pipelined clients work. The scripted replies and faults can be
 * changed while the relay runs (all setters are thread-safe); a change applies to the next
 * command that consults it, also on connections already open.
 *
 * <pre>{@code
 * try (ScriptedRelay relay = ScriptedRelay.builder().capabilities("8BITMIME", "SIZE 1048576").start()) {
 *     // point the client at 127.0.0.1:relay.port(), send ...
 *     ScriptedRelay.Received m = relay.awaitMessages(1, Duration.ofSeconds(5)).get(0);
 * }
 * }</pre>
 */
public final class ScriptedRelay implements AutoCloseable {

    /** {@link #dropAfter(String)} point: close the connection after the first line of the DATA payload. */
    public static final String MID_DATA = "<mid-data>";
    /** {@link #dropAfter(String)} point: close the connection after the final dot, without replying. */
    public static final String END_OF_DATA = "<end-of-data>";
    /** Host name used in the greeting and EHLO reply unless {@link Builder#hostname} says otherwise. */
    public static final String DEFAULT_HOSTNAME = "relay.example.com";
    /** Capabilities advertised when {@link Builder#capabilities} is not called. */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES");

    private static final byte[] DOT_CRLF = {'.', '\r', '\n'};
    private static final Pattern MAIL_FROM = Pattern.compile("(?i)MAIL FROM:\\s*<([^>]*)>(.*)");
    private static final Pattern RCPT_TO = Pattern.compile("(?i)RCPT TO:\\s*<([^>]*)>(.*)");
    private static final Pattern SIZE_PARAM = Pattern.compile("(?i)SIZE=(\\d+)");

    /**
     * One completed transaction: the relay answered the final dot with a 2xx reply.
     *
     * @param mailFromLine the whole MAIL command line, e.g. {@code MAIL FROM:<a@x> BODY=8BITMIME}
     * @param sender       the reverse path without angle brackets ("" for the null sender)
     * @param recipients   the recipients the relay accepted, in order, without angle brackets
     * @param data         the DATA payload exactly as received: from after the 354 reply up to and
     *                     including the final {@code \r\n.\r\n}, still dot-stuffed
     */
    public record Received(String mailFromLine, String sender, List<String> recipients, byte[] data) {

        /** Copies the recipient list. */
        public Received {
            recipients = List.copyOf(recipients);
        }

        /** The raw payload as UTF-8 text. */
        public String dataAsString() {
            return new String(data, StandardCharsets.UTF_8);
        }

        /** The message as the client meant it: terminating {@code .\r\n} removed and dot-stuffing undone. */
        public byte[] content() {
            int end = data.length;
            if (end >= 3 && data[end - 3] == '.' && data[end - 2] == '\r' && data[end - 1] == '\n'
                    && (end == 3 || data[end - 4] == '\n')) {
                end -= 3;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(end);
            boolean lineStart = true;
            for (int i = 0; i < end; i++) {
                byte b = data[i];
                if (!(lineStart && b == '.')) {
                    out.write(b);
                }
                lineStart = b == '\n';
            }
            return out.toByteArray();
        }

        /** {@link #content()} as UTF-8 text. */
        public String contentAsString() {
            return new String(content(), StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Received[" + mailFromLine + " -> " + recipients + ", " + data.length + " bytes]";
        }
    }

    /**
     * What happened on one connection. Bytes after STARTTLS are recorded decrypted. Getters
     * return snapshots and may be called while the connection is still open.
     */
    public static final class Transcript {
        private final int index;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final List<String> commandLines = new ArrayList<>();
        private final List<String> authLines = new ArrayList<>();
        private final List<String> serverLines = new ArrayList<>();
        private boolean tls;
        private String tlsFailure;
        private int discardedAfterStartTls;
        private String authenticatedUser;
        private boolean closed;

        Transcript(int index) {
            this.index = index;
        }

        /** 0 for the first connection the relay accepted, 1 for the next, ... */
        public int index() {
            return index;
        }

        /** Every byte the client sent (after STARTTLS: the decrypted bytes), in order. */
        public synchronized byte[] clientBytes() {
            return bytes.toByteArray();
        }

        /** {@link #clientBytes()} decoded as UTF-8. */
        public String clientText() {
            return new String(clientBytes(), StandardCharsets.UTF_8);
        }

        /** Client command lines without CRLF, including AUTH continuation lines, excluding DATA payload. */
        public synchronized List<String> commandLines() {
            return List.copyOf(commandLines);
        }

        /** AUTH command lines and the client's continuation lines (base64 blobs, "*"). */
        public synchronized List<String> authLines() {
            return List.copyOf(authLines);
        }

        /** Every reply line the relay sent, without CRLF. */
        public synchronized List<String> serverLines() {
            return List.copyOf(serverLines);
        }

        /** Whether the TLS handshake completed on this connection. */
        public synchronized boolean tls() {
            return tls;
        }

        /** The exception text if a TLS handshake failed, else null. */
        public synchronized String tlsFailure() {
            return tlsFailure;
        }

        /** Plaintext bytes the client sent after STARTTLS before the handshake (thrown away, RFC 3207). */
        public synchronized int discardedAfterStartTls() {
            return discardedAfterStartTls;
        }

        /** The user name of the successful AUTH, or null. */
        public synchronized String authenticatedUser() {
            return authenticatedUser;
        }

        /** Whether the connection has ended. */
        public synchronized boolean closed() {
            return closed;
        }

        synchronized void recordBytes(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized void recordCommand(String line, boolean auth) {
            commandLines.add(line);
            if (auth) {
                authLines.add(line);
            }
        }

        synchronized void recordReply(String line) {
            serverLines.add(line);
        }

        synchronized void tlsStarted(int discarded) {
            tls = true;
            discardedAfterStartTls += discarded;
        }

        synchronized void tlsFailed(String failure) {
            tlsFailure = failure;
        }

        synchronized void authenticated(String user) {
            authenticatedUser = user;
        }

        synchronized void markClosed() {
            closed = true;
        }

        @Override
        public synchronized String toString() {
            return "connection " + index + ": " + commandLines;
        }
    }

    /** Creates a builder; finish with {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a relay with the default settings. */
    public static ScriptedRelay start() {
        return builder().start();
    }

    /** Configuration for a {@link ScriptedRelay}. All methods return this builder. */
    public static final class Builder {
        private String hostname = DEFAULT_HOSTNAME;
        private String greeting;
        private List<String> capabilities;
        private List<String> capabilitiesAfterTls;
        private TestCerts.Cert startTlsCert;
        private TestCerts.Cert implicitTlsCert;
        private String[] tlsProtocols;
        private String authUser;
        private String authPassword;
        private boolean plainRequiresInitialResponse;
        private String loginUserChallenge = "VXNlcm5hbWU6";
        private String loginPasswordChallenge = "UGFzc3dvcmQ6";
        private final List<Consumer<ScriptedRelay>> script = new ArrayList<>();
        private int port;

        private Builder() {
        }

        /** Listen on this loopback port (default: an ephemeral one), e.g. to bring a "down" relay up. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Host name for the greeting and the first EHLO line (default relay.example.com). */
        public Builder hostname(String name) {
            this.hostname = name;
            return this;
        }

        /**
         * The whole greeting line (default {@code 220 <hostname> ESMTP}). A 421 greeting closes the
         * connection after sending; another non-2xx greeting answers every command but QUIT with 503.
         */
        public Builder greeting(String line) {
            this.greeting = line;
            return this;
        }

        /**
         * EHLO capability lines, e.g. {@code "8BITMIME", "SIZE 1048576", "AUTH PLAIN LOGIN"}.
         * Without this call: {@link #DEFAULT_CAPABILITIES}, plus {@code AUTH PLAIN LOGIN} if
         * {@link #requireAuth} is set. {@link #tls()} adds STARTTLS to either.
         */
        public Builder capabilities(String... lines) {
            this.capabilities = List.of(lines);
            return this;
        }

        /** EHLO capability lines after STARTTLS (default: the pre-TLS ones minus STARTTLS). */
        public Builder capabilitiesAfterTls(String... lines) {
            this.capabilitiesAfterTls = List.of(lines);
            return this;
        }

        /** Offers STARTTLS with {@link TestCerts#localhost()}. */
        public Builder tls() {
            return tls(TestCerts.localhost());
        }

        /** Offers STARTTLS presenting the given certificate. */
        public Builder tls(TestCerts.Cert cert) {
            this.startTlsCert = cert;
            return this;
        }

        /** Limits the TLS versions the relay accepts (STARTTLS and implicit), e.g. {@code "TLSv1.2"}. */
        public Builder tlsProtocols(String... protocols) {
            this.tlsProtocols = protocols.clone();
            return this;
        }

        /** Speaks TLS from the first byte (SMTPS, port-465 style) with {@link TestCerts#localhost()}. */
        public Builder implicitTls() {
            return implicitTls(TestCerts.localhost());
        }

        /** Speaks TLS from the first byte with the given certificate. */
        public Builder implicitTls(TestCerts.Cert cert) {
            this.implicitTlsCert = cert;
            return this;
        }

        /**
         * Accepts only these credentials, and answers MAIL before a successful AUTH with
         * {@code 530 5.7.0 Authentication required}. Without it, AUTH accepts any credentials.
         */
        public Builder requireAuth(String user, String password) {
            this.authUser = user;
            this.authPassword = password;
            return this;
        }

        /** Answers {@code AUTH PLAIN} without an initial response with 501 instead of {@code 334 }. */
        public Builder plainRequiresInitialResponse() {
            this.plainRequiresInitialResponse = true;
            return this;
        }

        /** Text after {@code "334 "} in the two AUTH LOGIN challenges; "" gives a bare {@code "334 "}. */
        public Builder loginChallenges(String userChallenge, String passwordChallenge) {
            this.loginUserChallenge = userChallenge;
            this.loginPasswordChallenge = passwordChallenge;
            return this;
        }

        /** Same as {@link ScriptedRelay#rejectAllAuth(boolean) rejectAllAuth(true)}. */
        public Builder rejectAllAuth() {
            script.add(r -> r.rejectAllAuth(true));
            return this;
        }

        /** Same as {@link ScriptedRelay#replyTo(String, String)}. */
        public Builder replyTo(String verb, String reply) {
            script.add(r -> r.replyTo(verb, reply));
            return this;
        }

        /** Same as {@link ScriptedRelay#replyToMail(String)}. */
        public Builder replyToMail(String reply) {
            script.add(r -> r.replyToMail(reply));
            return this;
        }

        /** Same as {@link ScriptedRelay#replyToRcpt(String, String)}. */
        public Builder replyToRcpt(String address, String reply) {
            script.add(r -> r.replyToRcpt(address, reply));
            return this;
        }

        /** Same as {@link ScriptedRelay#replyToDataCommand(String)}. */
        public Builder replyToDataCommand(String reply) {
            script.add(r -> r.replyToDataCommand(reply));
            return this;
        }

        /** Same as {@link ScriptedRelay#replyToData(String)}. */
        public Builder replyToData(String reply) {
            script.add(r -> r.replyToData(reply));
            return this;
        }

        /** Same as {@link ScriptedRelay#stallGreeting(boolean) stallGreeting(true)}. */
        public Builder stallGreeting() {
            script.add(r -> r.stallGreeting(true));
            return this;
        }

        /** Same as {@link #stallGreeting()}: accept connections, then say nothing. */
        public Builder acceptButSilent() {
            return stallGreeting();
        }

        /** Same as {@link ScriptedRelay#stopReadingInData(boolean) stopReadingInData(true)}. */
        public Builder stopReadingInData() {
            script.add(r -> r.stopReadingInData(true));
            return this;
        }

        /** Same as {@link ScriptedRelay#stallAtEndOfData(boolean) stallAtEndOfData(true)}. */
        public Builder stallAtEndOfData() {
            script.add(r -> r.stallAtEndOfData(true));
            return this;
        }

        /** Same as {@link ScriptedRelay#dropAfter(String)}. */
        public Builder dropAfter(String command) {
            script.add(r -> r.dropAfter(command));
            return this;
        }

        /** Binds 127.0.0.1 on an ephemeral port and starts accepting connections. */
        public ScriptedRelay start() {
            try {
                ScriptedRelay relay = new ScriptedRelay(this);
                script.forEach(s -> s.accept(relay));
                relay.acceptor.start();
                return relay;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // --- fixed configuration
    private final String hostname;
    private final String greeting;
    private final List<String> capabilities;
    private final List<String> capabilitiesAfterTls;
    private final SSLContext startTls;
    private final SSLContext implicitTls;
    private final String[] tlsProtocols;
    private final String authUser;
    private final String authPassword;
    private final boolean plainRequiresInitialResponse;
    private final String loginUserChallenge;
    private final String loginPasswordChallenge;

    // --- script, changeable while running
    private volatile String mailReply;
    private volatile String dataCommandReply;
    private volatile String dataReply;
    private volatile String dropAfter;
    private volatile boolean stallGreeting;
    private volatile boolean stopReadingInData;
    private volatile boolean stallAtEndOfData;
    private volatile boolean rejectAllAuth;
    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final Map<String, String> verbReplies = new ConcurrentHashMap<>();

    // --- running state
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Transcript> transcripts = new CopyOnWriteArrayList<>();
    private final List<Received> messages = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger queueIds = new AtomicInteger();

    private ScriptedRelay(Builder b) throws IOException {
        hostname = b.hostname;
        greeting = b.greeting != null ? b.greeting : "220 " + b.hostname + " ESMTP";
        List<String> caps = new ArrayList<>();
        if (b.capabilities != null) {
            caps.addAll(b.capabilities);
        } else {
            caps.addAll(DEFAULT_CAPABILITIES);
            if (b.authUser != null) {
                caps.add("AUTH PLAIN LOGIN");
            }
        }
        if (b.startTlsCert != null && caps.stream().noneMatch(c -> c.equalsIgnoreCase("STARTTLS"))) {
            caps.add("STARTTLS");
        }
        capabilities = List.copyOf(caps);
        capabilitiesAfterTls = b.capabilitiesAfterTls != null ? b.capabilitiesAfterTls
                : caps.stream().filter(c -> !c.equalsIgnoreCase("STARTTLS")).toList();
        startTls = b.startTlsCert != null ? b.startTlsCert.serverContext() : null;
        implicitTls = b.implicitTlsCert != null ? b.implicitTlsCert.serverContext() : null;
        tlsProtocols = b.tlsProtocols;
        authUser = b.authUser;
        authPassword = b.authPassword;
        plainRequiresInitialResponse = b.plainRequiresInitialResponse;
        loginUserChallenge = b.loginUserChallenge;
        loginPasswordChallenge = b.loginPasswordChallenge;

        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 50);
        acceptor = new Thread(this::acceptLoop, "scripted-relay-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    // ------------------------------------------------------------------ public API

    /** The TCP port, on 127.0.0.1. */
    public int port() {
        return server.getLocalPort();
    }

    /** Always {@code "127.0.0.1"}. */
    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    /** Forgets the messages received so far (a shared relay between tests). */
    public void clearMessages() {
        messages.clear();
    }

    /** Completed transactions (2xx after the final dot), in completion order. */
    public List<Received> messages() {
        return List.copyOf(messages);
    }

    /**
     * Waits until at least {@code n} transactions have completed and returns them all.
     *
     * @throws AssertionError on timeout, with the commands seen so far
     */
    public List<Received> awaitMessages(int n, Duration timeout) {
        awaitCondition(() -> messages.size() >= n, timeout, () -> n + " message(s)");
        return messages();
    }

    /** Waits until at least {@code n} connections have been accepted; AssertionError on timeout. */
    public void awaitConnections(int n, Duration timeout) {
        awaitCondition(() -> transcripts.size() >= n, timeout, () -> n + " connection(s)");
    }

    /**
     * Waits until some client sends a command line starting with {@code prefix} (ignoring case)
     * and returns that line; AssertionError on timeout.
     */
    public String awaitCommand(String prefix, Duration timeout) {
        String[] found = new String[1];
        awaitCondition(() -> {
            for (String line : commandLines()) {
                if (line.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    found[0] = line;
                    return true;
                }
            }
            return false;
        }, timeout, () -> "a command starting with " + prefix);
        return found[0];
    }

    /** Number of connections accepted so far. */
    public int connectionCount() {
        return transcripts.size();
    }

    /** Per-connection records, in the order the connections were accepted. */
    public List<Transcript> transcripts() {
        return List.copyOf(transcripts);
    }

    /** The record of connection {@code index} (0-based). */
    public Transcript transcript(int index) {
        return transcripts.get(index);
    }

    /** All client command lines of all connections (connection by connection), without CRLF, without DATA payload. */
    public List<String> commandLines() {
        List<String> all = new ArrayList<>();
        transcripts.forEach(t -> all.addAll(t.commandLines()));
        return all;
    }

    /** All AUTH lines of all connections: the AUTH commands and the client's continuation lines. */
    public List<String> authLines() {
        List<String> all = new ArrayList<>();
        transcripts.forEach(t -> all.addAll(t.authLines()));
        return all;
    }

    /** Replies to every MAIL with this line (2xx opens the transaction); null restores the default 250. */
    public void replyToMail(String reply) {
        mailReply = reply;
    }

    /**
     * Replies to {@code RCPT TO:<address>} with this line, e.g. {@code "550 5.1.1 no such user"}
     * (address compared ignoring case, angle brackets optional); 2xx counts as accepted; null
     * restores the default 250.
     */
    public void replyToRcpt(String address, String reply) {
        String key = address.replaceAll("^<|>$", "").toLowerCase(Locale.ROOT);
        if (reply == null) {
            rcptReplies.remove(key);
        } else {
            rcptReplies.put(key, reply);
        }
    }

    /** Replies to the DATA command with this line instead of 354; a 3xx reply still reads the payload. Null: 354. */
    public void replyToDataCommand(String reply) {
        dataCommandReply = reply;
    }

    /** Replies to the final dot with this line (2xx records the message). Null: {@code 250 2.0.0 Ok: queued as N}. */
    public void replyToData(String reply) {
        dataReply = reply;
    }

    /**
     * Answers every command with this verb (e.g. "EHLO", "STARTTLS", "AUTH", "RSET") with the
     * given reply and does nothing else; null removes the override. Multi-line replies: separate
     * lines with {@code \n}, and write the {@code 250-} continuation markers yourself.
     */
    public void replyTo(String verb, String reply) {
        if (reply == null) {
            verbReplies.remove(verb.toUpperCase(Locale.ROOT));
        } else {
            verbReplies.put(verb.toUpperCase(Locale.ROOT), reply);
        }
    }

    /** New connections get no greeting: the relay reads and records, but never replies. */
    public void stallGreeting(boolean on) {
        stallGreeting = on;
    }

    /** After the 354 reply the relay stops reading and never replies (until {@link #close()}). */
    public void stopReadingInData(boolean on) {
        stopReadingInData = on;
    }

    /** The relay reads the whole payload, then never replies to the final dot. */
    public void stallAtEndOfData(boolean on) {
        stallAtEndOfData = on;
    }

    /**
     * Closes the connection without replying when a command line starting with {@code command}
     * (ignoring case; e.g. "DATA", "RCPT TO:<b@") arrives, or at {@link #MID_DATA} /
     * {@link #END_OF_DATA}. Null turns this off.
     */
    public void dropAfter(String command) {
        dropAfter = command;
    }

    /** While on, every AUTH exchange ends with {@code 535 5.7.8 Error: authentication failed}. */
    public void rejectAllAuth(boolean on) {
        rejectAllAuth = on;
    }

    /** Removes all scripted replies and faults set through the methods above. */
    public void clearScript() {
        mailReply = null;
        dataCommandReply = null;
        dataReply = null;
        dropAfter = null;
        stallGreeting = false;
        stopReadingInData = false;
        stallAtEndOfData = false;
        rejectAllAuth = false;
        rcptReplies.clear();
        verbReplies.clear();
    }

    /** Stops accepting, closes every open connection (ending all stalls) and waits briefly for the threads. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        closeQuietly(server);
        sockets.forEach(ScriptedRelay::closeQuietly);
        try {
            acceptor.join(2000);
            for (Thread t : workers) {
                t.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ScriptedRelay[127.0.0.1:" + port() + ", " + transcripts.size() + " connections, "
                + messages.size() + " messages]";
    }

    // ------------------------------------------------------------------ internals

    private void awaitCondition(Supplier<Boolean> done, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.get()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("relay did not see " + what.get() + " within " + timeout
                        + "; " + messages.size() + " message(s), transcripts: " + transcripts);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private void acceptLoop() {
        while (closed.getCount() > 0) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(s);
            if (closed.getCount() == 0) {
                closeQuietly(s);
                return;
            }
            Transcript t = new Transcript(transcripts.size());
            transcripts.add(t);
            Thread worker = new Thread(new Session(s, t), "scripted-relay-" + port() + "-conn-" + t.index());
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }

    /** Reads CRLF (or LF) terminated lines from a stream, buffering, and records every byte read. */
    private static final class LineReader {
        private final InputStream in;
        private final Transcript transcript;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int end;

        LineReader(InputStream in, Transcript transcript) {
            this.in = in;
            this.transcript = transcript;
        }

        /** The next line including its line ending, or the unterminated rest at EOF, or null at EOF. */
        byte[] readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            while (true) {
                if (pos == end) {
                    int n = in.read(buf);
                    if (n < 0) {
                        return line.size() == 0 ? null : line.toByteArray();
                    }
                    transcript.recordBytes(buf, 0, n);
                    pos = 0;
                    end = n;
                }
                for (int i = pos; i < end; i++) {
                    if (buf[i] == '\n') {
                        line.write(buf, pos, i + 1 - pos);
                        pos = i + 1;
                        return line.toByteArray();
                    }
                }
                line.write(buf, pos, end - pos);
                pos = end;
            }
        }

        /** Throws away what is buffered but not yet consumed; returns how many bytes that was. */
        int discardBuffered() {
            int n = end - pos;
            pos = end;
            return n;
        }
    }

    /** Thrown inside a session to end it without a reply. */
    private static final class Hangup extends Exception {
        Hangup() {
            super(null, null, false, false);
        }
    }

    /** The SMTP server side of one connection. */
    private final class Session implements Runnable {
        private final Socket raw;
        private final Transcript transcript;
        private Socket socket;
        private LineReader in;
        private OutputStream out;
        private boolean tls;
        private boolean greeted;
        private boolean authenticated;
        private boolean refused;
        // transaction
        private String mailFromLine;
        private String sender;
        private final List<String> recipients = new ArrayList<>();
        private int rcptAttempts;

        Session(Socket raw, Transcript transcript) {
            this.raw = raw;
            this.transcript = transcript;
        }

        @Override
        public void run() {
            try {
                socket = raw;
                in = new LineReader(raw.getInputStream(), transcript);
                out = raw.getOutputStream();
                if (implicitTls != null) {
                    handshake(implicitTls);
                }
                if (stallGreeting) {
                    while (true) {
                        readCommand(false);
                    }
                }
                reply(greeting);
                if (greeting.startsWith("421")) {
                    return;
                }
                refused = !greeting.startsWith("2");
                while (true) {
                    handle(readCommand(false));
                }
            } catch (IOException | Hangup e) {
                // client went away, relay closed, or a scripted hang-up
            } finally {
                closeQuietly(socket != null ? socket : raw);
                closeQuietly(raw);
                sockets.remove(raw);
                transcript.markClosed();
            }
        }

        private String readCommand(boolean auth) throws IOException, Hangup {
            byte[] bytes = in.readLine();
            if (bytes == null) {
                throw new Hangup();
            }
            int len = bytes.length;
            while (len > 0 && (bytes[len - 1] == '\n' || bytes[len - 1] == '\r')) {
                len--;
            }
            String line = new String(bytes, 0, len, StandardCharsets.UTF_8);
            boolean authCommand = line.length() >= 4 && line.regionMatches(true, 0, "AUTH", 0, 4)
                    && (line.length() == 4 || line.charAt(4) == ' ');
            transcript.recordCommand(line, auth || authCommand);
            return line;
        }

        private void reply(String text) throws IOException {
            StringBuilder wire = new StringBuilder();
            for (String line : text.replace("\r", "").split("\n", -1)) {
                transcript.recordReply(line);
                wire.append(line).append("\r\n");
            }
            out.write(wire.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Blocks until the relay is closed. */
        private void stall() throws Hangup {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new Hangup();
        }

        private void handle(String line) throws IOException, Hangup {
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            String arg = line.length() > verb.length() ? line.substring(verb.length()).trim() : "";
            String drop = dropAfter;
            if (drop != null && line.regionMatches(true, 0, drop, 0, drop.length())) {
                throw new Hangup();
            }
            String override = verbReplies.get(verb);
            if (override != null) {
                reply(override);
                if (verb.equals("QUIT")) {
                    throw new Hangup();
                }
                return;
            }
            if (refused && !verb.equals("QUIT")) {
                reply("503 5.5.0 Error: no service");
                return;
            }
            switch (verb) {
                case "EHLO", "HELO" -> hello(verb, arg);
                case "STARTTLS" -> startTls(arg);
                case "AUTH" -> auth(arg);
                case "MAIL" -> mail(line);
                case "RCPT" -> rcpt(line);
                case "DATA" -> data(arg);
                case "RSET" -> {
                    resetTransaction();
                    reply("250 2.0.0 Ok");
                }
                case "NOOP" -> reply("250 2.0.0 Ok");
                case "VRFY" -> reply("252 2.0.0 Cannot VRFY user");
                case "QUIT" -> {
                    reply("221 2.0.0 Bye");
                    throw new Hangup();
                }
                case "BDAT" -> reply("502 5.5.1 Error: command not implemented");
                default -> reply("500 5.5.2 Error: command not recognized");
            }
        }

        private void hello(String verb, String arg) throws IOException {
            if (arg.isEmpty()) {
                reply("501 5.5.4 Syntax: " + verb + " hostname");
                return;
            }
            resetTransaction();
            greeted = true;
            List<String> caps = currentCapabilities();
            if (verb.equals("HELO") || caps.isEmpty()) {
                reply("250 " + hostname);
                return;
            }
            StringBuilder r = new StringBuilder("250-").append(hostname);
            for (int i = 0; i < caps.size(); i++) {
                r.append('\n').append(i == caps.size() - 1 ? "250 " : "250-").append(caps.get(i));
            }
            reply(r.toString());
        }

        private List<String> currentCapabilities() {
            return tls ? capabilitiesAfterTls : capabilities;
        }

        private void startTls(String arg) throws IOException, Hangup {
            if (!arg.isEmpty()) {
                reply("501 5.5.4 Syntax: STARTTLS");
            } else if (tls) {
                reply("554 5.5.1 Error: TLS already active");
            } else if (startTls == null) {
                reply("454 4.7.0 TLS not available");
            } else {
                reply("220 2.0.0 Ready to start TLS");
                handshake(startTls);
                // RFC 3207: forget everything learned before TLS.
                greeted = false;
                authenticated = false;
                resetTransaction();
            }
        }

        private void handshake(SSLContext ctx) throws IOException, Hangup {
            int discarded = in.discardBuffered();
            SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
            ssl.setUseClientMode(false);
            if (tlsProtocols != null) {
                ssl.setEnabledProtocols(tlsProtocols);
            }
            try {
                ssl.startHandshake();
            } catch (SSLException e) {
                transcript.tlsFailed(e.toString());
                throw new Hangup();
            }
            socket = ssl;
            in = new LineReader(ssl.getInputStream(), transcript);
            out = ssl.getOutputStream();
            tls = true;
            transcript.tlsStarted(discarded);
        }

        private void auth(String arg) throws IOException, Hangup {
            if (arg.isEmpty()) {
                reply("501 5.5.4 Syntax: AUTH mechanism");
                return;
            }
            String[] parts = arg.split(" ");
            String mechanism = parts[0].toUpperCase(Locale.ROOT);
            String initial = parts.length > 1 ? parts[1] : null;
            if (!greeted) {
                reply("503 5.5.1 Error: send EHLO first");
                return;
            }
            if (authenticated) {
                reply("503 5.5.1 Error: already authenticated");
                return;
            }
            if (mailFromLine != null) {
                reply("503 5.5.1 Error: MAIL transaction in progress");
                return;
            }
            String user;
            String password;
            if (mechanism.equals("PLAIN")) {
                if (initial == null) {
                    if (plainRequiresInitialResponse) {
                        reply("501 5.5.2 Error: AUTH PLAIN requires an initial response");
                        return;
                    }
                    reply("334 ");
                    initial = readCommand(true);
                }
                if (initial.equals("*")) {
                    reply("501 5.7.0 Authentication aborted");
                    return;
                }
                byte[] decoded = decodeBase64(initial);
                if (decoded == null) {
                    return;
                }
                String[] fields = new String(decoded, StandardCharsets.UTF_8).split("\0", -1);
                if (fields.length != 3 || !(fields[0].isEmpty() || fields[0].equals(fields[1]))) {
                    reply("535 5.7.8 Error: authentication failed");
                    return;
                }
                user = fields[1];
                password = fields[2];
            } else if (mechanism.equals("LOGIN")) {
                String userLine = initial;
                if (userLine == null) {
                    reply("334 " + loginUserChallenge);
                    userLine = readCommand(true);
                }
                if (userLine.equals("*")) {
                    reply("501 5.7.0 Authentication aborted");
                    return;
                }
                byte[] u = decodeBase64(userLine);
                if (u == null) {
                    return;
                }
                reply("334 " + loginPasswordChallenge);
                String passLine = readCommand(true);
                if (passLine.equals("*")) {
                    reply("501 5.7.0 Authentication aborted");
                    return;
                }
                byte[] p = decodeBase64(passLine);
                if (p == null) {
                    return;
                }
                user = new String(u, StandardCharsets.UTF_8);
                password = new String(p, StandardCharsets.UTF_8);
            } else {
                reply("504 5.5.4 Unrecognized authentication type");
                return;
            }
            boolean ok = !rejectAllAuth
                    && (authUser == null || (authUser.equals(user) && authPassword.equals(password)));
            if (ok) {
                authenticated = true;
                transcript.authenticated(user);
                reply("235 2.7.0 Authentication successful");
            } else {
                reply("535 5.7.8 Error: authentication failed");
            }
        }

        private byte[] decodeBase64(String text) throws IOException {
            if (text.equals("=")) {
                return new byte[0];
            }
            try {
                return Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                reply("501 5.5.2 Error: malformed authentication response");
                return null;
            }
        }

        private void mail(String line) throws IOException {
            if (!greeted) {
                reply("503 5.5.1 Error: send HELO/EHLO first");
                return;
            }
            if (authUser != null && !authenticated) {
                reply("530 5.7.0 Authentication required");
                return;
            }
            if (mailFromLine != null) {
                reply("503 5.5.1 Error: nested MAIL command");
                return;
            }
            Matcher m = MAIL_FROM.matcher(line);
            if (!m.matches()) {
                reply("501 5.5.4 Syntax: MAIL FROM:<address>");
                return;
            }
            String scripted = mailReply;
            if (scripted != null) {
                reply(scripted);
                if (scripted.startsWith("2")) {
                    openTransaction(line, m.group(1));
                }
                return;
            }
            long limit = sizeLimit();
            Matcher size = SIZE_PARAM.matcher(m.group(2));
            if (limit > 0 && size.find() && Long.parseLong(size.group(1)) > limit) {
                reply("552 5.3.4 Message size exceeds fixed limit");
                return;
            }
            openTransaction(line, m.group(1));
            reply("250 2.1.0 Ok");
        }

        private long sizeLimit() {
            for (String cap : currentCapabilities()) {
                String[] words = cap.trim().split("\\s+");
                if (words.length == 2 && words[0].equalsIgnoreCase("SIZE")) {
                    try {
                        return Long.parseLong(words[1]);
                    } catch (NumberFormatException e) {
                        return 0;
                    }
                }
            }
            return 0;
        }

        private void openTransaction(String line, String from) {
            mailFromLine = line;
            sender = from;
        }

        private void rcpt(String line) throws IOException {
            if (mailFromLine == null) {
                reply("503 5.5.1 Error: need MAIL command");
                return;
            }
            Matcher m = RCPT_TO.matcher(line);
            if (!m.matches()) {
                reply("501 5.5.4 Syntax: RCPT TO:<address>");
                return;
            }
            rcptAttempts++;
            String address = m.group(1);
            String scripted = rcptReplies.get(address.toLowerCase(Locale.ROOT));
            String r = scripted != null ? scripted : "250 2.1.5 Ok";
            if (r.startsWith("2")) {
                recipients.add(address);
            }
            reply(r);
        }

        private void data(String arg) throws IOException, Hangup {
            if (!arg.isEmpty()) {
                reply("501 5.5.4 Syntax: DATA");
                return;
            }
            if (mailFromLine == null) {
                reply("503 5.5.1 Error: need MAIL command");
                return;
            }
            if (rcptAttempts == 0) {
                reply("503 5.5.1 Error: need RCPT command");
                return;
            }
            if (recipients.isEmpty()) {
                reply("554 5.5.1 Error: no valid recipients");
                return;
            }
            String scripted = dataCommandReply;
            if (scripted != null && !scripted.startsWith("3")) {
                reply(scripted);
                return;
            }
            reply(scripted != null ? scripted : "354 End data with <CR><LF>.<CR><LF>");
            if (stopReadingInData) {
                stall();
            }
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            boolean afterCrlf = true;
            while (true) {
                byte[] l = in.readLine();
                if (l == null) {
                    throw new Hangup();
                }
                payload.write(l);
                if (MID_DATA.equals(dropAfter)) {
                    throw new Hangup();
                }
                if (afterCrlf && Arrays.equals(l, DOT_CRLF)) {
                    break;
                }
                afterCrlf = l.length >= 2 && l[l.length - 2] == '\r' && l[l.length - 1] == '\n';
            }
            if (END_OF_DATA.equals(dropAfter)) {
                throw new Hangup();
            }
            if (stallAtEndOfData) {
                stall();
            }
            String r = dataReply != null ? dataReply : "250 2.0.0 Ok: queued as Q" + queueIds.incrementAndGet();
            if (r.startsWith("2")) {
                messages.add(new Received(mailFromLine, sender, recipients, payload.toByteArray()));
            }
            resetTransaction();
            reply(r);
        }

        private void resetTransaction() {
            mailFromLine = null;
            sender = null;
            recipients.clear();
            rcptAttempts = 0;
        }
    }
}
