import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Package time only (src/build/shim-archive.sh): answers one SMTP session on a free 127.0.0.1 port,
 * printed as "listening PORT", the way jmaild's listener does, so that the shim's training run goes
 * through its whole SMTP path.
 */
public class TrainingListener {
    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            System.out.println("listening " + server.getLocalPort());
            System.out.flush();
            server.setSoTimeout(60_000);
            try (Socket s = server.accept()) {
                s.setSoTimeout(60_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                out.write("220 train ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                boolean data = false;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String reply = null;
                    if (data) {
                        if (line.equals(".")) {
                            data = false;
                            reply = "250 2.0.0 Ok: queued as TRAIN";
                        }
                    } else if (line.startsWith("EHLO")) {
                        reply = "250-train\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES";
                    } else if (line.equals("DATA")) {
                        data = true;
                        reply = "354 go ahead";
                    } else if (line.equals("QUIT")) {
                        out.write("221 2.0.0 Bye\r\n".getBytes(StandardCharsets.US_ASCII));
                        break;
                    } else {
                        reply = "250 2.0.0 Ok";
                    }
                    if (reply != null) {
                        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
        }
    }
}
