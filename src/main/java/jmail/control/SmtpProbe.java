package jmail.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A bare SMTP client for {@code jmailctl check}: it connects, reads the greeting, says EHLO, does
 * STARTTLS (or implicit TLS) and tries AUTH, reporting each step; it never sends MAIL. Plain sockets,
 * so every reply is seen as the relay wrote it.
 *
 * <p>SECURITY: the server is untrusted; replies are only shown, on one line each. The password is
 * written to the socket (after TLS, unless the caller allows otherwise) and never returned or printed.
 * The certificate is checked but a failed check does not stop the probe, so the report can say why.
 */
final class SmtpProbe implements AutoCloseable {
    /** One SMTP reply: its code and its lines joined with spaces. */
    record Reply(int code, List<String> lines) {
        String text() {
            return code + " " + String.join(" ", lines);
        }
    }

    /** What the TLS handshake showed: protocol, peer subject, and why verification failed (null: verified). */
    record TlsInfo(String protocol, String subject, String verifyFailure) {
    }

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    /** Opens TCP (and, for {@code implicitTls}, TLS) to host:port; throws on refusal or timeout. */
    static SmtpProbe connect(String address, int port, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        SmtpProbe p = new SmtpProbe();
        p.use(s);
        return p;
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        out = s.getOutputStream();
    }

    Reply read() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the server closed the connection");
            }
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)) {
                throw new IOException("not an SMTP reply: " + oneLine(line));
            }
            lines.add(line.length() > 4 ? oneLine(line.substring(4)) : "");
            if (line.length() < 4 || line.charAt(3) != '-') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    Reply command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return read();
    }

    /** Wraps the connection in TLS (after a 220 to STARTTLS, or at once for port 465). */
    TlsInfo startTls(String host, Path caFile) throws IOException, GeneralSecurityException {
        Recorder recorder = new Recorder(defaultTrust(caFile));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {recorder}, null);
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.matches("[0-9.]+|.*:.*")) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        tls.setSSLParameters(params);
        tls.startHandshake();
        use(tls);
        X509Certificate leaf = recorder.chain == null || recorder.chain.length == 0 ? null : recorder.chain[0];
        return new TlsInfo(tls.getSession().getProtocol(), leaf == null ? "(none)" : leaf.getSubjectX500Principal().getName(),
                recorder.failure);
    }

    /** AUTH with PLAIN (initial response) or LOGIN; returns the final reply. */
    Reply authenticate(String mechanism, String user, String password) throws IOException {
        Base64.Encoder b64 = Base64.getEncoder();
        if (mechanism.equals("PLAIN")) {
            String token = b64.encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            return command("AUTH PLAIN " + token);
        }
        Reply r = command("AUTH LOGIN");
        if (r.code() != 334) {
            return r;
        }
        r = command(b64.encodeToString(user.getBytes(StandardCharsets.UTF_8)));
        if (r.code() != 334) {
            return r;
        }
        return command(b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)));
    }

    static List<String> authMechanisms(Reply ehlo) {
        List<String> out = new ArrayList<>();
        for (String l : ehlo.lines()) {
            String u = l.toUpperCase(Locale.ROOT);
            if (u.startsWith("AUTH ") || u.startsWith("AUTH=")) {
                for (String m : u.substring(5).strip().split("\\s+")) {
                    if (!m.isEmpty() && !out.contains(m)) {
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }

    static boolean offers(Reply ehlo, String keyword) {
        return ehlo.lines().stream().skip(1).anyMatch(l -> l.toUpperCase(Locale.ROOT).split("[ =]")[0].equals(keyword));
    }

    static String oneLine(String s) {
        return s.replaceAll("[\\x00-\\x1f\\x7f]", " ").strip();
    }

    private static X509ExtendedTrustManager defaultTrust(Path caFile) throws GeneralSecurityException, IOException {
        KeyStore ks = null;
        if (caFile != null) {
            ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream f = Files.newInputStream(caFile)) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(f)) {
                    ks.setCertificateEntry("ca" + i++, c);
                }
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** Lets every handshake finish, remembering the chain and why the real check refused it. */
    private static final class Recorder extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager real;
        private X509Certificate[] chain;
        private String failure;

        Recorder(X509ExtendedTrustManager real) {
            this.real = real;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType, Socket s) {
            chain = c;
            try {
                real.checkServerTrusted(c, authType, s);
            } catch (CertificateException e) {
                failure = oneLine(String.valueOf(e.getMessage()));
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType, SSLEngine e) {
            checkServerTrusted(c, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String authType) {
            chain = c;
            try {
                ((X509TrustManager) real).checkServerTrusted(c, authType);
            } catch (CertificateException e) {
                failure = oneLine(String.valueOf(e.getMessage()));
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String authType, Socket s) throws CertificateException {
            throw new CertificateException("client role only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String authType, SSLEngine e) throws CertificateException {
            throw new CertificateException("client role only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String authType) throws CertificateException {
            throw new CertificateException("client role only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
