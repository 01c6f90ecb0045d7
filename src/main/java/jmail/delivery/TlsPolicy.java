package jmail.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code smtp_tls_security_level} and friends, turned into Angus session properties.
 * none: no TLS; may: STARTTLS when offered, unverified; encrypt: STARTTLS required, unverified;
 * verify/secure: required, chain and host name verified. TLS 1.2 is the floor.
 */
record TlsPolicy(String level, boolean wrapperMode, Path caFile, List<String> protocols) {

    boolean required() {
        return wrapperMode || level.equals("encrypt") || level.equals("verify") || level.equals("secure");
    }

    boolean verified() {
        return level.equals("verify") || level.equals("secure");
    }

    boolean offered() {
        return !level.equals("none") || wrapperMode;
    }

    static List<String> protocols(String mandatory) {
        String m = mandatory.replace(" ", "");
        if (m.contains(">=TLSv1.3") || m.equals("TLSv1.3")) {
            return List.of("TLSv1.3");
        }
        return List.of("TLSv1.3", "TLSv1.2");
    }

    /** Fills {@code p} for protocol {@code proto} ("smtp" or "smtps"). */
    void apply(Properties p, String proto, boolean mustStartTls) throws GeneralSecurityException, IOException {
        String pre = "mail." + proto + ".";
        p.put(pre + "ssl.protocols", String.join(" ", protocols));
        if (wrapperMode) {
            p.put(pre + "ssl.enable", "true");
        } else if (offered()) {
            p.put(pre + "starttls.enable", "true");
            p.put(pre + "starttls.required", String.valueOf(required() || mustStartTls));
        }
        if (verified()) {
            p.put(pre + "ssl.checkserveridentity", "true");
            if (caFile != null) {
                p.put(pre + "ssl.socketFactory", context(caFile).getSocketFactory());
            }
        } else {
            p.put(pre + "ssl.checkserveridentity", "false");
            p.put(pre + "ssl.trust", "*");
        }
    }

    private static SSLContext context(Path caFile) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
